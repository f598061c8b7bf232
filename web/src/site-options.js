// site-options.js - the chat options of a site in Settings → Sites: business hours, how long closed
// conversations are kept, the widget's pre-chat form, the auto-reply, and file limits.
// SiteOptions renders the fields inside the site form; readOptions(form) turns them into the
// site JSON fields (docs/api.md "POST /api/v1/sites"), or an error and the input to focus.
import { h } from 'preact';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { ts } from './settings-i18n.js';
import { TrackingSwitch } from './visitors.js';

const html = htm.bind(h);

export const ZONES = ['Asia/Shanghai', 'Asia/Taipei', 'Asia/Hong_Kong', 'Asia/Singapore', 'Europe/London', 'America/New_York', 'UTC'];
export const PRECHAT_FIELDS = ['name', 'email', 'phone', 'question', 'agent'];
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const MB = 1048576;

function browserZone() {
	try {
		return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai';
	} catch (e) {
		return 'Asia/Shanghai';
	}
}

/* Weekdays 09:00-18:00, the weekend closed: the starting point when hours are first set. */
function defaultDays() {
	return [0, 1, 2, 3, 4, 5, 6].map((i) => (i < 5 ? [['09:00', '18:00']] : []));
}

function validDays(d) {
	return Array.isArray(d) && d.length === 7 && d.every((x) => Array.isArray(x));
}

export function SiteOptions({ site }) {
	const s = site || {};
	const bh = s.business_hours && validDays(s.business_hours.days) ? s.business_hours : null;
	const days = bh ? bh.days : defaultDays();
	const always = useSignal(!bh);
	const closed = useSignal(days.map((d) => !d.length));
	const pre = s.prechat || {};
	const preOn = useSignal(!!pre.enabled);
	const asked = new Set(pre.fields || ['name', 'email', 'question']);
	const req = new Set(pre.required || ['email']);
	const names = ts('days');
	const maxMb = s.max_file_bytes ? +(s.max_file_bytes / MB).toFixed(3) : 10;

	return html`<fieldset class="site-options">
		<legend>${ts('site.options')}</legend>

		<fieldset class="opt-group" id="site-hours">
			<legend>${ts('hours.title')}</legend>
			<label class="check"><input type="checkbox" name="hours_always" id="site-hours-always" checked=${always.value}
				onChange=${(e) => (always.value = e.currentTarget.checked)} /> ${ts('hours.always')}</label>
			<div class="hours-detail" hidden=${always.value}>
				<label class="field inline"><span>${ts('hours.tz')}</span>
					<input name="tz" id="site-tz" list="site-tz-list" maxlength="64" autocomplete="off" spellcheck="false"
						defaultValue=${(bh && bh.tz) || browserZone()} /></label>
				<datalist id="site-tz-list">${ZONES.map((z) => html`<option value=${z}></option>`)}</datalist>
				<table class="hours-table">
					<thead><tr><th></th><th>${ts('hours.open')}</th><th>${ts('hours.close')}</th><th>${ts('hours.closed')}</th></tr></thead>
					<tbody>
						${names.map((day, i) => {
							const first = (days[i] && days[i][0]) || ['09:00', '18:00'];
							const more = days[i] ? days[i].length - 1 : 0;
							const off = closed.value[i];
							return html`<tr key=${i} data-day=${i} class=${off ? 'day-closed' : ''}>
								<th scope="row">${day}</th>
								<td><input type="time" name=${'day' + i + '_open'} id=${'site-day' + i + '-open'} aria-label=${day + ' ' + ts('hours.open')}
									defaultValue=${first[0]} disabled=${off} /></td>
								<td><input type="time" name=${'day' + i + '_close'} id=${'site-day' + i + '-close'} aria-label=${day + ' ' + ts('hours.close')}
									defaultValue=${first[1]} disabled=${off} data-more=${more > 0 ? JSON.stringify(days[i].slice(1)) : undefined} />
									${more > 0 && html` <small class="muted">${ts('hours.more', { n: more })}</small>`}</td>
								<td><input type="checkbox" name=${'day' + i + '_closed'} id=${'site-day' + i + '-closed'} aria-label=${day + ' ' + ts('hours.closed')}
									checked=${off} onChange=${(e) => {
										const c = closed.value.slice();
										c[i] = e.currentTarget.checked;
										closed.value = c;
									}} /></td>
							</tr>`;
						})}
					</tbody>
				</table>
				<small class="muted">${ts('hours.help')}</small>
			</div>
		</fieldset>

		<fieldset class="opt-group" id="site-prechat-group">
			<legend>${ts('pre.title')}</legend>
			<label class="check"><input type="checkbox" name="prechat_enabled" id="site-prechat" checked=${preOn.value}
				onChange=${(e) => (preOn.value = e.currentTarget.checked)} /> ${ts('pre.enabled')}</label>
			<table class="prechat-table" hidden=${!preOn.value}>
				<thead><tr><th>${ts('pre.field')}</th><th>${ts('pre.ask')}</th><th>${ts('pre.required')}</th></tr></thead>
				<tbody>${PRECHAT_FIELDS.map((f) => html`<tr key=${f}>
					<th scope="row">${ts('pre.f.' + f)}</th>
					<td><input type="checkbox" name=${'prechat_ask_' + f} id=${'site-prechat-ask-' + f} aria-label=${ts('pre.f.' + f) + ' ' + ts('pre.ask')}
						defaultChecked=${asked.has(f)} /></td>
					<td><input type="checkbox" name=${'prechat_req_' + f} id=${'site-prechat-req-' + f} aria-label=${ts('pre.f.' + f) + ' ' + ts('pre.required')}
						defaultChecked=${req.has(f)} /></td>
				</tr>`)}</tbody>
			</table>
		</fieldset>

		<fieldset class="opt-group">
			<legend>${ts('auto.title')}</legend>
			<label class="field"><span>${ts('auto.text')}</span>
				<textarea name="auto_reply" id="site-auto-reply" rows="2" maxlength="1000" defaultValue=${s.auto_reply || ''}></textarea>
				<small class="muted">${ts('auto.help')}</small></label>
			<label class="field inline"><span>${ts('auto.delay')}</span>
				<input type="number" name="auto_reply_delay" id="site-auto-reply-delay" min="1" max="3600" step="1" class="num"
					defaultValue=${s.auto_reply_delay || 30} /></label>
		</fieldset>

		<fieldset class="opt-group">
			<legend>${ts('files.title')}</legend>
			<label class="field inline"><span>${ts('files.max')}</span>
				<input type="number" name="max_mb" id="site-max-mb" min="0.001" max="100" step="any" class="num" defaultValue=${maxMb} /></label>
			<label class="field"><span>${ts('files.types')}</span>
				<input name="file_types" id="site-file-types" maxlength="500" spellcheck="false"
					defaultValue=${(s.file_types || ['image/', 'application/pdf', 'text/plain', 'application/zip']).join(' ')} />
				<small class="muted">${ts('files.typesHelp')}</small></label>
		</fieldset>

		<fieldset class="opt-group">
			<legend>${ts('ret.title')}</legend>
			<label class="field inline"><span class="sr-only">${ts('ret.title')}</span>
				<input type="number" name="retention_days" id="site-retention" min="0" max="36500" step="1" class="num"
					defaultValue=${s.retention_days || 0} /></label>
			<small class="muted">${ts('ret.help')}</small>
		</fieldset>

		<${TrackingSwitch} siteId=${s.id} />
	</fieldset>`;
}

