// forms.js - Settings → Online forms (在线表单; admins; issue 7): per site, the list of forms with
// how many tickets each brought in and how much spam it turned away, a preview link, the embed
// snippet (an <iframe> of /f/<id>) with a copy button and an active switch; and the editor: name,
// ticket type, department, page texts and the field builder (add, remove, reorder; key, label,
// type, required, options for a choice, max length). The server checks the definitions again and
// names the field at fault. The API is /api/v1/sites/:id/forms and /api/v1/forms/:id.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, patch, del } from './api.js';
import { tfm, TICKET_TYPES, FIELD_TYPES } from './forms-i18n.js';

const html = htm.bind(h);

const EMPTY = { name: '', ticket_type: 'question', department_id: null, title: '', intro: '', success_message: '', active: true,
	fields: [{ key: 'name', label: '', type: 'text', required: true }] };

/* A definition for the editor: options as lines, max_length as text ('' = the type's default). */
const toRow = (f) => ({ key: f.key, label: f.label, type: f.type, required: !!f.required, options: (f.options || []).join('\n'), max_length: f.max_length ? String(f.max_length) : '' });
function fromRow(f) {
	const out = { key: f.key.trim(), label: f.label.trim(), type: f.type, required: f.required };
	if (f.type === 'select') out.options = f.options.split('\n').map((s) => s.trim()).filter(Boolean);
	if (f.max_length && f.type !== 'file' && f.type !== 'select') out.max_length = Math.trunc(+f.max_length) || undefined;
	return out;
}

function FieldRow({ f, i, n, set, move, remove }) {
	const upd = (k, v) => set(i, { ...f, [k]: v });
	return html`<fieldset class="form-field" data-i=${i}>
		<p class="inline-fields">
			<label>${tfm('label')} <input class="ff-label" value=${f.label} maxlength="200" required onInput=${(e) => upd('label', e.currentTarget.value)} /></label>
			<label>${tfm('key')} <input class="ff-key" value=${f.key} maxlength="32" pattern="[a-z0-9][a-z0-9_]*" required onInput=${(e) => upd('key', e.currentTarget.value)} /></label>
			<label>${tfm('ftype')} <select class="ff-type" onChange=${(e) => upd('type', e.currentTarget.value)}>
				${FIELD_TYPES.map((t) => html`<option value=${t} selected=${f.type === t}>${tfm('ft.' + t)}</option>`)}</select></label>
			${f.type !== 'file' && f.type !== 'select' && html`<label>${tfm('maxLength')} <input class="ff-max num-input" type="number" min="1" value=${f.max_length} onInput=${(e) => upd('max_length', e.currentTarget.value)} /></label>`}
			<label class="check"><input type="checkbox" class="ff-required" checked=${f.required} onChange=${(e) => upd('required', e.currentTarget.checked)} /> ${tfm('required')}</label>
		</p>
		${f.type === 'select' && html`<label>${tfm('options')} <textarea class="ff-options" rows="3" value=${f.options} onInput=${(e) => upd('options', e.currentTarget.value)}></textarea></label>`}
		<p><button type="button" class="small ff-up" disabled=${i === 0} onClick=${() => move(i, -1)}>${tfm('up')}</button>
			<button type="button" class="small ff-down" disabled=${i === n - 1} onClick=${() => move(i, 1)}>${tfm('down')}</button>
			<button type="button" class="small ff-remove" disabled=${n === 1} onClick=${() => remove(i)}>${tfm('remove')}</button></p>
	</fieldset>`;
}

