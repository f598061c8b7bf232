// widget/track.js - page views and time on page, for the live visitor list and the traffic
// statistics (docs/tracking.md). One small POST for the page view; then the visible seconds,
// batched into a heartbeat every 15 s while the page is visible, and a last report by
// sendBeacon when it is hidden or left. Nothing at all under Do Not Track or Global Privacy
// Control, or when the site has tracking off. The body is text/plain, so no CORS preflight.
export function startTracking(ctx) {
	var W = window, nav = navigator, D = document;
	var url = ctx.origin + '/api/v1/track?site=' + encodeURIComponent(ctx.site);
	var ready = 0, on = 1, gone = 0, ms = 0, since = D.visibilityState === 'hidden' ? 0 : Date.now();
	// The chat waits for the first answer (it may carry the visitor's token), never for long.
	function done() {
		if (!ready) { ready = 1; ctx.onReady(); }
	}
	if (nav.doNotTrack === '1' || W.doNotTrack === '1' || nav.globalPrivacyControl || !W.fetch) return done();
	setTimeout(done, 3000);
	function body(ev) {
		var t = ctx.getToken();
		return JSON.stringify(t ? { token: t, events: [ev] } : { events: [ev] });
	}
	// Visible milliseconds since the last report, in whole seconds (at most an hour a report).
	function take() {
		var now = Date.now();
		ms += since ? now - since : 0;
		since = since && now;
		var s = Math.min(3600, Math.round(ms / 1000));
		ms -= s * 1000;
		return s;
	}
	function leave() {
		if (on && !gone && nav.sendBeacon) nav.sendBeacon(url, body({ type: 'leave', seconds: take() }));
		gone = 1;
	}
	function post(ev) {
		return fetch(url, { method: 'POST', credentials: 'omit', body: body(ev) });
	}
	post({
		type: 'view', url: location.href.slice(0, 2000), title: D.title.slice(0, 200), referrer: D.referrer.slice(0, 2000),
		lang: (nav.language || '').replace(/[^A-Za-z0-9-]/g, '').slice(0, 15), screen: screen.width + 'x' + screen.height,
	})
		.then(function (r) { on = r.ok; return r.json(); })
		.then(function (d) {
			if (d.tracking === false) on = 0;
			if (d.token) ctx.setToken(d.token);
		})
		.catch(function () { /* the chat works without tracking */ })
		.then(done);
	setInterval(function () {
		var s = on && since && take();
		if (s) post({ type: 'ping', seconds: s }).catch(function () {});
	}, 15000);
	D.addEventListener('visibilitychange', function () {
		if (D.visibilityState === 'hidden') {
			leave();
			since = 0;
		} else {
			since = Date.now();
			gone = 0;
		}
	});
	W.addEventListener('pagehide', leave);
}
