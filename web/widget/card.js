// widget/card.js - one order drawn as a card (issue 6, docs/crm.md "Orders in the widget and order
// cards"). Shared by both widget bundles: the core (/widget.js) draws the order cards agents send
// into the chat, the extras (/widget-extras.js, orders.js) the visitor's own orders. Kept apart
// from orders.js so the core needs only this much of it. Shop strings go in as textContent only.

var T = {
	'zh-CN': { order: '订单', paid: '已付款', shipped: '已发货', delivered: '已签收', cancelled: '已取消', returned: '已退货' },
	'zh-TW': { order: '訂單', paid: '已付款', shipped: '已出貨', delivered: '已簽收', cancelled: '已取消', returned: '已退貨' },
	en: { order: 'Order', paid: 'Paid', shipped: 'Shipped', delivered: 'Delivered', cancelled: 'Cancelled', returned: 'Returned' },
};

/* An element with a class and its text (textContent: never markup). */
export function el(tag, cls, text) {
	var e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text) e.textContent = text;
	return e;
}
function money(cents, cur, lang) {
	try {
		return new Intl.NumberFormat(lang, { style: 'currency', currency: cur }).format(cents / 100);
	} catch (e) {
		return (cents / 100).toFixed(2) + ' ' + (cur || '');
	}
}

/* One order as a card into parent: number, status in words, date and total, items, tracking. */
export function orderCard(parent, o, lang) {
	var S = T[lang] || T.en, d = new Date((+o.placed_at || 0) * 1000);
	var card = el('div', 'kefu-order');
	card.setAttribute('data-number', String(o.number || ''));
	var head = el('div', 'kefu-order-h');
	head.appendChild(el('b', 'kefu-order-n', S.order + ' ' + (o.number || '')));
	var st = el('span', 'kefu-order-st', S[o.status] || String(o.status || ''));
	st.setAttribute('data-status', String(o.status || ''));
	head.appendChild(st);
	card.appendChild(head);
	var meta = o.placed_at ? d.getFullYear() + '-' + ('0' + (d.getMonth() + 1)).slice(-2) + '-' + ('0' + d.getDate()).slice(-2) : '';
	if (typeof o.total_cents === 'number') meta += (meta ? ' · ' : '') + money(o.total_cents, o.currency, lang);
	if (meta) card.appendChild(el('div', 'kefu-order-m', meta));
	var items = (o.items || []).map(function (i) { return i.name + ' ×' + i.quantity; });
	if (items.length) card.appendChild(el('div', 'kefu-order-i', items.slice(0, 3).join(lang === 'en' ? ', ' : '、') + (items.length > 3 ? ' …' : '')));
	if (o.tracking || o.carrier) card.appendChild(el('div', 'kefu-order-t', [o.carrier, o.tracking].filter(Boolean).join(' ')));
	parent.appendChild(card);
	return card;
}
