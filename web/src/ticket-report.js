// ticket-report.js - 报表 → 工单 (GET /api/v1/tickets/report): for a site and a range of UTC days,
// the tickets created, resolved, first-response and resolution times (median, p90), SLA
// breaches, CSAT and follow-up outcomes, in total and by agent, type and channel. Also 回访
// (FollowupsPanel): the agent's due and overdue follow-up visits with a form to record how each
// went (GET /api/v1/followups, PATCH /api/v1/followups/:id).
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, patch } from './api.js';
import { lang } from './i18n.js';
import { useSites, SitePicker } from './visitors.js';
import { tsl, dur } from './sla-i18n.js';

const html = htm.bind(h);
const DAY_MS = 86400000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const RE = /^\d{4}-\d{2}-\d{2}$/;
const OUTCOMES = ['reached', 'not_reached', 'satisfied', 'unsatisfied'];

const avg = (v) => (v == null ? '—' : v.toFixed(1));
const fus = (f) => OUTCOMES.filter((k) => f[k]).map((k) => `${tsl('fu.' + k)} ${f[k]}`).join(' · ') || '—';

function cards(x) {
	return [
		['tr-created', 'created', x.created], ['tr-resolved', 'resolved', x.resolved],
		['tr-frt-median', 'frtMed', dur(x.first_response_median)], ['tr-frt-p90', 'frtP90', dur(x.first_response_p90)],
		['tr-res-median', 'resMed', dur(x.resolution_median)], ['tr-res-p90', 'resP90', dur(x.resolution_p90)],
		['tr-breach-first', 'brFirst', x.breached_first_response], ['tr-breach-res', 'brRes', x.breached_resolution],
		['tr-csat-avg', 'csatAvg', avg(x.csat_avg)], ['tr-csat-n', 'csatN', x.csat_count],
	];
}

function GroupTable({ id, title, rows, label }) {
	if (!rows.length) return null;
	return html`<h4>${title}</h4><div class="table-wrap"><table class="list" id=${id}><thead><tr>
		<th></th><th>${tsl('created')}</th><th>${tsl('resolved')}</th><th>${tsl('frtMed')}</th><th>${tsl('resMed')}</th>
		<th>${tsl('brFirst')}</th><th>${tsl('brRes')}</th><th>${tsl('csatAvg')}</th><th>${tsl('csatN')}</th><th>${tsl('fu')}</th></tr></thead>
		<tbody>${rows.map((g) => html`<tr>
			<td>${label(g)}</td><td>${g.created}</td><td>${g.resolved}</td><td>${dur(g.first_response_median)}</td>
			<td>${dur(g.resolution_median)}</td><td>${g.breached_first_response}</td><td>${g.breached_resolution}</td>
			<td class="csat-avg">${avg(g.csat_avg)}</td><td>${g.csat_count}</td><td>${fus(g.followups)}</td></tr>`)}</tbody></table></div>`;
}

export function TicketReportPanel() {
	const { sites, site, choose } = useSites();
	const from = useSignal(isoDay(Date.now() - 29 * DAY_MS));
	const to = useSignal(isoDay(Date.now()));
	const data = useSignal(null);
	const err = useSignal('');
	async function load() {
		if (!site.value) return;
		if (!RE.test(from.value) || !RE.test(to.value) || from.value > to.value) {
			err.value = tsl('badRange');
			return;
		}
		try {
			data.value = await get(`/api/v1/tickets/report?site=${site.value}&from=${from.value}&to=${to.value}`);
			err.value = '';
		} catch (e) {
			err.value = e.status === 400 ? tsl('badRange') : e.message || tsl('loadErr');
		}
	}
	useEffect(() => {
		load();
	}, [site.value]);
	const x = data.value;
	return html`<div id="ticket-report" class="reports">
		<form class="toolbar reports-range" onSubmit=${(e) => { e.preventDefault(); load(); }}>
			<${SitePicker} sites=${sites} site=${site} choose=${choose} id="tr-site" />
			<label class="field inline"><span>${tsl('from')}</span><input id="tr-from" type="date" value=${from.value} onInput=${(e) => (from.value = e.currentTarget.value)} /></label>
			<label class="field inline"><span>${tsl('to')}</span><input id="tr-to" type="date" value=${to.value} onInput=${(e) => (to.value = e.currentTarget.value)} /></label>
			<button type="submit" id="tr-show">${tsl('show')}</button>
		</form>
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		${x && !x.totals.created && html`<p class="muted">${tsl('none')}</p>`}
		${x && html`<div class="stat-cards">${cards(x.totals).map(([id, k, v]) => html`<div class="stat-card card" id=${id}><span class="stat-label">${tsl(k)}</span><strong class="stat-value">${v}</strong></div>`)}
			<div class="stat-card card" id="tr-followups"><span class="stat-label">${tsl('fu')}</span><span>${fus(x.totals.followups)}</span></div></div>
		<${GroupTable} id="tr-by-agent" title=${tsl('byAgent')} rows=${x.by_agent} label=${(g) => (g.assignee_id ? g.name || '#' + g.assignee_id : tsl('unassigned'))} />
		<${GroupTable} id="tr-by-type" title=${tsl('byType')} rows=${x.by_type} label=${(g) => tsl('type.' + g.type)} />
		<${GroupTable} id="tr-by-channel" title=${tsl('byChannel')} rows=${x.by_channel} label=${(g) => tsl('ch.' + g.channel)} />`}
	</div>`;
}

