// widget/widget.js - the Kefu chat widget a shop embeds with
//   <script async src="https://kefu.example.com/widget.js" data-site="SITE_KEY"></script>
// Plain JS (no framework), everything inside one shadow root on <div id="kefu-widget">.
// On load it fetches the public site config, reports the page view (track.js) and then opens the
// WebSocket to /ws/visitor, so agents see the visitor live and can invite them (invite.js).
// The account features (orders, returns, offers, tickets, forms) are a second bundle,
// /widget-extras.js (extras.js), added from the same origin when the panel first opens.
// Protocol: docs/chat-protocol.md.
/* global __KEFU_CSS__, __KEFU_EXTRAS__ */
// __KEFU_CSS__ is widget.css, minified and inlined by scripts/build-web.mjs; __KEFU_EXTRAS__ is
// the extras' path with its content hash (?v=), so a core never runs a stale second bundle.

import { startTracking } from './track.js';
import { inviteSetup, inviteFrame } from './invite.js';
import { suggestSetup } from './suggest.js';
import { orderCard } from './card.js';

(function () {
	var CSS = __KEFU_CSS__;
	var W = window;
	if (W.KefuWidget) return;
	var doc = document;
	var script = doc.currentScript || doc.querySelector('script[data-site]');
	var siteKey = script && script.getAttribute('data-site');
	if (!siteKey) return;

	// The server is wherever this script came from, so the widget works on any shop's origin.
	var srcUrl = new URL(script.src || location.href, location.href);
	var ORIGIN = srcUrl.origin;
	var WS_URL = (srcUrl.protocol === 'https:' ? 'wss://' : 'ws://') + srcUrl.host + '/ws/visitor?site=' + encodeURIComponent(siteKey);
	var TOKEN_KEY = 'kefu.v.' + siteKey;
	// Routing chosen by the shop's snippet: data-department="售后" (name or id), data-agent="7".
	var PRESET_DEPT = script.getAttribute('data-department') || '';
	var PRESET_AGENT = +(script.getAttribute('data-agent') || 0) || 0;
	var DEPT_KEY = 'kefu.d.' + siteKey; // the department picked in the pre-chat form (sent in every hello)
	var AGENT_KEY = 'kefu.a.' + siteKey; // the agent picked there, likewise

	/* ---- strings: zh-CN / zh-TW / en, from navigator.languages (same rules as the console) ---- */
	var STR = {
		'zh-CN': {
			open: '在线客服', close: '关闭', title: '在线客服', online: '在线', offline: '离线',
			ph: '输入消息，按回车发送', send: '发送', typing: '客服正在输入…', sending: '发送中…',
			delivered: '已送达', read: '已读', failed: '发送失败', connecting: '正在连接…',
			reconnecting: '连接已断开，正在重连…', blocked: '此网站暂时无法使用在线客服',
			closed: '对话已结束，发送消息可开始新的对话', you: '我',
			greet: '您好！有什么可以帮您？', offmsg: '客服暂时不在线，请留言，我们会尽快回复。',
			end: '结束对话', rateQ: '请为本次服务评分', rateCm: '留下您的意见（可选）', rateSend: '提交评价',
			thanks: '感谢您的评价！', attach: '发送文件', uploading: '正在上传…',
			file_too_large: '文件太大，无法发送', upload_too_large: '文件太大，无法发送',
			file_type_not_allowed: '不支持发送此类型的文件', upErr: '文件上传失败，请重试',
			botTag: '自动回复', botYes: '解决了', botNo: '转人工', botMore: '查看全文', botThanks: '很高兴帮到您！', botHand: '正在为您转接人工客服…',
			dept: '咨询部门', anyDept: '不限', agent: '指定客服', anyAgent: '任意客服', queue: '正在为您排队：第 {n} 位，预计等待约 {m} 分钟',
			pcTitle: '开始对话前，请留下您的联系方式', start: '开始对话', name: '您的称呼', email: '电子邮箱',
			phone: '电话', question: '您的问题', message: '留言内容', opt: '（选填）', eReq: '请填写此项',
			eEmail: '请输入有效的电子邮箱地址', ePhone: '请输入有效的电话号码', offSend: '提交留言',
			offDone: '留言已收到！我们会通过电子邮件（{e}）回复您。', hours: '现在不是营业时间。',
			mail: '发送聊天记录到邮箱', mailOk: '聊天记录已发送到 {e}', not_found: '没有可以发送的对话',
			unavailable: '本店暂时无法发送邮件', mailErr: '发送失败，请稍后再试',
		},
		'zh-TW': {
			open: '線上客服', close: '關閉', title: '線上客服', online: '線上', offline: '離線',
			ph: '輸入訊息，按 Enter 傳送', send: '傳送', typing: '客服正在輸入…', sending: '傳送中…',
			delivered: '已送達', read: '已讀', failed: '傳送失敗', connecting: '正在連線…',
			reconnecting: '連線已中斷，正在重新連線…', blocked: '此網站暫時無法使用線上客服',
			closed: '對話已結束，傳送訊息可開始新的對話', you: '我',
			greet: '您好！有什麼可以幫您？', offmsg: '客服暫時不在線上，請留言，我們會盡快回覆。',
			end: '結束對話', rateQ: '請為本次服務評分', rateCm: '留下您的意見（選填）', rateSend: '送出評價',
			thanks: '感謝您的評價！', attach: '傳送檔案', uploading: '正在上傳…',
			file_too_large: '檔案太大，無法傳送', upload_too_large: '檔案太大，無法傳送',
			file_type_not_allowed: '不支援傳送此類型的檔案', upErr: '檔案上傳失敗，請重試',
			botTag: '自動回覆', botYes: '解決了', botNo: '轉人工', botMore: '查看全文', botThanks: '很高興幫到您！', botHand: '正在為您轉接人工客服…',
			dept: '諮詢部門', anyDept: '不限', agent: '指定客服', anyAgent: '任意客服', queue: '正在為您排隊：第 {n} 位，預計等待約 {m} 分鐘',
			pcTitle: '開始對話前，請留下您的聯絡方式', start: '開始對話', name: '您的稱呼', email: '電子郵件',
			phone: '電話', question: '您的問題', message: '留言內容', opt: '（選填）', eReq: '請填寫此欄位',
			eEmail: '請輸入有效的電子郵件地址', ePhone: '請輸入有效的電話號碼', offSend: '送出留言',
			offDone: '留言已收到！我們會透過電子郵件（{e}）回覆您。', hours: '目前非營業時間。',
			mail: '寄送聊天記錄到信箱', mailOk: '聊天記錄已寄到 {e}', not_found: '沒有可以寄送的對話',
			unavailable: '本店暫時無法寄送郵件', mailErr: '寄送失敗，請稍後再試',
		},
		en: {
			open: 'Chat with us', close: 'Close', title: 'Chat', online: 'Online', offline: 'Offline',
			ph: 'Type a message and press Enter', send: 'Send', typing: 'Agent is typing…', sending: 'Sending…',
			delivered: 'Delivered', read: 'Read', failed: 'Not sent', connecting: 'Connecting…',
			reconnecting: 'Connection lost, reconnecting…', blocked: 'Chat is not available on this site',
			closed: 'This conversation has ended; send a message to start a new one', you: 'You',
			greet: 'Hi! How can we help?', offmsg: 'We are offline right now. Leave a message and we will reply soon.',
			end: 'End chat', rateQ: 'How did we do?', rateCm: 'Any comments? (optional)', rateSend: 'Send rating',
			thanks: 'Thank you for your feedback!', attach: 'Send a file', uploading: 'Uploading…',
			file_too_large: 'This file is too large to send', upload_too_large: 'This file is too large to send',
			file_type_not_allowed: 'This type of file cannot be sent here', upErr: 'The file could not be uploaded; please try again',
			botTag: 'Automatic answer', botYes: 'That helped', botNo: 'Talk to a person', botMore: 'Read the article', botThanks: 'Glad it helped!', botHand: 'Connecting you to a person…',
			dept: 'Department', anyDept: 'Any', agent: 'Agent', anyAgent: 'Anyone', queue: 'You are number {n} in the queue; about {m} min to wait',
			pcTitle: 'Before we start, how can we reach you?', start: 'Start chat', name: 'Your name', email: 'E-mail',
			phone: 'Phone', question: 'Your question', message: 'Your message', opt: ' (optional)', eReq: 'Please fill this in',
			eEmail: 'Please enter a valid e-mail address', ePhone: 'Please enter a valid phone number', offSend: 'Leave a message',
			offDone: 'Thank you! We have your message and will answer by e-mail ({e}).', hours: 'We are closed right now.',
			mail: 'E-mail me the transcript', mailOk: 'The transcript was sent to {e}', not_found: 'There is no conversation to send yet',
			unavailable: 'This shop cannot send e-mail right now', mailErr: 'Could not send it; please try again later',
		},
	};
	function mapLang(tag) {
		var t = String(tag || '').toLowerCase();
		if (t === 'zh' || t.indexOf('zh-') === 0) return /^zh-(tw|hk|mo)\b/.test(t) || t.indexOf('zh-hant') === 0 ? 'zh-TW' : 'zh-CN';
		if (t === 'en' || t.indexOf('en-') === 0) return 'en';
		return null;
	}
	var nav = W.navigator || {};
	var LANG = 'en';
	var tags = nav.languages && nav.languages.length ? nav.languages : [nav.language];
	for (var i = 0; i < tags.length; i++) {
		var l = mapLang(tags[i]);
		if (l) { LANG = l; break; }
	}
	var S = STR[LANG];

	/* ---- storage (private mode may throw) ---- */
	function load(k) {
		try { return W.localStorage.getItem(k); } catch (e) { return null; }
	}
	function save(k, v) {
		try { W.localStorage.setItem(k, v); } catch (e) { /* keep it for this page */ }
	}

	/* ---- DOM helpers ---- */
	function el(tag, attrs, kids) {
		var e = doc.createElement(tag);
		if (attrs) for (var k in attrs) {
			if (k === 'text') e.textContent = attrs[k];
			else if (k === 'cls') e.className = attrs[k];
			else e.setAttribute(k, attrs[k]);
		}
		if (kids) for (var j = 0; j < kids.length; j++) if (kids[j]) e.appendChild(kids[j]);
		return e;
	}
	var URL_RE = /\bhttps?:\/\/[^\s<>"'\u3000-\u303f\uff01-\uff5e]+/gi;
	/* Text as text nodes, http(s) links as <a>: never innerHTML. */
	function richText(parent, text) {
		var last = 0, m;
		URL_RE.lastIndex = 0;
		while ((m = URL_RE.exec(text))) {
			var url = m[0].replace(/[.,;:!?)\]]+$/, '');
			if (m.index > last) parent.appendChild(doc.createTextNode(text.slice(last, m.index)));
			parent.appendChild(el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: url }));
			last = m.index + url.length;
			URL_RE.lastIndex = last;
		}
		if (last < text.length) parent.appendChild(doc.createTextNode(text.slice(last)));
	}
	function hhmm(at) {
		var d = new Date(at || Date.now());
		return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2);
	}

	/* ---- state ---- */
	var cfg = { name: '', greeting: '', color: '', online: null, open: null, offline_message: '', prechat: null, departments: [], agents: [] };
	var CONTACT_KEY = 'kefu.c.' + siteKey; // set once this visitor filled in the pre-chat form
	var known = !token;        // whether we know if the visitor has an open conversation (a new one has none)
	var contactOut = null;     // a contact frame not yet answered (sent again after a reconnect)
	var offSent = false;       // the offline form was sent on this page
	var form = null;           // the pre-chat or offline form shown instead of the chat, and its kind
	var formKind = '';
	var token = load(TOKEN_KEY) || '';
	var convId = 0;            // the current conversation
	var convStatus = '';
	var lastSeq = 0;           // highest seq seen in convId
	var seen = {};             // "conversation:seq" -> 1 (dedupe)
	var outbox = [];           // [{client_id, text, file_id}] not yet acked, in send order
	var mine = {};             // client_id -> message element
	var ws = null, wsReady = false, started = false, blocked = false;
	var retry = 0, retryTimer = 0, pingTimer = 0;
	var isOpen = false;
	var typingTimer = 0, typingSentAt = 0, typingPending = false, lastDraft = '';
	var agentTypingTimer = 0;
	var lastRead = 0;
	var rateBox = null;        // the rating form, for the conversation in its data-cid
	var rated = {};            // conversation id -> 1 once rated
	var upQueue = [], upBusy = false; // files waiting to be uploaded, one at a time
	var MAIL_KEY = 'kefu.e.' + siteKey; // the visitor's e-mail (forms, contact), to prefill the transcript box
	var myEmail = load(MAIL_KEY) || '';
	var mailBox = null, mailWait = false; // the "e-mail the transcript" box; a request not yet answered

	/* ---- the shadow DOM ---- */
	var host = el('div', { id: 'kefu-widget' });
	var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
	if (root.adoptedStyleSheets !== undefined && W.CSSStyleSheet) {
		try {
			var sheet = new CSSStyleSheet();
			sheet.replaceSync(CSS); // not subject to the shop's style-src CSP, unlike <style>
			root.adoptedStyleSheets = [sheet];
		} catch (e) {
			root.appendChild(el('style', { text: CSS }));
		}
	} else {
		root.appendChild(el('style', { text: CSS }));
	}

	var launcher = el('button', { id: 'kefu-launcher', type: 'button', 'aria-label': S.open, 'aria-expanded': 'false', 'aria-controls': 'kefu-panel' });
	launcher.appendChild(icon('M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'));
	var titleEl = el('span', { cls: 'kefu-title', text: S.title });
	var statusEl = el('span', { id: 'kefu-status', cls: 'kefu-off', text: '' });
	var closeBtn = el('button', { type: 'button', cls: 'kefu-x', 'aria-label': S.close, title: S.close, text: '\u00d7' });
	var endBtn = el('button', { id: 'kefu-end', type: 'button', cls: 'kefu-end', hidden: '', text: S.end });
	var mailBtn = el('button', { id: 'kefu-email-transcript', type: 'button', cls: 'kefu-end kefu-mail', hidden: '', 'aria-label': S.mail, title: S.mail, text: '\u2709' });
	var connEl = el('div', { cls: 'kefu-conn', role: 'status', hidden: '' });
	var queueEl = el('div', { id: 'kefu-queue', cls: 'kefu-conn kefu-queue', role: 'status', hidden: '' });
	var list = el('div', { cls: 'kefu-list', role: 'log', 'aria-live': 'polite' });
	var greetEl = el('div', { cls: 'kefu-greet' });
	list.appendChild(greetEl);
	var typingEl = el('div', { id: 'kefu-typing', hidden: '', text: S.typing });
	var input = el('textarea', { id: 'kefu-input', rows: '1', placeholder: S.ph, 'aria-label': S.ph, maxlength: '10000', enterkeyhint: 'send' });
	var sendBtn = el('button', { id: 'kefu-send', type: 'button', text: S.send });
	var fileIn = el('input', { id: 'kefu-file', type: 'file', hidden: '', tabindex: '-1', 'aria-hidden': 'true' });
	var attachBtn = el('button', { id: 'kefu-attach', type: 'button', 'aria-label': S.attach, title: S.attach });
	attachBtn.appendChild(icon('M16.5 6.5 8.6 14.4a1.6 1.6 0 0 0 2.3 2.3l8-8a3.2 3.2 0 0 0-4.6-4.6l-8.3 8.3a4.8 4.8 0 0 0 6.8 6.8l7.2-7.2'));
	var progEl = el('progress', { id: 'kefu-progress', max: '100', value: '0', hidden: '', 'aria-label': S.uploading });
	var fileErr = el('div', { id: 'kefu-file-error', role: 'alert', hidden: '' });
	var foot = el('div', { cls: 'kefu-foot' }, [attachBtn, fileIn, input, sendBtn]);
	var panel = el('div', { id: 'kefu-panel', role: 'dialog', 'aria-label': S.title, hidden: '', lang: LANG }, [
		el('div', { cls: 'kefu-head' }, [el('div', { cls: 'kefu-hl' }, [titleEl, statusEl]), mailBtn, endBtn, closeBtn]),
		connEl,
		queueEl,
		list,
		typingEl,
		progEl,
		fileErr,
		foot,
	]);
	root.appendChild(panel);
	root.appendChild(launcher);
	// FAQ suggestions while the visitor types, until a conversation exists (suggest.js).
	suggestSetup({ origin: ORIGIN, site: siteKey, lang: LANG, script: script, input: input, foot: foot, panel: panel, started: function () { return !!convId; } });
	// The shop's signed customer (data-customer-id / -sig), sent in hello; the welcome says whom
	// the server took it for (customer: null for a guest, undefined until the first welcome).
	var CID = script.getAttribute('data-customer-id'), CSIG = script.getAttribute('data-customer-sig');
	var customer;

	/* ---- the extras bundle (extras.js): its header buttons and views, added on first open ---- */
	var extras = null, extrasAsked = false, orders = null, formsDone = false;
	function loadExtras() {
		if (extrasAsked) return;
		extrasAsked = true;
		var sc = doc.createElement('script');
		sc.async = true;
		sc.src = ORIGIN + __KEFU_EXTRAS__;
		sc.onload = function () {
			extras = W.__kefuWidgetExtras;
			if (extras) setupExtras();
		};
		sc.onerror = function () { extrasAsked = false; sc.remove(); }; // the next open tries again
		(doc.head || doc.documentElement).appendChild(sc);
	}
	function setupExtras() {
		var o = { origin: ORIGIN, site: siteKey, lang: LANG, script: script, panel: panel, token: function () { return token; } };
		// The Orders view over the chat (orders.js), told who the visitor is once the welcome says so.
		orders = extras.ordersSetup(o);
		if (customer !== undefined) orders.identified(customer);
		// A signed customer's coupons and offers, and tickets, in views like the orders one.
		extras.offersSetup(o);
		extras.ticketsSetup(o);
		setupForms();
	}
	/* The site's online forms behind a "留言/表单" button (forms.js), once both the extras and the
	 * config (which lists the forms) are here. */
	function setupForms() {
		if (!extras || !cfg.forms || formsDone) return;
		formsDone = true;
		extras.formsSetup({ origin: ORIGIN, site: siteKey, lang: LANG, panel: panel, forms: cfg.forms });
	}

	function icon(d) {
		var ns = 'http://www.w3.org/2000/svg';
		var svg = doc.createElementNS(ns, 'svg');
		svg.setAttribute('viewBox', '0 0 24 24');
		svg.setAttribute('aria-hidden', 'true');
		var p = doc.createElementNS(ns, 'path');
		p.setAttribute('d', d);
		svg.appendChild(p);
		return svg;
	}

	/* online, open, offline_message, prechat: from the public config or the welcome frame. */
	function siteCfg(s) {
		if (typeof s.online === 'boolean') cfg.online = s.online;
		if (typeof s.open === 'boolean') cfg.open = s.open;
		if (typeof s.offline_message === 'string') cfg.offline_message = s.offline_message;
		if (s.prechat && typeof s.prechat === 'object') cfg.prechat = s.prechat;
		if (s.departments && s.departments.length !== undefined) cfg.departments = s.departments;
		if (s.agents && s.agents.length !== undefined) cfg.agents = s.agents;
		applyConfig();
		view();
	}
	function applyConfig() {
		if (cfg.color && /^#[0-9a-f]{3,8}$|^[a-z]+$|^rgb/i.test(cfg.color)) host.style.setProperty('--kefu-c', cfg.color);
		titleEl.textContent = cfg.name || S.title;
		greetEl.textContent = cfg.greeting || (cfg.online === false ? S.offmsg : S.greet);
		if (cfg.online !== null) {
			statusEl.textContent = cfg.online ? S.online : S.offline;
			statusEl.className = cfg.online ? 'kefu-on' : 'kefu-off';
		}
	}

	/* ---- the pre-chat form (before a first chat, when the site asks for it) and the offline form
	 * (nobody online, or outside business hours): shown instead of the chat until sent ---- */
	var EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
	var PHONE_RE = /^\+?[0-9][0-9 ()-]{4,24}$/;
	function trim(v) { return String(v || '').replace(/^\s+|\s+$/g, ''); }
	function view() {
		var want = '';
		if (known && !convId) {
			var pc = cfg.prechat;
			if (cfg.online === false) want = offSent ? '' : 'offline';
			else if (cfg.online && !load(CONTACT_KEY) && ((pc && pc.enabled && pc.fields && pc.fields.length) || pickDept())) want = 'prechat';
		}
		if (want === formKind) return;
		if (form) panel.removeChild(form);
		form = null;
		formKind = want;
		if (want) {
			form = want === 'offline' ? offlineForm() : prechatForm(cfg.prechat);
			panel.insertBefore(form, list);
		}
		var chat = [list, foot];
		for (var k = 0; k < chat.length; k++) {
			if (want) chat[k].setAttribute('hidden', '');
			else chat[k].removeAttribute('hidden');
		}
		if (want) { typingEl.setAttribute('hidden', ''); endBtn.setAttribute('hidden', ''); mailBtn.setAttribute('hidden', ''); }
	}
	/* One labelled input; textarea for the question or message. */
	function field(name, req) {
		var big = name === 'question' || name === 'message';
		var inp = el(big ? 'textarea' : 'input', { name: name, id: 'kefu-f-' + name, rows: '3', maxlength: big ? '10000' : name === 'name' ? '100' : '200' });
		if (!big) {
			inp.removeAttribute('rows');
			inp.setAttribute('type', name === 'email' ? 'email' : name === 'phone' ? 'tel' : 'text');
			inp.setAttribute('autocomplete', name === 'phone' ? 'tel' : name);
		}
		if (req) { inp.setAttribute('required', ''); inp.setAttribute('aria-required', 'true'); }
		var err = el('span', { cls: 'kefu-err', id: 'kefu-e-' + name, role: 'alert' });
		inp.setAttribute('aria-describedby', err.id);
		return el('label', { cls: 'kefu-field' }, [el('span', { text: S[name] + (req ? ' *' : S.opt) }), inp, err]);
	}
	/* Checks every input of the form; shows the errors; returns {name: value} or null. */
	function check(f) {
		var out = {}, bad = null, ins = f.querySelectorAll('input,textarea');
		for (var k = 0; k < ins.length; k++) {
			var inp = ins[k], v = trim(inp.value), e = '';
			if (!v && inp.hasAttribute('required')) e = S.eReq;
			else if (v && inp.name === 'email' && !EMAIL_RE.test(v)) e = S.eEmail;
			else if (v && inp.name === 'phone' && !PHONE_RE.test(v)) e = S.ePhone;
			f.querySelector('#kefu-e-' + inp.name).textContent = e;
			if (e) { inp.setAttribute('aria-invalid', 'true'); bad = bad || inp; }
			else inp.removeAttribute('aria-invalid');
			if (v) out[inp.name] = v;
		}
		if (bad) { bad.focus(); return null; }
		return out;
	}
	function makeForm(id, kids, btnId, btnText, onOk) {
		var btn = el('button', { id: btnId, type: 'submit', cls: 'kefu-fsend', text: btnText });
		kids.push(btn);
		var f = el('form', { id: id, cls: 'kefu-form', novalidate: '' }, kids);
		f.addEventListener('submit', function (e) {
			e.preventDefault();
			var v = check(f);
			if (v) onOk(v);
		});
		return f;
	}
	/* {type:"contact"} first (kept until answered, so a reconnect sends it again), then the text. */
	function sendContact(v) {
		contactOut = { type: 'contact' };
		if (v.name) contactOut.name = v.name;
		if (v.email) setEmail(contactOut.email = v.email);
		if (v.phone) contactOut.phone = v.phone;
		if (v.department) contactOut.department_id = +v.department;
		if (v.agent) contactOut.agent_id = +v.agent;
		send(contactOut);
		connect();
	}
	/* Whether the pre-chat form offers a department: the site has some and the snippet chose none. */
	function pickDept() { return !PRESET_DEPT && cfg.departments && cfg.departments.length > 0; }
	function deptField() {
		var sel = el('select', { name: 'department', id: 'kefu-f-department' }, [el('option', { value: '', text: S.anyDept })]);
		for (var k = 0; k < cfg.departments.length; k++) {
			var d = cfg.departments[k];
			sel.appendChild(el('option', { value: String(d.id), text: d.name + (d.online ? '' : ' (' + S.offline + ')') }));
		}
		return el('label', { cls: 'kefu-field' }, [el('span', { text: S.dept }), sel]);
	}
	function agentField() {
		var sel = el('select', { name: 'agent', id: 'kefu-f-agent' }, [el('option', { value: '', text: S.anyAgent })]);
		for (var k = 0; k < cfg.agents.length; k++) {
			var a = cfg.agents[k];
			sel.appendChild(el('option', { value: String(a.id), text: a.name + (a.online ? '' : ' (' + S.offline + ')') }));
		}
		return el('label', { cls: 'kefu-field' }, [el('span', { text: S.agent }), sel]);
	}
	function prechatForm(pc) {
		var kids = [el('p', { cls: 'kefu-ftitle', text: S.pcTitle })], req = (pc && pc.required) || [];
		var fields = (pc && pc.enabled && pc.fields) || [];
		if (pickDept()) kids.push(deptField());
		for (var k = 0; k < fields.length; k++) {
			var n = fields[k];
			if (S[n] && /^(name|email|phone|question)$/.test(n)) kids.push(field(n, req.indexOf(n) >= 0));
			else if (n === 'agent' && !PRESET_AGENT && cfg.agents.length) kids.push(agentField());
		}
		return makeForm('kefu-prechat', kids, 'kefu-prechat-send', S.start, function (v) {
			var dsel = form && form.querySelector('#kefu-f-department');
			if (dsel && dsel.value) {
				v.department = dsel.value;
				save(DEPT_KEY, v.department);
			}
			var asel = form && form.querySelector('#kefu-f-agent');
			if (asel && asel.value) {
				v.agent = asel.value;
				save(AGENT_KEY, v.agent);
			}
			save(CONTACT_KEY, '1');
			sendContact(v);
			view();
			if (v.question) post(v.question);
		});
	}
	function offlineForm() {
		var kids = [];
		if (cfg.open === false) kids.push(el('p', { cls: 'kefu-ftitle', text: S.hours }));
		kids.push(el('p', { cls: 'kefu-offmsg', text: cfg.offline_message || S.offmsg }), field('name'), field('email', 1), field('message', 1));
		return makeForm('kefu-offline', kids, 'kefu-offline-send', S.offSend, function (v) {
			offSent = true;
			sendContact(v);
			view();
			post(v.message);
			list.appendChild(el('div', { id: 'kefu-offline-done', cls: 'kefu-msg kefu-sys', role: 'status', text: S.offDone.replace('{e}', v.email) }));
			scrollDown();
		});
	}
	function focusFirst() {
		var f = form ? form.querySelector('input,textarea') : input;
		try { f.focus({ preventScroll: true }); } catch (e) { /* old browsers */ }
	}

	/* The FAQ bot's answer (a system message already shown): mark it automatic, link the
	 * article, and ask whether it helped; "no" hands the chat to a person. */
	function botAnswer(f) {
		var node = list.querySelector('.kefu-msg[data-seq="' + (+f.seq) + '"][data-cid="' + (+f.conversation_id) + '"]');
		if (!node || node.querySelector('.kefu-bot-ask')) return;
		node.className = 'kefu-msg kefu-them kefu-bot';
		node.insertBefore(el('div', { cls: 'kefu-bot-tag', text: S.botTag }), node.firstChild);
		var row = el('div', { cls: 'kefu-bot-ask' });
		if (f.url && /^\/help\//.test(f.url)) row.appendChild(el('a', { href: ORIGIN + f.url, target: '_blank', rel: 'noopener', text: S.botMore }));
		var yes = el('button', { type: 'button', id: 'kefu-bot-yes', text: S.botYes });
		var no = el('button', { type: 'button', id: 'kefu-bot-no', text: S.botNo });
		function answer(helpful) {
			if (!send({ type: 'bot_feedback', helpful: helpful })) return;
			row.removeChild(yes);
			row.removeChild(no);
			row.appendChild(el('span', { cls: 'kefu-bot-done', text: helpful ? S.botThanks : S.botHand }));
		}
		yes.addEventListener('click', function () { answer(true); });
		no.addEventListener('click', function () { answer(false); });
		row.appendChild(yes);
		row.appendChild(no);
		node.appendChild(row);
		scrollDown();
	}
	/* The visitor's place in the queue while every agent is busy (0: not queued). */
	function showQueue(pos, wait) {
		if (!pos) { queueEl.setAttribute('hidden', ''); return; }
		queueEl.textContent = S.queue.replace('{n}', pos).replace('{m}', Math.max(1, Math.round((wait || 60) / 60)));
		queueEl.removeAttribute('hidden');
	}
	function showConn(text) {
		connEl.textContent = text || '';
		if (text) connEl.removeAttribute('hidden');
		else connEl.setAttribute('hidden', '');
	}

	/* ---- messages ---- */
	function scrollDown() {
		list.scrollTop = list.scrollHeight;
	}
	function setState(node, state) {
		node.setAttribute('data-state', state);
		var st = node.querySelector('.kefu-st');
		if (st) st.textContent = S[state] || '';
	}
	/* A file's URL is relative to the kefu server, which may not be the page's origin. */
	function fileUrl(u) {
		u = String(u || '');
		return /^\/[^\/\\]/.test(u) ? ORIGIN + u : /^https?:\/\//i.test(u) ? u : '';
	}
	function human(n) {
		n = +n || 0;
		return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB' : (n / 1048576).toFixed(1) + ' MB';
	}
	/* An image as a thumbnail (click: full size in a new tab), anything else as a download link. */
	function fileBody(body, f, text) {
		var url = fileUrl(f.url);
		var a = el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' });
		if (/^image\/(png|jpeg|gif|webp)$/i.test(f.content_type || '')) {
			a.className = 'kefu-imga';
			a.appendChild(el('img', { cls: 'kefu-img', src: url, alt: f.name || '' }));
		} else {
			a.className = 'kefu-file';
			a.setAttribute('download', f.name || '');
			a.appendChild(el('span', { cls: 'kefu-fn', text: f.name || '' }));
			a.appendChild(el('span', { cls: 'kefu-fs', text: human(f.size) }));
		}
		body.appendChild(a);
		if (text && text !== f.name) { body.appendChild(doc.createTextNode('\n')); richText(body, text); }
	}
	function bubble(from, text, at, kind, file, card) {
		var cls = 'kefu-msg kefu-' + (kind === 'event' || from === 'system' ? 'sys' : from === 'visitor' ? 'me' : 'them');
		var body = el('div', { cls: 'kefu-b' });
		if (card && card.type === 'order') orderCard(body, card, LANG); // an order an agent sent
		else if (kind === 'file' && file) fileBody(body, file, text);
		else richText(body, text || '');
		var node = el('div', { cls: cls, 'data-from': from }, [body]);
		var meta = el('div', { cls: 'kefu-meta' }, [el('span', { text: hhmm(at) })]);
		if (from === 'visitor') meta.appendChild(el('span', { cls: 'kefu-st' }));
		if (kind !== 'event' && from !== 'system') node.appendChild(meta);
		return node;
	}
	/* Received messages go above the unsent ones, in seq order. */
	function place(node) {
		var firstPending = list.querySelector('.kefu-msg[data-state="sending"],.kefu-msg[data-state="failed"]');
		list.insertBefore(node, firstPending || null);
	}
	function onMessage(m) {
		if (!m || m.kind === 'note') return;
		var key = m.conversation_id + ':' + m.seq;
		if (seen[key]) return;
		seen[key] = 1;
		setConv(m.conversation_id);
		if (m.seq > lastSeq) lastSeq = m.seq;
		var node = m.client_id && m.from === 'visitor' ? mine[m.client_id] : null;
		if (node) {
			dropOutbox(m.client_id);
			if (node.getAttribute('data-state') !== 'read') setState(node, 'delivered');
			node.setAttribute('data-seq', m.seq);
			node.setAttribute('data-cid', m.conversation_id);
			if (node.parentNode === list && list.lastChild !== node) { list.removeChild(node); place(node); }
		} else {
			node = bubble(m.from, m.text, m.at, m.kind, m.file, m.card);
			node.setAttribute('data-seq', m.seq);
			node.setAttribute('data-cid', m.conversation_id);
			if (m.from === 'visitor') {
				setState(node, 'delivered');
				if (m.client_id) mine[m.client_id] = node;
			}
			place(node);
		}
		if (m.from === 'agent') showAgentTyping(false);
		scrollDown();
		markRead();
	}
	function markRead() {
		if (!isOpen || !wsReady || !lastSeq || lastSeq <= lastRead || doc.visibilityState === 'hidden') return;
		lastRead = lastSeq;
		send({ type: 'read', seq: lastSeq });
	}
	function dropOutbox(cid) {
		for (var k = 0; k < outbox.length; k++) if (outbox[k].client_id === cid) { outbox.splice(k, 1); return; }
	}
	function showAgentTyping(on) {
		clearTimeout(agentTypingTimer);
		if (on) {
			typingEl.removeAttribute('hidden');
			agentTypingTimer = setTimeout(function () { showAgentTyping(false); }, 8000);
		} else typingEl.setAttribute('hidden', '');
	}

	/* A new conversation (the old one was closed): its seqs start over. */
	function setConv(id) {
		if (!id || id === convId) return;
		convId = id;
		lastSeq = 0;
		lastRead = 0;
		convStatus = '';
		showEnd();
	}
	function showEnd() {
		if (convId && convStatus !== 'closed') endBtn.removeAttribute('hidden');
		else endBtn.setAttribute('hidden', '');
		if (convId && !formKind) mailBtn.removeAttribute('hidden');
		else mailBtn.setAttribute('hidden', '');
	}

	/* ---- e-mail the transcript: {type:"email_transcript"} (conversation_id: the current or the
	 * just-closed one), answered by transcript_sent or an error ---- */
	function setEmail(e) {
		if (e && e !== myEmail) save(MAIL_KEY, (myEmail = e));
	}
	function mailResult(text, ok) {
		var r = mailBox && mailBox.querySelector('#kefu-transcript-result');
		if (!r) return;
		r.textContent = text;
		r.setAttribute('data-ok', ok ? 'true' : 'false');
		if (ok && text) mailBox.querySelector('#kefu-transcript-send').setAttribute('hidden', '');
		scrollDown();
	}
	function askMail(cid) {
		if (mailBox && mailBox.parentNode) list.removeChild(mailBox);
		mailWait = false;
		var to = el('input', { id: 'kefu-transcript-to', type: 'email', autocomplete: 'email', maxlength: '200', placeholder: S.email, 'aria-label': S.email });
		to.value = myEmail;
		mailBox = el('form', { id: 'kefu-transcript', cls: 'kefu-rate', novalidate: '' }, [
			el('div', { cls: 'kefu-rq', text: S.mail }), to,
			el('button', { id: 'kefu-transcript-send', type: 'submit', text: S.send }),
			el('div', { id: 'kefu-transcript-result', role: 'status' }),
		]);
		mailBox.addEventListener('submit', function (e) {
			e.preventDefault();
			var v = trim(to.value);
			if (!EMAIL_RE.test(v)) return mailResult(S.eEmail, false);
			var f = { type: 'email_transcript', email: v };
			if (cid || convId) f.conversation_id = cid || convId;
			if (!send(f)) return mailResult(S.reconnecting, false);
			mailWait = true;
			mailResult('', true);
		});
		list.appendChild(mailBox);
		scrollDown();
		try { to.focus({ preventScroll: true }); } catch (e) { /* old browsers */ }
	}

	/* ---- rating: five stars and a comment once a conversation is closed ---- */
	function thank() {
		var t = el('div', { id: 'kefu-thanks', cls: 'kefu-msg kefu-sys', role: 'status', text: S.thanks });
		if (rateBox && rateBox.parentNode) list.replaceChild(t, rateBox);
		else list.appendChild(t);
		rateBox = null;
		scrollDown();
	}
	function askRating(id) {
		if (rated[id] || (rateBox && +rateBox.getAttribute('data-cid') === id)) return;
		if (rateBox && rateBox.parentNode) list.removeChild(rateBox);
		var v = 0, stars = [];
		var row = el('div', { cls: 'kefu-stars', role: 'group', 'aria-label': S.rateQ });
		for (var n = 1; n <= 5; n++) {
			stars.push(el('button', { type: 'button', cls: 'kefu-star', 'data-v': n, 'aria-label': n + '/5', 'aria-pressed': 'false', text: '\u2605' }));
			row.appendChild(stars[n - 1]);
		}
		var cm = el('textarea', { id: 'kefu-rate-comment', rows: '2', maxlength: '300', placeholder: S.rateCm, 'aria-label': S.rateCm });
		var sb = el('button', { id: 'kefu-rate-send', type: 'button', disabled: '', text: S.rateSend });
		row.addEventListener('click', function (e) {
			var b = e.target.closest && e.target.closest('.kefu-star');
			if (!b) return;
			v = +b.getAttribute('data-v');
			for (var k = 0; k < 5; k++) stars[k].setAttribute('aria-pressed', k < v ? 'true' : 'false');
			sb.removeAttribute('disabled');
		});
		sb.addEventListener('click', function () {
			var c = cm.value.replace(/^\s+|\s+$/g, '');
			if (v && send({ type: 'rate', conversation_id: id, rating: v, comment: c || undefined })) {
				rated[id] = 1;
				thank();
			}
		});
		rateBox = el('div', { id: 'kefu-rate', cls: 'kefu-rate', 'data-cid': id }, [el('div', { cls: 'kefu-rq', text: S.rateQ }), row, cm, sb]);
		list.appendChild(rateBox);
		// and the transcript by e-mail, for this (closed) conversation
		var offer = el('button', { type: 'button', cls: 'kefu-link', 'data-cid': id, text: S.mail });
		offer.addEventListener('click', function () {
			if (offer.parentNode) list.removeChild(offer);
			askMail(id);
		});
		list.appendChild(offer);
		scrollDown();
	}

	/* ---- sending ---- */
	function newId() {
		return 'v' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
	}
	function send(obj) {
		if (!ws || !wsReady) return false;
		try { ws.send(JSON.stringify(obj)); return true; } catch (e) { return false; }
	}
	function sendItem(o) {
		return send({ type: 'msg', client_id: o.client_id, text: o.text || undefined, file_id: o.file_id || undefined });
	}
	function resend() { outbox.forEach(sendItem); }
	function submit() {
		var text = input.value.replace(/^\s+|\s+$/g, '');
		if (!text) return;
		input.value = '';
		autosize();
		sendTyping('', true);
		post(text);
	}
	function post(text) {
		var item = { client_id: newId(), text: text };
		outbox.push(item);
		var node = bubble('visitor', text, Date.now(), 'text');
		setState(node, 'sending');
		mine[item.client_id] = node;
		list.appendChild(node);
		scrollDown();
		sendItem(item);
		connect();
	}

	/* ---- files: uploaded over HTTP (XHR, for its progress), then sent as a msg with file_id ---- */
	function showFileErr(code, msg) {
		fileErr.textContent = code ? S[code] || S.upErr : '';
		if (msg) fileErr.title = msg;
		if (code) fileErr.removeAttribute('hidden');
		else fileErr.setAttribute('hidden', '');
		if (code) scrollDown();
	}
	function addFiles(files) {
		for (var k = 0; files && k < files.length; k++) upQueue.push(files[k]);
		pump();
	}
	function pump() {
		if (upBusy || !upQueue.length) return;
		// The upload needs the visitor token, which the first welcome brings.
		if (!token) return connect();
		var file = upQueue.shift();
		upBusy = true;
		showFileErr('');
		progEl.value = 0;
		progEl.removeAttribute('hidden');
		var xhr = new XMLHttpRequest();
		var done = function () {
			upBusy = false;
			progEl.setAttribute('hidden', '');
			pump();
		};
		xhr.open('POST', ORIGIN + '/api/v1/chat/files?site=' + encodeURIComponent(siteKey));
		xhr.setRequestHeader('X-Visitor-Token', token);
		xhr.upload.onprogress = function (e) {
			if (e.lengthComputable) progEl.value = Math.round((e.loaded / e.total) * 100);
		};
		xhr.onload = function () {
			var d = null;
			try { d = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
			if (xhr.status === 201 && d && d.file) {
				progEl.value = 100;
				sendFile(d.file);
			} else {
				var er = (d && d.error) || {};
				showFileErr(er.code || (xhr.status === 413 ? 'file_too_large' : 'upErr'), er.message);
			}
			done();
		};
		xhr.onerror = xhr.onabort = function () { showFileErr('upErr'); done(); };
		var fd = new FormData();
		fd.append('file', file, file.name);
		xhr.send(fd);
	}
	function sendFile(f) {
		var item = { client_id: newId(), file_id: f.id };
		outbox.push(item);
		var node = bubble('visitor', f.name, Date.now(), 'file', f);
		setState(node, 'sending');
		mine[item.client_id] = node;
		list.appendChild(node);
		scrollDown();
		sendItem(item);
		connect();
	}
	/* The visitor's draft, at most every 300 ms, and '' right away when they send or leave. */
	function sendTyping(draft, now) {
		clearTimeout(typingTimer);
		if (draft === lastDraft) return;
		var wait = 300 - (Date.now() - typingSentAt);
		if (now || wait <= 0) {
			lastDraft = draft;
			typingSentAt = Date.now();
			if (!send({ type: 'typing', draft: draft })) lastDraft = '';
		} else {
			typingTimer = setTimeout(function () { sendTyping(input.value, true); }, wait);
		}
	}
	function autosize() {
		input.style.height = 'auto';
		input.style.height = Math.min(input.scrollHeight, 120) + 'px';
	}

	/* ---- the connection ---- */
	function connect() {
		if (started && ws) return;
		if (blocked) return;
		started = true;
		clearTimeout(retryTimer);
		showConn(retry ? S.reconnecting : S.connecting);
		try {
			ws = new WebSocket(WS_URL);
		} catch (e) {
			ws = null;
			return schedule();
		}
		var sock = ws;
		sock.onopen = function () {
			var hello = { type: 'hello', lang: LANG, page: String(location.href).slice(0, 1000) };
			// The snippet's department, else the one picked in the pre-chat form on an earlier page.
			var dept = PRESET_DEPT || load(DEPT_KEY) || '';
			if (dept) hello.department = /^\d+$/.test(dept) ? +dept : dept;
			var agentPick = PRESET_AGENT || +(load(AGENT_KEY) || 0);
			if (agentPick) hello.agent = agentPick;
			if (token) hello.token = token;
			if (lastSeq) hello.last_seq = lastSeq;
			if (CID && CSIG) hello.customer = { id: CID, sig: CSIG }; // the shop's signed customer
			sock.send(JSON.stringify(hello));
		};
		sock.onmessage = function (ev) {
			var f;
			try { f = JSON.parse(ev.data); } catch (e) { return; }
			if (f && sock === ws) handle(f);
		};
		sock.onclose = function (ev) {
			if (sock !== ws) return;
			ws = null;
			wsReady = false;
			lastDraft = '';
			clearInterval(pingTimer);
			if (ev.code === 1008) {
				// Bad site key or origin: retrying will not help.
				blocked = true;
				showConn(S.blocked);
				return;
			}
			schedule();
		};
	}
	function schedule() {
		var delay = Math.min(30000, 1000 * Math.pow(2, retry)) * (0.75 + Math.random() * 0.5);
		retry++;
		showConn(S.reconnecting);
		clearTimeout(retryTimer);
		retryTimer = setTimeout(function () { ws = null; connect(); }, delay);
	}
	function handle(f) {
		inviteFrame(f);
		switch (f.type) {
			case 'welcome':
				wsReady = true;
				retry = 0;
				showConn('');
				if (f.token && f.token !== token) {
					token = f.token;
					save(TOKEN_KEY, token);
				}
				if (f.site) {
					if (f.site.name) cfg.name = f.site.name;
					if (f.site.greeting) cfg.greeting = f.site.greeting;
					if (f.site.color) cfg.color = f.site.color;
					siteCfg(f.site);
				}
				known = true;
				customer = f.customer || null;
				if (orders) orders.identified(customer);
				if (f.conversation) {
					setConv(f.conversation.id);
					convStatus = f.conversation.status || '';
					showEnd();
				}
				(f.messages || []).forEach(onMessage);
				// an automatic answer still asking "did it help?" (after a reload): its buttons again
				if (f.conversation && f.conversation.bot)
					botAnswer({ conversation_id: f.conversation.id, seq: f.conversation.bot.seq, url: f.conversation.bot.url });
				view();
				if (contactOut) send(contactOut);
				// Unacked messages go again, in order; the server drops duplicates by client_id.
				resend();
				pump();
				clearInterval(pingTimer);
				pingTimer = setInterval(function () { send({ type: 'ping' }); }, 25000);
				lastRead = 0;
				markRead();
				break;
			case 'ack':
				dropOutbox(f.client_id);
				var node = mine[f.client_id];
				setConv(f.conversation_id);
				if (node) {
					if (node.getAttribute('data-state') !== 'read') setState(node, 'delivered');
					node.setAttribute('data-seq', f.seq);
					node.setAttribute('data-cid', f.conversation_id);
					var key = f.conversation_id + ':' + f.seq;
					if (!seen[key]) {
						seen[key] = 1;
						if (f.seq > lastSeq) lastSeq = f.seq;
						list.removeChild(node);
						place(node);
					}
				}
				break;
			case 'msg':
				onMessage(f.message);
				break;
			case 'queue':
				showQueue(f.position, f.estimated_wait);
				break;
			case 'bot_answer':
				botAnswer(f);
				break;
			case 'contact':
				contactOut = null;
				setEmail(f.email);
				break;
			case 'transcript_sent':
				mailWait = false;
				setEmail(f.email);
				mailResult(S.mailOk.replace('{e}', f.email || ''), true);
				break;
			case 'typing':
				if (f.from === 'agent') showAgentTyping(!!f.typing);
				break;
			case 'read':
				if (f.by === 'agent') {
					var nodes = list.querySelectorAll('.kefu-me[data-seq]');
					for (var k = 0; k < nodes.length; k++)
						if (+nodes[k].getAttribute('data-seq') <= f.seq && +nodes[k].getAttribute('data-cid') === f.conversation_id)
							setState(nodes[k], 'read');
				}
				break;
			case 'conversation':
				var c = f.conversation || {};
				if (c.rating) {
					// Rated (here or in another tab): no form for it any more.
					rated[c.id] = 1;
					if (rateBox && +rateBox.getAttribute('data-cid') === c.id) thank();
				}
				if (c.id < convId) break; // an older conversation (its rating was saved)
				setConv(c.id);
				if (c.status === 'closed' && convStatus !== 'closed') {
					list.appendChild(el('div', { cls: 'kefu-msg kefu-sys', 'data-from': 'system', text: S.closed }));
					showAgentTyping(false);
					scrollDown();
					if (!c.rating) askRating(c.id);
				}
				convStatus = c.status || convStatus;
				if (convStatus !== 'waiting') showQueue(0);
				showEnd();
				break;
			case 'error':
				if (mailWait && !f.client_id) {
					mailWait = false;
					mailResult(f.code === 'invalid_field' ? S.eEmail : S[f.code === 'not_found' || f.code === 'unavailable' ? f.code : 'mailErr'], false);
				}
				if (f.client_id) {
					var n = mine[f.client_id];
					if (f.code === 'closed') {
						// Sending again starts a new conversation.
						for (var j = 0; j < outbox.length; j++)
							if (outbox[j].client_id === f.client_id && !outbox[j].retried) {
								outbox[j].retried = 1;
								sendItem(outbox[j]);
								return;
							}
					}
					if (f.code === 'rate_limited') {
						setTimeout(resend, 5000);
						return;
					}
					dropOutbox(f.client_id);
					if (n) setState(n, 'failed');
				}
				break;
		}
	}

	/* ---- open / close ---- */
	function open() {
		if (!panel.parentNode) return;
		isOpen = true;
		loadExtras();
		panel.removeAttribute('hidden');
		host.setAttribute('data-open', '');
		launcher.setAttribute('aria-expanded', 'true');
		connect();
		scrollDown();
		markRead();
		focusFirst();
	}
	function close() {
		isOpen = false;
		panel.setAttribute('hidden', '');
		host.removeAttribute('data-open');
		launcher.setAttribute('aria-expanded', 'false');
		sendTyping('', true);
		launcher.focus();
	}

	launcher.addEventListener('click', function () { (isOpen ? close : open)(); });
	// A hover or keyboard focus on the launcher is a good hint: start fetching the extras then.
	launcher.addEventListener('pointerenter', loadExtras);
	launcher.addEventListener('focus', loadExtras);
	closeBtn.addEventListener('click', close);
	endBtn.addEventListener('click', function () {
		if (convStatus !== 'closed' && send({ type: 'close' })) endBtn.setAttribute('hidden', '');
	});
	mailBtn.addEventListener('click', function () {
		if (mailBox && mailBox.parentNode) { list.removeChild(mailBox); mailBox = null; } else askMail(0);
	});
	sendBtn.addEventListener('click', function () { submit(); input.focus(); });
	input.addEventListener('keydown', function (e) {
		if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
			e.preventDefault();
			submit();
		} else if (e.key === 'Escape') close();
	});
	input.addEventListener('input', function () {
		autosize();
		sendTyping(input.value);
	});
	input.addEventListener('blur', function () { sendTyping('', true); });
	attachBtn.addEventListener('click', function () { fileIn.click(); });
	fileIn.addEventListener('change', function () {
		addFiles(fileIn.files);
		fileIn.value = '';
	});
	fileErr.addEventListener('click', function () { showFileErr(''); });
	panel.addEventListener('dragover', function (e) {
		if (e.dataTransfer && [].indexOf.call(e.dataTransfer.types || [], 'Files') >= 0) {
			e.preventDefault();
			panel.setAttribute('data-drop', '');
		}
	});
	panel.addEventListener('dragleave', function (e) {
		if (!e.relatedTarget || !panel.contains(e.relatedTarget)) panel.removeAttribute('data-drop');
	});
	panel.addEventListener('drop', function (e) {
		panel.removeAttribute('data-drop');
		if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
		e.preventDefault();
		addFiles(e.dataTransfer.files);
	});
	doc.addEventListener('visibilitychange', markRead);

	function mount() {
		(doc.body || doc.documentElement).appendChild(host);
	}
	if (doc.body) mount();
	else doc.addEventListener('DOMContentLoaded', mount);

	applyConfig();
	// The public config: colour, name and whether anyone is online, before the panel opens.
	if (W.fetch)
		W.fetch(ORIGIN + '/api/v1/widget/config?site=' + encodeURIComponent(siteKey), { credentials: 'omit' })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (d) {
				var s = d && d.site;
				if (!s) return;
				cfg.name = s.name || cfg.name;
				cfg.greeting = s.greeting || cfg.greeting;
				cfg.color = s.color || cfg.color;
				cfg.forms = s.forms || [];
				setupForms();
				// The welcome frame's online/open are fresher when the socket won the race.
				if (!wsReady) siteCfg(s);
				else siteCfg({ prechat: s.prechat, offline_message: s.offline_message, departments: s.departments, agents: s.agents });
			})
			.catch(function () { /* defaults are fine */ });

	// Invitations pop up beside the launcher; accepting one opens the panel.
	inviteSetup({
		root: root, lang: LANG, origin: ORIGIN, site: siteKey,
		color: function () { return cfg.color; },
		send: function (o) { return send(o); },
		open: open,
		isOpen: function () { return isOpen; },
	});
	// The page view first (it may make the visitor's token), then the socket, so agents see the
	// visitor live and invitations can reach them.
	startTracking({
		origin: ORIGIN, site: siteKey, lang: LANG,
		getToken: function () { return token; },
		setToken: function (t) { if (t && t !== token) { token = t; save(TOKEN_KEY, t); } },
		onReady: function () { connect(); },
	});

	W.KefuWidget = { open: open, close: close };
})();
