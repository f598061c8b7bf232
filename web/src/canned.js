// canned.js - Settings → Canned responses (supervisors and admins): list, add, edit, delete.
// Agents use them in the reply box by typing /shortcut (inbox.js).
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { post, patch, del } from './api.js';
import { t } from './i18n.js';
import { canned, loadCanned } from './extras.js';

const html = htm.bind(h);
const SHORTCUT = /^[a-z0-9_-]{1,40}$/;

function errText(e) {
	if (!e) return '';
	if (e.status === 0) return t('errNetwork');
	if (e.status === 409) return t('canned.duplicate');
	if (e.status === 422) return t('canned.invalid') + (e.message ? ' (' + e.message + ')' : '');
	if (e.status === 403) return t('chat.err.forbidden');
	return t('errGeneric');
}
/* Shortcuts are lower case; a leading / is what agents type, not part of the name. */
const normShortcut = (s) => String(s || '').trim().replace(/^\//, '').toLowerCase();

function Row({ c, onChanged }) {
	const editing = useSignal(false);
	const confirm = useSignal(false);
	const err = useSignal('');
	async function save(e) {
		e.preventDefault();
		const f = e.currentTarget.elements;
		const body = { shortcut: normShortcut(f.shortcut.value), text: f.text.value.trim() };
		if (!SHORTCUT.test(body.shortcut) || !body.text) return void (err.value = t('canned.invalid'));
		try {
			await patch('/api/v1/canned/' + c.id, body);
			editing.value = false;
			err.value = '';
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
			await del('/api/v1/canned/' + c.id);
			onChanged();
		} catch (x) {
			err.value = errText(x);
		}
	}
	if (editing.value)
		return html`<li class="canned-row editing" data-id=${c.id} data-shortcut=${c.shortcut}>
			<form class="canned-form" onSubmit=${save}>
				<input name="shortcut" class="canned-edit-shortcut" defaultValue=${c.shortcut} maxlength="41" aria-label=${t('canned.shortcut')} />
				<textarea name="text" class="canned-edit-text" rows="3" maxlength="10000" aria-label=${t('canned.text')} defaultValue=${c.text}></textarea>
				${err.value && html`<p class="error" role="alert">${err.value}</p>`}
				<div class="row"><button type="submit" class="primary canned-update">${t('save')}</button>
					<button type="button" class="canned-cancel" onClick=${() => ((editing.value = false), (err.value = ''))}>${t('cancel')}</button></div>
			</form>
		</li>`;
	return html`<li class="canned-row" data-id=${c.id} data-shortcut=${c.shortcut}>
		<code class="canned-sc">/${c.shortcut}</code>
		<span class="canned-text">${c.text}</span>
		<span class="canned-actions">
			<button type="button" class="small canned-edit" onClick=${() => (editing.value = true)}>${t('edit')}</button>
			<button type="button" class=${'small canned-delete' + (confirm.value ? ' danger' : '')} onClick=${remove}>
				${confirm.value ? t('canned.confirmDelete') : t('delete')}</button>
		</span>
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
	</li>`;
}

export function CannedPanel() {
	const err = useSignal('');
	const ok = useSignal(false);
	const busy = useSignal(false);
	useEffect(() => {
		loadCanned(true);
	}, []);
	const refresh = () => loadCanned(true);
	async function add(e) {
		e.preventDefault();
		const form = e.currentTarget;
		const f = form.elements;
		const body = { shortcut: normShortcut(f.shortcut.value), text: f.text.value.trim() };
		ok.value = false;
		if (!SHORTCUT.test(body.shortcut)) {
			err.value = t('canned.badShortcut');
			f.shortcut.focus();
			return;
		}
		if (!body.text) {
			err.value = t('canned.textRequired');
			f.text.focus();
			return;
		}
		busy.value = true;
		err.value = '';
		try {
			await post('/api/v1/canned', body);
			form.reset();
			ok.value = true;
			await refresh();
		} catch (x) {
			err.value = errText(x);
		} finally {
			busy.value = false;
		}
	}
	const list = canned.value;
	return html`<div class="canned" id="canned">
		<form class="card canned-form" id="canned-form" onSubmit=${add} novalidate>
			<h3>${t('canned.new')}</h3>
			<label class="field"><span>${t('canned.shortcut')}</span>
				<input name="shortcut" id="canned-shortcut" maxlength="41" placeholder="thanks" autocomplete="off" />
				<small class="muted">${t('canned.shortcutHelp')}</small></label>
			<label class="field"><span>${t('canned.text')}</span>
				<textarea name="text" id="canned-text" rows="3" maxlength="10000"></textarea>
				<small class="muted">${t('canned.varsHelp')} <code>{visitor_name}</code> <code>{agent_name}</code> <code>{site_name}</code></small></label>
			${err.value && html`<p class="error" role="alert">${err.value}</p>`}
			${ok.value && !err.value && html`<p class="ok" role="status">${t('saved')}</p>`}
			<div class="row"><button type="submit" id="canned-save" class="primary" disabled=${busy.value}>${t('canned.add')}</button></div>
		</form>
		<div class="card canned-list-card">
			<h3>${t('canned.title')} ${list && html`<span class="muted">${list.length}</span>`}</h3>
			${!list
				? html`<p class="muted">${t('loading')}</p>`
				: list.length
					? html`<ul class="canned-list" id="canned-list">${list.map((c) => html`<${Row} key=${c.id + ':' + c.updated_at} c=${c} onChanged=${refresh} />`)}</ul>`
					: html`<p class="muted">${t('canned.none')}</p>`}
		</div>
	</div>`;
}
