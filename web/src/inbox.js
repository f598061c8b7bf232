// inbox.js - the agent workspace: status switch, inbox (Waiting / Active / Closed), conversation view.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get } from './api.js';
import { lang, t } from './i18n.js';
import * as chat from './chat.js';
import { Stars, TagsEditor, EmailTranscript, canned, loadCanned, matchCanned, fillVars } from './extras.js';
import { TicketsStrip } from './tickets.js';
import { FileBody, siteKey, upload } from './files.js';
import { RouteBadges, OfferBar, RouteActions, TeamStrip } from './routing.js';
import { PageTrail } from './trail.js';
import { CustomerPanel } from './customer.js';
import { OrderCard } from './order-card.js';
import { FaqButton, FaqPop, FaqSuggest } from './kb.js';

const html = htm.bind(h);

/* ---- new-chat alerts: a WebAudio beep (no file) and a browser notification ---- */
let audio = null;
/* Called from a user gesture: unlocks audio and asks for notification permission once. */
export function unlockAlerts() {
	try {
		const AC = window.AudioContext || window.webkitAudioContext;
		if (AC && !audio) audio = new AC();
		if (audio && audio.state === 'suspended') audio.resume();
	} catch (e) {
		audio = null;
	}
	try {
		if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission();
	} catch (e) {
		/* old Safari: callback form only; skip */
	}
}
function beep() {
	if (!audio || audio.state !== 'running') return;
	const now = audio.currentTime;
	[0, 0.18].forEach((d, i) => {
		const o = audio.createOscillator();
		const g = audio.createGain();
		o.type = 'sine';
		o.frequency.value = i ? 1046 : 784;
		g.gain.setValueAtTime(0.0001, now + d);
		g.gain.exponentialRampToValueAtTime(0.2, now + d + 0.02);
		g.gain.exponentialRampToValueAtTime(0.0001, now + d + 0.16);
		o.connect(g).connect(audio.destination);
		o.start(now + d);
		o.stop(now + d + 0.18);
	});
}
function notify(c) {
	beep();
	try {
		if (!('Notification' in window) || Notification.permission !== 'granted') return;
		if (document.visibilityState === 'visible' && document.hasFocus()) return;
		const n = new Notification(t('chat.newChat'), {
			body: (c.site_name ? c.site_name + ': ' : '') + ((c.last_message && c.last_message.text) || visitorName(c)),
			tag: 'kefu-conv-' + c.id,
		});
		n.onclick = () => {
			window.focus();
			location.hash = '#/inbox';
			chat.open(c.id);
			n.close();
		};
	} catch (e) {
		/* notifications are a nicety */
	}
}

let started = false;
/* Starts the agent connection for the signed-in console (alerts work on every panel). */
export function startChat() {
	if (!started) {
		started = true;
		chat.onConversation((c, prev, initial) => {
			if (initial) return;
			const waiting = c.status === 'waiting' || c.status === 'offline';
			if (waiting && (!prev || prev.status !== c.status)) notify(c);
		});
		// A chat offered to this agent (new or transferred) rings too.
		chat.onOffer((f) => {
			const c = chat.convs.value[f.conversation_id];
			if (c) notify(c);
		});
	}
	chat.connect();
}
export function stopChat() {
	chat.disconnect();
}

/* ---- helpers ---- */
export function visitorName(c) {
	const v = (c && c.visitor) || {};
	return v.name || v.email || t('chat.visitor') + ' #' + (v.id != null ? v.id : c.id);
}
function ms(v) {
	if (v == null || v === '') return 0;
	return typeof v === 'number' ? (v < 1e12 ? v * 1000 : v) : Date.parse(v) || 0;
}
function shortTime(v) {
	const d = new Date(ms(v));
	if (!ms(v)) return '';
	const now = new Date();
	if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString(lang.value, { hour: '2-digit', minute: '2-digit' });
	return d.toLocaleDateString(lang.value, { month: 'short', day: 'numeric' });
}
const URL_RE = /\bhttps?:\/\/[^\s<>"'\u3000-\u303f\uff01-\uff5e]+/gi;
/* Text with clickable http(s) links; Preact escapes the strings. */
export function linkify(text) {
	const out = [];
	let last = 0;
	let m;
	URL_RE.lastIndex = 0;
	text = String(text || '');
	while ((m = URL_RE.exec(text))) {
		const url = m[0].replace(/[.,;:!?)\]]+$/, '');
		if (m.index > last) out.push(text.slice(last, m.index));
		out.push(html`<a href=${url} target="_blank" rel="noopener noreferrer">${url}</a>`);
		last = m.index + url.length;
		URL_RE.lastIndex = last;
	}
	if (last < text.length) out.push(text.slice(last));
	return out;
}