/* The form's options as site fields: { body } or { error, focus }. */
export function readOptions(f) {
	const body = {};
	if (f.hours_always.checked) body.business_hours = null;
	else {
		const tz = f.tz.value.trim();
		if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return { error: ts('hours.badTz'), focus: f.tz };
		const days = [];
		const names = ts('days');
		for (let i = 0; i < 7; i++) {
			if (f['day' + i + '_closed'].checked) {
				days.push([]);
				continue;
			}
			const o = f['day' + i + '_open'], c = f['day' + i + '_close'];
			if (!TIME_RE.test(o.value) || !TIME_RE.test(c.value) || o.value >= c.value)
				return { error: ts('hours.badTime', { day: names[i] }), focus: TIME_RE.test(o.value) ? c : o };
			let more = [];
			try {
				more = JSON.parse(c.getAttribute('data-more') || '[]'); // periods after the first, kept as they were
			} catch (e) {
				more = [];
			}
			days.push([[o.value, c.value]].concat(more));
		}
		body.business_hours = { tz, days };
	}
	const fields = PRECHAT_FIELDS.filter((x) => f['prechat_ask_' + x].checked);
	body.prechat = {
		enabled: f.prechat_enabled.checked,
		fields,
		required: fields.filter((x) => f['prechat_req_' + x].checked),
	};
	body.auto_reply = f.auto_reply.value.trim();
	const delay = Number(f.auto_reply_delay.value);
	if (!Number.isInteger(delay) || delay < 1 || delay > 3600) return { error: ts('auto.badDelay'), focus: f.auto_reply_delay };
	body.auto_reply_delay = delay;
	const mb = Number(f.max_mb.value);
	if (!(mb >= 0.001 && mb <= 100)) return { error: ts('files.badMax'), focus: f.max_mb };
	body.max_file_bytes = Math.round(mb * MB);
	body.file_types = f.file_types.value.split(/[\s,，、]+/).map((x) => x.trim().toLowerCase()).filter(Boolean);
	const ret = Number(f.retention_days.value || 0);
	body.retention_days = Number.isInteger(ret) && ret >= 0 ? ret : 0;
	return { body };
}
