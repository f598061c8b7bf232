// routing.js - the console's side of routing: offers with a countdown (accept / decline),
// queue and department badges, the transfer dialog, supervisor takeover, the team strip,
// and the admins' departments editor. Protocol: docs/chat-protocol.md (offer, transfer).
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, patch, del } from './api.js';
import * as chat from './chat.js';
import { tr } from './routing-i18n.js';

const html = htm.bind(h);

/* Position of a waiting, unoffered chat among those of its site and department (1-based). */
export function queuePosition(c, all) {
	if (c.status !== 'waiting' || c.offered_to || c.bot === 'held') return 0;
	const dept = (x) => (x.department ? x.department.id : 0);
	const q = all.filter((x) => x.status === 'waiting' && !x.offered_to && x.bot !== 'held' && x.site_id === c.site_id && dept(x) === dept(c));
	q.sort((a, b) => a.created_at - b.created_at || a.id - b.id);
	return q.findIndex((x) => x.id === c.id) + 1;
}

/* Small badges in the inbox list: department, who it is offered to, queue position. */
export function RouteBadges({ c }) {
	const me = chat.agent.value;
	const pos = queuePosition(c, Object.values(chat.convs.value));
	return html`<span class="route-badges">
		${c.department && html`<span class="pill dept" title=${tr('route.dept')}>${c.department.name}</span>`}
		${c.offered_to && html`<span class=${'pill offered' + (me && c.offered_to.id === me.id ? ' to-me' : '')}>${tr('route.offeredTo', { name: c.offered_to.name })}</span>`}
		${pos > 0 && html`<span class="pill queued" data-queue=${pos}>${tr('route.queue', { n: pos })}</span>`}
		${c.bot === 'held' && html`<span class="pill bot-held">${tr('route.bot')}</span>`}
	</span>`;
}

/* The offer for this chat, if any: countdown, accept, decline. */
export function OfferBar({ id }) {
	const o = chat.offers.value[id];
	const now = useSignal(Date.now());
	useEffect(() => {
		if (!o) return undefined;
		const t = setInterval(() => (now.value = Date.now()), 1000);
		return () => clearInterval(t);
	}, [o && o.expires_at]);
	if (!o) return null;
	const left = Math.max(0, Math.round((o.expires_at - now.value) / 1000));
	return html`<div class="offer-bar" id="offer-bar" role="alert">
		<strong>${o.transfer ? tr('offer.transfer') : tr('offer.new')}</strong>
		<span class="muted">${tr('offer.left', { s: left })}</span>
		<button type="button" id="offer-accept" class="primary" onClick=${() => chat.accept(id)}>${tr('offer.accept')}</button>
		<button type="button" id="offer-decline" onClick=${() => chat.decline(id)}>${tr('offer.decline')}</button>
	</div>`;
}

/* Transfer and takeover buttons for the conversation header. */
export function RouteActions({ c }) {
	const me = chat.agent.value;
	const open = useSignal(false);
	if (!c || !me || c.status === 'closed') return null;
	const mine = c.agent && c.agent.id === me.id;
	const canTransfer = mine || me.supervisor || (c.status === 'waiting' && !c.agent);
	return html`${canTransfer && html`<button type="button" id="conv-transfer" onClick=${() => (open.value = !open.value)}
			aria-expanded=${open.value}>${tr('transfer.button')}</button>`}
		${me.supervisor && c.status === 'active' && !mine && html`<button type="button" id="conv-takeover"
			onClick=${() => chat.takeover(c.id)}>${tr('takeover.button')}</button>`}
		${open.value && html`<${TransferDialog} c=${c} onDone=${() => (open.value = false)} />`}`;
}

