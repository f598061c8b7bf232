// invites.js - Settings → Chat invitations (supervisors and admins): a site's automatic
// invitation rules (add, edit, delete, switch on and off) and how many invitations were shown,
// accepted and declined per rule and per agent over a date range. Server: docs/invitations.md.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, patch, del } from './api.js';
import { t } from './i18n.js';
import { ti } from './invite-i18n.js';

const html = htm.bind(h);
const day = (d) => d.toISOString().slice(0, 10); // the server counts days in UTC
const chars = (s) => [...s].length;
const NUMS = [
	['min_seconds_on_page', 0, 3600],
	['min_pages', 0, 100],
	['repeat_after_hours', 0, 8760],
	['position', -1000000, 1000000],
];
const BLANK = {
	name: '', message: '', url_pattern: '', min_seconds_on_page: 10, min_pages: 0, visitor: 'any',
	referrer_contains: '', utm_source: '', utm_campaign: '', department_id: null, repeat_after_hours: 24,
	position: 0, enabled: true,
};

function errText(e) {
	if (!e) return '';
	if (e.status === 0) return t('errNetwork');
	if (e.status === 422) return ti('errSaved') + (e.message ? ' (' + e.message + ')' : '');
	return t('errGeneric');
}

/* The form's values as a rule, or a string saying what is wrong. */
function readRule(f) {
	const text = (k) => f[k].value.trim();
	const body = {
		name: text('name'), message: text('message'), url_pattern: text('url_pattern'), visitor: f.visitor.value,
		referrer_contains: text('referrer_contains'), utm_source: text('utm_source'), utm_campaign: text('utm_campaign'),
		department_id: f.department_id.value ? Number(f.department_id.value) : null, enabled: f.enabled.checked,
	};
	if (!body.name || chars(body.name) > 100) return ti('errName');
	if (!body.message || chars(body.message) > 1000) return ti('errMessage');
	for (const [k, lo, hi] of NUMS) {
		const n = Number(f[k].value === '' ? NaN : f[k].value);
		if (!Number.isInteger(n) || n < lo || n > hi) return ti('errRange');
		body[k] = n;
	}
	return body;
}

function Field({ label, help, children }) {
	return html`<label class="field"><span>${label}</span>${children}${help && html`<small class="muted">${help}</small>`}</label>`;
}

/* One form for a new rule or the one being edited (rule.id set). */
function RuleForm({ site, rule, depts, onDone }) {
	const err = useSignal('');
	const busy = useSignal(false);
	const r = rule || BLANK;
	async function onSubmit(e) {
		e.preventDefault();
		const form = e.currentTarget; // null once the handler awaits
		const body = readRule(form.elements);
		if (typeof body === 'string') return void (err.value = body);
		busy.value = true;
		err.value = '';
		try {
			if (r.id) await patch('/api/v1/invite-rules/' + r.id, body);
			else await post(`/api/v1/sites/${site}/invite-rules`, body);
			if (!r.id) form.reset();
			onDone(true);
		} catch (x) {
			err.value = errText(x);
		} finally {
			busy.value = false;
		}
	}
	const num = (name, id) => html`<input type="number" class="num" name=${name} id=${id} defaultValue=${r[name]} required />`;
	const txt = (name, id, max) => html`<input name=${name} id=${id} defaultValue=${r[name]} maxlength=${max} autocomplete="off" />`;
	return html`<form class="card" id="invite-rule-form" onSubmit=${onSubmit} novalidate
		style="padding:1rem;display:flex;flex-direction:column;gap:.6rem;width:24rem;max-width:100%">
		<h3>${r.id ? ti('editRule') : ti('newRule')}</h3>
		<${Field} label=${ti('name')}>${txt('name', 'invite-rule-name', 100)}<//>
		<${Field} label=${ti('message')}>
			<textarea name="message" id="invite-rule-message" rows="3" maxlength="1000" defaultValue=${r.message}></textarea><//>
		<${Field} label=${ti('url')} help=${ti('urlHelp')}>${txt('url_pattern', 'invite-rule-url', 500)}<//>
		<div class="row" style="align-items:flex-start">
			<${Field} label=${ti('seconds')}>${num('min_seconds_on_page', 'invite-rule-seconds')}<//>
			<${Field} label=${ti('pages')}>${num('min_pages', 'invite-rule-pages')}<//>
		</div>
		<${Field} label=${ti('visitor')}>
			<select name="visitor" id="invite-rule-visitor" value=${r.visitor}>
				${['any', 'new', 'returning'].map((v) => html`<option value=${v} selected=${v === r.visitor}>${ti('visitor.' + v)}</option>`)}
			</select><//>
		<${Field} label=${ti('referrer')} help=${ti('anyHelp')}>${txt('referrer_contains', 'invite-rule-referrer', 200)}<//>
		<${Field} label=${ti('utmSource')} help=${ti('anyHelp')}>${txt('utm_source', 'invite-rule-utm-source', 100)}<//>
		<${Field} label=${ti('utmCampaign')} help=${ti('anyHelp')}>${txt('utm_campaign', 'invite-rule-utm-campaign', 100)}<//>
		<${Field} label=${ti('department')}>
			<select name="department_id" id="invite-rule-department">
				<option value="">${ti('noDepartment')}</option>
				${depts.map((d) => html`<option value=${d.id} selected=${d.id === r.department_id}>${d.name}</option>`)}
			</select><//>
		<${Field} label=${ti('repeat')} help=${ti('repeatHelp')}>${num('repeat_after_hours', 'invite-rule-repeat')}<//>
		<${Field} label=${ti('position')}>${num('position', 'invite-rule-position')}<//>
		<label class="check"><input type="checkbox" name="enabled" id="invite-rule-on" defaultChecked=${r.enabled} />
			${ti('enabled')}</label>
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		<div class="row">
			<button type="submit" id="invite-rule-save" class="primary" disabled=${busy.value}>${r.id ? ti('save') : ti('add')}</button>
			${r.id && html`<button type="button" id="invite-rule-cancel" onClick=${() => onDone(false)}>${ti('cancel')}</button>`}
		</div>
	</form>`;
}

