// sla.js - Settings → 服务时限 (SLA): one row per ticket type × priority with the first-response
// and resolution targets in minutes (empty = no clock), "business hours only", whom a breach
// escalates to, saved row by row (PUT/DELETE /api/v1/sites/:id/sla-policies/:type/:priority);
// and the days after closing that a follow-up visit falls due (PUT .../sla-settings).
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, put, del } from './api.js';
import { useSites, SitePicker } from './visitors.js';
import { tsl } from './sla-i18n.js';

const html = htm.bind(h);
const TYPES = ['question', 'complaint', 'return', 'repair', 'other'];
const PRIOS = ['low', 'normal', 'high', 'urgent'];

const minutes = (v) => (v === '' || v == null ? null : Number(v));
const okMinutes = (v) => v === '' || v == null || (/^\d+$/.test(String(v)) && +v <= 527040);

function Row({ siteId, type, prio, pol, sups, onSaved }) {
	const first = useSignal(pol ? (pol.first_response_minutes ?? '') : '');
	const res = useSignal(pol ? (pol.resolution_minutes ?? '') : '');
	const bh = useSignal(pol ? pol.business_hours : false);
	const esc = useSignal(pol ? (pol.escalate_to == null ? '' : String(pol.escalate_to)) : '');
	const msg = useSignal('');
	const path = `/api/v1/sites/${siteId}/sla-policies/${type}/${prio}`;
	async function save() {
		if (!okMinutes(first.value) || !okMinutes(res.value)) {
			msg.value = tsl('err');
			return;
		}
		try {
			await put(path, { first_response_minutes: minutes(first.value), resolution_minutes: minutes(res.value), business_hours: bh.value, escalate_to: esc.value === '' ? null : Number(esc.value) });
			msg.value = tsl('saved');
			onSaved();
		} catch (e) {
			msg.value = e.message || tsl('err');
		}
	}
	async function clear() {
		try {
			await del(path);
		} catch (e) {
			/* nothing stored: already clear */
		}
		first.value = res.value = esc.value = '';
		bh.value = false;
		msg.value = '';
		onSaved();
	}
	const id = `sla-${type}-${prio}`;
	return html`<tr id=${id} class=${pol ? 'sla-set' : ''}>
		<td>${tsl('type.' + type)} · ${tsl('prio.' + prio)}</td>
		<td><input class="sla-first" type="number" min="0" max="527040" aria-label=${tsl('first')} value=${first.value} onInput=${(e) => (first.value = e.currentTarget.value)} /></td>
		<td><input class="sla-resolve" type="number" min="0" max="527040" aria-label=${tsl('resolve')} value=${res.value} onInput=${(e) => (res.value = e.currentTarget.value)} /></td>
		<td><input class="sla-bh" type="checkbox" aria-label=${tsl('bh')} checked=${bh.value} onChange=${(e) => (bh.value = e.currentTarget.checked)} /></td>
		<td><select class="sla-esc" aria-label=${tsl('esc')} value=${esc.value} onChange=${(e) => (esc.value = e.currentTarget.value)}>
			<option value="">${tsl('escNone')}</option>
			<option value="0">${tsl('escAll')}</option>
			${sups.map((u) => html`<option value=${String(u.id)}>${u.name || u.email}</option>`)}
			${esc.value && esc.value !== '0' && !sups.some((u) => String(u.id) === esc.value) && html`<option value=${esc.value}>#${esc.value}</option>`}
		</select></td>
		<td><button type="button" class="sla-save" onClick=${save}>${tsl('save')}</button>
			${pol && html` <button type="button" class="link" onClick=${clear}>${tsl('clear')}</button>`}
			<span class="muted" role="status"> ${msg.value}</span></td>
	</tr>`;
}

function FollowDays({ siteId, days }) {
	const v = useSignal(String(days));
	const msg = useSignal('');
	async function save(e) {
		e.preventDefault();
		try {
			await put(`/api/v1/sites/${siteId}/sla-settings`, { followup_days: Number(v.value) });
			msg.value = tsl('saved');
		} catch (x) {
			msg.value = x.message || tsl('err');
		}
	}
	return html`<form class="row" onSubmit=${save}><label class="field inline"><span>${tsl('followDays')}</span>
		<input id="sla-followup-days" type="number" min="1" max="90" value=${v.value} onInput=${(e) => (v.value = e.currentTarget.value)} /></label>
		<button type="submit">${tsl('save')}</button><span class="muted" role="status"> ${msg.value}</span></form>`;
}

export function SlaPanel() {
	const { sites, site, choose } = useSites();
	const data = useSignal(null);
	const sups = useSignal([]);
	const err = useSignal('');
	const rev = useSignal(0);
	useEffect(() => {
		get('/api/v1/users').then((d) => (sups.value = (d.users || []).filter((u) => !u.disabled && (u.role === 'supervisor' || u.role === 'admin'))), () => {});
	}, []);
	useEffect(() => {
		if (!site.value) return;
		get(`/api/v1/sites/${site.value}/sla-policies`).then((d) => {
			data.value = d;
			err.value = '';
		}, () => (err.value = tsl('loadErr')));
	}, [site.value, rev.value]);
	if (sites.value && !sites.value.length) return null;
	const d = data.value;
	const find = (ty, p) => d && d.policies.find((x) => x.type === ty && x.priority === p);
	return html`<div id="sla-panel">
		<p class="muted">${tsl('help')}</p>
		<${SitePicker} sites=${sites} site=${site} choose=${choose} id="sla-site" />
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		${d && html`<div class="table-wrap"><table class="list sla-table"><thead><tr>
			<th></th><th>${tsl('first')}</th><th>${tsl('resolve')}</th><th>${tsl('bh')}</th><th>${tsl('esc')}</th><th></th></tr></thead>
			<tbody>${TYPES.flatMap((ty) => PRIOS.map((p) => html`<${Row} key=${site.value + ty + p} siteId=${site.value} type=${ty} prio=${p} pol=${find(ty, p)} sups=${sups.value} onSaved=${() => (rev.value += 1)} />`))}</tbody>
		</table></div>
		<${FollowDays} key=${site.value} siteId=${site.value} days=${d.followup_days} />`}
	</div>`;
}
