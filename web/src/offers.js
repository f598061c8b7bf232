// offers.js - Settings → Coupons and offers (admins; issue 6): per site, the list of offers with
// what they are for and how often they were used, a form to create or edit one (kind, title,
// text, code, discount, dates, limits, and the tiers, RFM segments and member levels it is for),
// and activate / deactivate. The API is /api/v1/sites/:id/offers and /api/v1/offers/:id.
// Dates are picked as days: an offer starts at the start day's local midnight and ends at the
// midnight after its end day, so the end day is included.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, patch } from './api.js';
import { lang } from './i18n.js';
import { to, TIERS, SEGMENTS } from './offers-i18n.js';

const html = htm.bind(h);
const DAY = 86400;

/* "2026-11-23" <-> Unix seconds of that local midnight. */
const dayToTs = (s) => (s ? Math.floor(new Date(s + 'T00:00:00').getTime() / 1000) : null);
function tsToDay(ts) {
	if (!ts) return '';
	const d = new Date(ts * 1000);
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
const shortDay = (ts) => new Date(ts * 1000).toLocaleDateString(lang.value);

const EMPTY = { kind: 'coupon', title: '', body: '', code: '', discount: '', starts: '', ends: '', per_customer_limit: 0, total_limit: 0,
	active: true, targets: { tiers: [], segments: [], levels: [] } };

/* An offer from the API into the form's shape (dates as days, the end day inclusive). */
const toForm = (o) => ({ ...o, starts: tsToDay(o.starts_at), ends: o.ends_at ? tsToDay(o.ends_at - DAY) : '' });

function fromForm(f) {
	const ends = dayToTs(f.ends);
	return { kind: f.kind, title: f.title.trim(), body: f.body, code: f.code.trim(), discount: f.discount.trim(), starts_at: dayToTs(f.starts),
		ends_at: ends ? ends + DAY : null, per_customer_limit: Math.max(0, Math.trunc(+f.per_customer_limit || 0)),
		total_limit: Math.max(0, Math.trunc(+f.total_limit || 0)), active: !!f.active, targets: f.targets };
}

function Checks({ name, keys, label, picked, onChange }) {
	const toggle = (k, on) => onChange(on ? [...picked, k] : picked.filter((x) => x !== k));
	return html`<fieldset class="offer-targets"><legend>${label}</legend>
		${keys.map(([k, text]) => html`<label class="check" key=${k}><input type="checkbox" class=${'offer-' + name} value=${k}
			checked=${picked.includes(k)} onChange=${(e) => toggle(k, e.currentTarget.checked)} /> ${text}</label> `)}
	</fieldset>`;
}

function OfferForm({ initial, levels, onSave, onCancel }) {
	const f = useSignal(initial);
	const msg = useSignal('');
	const v = f.value;
	const set = (k, val) => (f.value = { ...f.value, [k]: val });
	const setT = (k, val) => set('targets', { ...f.value.targets, [k]: val });
	async function submit(e) {
		e.preventDefault();
		msg.value = '';
		try {
			await onSave(fromForm(f.value));
		} catch (x) {
			msg.value = to('err') + (x.message ? ': ' + x.message : '');
		}
	}
	const input = (k, id, extra = {}) => html`<input id=${id} value=${v[k]} onInput=${(e) => set(k, e.currentTarget.value)} ...${extra} />`;
	return html`<form class="offer-form" id="offer-form" onSubmit=${submit}>
		<label>${to('kind')} <select id="offer-kind" onChange=${(e) => set('kind', e.currentTarget.value)}>
			${['coupon', 'offer'].map((k) => html`<option value=${k} selected=${v.kind === k}>${to('kind.' + k)}</option>`)}</select></label>
		<label>${to('name')} ${input('title', 'offer-title', { maxlength: 200, required: true })}</label>
		<label>${to('body')} <textarea id="offer-body" rows="3" maxlength="2000" value=${v.body} onInput=${(e) => set('body', e.currentTarget.value)}></textarea></label>
		<p class="inline-fields">
			<label>${to('code')} ${input('code', 'offer-code', { maxlength: 64, pattern: '[A-Za-z0-9_\\-]*' })}</label>
			<label>${to('discount')} ${input('discount', 'offer-discount', { maxlength: 100 })}</label></p>
		<p class="inline-fields">
			<label>${to('starts')} ${input('starts', 'offer-starts', { type: 'date' })}</label>
			<label>${to('ends')} ${input('ends', 'offer-ends', { type: 'date' })}</label></p>
		<p class="inline-fields">
			<label>${to('perCustomer')} ${input('per_customer_limit', 'offer-per-customer', { type: 'number', min: 0, class: 'num-input' })}</label>
			<label>${to('total')} ${input('total_limit', 'offer-total', { type: 'number', min: 0, class: 'num-input' })}</label></p>
		<p class="muted small-text">${to('help')}</p>
		<${Checks} name="tier" label=${to('tiers')} keys=${TIERS.map((k) => [k, to('tier.' + k)])} picked=${v.targets.tiers} onChange=${(x) => setT('tiers', x)} />
		<${Checks} name="segment" label=${to('segments')} keys=${SEGMENTS.map((k) => [k, to('seg.' + k)])} picked=${v.targets.segments} onChange=${(x) => setT('segments', x)} />
		${levels.length > 0 && html`<${Checks} name="level" label=${to('levels')} keys=${levels.map((l) => [l.id, l.name])} picked=${v.targets.levels} onChange=${(x) => setT('levels', x)} />`}
		<label class="check"><input type="checkbox" id="offer-active" checked=${v.active} onChange=${(e) => set('active', e.currentTarget.checked)} /> ${to('active')}</label>
		<p><button type="submit" class="primary" id="offer-save">${to('save')}</button>
			<button type="button" id="offer-cancel" onClick=${onCancel}>${to('cancel')}</button>
			<span role="status" class="error" id="offer-status">${msg.value}</span></p>
	</form>`;
}

/* What an offer is for, in words. */
function targetsText(t, levels) {
	const parts = [...t.tiers.map((k) => to('tier.' + k)), ...t.segments.map((k) => to('seg.' + k)),
		...t.levels.map((id) => (levels.find((l) => l.id === id) || { name: '#' + id }).name)];
	return parts.length ? parts.join('、') : to('everyone');
}

function Row({ o, levels, onEdit, onToggle }) {
	const dates = o.starts_at || o.ends_at ? `${o.starts_at ? shortDay(o.starts_at) : ''} – ${o.ends_at ? shortDay(o.ends_at - DAY) : ''}` : to('always');
	return html`<tr class="offer-row" data-id=${o.id}>
		<td><b class="offer-title">${o.title}</b>${!o.active && html` <span class="badge">${to('inactive')}</span>`}<div class="muted small-text">${to('kind.' + o.kind)}${o.discount ? ' · ' + o.discount : ''}</div></td>
		<td><code>${o.code}</code></td>
		<td class="offer-for">${targetsText(o.targets, levels)}</td>
		<td>${dates}</td>
		<td>${o.per_customer_limit || '∞'} / ${o.total_limit || '∞'}</td>
		<td class="offer-redeemed">${o.redeemed}</td>
		<td class="nowrap"><button type="button" class="small offer-edit" onClick=${() => onEdit(o)}>${to('edit')}</button>
			<button type="button" class="small offer-toggle" onClick=${() => onToggle(o)}>${to(o.active ? 'deactivate' : 'activate')}</button></td>
	</tr>`;
}

export function OffersPanel() {
	const sites = useSignal([]);
	const site = useSignal(0);
	const list = useSignal(null);
	const levels = useSignal([]);
	const editing = useSignal(null); // null: the list; {} with or without id: the form
	const err = useSignal('');
	const load = () => {
		get(`/api/v1/sites/${site.value}/offers`).then((d) => (list.value = d.offers || []), () => (err.value = to('loadErr')));
		get(`/api/v1/sites/${site.value}/levels`).then((d) => (levels.value = d.levels || []), () => (levels.value = []));
	};
	useEffect(() => {
		get('/api/v1/sites').then((d) => {
			sites.value = d.sites || [];
			if (sites.value.length) site.value = sites.value[0].id;
		}, () => (err.value = to('loadErr')));
	}, []);
	useEffect(() => {
		if (site.value) load();
	}, [site.value]);
	async function save(body) {
		const id = editing.value.id;
		if (id) await patch(`/api/v1/offers/${id}`, body);
		else await post(`/api/v1/sites/${site.value}/offers`, body);
		editing.value = null;
		load();
	}
	const toggle = (o) => patch(`/api/v1/offers/${o.id}`, { active: !o.active }).then(load, (x) => (err.value = to('err') + ': ' + x.message));
	return html`<div class="offers-panel" id="offers-panel">
		${sites.value.length > 1 && html`<label>${to('site')} <select id="offers-site" onChange=${(e) => { site.value = +e.currentTarget.value; editing.value = null; }}>
			${sites.value.map((x) => html`<option value=${x.id} selected=${x.id === site.value}>${x.name}</option>`)}</select></label>`}
		${err.value && html`<p class="error">${err.value}</p>`}
		${editing.value
			? html`<${OfferForm} key=${editing.value.id || 'new'} initial=${editing.value.id ? toForm(editing.value) : EMPTY} levels=${levels.value}
				onSave=${save} onCancel=${() => (editing.value = null)} />`
			: html`<p><button type="button" class="primary" id="offer-new" onClick=${() => (editing.value = {})}>${to('new')}</button></p>`}
		${list.value && !list.value.length && html`<p class="muted" id="offers-none">${to('none')}</p>`}
		${list.value && list.value.length > 0 && html`<div class="table-wrap"><table id="offers-table"><thead><tr>
			<th>${to('name')}</th><th>${to('code')}</th><th>${to('targets')}</th><th>${to('dates')}</th><th>${to('limits')}</th><th>${to('redeemed')}</th><th></th>
		</tr></thead><tbody>${list.value.map((o) => html`<${Row} key=${o.id} o=${o} levels=${levels.value} onEdit=${(x) => (editing.value = x)} onToggle=${toggle} />`)}</tbody></table></div>`}
	</div>`;
}