function TransferDialog({ c, onDone }) {
	const agents = useSignal(null);
	const depts = useSignal([]);
	const sent = useSignal(false);
	const me = chat.agent.value;
	useEffect(() => {
		get('/api/v1/routing/agents?site=' + c.site_id).then((d) => (agents.value = d.agents || []), () => (agents.value = []));
		get('/api/v1/sites/' + c.site_id + '/departments').then((d) => (depts.value = d.departments || []), () => {});
	}, [c.id]);
	const others = (agents.value || []).filter((a) => a.id !== (me && me.id) && a.status === 'online');
	function submit(e) {
		e.preventDefault();
		const f = e.currentTarget.elements;
		const [kind, id] = f.target.value.split(':');
		if (!id) return;
		chat.transfer(c.id, kind === 'd' ? { department_id: +id } : { agent_id: +id }, f.note.value.trim());
		sent.value = true;
		setTimeout(onDone, 1500);
	}
	if (agents.value === null) return html`<div class="transfer-dialog" id="transfer-dialog"><p class="muted">…</p></div>`;
	if (!others.length && !depts.value.length)
		return html`<div class="transfer-dialog" id="transfer-dialog"><p class="muted">${tr('transfer.none')}</p>
			<button type="button" onClick=${onDone}>${tr('transfer.cancel')}</button></div>`;
	return html`<form class="transfer-dialog" id="transfer-dialog" role="dialog" aria-label=${tr('transfer.title')} onSubmit=${submit}>
		<label>${tr('transfer.to')}
			<select id="transfer-target" name="target">
				${others.length > 0 && html`<optgroup label=${tr('transfer.agents')}>
					${others.map((a) => html`<option value=${'a:' + a.id}>${a.name} (${tr('team.chats', { n: a.chats, max: a.max_chats })})</option>`)}
				</optgroup>`}
				${depts.value.length > 0 && html`<optgroup label=${tr('transfer.depts')}>
					${depts.value.map((d) => html`<option value=${'d:' + d.id}>${d.name}${d.online ? '' : ' — ' + tr('dept.offline')}</option>`)}
				</optgroup>`}
			</select></label>
		<label>${tr('transfer.note')}<textarea id="transfer-note" name="note" rows="2" maxlength="2000"></textarea></label>
		${sent.value && html`<p class="ok" role="status">${tr('transfer.sent')}</p>`}
		<div class="row-actions">
			<button type="submit" id="transfer-send" class="primary">${tr('transfer.send')}</button>
			<button type="button" onClick=${onDone}>${tr('transfer.cancel')}</button>
		</div>
	</form>`;
}

/* Supervisors: who is online with how many chats, and how many wait. */
export function TeamStrip() {
	const me = chat.agent.value;
	const agents = useSignal([]);
	useEffect(() => {
		if (!me || !me.supervisor) return undefined;
		let live = true;
		const load = () => get('/api/v1/routing/agents').then((d) => live && (agents.value = d.agents || []), () => {});
		load();
		const t = setInterval(load, 5000);
		return () => {
			live = false;
			clearInterval(t);
		};
	}, [me && me.id, me && me.supervisor]);
	if (!me || !me.supervisor) return null;
	const queued = Object.values(chat.convs.value).filter((c) => c.status === 'waiting' && !c.offered_to).length;
	return html`<section class="team" id="team" aria-label=${tr('team.title')}>
		<h3>${tr('team.title')} <span class="muted">${tr('team.queue')}: <span id="team-queue">${queued}</span></span></h3>
		<ul>${agents.value.map((a) => html`<li key=${a.id} data-agent=${a.id}>
			<span class=${'dot dot-' + a.status} aria-hidden="true"></span> ${a.name}
			<span class="muted">${tr('status.' + a.status)} · ${tr('team.chats', { n: a.chats, max: a.max_chats })}</span></li>`)}</ul>
	</section>`;
}