/* ---- the status switch ---- */
function StatusSwitch() {
	const s = chat.myStatus.value || 'offline';
	return html`<label class="agent-status">
		<span class=${'dot dot-' + s} aria-hidden="true"></span>
		<span class="sr-only">${t('chat.myStatus')}</span>
		<select id="agent-status" aria-label=${t('chat.myStatus')} value=${s}
			onChange=${(e) => {
				unlockAlerts();
				chat.setStatus(e.currentTarget.value);
			}}>
			${['online', 'away', 'offline'].map((v) => html`<option value=${v} selected=${v === s}>${t('chat.status.' + v)}</option>`)}
		</select>
	</label>`;
}

function NotifyButton() {
	const perm = useSignal(typeof Notification !== 'undefined' ? Notification.permission : 'denied');
	if (perm.value !== 'default') return null;
	return html`<button type="button" id="notify-enable" class="small" title=${t('chat.enableAlerts')}
		onClick=${() => {
			unlockAlerts();
			setTimeout(() => (perm.value = Notification.permission), 500);
		}}>🔔 ${t('chat.enableAlerts')}</button>`;
}

/* ---- the inbox list ---- */
const GROUPS = [
	{ id: 'waiting', has: (c) => c.status === 'waiting' || c.status === 'offline', sort: (a, b) => ms(a.created_at) - ms(b.created_at) },
	{ id: 'active', has: (c) => c.status === 'active', sort: (a, b) => ms(b.updated_at) - ms(a.updated_at) },
	{ id: 'closed', has: (c) => c.status === 'closed', sort: (a, b) => ms(b.updated_at) - ms(a.updated_at), max: 50 },
];

function ConvItem({ c, current }) {
	const lm = c.last_message;
	return html`<li>
		<button type="button" class=${'conv-item' + (current ? ' current' : '') + (c.unread ? ' has-unread' : '')}
			data-id=${c.id} data-status=${c.status} aria-current=${current ? 'true' : undefined}
			onClick=${() => {
				unlockAlerts();
				chat.open(c.id);
			}}>
			<span class="conv-top">
				<span class="conv-name">${visitorName(c)}</span>
				<span class="conv-time">${shortTime((lm && lm.at) || c.updated_at)}</span>
			</span>
			<span class="conv-bottom">
				<span class="conv-last">${lm ? (lm.from === 'agent' ? t('chat.you') + ': ' : '') + lm.text : c.site_name || ''}</span>
				${c.unread > 0 && html`<span class="badge unread" aria-label=${t('chat.unread')}>${c.unread > 99 ? '99+' : c.unread}</span>`}
			</span>
			${(c.department || c.offered_to || c.status === 'waiting') && html`<${RouteBadges} c=${c} />`}
		</button>
	</li>`;
}

function InboxList() {
	const all = Object.values(chat.convs.value);
	const cur = chat.currentId.value;
	return html`<div class="inbox-groups">
		${GROUPS.map((g) => {
			let list = all.filter(g.has).sort(g.sort);
			if (g.max) list = list.slice(0, g.max);
			const unread = list.reduce((n, c) => n + (c.unread || 0), 0);
			return html`<section class="conv-group" id=${'group-' + g.id} key=${g.id}>
				<h3>${t('chat.group.' + g.id)} <span class="count">${list.length}</span>
					${unread > 0 && g.id !== 'closed' && html`<span class="badge">${unread}</span>`}</h3>
				${list.length
					? html`<ul>${list.map((c) => html`<${ConvItem} key=${c.id} c=${c} current=${c.id === cur} />`)}</ul>`
					: html`<p class="muted empty">${t('chat.empty.' + g.id)}</p>`}
			</section>`;
		})}
	</div>`;
}

/* ---- the conversation view ---- */
export function Message({ m, mine, state }) {
	const cls = ['msg', 'from-' + m.from, 'kind-' + (m.kind || 'text')];
	if (mine) cls.push('mine');
	if (m.kind === 'event' || m.from === 'system') {
		return html`<li class=${cls.join(' ')} data-seq=${m.seq} data-from=${m.from}><span>${m.text}</span></li>`;
	}
	const who = m.from === 'visitor' ? (m.author && m.author.name) || t('chat.visitor') : (m.author && m.author.name) || t('chat.agent');
	return html`<li class=${cls.join(' ')} data-seq=${m.seq} data-from=${m.from} data-client-id=${m.client_id || undefined}
		data-state=${state || undefined}>
		<div class="msg-meta"><span class="msg-who">${who}</span>${m.kind === 'note' && html`<span class="note-tag">${t('chat.note')}</span>`}
			<time>${shortTime(m.at)}</time></div>
		<div class="msg-body">${m.card && m.card.type === 'order' ? html`<${OrderCard} card=${m.card} />` : m.kind === 'file' && m.file ? html`<${FileBody} file=${m.file} text=${m.text} />` : linkify(m.text)}</div>
		${state && html`<div class="msg-state">${t('chat.state.' + state)}</div>`}
	</li>`;
}

