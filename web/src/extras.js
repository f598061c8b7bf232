// extras.js - pieces shared by the inbox, History and Settings: rating stars, tags (display and
// editor), query highlighting (simplified and traditional Chinese alike) and canned responses.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { signal, useSignal } from '@preact/signals';
import htm from 'htm';
import { get, post, put } from './api.js';
import { t } from './i18n.js';
import * as chat from './chat.js';

const html = htm.bind(h);

/* The signed-in user (set by main.js), for {agent_name}. */
export const currentUser = signal(null);

/* ---- rating ---- */
/* The summary's rating is {rating, comment} (REST, agent socket); a bare number is accepted too. */
export function ratingOf(c) {
	const r = c && c.rating;
	if (r == null) return 0;
	const n = typeof r === 'number' ? r : +r.rating;
	return n >= 1 && n <= 5 ? Math.round(n) : 0;
}
export function Stars({ c, id, withComment }) {
	const n = ratingOf(c);
	if (!n) return null;
	const comment = c.rating && typeof c.rating === 'object' ? c.rating.comment : '';
	const label = t('rating.label') + ' ' + n + '/5';
	return html`<span class="stars" id=${id} data-rating=${n} title=${label}>
		<span aria-hidden="true">${'★'.repeat(n)}<span class="stars-off">${'☆'.repeat(5 - n)}</span></span>
		<span class="sr-only">${label}</span>
		${withComment && comment && html`<span class="rating-comment">“${comment}”</span>`}
	</span>`;
}

/* ---- tags ---- */
export function TagList({ tags, cls }) {
	if (!tags || !tags.length) return null;
	return html`<span class=${'tags' + (cls ? ' ' + cls : '')}>${tags.map((g) => html`<span class="tag" key=${g}>${g}</span>`)}</span>`;
}

const enc = typeof TextEncoder !== 'undefined' ? new TextEncoder() : null;
const bytes = (s) => (enc ? enc.encode(s).length : s.length);

/* Comma, space (ASCII or ideographic) or 、 separated words; duplicates dropped. */
export function parseTags(text) {
	const out = [];
	for (const w of String(text || '').split(/[\s,，、;；]+/)) if (w && !out.includes(w)) out.push(w);
	return out;
}

/* The conversation's tags as an input; saves (PUT) on Enter and on blur. */
export function TagsEditor({ c }) {
	const ref = useRef(null);
	const sent = useRef(null);
	const err = useSignal('');
	const ok = useSignal(false);
	const tags = (c && c.tags) || [];
	const shown = tags.join(', ');
	useEffect(() => {
		const el = ref.current;
		if (el && document.activeElement !== el) el.value = shown;
	}, [shown]);
	async function save() {
		const el = ref.current;
		if (!el || !c) return;
		const next = parseTags(el.value);
		// The server may keep them in its own order: compare as sets.
		const key = [...next].sort().join('\n');
		if (key === [...tags].sort().join('\n') || key === sent.current) return;
		if (next.length > 20) return void (err.value = t('tags.tooMany'));
		if (next.some((w) => bytes(w) > 32)) return void (err.value = t('tags.tooLong'));
		sent.current = key;
		err.value = '';
		ok.value = false;
		try {
			const d = await put('/api/v1/conversations/' + c.id + '/tags', { tags: next });
			if (d && d.conversation) chat.updateConv(d.conversation);
			ok.value = true;
			setTimeout(() => (ok.value = false), 1500);
			if (document.activeElement !== el) el.value = ((d && d.conversation && d.conversation.tags) || next).join(', ');
		} catch (e) {
			err.value = e.status === 0 ? t('errNetwork') : e.status === 422 ? t('tags.invalid') : t('errGeneric');
		} finally {
			sent.current = null;
		}
	}
	return html`<div class="conv-tags-edit">
		<label class="tags-label"><span class="muted">${t('tags.label')}</span>
			<input id="conv-tags" ref=${ref} defaultValue=${shown} placeholder=${t('tags.ph')} aria-label=${t('tags.label')}
				autocomplete="off" onBlur=${save}
				onKeyDown=${(e) => {
					if (e.key === 'Enter' && !e.isComposing && e.keyCode !== 229) {
						e.preventDefault();
						save();
					}
				}} /></label>
		<${TagList} tags=${tags} cls="conv-tags-list" />
		${ok.value && html`<span class="ok-inline" role="status">${t('saved')}</span>`}
		${err.value && html`<span class="error-inline" role="alert">${err.value}</span>`}
	</div>`;
}