function FollowupRow({ f, onDone }) {
	const outcome = useSignal(f.outcome || 'reached');
	const note = useSignal(f.note || '');
	const err = useSignal('');
	async function record(e) {
		e.preventDefault();
		try {
			await patch('/api/v1/followups/' + f.id, { outcome: outcome.value, note: note.value });
			onDone();
		} catch (x) {
			err.value = x.message || tsl('err');
		}
	}
	const due = new Date(f.due_at * 1000).toLocaleDateString(lang.value);
	return html`<li class=${'card followup' + (f.overdue ? ' overdue' : '')} id=${'followup-' + f.id} style="padding:.6rem .8rem">
		<div><strong>#${f.ticket_id}</strong> ${f.subject} · ${tsl('type.' + f.type)}</div>
		<div class="muted">${tsl('requester')}: ${[f.requester_name, f.requester_phone, f.requester_email].filter(Boolean).join(' · ') || '—'}</div>
		<div>${f.overdue ? html`<span class="badge warn">${tsl('overdue')}</span>` : tsl('due')} ${due}
			${f.done_at ? html` · ${tsl('done')}: ${tsl('fu.' + f.outcome)} ${f.note}` : ''}</div>
		${!f.done_at && html`<form class="row" onSubmit=${record}>
			<select aria-label=${tsl('outcome')} value=${outcome.value} onChange=${(e) => (outcome.value = e.currentTarget.value)}>
				${OUTCOMES.map((o) => html`<option value=${o}>${tsl('fu.' + o)}</option>`)}</select>
			<input aria-label=${tsl('note')} placeholder=${tsl('note')} maxlength="300" value=${note.value} onInput=${(e) => (note.value = e.currentTarget.value)} />
			<button type="submit">${tsl('record')}</button>
			${err.value && html`<span class="error" role="alert">${err.value}</span>`}</form>`}
	</li>`;
}

export function FollowupsPanel({ role }) {
	const view = useSignal('mine');
	const showDone = useSignal(false);
	const list = useSignal(null);
	const rev = useSignal(0);
	useEffect(() => {
		get(`/api/v1/followups?view=${view.value}&state=${showDone.value ? 'all' : 'open'}`).then((d) => (list.value = d.followups), () => (list.value = []));
	}, [view.value, showDone.value, rev.value]);
	return html`<div id="followups-panel">
		<div class="row">
			${role !== 'agent' && html`<select id="fu-view" value=${view.value} onChange=${(e) => (view.value = e.currentTarget.value)}>
				<option value="mine">${tsl('fuTitle')}</option><option value="all">${tsl('fuAll')}</option></select>`}
			<label><input type="checkbox" checked=${showDone.value} onChange=${(e) => (showDone.value = e.currentTarget.checked)} /> ${tsl('showDone')}</label>
		</div>
		${list.value && !list.value.length && html`<p class="muted">${tsl('fuEmpty')}</p>`}
		<ul class="followups" style="list-style:none;padding:0;display:flex;flex-direction:column;gap:.5rem">${(list.value || []).map((f) => html`<${FollowupRow} key=${f.id + ':' + f.done_at} f=${f} onDone=${() => (rev.value += 1)} />`)}</ul>
	</div>`;
}
