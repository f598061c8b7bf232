// sites.js - admin settings: the sites (widgets) list, create/edit form, members and embed snippet.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, patch, api } from './api.js';
import { t } from './i18n.js';
import { SiteOptions, readOptions } from './site-options.js';

const html = htm.bind(h);

export function snippet(site) {
	return `<script async src="${location.origin}/widget.js" data-site="${site.key}"></script>`;
}

function errText(e) {
	if (!e) return '';
	if (e.status === 0) return t('errNetwork');
	if (e.status === 422 || e.status === 409) return t('sites.invalid') + (e.message ? ' (' + e.message + ')' : '');
	return t('errGeneric');
}

function SiteForm({ site, onSaved }) {
	const busy = useSignal(false);
	const err = useSignal('');
	const ok = useSignal(false);
	async function onSubmit(e) {
		e.preventDefault();
		const f = e.currentTarget.elements;
		const body = {
			name: f.name.value.trim(),
			origins: f.origins.value.split(/\s*\n\s*/).map((s) => s.trim()).filter(Boolean),
			greeting: f.greeting.value,
			color: f.color.value,
			preview: f.preview.checked,
			offline_message: f.offline_message.value,
		};
		if (!body.name) {
			err.value = t('sites.nameRequired');
			f.name.focus();
			return;
		}
		const opts = readOptions(f);
		if (opts.error) {
			err.value = opts.error;
			ok.value = false;
			opts.focus.focus();
			return;
		}
		Object.assign(body, opts.body);
		busy.value = true;
		err.value = '';
		ok.value = false;
		try {
			const d = site ? await patch('/api/v1/sites/' + site.id, body) : await post('/api/v1/sites', body);
			ok.value = true;
			onSaved(d.site);
		} catch (x) {
			err.value = errText(x);
		} finally {
			busy.value = false;
		}
	}
	const s = site || {};
	return html`<form id="site-form" class="card site-form" onSubmit=${onSubmit} novalidate>
		<h3>${site ? t('sites.edit') : t('sites.new')}</h3>
		<label class="field"><span>${t('sites.name')}</span>
			<input name="name" id="site-name" required maxlength="200" defaultValue=${s.name || ''} /></label>
		<label class="field"><span>${t('sites.origins')}</span>
			<textarea name="origins" id="site-origins" rows="3" placeholder="https://shop.example.com" defaultValue=${(s.origins || []).join('\n')}></textarea>
			<small class="muted">${t('sites.originsHelp')}</small></label>
		<label class="field"><span>${t('sites.greeting')}</span>
			<textarea name="greeting" id="site-greeting" rows="2" maxlength="1000" defaultValue=${s.greeting || ''}></textarea></label>
		<label class="field"><span>${t('sites.offline')}</span>
			<textarea name="offline_message" id="site-offline" rows="2" maxlength="1000" defaultValue=${s.offline_message || ''}></textarea></label>
		<div class="row">
			<label class="field inline"><span>${t('sites.color')}</span>
				<input type="color" name="color" id="site-color" defaultValue=${s.color || '#1565c0'} /></label>
			<label class="check"><input type="checkbox" name="preview" id="site-preview" defaultChecked=${!!s.preview} />
				${t('sites.preview')}</label>
		</div>
		<${SiteOptions} site=${site} />
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		${ok.value && !err.value && html`<p class="ok" role="status">${t('saved')}</p>`}
		<div class="row"><button type="submit" id="site-save" class="primary" disabled=${busy.value}>${site ? t('save') : t('sites.create')}</button></div>
	</form>`;
}

