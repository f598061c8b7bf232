// widget/returns.js - returns, exchanges and repairs from "my orders" (issue 7, point 4): a
// "退换货/维修" button under each of a signed-in customer's order cards opens a small form: how
// many of each item, return / exchange / repair, the reason, photos. The eligibility is asked
// (POST /api/v1/returns/check) each time the choice changes and shown before the customer can
// submit; the request (multipart POST /api/v1/returns or /api/v1/repairs) answers with the
// ticket number and the status page's link. Everything from the server goes in as textContent.

import { el } from './card.js';

var T = {
	'zh-CN': { btn: '退换货/维修', ret: '退货', exch: '换货', rep: '维修', why: '原因 / 故障描述', photos: '照片（最多 5 张）',
		ok: '可以申请', send: '提交申请', point: '维修网点', done: '已提交，服务单号 #{n}', track: '查看进度', err: '提交失败，请稍后再试' },
	'zh-TW': { btn: '退換貨/維修', ret: '退貨', exch: '換貨', rep: '維修', why: '原因 / 故障描述', photos: '照片（最多 5 張）',
		ok: '可以申請', send: '送出申請', point: '維修據點', done: '已送出，服務單號 #{n}', track: '查看進度', err: '送出失敗，請稍後再試' },
	en: { btn: 'Return / repair', ret: 'Return', exch: 'Exchange', rep: 'Repair', why: 'Reason / fault', photos: 'Photos (up to 5)',
		ok: 'You can send this request', send: 'Send request', point: 'Service point', done: 'Sent: request #{n}', track: 'Follow it', err: 'Could not send; please try again later' },
};

/* Adds the button under card for order o. ctx: { origin, site, lang, token() }. */
export function returnsButton(card, o, ctx) {
	var S = T[ctx.lang] || T.en, btn = el('button', 'kefu-end kefu-ret-btn', S.btn), form = null;
	btn.type = 'button';
	btn.addEventListener('click', function () {
		if (form) { form.remove(); form = null; return; }
		form = open(card, o.number, ctx, S);
	});
	card.appendChild(btn);
}

function api(ctx, path, init) {
	init.headers = init.headers || {};
	init.headers['X-Visitor-Token'] = ctx.token();
	return fetch(ctx.origin + path + '?site=' + encodeURIComponent(ctx.site), init).then(function (r) {
		return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, d: d }; });
	});
}

function open(card, number, ctx, S) {
	var f = el('form', 'kefu-ret'), kind = el('select'), why = el('textarea'), pics = el('input'), out = el('div', 'kefu-ret-out');
	var go = el('button', 'kefu-fsend', S.send), lines = el('div'), point = el('select'), qty = {}, seq = 0;
	f.noValidate = true;
	[['return', S.ret], ['exchange', S.exch], ['repair', S.rep]].forEach(function (k) {
		var op = el('option', '', k[1]);
		op.value = k[0];
		kind.appendChild(op);
	});
	kind.name = 'kind';
	why.name = 'reason';
	why.maxLength = 2000;
	why.setAttribute('aria-label', S.why);
	why.placeholder = S.why;
	pics.type = 'file';
	pics.accept = 'image/*';
	pics.multiple = true;
	pics.setAttribute('aria-label', S.photos);
	point.setAttribute('aria-label', S.point);
	point.hidden = true;
	out.setAttribute('role', 'status');
	go.type = 'submit';
	go.disabled = true;
	[kind, lines, point, why, el('small', '', S.photos), pics, out, go].forEach(function (x) { f.appendChild(x); });
	card.appendChild(f);

	function items() {
		return Object.keys(qty).filter(function (s) { return +qty[s].value > 0; })
			.map(function (s) { return { sku: s, quantity: +qty[s].value }; });
	}
	/* Asks whether the current choice may be sent; only the latest answer counts. */
	function check(first) {
		var my = ++seq, rep = kind.value === 'repair';
		api(ctx, '/api/v1/returns/check', { method: 'POST', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ number: number, items: items(), kind: rep ? 'return' : kind.value, lang: ctx.lang }) })
			.then(function (r) {
				if (my !== seq) return;
				if (r.status !== 200) { out.textContent = (r.d.error && r.d.error.message) || S.err; return; }
				if (first) fill(r.d);
				var rs = r.d.reasons.filter(function (x) { return x.code !== 'no_items'; });
				out.textContent = rep ? '' : rs.length ? rs.map(function (x) { return x.text; }).join('；') : items().length ? S.ok : '';
				go.disabled = rep ? items().length !== 1 : !r.d.eligible;
				point.hidden = !rep || !point.options.length;
			}, function () { out.textContent = S.err; });
	}
	function fill(d) {
		d.order.items.forEach(function (it) {
			var lab = el('label', 'kefu-field'), n = el('input');
			n.type = 'number';
			n.min = '0';
			n.max = String(it.quantity);
			n.value = '0';
			n.setAttribute('data-sku', it.sku);
			n.addEventListener('input', function () { check(false); });
			qty[it.sku] = n;
			lab.appendChild(el('span', '', it.name + ' (×' + it.quantity + ')'));
			lab.appendChild(n);
			lines.appendChild(lab);
		});
		(d.service_points || []).forEach(function (p) {
			var op = el('option', '', p.name);
			op.value = p.id;
			point.appendChild(op);
		});
	}
	kind.addEventListener('change', function () { check(false); });
	f.addEventListener('submit', function (e) {
		e.preventDefault();
		var rep = kind.value === 'repair', it = items(), data = { number: number, lang: ctx.lang }, fd = new FormData();
		if (go.disabled || !why.value.trim()) return why.focus();
		if (rep) {
			data.sku = it[0].sku;
			data.fault = why.value.trim();
			if (point.options.length) data.service_point = point.value;
		} else {
			data.items = it;
			data.kind = kind.value;
			data.reason = why.value.trim();
		}
		fd.append('data', JSON.stringify(data));
		Array.prototype.slice.call(pics.files || [], 0, 5).forEach(function (p) { fd.append('photos', p); });
		go.disabled = true;
		api(ctx, rep ? '/api/v1/repairs' : '/api/v1/returns', { method: 'POST', body: fd }).then(function (r) {
			if (r.status !== 201) { go.disabled = false; out.textContent = (r.d.error && r.d.error.message) || S.err; return; }
			f.textContent = '';
			var a = el('a', 'kefu-ret-link', S.track);
			a.href = r.d.status_url;
			a.target = '_blank';
			a.rel = 'noopener';
			f.appendChild(el('p', 'kefu-ret-done', S.done.replace('{n}', r.d.ticket.id)));
			f.appendChild(a);
		}, function () { go.disabled = false; out.textContent = S.err; });
	});
	check(true);
	return f;
}
