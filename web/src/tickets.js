// tickets.js - the console's tickets page (issue 7): the list with its views (mine, unassigned, a
// department, SLA at risk), filters and search, checkboxes with bulk actions, keyboard shortcuts
// (j/k move, enter open, x select, r reply, n note, e resolve, ? help, Esc back), and one ticket:
// its thread (public replies and internal notes look different), a reply box with canned replies,
// a note box, attachments, the fields (each change is a history row on the server), linked
// orders, the customer, the after-sales steps (workflow.js), SLA timers and the history.
// Tickets refresh by polling (every 15 s and on focus): the live {"type":"ticket"} frames go to
// the chat socket, which chat.js does not hand on. TicketsStrip is the inbox's ticket section.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { signal, useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, patch, getCsrf, ApiError } from './api.js';
import { lang } from './i18n.js';
import { tt } from './tickets-i18n.js';
import { currentUser, canned, loadCanned, fillVars } from './extras.js';
import { WorkflowPanel } from './workflow.js';

const html = htm.bind(h);
const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'];
const TYPES = ['question', 'complaint', 'return', 'repair', 'other'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const POLL_MS = 15000;

/* ---- shared state: the list, the cursor, the selection (the keyboard reaches them all) ---- */
const tickets = signal([]);
const nextBefore = signal(null);
const listState = signal('loading'); // loading | ready | error
const cursor = signal(0);
const selected = signal({});
const filters = signal({ view: 'mine', dept: '', status: 'active', type: '', priority: '', q: '' });
const helpOpen = signal(false);
const now = signal(Math.floor(Date.now() / 1000));
let view = null; // the open ticket's actions for the keyboard: {reply, note, resolve}

const when = (s) => (s ? new Date(s * 1000).toLocaleString(lang.value, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '');
const idFromHash = () => {
	const m = /^#\/tickets\/(\d+)/.exec(location.hash || '');
	return m ? +m[1] : 0;
};
const openTicket = (id) => (location.hash = '#/tickets/' + id);
const errText = (e) => (e instanceof ApiError && e.message ? e.message : tt('err'));

function fmtDur(sec) {
	sec = Math.abs(sec);
	const d = Math.floor(sec / 86400), hh = Math.floor((sec % 86400) / 3600), m = Math.floor((sec % 3600) / 60);
	return d ? `${d}d ${hh}h` : hh ? `${hh}h ${m}m` : `${m}m`;
}

function query(before) {
	const f = filters.value;
	const p = new URLSearchParams();
	p.set('view', f.view === 'dept' && f.dept ? 'department:' + f.dept : f.view === 'dept' ? 'all' : f.view);
	for (const k of ['status', 'type', 'priority', 'q']) if (f[k]) p.set(k, f[k]);
	p.set('limit', '50');
	if (before) p.set('before', String(before));
	return '/api/v1/tickets?' + p.toString();
}

export async function loadTickets(more) {
	if (!more) listState.value = tickets.value.length ? 'ready' : 'loading';
	try {
		const d = await get(query(more ? nextBefore.value : 0));
		tickets.value = more ? [...tickets.value, ...d.tickets] : d.tickets;
		nextBefore.value = d.next_before;
		listState.value = 'ready';
		if (cursor.value >= tickets.value.length) cursor.value = Math.max(0, tickets.value.length - 1);
	} catch (e) {
		listState.value = 'error';
	}
}

function setFilter(k, v) {
	filters.value = { ...filters.value, [k]: v };
	selected.value = {};
	cursor.value = 0;
	loadTickets();
}

/* ---- small pieces ---- */

const StatusPill = ({ s }) => html`<span class=${'pill tst-' + s} data-status=${s}>${tt('st.' + s)}</span>`;

function Sla({ t }) {
	const n = now.value;
	const out = [];
	const one = (key, due, bit) => {
		if (!due) return;
		const late = (t.sla_breached & bit) || n > due;
		out.push(html`<span class=${'sla-timer' + (late ? ' late' : due - n < 3600 ? ' soon' : '')} data-sla=${key}>
			${tt('sla.' + key)}: ${late ? html`<b class="badge sla-breached">${tt('sla.breached')}</b> ${tt('sla.over', { t: fmtDur(n - due) })}` : tt('sla.left', { t: fmtDur(due - n) })}</span>`);
	};
	if (!t.first_response_at) one('first', t.sla_first_due, 1);
	if (t.status !== 'resolved' && t.status !== 'closed') one('resolve', t.sla_resolve_due, 2);
	return out.length ? html`<span class="sla-timers">${out}</span>` : null;
}

function HelpPopover() {
	if (!helpOpen.value) return null;
	const keys = [['j', 'k.j'], ['k', 'k.k'], ['Enter', 'k.enter'], ['x', 'k.x'], ['r', 'k.r'], ['n', 'k.n'], ['e', 'k.e'], ['Esc', 'k.esc'], ['?', 'k.help']];
	return html`<div class="tk-help card" id="ticket-help" role="dialog" aria-labelledby="ticket-help-title">
		<h3 id="ticket-help-title">${tt('help')}</h3>
		<dl>${keys.map(([k, d]) => html`<dt key=${k}><kbd>${k}</kbd></dt><dd>${tt(d)}</dd>`)}</dl>
		<button type="button" class="small" onClick=${() => (helpOpen.value = false)}>${tt('close')}</button>
	</div>`;
}

/* ---- the list ---- */

function Departments() {
	const depts = useSignal([]);
	useEffect(() => {
		get('/api/v1/sites').then(async (d) => {
			const out = [];
			for (const s of (d && d.sites) || []) {
				try {
					const x = await get('/api/v1/sites/' + s.id + '/departments');
					for (const dp of (x && x.departments) || []) out.push({ id: dp.id, name: dp.name, site: s.name });
				} catch (e) { /* a site without departments */ }
			}
			depts.value = out;
		}, () => {});
	}, []);
	if (!depts.value.length) return null;
	return html`<select id="ticket-dept" aria-label=${tt('view.dept')} value=${filters.value.dept}
		onChange=${(e) => { filters.value = { ...filters.value, view: e.target.value ? 'dept' : filters.value.view, dept: e.target.value }; loadTickets(); }}>
		<option value="">${tt('view.anyDept')}</option>
		${depts.value.map((d) => html`<option key=${d.id} value=${d.id}>${d.site} · ${d.name}</option>`)}
	</select>`;
}

function Filters() {
	const f = filters.value;
	const q = useSignal(f.q);
	const sel = (k, list, prefix, extra) => html`<select id=${'ticket-f-' + k} aria-label=${tt('f.' + k)} value=${f[k]} onChange=${(e) => setFilter(k, e.target.value)}>
		<option value="">${tt('f.' + k)}: ${tt('f.any')}</option>${extra}
		${list.map((v) => html`<option key=${v} value=${v}>${tt(prefix + v)}</option>`)}</select>`;
	return html`<div class="tk-filters">
		<div class="tk-views" role="tablist">
			${['mine', 'unassigned', 'all', 'sla_risk'].map((v) => html`<button type="button" role="tab" key=${v} id=${'ticket-view-' + v}
				aria-selected=${f.view === v} class=${'small' + (f.view === v ? ' primary' : '')} onClick=${() => setFilter('view', v)}>${tt('view.' + v)}</button>`)}
		</div>
		<${Departments} />
		${sel('status', STATUSES, 'st.', html`<option value="active">${tt('f.active')}</option>`)}
		${sel('type', TYPES, 'ty.')}
		${sel('priority', PRIORITIES, 'pr.')}
		<form class="tk-search" role="search" onSubmit=${(e) => { e.preventDefault(); setFilter('q', q.value.trim()); }}>
			<input id="ticket-search" type="search" maxlength="200" placeholder=${tt('search')} aria-label=${tt('search')} value=${q.value} onInput=${(e) => (q.value = e.target.value)} />
			<button type="submit" class="small">${tt('searchBtn')}</button>
		</form>
		<button type="button" class="small" id="ticket-help-btn" aria-label=${tt('help')} onClick=${() => (helpOpen.value = !helpOpen.value)}>?</button>
	</div>`;
}

function BulkBar({ role }) {
	const ids = Object.keys(selected.value).map(Number);
	const msg = useSignal('');
	if (!ids.length) return msg.value ? html`<p class="muted small-text" role="status" id="ticket-bulk-msg">${msg.value}</p>` : null;
	const me = currentUser.value;
	const run = async (set) => {
		try {
			const d = await post('/api/v1/tickets/bulk', { ids, set });
			msg.value = tt('bulk.done', { n: d.updated.length }) + (d.failed.length ? ' · ' + tt('bulk.failed', { n: d.failed.length }) : '');
			selected.value = {};
			loadTickets();
		} catch (e) {
			msg.value = errText(e);
		}
	};
	const menu = (id, label, list, prefix, key) => html`<select id=${id} aria-label=${label} value="" onChange=${(e) => e.target.value && run({ [key]: e.target.value })}>
		<option value="">${label}…</option>${list.map((v) => html`<option key=${v} value=${v}>${tt(prefix + v)}</option>`)}</select>`;
	return html`<div class="tk-bulk" id="ticket-bulk" role="toolbar" aria-label=${tt('selected', { n: ids.length })}>
		<span>${tt('selected', { n: ids.length })}</span>
		${me && html`<button type="button" class="small" id="ticket-bulk-me" onClick=${() => run({ assignee_id: me.id })}>${tt('bulk.assignMe')}</button>`}
		${(role === 'supervisor' || role === 'admin') && html`<button type="button" class="small" id="ticket-bulk-unassign" onClick=${() => run({ assignee_id: null })}>${tt('bulk.unassign')}</button>`}
		${menu('ticket-bulk-status', tt('bulk.status'), STATUSES, 'st.', 'status')}
		${menu('ticket-bulk-priority', tt('bulk.priority'), PRIORITIES, 'pr.', 'priority')}
		${msg.value && html`<span class="muted small-text" role="status" id="ticket-bulk-msg">${msg.value}</span>`}
	</div>`;
}

function Row({ t, i }) {
	const on = !!selected.value[t.id];
	const toggle = () => {
		const s = { ...selected.value };
		if (on) delete s[t.id];
		else s[t.id] = true;
		selected.value = s;
	};
	return html`<tr class=${'tk-row pr-' + t.priority + (i === cursor.value ? ' cursor' : '') + (on ? ' selected' : '')} data-id=${t.id}
		aria-current=${i === cursor.value ? 'true' : undefined} onClick=${() => (cursor.value = i)}>
		<td><input type="checkbox" class="tk-check" aria-label=${'#' + t.id} checked=${on} onChange=${toggle} /></td>
		<td class="tk-id">#${t.id}</td>
		<td class="tk-subject"><a href=${'#/tickets/' + t.id}>${t.subject}</a>
			${t.tags && html` <span class="muted small-text">${t.tags}</span>`} <${Sla} t=${t} /></td>
		<td>${t.requester_name || t.requester_email || tt('nobody')}</td>
		<td><${StatusPill} s=${t.status} /></td>
		<td class=${'tk-pr pr-' + t.priority}>${tt('pr.' + t.priority)}</td>
		<td>${t.assignee_name || html`<span class="muted">${tt('unassigned')}</span>`}</td>
		<td class="muted small-text">${when(t.updated_at)}</td>
	</tr>`;
}

function TicketList({ role }) {
	useEffect(() => {
		loadTickets();
		const timer = setInterval(() => document.visibilityState === 'visible' && loadTickets(), POLL_MS);
		const focus = () => loadTickets();
		window.addEventListener('focus', focus);
		return () => {
			clearInterval(timer);
			window.removeEventListener('focus', focus);
		};
	}, []);
	const list = tickets.value;
	const all = list.length > 0 && list.every((t) => selected.value[t.id]);
	const c = tt('col');
	return html`<div class="tk-list" id="ticket-list">
		<${Filters} />
		<${BulkBar} role=${role} />
		${listState.value === 'error' && html`<p class="error" role="alert">${tt('err')}</p>`}
		${listState.value === 'loading' && html`<p class="muted">${tt('loading')}</p>`}
		${listState.value === 'ready' && !list.length && html`<div class="placeholder"><p class="muted" id="ticket-none">${tt('none')}</p></div>`}
		${list.length > 0 && html`<div class="table-wrap"><table class="tk-table">
			<thead><tr><th><input type="checkbox" id="ticket-select-all" aria-label=${tt('selectAll')} checked=${all}
				onChange=${() => (selected.value = all ? {} : Object.fromEntries(list.map((t) => [t.id, true])))} /></th>
				<th>${c.id}</th><th>${c.subject}</th><th>${c.requester}</th><th>${c.status}</th><th>${c.priority}</th><th>${c.assignee}</th><th>${c.updated}</th></tr></thead>
			<tbody>${list.map((t, i) => html`<${Row} key=${t.id} t=${t} i=${i} />`)}</tbody></table></div>`}
		${nextBefore.value && html`<button type="button" id="ticket-more" onClick=${() => loadTickets(true)}>${tt('more')}</button>`}
	</div>`;
}

/* ---- one ticket ---- */

function evText(e) {
	const who = e.actor === 'agent' ? e.user_name || tt('who.agent') : tt('actor.' + e.actor);
	const fld = (f) => (tt('fld.' + f) === 'fld.' + f ? f : tt('fld.' + f));
	const val = (v, lbl) => {
		if (e.field === 'status') return tt('st.' + v);
		if (e.field === 'priority') return tt('pr.' + v);
		if (e.field === 'type') return tt('ty.' + v);
		return lbl || v || tt('nobody');
	};
	let what;
	if (e.field === 'created') what = tt('ev.created', { v: tt('ch.' + e.new) });
	else if (e.field === 'message') what = e.new === 'customer' ? tt('ev.wrote') : tt('ev.message');
	else if (e.field === 'note') what = tt('ev.note');
	else if (e.field === 'attachment') what = tt('ev.attachment', { v: e.new });
	else if (e.field === 'order') what = tt('ev.order');
	else if (e.field === 'workflow') what = tt('ev.workflow');
	else if (e.field === 'sla') what = tt('ev.sla', { v: e.new });
	else what = tt('ev.change', { f: fld(e.field), o: val(e.old, e.old_label), n: val(e.new, e.new_label) });
	return `${who} ${what}`;
}

function Thread({ d }) {
	const atts = d.attachments || [];
	return html`<ol class="tk-thread" id="ticket-thread">
		${d.messages.map((m) => html`<li key=${m.id} class=${'tk-msg kind-' + m.kind + ' from-' + m.author_kind} data-kind=${m.kind} data-id=${m.id}>
			<div class="msg-meta"><b>${m.author_name || m.author_email || tt('who.' + m.author_kind)}</b>
				${m.kind === 'note' && html` <span class="note-tag">${tt('noteTag')}</span>`}
				<span class="muted small-text"> ${when(m.created_at)}</span></div>
			<div class="tk-body">${m.body}</div>
			${atts.filter((a) => a.message_id === m.id).map((a) => html`<a key=${a.id} class="tk-att" href=${a.url}>📎 ${a.name}</a>`)}
		</li>`)}
	</ol>`;
}

function Composer({ d, onDone }) {
	const mode = useSignal('public');
	const text = useSignal('');
	const busy = useSignal(false);
	const err = useSignal('');
	const ref = useRef(null);
	useEffect(() => {
		loadCanned();
		view = { ...(view || {}), focus: (m) => { mode.value = m; setTimeout(() => ref.current && ref.current.focus(), 0); } };
	}, []);
	const send = async (e) => {
		e.preventDefault();
		if (!text.value.trim()) return void (err.value = tt('badBody'));
		busy.value = true;
		err.value = '';
		try {
			onDone(await post('/api/v1/tickets/' + d.ticket.id + '/messages', { kind: mode.value, body: text.value }));
			text.value = '';
		} catch (x) {
			err.value = errText(x);
		}
		busy.value = false;
	};
	const ctx = { visitor: { name: d.ticket.requester_name }, site_name: d.ticket.site_name };
	const note = mode.value === 'note';
	return html`<form class=${'tk-composer' + (note ? ' is-note' : '')} id="ticket-composer" onSubmit=${send}>
		<div class="tk-modes" role="tablist">
			<button type="button" role="tab" id="ticket-mode-reply" aria-selected=${!note} class=${'small' + (!note ? ' primary' : '')} onClick=${() => (mode.value = 'public')}>${tt('reply')}</button>
			<button type="button" role="tab" id="ticket-mode-note" aria-selected=${note} class=${'small' + (note ? ' primary' : '')} onClick=${() => (mode.value = 'note')}>${tt('note')}</button>
			${!note && canned.value && canned.value.length > 0 && html`<select id="ticket-canned" aria-label=${tt('canned')} value=""
				onChange=${(e) => { const c = canned.value.find((x) => String(x.id) === e.target.value); if (c) text.value = (text.value ? text.value + '\n' : '') + fillVars(c.text, ctx); }}>
				<option value="">${tt('cannedPick')}</option>
				${canned.value.map((c) => html`<option key=${c.id} value=${c.id}>/${c.shortcut} · ${c.text.slice(0, 40)}</option>`)}</select>`}
		</div>
		<textarea id="ticket-reply" ref=${ref} rows="4" maxlength="100000" aria-label=${note ? tt('note') : tt('reply')}
			placeholder=${note ? tt('note.ph') : tt('reply.ph')} value=${text.value} onInput=${(e) => (text.value = e.target.value)}
			onKeyDown=${(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e); if (e.key === 'Escape') e.target.blur(); }}></textarea>
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		<button type="submit" id="ticket-send" class="primary" disabled=${busy.value}>${busy.value ? tt('sending') : note ? tt('addNote') : tt('send')}</button>
	</form>`;
}

function Attachments({ d, onDone }) {
	const state = useSignal('');
	const upload = async (e) => {
		const file = e.target.files && e.target.files[0];
		if (!file) return;
		state.value = tt('uploading');
		const fd = new FormData();
		fd.append('file', file, file.name);
		try {
			const res = await fetch('/api/v1/tickets/' + d.ticket.id + '/attachments', { method: 'POST', body: fd, credentials: 'same-origin', headers: { 'X-CSRF-Token': getCsrf() } });
			const j = await res.json().catch(() => null);
			state.value = res.ok ? '' : (j && j.error && j.error.message) || tt('err');
			if (res.ok) onDone();
		} catch (x) {
			state.value = tt('err');
		}
		e.target.value = '';
	};
	return html`<section class="tk-box" aria-labelledby="ticket-att-title"><h4 id="ticket-att-title">${tt('attachments')}</h4>
		${d.attachments.length ? html`<ul class="tk-atts" id="ticket-atts">${d.attachments.map((a) => html`<li key=${a.id}><a href=${a.url}>${a.name}</a> <span class="muted small-text">${Math.ceil(a.size / 1024)} KB</span></li>`)}</ul>`
			: html`<p class="muted small-text">${tt('noAtt')}</p>`}
		<label class="small">${tt('upload')} <input type="file" id="ticket-upload" onChange=${upload} /></label>
		${state.value && html`<p class="muted small-text" role="status">${state.value}</p>`}
	</section>`;
}

function Fields({ d, onDone }) {
	const t = d.ticket;
	const agents = useSignal([]);
	const depts = useSignal([]);
	const tags = useSignal(t.tags);
	const msg = useSignal('');
	useEffect(() => {
		get('/api/v1/tickets/agents?site_id=' + t.site_id).then((x) => (agents.value = x.agents), () => {});
		get('/api/v1/sites/' + t.site_id + '/departments').then((x) => (depts.value = x.departments || []), () => {});
	}, [t.site_id]);
	const set = async (body) => {
		msg.value = '';
		try {
			onDone(await patch('/api/v1/tickets/' + t.id, body));
			msg.value = tt('saved');
		} catch (x) {
			msg.value = tt('saveErr') + ': ' + errText(x);
		}
	};
	const sel = (key, list, label, cur) => html`<label>${label}<select id=${'ticket-set-' + key} value=${String(cur)}
		onChange=${(e) => set({ [key]: key.endsWith('_id') ? (e.target.value === '' ? null : +e.target.value) : e.target.value })}>${list}</select></label>`;
	return html`<section class="tk-box tk-fields" aria-labelledby="ticket-fields-title"><h4 id="ticket-fields-title">${tt('fields')}</h4>
		${sel('status', STATUSES.map((s) => html`<option key=${s} value=${s}>${tt('st.' + s)}</option>`), tt('f.status'), t.status)}
		${sel('priority', PRIORITIES.map((s) => html`<option key=${s} value=${s}>${tt('pr.' + s)}</option>`), tt('f.priority'), t.priority)}
		${sel('type', TYPES.map((s) => html`<option key=${s} value=${s}>${tt('ty.' + s)}</option>`), tt('f.type'), t.type)}
		${sel('assignee_id', [html`<option value="">${tt('unassigned')}</option>`, ...agents.value.map((a) => html`<option key=${a.id} value=${a.id}>${a.name}</option>`)], tt('assignee'), t.assignee_id || '')}
		${sel('department_id', [html`<option value="">${tt('nobody')}</option>`, ...depts.value.map((x) => html`<option key=${x.id} value=${x.id}>${x.name}</option>`)], tt('department'), t.department_id || '')}
		<form class="tk-tags" onSubmit=${(e) => { e.preventDefault(); set({ tags: tags.value }); }}>
			<label>${tt('tags')}<input id="ticket-tags" maxlength="500" value=${tags.value} onInput=${(e) => (tags.value = e.target.value)} /></label>
			<button type="submit" class="small">${tt('save')}</button></form>
		${msg.value && html`<p class="muted small-text" role="status" id="ticket-fields-msg">${msg.value}</p>`}
	</section>`;
}

function Orders({ d, onDone }) {
	const num = useSignal('');
	const err = useSignal('');
	const link = async (e) => {
		e.preventDefault();
		if (!num.value.trim()) return;
		try {
			onDone(await post('/api/v1/tickets/' + d.ticket.id + '/orders', { number: num.value.trim() }));
			num.value = '';
			err.value = '';
		} catch (x) {
			err.value = x.status === 404 ? tt('orderMissing') : x.status === 409 ? tt('orderLinked') : errText(x);
		}
	};
	return html`<section class="tk-box" aria-labelledby="ticket-orders-title"><h4 id="ticket-orders-title">${tt('orders')}</h4>
		${d.orders.length ? html`<ul id="ticket-orders">${d.orders.map((o) => html`<li key=${o.id}><b>${o.number}</b> <span class="badge">${o.status}</span>
			${(o.total_cents / 100).toFixed(2)} ${o.currency}</li>`)}</ul>` : html`<p class="muted small-text">${tt('noOrders')}</p>`}
		<form class="row" onSubmit=${link}><input id="ticket-order-no" maxlength="64" aria-label=${tt('orderNo')} placeholder=${tt('orderNo')} value=${num.value} onInput=${(e) => (num.value = e.target.value)} />
			<button type="submit" class="small">${tt('link')}</button></form>
		${err.value && html`<p class="error small-text" role="alert">${err.value}</p>`}
	</section>`;
}

// A customer found by a typed e-mail alone is only a guess (anyone can type an address): marked
// "unverified" until an agent confirms it (the ticket is then shown in the customer's widget).
function Customer({ t, onDone }) {
	const c = useSignal(null);
	const confirm = async () => {
		try {
			onDone(await patch('/api/v1/tickets/' + t.id, { customer_id: t.customer_id }));
		} catch (e) { /* the ticket reloads with its state */ onDone(null); }
	};
	useEffect(() => {
		c.value = null;
		if (t.customer_id) get('/api/v1/customers/' + t.customer_id).then((x) => (c.value = x.customer), () => {});
	}, [t.customer_id]);
	const cu = c.value;
	return html`<section class="tk-box" id="ticket-customer" aria-labelledby="ticket-cust-title"><h4 id="ticket-cust-title">${tt('customer')}</h4>
		${cu ? html`<p><a href=${'#/crm'}><b>${cu.name || cu.external_id || '#' + cu.id}</b></a>
			${t.customer_verified === false && html` <span class="pill st-waiting" id="ticket-cust-unverified" title=${tt('unverifiedHint')}>${tt('unverified')}</span>
				<button type="button" class="small" id="ticket-cust-confirm" onClick=${confirm}>${tt('confirmCustomer')}</button>`}</p>
			<p class="muted small-text">${[...(cu.emails || []), ...(cu.phones || [])].join(' · ')}</p>
			${cu.tags && cu.tags.length > 0 && html`<p class="small-text">${cu.tags.join(' ')}</p>`}`
			: html`<p>${t.requester_name}</p><p class="muted small-text">${[t.requester_email, t.requester_phone].filter(Boolean).join(' · ')}</p>
				${!t.customer_id && html`<p class="muted small-text">${tt('noCustomer')}</p>`}`}
	</section>`;
}

function History({ d }) {
	return html`<section class="tk-box" aria-labelledby="ticket-history-title"><h4 id="ticket-history-title">${tt('history')}</h4>
		<ol class="tk-history" id="ticket-history">${d.events.slice().reverse().map((e) => html`<li key=${e.id} data-field=${e.field}>
			<span>${evText(e)}</span> <span class="muted small-text">${when(e.at)}</span></li>`)}</ol>
	</section>`;
}

function TicketView({ id }) {
	const d = useSignal(null);
	const err = useSignal('');
	const reload = () => get('/api/v1/tickets/' + id).then((x) => ((d.value = x), (err.value = '')), (e) => (err.value = e.status === 404 ? tt('notFound') : tt('err')));
	const resolve = async () => {
		try {
			d.value = await patch('/api/v1/tickets/' + id, { status: 'resolved' });
		} catch (e) {
			err.value = errText(e);
		}
	};
	useEffect(() => {
		reload();
		view = { ...(view || {}), resolve };
		const timer = setInterval(() => {
			const a = document.activeElement;
			if (document.visibilityState === 'visible' && !(a && a.tagName === 'TEXTAREA' && a.value)) reload();
		}, POLL_MS);
		return () => {
			clearInterval(timer);
			view = null;
		};
	}, [id]);
	const x = d.value;
	if (!x) return html`<div class="tk-view">${err.value ? html`<p class="error" role="alert">${err.value}</p>` : html`<p class="muted">${tt('loading')}</p>`}
		<a href="#/tickets">${tt('back')}</a></div>`;
	const t = x.ticket;
	const done = (nd) => (nd && nd.ticket ? (d.value = nd) : reload());
	return html`<div class="tk-view" id="ticket-view" data-id=${t.id}>
		<header class="tk-head">
			<a href="#/tickets" class="small" id="ticket-back">← ${tt('back')}</a>
			<h3 id="ticket-subject">#${t.id} ${t.subject}</h3>
			<${StatusPill} s=${t.status} />
			<span class="muted small-text">${tt('ch.' + t.channel)} · ${t.site_name} · ${when(t.created_at)}</span>
			<${Sla} t=${t} />
			${t.status !== 'resolved' && t.status !== 'closed' && html`<button type="button" class="small" id="ticket-resolve" onClick=${resolve}>${tt('resolve')}</button>`}
			<button type="button" class="small" id="ticket-help-btn" aria-label=${tt('help')} onClick=${() => (helpOpen.value = !helpOpen.value)}>?</button>
		</header>
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		<div class="tk-cols">
			<div class="tk-main"><${Thread} d=${x} /><${Composer} d=${x} onDone=${done} /></div>
			<aside class="tk-side">
				<${Fields} key=${t.id} d=${x} onDone=${done} />
				<${WorkflowPanel} ticket=${t} onChange=${reload} />
				<${Customer} t=${t} onDone=${done} />
				<${Orders} d=${x} onDone=${done} />
				<${Attachments} d=${x} onDone=${reload} />
				<${History} d=${x} />
			</aside>
		</div>
	</div>`;
}

/* ---- the page and its keyboard ---- */

function typing(e) {
	const el = e.target;
	return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

function onKey(e, openId) {
	if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
	if (e.key === 'Enter' && e.target && /^(A|BUTTON)$/.test(e.target.tagName)) return;   /* the focused control's own Enter */
	const list = tickets.value;
	const move = (by) => {
		const i = Math.min(Math.max(cursor.value + by, 0), Math.max(list.length - 1, 0));
		cursor.value = i;
		if (openId && list[i] && list[i].id !== openId) openTicket(list[i].id);
		const row = document.querySelector(`.tk-row[data-id="${list[i] && list[i].id}"]`);
		if (row && row.scrollIntoView) row.scrollIntoView({ block: 'nearest' });
	};
	const k = e.key;
	if (k === '?') helpOpen.value = !helpOpen.value;
	else if (k === 'Escape') {
		if (helpOpen.value) helpOpen.value = false;
		else if (openId) location.hash = '#/tickets';
	} else if (k === 'j') move(1);
	else if (k === 'k') move(-1);
	else if (k === 'Enter' && !openId && list[cursor.value]) openTicket(list[cursor.value].id);
	else if (k === 'x' && !openId && list[cursor.value]) {
		const id = list[cursor.value].id, s = { ...selected.value };
		if (s[id]) delete s[id];
		else s[id] = true;
		selected.value = s;
	} else if ((k === 'r' || k === 'n') && openId && view && view.focus) view.focus(k === 'r' ? 'public' : 'note');
	else if (k === 'e' && openId && view && view.resolve) view.resolve();
	else return;
	e.preventDefault();
}

export function TicketsPanel({ role }) {
	const id = useSignal(idFromHash());
	useEffect(() => {
		const f = () => (id.value = idFromHash());
		const k = (e) => onKey(e, id.value);
		const tick = setInterval(() => (now.value = Math.floor(Date.now() / 1000)), 30000);
		window.addEventListener('hashchange', f);
		document.addEventListener('keydown', k);
		return () => {
			window.removeEventListener('hashchange', f);
			document.removeEventListener('keydown', k);
			clearInterval(tick);
		};
	}, []);
	return html`<div class="tickets" id="tickets">
		${id.value ? html`<${TicketView} key=${id.value} id=${id.value} />` : html`<${TicketList} role=${role} />`}
		<${HelpPopover} />
	</div>`;
}

/* ---- the inbox's ticket section: my active tickets and the unassigned ones, beside the chats ---- */

export function TicketsStrip() {
	const mine = useSignal(null);
	const un = useSignal(null);
	useEffect(() => {
		const load = () => {
			get('/api/v1/tickets?view=mine&status=active&limit=5').then((d) => (mine.value = d.tickets), () => {});
			get('/api/v1/tickets?view=unassigned&status=active&limit=5').then((d) => (un.value = d.tickets), () => {});
		};
		load();
		const timer = setInterval(() => document.visibilityState === 'visible' && load(), POLL_MS * 2);
		return () => clearInterval(timer);
	}, []);
	const part = (key, list) => html`<h4 class="tk-strip-h">${tt('strip.' + key)} <span class="badge">${list ? (list.length === 5 ? '5+' : list.length) : '…'}</span></h4>
		${list && list.length > 0 && html`<ul class="tk-strip-list">${list.map((t) => html`<li key=${t.id}><a href=${'#/tickets/' + t.id} data-id=${t.id}>#${t.id} ${t.subject}</a> <${StatusPill} s=${t.status} /></li>`)}</ul>`}`;
	return html`<section class="tk-strip" id="inbox-tickets" aria-labelledby="inbox-tickets-title">
		<h3 id="inbox-tickets-title">${tt('strip.title')}</h3>
		${part('mine', mine.value)}
		${part('unassigned', un.value)}
		<a href="#/tickets" class="small" id="inbox-tickets-all">${tt('strip.all')}</a>
	</section>`;
}