function Members({ site, users, onSaved }) {
	const sel = useSignal(new Set(site.members || []));
	const err = useSignal('');
	const ok = useSignal(false);
	useEffect(() => {
		sel.value = new Set(site.members || []);
	}, [site.id, (site.members || []).join(',')]);
	async function save() {
		err.value = '';
		ok.value = false;
		try {
			const d = await api('PUT', '/api/v1/sites/' + site.id + '/members', { user_ids: [...sel.value] });
			ok.value = true;
			onSaved(d.site);
		} catch (x) {
			err.value = errText(x);
		}
	}
	return html`<div class="card members" id="site-members">
		<h3>${t('sites.members')}</h3>
		${!users ? html`<p class="muted">${t('loading')}</p>` : html`<ul class="checks">
			${users.filter((u) => !u.disabled).map((u) => html`<li key=${u.id}><label class="check">
				<input type="checkbox" data-user=${u.id} checked=${sel.value.has(u.id)} onChange=${(e) => {
					const n = new Set(sel.value);
					if (e.currentTarget.checked) n.add(u.id);
					else n.delete(u.id);
					sel.value = n;
				}} /> ${u.name || u.email} <span class="muted">${u.email} · ${t('role.' + u.role)}</span></label></li>`)}
		</ul>`}
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		${ok.value && !err.value && html`<p class="ok" role="status">${t('saved')}</p>`}
		<button type="button" id="members-save" onClick=${save}>${t('sites.saveMembers')}</button>
	</div>`;
}

function Snippet({ site }) {
	const ref = useRef(null);
	const copied = useSignal(false);
	async function copy() {
		const text = snippet(site);
		try {
			await navigator.clipboard.writeText(text);
		} catch (e) {
			ref.current.select();
			try {
				document.execCommand('copy');
			} catch (e2) {
				/* the text stays selected for Ctrl+C */
			}
		}
		copied.value = true;
		setTimeout(() => (copied.value = false), 2000);
	}
	return html`<div class="card snippet">
		<h3>${t('sites.embed')}</h3>
		<p class="muted">${t('sites.embedHelp')}</p>
		<textarea id="site-snippet" readonly rows="2" ref=${ref} onFocus=${(e) => e.currentTarget.select()} value=${snippet(site)}></textarea>
		<div class="row"><button type="button" id="site-copy" onClick=${copy}>${copied.value ? t('copied') : t('copy')}</button>
			<a href=${'/demo?site=' + encodeURIComponent(site.key)} target="_blank" rel="noopener">${t('sites.demo')}</a></div>
	</div>`;
}

export function SitesPanel() {
	const sites = useSignal(null);
	const users = useSignal(null);
	const err = useSignal('');
	const selected = useSignal(0); // 0: the "new site" form
	useEffect(() => {
		get('/api/v1/sites').then(
			(d) => {
				sites.value = (d && d.sites) || [];
				if (sites.value.length && !selected.value) selected.value = sites.value[0].id;
			},
			(e) => (err.value = e.status === 0 ? 'errNetwork' : 'errGeneric'),
		);
		get('/api/v1/users').then((d) => (users.value = (d && d.users) || []), () => (users.value = []));
	}, []);
	function saved(s) {
		if (!s) return;
		const list = sites.value || [];
		sites.value = list.some((x) => x.id === s.id) ? list.map((x) => (x.id === s.id ? s : x)) : [...list, s];
		selected.value = s.id;
	}
	if (err.value) return html`<p class="error">${t(err.value)}</p>`;
	if (!sites.value) return html`<p class="muted">${t('loading')}</p>`;
	const site = sites.value.find((s) => s.id === selected.value) || null;
	return html`<div class="sites" id="sites">
		<div class="sites-list card">
			<h3>${t('sites.title')}</h3>
			<ul>
				${sites.value.map((s) => html`<li key=${s.id}><button type="button" class=${'site-item' + (site && site.id === s.id ? ' current' : '')}
					data-id=${s.id} data-key=${s.key} onClick=${() => (selected.value = s.id)}>
					<span class="swatch" style=${'background:' + (s.color || '#1565c0')}></span>
					<span>${s.name}</span> <code class="muted">${s.key}</code></button></li>`)}
			</ul>
			${!sites.value.length && html`<p class="muted">${t('sites.none')}</p>`}
			<button type="button" id="site-new" onClick=${() => (selected.value = 0)}>+ ${t('sites.new')}</button>
		</div>
		<div class="sites-detail">
			<${SiteForm} key=${site ? site.id : 'new'} site=${site} onSaved=${saved} />
			${site && html`<${Snippet} site=${site} />`}
			${site && html`<${Members} site=${site} users=${users.value} onSaved=${saved} />`}
		</div>
	</div>`;
}
