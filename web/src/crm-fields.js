// crm-fields.js - Settings → Customer fields, admins only (issue 6): the site's custom customer
// fields (key, label, type, options for a select), edited as one list and saved with
// PUT /api/v1/sites/:id/customer-fields (docs/crm.md "Custom fields"). The server checks every
// definition and answers which one is wrong; that message is shown as it comes.
// CustomFields shows a customer's values with their labels (the customer panel, the CRM page).
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, put } from './api.js';
import { lang } from './i18n.js';
import { useSites, SitePicker } from './visitors.js';

const html = htm.bind(h);
const TYPES = ['text', 'number', 'date', 'select', 'boolean'];

const S = {
	'zh-CN': {
		title: '客户自定义字段', help: '为客户资料增加字段（如尺码、微信号）；定义后，客户的自定义值须符合字段类型。',
		site: '站点', key: '键名', label: '显示名称', type: '类型', options: '选项（逗号分隔）', add: '添加字段', remove: '删除',
		save: '保存', saved: '已保存', err: '保存失败', none: '尚未定义字段',
		't.text': '文本', 't.number': '数字', 't.date': '日期', 't.select': '单选', 't.boolean': '是/否', yes: '是', no: '否',
	},
	'zh-TW': {
		title: '客戶自訂欄位', help: '為客戶資料增加欄位（如尺碼、LINE ID）；定義後，客戶的自訂值須符合欄位類型。',
		site: '網站', key: '鍵名', label: '顯示名稱', type: '類型', options: '選項（逗號分隔）', add: '新增欄位', remove: '刪除',
		save: '儲存', saved: '已儲存', err: '儲存失敗', none: '尚未定義欄位',
		't.text': '文字', 't.number': '數字', 't.date': '日期', 't.select': '單選', 't.boolean': '是/否', yes: '是', no: '否',
	},
	en: {
		title: 'Customer fields', help: 'Add fields to customer profiles (size, WeChat id…); once defined, a customer\'s custom values must fit their type.',
		site: 'Site', key: 'Key', label: 'Label', type: 'Type', options: 'Options (comma-separated)', add: 'Add a field', remove: 'Remove',
		save: 'Save', saved: 'Saved', err: 'Could not save', none: 'No fields yet',
		't.text': 'Text', 't.number': 'Number', 't.date': 'Date', 't.select': 'Choice', 't.boolean': 'Yes/no', yes: 'Yes', no: 'No',
	},
};
export const tf = (k) => (S[lang.value] || S.en)[k] || S.en[k] || k;

/* The site's definitions, cached per site for the panels that show values. */
const cache = new Map();
export function fieldsOf(siteId) {
	if (!cache.has(siteId)) cache.set(siteId, get('/api/v1/sites/' + siteId + '/customer-fields').then((d) => d.fields || [], () => []));
	return cache.get(siteId);
}

/* A customer's custom values: defined fields with their labels first, anything else by key. */
export function CustomFields({ customer }) {
	const defs = useSignal([]);
	useEffect(() => {
		fieldsOf(customer.site_id).then((f) => (defs.value = f));
	}, [customer.site_id]);
	const vals = customer.custom || {};
	const shown = (v) => (v === true ? tf('yes') : v === false ? tf('no') : String(v));
	const rows = defs.value.filter((d) => vals[d.key] != null).map((d) => [d.key, d.label, vals[d.key]]);
	for (const k of Object.keys(vals)) if (!defs.value.some((d) => d.key === k) && vals[k] != null) rows.push([k, k, vals[k]]);
	if (!rows.length) return null;
	return html`<dl class="customer-facts customer-custom" id="customer-custom">
		${rows.map(([k, label, v]) => html`<dt key=${'t' + k}>${label}</dt><dd key=${'d' + k} data-key=${k}>${typeof v === 'object' ? JSON.stringify(v) : shown(v)}</dd>`)}
	</dl>`;
}

function Row({ f, i, list }) {
	const set = (k, v) => (list.value = list.value.map((x, j) => (j === i ? { ...x, [k]: v } : x)));
	return html`<tr class="crm-field-row">
		<td><input class="crm-field-key" value=${f.key} maxlength="32" pattern="[a-z_][a-z0-9_]*" aria-label=${tf('key')}
			onInput=${(e) => set('key', e.currentTarget.value)} /></td>
		<td><input class="crm-field-label" value=${f.label} maxlength="60" aria-label=${tf('label')}
			onInput=${(e) => set('label', e.currentTarget.value)} /></td>
		<td><select class="crm-field-type" aria-label=${tf('type')} onChange=${(e) => set('type', e.currentTarget.value)}>
			${TYPES.map((t) => html`<option value=${t} selected=${t === f.type}>${tf('t.' + t)}</option>`)}</select></td>
		<td>${f.type === 'select' && html`<input class="crm-field-options" value=${f.optionsText} aria-label=${tf('options')}
			onInput=${(e) => set('optionsText', e.currentTarget.value)} />`}</td>
		<td><button type="button" class="small" onClick=${() => (list.value = list.value.filter((x, j) => j !== i))}>${tf('remove')}</button></td>
	</tr>`;
}

export function CrmFieldsPanel() {
	const { sites, site, choose } = useSites();
	const list = useSignal(null);   /* null while the site's fields load: editing waits for them */
	const msg = useSignal('');
	useEffect(() => {
		if (!site.value) return;
		msg.value = '';
		list.value = null;
		get('/api/v1/sites/' + site.value + '/customer-fields').then(
			(d) => (list.value = (d.fields || []).map((f) => ({ ...f, optionsText: (f.options || []).join(', ') }))),
			() => (list.value = []),
		);
	}, [site.value]);
	async function save(e) {
		e.preventDefault();
		const fields = list.value.map(({ key, label, type, optionsText }) => {
			const f = { key: key.trim(), label: label.trim(), type };
			if (type === 'select') f.options = (optionsText || '').split(/[,，]/).map((s) => s.trim()).filter(Boolean);
			return f;
		});
		try {
			await put('/api/v1/sites/' + site.value + '/customer-fields', { fields });
			cache.delete(site.value);
			msg.value = tf('saved');
		} catch (x) {
			msg.value = tf('err') + (x.message ? ': ' + x.message : '');
		}
	}
	return html`<form class="crm-fields" id="crm-fields-form" onSubmit=${save}>
		<p class="muted">${tf('help')}</p>
		<${SitePicker} sites=${sites} site=${site} choose=${choose} id="crm-fields-site" />
		${list.value === null
			? html`<p class="muted">…</p>`
			: list.value.length
			? html`<table class="crm-fields-table"><thead><tr><th>${tf('key')}</th><th>${tf('label')}</th><th>${tf('type')}</th><th>${tf('options')}</th><th></th></tr></thead>
				<tbody>${list.value.map((f, i) => html`<${Row} key=${i} f=${f} i=${i} list=${list} />`)}</tbody></table>`
			: html`<p class="muted">${tf('none')}</p>`}
		${list.value !== null && html`<button type="button" class="small" id="crm-fields-add"
			onClick=${() => (list.value = [...list.value, { key: '', label: '', type: 'text', optionsText: '' }])}>${tf('add')}</button>
		<button type="submit" class="primary" id="crm-fields-save">${tf('save')}</button>`}
		<span role="status" class="muted" id="crm-fields-status">${msg.value}</span>
	</form>`;
}