/* Uploads for one conversation, one file at a time: progress (null when idle, else 0..1) and the last error. */
function useUploads(id) {
	const progress = useSignal(null);
	const error = useSignal('');
	const queue = useRef([]);
	async function pump() {
		if (progress.value != null || !queue.current.length) return;
		const file = queue.current.shift();
		progress.value = 0;
		error.value = '';
		try {
			const c = chat.convs.value[id];
			if (!c) throw new Error('no conversation');
			const key = await siteKey(c.site_id);
			const f = await upload(key, file, (p) => (progress.value = p));
			chat.replyFile(id, f);
		} catch (e) {
			error.value = e && e.code ? e.code : 'generic';
		} finally {
			progress.value = null;
		}
		pump();
	}
	return {
		progress,
		error,
		add(files) {
			for (const f of files || []) queue.current.push(f);
			pump();
		},
	};
}

const clip = html`<svg class="icon-clip" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="none" stroke="currentColor"
	stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"
	d="M16.5 6.5 8.6 14.4a1.6 1.6 0 0 0 2.3 2.3l8-8a3.2 3.2 0 0 0-4.6-4.6l-8.3 8.3a4.8 4.8 0 0 0 6.8 6.8l7.2-7.2" /></svg>`;

function fileErrText(code) {
	const k = 'chat.fileErr.' + code;
	const s = t(k);
	return s === k ? t('chat.fileErr.generic') : s;
}

function Reply({ id, c, up }) {
	const note = useSignal(false);
	const ref = useRef(null);
	// Canned responses: "/" at the start of the box lists the shortcuts that match what follows.
	const slash = useSignal(null); // the text after "/" while the box holds only "/word", else null
	const pick = useSignal(0);
	const faq = useSignal(false); // the FAQ search popover is open
	useEffect(() => {
		loadCanned();
	}, []);
	const items = slash.value != null && canned.value ? matchCanned(slash.value) : [];
	function onText(v) {
		const m = /^\/([A-Za-z0-9_-]*)$/.exec(v);
		const next = m ? m[1].toLowerCase() : null;
		if (next != null && slash.value == null) loadCanned();
		if (next !== slash.value) pick.value = 0;
		slash.value = next;
	}
	function insert(item) {
		const el = ref.current;
		if (!el || !item) return;
		el.value = fillVars(item.text, chat.convs.value[id] || c);
		slash.value = null;
		el.style.height = 'auto';
		el.style.height = Math.min(el.scrollHeight, 200) + 'px';
		el.focus();
		el.setSelectionRange(el.value.length, el.value.length);
	}
	function submit() {
		const el = ref.current;
		const text = el.value.trim();
		if (!text) return;
		chat.reply(id, text, note.value);
		el.value = '';
		el.style.height = '';
	}
	return html`<form class=${'reply' + (note.value ? ' is-note' : '')} onSubmit=${(e) => {
		e.preventDefault();
		submit();
	}}>
		<textarea id="reply-input" ref=${ref} rows="2" maxlength="10000"
			placeholder=${note.value ? t('chat.notePh') : t('chat.replyPh')} aria-label=${t('chat.replyPh')}
			aria-autocomplete="list" aria-controls=${items.length ? 'canned-pop' : undefined}
			onKeyDown=${(e) => {
				if (items.length && !e.isComposing && e.keyCode !== 229) {
					if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
						e.preventDefault();
						pick.value = (pick.value + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
						return;
					}
					if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
						e.preventDefault();
						insert(items[Math.min(pick.value, items.length - 1)]);
						return;
					}
					if (e.key === 'Escape') {
						e.preventDefault();
						slash.value = null;
						return;
					}
				}
				if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
					e.preventDefault();
					submit();
				}
			}}
			onInput=${(e) => {
				const el = e.currentTarget;
				el.style.height = 'auto';
				el.style.height = Math.min(el.scrollHeight, 200) + 'px';
				onText(el.value);
				if (!note.value) chat.typing(id, el.value.length > 0);
			}}
			onBlur=${() => chat.typing(id, false)}></textarea>
		${items.length > 0 && html`<ul class="canned-pop" id="canned-pop" role="listbox" aria-label=${t('canned.title')}>
			${items.map((it, i) => html`<li key=${it.id} role="option" aria-selected=${i === pick.value ? 'true' : 'false'}>
				<button type="button" class=${'canned-item' + (i === pick.value ? ' current' : '')} data-shortcut=${it.shortcut} tabindex="-1"
					onMouseDown=${(e) => e.preventDefault()} onClick=${() => insert(it)}>
					<code>/${it.shortcut}</code><span class="canned-text">${it.text}</span></button></li>`)}
		</ul>`}
		${slash.value != null && canned.value && !items.length && html`<p class="muted small-text canned-none">${t('canned.noMatch')}</p>`}
		<${FaqPop} open=${faq} c=${c} inputRef=${ref} />
		<${FaqSuggest} id=${id} c=${c} inputRef=${ref} />
		${up.progress.value != null && html`<progress id="reply-progress" max="100" value=${Math.round(up.progress.value * 100)}
			aria-label=${t('chat.uploading')}></progress>`}
		${up.error.value && html`<p id="reply-file-error" class="error small-text" role="alert">${fileErrText(up.error.value)}</p>`}
		<div class="reply-bar">
			<button type="button" id="reply-attach" class="small" title=${t('chat.attach')} aria-label=${t('chat.attach')}
				disabled=${c && c.status === 'closed'} onClick=${(e) => e.currentTarget.nextElementSibling.click()}>${clip}</button>
			<input type="file" id="reply-file" hidden multiple onChange=${(e) => {
				up.add([...e.currentTarget.files]);
				e.currentTarget.value = '';
			}} />
			<${FaqButton} open=${faq} c=${c} />
			<label class="note-toggle"><input type="checkbox" id="reply-note" checked=${note.value}
				onChange=${(e) => (note.value = e.currentTarget.checked)} /> ${t('chat.noteToggle')}</label>
			<span class="spacer"></span>
			${c && c.status === 'closed' && html`<span class="muted small-text">${t('chat.closedHint')}</span>`}
			<button type="submit" id="reply-send" class="primary">${note.value ? t('chat.addNote') : t('chat.send')}</button>
		</div>
	</form>`;
}

