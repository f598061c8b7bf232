// widget/forms.js - the widget's "留言/表单" entry (issue 7, docs/tickets.md "Online forms"): when
// the site has active online forms (the `forms` of the widget config, GET /api/v1/widget/config,
// which the core fetches anyway: no request of its own), a button in the panel's header opens a
// view listing them; picking one shows the hosted form page /f/<id> in an iframe
// (the server builds, checks and files it, so the widget stays small). Reuses the orders view's
// styles; form names go in as textContent only.

import { el } from './card.js';
import { overlay } from './view.js';

var T = {
	'zh-CN': { btn: '留言/表单', title: '留言 / 表单', back: '返回' },
	'zh-TW': { btn: '留言/表單', title: '留言 / 表單', back: '返回' },
	en: { btn: 'Message / forms', title: 'Leave a message', back: 'Back' },
};

/* o: { origin, site, lang, panel, forms }: forms is the config's [{id, name, title, url}].
 * Adds nothing when the site has no active form. */
export function formsSetup(o) {
	if (o.forms && o.forms.length) build(o, T[o.lang] || T.en, o.forms);
}

function build(o, S, forms) {
	var body = overlay(o, 'forms', S, function () { if (forms.length === 1) open(forms[0]); else list(); }).body;

	function list() {
		body.textContent = '';
		forms.forEach(function (f) {
			var b = el('button', 'kefu-fsend kefu-form-pick', f.title || f.name);
			b.type = 'button';
			b.setAttribute('data-form', String(f.id));
			b.addEventListener('click', function () { open(f); });
			body.appendChild(b);
		});
	}
	function open(f) {
		var fr = el('iframe');
		fr.id = 'kefu-form-frame';
		fr.title = f.title || f.name;
		fr.src = o.origin + '/f/' + encodeURIComponent(f.id) + '?lang=' + encodeURIComponent(o.lang);
		fr.style.cssText = 'flex:1;width:100%;min-height:360px;border:0;background:#fff';
		body.textContent = '';
		body.appendChild(fr);
	}
}
