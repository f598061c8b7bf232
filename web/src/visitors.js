// visitors.js - 访客: who is on a site right now (GET /api/v1/visitors/live, polled every 3 s):
// current page, pages this visit, time on site, referrer, new or returning, country/city, and
// whether they are chatting; an Invite button per row (POST /api/v1/visitors/:id/invite) and
// the visitor's page trail under the row. Also TrackingSwitch, the per-site switch that
// Settings → Sites shows (GET/PUT /api/v1/sites/:id/tracking).
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, put } from './api.js';
import { t } from './i18n.js';
import * as chat from './chat.js';
import { PageTrail } from './trail.js';
import { tt, duration, countryName } from './track-i18n.js';

const html = htm.bind(h);
const POLL_MS = 3000;
const SITE_KEY = 'kefu.visitors.site';

function host(u) {
	try {
		return new URL(u).host;
	} catch (e) {
		return '';
	}
}

const nameOf = (v) => v.name || v.email || tt('vis.anon', { id: v.id });

/* The sites the agent covers, and the chosen one (remembered in this browser). */
export function useSites() {
	const sites = useSignal(null);
	const site = useSignal(0);
	useEffect(() => {
		let live = true;
		get('/api/v1/sites').then(
			(d) => {
				if (!live) return;
				const list = (d && d.sites) || [];
				const kept = +localStorage.getItem(SITE_KEY) || 0;
				sites.value = list;
				site.value = list.some((s) => s.id === kept) ? kept : list.length ? list[0].id : 0;
			},
			() => live && (sites.value = []),
		);
		return () => {
			live = false;
		};
	}, []);
	const choose = (id) => {
		site.value = +id;
		try {
			localStorage.setItem(SITE_KEY, String(id));
		} catch (e) {
			/* private mode: not remembered */
		}
	};
	return { sites, site, choose };
}

export function SitePicker({ sites, site, choose, id }) {
	if (!sites.value || sites.value.length < 2) return null;
	return html`<label class="field inline"><span>${tt('vis.site')}</span>
		<select id=${id} value=${site.value} onChange=${(e) => choose(e.currentTarget.value)}>
			${sites.value.map((s) => html`<option value=${s.id} selected=${s.id === site.value}>${s.name}</option>`)}
		</select></label>`;
}

function InviteDialog({ v, onClose }) {
	const text = useSignal(tt('vis.inviteDefault'));
	const state = useSignal(''); // '', sending, sent
	const err = useSignal('');
	const ref = useRef(null);
	useEffect(() => ref.current && ref.current.focus(), []);
	async function send(e) {
		e.preventDefault();
		state.value = 'sending';
		err.value = '';
		try {
			await post('/api/v1/visitors/' + v.id + '/invite', { message: text.value.trim() });
			state.value = 'sent';
		} catch (x) {
			state.value = '';
			const known = x.code && tt('vis.err.' + x.code);
			err.value = known && known !== 'vis.err.' + x.code ? known : x.message || t('errGeneric');
		}
	}
	return html`<div class="modal-back" onClick=${(e) => e.target === e.currentTarget && onClose()}>
		<form class="card modal invite-dialog" role="dialog" aria-modal="true" aria-labelledby="invite-title" onSubmit=${send}
			onKeyDown=${(e) => e.key === 'Escape' && onClose()}>
			<h3 id="invite-title">${tt('vis.inviteTitle', { name: nameOf(v) })}</h3>
			<textarea id="invite-message" ref=${ref} rows="3" maxlength="1000" value=${text.value}
				onInput=${(e) => (text.value = e.currentTarget.value)}></textarea>
			${err.value && html`<p class="error" id="invite-error" role="alert">${err.value}</p>`}
			${state.value === 'sent' && html`<p class="ok" id="invite-status" role="status">${tt('vis.sent')}</p>`}
			<div class="actions">
				<button type="submit" id="invite-send" class="primary" disabled=${state.value === 'sending' || !text.value.trim()}>${tt('vis.send')}</button>
				<button type="button" onClick=${onClose}>${tt('vis.cancel')}</button>
			</div>
		</form>
	</div>`;
}