function ConversationView({ id }) {
	const c = chat.convs.value[id];
	const msgs = chat.messages.value[id] || [];
	const ob = chat.outbox.value[id] || [];
	const draft = chat.drafts.value[id] || '';
	const readSeq = chat.visitorRead.value[id] || 0;
	const me = chat.agent.value;
	const listRef = useRef(null);
	const up = useUploads(id);
	const drop = useSignal(false);
	useEffect(() => {
		const el = listRef.current;
		if (el) el.scrollTop = el.scrollHeight;
	}, [msgs.length, ob.length, draft, id]);
	// An image that loads later grows the list: keep the end in view.
	const onImg = (e) => {
		const el = listRef.current;
		if (el && e.target && e.target.tagName === 'IMG') el.scrollTop = el.scrollHeight;
	};

	const status = c ? c.status : '';
	const mineOwner = c && c.agent && me && c.agent.id === me.id;
	// An active chat changes hands by transfer (the offer bar) or a supervisor's takeover.
	const canAccept = c && (status === 'waiting' || status === 'offline');
	const hasFiles = (e) => e.dataTransfer && [...(e.dataTransfer.types || [])].includes('Files');
	return html`<section class=${'conv-view' + (drop.value ? ' is-drop' : '')} aria-label=${c ? visitorName(c) : ''}
		onDragOver=${(e) => {
			if (!hasFiles(e) || status === 'closed') return;
			e.preventDefault();
			drop.value = true;
		}}
		onDragLeave=${(e) => {
			if (!e.relatedTarget || !e.currentTarget.contains(e.relatedTarget)) drop.value = false;
		}}
		onDrop=${(e) => {
			drop.value = false;
			if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
			e.preventDefault();
			if (status !== 'closed') up.add([...e.dataTransfer.files]);
		}}>
		<header class="conv-head">
			<button type="button" class="back small" onClick=${() => chat.open(0)} aria-label=${t('chat.back')}>←</button>
			<div class="conv-title">
				<strong>${c ? visitorName(c) : '#' + id}</strong>
				<span class="muted">${c && c.site_name}${c && c.agent ? ' · ' + c.agent.name : ''}${c && c.visitor && c.visitor.email ? ' · ' + c.visitor.email : ''}</span>
			</div>
			<${Stars} c=${c} id="conv-rating" withComment=${true} />
			<span id="conv-status" class=${'pill st-' + status}>${status && t('chat.cstatus.' + status)}</span>
			${canAccept && html`<button type="button" id="conv-accept" class="primary" onClick=${() => chat.accept(id)}>${t('chat.accept')}</button>`}
			<${RouteActions} c=${c} />
			${status && status !== 'closed' && html`<button type="button" id="conv-close" onClick=${() => chat.closeConv(id)}>${t('chat.close')}</button>`}
			${status === 'closed' && html`<button type="button" id="conv-reopen" onClick=${() => chat.reopen(id)}>${t('chat.reopen')}</button>`}
			${c && html`<${TagsEditor} key=${id} c=${c} />`}
			${c && html`<${EmailTranscript} key=${'m' + id} c=${c} />`}
		</header>
		<${OfferBar} id=${id} />
		<ul class="msgs" ref=${listRef} role="log" aria-live="polite" onLoadCapture=${onImg}>
			${msgs.map((m) => {
				const mine = m.from === 'agent' && (m.mine || (me && m.author && m.author.name === me.name));
				const state = mine && m.kind !== 'note' ? (readSeq >= m.seq ? 'read' : 'delivered') : '';
				return html`<${Message} key=${'s' + m.seq} m=${m} mine=${mine} state=${state} />`;
			})}
			${ob.map(
				(o) => html`<li key=${o.client_id} class=${'msg from-agent mine pending kind-' + (o.file ? 'file' : o.note ? 'note' : 'text')}
					data-from="agent" data-client-id=${o.client_id} data-state=${o.state}>
					<div class="msg-meta"><span class="msg-who">${(me && me.name) || t('chat.you')}</span>
						${o.note && html`<span class="note-tag">${t('chat.note')}</span>`}</div>
					<div class="msg-body">${o.file ? html`<${FileBody} file=${o.file} />` : linkify(o.text)}</div>
					<div class="msg-state">${t('chat.state.' + o.state)}${o.error ? ' (' + o.error + ')' : ''}
						${o.state === 'failed' && html` <button type="button" class="link" onClick=${() => chat.retryFailed(id, o.client_id)}>${t('chat.retry')}</button>`}</div>
				</li>`,
			)}
		</ul>
		${draft && html`<div id="visitor-draft" class="visitor-draft" aria-live="off"><span class="muted">${t('chat.draft')}</span> ${draft}</div>`}
		<${Reply} key=${id} id=${id} c=${c} up=${up} />
	</section>`;
}

