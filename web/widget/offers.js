// widget/offers.js - "My offers" in the widget (issue 6, docs/crm.md "Offers and coupons"): for a
// customer the shop signed (data-customer-id / data-customer-sig on the script tag) a button in
// the panel's header opens a view with the coupons and offers they may use (GET
// /api/v1/offers/mine with the visitor token): title, text, the code with a copy button and the
// end date. Guests get no button. The shop's strings go in as textContent only. The view reuses
// the orders view's styles (widget.css .kefu-orders, .kefu-order) to stay small.

import { el } from './card.js';
import { overlay } from './view.js';

var T = {
	'zh-CN': { btn: '优惠', title: '我的优惠', back: '返回对话', none: '暂无可用优惠', copy: '复制', copied: '已复制', until: '有效期至 ', err: '加载失败，请稍后再试' },
	'zh-TW': { btn: '優惠', title: '我的優惠', back: '返回對話', none: '目前沒有可用優惠', copy: '複製', copied: '已複製', until: '有效期至 ', err: '載入失敗，請稍後再試' },
	en: { btn: 'Offers', title: 'My offers', back: 'Back to chat', none: 'No offers right now', copy: 'Copy', copied: 'Copied', until: 'Until ', err: 'Could not load; please try again later' },
};

function day(s) {
	var d = new Date(s * 1000);
	return d.getFullYear() + '-' + ('0' + (d.getMonth() + 1)).slice(-2) + '-' + ('0' + d.getDate()).slice(-2);
}

/* One offer as a card: title and discount, text, code with a copy button, end date. */
function card(parent, x, S) {
	var c = el('div', 'kefu-order kefu-offer');
	c.setAttribute('data-offer', String(x.id));
	var head = el('div', 'kefu-order-h');
	head.appendChild(el('b', '', x.title));
	if (x.discount) head.appendChild(el('span', 'kefu-order-st', x.discount));
	c.appendChild(head);
	if (x.body) c.appendChild(el('div', 'kefu-order-i', x.body));
	if (x.code) {
		var row = el('div', 'kefu-order-t'), code = el('code', 'kefu-offer-code', x.code), b = el('button', 'kefu-end', S.copy);
		b.type = 'button';
		b.addEventListener('click', function () {
			var done = function () { b.textContent = S.copied; };
			if (navigator.clipboard) return navigator.clipboard.writeText(x.code).then(done, function () {});
			var r = document.createRange(), sel = getSelection(); // no clipboard API (http): select it
			r.selectNodeContents(code);
			sel.removeAllRanges();
			sel.addRange(r);
		});
		row.appendChild(code);
		row.appendChild(document.createTextNode(' '));
		row.appendChild(b);
		c.appendChild(row);
	}
	if (x.ends_at) c.appendChild(el('div', 'kefu-order-m', S.until + day(x.ends_at - 1))); // ends_at itself is excluded
	parent.appendChild(c);
}

/* o: { origin, site, lang, script, panel, token() }. Adds the button only for a signed customer. */
export function offersSetup(o) {
	if (!o.script.getAttribute('data-customer-id') || !o.script.getAttribute('data-customer-sig')) return;
	var S = T[o.lang] || T.en;
	var body = overlay(o, 'offers', S, load).body;
	body.id = 'kefu-offers-list';
	body.setAttribute('aria-live', 'polite');

	/* Fetched each time the view opens: offers end and get used up. */
	function load() {
		body.textContent = '';
		if (!o.token()) return;
		fetch(o.origin + '/api/v1/offers/mine?site=' + encodeURIComponent(o.site), { headers: { 'X-Visitor-Token': o.token() } })
			.then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
			.then(function (d) {
				var list = d.offers || [];
				if (!list.length) body.appendChild(el('p', 'kefu-orders-none', S.none));
				list.forEach(function (x) { card(body, x, S); });
			}, function () { body.appendChild(el('p', 'kefu-orders-none', S.err)); });
	}
}
