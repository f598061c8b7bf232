// main.js - the Kefu console shell: sign-in, top bar, role-based navigation.
import { h, render } from 'preact';
import { useEffect } from 'preact/hooks';
import { signal, useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, setCsrf, ApiError } from './api.js';
import { LANGS, lang, setLang, t } from './i18n.js';
import { Inbox, startChat, stopChat } from './inbox.js';
import { TicketsPanel } from './tickets.js';
import { SitesPanel } from './sites.js';
import { HistoryPanel } from './history.js';
import { CannedPanel } from './canned.js';
import { currentUser } from './extras.js';
import { SmtpPanel } from './smtp.js';
import { MailboxesPanel } from './mailboxes.js';
import { tmb } from './mailboxes-i18n.js';
import { ts } from './settings-i18n.js';
import { VisitorsPanel } from './visitors.js';
import { ReportsPanel } from './reports.js';
import { DepartmentsPanel } from './routing.js';
import { BotPanel } from './bot.js';
import { tr } from './routing-i18n.js';
import { InvitePanel } from './invites.js';
import { CrmImportPanel, tci } from './crm-import.js';
import { CrmFieldsPanel, tf } from './crm-fields.js';
import { LoyaltyPanel, RfmPanel, tl } from './loyalty-settings.js';
import { OffersPanel } from './offers.js';
import { to } from './offers-i18n.js';
import { ti } from './invite-i18n.js';
import { KbPanel } from './kb.js';
import { CrmPanel } from './crm.js';
import { FormsPanel } from './forms.js';
import { tfm } from './forms-i18n.js';
import { AftersalesPanel } from './aftersales-settings.js';
import { ta } from './aftersales-i18n.js';
import { SlaPanel } from './sla.js';
import { TicketReportPanel, FollowupsPanel } from './ticket-report.js';
import { tsl } from './sla-i18n.js';

const html = htm.bind(h);

/* undefined: still asking /me; null: signed out; object: the signed-in user. */
const user = signal(undefined);
const bootError = signal('');

const ROLE_RANK = { agent: 1, supervisor: 2, admin: 3 };
const NAV = [
	{ id: 'inbox', role: 'agent' },
	{ id: 'tickets', role: 'agent' }, // 工单 (tickets.js)
	{ id: 'history', role: 'agent' },
	{ id: 'visitors', role: 'agent' },
	{ id: 'crm', role: 'agent' }, // 客户: agents read; recompute, export and merge for supervisors
	{ id: 'followups', role: 'agent' }, // 回访: follow-up visits after complaints and repairs
	{ id: 'reports', role: 'supervisor' },
	{ id: 'kb', role: 'supervisor' },
	{ id: 'settings', role: 'supervisor' }, // sites: admins; canned responses: supervisors too
	{ id: 'users', role: 'admin' },
	{ id: 'apikeys', role: 'admin' },
];

export function navFor(role) {
	const rank = ROLE_RANK[role] || 0;
	return NAV.filter((n) => rank >= ROLE_RANK[n.role]);
}

function panelFromHash() {
	const m = /^#\/([a-z]+)/.exec(location.hash || '');
	return m ? m[1] : '';
}
const panel = signal(panelFromHash());
window.addEventListener('hashchange', () => {
	panel.value = panelFromHash();
});

async function loadMe() {
	try {
		const data = await get('/api/v1/me');
		user.value = data.user;
		bootError.value = '';
	} catch (e) {
		if (e instanceof ApiError && e.status === 401) {
			user.value = null;
		} else {
			user.value = null;
			bootError.value = e.status === 0 ? 'errNetwork' : 'errGeneric';
		}
	}
}

function LangSwitch() {
	return html`<label class="lang">
		<span class="sr-only">${t('language')}</span>
		<select id="lang-switch" aria-label=${t('language')} value=${lang.value}
			onChange=${(e) => setLang(e.currentTarget.value)}>
			${LANGS.map(([code, label]) => html`<option value=${code} selected=${code === lang.value}>${label}</option>`)}
		</select>
	</label>`;
}

