// mailboxes.js - Settings → 邮箱, admins only: each site's mailboxes (IMAP in, SMTP out, the
// From name, the department, a signature with {agent}), an IMAP login test, and what went
// wrong: outbound mail that gave up after its retries and inbound mail that was rejected.
// Server: docs/api.md "Ticket e-mail". Passwords are write-only (has_*_password only).
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, patch, del } from './api.js';
import { t } from './i18n.js';
import { ts } from './settings-i18n.js';
import { tmb } from './mailboxes-i18n.js';

const html = htm.bind(h);

// The form's fields as the API wants them; empty passwords are left out (kept as stored).
function formBody(f) {
	const b = {
		address: f.address.value.trim(), name: f.name.value.trim(),
		department_id: f.department_id.value ? +f.department_id.value : null,
		imap_url: f.imap_url.value.trim(), imap_user: f.imap_user.value.trim(),
		smtp_url: f.smtp_url.value.trim(), smtp_user: f.smtp_user.value.trim(), smtp_tls: f.smtp_tls.value,
		signature: f.signature.value, poll_seconds: parseInt(f.poll_seconds.value, 10) || 60,
		enabled: f.enabled.checked,
	};
	if (f.imap_password.value) b.imap_password = f.imap_password.value;
	if (f.smtp_password.value) b.smtp_password = f.smtp_password.value;
	return b;
}

function errText(x) {
	if (x.status === 409) return tmb('exists');
	if (x.status === 422) return tmb('invalid', { msg: x.message || '' });
	return x.status === 0 ? t('errNetwork') : t('errGeneric');
}

function MailboxForm({ mb, depts, siteId, onSaved, onRemoved }) {
	const busy = useSignal(false);
	const msg = useSignal(null); // { ok, text }
	const key = mb ? mb.id : 'new';

	async function onSubmit(e) {
		e.preventDefault();
		const f = e.currentTarget.elements;
		busy.value = true;
		msg.value = null;
		try {
			const b = formBody(f);
			const d = mb ? await patch(`/api/v1/mailboxes/${mb.id}`, b) : await post(`/api/v1/sites/${siteId}/mailboxes`, b);
			f.imap_password.value = f.smtp_password.value = '';
			msg.value = { ok: true, text: tmb('saved') };
			onSaved(d.mailbox, !mb);
		} catch (x) {
			msg.value = { ok: false, text: errText(x) };
		} finally {
			busy.value = false;
		}
	}

	async function onTest() {
		busy.value = true;
		msg.value = { ok: true, text: tmb('testing') };
		try {
			const d = await post(`/api/v1/mailboxes/${mb.id}/test`);
			msg.value = d.ok ? { ok: true, text: tmb('testOk') } : { ok: false, text: tmb('testFail', { msg: d.error }) };
		} catch (x) {
			msg.value = { ok: false, text: errText(x) };
		} finally {
			busy.value = false;
		}
	}

	async function onRemove() {
		if (!confirm(tmb('confirmRemove', { address: mb.address }))) return;
		try {
			await del(`/api/v1/mailboxes/${mb.id}`);
			onRemoved(mb.id);
		} catch (x) {
			msg.value = { ok: false, text: errText(x) };
		}
	}

	const m = mb || { address: '', name: '', department_id: null, imap_url: '', imap_user: '', smtp_url: '', smtp_user: '', smtp_tls: 'off', signature: '{agent}', poll_seconds: 60, enabled: true };
	const pw = (set) => (set ? { placeholder: '••••••••', title: tmb('passwordSet') } : {});
	return html`<form class="card mailbox-form" data-mailbox=${key} onSubmit=${onSubmit} novalidate>
		<div class="row">
			<label class="field grow"><span>${tmb('address')}</span><input name="address" type="email" required maxlength="254" defaultValue=${m.address} /></label>
			<label class="field grow"><span>${tmb('name')}</span><input name="name" maxlength="120" defaultValue=${m.name} /></label>
			<label class="field"><span>${tmb('department')}</span><select name="department_id">
				<option value="">${tmb('noDept')}</option>
				${depts.map((d) => html`<option value=${d.id} selected=${m.department_id === d.id}>${d.name}</option>`)}</select></label>
		</div>
		<div class="row">
			<label class="field grow"><span>${tmb('imapUrl')}</span><input name="imap_url" maxlength="499" placeholder="imaps://imap.example.com/INBOX" title=${tmb('plainHint')} defaultValue=${m.imap_url} /></label>
			<label class="field"><span>${tmb('imapUser')}</span><input name="imap_user" maxlength="254" autocomplete="off" defaultValue=${m.imap_user} /></label>
			<label class="field"><span>${tmb('imapPassword')}</span><input name="imap_password" type="password" maxlength="200" autocomplete="new-password" ...${pw(m.has_imap_password)} /></label>
		</div>
		<div class="row">
			<label class="field grow"><span>${tmb('smtpUrl')}</span><input name="smtp_url" maxlength="499" placeholder="smtps://smtp.example.com:465" defaultValue=${m.smtp_url} /></label>
			<label class="field"><span>${tmb('smtpUser')}</span><input name="smtp_user" maxlength="254" autocomplete="off" defaultValue=${m.smtp_user} /></label>
			<label class="field"><span>${tmb('smtpPassword')}</span><input name="smtp_password" type="password" maxlength="200" autocomplete="new-password" ...${pw(m.has_smtp_password)} /></label>
			<label class="field"><span>${tmb('smtpTls')}</span><select name="smtp_tls">
				${['off', 'starttls', 'on'].map((v) => html`<option value=${v} selected=${m.smtp_tls === v}>${ts('smtp.tls.' + v)}</option>`)}</select></label>
		</div>
		<label class="field"><span>${tmb('signature')}</span><textarea name="signature" rows="3" maxlength="2000" defaultValue=${m.signature}></textarea></label>
		<div class="row">
			<label class="field"><span>${tmb('poll')}</span><input name="poll_seconds" type="number" min="1" max="86400" defaultValue=${m.poll_seconds} /></label>
			<label class="check"><input name="enabled" type="checkbox" defaultChecked=${m.enabled} /> ${tmb('enabled')}</label>
			${mb && html`<small class="muted">${tmb('lastUid', { uid: mb.last_uid })}</small>`}
		</div>
		<div class="row">
			<button type="submit" class="primary" disabled=${busy.value}>${mb ? tmb('save') : tmb('add')}</button>
			${mb && mb.imap_url && html`<button type="button" class="mailbox-test" disabled=${busy.value} onClick=${onTest}>${tmb('test')}</button>`}
			${mb && html`<button type="button" class="danger" onClick=${onRemove}>${tmb('remove')}</button>`}
		</div>
		${msg.value && html`<p class=${msg.value.ok ? 'ok' : 'error'} role="status">${msg.value.text}</p>`}
	</form>`;
}

