// widget/extras.js - the widget's second bundle, /widget-extras.js (scripts/build-web.mjs): the
// account features a visitor may never open (my orders + lookup and returns, offers, tickets,
// online forms). The core (widget.js) adds this script, from its own origin, the first time the
// panel opens (or the launcher is hovered or focused), so the page's first load stays at the
// core's three requests and its size limit. It only hands the setup functions to the core
// through one global (read by the core when the script has loaded); the core calls them with the
// options it owns (panel, token, config).

import { ordersSetup } from './orders.js';
import { offersSetup } from './offers.js';
import { ticketsSetup } from './tickets.js';
import { formsSetup } from './forms.js';

window.__kefuWidgetExtras = { ordersSetup: ordersSetup, offersSetup: offersSetup, ticketsSetup: ticketsSetup, formsSetup: formsSetup };
