// reports.js - 报表: traffic and chat statistics of a site over a date range (UTC days), from
// GET /api/v1/stats: totals cards, two uPlot charts (visitors and page views; chats and missed
// chats per day), top pages, referring sites and UTM campaigns, and a CSV export link.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import uPlot from 'uplot';
import { get } from './api.js';
import { lang, t } from './i18n.js';
import { useSites, SitePicker } from './visitors.js';
import { tt, duration } from './track-i18n.js';

const html = htm.bind(h);
const DAY_MS = 86400000;
const QUICK = [7, 30, 90];

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
function lastDays(n) {
	const to = Date.now();
	return { from: isoDay(to - (n - 1) * DAY_MS), to: isoDay(to) };
}
const RE = /^\d{4}-\d{2}-\d{2}$/;

function fmtNum(v) {
	return v == null ? '—' : Number(v).toLocaleString(lang.value);
}

/* [id, label key, value, shown text] for the totals cards. */
function cards(x) {
	const pct = x.chat_rate == null ? '—' : (x.chat_rate * 100).toFixed(1) + '%';
	const dur = (v) => (v == null ? '—' : duration(v));
	return [
		['stat-visitors', 'rep.visitors', x.visitors, fmtNum(x.visitors)],
		['stat-new', 'rep.new', x.new_visitors, fmtNum(x.new_visitors)],
		['stat-returning', 'rep.returning', x.returning_visitors, fmtNum(x.returning_visitors)],
		['stat-pageviews', 'rep.pageviews', x.pageviews, fmtNum(x.pageviews)],
		['stat-chats', 'rep.chats', x.chats, fmtNum(x.chats)],
		['stat-chat-rate', 'rep.chatRate', x.chat_rate, pct],
		['stat-missed', 'rep.missed', x.missed_chats, fmtNum(x.missed_chats)],
		['stat-frt-median', 'rep.frtMedian', x.frt_median, dur(x.frt_median)],
		['stat-frt-p90', 'rep.frtP90', x.frt_p90, dur(x.frt_p90)],
		['stat-duration-median', 'rep.durMedian', x.duration_median, dur(x.duration_median)],
		['stat-duration-p90', 'rep.durP90', x.duration_p90, dur(x.duration_p90)],
		['stat-rating-avg', 'rep.ratingAvg', x.rating_avg, x.rating_avg == null ? '—' : x.rating_avg.toFixed(1)],
		['stat-ratings', 'rep.ratings', x.ratings, fmtNum(x.ratings)],
	];
}

/* One uPlot chart of two daily series; rebuilt when the data or the width changes. */
function Chart({ id, title, days, series }) {
	const box = useRef(null);
	useEffect(() => {
		const el = box.current;
		if (!el || !days.length) return undefined;
		const xs = days.map((d) => Date.parse(d.date + 'T00:00:00Z') / 1000);
		const data = [xs, ...series.map((s) => days.map((d) => d[s.field] || 0))];
		const opts = {
			width: Math.max(280, el.clientWidth || 600),
			height: 220,
			tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
			series: [{ label: tt('rep.day') }, ...series.map((s) => ({ label: tt(s.label), stroke: s.color, width: 2, fill: s.fill }))],
			axes: [{}, { size: 50 }],
			scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
		};
		const plot = new uPlot(opts, data, el);
		const onResize = () => plot.setSize({ width: Math.max(280, el.clientWidth || 600), height: 220 });
		window.addEventListener('resize', onResize);
		return () => {
			window.removeEventListener('resize', onResize);
			plot.destroy();
		};
	}, [days, lang.value]);
	return html`<figure class="chart-card card"><figcaption>${title}</figcaption><div class="chart" id=${id} ref=${box}></div></figure>`;
}

function TopTable({ id, title, rows, keyLabel, labelLabel, link }) {
	return html`<section class="top-card card" id=${id}>
		<h3>${title}</h3>
		${!rows.length
			? html`<p class="muted">${tt('rep.none')}</p>`
			: html`<table class="top-table"><thead><tr><th>${keyLabel}</th>${labelLabel && html`<th>${labelLabel}</th>`}<th class="num">${tt('rep.col.count')}</th></tr></thead>
				<tbody>${rows.map((r) => html`<tr key=${r.key} data-key=${r.key}>
					<td class="top-key">${link && /^https?:\/\//i.test(r.key)
						? html`<a href=${r.key} target="_blank" rel="noopener noreferrer" title=${r.key}>${r.label || r.key}</a>${r.label && html`<small class="muted block">${r.key}</small>`}`
						: r.key}</td>
					${labelLabel && html`<td>${r.label}</td>`}
					<td class="num">${fmtNum(r.count)}</td></tr>`)}</tbody></table>`}
	</section>`;
}