/* ---- the transcript by e-mail: POST /api/v1/conversations/:id/email {"to"} -> 202 {"queued":true} ---- */
export function EmailTranscript({ c }) {
	const open = useSignal(false);
	const busy = useSignal(false);
	const res = useSignal(null); // {ok, text}
	const ref = useRef(null);
	const visitorEmail = (c && c.visitor && c.visitor.email) || '';
	useEffect(() => {
		if (open.value && ref.current) ref.current.focus();
	}, [open.value]);
	if (!c || !c.id) return null;
	async function submit(e) {
		e.preventDefault();
		const to = ((ref.current && ref.current.value) || '').trim();
		busy.value = true;
		res.value = null;
		try {
			await post('/api/v1/conversations/' + c.id + '/email', to ? { to } : {});
			res.value = { ok: true, text: t('email.sent').replace('{to}', to || visitorEmail) };
			open.value = false;
		} catch (err) {
			const text = err.status === 0 ? t('errNetwork') : err.status === 422 ? t('email.invalid')
				: err.status === 409 ? t('email.noSmtp') : err.status === 404 ? t('history.notFound') : t('errGeneric');
			res.value = { ok: false, text };
		} finally {
			busy.value = false;
		}
	}
	return html`<span class="conv-email">
		<button type="button" id="conv-email" class="small" aria-expanded=${open.value ? 'true' : 'false'} title=${t('email.title')}
			onClick=${() => { open.value = !open.value; res.value = null; }}>✉ ${t('email.button')}</button>
		${open.value && html`<form id="conv-email-form" class="conv-email-form" onSubmit=${submit} noValidate>
			<input id="conv-email-to" ref=${ref} type="email" defaultValue=${visitorEmail} placeholder=${t('email.to')}
				aria-label=${t('email.to')} autocomplete="off" maxlength="200" />
			<button type="submit" id="conv-email-send" class="small primary" disabled=${busy.value}>${busy.value ? t('email.sending') : t('email.send')}</button>
			<button type="button" class="small" onClick=${() => (open.value = false)}>${t('cancel')}</button>
		</form>`}
		${res.value && html`<span id="conv-email-result" class=${res.value.ok ? 'ok-inline' : 'error-inline'} data-ok=${res.value.ok ? 'true' : 'false'}
			role=${res.value.ok ? 'status' : 'alert'}>${res.value.text}</span>`}
	</span>`;
}

/* ---- highlighting: simplified and traditional characters match each other ---- */
const PAIRS =
	'貨货發发單单運运費费東东買买賣卖換换錢钱訂订賬账號号務务問问題题時时間间讓让們们這这個个來来還还沒没說说話话' +
	'邊边關关開开長长門门車车實实價价優优質质顏颜碼码遞递達达給给線线動动電电腦脑機机現现讀读寫写應应該该從从點点' +
	'麼么嗎吗謝谢請请為为對对當当經经過过會会與与壞坏錯错際际產产後后幣币難难遲迟認认證证戶户頁页網网絡络購购標标' +
	'準准確确須须郵邮區区樂乐聯联繫系補补償偿賠赔額额報报銷销歸归處处記记錄录帳账轉转損损貼贴紙纸裝装儲储庫库體体' +
	'驗验態态無无紅红綠绿藍蓝黃黄褲裤襪袜備备註注聲声響响氣气廣广兩两萬万億亿員员師师據据歷历條条參参數数隨随顯显' +
	'擇择選选項项設设計计劃划辦办圖图書书館馆飛飞鐵铁銀银簽签約约終终斷断續续舊旧幾几聽听覺觉視视親亲愛爱歡欢獲获' +
	'貴贵惠惠預预約约廠厂專专業业門门衛卫鬆松緊紧穩稳靜静麵面飯饭湯汤雞鸡魚鱼鮮鲜熱热燈灯壓压寬宽廳厅樓楼層层';
