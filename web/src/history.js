// history.js - 聊天记录: search the transcripts (or list the closed conversations), filter by site,
// rating and date, read one conversation (notes marked) and export it as TXT, HTML or JSON.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get } from './api.js';
import { lang, t } from './i18n.js';
import * as chat from './chat.js';
import { visitorName, Message } from './inbox.js';
import { Stars, TagList, highlight, ratingOf, EmailTranscript } from './extras.js';

const html = htm.bind(h);

function ms(v) {
	if (v == null || v === '') return 0;
	return typeof v === 'number' ? (v < 1e12 ? v * 1000 : v) : Date.parse(v) || 0;
}
function when(v) {
	const n = ms(v);
	return n ? new Date(n).toLocaleString(lang.value, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '';
}
/* 'YYYY-MM-DD' (local) to Unix seconds: the day's start, or its end for the upper bound. */
function daySec(v, end) {
	if (!v) return 0;
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
	if (!m) return 0;
	const d = new Date(+m[1], +m[2] - 1, +m[3] + (end ? 1 : 0));
	return Math.floor(d.getTime() / 1000) - (end ? 1 : 0);
}
/* What the server knows now (tags, rating, status change live over the agent socket). */
function live(c) {
	const l = chat.convs.value[c.id];
	return l ? { ...c, ...l, snippet: c.snippet } : c;
}

function HistoryItem({ c, q, current, onPick }) {
	c = live(c);
	const lm = c.last_message;
	const text = c.snippet != null ? c.snippet : lm ? lm.text : '';
	return html`<li>
		<button type="button" class=${'history-item' + (current ? ' current' : '')} data-id=${c.id} data-status=${c.status}
			data-rating=${ratingOf(c) || undefined} aria-current=${current ? 'true' : undefined} onClick=${() => onPick(c.id)}>
			<span class="hi-top">
				<span class="hi-visitor">${visitorName(c)}</span>
				<span class="hi-site muted">${c.site_name || ''}</span>
				<span class=${'pill st-' + c.status}>${t('chat.cstatus.' + c.status)}</span>
			</span>
			<span class="hi-mid">
				<${Stars} c=${c} />
				<${TagList} tags=${c.tags} />
				<time class="muted">${when(c.created_at)}</time>
			</span>
			${text && html`<span class="hi-snippet">${highlight(text, q)}</span>`}
		</button>
	</li>`;
}

function Transcript({ id, onBack }) {
	const data = useSignal(null);
	const err = useSignal('');
	useEffect(() => {
		let ok = true;
		data.value = null;
		err.value = '';
		get('/api/v1/conversations/' + id).then(
			(d) => ok && (data.value = d),
			(e) => ok && (err.value = e.status === 0 ? 'errNetwork' : e.status === 404 ? 'history.notFound' : 'errGeneric'),
		);
		return () => {
			ok = false;
		};
	}, [id]);
	if (err.value) return html`<section class="transcript"><p class="error">${t(err.value)}</p></section>`;
	if (!data.value) return html`<section class="transcript"><p class="muted">${t('loading')}</p></section>`;
	const c = live(data.value.conversation || { id });
	const msgs = data.value.messages || [];
	const url = (f) => '/api/v1/conversations/' + id + '/transcript?format=' + f;
	return html`<section class="transcript" id="history-transcript" data-id=${id} aria-label=${visitorName(c)}>
		<header class="conv-head">
			<button type="button" class="back small" onClick=${onBack} aria-label=${t('chat.back')}>←</button>
			<div class="conv-title">
				<strong>${visitorName(c)}</strong>
				<span class="muted">${c.site_name}${c.agent ? ' · ' + c.agent.name : ''} · ${when(c.created_at)}</span>
			</div>
			<span class=${'pill st-' + c.status}>${t('chat.cstatus.' + c.status)}</span>
			<span class="exports" role="group" aria-label=${t('history.export')}>
				<span class="muted small-text">${t('history.export')}</span>
				<a id="export-txt" class="button small" href=${url('txt')} download=${'conversation-' + id + '.txt'}>TXT</a>
				<a id="export-html" class="button small" href=${url('html')} download=${'conversation-' + id + '.html'}>HTML</a>
				<a id="export-json" class="button small" href=${url('json')} download=${'conversation-' + id + '.json'}>JSON</a>
			</span>
			<${EmailTranscript} key=${'m' + id} c=${c} />
		</header>
		${(ratingOf(c) || (c.tags && c.tags.length)) ? html`<div class="transcript-meta">
			<${Stars} c=${c} id="history-rating" withComment=${true} />
			<${TagList} tags=${c.tags} />
		</div>` : null}
		<ul class="msgs readonly">
			${msgs.length
				? msgs.map((m) => html`<${Message} key=${'s' + m.seq} m=${m} mine=${false} />`)
				: html`<li class="muted">${t('history.noMessages')}</li>`}
		</ul>
	</section>`;
}

export function HistoryPanel() {
	const sites = useSignal([]);
	const results = useSignal(null);
	const shownQ = useSignal('');
	const err = useSignal('');
	const busy = useSignal(false);
	const sel = useSignal(0);
	const formRef = useRef(null);
	const reqNo = useRef(0);

	async function search(e) {
		if (e) e.preventDefault();
		const f = formRef.current && formRef.current.elements;
		if (!f) return;
		const q = f.q.value.trim();
		const site = f.site.value;
		const rating = f.rating.value;
		const from = daySec(f.from.value, false);
		const to = daySec(f.to.value, true);
		const n = ++reqNo.current;
		busy.value = true;
		err.value = '';
		try {
			let list;
			if (q) {
				const p = new URLSearchParams({ q });
				if (site) p.set('site_id', site);
				if (rating) p.set('rating', rating);
				if (from) p.set('from', String(from));
				if (to) p.set('to', String(to));
				const d = await get('/api/v1/search/conversations?' + p);
				list = (d && d.conversations) || [];
			} else {
				// No words: every closed conversation, filtered here.
				const d = await get('/api/v1/conversations?status=closed');
				list = ((d && d.conversations) || []).filter((c) => {
					const at = ms(c.created_at) / 1000;
					return (!site || String(c.site_id) === site) && (!rating || ratingOf(c) === +rating) && (!from || at >= from) && (!to || at <= to);
				});
				list.sort((a, b) => ms(b.updated_at) - ms(a.updated_at));
			}
			if (n !== reqNo.current) return;
			// A conversation matched by several messages shows once.
			const seen = new Set();
			results.value = list.filter((c) => !seen.has(c.id) && seen.add(c.id));
			shownQ.value = q;
		} catch (x) {
			if (n === reqNo.current) err.value = x.status === 0 ? 'errNetwork' : x.status === 422 ? 'history.badQuery' : 'errGeneric';
		} finally {
			if (n === reqNo.current) busy.value = false;
		}
	}

	useEffect(() => {
		get('/api/v1/sites').then((d) => (sites.value = (d && d.sites) || []), () => {});
		search();
	}, []);

	const list = results.value;
	return html`<div class=${'history' + (sel.value ? ' has-current' : '')} id="history">
		<div class="history-side">
			<form class="history-search" ref=${formRef} onSubmit=${search} role="search">
				<div class="history-q-row">
					<input type="search" id="history-q" name="q" maxlength="200" placeholder=${t('history.ph')} aria-label=${t('history.ph')} />
					<button type="submit" id="history-go" class="primary" disabled=${busy.value}>${t('history.search')}</button>
				</div>
				<div class="history-filters">
					<label><span>${t('history.site')}</span>
						<select id="history-site" name="site" onChange=${() => search()}>
							<option value="">${t('history.allSites')}</option>
							${sites.value.map((s) => html`<option value=${String(s.id)} key=${s.id}>${s.name}</option>`)}
						</select></label>
					<label><span>${t('history.rating')}</span>
						<select id="history-rating" name="rating" onChange=${() => search()}>
							<option value="">${t('history.anyRating')}</option>
							${[5, 4, 3, 2, 1].map((n) => html`<option value=${String(n)}>${'★'.repeat(n)}</option>`)}
						</select></label>
					<label><span>${t('history.from')}</span><input type="date" id="history-from" name="from" onChange=${() => search()} /></label>
					<label><span>${t('history.to')}</span><input type="date" id="history-to" name="to" onChange=${() => search()} /></label>
				</div>
			</form>
			<p class="muted small-text history-count" id="history-count" aria-live="polite">
				${list ? (shownQ.value ? t('history.results') : t('history.allClosed')) + ' · ' + list.length : ''}</p>
			${err.value && html`<p class="error" role="alert">${t(err.value)}</p>`}
			${!list
				? html`<p class="muted">${t('loading')}</p>`
				: list.length
					? html`<ul class="history-list" id="history-results">${list.map(
							(c) => html`<${HistoryItem} key=${c.id} c=${c} q=${shownQ.value} current=${c.id === sel.value} onPick=${(id) => (sel.value = id)} />`,
						)}</ul>`
					: html`<p class="muted" id="history-empty">${t('history.none')}</p>`}
		</div>
		<div class="history-main">
			${sel.value
				? html`<${Transcript} key=${sel.value} id=${sel.value} onBack=${() => (sel.value = 0)} />`
				: html`<div class="placeholder"><p class="muted">${t('history.pick')}</p></div>`}
		</div>
	</div>`;
}