export function ReportsPanel() {
	const { sites, site, choose } = useSites();
	const range = useSignal(lastDays(30));
	const data = useSignal(null);
	const err = useSignal('');
	const seq = useRef(0);
	/* What the date fields hold while the user types: kept apart from the applied range, so a
	   re-render when a report arrives never overwrites a half-entered date. */
	const draft = useSignal(range.value);
	const pick = (r) => {
		draft.value = r;
		range.value = r;
	};
	useEffect(() => {
		if (!site.value) return;
		const n = ++seq.current;
		const { from, to } = range.value;
		err.value = '';
		get(`/api/v1/stats?site=${site.value}&from=${from}&to=${to}`).then(
			(d) => n === seq.current && (data.value = d),
			(e) => n === seq.current && (err.value = e.status === 422 ? 'rep.badRange' : e.status === 0 ? 'errNetwork' : 'errGeneric'),
		);
	}, [site.value, range.value]);

	function apply(e) {
		e.preventDefault();
		const { from, to } = draft.value;
		if (!RE.test(from) || !RE.test(to) || from > to) {
			err.value = 'rep.badRange';
			return;
		}
		pick({ from, to });
	}

	if (sites.value === null) return html`<p class="muted">${t('loading')}</p>`;
	if (!sites.value.length) return html`<p class="muted">${tt('rep.noSites')}</p>`;
	const d = data.value;
	const { from, to } = range.value;
	const msg = err.value && (err.value.startsWith('rep.') ? tt(err.value) : t(err.value));
	return html`<div class="reports">
		<form class="toolbar reports-range" onSubmit=${apply}>
			<${SitePicker} sites=${sites} site=${site} choose=${choose} id="reports-site" />
			<label class="field inline"><span>${tt('rep.from')}</span><input type="date" id="reports-from" value=${draft.value.from}
				onInput=${(e) => (draft.value = { ...draft.value, from: e.currentTarget.value })} /></label>
			<label class="field inline"><span>${tt('rep.to')}</span><input type="date" id="reports-to" value=${draft.value.to}
				onInput=${(e) => (draft.value = { ...draft.value, to: e.currentTarget.value })} /></label>
			<button type="submit" id="reports-apply">${tt('rep.apply')}</button>
			<span class="quick" role="group">
				${QUICK.map((n) => html`<button type="button" class="small" data-days=${n} onClick=${() => pick(lastDays(n))}>${tt('rep.days', { n })}</button>`)}
			</span>
			<a id="reports-csv" class="button small" href=${`/api/v1/stats.csv?site=${site.value}&from=${from}&to=${to}`}
				download=${`kefu-stats-${site.value}-${from}-${to}.csv`}>${tt('rep.csv')}</a>
			<small class="muted">${tt('rep.utc')}</small>
		</form>
		${msg && html`<p class="error" role="alert">${msg}</p>`}
		${!d
			? !msg && html`<p class="muted">${t('loading')}</p>`
			: html`<div id="reports-body" data-from=${d.from} data-to=${d.to}>
				<div class="stat-cards">
					${cards(d.totals).map(([id, label, raw, text]) => html`<div class="stat-card card" id=${id} data-value=${raw == null ? '' : raw}>
						<span class="stat-label">${tt(label)}</span><strong class="stat-value">${text}</strong></div>`)}
				</div>
				<div class="charts">
					<${Chart} id="chart-traffic" title=${tt('rep.chart.traffic')} days=${d.days} series=${[
						{ field: 'visitors', label: 'rep.visitors', color: '#1677ff', fill: 'rgba(22,119,255,.08)' },
						{ field: 'pageviews', label: 'rep.pageviews', color: '#0a7d5a' },
					]} />
					<${Chart} id="chart-chats" title=${tt('rep.chart.chats')} days=${d.days} series=${[
						{ field: 'chats', label: 'rep.chats', color: '#7b4fd6', fill: 'rgba(123,79,214,.08)' },
						{ field: 'missed_chats', label: 'rep.missed', color: '#d93025' },
					]} />
				</div>
				<div class="tops">
					<${TopTable} id="top-pages" title=${tt('rep.topPages')} rows=${d.top_pages} keyLabel=${tt('rep.col.page')} link=${true} />
					<${TopTable} id="top-referrers" title=${tt('rep.topReferrers')} rows=${d.top_referrers} keyLabel=${tt('rep.col.host')} />
					<${TopTable} id="top-campaigns" title=${tt('rep.topCampaigns')} rows=${d.top_campaigns} keyLabel=${tt('rep.col.campaign')}
						labelLabel=${tt('rep.col.sourceMedium')} />
				</div>
			</div>`}
	</div>`;
}
