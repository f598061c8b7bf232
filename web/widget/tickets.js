// widget/tickets.js - "My tickets" in the widget (issue 7, docs/tickets.md "Tickets"): for a customer
// the shop signed (data-customer-id / data-customer-sig) a button in the panel's header opens a
// list of their tickets (GET /api/v1/tickets/mine with the visitor token): number, subject, status
// and date. A list only: the status page (/t/<id>) needs the key from the customer's e-mail, which
// the widget never holds. Guests get no button. Strings go in as textContent only; the view reuses
// the orders view's styles (widget.css .kefu-orders, .kefu-order) to stay small.

import { el } from './card.js';
import { overlay } from './view.js';

var T = {
	'zh-CN': { btn: '工单', title: '我的工单', back: '返回对话', none: '暂无工单', err: '加载失败，请稍后再试',
		st: { new: '已提交', open: '处理中', pending: '待您回复', resolved: '已解决', closed: '已关闭' } },
	'zh-TW': { btn: '工單', title: '我的工單', back: '返回對話', none: '目前沒有工單', err: '載入失敗，請稍後再試',
		st: { new: '已提交', open: '處理中', pending: '待您回覆', resolved: '已解決', closed: '已關閉' } },
	en: { btn: 'Tickets', title: 'My tickets', back: 'Back to chat', none: 'No tickets', err: 'Could not load; please try again later',
		st: { new: 'Received', open: 'In progress', pending: 'Waiting for you', resolved: 'Resolved', closed: 'Closed' } },
};

/* o: { origin, site, lang, script, panel, token() }. Adds the button only for a signed customer. */
export function ticketsSetup(o) {
	if (!o.script.getAttribute('data-customer-id') || !o.script.getAttribute('data-customer-sig')) return;
	var S = T[o.lang] || T.en;
	var body = overlay(o, 'tickets', S, load).body;
	body.setAttribute('aria-live', 'polite');

	function row(x) {
		var c = el('div', 'kefu-order kefu-ticket');
		c.setAttribute('data-ticket', String(x.number));
		var h = el('div', 'kefu-order-h');
		h.appendChild(el('b', '', '#' + x.number + ' ' + x.subject));
		h.appendChild(el('span', 'kefu-order-st', S.st[x.status] || x.status));
		c.appendChild(h);
		c.appendChild(el('div', 'kefu-order-m', new Date(x.updated_at * 1000).toLocaleDateString(o.lang)));
		body.appendChild(c);
	}
	/* Fetched each time the view opens: statuses move. */
	function load() {
		body.textContent = '';
		if (!o.token()) return;
		fetch(o.origin + '/api/v1/tickets/mine?site=' + encodeURIComponent(o.site), { headers: { 'X-Visitor-Token': o.token() } })
			.then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
			.then(function (d) {
				var list = d.tickets || [];
				if (!list.length) body.appendChild(el('p', 'kefu-orders-none', S.none));
				list.forEach(row);
			}, function () { body.appendChild(el('p', 'kefu-orders-none', S.err)); });
	}
}
