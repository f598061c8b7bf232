// widget/invite.js - proactive chat invitations in the widget (docs/invitations.md).
// The card an invitation pops up beside the launcher (an agent's, or a rule's), and the site's
// automatic rules: read once per page after the socket's welcome, matched here against this page
// and visit, timed by the seconds the page is visible; when one is due the widget only asks
// ({type:"invite_check"}) and the server decides. The matching mirrors src/chat/invite_match.c.

var STR = {
	'zh-CN': ['开始对话', '不用了', '在线客服'],
	'zh-TW': ['開始對話', '不用了', '線上客服'],
	en: ['Chat now', 'No thanks', 'Chat with us'],
};
var W = window;
var C = null;          // the widget's context (inviteSetup)
var visit = null;      // this visit: {t: start ms, p: pages, r: landing referrer, s, c: its UTM source/campaign}
var returning = false;
var rules = null;      // the rules that hold for this page, in the site's order; null until read
var tried = {};        // rule id -> 1 once asked about on this page
var done = false;      // an invitation came on this page: no rule fires any more
var secs = 0;          // seconds this page was visible
var card = null, cardId = 0;

function lc(s) { return String(s || '').toLowerCase(); }
function get(kind, k) {
	try { return JSON.parse(W[kind].getItem(k)); } catch (e) { return null; }
}
function put(kind, k, v) {
	try { W[kind].setItem(k, JSON.stringify(v)); } catch (e) { /* private mode: this page only */ }
}

/* '*' is any run of characters; case-insensitive; greedy with backtracking to the last '*'. */
function glob(p, s) {
	p = lc(p);
	s = lc(s);
	var i = 0, j = 0, star = -1, mark = 0;
	while (i < s.length) {
		if (p[j] === '*') { star = ++j; mark = i; }
		else if (j < p.length && p[j] === s[i]) { i++; j++; }
		else if (star >= 0) { j = star; i = ++mark; }
		else return false;
	}
	while (p[j] === '*') j++;
	return j === p.length;
}
/* The whole URL, the path with its query, or the bare path. */
function urlOk(p, u) {
	if (!p) return true;
	u = u.split('#')[0];
	var m = /^[a-z][a-z0-9+.-]*:\/\/[^\/]*(.*)$/i.exec(u), path = m ? m[1] || '/' : u;
	return glob(p, u) || glob(p, path) || glob(p, path.split('?')[0]);
}
function holds(r) {
	return urlOk(r.url_pattern, location.href) && visit.p >= r.min_pages &&
		(r.visitor === 'new' ? !returning : r.visitor === 'returning' ? returning : true) &&
		lc(visit.r).indexOf(lc(r.referrer_contains)) >= 0 &&
		(!r.utm_source || lc(r.utm_source) === lc(visit.s)) && (!r.utm_campaign || lc(r.utm_campaign) === lc(visit.c));
}

/* Every second: count visible time; ask about the first due rule not yet asked about. */
function tick() {
	if (W.document.visibilityState !== 'hidden') secs++;
	if (!rules || done || card || C.isOpen()) return;
	for (var k = 0; k < rules.length; k++) {
		var r = rules[k];
		if (tried[r.id] || secs < r.min_seconds_on_page) continue;
		if (C.send({ type: 'invite_check', rule_id: r.id, url: String(location.href).slice(0, 2000) })) tried[r.id] = 1;
		return;
	}
}

function el(tag, id, text) {
	var e = W.document.createElement(tag);
	if (id) e.id = id;
	if (text) e.textContent = text; // never innerHTML: the message is an agent's or a rule's text
	return e;
}
function hide() {
	if (card && card.parentNode) card.parentNode.removeChild(card);
	card = null;
	cardId = 0;
}
function show(inv) {
	var S = STR[C.lang] || STR.en;
	hide();
	done = true;
	card = el('div', 'kefu-invite');
	card.setAttribute('role', 'dialog');
	card.setAttribute('aria-labelledby', 'kefu-invite-t');
	card.setAttribute('aria-describedby', 'kefu-invite-m');
	card.setAttribute('lang', C.lang);
	var yes = el('button', 'kefu-invite-accept', S[0]), no = el('button', 'kefu-invite-decline', S[1]);
	yes.type = no.type = 'button';
	yes.onclick = function () {
		if (C.send({ type: 'invite_accept', invitation_id: inv.id })) { hide(); C.open(); }
	};
	no.onclick = function () {
		if (C.send({ type: 'invite_decline', invitation_id: inv.id })) hide();
	};
	var foot = el('div');
	foot.className = 'kefu-ib';
	foot.appendChild(no);
	foot.appendChild(yes);
	card.appendChild(el('div', 'kefu-invite-t', (inv.agent && inv.agent.name) || S[2]));
	card.appendChild(el('div', 'kefu-invite-m', inv.message));
	card.appendChild(foot);
	cardId = inv.id;
	C.root.appendChild(card);
}

export function inviteSetup(ctx) {
	C = ctx;
	// A visit is this tab's session; its first page keeps the landing referrer and UTM tags.
	var key = 'kefu.i.' + ctx.site, now = Date.now(), q = {};
	String(location.search).replace(/[?&](utm_source|utm_campaign)=([^&#]*)/g, function (m, k, v) {
		try { q[k] = decodeURIComponent(v.replace(/\+/g, ' ')); } catch (e) { q[k] = v; }
	});
	visit = get('sessionStorage', key);
	if (!visit || typeof visit.p !== 'number') visit = { t: now, p: 0, r: W.document.referrer || '', s: '', c: '' };
	if (q.utm_source) { visit.s = q.utm_source; visit.c = q.utm_campaign || ''; }
	visit.p++;
	put('sessionStorage', key, visit);
	var first = get('localStorage', key);
	if (typeof first !== 'number') put('localStorage', key, (first = now));
	returning = first < visit.t;
	setInterval(tick, 1000);
}

export function inviteFrame(f) {
	if (!C || !f) return;
	if (f.type === 'welcome' && !rules) {
		// The rules come with the welcome: no request of their own on every page.
		rules = (f.invite_rules || []).filter(holds);
	} else if (f.type === 'invite' && f.invitation) {
		show(f.invitation);
	} else if (f.type === 'invite_result' && f.invitation_id && f.invitation_id === cardId) {
		hide(); // answered here or in another tab
	}
}
