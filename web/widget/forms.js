// widget/forms.js - the widget's "留言/表单" entry (issue 7, docs/tickets.md "Online forms"): when
// the site has active online forms (the `forms` of the widget config, GET /api/v1/widget/config,
// which the core fetches anyway: no request of its own), a button in the panel's header opens a
// view listing them; picking one shows the hosted form page /f/<id> in an iframe
// (the server builds, checks and files it, so the widget stays small). Reuses the orders view's
// styles; form names go in as textContent only.

import { el } from './card.js';

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
	var btn = el('button', 'kefu-end', S.btn), back = el('button', 'kefu-end', S.back);
	btn.type = back.type = 'button';
	btn.id = 'kefu-forms-btn';
	btn.setAttribute('aria-expanded', 'false');
	btn.setAttribute('aria-controls', 'kefu-forms');
	var head = o.panel.querySelector('.kefu-head');
	head.insertBefore(btn, head.querySelector('#kefu-email-transcript'));
	var view = el('section', 'kefu-orders'), bar = el('div', 'kefu-head'), body = el('div', 'kefu-orders-body');
	view.id = 'kefu-forms';
	view.setAttribute('aria-label', S.title);
	view.hidden = true;
	bar.appendChild(el('span', 'kefu-title kefu-hl', S.title));
	bar.appendChild(back);
	view.appendChild(bar);
	view.appendChild(body);
	o.panel.appendChild(view);

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
	function show(on) {
		view.hidden = !on;
		btn.setAttribute('aria-expanded', on ? 'true' : 'false');
		if (!on) return btn.focus();
		if (forms.length === 1) open(forms[0]);
		else list();
		back.focus();
	}
	btn.addEventListener('click', function () { show(view.hidden); });
	back.addEventListener('click', function () { show(false); });
	view.addEventListener('keydown', function (e) {
		if (e.key === 'Escape') { e.stopPropagation(); show(false); }
	});
}
