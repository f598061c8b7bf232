// crm-import.js - Settings → Import orders (CSV), admins only (issue 6): pick a site and a CSV
// file, name the columns, upload with a progress bar (XHR upload progress: fetch has none),
// then the report: rows accepted, unchanged and rejected with the line and the reason.
// Server: POST /api/v1/sites/:id/orders/import (docs/crm.md "Import"). Strings in three
// languages here; the server's reasons are shown as it writes them (English).
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, getCsrf } from './api.js';
import { lang } from './i18n.js';

const html = htm.bind(h);
const FIELDS = ['number', 'placed_at', 'total', 'status', 'customer', 'name', 'email', 'phone', 'items', 'currency'];

const S = {
	'zh-CN': {
		title: '导入订单（CSV）', help: '每行一个订单；已导入且未变化的行记为“未变化”。填写每个字段对应的列名（留空则使用同名列）。',
		site: '站点', file: 'CSV 文件', currency: '默认币种', upload: '上传并导入', uploading: '正在上传…', processing: '正在导入…',
		report: '共 {rows} 行：导入 {accepted}，未变化 {unchanged}，拒绝 {rejected}', line: '行', reason: '原因',
		more: '另有 {n} 行被拒绝未列出', noFile: '请选择一个 CSV 文件', err: '导入失败', column: '列名',
		'f.number': '订单号', 'f.placed_at': '下单时间', 'f.total': '金额', 'f.status': '状态', 'f.customer': '客户编号',
		'f.name': '客户姓名', 'f.email': '邮箱', 'f.phone': '电话', 'f.items': '件数', 'f.currency': '币种',
	},
	'zh-TW': {
		title: '匯入訂單（CSV）', help: '每列一筆訂單；已匯入且未變更的列記為「未變更」。填寫每個欄位對應的欄名（留空則使用同名欄）。',
		site: '網站', file: 'CSV 檔案', currency: '預設幣別', upload: '上傳並匯入', uploading: '正在上傳…', processing: '正在匯入…',
		report: '共 {rows} 列：匯入 {accepted}，未變更 {unchanged}，拒絕 {rejected}', line: '列', reason: '原因',
		more: '另有 {n} 列被拒絕未列出', noFile: '請選擇一個 CSV 檔案', err: '匯入失敗', column: '欄名',
		'f.number': '訂單號', 'f.placed_at': '下單時間', 'f.total': '金額', 'f.status': '狀態', 'f.customer': '客戶編號',
		'f.name': '客戶姓名', 'f.email': '電子郵件', 'f.phone': '電話', 'f.items': '件數', 'f.currency': '幣別',
	},
	en: {
		title: 'Import orders (CSV)', help: 'One order a row; rows already imported and unchanged count as unchanged. Name the column of each field (empty: the column of the same name).',
		site: 'Site', file: 'CSV file', currency: 'Default currency', upload: 'Upload and import', uploading: 'Uploading…', processing: 'Importing…',
		report: '{rows} rows: {accepted} imported, {unchanged} unchanged, {rejected} rejected', line: 'Line', reason: 'Reason',
		more: '{n} more rejected rows not listed', noFile: 'Choose a CSV file', err: 'The import failed', column: 'column',
		'f.number': 'Order number', 'f.placed_at': 'Placed at', 'f.total': 'Total', 'f.status': 'Status', 'f.customer': 'Customer id',
		'f.name': 'Customer name', 'f.email': 'E-mail', 'f.phone': 'Phone', 'f.items': 'Item count', 'f.currency': 'Currency',
	},
};
export const tci = (k, vars) => {
	let s = (S[lang.value] || S.en)[k] || S.en[k] || k;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, v) => (vars[v] != null ? String(vars[v]) : m));
	return s;
};

/* POSTs the file with upload progress; resolves the report, rejects with the server's message. */
function send(siteId, file, map, currency, onProgress) {
	return new Promise((resolve, reject) => {
		const x = new XMLHttpRequest();
		const q = '?map=' + encodeURIComponent(JSON.stringify(map)) + '&currency=' + encodeURIComponent(currency);
		x.open('POST', '/api/v1/sites/' + siteId + '/orders/import' + q);
		x.setRequestHeader('Content-Type', 'text/csv');
		x.setRequestHeader('X-CSRF-Token', getCsrf());
		x.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
		x.onload = () => {
			let d = null;
			try { d = JSON.parse(x.responseText); } catch { /* not JSON */ }
			if (x.status === 200 && d) resolve(d);
			else reject(new Error((d && d.error && d.error.message) || 'HTTP ' + x.status));
		};
		x.onerror = () => reject(new Error('network'));
		x.send(file);
	});
}

export function CrmImportPanel() {
	const sites = useSignal([]);
	const progress = useSignal(-1); // -1 idle, 0..1 uploading, 2 processing
	const report = useSignal(null);
	const err = useSignal('');
	useEffect(() => {
		get('/api/v1/sites').then((d) => (sites.value = d.sites || []), () => {});
	}, []);
	async function submit(e) {
		e.preventDefault();
		const f = e.currentTarget.elements;
		const file = f.file.files[0];
		err.value = '';
		report.value = null;
		if (!file) return (err.value = tci('noFile'));
		const map = {};
		for (const k of FIELDS) if (f['map-' + k].value.trim()) map[k] = f['map-' + k].value.trim();
		progress.value = 0;
		try {
			report.value = await send(f.site.value, file, map, f.currency.value.trim().toUpperCase() || 'CNY',
				(p) => (progress.value = p >= 1 ? 2 : p));
		} catch (x) {
			err.value = tci('err') + ' (' + x.message + ')';
		}
		progress.value = -1;
	}
	const r = report.value;
	return html`<form class="crm-import" id="crm-import-form" onSubmit=${submit}>
		<p class="muted">${tci('help')}</p>
		<label>${tci('site')} <select id="crm-import-site" name="site">
			${sites.value.map((x) => html`<option value=${x.id}>${x.name}</option>`)}</select></label>
		<label>${tci('file')} <input id="crm-import-file" name="file" type="file" accept=".csv,text/csv" /></label>
		<label>${tci('currency')} <input id="crm-import-currency" name="currency" maxlength="3" value="CNY" /></label>
		<fieldset class="crm-import-map">
			${FIELDS.map((k) => html`<label>${tci('f.' + k)}
				<input id=${'crm-import-map-' + k} name=${'map-' + k} maxlength="100" placeholder=${k} title=${tci('column')} /></label>`)}
		</fieldset>
		<button type="submit" class="primary" id="crm-import-go" disabled=${progress.value >= 0}>${tci('upload')}</button>
		${progress.value >= 0 && html`<span role="status" class="muted"><progress id="crm-import-progress" max="1"
			value=${progress.value > 1 ? undefined : progress.value}></progress> ${tci(progress.value > 1 ? 'processing' : 'uploading')}</span>`}
		${err.value && html`<p role="alert" class="error" id="crm-import-error">${err.value}</p>`}
		${r && html`<div id="crm-import-report"><p>${tci('report', r)}</p>
			${r.errors.length > 0 && html`<table class="crm-import-errors"><thead><tr><th>${tci('line')}</th><th>${tci('reason')}</th></tr></thead>
				<tbody>${r.errors.map((x) => html`<tr><td>${x.line}</td><td>${x.reason}</td></tr>`)}</tbody></table>`}
			${r.errors_left_out > 0 && html`<p class="muted">${tci('more', { n: r.errors_left_out })}</p>`}</div>`}
	</form>`;
}
