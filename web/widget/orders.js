// widget/orders.js - orders in the widget (issue 6, docs/crm.md "Orders in the widget and order
// cards"): an "Orders" button in the panel's header opens a view over the chat. A customer the
// shop signed (data-customer-id / data-customer-sig on the script tag, sent in the socket's hello
// as `customer`) sees their recent orders (GET /api/v1/orders/mine with the visitor token);
// anyone can look one order up by number plus e-mail or phone (POST /api/v1/orders/lookup).
// Part of the widget's extras bundle (extras.js), loaded when the panel first opens; the signed
// claim for hello is read by the core (widget.js), and the cards are drawn by card.js (shared
// with the core, which draws the order cards agents send). Shop strings go in as textContent only.

import { returnsButton } from './returns.js';
import { el, orderCard } from './card.js';
import { overlay } from './view.js';

var T = {
	'zh-CN': {
		btn: '订单', title: '我的订单', back: '返回对话', none: '暂无订单', find: '查询订单', num: '订单号',
		contact: '下单邮箱或手机号', go: '查询', noMatch: '没有匹配的订单，请核对订单号和邮箱或手机号',
		many: '尝试次数过多，请稍后再试', err: '查询失败，请稍后再试', need: '请填写订单号和邮箱或手机号', points: '积分',
	},
	'zh-TW': {
		btn: '訂單', title: '我的訂單', back: '返回對話', none: '尚無訂單', find: '查詢訂單', num: '訂單編號',
		contact: '下單電子郵件或手機號碼', go: '查詢', noMatch: '沒有相符的訂單，請核對訂單編號和電子郵件或手機號碼',
		many: '嘗試次數過多，請稍後再試', err: '查詢失敗，請稍後再試', need: '請填寫訂單編號和電子郵件或手機號碼', points: '點數',
	},
	en: {
		btn: 'Orders', title: 'My orders', back: 'Back to chat', none: 'No orders yet', find: 'Find an order', num: 'Order number',
		contact: 'E-mail or phone used for the order', go: 'Find', noMatch: 'No order matches that number and e-mail or phone',
		many: 'Too many attempts; please try again later', err: 'Something went wrong; please try again later',
		need: 'Please enter the order number and an e-mail or phone', points: 'Points',
	},
};

/* o: { origin, site, lang, script, panel, token() }. Returns { identified(customer) }, which
 * takes the welcome's `customer` (null: a guest). */
export function ordersSetup(o) {
	var S = T[o.lang] || T.en, who = null, busy = false, q = '?site=' + encodeURIComponent(o.site);
	var v = overlay(o, 'orders', S, function () { loadMine(); return who ? null : num; }), view = v.view, body = v.body;
	v.back.id = 'kefu-orders-back';
	var mine = el('div', 'kefu-orders-mine');
	mine.id = 'kefu-orders-mine';
	mine.setAttribute('aria-live', 'polite');
	var form = el('form', 'kefu-orders-find');
	form.id = 'kefu-orders-find';
	form.noValidate = true;
	var num = input('kefu-orders-number', S.num, 64), contact = input('kefu-orders-contact', S.contact, 254);
	var go = el('button', 'kefu-fsend', S.go);
	go.type = 'submit';
	var out = el('div', 'kefu-orders-out');
	out.id = 'kefu-orders-result';
	out.setAttribute('role', 'status');
	form.appendChild(el('b', '', S.find));
	form.appendChild(num.parentNode);
	form.appendChild(contact.parentNode);
	form.appendChild(go);
	form.appendChild(out);
	body.appendChild(mine);
	body.appendChild(form);

	function input(iid, label, max) {
		var lab = el('label', 'kefu-field'), inp = el('input');
		inp.id = iid;
		inp.maxLength = max;
		lab.appendChild(el('span', '', label));
		lab.appendChild(inp);
		return inp;
	}
	function api(path, init) {
		return fetch(o.origin + path + q, init).then(function (r) {
			return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, d: d }; });
		});
	}
	/* The signed customer's recent orders, each time the view opens (statuses change). */
	function loadMine() {
		mine.textContent = '';
		if (!who || !o.token()) return;
		api('/api/v1/orders/mine', { headers: { 'X-Visitor-Token': o.token() } }).then(function (r) {
			var list = (r.status === 200 && r.d.orders) || null;
			mine.textContent = '';
			if (!list) return;
			/* the member's standing first: points, and the level with what it brings */
			var m = r.d.member, line = m && el('p', 'kefu-orders-member');
			if (line) {
				line.id = 'kefu-orders-member';
				line.textContent = S.points + ' ' + m.points + (m.level ? ' · ' + m.level : '') + (m.benefits ? ' — ' + m.benefits : '');
				mine.appendChild(line);
			}
			if (!list.length) mine.appendChild(el('p', 'kefu-orders-none', S.none));
			list.forEach(function (x) { returnsButton(orderCard(mine, x, o.lang), x, o); });   /* returns.js: signed-in only */
		}, function () { /* the lookup form still works */ });
	}
	form.addEventListener('submit', function (e) {
		e.preventDefault();
		var n = num.value.trim(), c = contact.value.trim(), req = { number: n };
		out.textContent = '';
		if (!n || !c) return (out.textContent = S.need);
		if (busy) return;
		req[c.indexOf('@') >= 0 ? 'email' : 'phone'] = c;
		busy = true; // not go.disabled: a disabled button drops the keyboard focus
		api('/api/v1/orders/lookup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req) })
			.then(function (r) {
				if (r.status === 200 && r.d.order) orderCard(out, r.d.order, o.lang);
				else out.textContent = S[r.status === 404 ? 'noMatch' : r.status === 429 ? 'many' : r.status === 422 ? 'need' : 'err'];
			}, function () { out.textContent = S.err; })
			.then(function () { busy = false; });
	});
	return {
		identified: function (c) { who = c || null; if (!view.hidden) loadMine(); },
	};
}