// The conditions in a line: "/sale · after 10 s · ≥2 pages · at most once per 24 h".
function summary(r) {
	const parts = [r.url_pattern || ti('anyPage'), ti('afterSec', { n: r.min_seconds_on_page })];
	if (r.min_pages) parts.push(ti('minPages', { n: r.min_pages }));
	if (r.visitor !== 'any') parts.push(ti('visitor.' + r.visitor));
	for (const k of ['referrer_contains', 'utm_source', 'utm_campaign']) if (r[k]) parts.push(`${k}=${r[k]}`);
	parts.push(r.repeat_after_hours ? ti('every', { n: r.repeat_after_hours }) : ti('noLimit'));
	return parts.join(' · ');
}

function RuleRow({ r, onEdit, onChanged }) {
	const confirm = useSignal(false);
	const err = useSignal('');
	async function toggle(e) {
		try {
			await patch('/api/v1/invite-rules/' + r.id, { enabled: e.currentTarget.checked });
			onChanged();
		} catch (x) {
			err.value = errText(x);
		}
	}
	async function remove() {
		if (!confirm.value) {
			confirm.value = true;
			setTimeout(() => (confirm.value = false), 4000);
			return;
		}
		try {
			await del('/api/v1/invite-rules/' + r.id);
			onChanged();
		} catch (x) {
			err.value = errText(x);
		}
	}
	return html`<tr data-rule-id=${r.id}>
		<td><input type="checkbox" class="invite-rule-enabled" checked=${r.enabled} onChange=${toggle}
			aria-label=${ti('enabled') + ': ' + r.name} /></td>
		<td class="invite-rule-name">${r.name}</td>
		<td class="muted" style="white-space:normal">${summary(r)}</td>
		<td style="white-space:pre-wrap;max-width:18rem">${r.message}</td>
		<td><button type="button" class="small invite-rule-edit" onClick=${() => onEdit(r)}>${ti('edit')}</button>
			<button type="button" class=${'small invite-rule-delete' + (confirm.value ? ' danger' : '')} onClick=${remove}>
				${confirm.value ? ti('confirmDel') : ti('del')}</button>
			${err.value && html`<p class="error" role="alert">${err.value}</p>`}</td>
	</tr>`;
}

function CountRows({ rows, idKey, label, kind }) {
	const pct = (c) => (c.shown ? Math.round((100 * c.accepted) / c.shown) + '%' : '–');
	return html`<div class="table-wrap"><table id=${'invite-stats-' + kind}>
		<thead><tr><th>${label}</th><th>${ti('shown')}</th><th>${ti('accepted')}</th><th>${ti('declined')}</th><th>${ti('rate')}</th></tr></thead>
		<tbody>${rows.map((c) => html`<tr key=${c[idKey]} data-id=${c[idKey]}>
			<td>${c.name || (kind === 'rules' ? ti('deleted', { id: c[idKey] }) : '#' + c[idKey])}</td>
			<td class="shown">${c.shown}</td><td class="accepted">${c.accepted}</td><td class="declined">${c.declined}</td>
			<td class="rate">${pct(c)}</td></tr>`)}</tbody>
	</table></div>`;
}

