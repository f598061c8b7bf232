// customer-extras.js - the customer panel's offers and points section (issue 6), rendered by
// customer.js after the orders: the offers this customer may use now (GET
// /api/v1/customers/:id/offers) with "Redeem" (an optional order number and note, then POST
// /api/v1/offers/:id/redeem), the offers they used, and "Award points" (POST
// /api/v1/customers/:id/points, reason adjust) when the answer says may_award: supervisors and
// admins always, agents when the site's points rules allow it. The API decides in both cases;
// the UI only hides what would be refused.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post } from './api.js';
import { lang } from './i18n.js';
import { to } from './offers-i18n.js';

const html = htm.bind(h);
const day = (s) => new Date(s * 1000).toLocaleDateString(lang.value);

function RedeemForm({ offer, customerId, onDone, onCancel }) {
	const order = useSignal('');
	const note = useSignal('');
	const msg = useSignal('');
	async function submit(e) {
		e.preventDefault();
		msg.value = '';
		const body = { customer_id: customerId, note: note.value.trim() };
		if (order.value.trim()) body.order_number = order.value.trim();
		try {
			await post(`/api/v1/offers/${offer.id}/redeem`, body);
			onDone();
		} catch (x) {
			msg.value = to('err') + (x.message ? ': ' + x.message : '');
		}
	}
	return html`<form class="offer-redeem-form" id="offer-redeem-form" onSubmit=${submit}>
		<input id="offer-redeem-order" placeholder=${to('orderNo')} aria-label=${to('orderNo')} maxlength="64" value=${order.value} onInput=${(e) => (order.value = e.currentTarget.value)} />
		<input id="offer-redeem-note" placeholder=${to('note')} aria-label=${to('note')} maxlength="500" value=${note.value} onInput=${(e) => (note.value = e.currentTarget.value)} />
		<button type="submit" class="small" id="offer-redeem-confirm">${to('confirm')}</button>
		<button type="button" class="small" onClick=${onCancel}>${to('cancel')}</button>
		<span class="error small-text" role="status">${msg.value}</span>
	</form>`;
}

function Offers({ d, customerId, reload }) {
	const open = useSignal(0);
	const done = () => {
		open.value = 0;
		reload();
	};
	return html`<h5>${to('offers')}</h5>
		${!d.eligible.length && html`<p class="muted small-text" id="customer-offers-none">${to('noOffers')}</p>`}
		<ul class="customer-offers" id="customer-offers">${d.eligible.map((o) => html`<li class="customer-offer" key=${o.id} data-id=${o.id}>
			<b>${o.title}</b>${o.discount ? ' · ' + o.discount : ''} ${o.code && html`<code>${o.code}</code>`}
			${o.ends_at && html`<span class="muted small-text"> ${to('until', { d: day(o.ends_at - 1) })}</span>`}
			${open.value === o.id
				? html`<${RedeemForm} offer=${o} customerId=${customerId} onDone=${done} onCancel=${() => (open.value = 0)} />`
				: html` <button type="button" class="small offer-redeem" onClick=${() => (open.value = o.id)}>${to('redeem')}</button>`}
		</li>`)}</ul>
		${d.redeemed.length > 0 && html`<h5>${to('usedList')}</h5><ul class="customer-redeemed" id="customer-redeemed">
			${d.redeemed.map((r) => html`<li key=${r.id}>${r.title}${r.order_number ? ' · ' + r.order_number : ''}
				<span class="muted small-text"> ${day(r.at)}${r.note ? ' · ' + r.note : ''}</span></li>`)}</ul>`}`;
}

function Award({ customerId }) {
	const amount = useSignal('');
	const reason = useSignal('');
	const msg = useSignal('');
	async function submit(e) {
		e.preventDefault();
		const n = Number(amount.value);
		if (!Number.isInteger(n) || n < 1) return (msg.value = to('badAmount'));
		try {
			const r = await post(`/api/v1/customers/${customerId}/points`, { delta: n, reason: 'adjust', note: reason.value.trim() });
			msg.value = to('awarded', { n, b: r.balance });
			amount.value = '';
			reason.value = '';
		} catch (x) {
			msg.value = to('err') + (x.message ? ': ' + x.message : '');
		}
	}
	return html`<h5>${to('award')}</h5><form class="customer-award" id="customer-award" onSubmit=${submit}>
		<input id="customer-award-amount" type="number" min="1" step="1" class="num-input" placeholder=${to('amount')} aria-label=${to('amount')}
			value=${amount.value} onInput=${(e) => (amount.value = e.currentTarget.value)} />
		<input id="customer-award-reason" maxlength="500" placeholder=${to('reason')} aria-label=${to('reason')} value=${reason.value}
			onInput=${(e) => (reason.value = e.currentTarget.value)} />
		<button type="submit" class="small" id="customer-award-send">${to('awardBtn')}</button>
		<div class="muted small-text" role="status" id="customer-award-status">${msg.value}</div>
	</form>`;
}

/* c: the customer of the panel (GET /api/v1/visitors/:id/customer). */
export function CustomerExtras({ c }) {
	const data = useSignal(null);
	const load = () => get(`/api/v1/customers/${c.id}/offers`).then((d) => (data.value = d), () => (data.value = null));
	useEffect(() => {
		data.value = null;
		load();
	}, [c.id]);
	const d = data.value;
	if (!d) return null;
	return html`<div class="customer-extras" id="customer-extras">
		<${Offers} d=${d} customerId=${c.id} reload=${load} />
		${d.may_award && html`<${Award} key=${c.id} customerId=${c.id} />`}
	</div>`;
}
