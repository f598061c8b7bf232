// widget/suggest.js - deflection: while the visitor types before any conversation exists, the
// widget suggests up to three help articles above the input (GET /api/v1/kb/search) and shows
// the one clicked inside the panel (GET /api/v1/kb/articles/:id/public), so a question the FAQ
// answers needs no agent. A shop that signs its customer (data-customer-id / data-customer-sig on
// the script tag) gets its members-only articles too.

var T = {
	'zh-CN': ['查看完整文章', '仍需帮助？联系客服', '相关帮助'],
	'zh-TW': ['查看完整文章', '仍需幫助？聯絡客服', '相關幫助'],
	en: ['Read the full article', 'Still need help? Chat with us', 'Suggested answers'],
};

/* o: { origin, site, lang, script, input, foot, panel, started() } - started() is true once the
 * visitor has a conversation, from then on nothing is suggested. */
export function suggestSetup(o) {
	var d = document, S = T[o.lang] || T.en, timer = 0, seq = 0, shown = '';
	var cid = o.script.getAttribute('data-customer-id'), sig = o.script.getAttribute('data-customer-sig');
	var who = cid && sig ? '&cid=' + encodeURIComponent(cid) + '&sig=' + encodeURIComponent(sig) : '';
	function el(tag, cls, text) {
		var e = d.createElement(tag);
		if (cls) e.className = cls;
		if (text) e.textContent = text;
		return e;
	}
	var box = el('div');
	box.id = 'kefu-suggest';
	box.setAttribute('aria-label', S[2]);
	box.hidden = true;
	o.foot.parentNode.insertBefore(box, o.foot);
	var view = null;

	function hide() { box.hidden = true; box.textContent = ''; shown = ''; }
	function get(path) {
		return fetch(o.origin + path + '&site=' + encodeURIComponent(o.site) + who).then(function (r) {
			if (!r.ok) throw r.status;
			return r.json();
		});
	}
	function closeView() {
		if (view) view.remove();
		view = null;
		o.input.focus();
	}
	/* The answer inside the panel: answer_html is the server's cmark output, already safe. */
	function open(id) {
		get('/api/v1/kb/articles/' + encodeURIComponent(id) + '/public?lang=' + o.lang).then(function (a) {
			if (view) view.remove();
			view = el('div', 'kefu-answer');
			view.id = 'kefu-answer';
			var body = el('div', 'kefu-answer-body');
			body.innerHTML = a.answer_html || '';
			var links = body.querySelectorAll('a');
			for (var i = 0; i < links.length; i++) { links[i].target = '_blank'; links[i].rel = 'noopener'; }
			var full = el('a', 'kefu-answer-link', S[0]);
			full.href = a.url;
			full.target = '_blank';
			full.rel = 'noopener';
			var more = el('button', 'kefu-fsend', S[1]);
			more.type = 'button';
			more.id = 'kefu-answer-close';
			more.onclick = closeView;
			view.append(el('div', 'kefu-ftitle', a.question), body, full, more);
			o.foot.parentNode.insertBefore(view, box);
		}).catch(function () {});
	}
	function show(hits) {
		box.textContent = '';
		hits.slice(0, 3).forEach(function (h) {
			var b = el('button', 'kefu-suggest-item', h.question);
			b.type = 'button';
			b.onclick = function () { open(h.article_id || h.id); };
			box.appendChild(b);
		});
		box.hidden = !box.firstChild;
	}
	function search() {
		var q = o.input.value.trim().slice(0, 100), my = ++seq;
		if (o.started() || q.length < 2) return hide();
		if (q === shown) return;
		// partial=1: these are keystrokes, not questions; the editor's report counts only real searches
		get('/api/v1/kb/search?partial=1&limit=3&lang=' + o.lang + '&q=' + encodeURIComponent(q)).then(function (j) {
			if (my !== seq || o.started()) return;
			shown = q;
			show(j.hits || j.results || []);
		}).catch(hide);
	}
	o.input.addEventListener('input', function () {
		clearTimeout(timer);
		timer = setTimeout(search, 250);
	});
	// Sending (Enter or the button) empties the input without an input event: look again.
	function recheck() {
		setTimeout(function () { if (o.started() || !o.input.value.trim()) { seq++; hide(); } }, 0);
	}
	o.foot.addEventListener('keydown', recheck);
	o.foot.addEventListener('click', recheck);
}