function FormEditor({ initial, depts, onSave, onCancel }) {
	const f = useSignal({ ...initial, fields: initial.fields.map(toRow) });
	const msg = useSignal('');
	const v = f.value;
	const set = (k, val) => (f.value = { ...f.value, [k]: val });
	const setField = (i, row) => set('fields', v.fields.map((x, j) => (j === i ? row : x)));
	const move = (i, d) => {
		const a = [...v.fields];
		[a[i], a[i + d]] = [a[i + d], a[i]];
		set('fields', a);
	};
	const remove = (i) => set('fields', v.fields.filter((_, j) => j !== i));
	const add = () => set('fields', [...v.fields, { key: 'field' + (v.fields.length + 1), label: '', type: 'text', required: false, options: '', max_length: '' }]);
	async function submit(e) {
		e.preventDefault();
		msg.value = '';
		const body = { name: v.name.trim(), ticket_type: v.ticket_type, department_id: v.department_id || null, title: v.title, intro: v.intro,
			success_message: v.success_message, active: !!v.active, fields: v.fields.map(fromRow) };
		try {
			await onSave(body);
		} catch (x) {
			msg.value = tfm('err') + (x.message ? ': ' + x.message : '');
		}
	}
	const text = (k, id, max) => html`<input id=${id} value=${v[k]} maxlength=${max} onInput=${(e) => set(k, e.currentTarget.value)} />`;
	return html`<form class="form-editor" id="form-editor" onSubmit=${submit}>
		<label>${tfm('name')} <input id="form-name" value=${v.name} maxlength="100" required onInput=${(e) => set('name', e.currentTarget.value)} /></label>
		<p class="inline-fields">
			<label>${tfm('type')} <select id="form-type" onChange=${(e) => set('ticket_type', e.currentTarget.value)}>
				${TICKET_TYPES.map((t) => html`<option value=${t} selected=${v.ticket_type === t}>${tfm('type.' + t)}</option>`)}</select></label>
			<label>${tfm('dept')} <select id="form-dept" onChange=${(e) => set('department_id', +e.currentTarget.value || null)}>
				<option value="0">${tfm('noDept')}</option>
				${depts.map((d) => html`<option value=${d.id} selected=${v.department_id === d.id}>${d.name}</option>`)}</select></label></p>
		<label>${tfm('heading')} ${text('title', 'form-title', 200)}</label>
		<label>${tfm('intro')} <textarea id="form-intro" rows="2" maxlength="2000" value=${v.intro} onInput=${(e) => set('intro', e.currentTarget.value)}></textarea></label>
		<label>${tfm('success')} ${text('success_message', 'form-success', 1000)}</label>
		<h4>${tfm('fields')}</h4>
		${v.fields.map((row, i) => html`<${FieldRow} key=${i} f=${row} i=${i} n=${v.fields.length} set=${setField} move=${move} remove=${remove} />`)}
		<p><button type="button" id="form-add-field" disabled=${v.fields.length >= 30} onClick=${add}>${tfm('addField')}</button></p>
		<label class="check"><input type="checkbox" id="form-active" checked=${v.active} onChange=${(e) => set('active', e.currentTarget.checked)} /> ${tfm('active')}</label>
		<p><button type="submit" class="primary" id="form-save">${tfm('save')}</button>
			<button type="button" id="form-cancel" onClick=${onCancel}>${tfm('cancel')}</button>
			<span role="status" class="error" id="form-status">${msg.value}</span></p>
	</form>`;
}

/* The snippet a shop pastes into a page: the hosted form in an iframe. */
const snippet = (fm) => `<iframe src="${location.origin}/f/${fm.id}" title="${fm.name.replace(/[<>&"]/g, '')}" style="width:100%;min-height:640px;border:0" loading="lazy"></iframe>`;

function Embed({ fm }) {
	const done = useSignal(false);
	const copy = () => navigator.clipboard.writeText(snippet(fm)).then(() => (done.value = true), () => {});
	return html`<div class="form-embed-box"><p class="muted small-text">${tfm('embedHelp')}</p>
		<textarea id="form-embed-code" readonly rows="3" onFocus=${(e) => e.currentTarget.select()}>${snippet(fm)}</textarea>
		<p><button type="button" class="small" id="form-embed-copy" onClick=${copy}>${tfm('copy')}</button> <span role="status">${done.value ? tfm('copied') : ''}</span></p></div>`;
}

