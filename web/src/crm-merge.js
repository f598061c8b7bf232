// crm-merge.js - merging customers, in the CRM page's customer drawer (issue 6; helper A mounts
// MergePanel there for supervisors and admins). Pick another customer of the same site (search),
// confirm in a dialog that shows both side by side, merge (POST /api/v1/customers/:id/merge
// {from}); the past merges of this customer are listed with an Undo button (POST
// /api/v1/customer-merges/:id/undo), and the server's reason is shown when an undo is refused
// (already undone, or a later merge touches these customers). zh-CN / zh-TW / en below.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post } from './api.js';
import { lang } from './i18n.js';

const html = htm.bind(h);

const S = {
	'zh-CN': {
		title: '合并客户', help: '把同一个人的另一条客户记录并入此客户：订单、访客、积分、标签和备注都会移过来，可撤销。',
		search: '搜索要并入的客户', searchPh: '姓名、邮箱、电话或外部编号', find: '搜索', none: '没有找到其他客户',
		pick: '选择', confirmTitle: '确认合并', keep: '保留（合并后）', gone: '并入后隐藏', merge: '合并', cancel: '取消',
		merging: '正在合并…', merged: '已合并：{n} 个订单、{v} 个访客、{p} 积分已移入', history: '合并记录', noHistory: '暂无合并记录',
		undo: '撤销', undone: '已撤销', undoneAt: '已于 {at} 撤销', undoOk: '已撤销合并', fail: '操作失败：{msg}',
		into: '{from} → {into}', emails: '邮箱', phones: '电话', id: '编号', noName: '（未填写姓名）',
	},
	'zh-TW': {
		title: '合併客戶', help: '把同一個人的另一筆客戶記錄併入此客戶：訂單、訪客、點數、標籤和備註都會移過來，可復原。',
		search: '搜尋要併入的客戶', searchPh: '姓名、電子郵件、電話或外部編號', find: '搜尋', none: '找不到其他客戶',
		pick: '選擇', confirmTitle: '確認合併', keep: '保留（合併後）', gone: '併入後隱藏', merge: '合併', cancel: '取消',
		merging: '正在合併…', merged: '已合併：{n} 筆訂單、{v} 位訪客、{p} 點已移入', history: '合併記錄', noHistory: '尚無合併記錄',
		undo: '復原', undone: '已復原', undoneAt: '已於 {at} 復原', undoOk: '已復原合併', fail: '操作失敗：{msg}',
		into: '{from} → {into}', emails: '電子郵件', phones: '電話', id: '編號', noName: '（未填寫姓名）',
	},
	en: {
		title: 'Merge customers', help: "Merge another record of the same person into this customer: orders, visitors, points, tags and notes move here. It can be undone.",
		search: 'Find the customer to merge in', searchPh: 'Name, e-mail, phone or external id', find: 'Search', none: 'No other customer found',
		pick: 'Choose', confirmTitle: 'Confirm the merge', keep: 'Kept (after the merge)', gone: 'Merged in, then hidden', merge: 'Merge', cancel: 'Cancel',
		merging: 'Merging…', merged: 'Merged: {n} orders, {v} visitors and {p} points moved here', history: 'Merges', noHistory: 'No merges yet',
		undo: 'Undo', undone: 'Undone', undoneAt: 'Undone {at}', undoOk: 'The merge was undone', fail: 'Failed: {msg}',
		into: '{from} → {into}', emails: 'E-mails', phones: 'Phones', id: 'Id', noName: '(no name)',
	},
};
const tm = (k, vars) => {
	let s = (S[lang.value] || S.en)[k] || S.en[k] || k;
	for (const [n, v] of Object.entries(vars || {})) s = s.replace('{' + n + '}', v);
	return s;
};
const when = (s) => new Date(s * 1000).toLocaleString(lang.value);
const nameOf = (c) => c.name || c.external_id || tm('noName');

function Card({ c, label, id }) {
	return html`<div class="merge-card" id=${id}>
		<p class="muted small-text">${label}</p>
		<b>${nameOf(c)}</b> <span class="muted small-text">${tm('id')} ${c.id}</span>
		<div class="small-text">${tm('emails')}: ${(c.emails || []).join(', ') || '—'}</div>
		<div class="small-text">${tm('phones')}: ${(c.phones || []).join(', ') || '—'}</div>
	</div>`;
}