/* ---- Settings → departments (admins) ---- */
function DeptForm({ site, d, users, onSaved }) {
	const err = useSignal('');
	const ok = useSignal(false);
	async function submit(e) {
		e.preventDefault();
		const f = e.currentTarget.elements;
		const members = [...e.currentTarget.querySelectorAll('input[name=member]:checked')].map((x) => +x.value);
		const body = { name: f.name.value.trim(), rule: f.rule.value, offer_timeout: +f.timeout.value, members };
		err.value = '';
		ok.value = false;
		try {
			if (d) await patch('/api/v1/departments/' + d.id, body);
			else await post('/api/v1/sites/' + site.id + '/departments', body);
			ok.value = true;
			onSaved();
			if (!d) e.currentTarget.reset();
		} catch (x) {
			err.value = tr('dept.err') + (x && x.message ? ' (' + x.message + ')' : '');
		}
	}
	const mem = new Set((d && d.members) || []);
	return html`<form class="dept-form" data-dept=${d ? d.id : 'new'} onSubmit=${submit}>
		<label>${tr('dept.name')}<input name="name" required maxlength="60" value=${d ? d.name : ''} /></label>
		<label>${tr('dept.rule')}<select name="rule">
			${['least_busy', 'round_robin'].map((r) => html`<option value=${r} selected=${d && d.rule === r}>${tr('dept.rule.' + r)}</option>`)}
		</select></label>
		<label>${tr('dept.timeout')}<input name="timeout" type="number" min="5" max="600" value=${d ? d.offer_timeout : 30} /></label>
		<fieldset><legend>${tr('dept.members')}</legend>
			${users.map((u) => html`<label class="check"><input type="checkbox" name="member" value=${u.id} checked=${mem.has(u.id)} />
				${u.name || u.email}</label>`)}
		</fieldset>
		<div class="row-actions">
			<button type="submit" class="primary">${d ? tr('dept.save') : tr('dept.add')}</button>
			${d && html`<button type="button" class="danger" onClick=${async () => {
				await del('/api/v1/departments/' + d.id).catch(() => {});
				onSaved();
			}}>${tr('dept.delete')}</button>`}
			${d && html`<span class=${'muted'}>${d.online ? tr('dept.online') : tr('dept.offline')}</span>`}
		</div>
		${ok.value && html`<p class="ok" role="status">${tr('dept.saved')}</p>`}
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
	</form>`;
}

export function DepartmentsPanel() {
	const sites = useSignal([]);
	const siteId = useSignal(0);
	const depts = useSignal([]);
	const users = useSignal([]);
	const load = (id) => get('/api/v1/sites/' + id + '/departments').then((d) => (depts.value = d.departments || []), () => {});
	useEffect(() => {
		get('/api/v1/sites').then((d) => {
			sites.value = d.sites || [];
			if (sites.value.length) {
				siteId.value = sites.value[0].id;
				load(siteId.value);
			}
		}, () => {});
		get('/api/v1/users').then((d) => (users.value = (d.users || []).filter((u) => !u.disabled)), () => {});
	}, []);
	const site = sites.value.find((s) => s.id === siteId.value);
	if (!site) return null;
	// Only people who can open the site's chats may serve its departments.
	const staff = users.value.filter((u) => u.role === 'admin' || (site.members || []).includes(u.id));
	return html`<div class="departments" id="departments">
		<p class="muted">${tr('dept.help')}</p>
		${sites.value.length > 1 && html`<label>${tr('dept.site')} <select id="dept-site" onChange=${(e) => {
			siteId.value = +e.currentTarget.value;
			load(siteId.value);
		}}>${sites.value.map((s) => html`<option value=${s.id} selected=${s.id === siteId.value}>${s.name}</option>`)}</select></label>`}
		${!depts.value.length && html`<p class="muted">${tr('dept.none')}</p>`}
		${depts.value.map((d) => html`<${DeptForm} key=${d.id + ':' + d.name + ':' + d.members.join(',')} site=${site} d=${d} users=${staff}
			onSaved=${() => load(site.id)} />`)}
		<${DeptForm} key=${'new' + site.id} site=${site} d=${null} users=${staff} onSaved=${() => load(site.id)} />
	</div>`;
}
