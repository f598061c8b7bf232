// smtp.js - Settings → E-mail (SMTP), admins only: the outgoing mail server for offline alerts,
// replies by e-mail and transcripts, and a test message. Server: docs/api.md "Settings (admin)".
// The password is never sent back (only password_set); leaving it empty keeps the stored one.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, put, post } from './api.js';
import { t } from './i18n.js';
import { ts } from './settings-i18n.js';

const html = htm.bind(h);
const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function SmtpPanel() {
	const smtp = useSignal(null);
	const loadErr = useSignal('');
	const busy = useSignal(false);
	const err = useSignal('');
	const ok = useSignal(false);
	const testing = useSignal(false);
	const result = useSignal(null); // { ok, text }

	useEffect(() => {
		get('/api/v1/settings/smtp').then(
			(d) => (smtp.value = (d && d.smtp) || { host: '', port: 587, from: '', user: '', tls: 'starttls', password_set: false }),
			(e) => (loadErr.value = e.status === 0 ? 'errNetwork' : 'errGeneric'),
		);
	}, []);

	async function onSave(e) {
		e.preventDefault();
		const f = e.currentTarget.elements;
		const port = parseInt(f.port.value, 10);
		const body = {
			host: f.host.value.trim(),
			port: isNaN(port) ? 0 : port,
			from: f.from.value.trim(),
			user: f.user.value.trim(),
			tls: f.tls.value,
		};
		if (f.password.value) body.password = f.password.value;
		err.value = '';
		ok.value = false;
		if (!body.host || !EMAIL_RE.test(body.from) || !(port >= 0 && port <= 65535)) {
			err.value = ts('smtp.invalid');
			(!body.host ? f.host : !EMAIL_RE.test(body.from) ? f.from : f.port).focus();
			return;
		}
		busy.value = true;
		try {
			const d = await put('/api/v1/settings/smtp', body);
			smtp.value = d.smtp;
			f.password.value = '';
			ok.value = true;
		} catch (x) {
			err.value = x.status === 422 ? ts('smtp.invalid') + (x.message ? ' (' + x.message + ')' : '') : x.status === 0 ? t('errNetwork') : t('errGeneric');
		} finally {
			busy.value = false;
		}
	}

	async function onTest() {
		const inp = document.getElementById('smtp-test-to');
		const to = inp.value.trim();
		if (!EMAIL_RE.test(to)) {
			result.value = { ok: false, text: ts('smtp.badTo') };
			inp.focus();
			return;
		}
		testing.value = true;
		result.value = null;
		try {
			await post('/api/v1/settings/smtp/test', { to });
			result.value = { ok: true, text: ts('smtp.testOk', { to }) };
		} catch (x) {
			const msg = x.status === 409 ? ts('smtp.saveFirst') : x.status === 0 ? t('errNetwork') : x.message || t('errGeneric');
			result.value = { ok: false, text: x.status === 409 ? msg : ts('smtp.testFail', { msg }) };
		} finally {
			testing.value = false;
		}
	}

	if (loadErr.value) return html`<p class="error">${t(loadErr.value)}</p>`;
	const s = smtp.value;
	if (!s) return html`<p class="muted">${t('loading')}</p>`;
	return html`<div class="smtp">
		<form id="smtp-form" class="card smtp-form" onSubmit=${onSave} novalidate>
			<p class="muted">${ts('smtp.help')}</p>
			<div class="row">
				<label class="field grow"><span>${ts('smtp.host')}</span>
					<input name="host" id="smtp-host" required maxlength="200" placeholder="smtp.example.com" defaultValue=${s.host || ''} /></label>
				<label class="field port"><span>${ts('smtp.port')}</span>
					<input name="port" id="smtp-port" type="number" min="0" max="65535" inputmode="numeric" defaultValue=${s.port || ''} /></label>
			</div>
			<label class="field"><span>${ts('smtp.from')}</span>
				<input name="from" id="smtp-from" type="email" required maxlength="200" placeholder="service@shop.example" defaultValue=${s.from || ''} /></label>
			<div class="row">
				<label class="field grow"><span>${ts('smtp.user')}</span>
					<input name="user" id="smtp-user" maxlength="200" autocomplete="off" defaultValue=${s.user || ''} /></label>
				<label class="field grow"><span>${ts('smtp.password')}</span>
					<input name="password" id="smtp-password" type="password" maxlength="200" autocomplete="new-password"
						placeholder=${s.password_set ? '••••••••' : ''} aria-describedby="smtp-pw-help" /></label>
			</div>
			${s.password_set && html`<small class="muted" id="smtp-pw-help">${ts('smtp.passwordSet')}</small>`}
			<label class="field"><span>${ts('smtp.tls')}</span>
				<select name="tls" id="smtp-tls" defaultValue=${s.tls || 'off'}>
					${['off', 'starttls', 'on'].map((v) => html`<option value=${v} selected=${(s.tls || 'off') === v}>${ts('smtp.tls.' + v)}</option>`)}
				</select></label>
			${err.value && html`<p class="error" role="alert">${err.value}</p>`}
			${ok.value && !err.value && html`<p class="ok" role="status">${ts('smtp.saved')}</p>`}
			<div class="row"><button type="submit" id="smtp-save" class="primary" disabled=${busy.value}>${ts('smtp.save')}</button></div>
			<div class="row smtp-test">
				<label class="field grow"><span>${ts('smtp.testTo')}</span>
					<input id="smtp-test-to" type="email" maxlength="200" placeholder="me@shop.example"
						onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); onTest(); } }} /></label>
				<button type="button" id="smtp-test" disabled=${testing.value} onClick=${onTest}>${testing.value ? ts('smtp.testing') : ts('smtp.test')}</button>
			</div>
			<p id="smtp-result" role="status" data-ok=${result.value ? String(result.value.ok) : ''}
				class=${result.value ? (result.value.ok ? 'ok' : 'error') : 'muted'} hidden=${!result.value}>${result.value ? result.value.text : ''}</p>
		</form>
	</div>`;
}
