// widget/view.js - a view over the chat opened from a button in the panel's header, shared by the
// extras bundle's account features (orders, offers, tickets, forms): one copy of the button, the
// view's bar (title + back), and the open/close handling (toggle, back, Escape, focus back to the
// button when it closes). Only the extras bundle imports it, so the core stays small.

import { el } from './card.js';

/* overlay(o, name, S, onOpen): the header button #kefu-<name>-btn (S.btn) controlling the view
 * #kefu-<name> (S.title, S.back) in o.panel. onOpen() runs each time the view opens and may return
 * the element to focus (else the back button). Returns { view, back, body }. */
export function overlay(o, name, S, onOpen) {
	var btn = el('button', 'kefu-end', S.btn), back = el('button', 'kefu-end', S.back);
	var view = el('section', 'kefu-orders'), bar = el('div', 'kefu-head'), body = el('div', 'kefu-orders-body');
	var head = o.panel.querySelector('.kefu-head');
	btn.type = back.type = 'button';
	btn.id = 'kefu-' + name + '-btn';
	btn.setAttribute('aria-expanded', 'false');
	btn.setAttribute('aria-controls', view.id = 'kefu-' + name);
	head.insertBefore(btn, head.querySelector('#kefu-email-transcript'));
	view.setAttribute('aria-label', S.title);
	view.hidden = true;
	bar.appendChild(el('span', 'kefu-title kefu-hl', S.title));
	bar.appendChild(back);
	view.appendChild(bar);
	view.appendChild(body);
	o.panel.appendChild(view);
	function show(on) {
		view.hidden = !on;
		btn.setAttribute('aria-expanded', on ? 'true' : 'false');
		if (!on) return btn.focus();
		(onOpen() || back).focus();
	}
	btn.addEventListener('click', function () { show(view.hidden); });
	back.addEventListener('click', function () { show(false); });
	view.addEventListener('keydown', function (e) {
		if (e.key === 'Escape') { e.stopPropagation(); show(false); }
	});
	return { view: view, back: back, body: body };
}