function Login() {
	const error = useSignal(bootError.value);
	const busy = useSignal(false);

	async function onSubmit(e) {
		e.preventDefault();
		const form = e.currentTarget;
		const email = form.elements.email.value.trim();
		const password = form.elements.password.value;
		if (!email || !password) {
			error.value = 'errMissing';
			(email ? form.elements.password : form.elements.email).focus();
			return;
		}
		busy.value = true;
		error.value = '';
		try {
			const data = await post('/api/v1/auth/login', { email, password });
			if (data && data.csrf_token) setCsrf(data.csrf_token);
			bootError.value = '';
			user.value = data.user;
		} catch (err) {
			// 422: the server rejected the e-mail's form; to the user that is a wrong e-mail too.
			if (err.status === 401 || err.status === 422) error.value = 'errInvalid';
			else if (err.status === 429) error.value = 'errRateLimited';
			else if (err.status === 0) error.value = 'errNetwork';
			else error.value = 'errGeneric';
			form.elements.password.select();
		} finally {
			busy.value = false;
		}
	}

	return html`<main class="login-page">
		<form id="login-form" class="card login" onSubmit=${onSubmit} novalidate>
			<h1 class="brand">${t('product')}</h1>
			<p class="muted">${t('signInTitle')}</p>
			<label class="field">
				<span>${t('email')}</span>
				<input name="email" type="email" autocomplete="username" inputmode="email" required autofocus />
			</label>
			<label class="field">
				<span>${t('password')}</span>
				<input name="password" type="password" autocomplete="current-password" required />
			</label>
			${error.value && html`<p id="login-error" class="error" role="alert">${t(error.value)}</p>`}
			<button type="submit" class="primary" disabled=${busy.value}>${busy.value ? t('signingIn') : t('signIn')}</button>
			<div class="login-foot"><${LangSwitch} /></div>
		</form>
	</main>`;
}

function fmtTime(v) {
	if (v == null || v === '') return '';
	const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : new Date(v);
	if (isNaN(d.getTime())) return String(v);
	return d.toLocaleString(lang.value);
}

/* Loads url once and renders rows with a column list; a small table for the admin panels. */
function ListPanel({ url, field, cols, rowKey }) {
	const rows = useSignal(null);
	const err = useSignal('');
	useEffect(() => {
		let live = true;
		get(url).then(
			(d) => live && (rows.value = (d && d[field]) || []),
			(e) => live && (err.value = e.status === 0 ? 'errNetwork' : 'errGeneric'),
		);
		return () => {
			live = false;
		};
	}, [url]);
	if (err.value) return html`<p class="error">${t(err.value)}</p>`;
	if (!rows.value) return html`<p class="muted">${t('loading')}</p>`;
	if (!rows.value.length) return html`<p class="muted">${t('none')}</p>`;
	return html`<div class="table-wrap"><table>
		<thead><tr>${cols.map((c) => html`<th>${t(c.label)}</th>`)}</tr></thead>
		<tbody>${rows.value.map((r) => html`<tr key=${r[rowKey]}>${cols.map((c) => html`<td data-label=${t(c.label)}>${c.render(r)}</td>`)}</tr>`)}</tbody>
	</table></div>`;
}

const USER_COLS = [
	{ label: 'col.name', render: (u) => u.name || '' },
	{ label: 'col.email', render: (u) => u.email },
	{ label: 'col.role', render: (u) => t('role.' + u.role) },
	{ label: 'col.status', render: (u) => (u.disabled ? t('disabled') : t('active')) },
	{ label: 'col.created', render: (u) => fmtTime(u.created_at) },
];
const KEY_COLS = [
	{ label: 'col.name', render: (k) => k.name },
	{ label: 'col.prefix', render: (k) => html`<code>${k.prefix}</code>` },
	{ label: 'col.scopes', render: (k) => (k.scopes || []).join(', ') },
	{ label: 'col.created', render: (k) => fmtTime(k.created_at) },
	{ label: 'col.revoked', render: (k) => (k.revoked_at ? fmtTime(k.revoked_at) : '') },
];

