// widget/orders.js - orders in the widget (issue 6, docs/crm.md "Orders in the widget and order
// cards"): an "Orders" button in the panel's header opens a view over the chat. A customer the
// shop signed (data-customer-id / data-customer-sig on the script tag, sent in the socket's hello
// as `customer`) sees their recent orders (GET /api/v1/orders/mine with the visitor token);
// anyone can look one order up by number plus e-mail or phone (POST /api/v1/orders/lookup).
// orderCard() also draws the order cards agents send into the chat. Shop strings go in as
// textContent only.

var T = {
	'zh-CN': {
		btn: '订单', title: '我的订单', back: '返回对话', none: '暂无订单', find: '查询订单', num: '订单号',
		contact: '下单邮箱或手机号', go: '查询', noMatch: '没有匹配的订单，请核对订单号和邮箱或手机号',
		many: '尝试次数过多，请稍后再试', err: '查询失败，请稍后再试', need: '请填写订单号和邮箱或手机号', order: '订单',
		paid: '已付款', shipped: '已发货', delivered: '已签收', cancelled: '已取消', returned: '已退货', points: '积分',
	},
	'zh-TW': {
		btn: '訂單', title: '我的訂單', back: '返回對話', none: '尚無訂單', find: '查詢訂單', num: '訂單編號',
		contact: '下單電子郵件或手機號碼', go: '查詢', noMatch: '沒有相符的訂單，請核對訂單編號和電子郵件或手機號碼',
		many: '嘗試次數過多，請稍後再試', err: '查詢失敗，請稍後再試', need: '請填寫訂單編號和電子郵件或手機號碼', order: '訂單',
		paid: '已付款', shipped: '已出貨', delivered: '已簽收', cancelled: '已取消', returned: '已退貨', points: '點數',
	},
	en: {
		btn: 'Orders', title: 'My orders', back: 'Back to chat', none: 'No orders yet', find: 'Find an order', num: 'Order number',
		contact: 'E-mail or phone used for the order', go: 'Find', noMatch: 'No order matches that number and e-mail or phone',
		many: 'Too many attempts; please try again later', err: 'Something went wrong; please try again later',
		need: 'Please enter the order number and an e-mail or phone', order: 'Order',
		paid: 'Paid', shipped: 'Shipped', delivered: 'Delivered', cancelled: 'Cancelled', returned: 'Returned', points: 'Points',
	},
};

function el(tag, cls, text) {
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

/* o: { origin, site, lang, script, panel, token() }. Returns { claim(), identified(customer) }:
 * claim() is the signed customer for hello ({id, sig}) or null; identified() takes the
 * welcome's `customer` (null: a guest). */
export function ordersSetup(o) {
	var S = T[o.lang] || T.en, who = null, busy = false, q = '?site=' + encodeURIComponent(o.site);
	var id = o.script.getAttribute('data-customer-id'), sig = o.script.getAttribute('data-customer-sig');
	var btn = el('button', 'kefu-end', S.btn);
	btn.type = 'button';
	btn.id = 'kefu-orders-btn';
	btn.setAttribute('aria-expanded', 'false');
	btn.setAttribute('aria-controls', 'kefu-orders');
	var head = o.panel.querySelector('.kefu-head');
	head.insertBefore(btn, head.querySelector('#kefu-email-transcript'));

	var view = el('section', 'kefu-orders');
	view.id = 'kefu-orders';
	view.setAttribute('aria-label', S.title);
	view.hidden = true;
	var back = el('button', 'kefu-end', S.back);
	back.type = 'button';
	back.id = 'kefu-orders-back';
	var bar = el('div', 'kefu-head');
	bar.appendChild(el('span', 'kefu-title kefu-hl', S.title));
	bar.appendChild(back);
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
	var body = el('div', 'kefu-orders-body');
	body.appendChild(mine);
	body.appendChild(form);
	view.appendChild(bar);
	view.appendChild(body);
	o.panel.appendChild(view);

	function input(iid, label, max) {
		var lab = el('label', 'kefu-field'), inp = el('input');
		inp.id = iid;
		inp.maxLength = max;
		lab.appendChild(el('span', '', label));
		lab.appendChild(inp);
		return inp;
	}
	function show(on) {
		view.hidden = !on;
		btn.setAttribute('aria-expanded', on ? 'true' : 'false');
		if (!on) return btn.focus();
		loadMine();
		(who ? back : num).focus();
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
			list.forEach(function (x) { orderCard(mine, x, o.lang); });
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
	btn.addEventListener('click', function () { show(view.hidden); });
	back.addEventListener('click', function () { show(false); });
	view.addEventListener('keydown', function (e) {
		if (e.key === 'Escape') { e.stopPropagation(); show(false); }
	});
	return {
		claim: function () { return id && sig ? { id: id, sig: sig } : null; },
		identified: function (c) { who = c || null; if (!view.hidden) loadMine(); },
	};
}