function ConnBanner() {
	const s = chat.connState.value;
	const err = chat.lastError.value;
	if (s === 'open' && !err) return null;
	if (s === 'open' && err) {
		if (Date.now() - (err.at || 0) > 8000) return null;
		return html`<p class="banner error" role="alert">${t('chat.err.' + err.code) !== 'chat.err.' + err.code ? t('chat.err.' + err.code) : err.message || err.code}</p>`;
	}
	if (err && err.code === 'session') return html`<p class="banner error" role="alert">${t('chat.sessionLost')}</p>`;
	return html`<p class="banner" role="status">${s === 'closed' ? t('chat.reconnecting') : t('chat.connecting')}</p>`;
}

/* The visitor id of a conversation the inbox knows (its page trail shows beside the chat). */
function visitorOf(id) {
	const c = chat.convs.value[id];
	return c && c.visitor ? c.visitor.id : 0;
}

export function Inbox() {
	useEffect(() => {
		startChat();
		let live = true;
		get('/api/v1/conversations?status=closed').then(
			(d) => live && chat.addClosed((d && d.conversations) || []),
			() => {},
		);
		return () => {
			live = false;
		};
	}, []);
	const cur = chat.currentId.value;
	return html`<div class=${'inbox' + (cur ? ' has-current' : '')} id="inbox">
		<aside class="inbox-side">
			<div class="inbox-tools">
				<${StatusSwitch} />
				<${NotifyButton} />
			</div>
			<${ConnBanner} />
			<${TeamStrip} />
			<${InboxList} />
			<${TicketsStrip} />
		</aside>
		<div class="inbox-main">
			${cur
				? html`<div class="conv-wrap"><${ConversationView} key=${cur} id=${cur} />
					<aside class="conv-side" id="conv-side"><${CustomerPanel} visitorId=${visitorOf(cur)} /><${PageTrail} visitorId=${visitorOf(cur)} /></aside></div>`
				: html`<div class="placeholder"><p class="muted">${t('chat.pick')}</p></div>`}
		</div>
	</div>`;
}