function Row({ v, open, onTrail, onInvite }) {
	const ref = v.referrer ? host(v.referrer) : '';
	const place = [countryName(v.country), v.city].filter(Boolean).join(' · ');
	return html`<tr data-visitor-id=${v.id} class=${v.chatting ? 'chatting' : ''}>
		<td data-label=${tt('vis.col.visitor')}><strong>${nameOf(v)}</strong>
			<small class="muted block">${[v.browser, v.lang].filter(Boolean).join(' · ')}</small></td>
		<td data-label=${tt('vis.col.page')} class="visitor-page">
			<span class="vp-title">${v.page.title || v.page.url}</span>
			<small class="muted block vp-url" title=${v.page.url}>${v.page.url}</small></td>
		<td data-label=${tt('vis.col.pages')} class="visitor-pages num">${v.pages}</td>
		<td data-label=${tt('vis.col.time')} class="visitor-time">${duration(v.on_site_seconds)}</td>
		<td data-label=${tt('vis.col.referrer')} class="visitor-referrer" title=${v.referrer}>${ref || tt('vis.direct')}</td>
		<td data-label=${tt('vis.col.kind')} class="visitor-kind">${v.returning ? tt('vis.returning', { n: v.visits }) : tt('vis.new')}</td>
		<td data-label=${tt('vis.col.place')} class="visitor-place">${place}</td>
		<td data-label=${tt('vis.col.chat')}>
			${v.chatting && html`<span class="pill st-active chatting-badge">${tt('vis.chatting')}</span> `}
			${v.conversation_id && html`<button type="button" class="small link" onClick=${() => { chat.open(v.conversation_id); location.hash = '#/inbox'; }}>${tt('vis.open')}</button>`}
		</td>
		<td class="row-actions">
			<button type="button" class="small" data-invite=${v.id} onClick=${() => onInvite(v)}>${tt('vis.invite')}</button>
			<button type="button" class="small" data-trail=${v.id} aria-expanded=${open} onClick=${() => onTrail(open ? 0 : v.id)}>${open ? tt('vis.hideTrail') : tt('vis.trail')}</button>
		</td>
	</tr>`;
}

export function VisitorsPanel() {
	const { sites, site, choose } = useSites();
	const list = useSignal(null);
	const err = useSignal('');
	const trail = useSignal(0);
	const invite = useSignal(null);
	useEffect(() => {
		if (!site.value) return undefined;
		let live = true;
		list.value = null;
		const load = () =>
			get('/api/v1/visitors/live?site=' + site.value).then(
				(d) => live && ((list.value = (d && d.visitors) || []), (err.value = '')),
				(e) => live && (err.value = e.status === 0 ? 'errNetwork' : 'errGeneric'),
			);
		load();
		const timer = setInterval(load, POLL_MS);
		return () => {
			live = false;
			clearInterval(timer);
		};
	}, [site.value]);

	if (sites.value === null) return html`<p class="muted">${t('loading')}</p>`;
	if (!sites.value.length) return html`<p class="muted">${tt('vis.noSites')}</p>`;
	const rows = list.value || [];
	return html`<div class="visitors">
		<div class="toolbar">
			<${SitePicker} sites=${sites} site=${site} choose=${choose} id="visitors-site" />
			<span id="visitors-count" class="muted">${list.value ? tt('vis.count', { n: rows.length }) : t('loading')}</span>
			<small class="muted">${tt('vis.updated')}</small>
		</div>
		${err.value && html`<p class="error">${t(err.value)}</p>`}
		${list.value && !rows.length && html`<p class="muted" id="visitors-empty">${tt('vis.none')}</p>`}
		${rows.length > 0 && html`<div class="table-wrap"><table id="visitors-table" class="visitors-table">
			<thead><tr>
				<th>${tt('vis.col.visitor')}</th><th>${tt('vis.col.page')}</th><th>${tt('vis.col.pages')}</th>
				<th>${tt('vis.col.time')}</th><th>${tt('vis.col.referrer')}</th><th>${tt('vis.col.kind')}</th>
				<th>${tt('vis.col.place')}</th><th>${tt('vis.col.chat')}</th><th></th>
			</tr></thead>
			<tbody>${rows.map((v) => [
				html`<${Row} key=${v.id} v=${v} open=${trail.value === v.id} onTrail=${(id) => (trail.value = id)}
					onInvite=${(x) => (invite.value = x)} />`,
				trail.value === v.id && html`<tr key=${'t' + v.id} class="trail-row"><td colspan="9"><${PageTrail} visitorId=${v.id} /></td></tr>`,
			])}</tbody>
		</table></div>`}
		${invite.value && html`<${InviteDialog} key=${invite.value.id} v=${invite.value} onClose=${() => (invite.value = null)} />`}
	</div>`;
}

/* Settings → Sites: the site's tracking switch, saved at once through its own route. */
export function TrackingSwitch({ siteId }) {
	const on = useSignal(null);
	const note = useSignal('');
	useEffect(() => {
		if (!siteId) return undefined;
		let live = true;
		get('/api/v1/sites/' + siteId + '/tracking').then(
			(d) => live && (on.value = !!d.enabled),
			() => live && (on.value = null),
		);
		return () => {
			live = false;
		};
	}, [siteId]);
	async function change(e) {
		const want = e.currentTarget.checked;
		note.value = '';
		try {
			const d = await put('/api/v1/sites/' + siteId + '/tracking', { enabled: want });
			on.value = !!d.enabled;
			note.value = tt('trk.saved');
		} catch (x) {
			note.value = x.message || t('errGeneric');
		}
	}
	return html`<fieldset class="opt-group" id="site-tracking-group">
		<legend>${tt('trk.title')}</legend>
		${!siteId
			? html`<small class="muted">${tt('trk.newSite')}</small>`
			: html`<label class="check"><input type="checkbox" id="site-tracking" checked=${!!on.value} disabled=${on.value === null}
					onChange=${change} /> ${tt('trk.enabled')}</label>
				${note.value && html` <small class="muted" id="site-tracking-note" role="status">${note.value}</small>`}
				<small class="muted block">${tt('trk.help')}</small>`}
	</fieldset>`;
}