const FOLD = new Map();
for (let i = 0; i + 1 < PAIRS.length; i += 2) FOLD.set(PAIRS[i], PAIRS[i + 1]);
function fold(ch) {
	const f = FOLD.get(ch);
	if (f) return f;
	const l = ch.toLowerCase();
	return l.length === ch.length ? l : ch;
}
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
/* The words of a query: its space-separated terms, and the two-character words of long Chinese runs. */
function terms(q) {
	const out = new Set();
	for (const w of String(q || '').split(/[\s,，、]+/)) {
		if (!w) continue;
		const cs = Array.from(w).map(fold);
		out.add(cs.join(''));
		if (cs.length > 2 && cs.every((c) => CJK.test(c))) for (let i = 0; i + 1 < cs.length; i++) out.add(cs[i] + cs[i + 1]);
	}
	return [...out].filter(Boolean);
}
/* Text as strings and <mark> nodes (Preact builds text nodes: nothing is parsed as HTML). */
export function highlight(text, q) {
	text = String(text || '');
	const ws = terms(q);
	if (!ws.length || !text) return [text];
	const chars = Array.from(text);
	const folded = chars.map(fold);
	const hit = new Array(chars.length).fill(false);
	for (const w of ws) {
		const wc = Array.from(w);
		for (let i = 0; i + wc.length <= folded.length; i++) {
			let j = 0;
			while (j < wc.length && folded[i + j] === wc[j]) j++;
			if (j === wc.length) for (let k = 0; k < j; k++) hit[i + k] = true;
		}
	}
	const out = [];
	let i = 0;
	while (i < chars.length) {
		let j = i;
		while (j < chars.length && hit[j] === hit[i]) j++;
		const s = chars.slice(i, j).join('');
		out.push(hit[i] ? html`<mark>${s}</mark>` : s);
		i = j;
	}
	return out;
}

/* ---- canned responses ---- */
export const canned = signal(null); // [{id, shortcut, text, updated_at}] once loaded
let cannedAt = 0;
export function loadCanned(force) {
	if (!force && canned.value && Date.now() - cannedAt < 15000) return Promise.resolve(canned.value);
	cannedAt = Date.now();
	return get('/api/v1/canned').then(
		(d) => (canned.value = (d && d.canned) || []),
		() => {
			if (!canned.value) canned.value = [];
			return canned.value;
		},
	);
}
/* Shortcuts starting with q first, then those containing it. */
export function matchCanned(q) {
	const list = canned.value || [];
	q = String(q || '').toLowerCase();
	const a = list.filter((c) => c.shortcut.startsWith(q));
	const b = list.filter((c) => !c.shortcut.startsWith(q) && c.shortcut.includes(q));
	return [...a, ...b].slice(0, 8);
}
/* {visitor_name}, {agent_name}, {site_name} replaced for the conversation c. */
export function fillVars(text, c) {
	const v = (c && c.visitor) || {};
	const me = currentUser.value;
	const vars = {
		visitor_name: v.name || t('canned.customer'),
		agent_name: (chat.agent.value && chat.agent.value.name) || (me && (me.name || me.email)) || '',
		site_name: (c && c.site_name) || '',
	};
	return String(text || '').replace(/\{(visitor_name|agent_name|site_name)\}/g, (_, k) => vars[k]);
}