function InviteStats({ site, stamp }) {
	const now = new Date();
	const from = useSignal(day(new Date(now.getTime() - 29 * 86400000)));
	const to = useSignal(day(now));
	const data = useSignal(null);
	const err = useSignal('');
	async function load() {
		if (!from.value || !to.value || from.value > to.value) return void (err.value = ti('badDates'));
		err.value = '';
		try {
			data.value = await get(`/api/v1/invitations/stats?site=${site}&from=${from.value}&to=${to.value}`);
		} catch (x) {
			err.value = errText(x);
		}
	}
	useEffect(() => {
		load();
	}, [site, stamp]);
	const d = data.value;
	return html`<div class="card" id="invite-stats" style="padding:1rem;display:flex;flex-direction:column;gap:.6rem">
		<h3>${ti('stats')}</h3>
		<div class="row">
			<label class="check">${ti('from')}
				<input type="date" id="invite-from" value=${from.value} onInput=${(e) => (from.value = e.currentTarget.value)} /></label>
			<label class="check">${ti('to')}
				<input type="date" id="invite-to" value=${to.value} onInput=${(e) => (to.value = e.currentTarget.value)} /></label>
			<button type="button" id="invite-stats-load" onClick=${load}>${ti('load')}</button>
			<small class="muted">${ti('utc')}</small>
		</div>
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		${d && html`<h4>${ti('byRule')}</h4>
			${d.rules.length ? html`<${CountRows} rows=${d.rules} idKey="rule_id" label=${ti('rule')} kind="rules" />` : html`<p class="muted">${ti('noData')}</p>`}
			<h4>${ti('byAgent')}</h4>
			${d.agents.length ? html`<${CountRows} rows=${d.agents} idKey="agent_id" label=${ti('agent')} kind="agents" />` : html`<p class="muted">${ti('noData')}</p>`}`}
	</div>`;
}

export function InvitePanel() {
	const sites = useSignal(null);
	const site = useSignal(0);
	const rules = useSignal(null);
	const depts = useSignal([]);
	const editing = useSignal(null);
	const stamp = useSignal(0); // bumped after every change: the counts reload
	const err = useSignal('');
	useEffect(() => {
		get('/api/v1/sites').then(
			(d) => {
				sites.value = (d && d.sites) || [];
				if (sites.value.length) site.value = sites.value[0].id;
			},
			(x) => (err.value = errText(x)),
		);
	}, []);
	async function refresh() {
		if (!site.value) return;
		try {
			rules.value = (await get(`/api/v1/sites/${site.value}/invite-rules`)).rules;
		} catch (x) {
			err.value = errText(x);
		}
		stamp.value++;
	}
	useEffect(() => {
		rules.value = null;
		editing.value = null;
		if (!site.value) return;
		refresh();
		get(`/api/v1/sites/${site.value}/departments`).then((d) => (depts.value = (d && d.departments) || []), () => (depts.value = []));
	}, [site.value]);
	if (err.value) return html`<p class="error" role="alert">${err.value}</p>`;
	if (!sites.value) return html`<p class="muted">${t('loading')}</p>`;
	if (!sites.value.length) return html`<p class="muted">${t('none')}</p>`;
	const done = (saved) => {
		editing.value = null;
		if (saved) refresh();
	};
	return html`<div class="invites" id="invites" style="display:flex;flex-direction:column;gap:1rem">
		<p class="muted">${ti('help')}</p>
		${sites.value.length > 1 && html`<label class="field inline"><span>${ti('site')}</span>
			<select id="invite-site" value=${site.value} onChange=${(e) => (site.value = Number(e.currentTarget.value))}>
				${sites.value.map((s) => html`<option value=${s.id} selected=${s.id === site.value}>${s.name}</option>`)}
			</select></label>`}
		<div class="row" style="align-items:flex-start">
			<${RuleForm} key=${(editing.value ? editing.value.id : 'new') + ':' + site.value} site=${site.value}
				rule=${editing.value} depts=${depts.value} onDone=${done} />
			<div class="card" style="padding:1rem;flex:1;min-width:18rem">
				<h3>${ti('rules')}</h3>
				${!rules.value
					? html`<p class="muted">${t('loading')}</p>`
					: rules.value.length
						? html`<div class="table-wrap"><table id="invite-rules">
							<thead><tr><th>${ti('enabled')}</th><th>${ti('name')}</th><th>${ti('when')}</th><th>${ti('message')}</th><th></th></tr></thead>
							<tbody>${rules.value.map((r) => html`<${RuleRow} key=${r.id + ':' + r.updated_at + ':' + r.enabled} r=${r}
								onEdit=${(x) => (editing.value = x)} onChanged=${refresh} />`)}</tbody></table></div>`
						: html`<p class="muted" id="invite-rules-none">${ti('none')}</p>`}
			</div>
		</div>
		${site.value > 0 && html`<${InviteStats} site=${site.value} stamp=${stamp.value} />`}
	</div>`;
}