function Panel({ id, role }) {
	let body;
	if (id === 'inbox') body = html`<${Inbox} />`;
	else if (id === 'tickets') body = html`<${TicketsPanel} role=${role} />`;
	else if (id === 'history') body = html`<${HistoryPanel} />`;
	else if (id === 'visitors') body = html`<${VisitorsPanel} />`;
	else if (id === 'reports')
		body = html`<${ReportsPanel} /><h3 class="sub settings-sub" id="ticket-report-title">${tsl('repTitle')}</h3><${TicketReportPanel} />`;
	else if (id === 'followups') body = html`<${FollowupsPanel} role=${role} />`;
	else if (id === 'crm') body = html`<${CrmPanel} role=${role} />`;
	else if (id === 'kb') body = html`<${KbPanel} />`;
	else if (id === 'settings')
		body = html`${role === 'admin' && html`<h3 class="sub">${t('sites.title')}</h3><${SitesPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="dept-title">${tr('dept.title')}</h3><${DepartmentsPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="bot-title">${tr('bot.title')}</h3><${BotPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="smtp-title">${ts('smtp.title')}</h3><${SmtpPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="mailboxes-title">${tmb('title')}</h3><${MailboxesPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="crm-import-title">${tci('title')}</h3><${CrmImportPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="crm-fields-title">${tf('title')}</h3><${CrmFieldsPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="loyalty-title">${tl('loyTitle')}</h3><${LoyaltyPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="rfm-title">${tl('rfmTitle')}</h3><${RfmPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="offers-title">${to('title')}</h3><${OffersPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="forms-title">${tfm('title')}</h3><${FormsPanel} />`}
			${role === 'admin' && html`<h3 class="sub settings-sub" id="aftersales-title">${ta('title')}</h3><${AftersalesPanel} />`}
			<h3 class="sub settings-sub" id="sla-title">${tsl('title')}</h3><${SlaPanel} />
			<h3 class="sub settings-sub" id="canned-title">${t('canned.title')}</h3><${CannedPanel} />
			<h3 class="sub settings-sub" id="invites-title">${ti('title')}</h3><${InvitePanel} />`;
	else if (id === 'users') body = html`<${ListPanel} url="/api/v1/users" field="users" cols=${USER_COLS} rowKey="id" />`;
	else if (id === 'apikeys') body = html`<${ListPanel} url="/api/v1/apikeys" field="apikeys" cols=${KEY_COLS} rowKey="id" />`;
	else
		body = html`<div class="placeholder">
			<p class="soon">${t('comingSoon')}</p>
			<p class="muted">${t('comingSoonText')}</p>
		</div>`;
	return html`<section class="panel" id=${'panel-' + id} aria-labelledby="panel-title">
		<h2 id="panel-title">${t('nav.' + id)}</h2>
		${body}
	</section>`;
}

function Console({ me }) {
	const items = navFor(me.role);
	const current = items.some((n) => n.id === panel.value) ? panel.value : items.length ? items[0].id : '';
	const menuOpen = useSignal(false);
	useEffect(() => {
		currentUser.value = me;
	}, [me]);
	// The chat connection lives as long as the console: new-chat alerts ring on every panel.
	useEffect(() => {
		if (ROLE_RANK[me.role]) startChat();
		return () => stopChat();
	}, [me.id]);

	async function logout() {
		try {
			await post('/api/v1/auth/logout');
		} catch (e) {
			/* the session may already be gone; show the login form anyway */
		}
		setCsrf('');
		user.value = null;
	}

	return html`<div id="console" class="console">
		<header class="topbar">
			<button type="button" class="menu-btn" aria-expanded=${menuOpen.value} aria-controls="nav"
				onClick=${() => (menuOpen.value = !menuOpen.value)}>☰<span class="sr-only">${t('menu')}</span></button>
			<span class="brand">${t('product')}</span>
			<span class="spacer"></span>
			<span class="who">
				<span id="user-name" title=${me.email}>${me.name || me.email}</span>
				<span id="user-role" class="role">${t('role.' + me.role)}</span>
			</span>
			<${LangSwitch} />
			<button type="button" id="logout" onClick=${logout}>${t('signOut')}</button>
		</header>
		<div class="body">
			<nav id="nav" class=${menuOpen.value ? 'open' : ''} aria-label=${t('menu')}>
				<ul>
					${items.map(
						(n) => html`<li key=${n.id}>
							<a href=${'#/' + n.id} data-nav=${n.id} class=${n.id === current ? 'active' : ''}
								aria-current=${n.id === current ? 'page' : undefined}
								onClick=${() => (menuOpen.value = false)}>${t('nav.' + n.id)}</a>
						</li>`,
					)}
				</ul>
			</nav>
			<main class=${'content content-' + current}>${current && html`<${Panel} key=${current} id=${current} role=${me.role} />`}</main>
		</div>
	</div>`;
}

function App() {
	// Reading lang.value here re-renders everything when the language changes.
	lang.value;
	const me = user.value;
	if (me === undefined) return html`<p class="boot muted">${t('loading')}</p>`;
	if (me === null) return html`<${Login} />`;
	return html`<${Console} me=${me} />`;
}

render(html`<${App} />`, document.getElementById('app'));
loadMe();