const when = (s) => (s ? new Date(s * 1000).toLocaleString() : '');

function Problems() {
	const failed = useSignal(null);
	const rejects = useSignal(null);
	const loadFailed = () => get('/api/v1/mail/outbox?status=failed&limit=50').then((d) => (failed.value = d.outbox), () => (failed.value = []));
	useEffect(() => {
		loadFailed();
		get('/api/v1/mail/rejects?limit=50').then((d) => (rejects.value = d.rejects), () => (rejects.value = []));
	}, []);
	// a failed or stuck (interrupted, maybe delivered) row: the admin sends it again or drops it
	const act = (o, retry) => (retry ? post(`/api/v1/mail/outbox/${o.id}/retry`) : del(`/api/v1/mail/outbox/${o.id}`)).then(loadFailed, loadFailed);
	return html`<div class="mail-problems">
		<h4>${tmb('failedTitle')}</h4>
		${failed.value && (failed.value.length ? html`<table class="list mail-failed"><thead><tr><th>${tmb('at')}</th><th>${tmb('ticket')}</th><th>${tmb('to')}</th><th>${tmb('attempts')}</th><th>${tmb('error')}</th><th></th></tr></thead><tbody>
			${failed.value.map((o) => html`<tr class=${o.status}><td>${when(o.created_at)}</td><td>#${o.ticket_id}</td><td>${o.to}</td><td>${o.attempts}</td><td>${o.status === 'stuck' ? tmb('stuck') : o.last_error}</td>
				<td><button type="button" class="mail-retry" onClick=${() => act(o, true)}>${tmb('retry')}</button> <button type="button" class="danger mail-drop" onClick=${() => act(o, false)}>${tmb('drop')}</button></td></tr>`)}</tbody></table>`
		: html`<p class="muted">${tmb('noFailed')}</p>`)}
		<h4>${tmb('rejectsTitle')}</h4>
		${rejects.value && (rejects.value.length ? html`<table class="list mail-rejects"><thead><tr><th>${tmb('at')}</th><th>${tmb('reason')}</th><th>${tmb('size')}</th></tr></thead><tbody>
			${rejects.value.map((x) => html`<tr><td>${when(x.at)}</td><td>${x.reason}</td><td>${x.size}</td></tr>`)}</tbody></table>`
		: html`<p class="muted">${tmb('noRejects')}</p>`)}
	</div>`;
}

export function MailboxesPanel() {
	const sites = useSignal([]);
	const site = useSignal(0);
	const boxes = useSignal(null);
	const depts = useSignal([]);
	const err = useSignal('');

	useEffect(() => {
		get('/api/v1/sites').then((d) => {
			sites.value = d.sites || [];
			if (sites.value.length) site.value = sites.value[0].id;
		}, () => (err.value = t('errGeneric')));
	}, []);
	useEffect(() => {
		if (!site.value) return;
		boxes.value = null;
		get(`/api/v1/sites/${site.value}/mailboxes`).then((d) => (boxes.value = d.mailboxes), () => (err.value = t('errGeneric')));
		get(`/api/v1/sites/${site.value}/departments`).then((d) => (depts.value = d.departments || []), () => (depts.value = []));
	}, [site.value]);

	const onSaved = (m, created) => {
		boxes.value = created ? [...boxes.value, m] : boxes.value.map((x) => (x.id === m.id ? m : x));
	};
	const onRemoved = (id) => (boxes.value = boxes.value.filter((x) => x.id !== id));
	if (err.value) return html`<p class="error">${err.value}</p>`;
	return html`<div class="mailboxes" id="mailboxes">
		<p class="muted">${tmb('help')}</p>
		${sites.value.length > 1 && html`<label>${tmb('site')} <select id="mailboxes-site" onChange=${(e) => (site.value = +e.currentTarget.value)}>
			${sites.value.map((x) => html`<option value=${x.id} selected=${x.id === site.value}>${x.name}</option>`)}</select></label>`}
		${!boxes.value ? html`<p class="muted">${t('loading')}</p>` : html`
			${!boxes.value.length && html`<p class="muted">${tmb('none')}</p>`}
			${boxes.value.map((m) => html`<${MailboxForm} key=${m.id} mb=${m} depts=${depts.value} siteId=${site.value} onSaved=${onSaved} onRemoved=${onRemoved} />`)}
			<${MailboxForm} key=${'new-' + boxes.value.length} mb=${null} depts=${depts.value} siteId=${site.value} onSaved=${onSaved} onRemoved=${onRemoved} />`}
		<${Problems} />
	</div>`;
}