/* The dialog that shows both customers before anything is written. */
function Confirm({ target, source, busy, onYes, onNo }) {
	return html`<div class="merge-confirm" id="merge-confirm" role="dialog" aria-modal="true" aria-labelledby="merge-confirm-title">
		<h5 id="merge-confirm-title">${tm('confirmTitle')}</h5>
		<div class="merge-pair">
			<${Card} c=${target} label=${tm('keep')} id="merge-target" />
			<${Card} c=${source} label=${tm('gone')} id="merge-source" />
		</div>
		<button type="button" id="merge-go" disabled=${busy} onClick=${onYes}>${busy ? tm('merging') : tm('merge')}</button>
		<button type="button" class="secondary" onClick=${onNo}>${tm('cancel')}</button>
	</div>`;
}

function History({ list, onUndo }) {
	if (!list.length) return html`<p class="muted small-text">${tm('noHistory')}</p>`;
	return html`<ul class="merge-history" id="merge-history">${list.map((m) => html`<li key=${m.id} class="merge-row">
		${tm('into', { from: m.from.name || '#' + m.from.id, into: m.into.name || '#' + m.into.id })}
		<span class="muted small-text"> ${when(m.created_at)}</span>
		${m.undone_at
			? html` <span class="badge">${tm('undoneAt', { at: when(m.undone_at) })}</span>`
			: html` <button type="button" class="small merge-undo" onClick=${() => onUndo(m)}>${tm('undo')}</button>`}
	</li>`)}</ul>`;
}

export function MergePanel({ customer, onDone }) {
	const q = useSignal('');
	const found = useSignal(null);
	const picked = useSignal(null);
	const busy = useSignal(false);
	const msg = useSignal('');
	const merges = useSignal([]);
	const loadMerges = () => get('/api/v1/customers/' + customer.id + '/merges').then((d) => (merges.value = d.merges), () => {});
	useEffect(() => {
		found.value = null;
		picked.value = null;
		msg.value = '';
		loadMerges();
	}, [customer.id]);
	const search = async (e) => {
		e.preventDefault();
		try {
			const d = await get('/api/v1/sites/' + customer.site_id + '/customers?limit=10&q=' + encodeURIComponent(q.value.trim()));
			found.value = d.customers.filter((c) => c.id !== customer.id);
		} catch (err) {
			msg.value = tm('fail', { msg: err.message });
		}
	};
	const merge = async () => {
		busy.value = true;
		try {
			const d = await post('/api/v1/customers/' + customer.id + '/merge', { from: picked.value.id });
			msg.value = tm('merged', { n: d.moved.orders, v: d.moved.visitors, p: d.moved.points });
			picked.value = null;
			found.value = null;
			loadMerges();
			onDone && onDone();
		} catch (err) {
			msg.value = tm('fail', { msg: err.message });
		}
		busy.value = false;
	};
	const undo = async (m) => {
		try {
			await post('/api/v1/customer-merges/' + m.id + '/undo');
			msg.value = tm('undoOk');
			loadMerges();
			onDone && onDone();
		} catch (err) {
			msg.value = tm('fail', { msg: err.message });
		}
	};
	return html`<section class="merge-panel" id="merge-panel">
		<h4>${tm('title')}</h4>
		<p class="muted small-text">${tm('help')}</p>
		<form class="merge-search" onSubmit=${search}>
			<label>${tm('search')} <input id="merge-q" maxlength="200" placeholder=${tm('searchPh')} value=${q.value} onInput=${(e) => (q.value = e.target.value)} /></label>
			<button type="submit" class="small" id="merge-find">${tm('find')}</button>
		</form>
		${found.value && !found.value.length && html`<p class="muted small-text">${tm('none')}</p>`}
		${found.value && found.value.length > 0 && html`<ul class="merge-found">${found.value.map((c) => html`<li key=${c.id} class="merge-candidate">
			${nameOf(c)} <span class="muted small-text">${(c.emails || [])[0] || ''} · ${tm('id')} ${c.id}</span>
			<button type="button" class="small merge-pick" onClick=${() => (picked.value = c)}>${tm('pick')}</button></li>`)}</ul>`}
		${picked.value && html`<${Confirm} target=${customer} source=${picked.value} busy=${busy.value} onYes=${merge} onNo=${() => (picked.value = null)} />`}
		<p class="small-text" id="merge-msg" role="status">${msg.value}</p>
		<h5>${tm('history')}</h5>
		<${History} list=${merges.value} onUndo=${undo} />
	</section>`;
}