function Row({ fm, depts, onEdit, onToggle, onDelete, embedOpen, onEmbed }) {
	const dept = depts.find((d) => d.id === fm.department_id);
	return html`<tr class="form-row" data-id=${fm.id}>
		<td><b class="form-row-name">${fm.name}</b>${!fm.active && html` <span class="badge">${tfm('inactive')}</span>`}
			<div class="muted small-text">${tfm('type.' + fm.ticket_type)}${dept ? ' · ' + dept.name : ''} · ${fm.fields.length} ${tfm('fields')}</div>
			${embedOpen && html`<${Embed} fm=${fm} />`}</td>
		<td class="form-used">${fm.submissions} / ${fm.spam}</td>
		<td class="nowrap"><a class="form-preview" href=${fm.url} target="_blank" rel="noopener">${tfm('preview')}</a>
			<button type="button" class="small form-embed" onClick=${() => onEmbed(fm)}>${tfm('embed')}</button>
			<button type="button" class="small form-edit" onClick=${() => onEdit(fm)}>${tfm('edit')}</button>
			<button type="button" class="small form-toggle" onClick=${() => onToggle(fm)}>${tfm(fm.active ? 'deactivate' : 'activate')}</button>
			<button type="button" class="small form-delete" onClick=${() => onDelete(fm)}>${tfm('del')}</button></td>
	</tr>`;
}

export function FormsPanel() {
	const sites = useSignal([]);
	const site = useSignal(0);
	const list = useSignal(null);
	const depts = useSignal([]);
	const editing = useSignal(null); // null: the list; {} with or without id: the editor
	const embed = useSignal(0);
	const err = useSignal('');
	const fail = (x) => (err.value = tfm('err') + ': ' + x.message);
	const load = () => {
		get(`/api/v1/sites/${site.value}/forms`).then((d) => (list.value = d.forms || []), () => (err.value = tfm('loadErr')));
		get(`/api/v1/sites/${site.value}/departments`).then((d) => (depts.value = d.departments || []), () => (depts.value = []));
	};
	useEffect(() => {
		get('/api/v1/sites').then((d) => {
			sites.value = d.sites || [];
			if (sites.value.length) site.value = sites.value[0].id;
		}, () => (err.value = tfm('loadErr')));
	}, []);
	useEffect(() => {
		if (site.value) load();
	}, [site.value]);
	async function save(body) {
		const id = editing.value.id;
		if (id) await patch(`/api/v1/forms/${id}`, body);
		else await post(`/api/v1/sites/${site.value}/forms`, body);
		editing.value = null;
		load();
	}
	const toggle = (fm) => patch(`/api/v1/forms/${fm.id}`, { active: !fm.active }).then(load, fail);
	const remove = (fm) => confirm(tfm('delConfirm', { name: fm.name })) && del(`/api/v1/forms/${fm.id}`).then(load, fail);
	return html`<div class="forms-panel" id="forms-panel">
		<p class="muted small-text">${tfm('help')}</p>
		${sites.value.length > 1 && html`<label>${tfm('site')} <select id="forms-site" onChange=${(e) => { site.value = +e.currentTarget.value; editing.value = null; }}>
			${sites.value.map((x) => html`<option value=${x.id} selected=${x.id === site.value}>${x.name}</option>`)}</select></label>`}
		${err.value && html`<p class="error">${err.value}</p>`}
		${editing.value
			? html`<${FormEditor} key=${editing.value.id || 'new'} initial=${editing.value.id ? editing.value : EMPTY} depts=${depts.value}
				onSave=${save} onCancel=${() => (editing.value = null)} />`
			: html`<p><button type="button" class="primary" id="form-new" onClick=${() => (editing.value = {})}>${tfm('new')}</button></p>`}
		${list.value && !list.value.length && html`<p class="muted" id="forms-none">${tfm('none')}</p>`}
		${list.value && list.value.length > 0 && html`<div class="table-wrap"><table id="forms-table"><thead><tr>
			<th>${tfm('name')}</th><th>${tfm('used')}</th><th></th></tr></thead>
			<tbody>${list.value.map((fm) => html`<${Row} key=${fm.id} fm=${fm} depts=${depts.value} embedOpen=${embed.value === fm.id}
				onEmbed=${(x) => (embed.value = embed.value === x.id ? 0 : x.id)} onEdit=${(x) => (editing.value = x)} onToggle=${toggle} onDelete=${remove} />`)}</tbody></table></div>`}
	</div>`;
}
