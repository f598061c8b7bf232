// crm.js - 客户 / Customers, the CRM page (issue 6): how a site's customers spread over the tiers
// and RFM segments (uPlot bar charts from GET /crm/summary, with a recompute button for
// supervisors), key accounts going quiet and all tier changes (GET /crm/tier-changes), the
// filtered and paged customer list (GET /sites/:id/customers) with a CSV export of the same
// filter (GET /crm/segment.csv), and a drawer with one customer's profile, scores, level,
// points and timeline (GET /customers/:id/timeline). Tier and segment names are the shop's own
// where an admin set them (GET /crm/names), else crm-i18n.js's. Agents read; supervisors and
// admins may also recompute, export and merge. Contract: docs/crm.md "The CRM page".
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { signal, useSignal } from '@preact/signals';
import htm from 'htm';
import uPlot from 'uplot';
import { get, post } from './api.js';
import { lang, t } from './i18n.js';
import { useSites, SitePicker } from './visitors.js';
import { tcr, TIERS, SEGMENTS } from './crm-i18n.js';
import { MergePanel } from './crm-merge.js';
import { CustomFields } from './crm-fields.js';

const html = htm.bind(h);
const PAGE = 25;
const EMPTY = { tier: '', segment: '', level: '', q: '', min: '', sort: 'updated' };
const SORTS = ['updated', 'name', 'lifetime', 'last_order', 'orders', 'points', 'created'];
const TIER_COLOR = { key: '#c5221f', active: '#1a73e8', occasional: '#f9ab00', registered: '#80868b', none: '#dadce0' };

const num = (v) => (v == null ? '—' : Number(v).toLocaleString(lang.value));
/* Money without a currency sign: a site's orders may come in several currencies. */
const amount = (cents) => (cents == null ? '—' : (cents / 100).toLocaleString(lang.value, { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
const day = (s) => (s ? new Date(s * 1000).toLocaleDateString(lang.value, { year: 'numeric', month: 'short', day: 'numeric' }) : '—');
const when = (s) => (s ? new Date(s * 1000).toLocaleString(lang.value) : '—');
const canWrite = (role) => role === 'supervisor' || role === 'admin';

/* The shop's own names for tiers and segments (GET /crm/names, set by an admin), else ours. */
const overrides = signal({ tiers: {}, segments: {} });
const custom = (list) => Object.fromEntries((list || []).filter((x) => x.custom).map((x) => [x.key, x.custom]));
const tierName = (k) => overrides.value.tiers[k] || tcr('tier.' + k);
const segName = (k) => overrides.value.segments[k] || tcr('seg.' + k);

/* "12.5" (yuan) -> 1250 cents; null when it is not an amount with at most two decimals. */
function toCents(text) {
	const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.trim());
	return m ? Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0')) : null;
}

/* The query string of an applied filter (the list's and the export's). */
function filterQuery(f) {
	const p = new URLSearchParams();
	if (f.tier) p.set('tier', f.tier);
	if (f.segment) p.set('segment', f.segment);
	if (f.level) p.set('level', f.level);
	if (f.q.trim()) p.set('q', f.q.trim());
	if (f.min !== '' && toCents(f.min) > 0) p.set('min_spend', String(toCents(f.min)));
	return p;
}

/* One uPlot bar chart over labelled categories; rebuilt when the data, language or width
   changes. The figure carries the values (data-values) so a test can compare them with the API. */
function BarChart({ id, title, keys, labels, values, colors }) {
	const box = useRef(null);
	useEffect(() => {
		const el = box.current;
		if (!el) return undefined;
		const xs = keys.map((_, i) => i);
		const width = () => Math.max(280, el.clientWidth || 600);
		const opts = {
			width: width(),
			height: 240,
			legend: { show: false },
			cursor: { show: false },
			scales: { x: { time: false, range: [-0.6, keys.length - 0.4] }, y: { range: (u, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
			series: [{}, {
				label: title,
				fill: colors ? undefined : '#1a73e8',
				stroke: colors ? undefined : '#1a73e8',
				width: colors ? 0 : 1,   /* per-bar colours (disp) need a zero stroke */
				paths: uPlot.paths.bars({ size: [0.7, 60], disp: colors ? { fill: { unit: 3, values: () => keys.map((k) => colors[k]) } } : undefined }),
				points: { show: false },
			}],
			axes: [
				{ splits: () => xs, values: (u, splits) => splits.map((v) => labels[v] || ''), rotate: keys.length > 5 ? -30 : 0, size: keys.length > 5 ? 80 : 40, grid: { show: false } },
				{ size: 50, values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? num(v) : '')) },
			],
		};
		const plot = new uPlot(opts, [xs, values], el);
		const onResize = () => plot.setSize({ width: width(), height: 240 });
		window.addEventListener('resize', onResize);
		return () => {
			window.removeEventListener('resize', onResize);
			plot.destroy();
		};
	}, [keys.join(), labels.join(), values.join(), lang.value]);
	return html`<figure class="chart-card card" id=${id} data-values=${keys.map((k, i) => k + ':' + values[i]).join(',')}>
		<figcaption>${title}</figcaption><div class="chart" ref=${box}></div></figure>`;
}

function Summary({ sum, role, onRecompute, busy, note }) {
	const tierVals = TIERS.map((k) => sum.tiers[k] || 0);
	const segVals = SEGMENTS.map((k) => sum.segments[k] || 0);
	return html`<div class="stat-cards crm-numbers">
			<div class="stat-card card"><span class="muted">${tcr('crm.customers')}</span><b id="crm-total">${num(sum.total)}</b></div>
			<div class="stat-card card"><span class="muted">${tcr('crm.withOrders')}</span><b id="crm-with-orders">${num(sum.total - (sum.segments.none || 0))}</b></div>
			<div class="stat-card card"><span class="muted">${tcr('crm.keyAccounts')}</span><b id="crm-key">${num(sum.tiers.key || 0)}</b></div>
			<div class="stat-card card"><span class="muted">${tcr('crm.computedAt')}</span><b id="crm-computed">${sum.computed_at ? when(sum.computed_at) : tcr('crm.never')}</b>
				${canWrite(role) && html`<button type="button" id="crm-recompute" class="small" disabled=${busy} onClick=${onRecompute}>${busy ? tcr('crm.recomputing') : tcr('crm.recompute')}</button>`}</div>
		</div>
		${note && html`<p class="muted" id="crm-recompute-note" role="status">${note}</p>`}
		<div class="charts">
			<${BarChart} id="crm-tier-chart" title=${tcr('crm.byTier')} keys=${TIERS} labels=${TIERS.map((k) => tierName(k))} values=${tierVals} colors=${TIER_COLOR} />
			<${BarChart} id="crm-segment-chart" title=${tcr('crm.bySegment')} keys=${SEGMENTS} labels=${SEGMENTS.map((k) => segName(k))} values=${segVals} />
		</div>`;
}

function Changes({ id, title, empty, list, onOpen }) {
	return html`<section class="card crm-changes" id=${id}>
		<h3>${title}</h3>
		${!list || !list.length
			? html`<p class="muted">${empty}</p>`
			: html`<ul>${list.map((c, i) => html`<li key=${i} class="crm-change" data-customer=${c.customer_id}>
				<a href="#/crm" onClick=${(e) => { e.preventDefault(); onOpen(c.customer_id); }}>${c.name || '#' + c.customer_id}</a>
				<span class=${'tier-badge tier-' + c.from_tier}>${tierName(c.from_tier)}</span> → <span class=${'tier-badge tier-' + c.to_tier}>${tierName(c.to_tier)}</span>
				<span class="muted small-text"> ${day(c.at)}</span></li>`)}</ul>`}
	</section>`;
}

/* The filter form: inputs hold a draft, applied on submit, so a list arriving while the user
   types never resets what they typed. */
function Filters({ draft, levels, onApply, onReset, err }) {
	const set = (k) => (e) => (draft.value = { ...draft.value, [k]: e.currentTarget.value });
	const d = draft.value;
	const sel = (id, k, label, opts) => html`<label class="field inline"><span>${label}</span>
		<select id=${id} value=${d[k]} onChange=${set(k)}>${opts.map(([v, l]) => html`<option value=${v} selected=${v === d[k]}>${l}</option>`)}</select></label>`;
	return html`<form class="toolbar crm-filters" id="crm-filters" onSubmit=${(e) => { e.preventDefault(); onApply(); }}>
		${sel('crm-tier', 'tier', tcr('f.tier'), [['', tcr('f.any')], ...TIERS.map((k) => [k, tierName(k)])])}
		${sel('crm-segment', 'segment', tcr('f.segment'), [['', tcr('f.any')], ...SEGMENTS.map((k) => [k, segName(k)])])}
		${sel('crm-level', 'level', tcr('f.level'), [['', tcr('f.any')], ...levels.map((l) => [String(l.id), l.name])])}
		<label class="field inline"><span>${tcr('f.q')}</span><input id="crm-q" type="search" maxlength="200" placeholder=${tcr('f.qPh')} value=${d.q} onInput=${set('q')} /></label>
		<label class="field inline"><span>${tcr('f.minSpend')}</span><input id="crm-min" inputmode="decimal" size="8" value=${d.min} onInput=${set('min')} /></label>
		${sel('crm-sort', 'sort', tcr('f.sort'), SORTS.map((k) => [k, tcr('sort.' + k)]))}
		<button type="submit" class="primary small" id="crm-apply">${tcr('f.apply')}</button>
		<button type="button" class="small" id="crm-reset" onClick=${onReset}>${tcr('f.reset')}</button>
		${err && html`<span class="error" role="alert">${err}</span>`}
	</form>`;
}

function Table({ list, onOpen }) {
	if (!list.customers.length) return html`<p class="muted" id="crm-empty">${tcr('list.none')}</p>`;
	const cols = ['col.name', 'col.tier', 'col.segment', 'col.rfm', 'col.orders', 'col.lifetime', 'col.points', 'col.level', 'col.lastOrder'];
	return html`<div class="table-wrap"><table id="crm-table">
		<thead><tr>${cols.map((c) => html`<th>${tcr(c)}</th>`)}</tr></thead>
		<tbody>${list.customers.map((c) => {
			const r = c.rfm;
			return html`<tr key=${c.id} class="crm-row" data-id=${c.id} onClick=${() => onOpen(c.id)}>
				<td data-label=${tcr('col.name')}><a href="#/crm" class="crm-open" onClick=${(e) => { e.preventDefault(); e.stopPropagation(); onOpen(c.id); }}>${c.name || c.external_id || tcr('list.noName')}</a>
					${c.emails && c.emails[0] && html`<small class="muted block">${c.emails[0]}</small>`}</td>
				<td data-label=${tcr('col.tier')} class="crm-tier">${r ? html`<span class=${'tier-badge tier-' + r.tier}>${tierName(r.tier)}</span>` : '—'}</td>
				<td data-label=${tcr('col.segment')}>${r ? segName(r.segment) : '—'}</td>
				<td data-label=${tcr('col.rfm')} class="num">${r ? `${r.r} / ${r.f} / ${r.m}` : '—'}</td>
				<td data-label=${tcr('col.orders')} class="num">${num(c.orders_count)}</td>
				<td data-label=${tcr('col.lifetime')} class="num">${amount(c.lifetime_cents)}</td>
				<td data-label=${tcr('col.points')} class="num">${num(c.points_balance)}</td>
				<td data-label=${tcr('col.level')}>${c.level ? c.level.name : '—'}</td>
				<td data-label=${tcr('col.lastOrder')}>${day(c.last_order_at)}</td></tr>`;
		})}</tbody></table></div>`;
}

function itemText(it) {
	switch (it.kind) {
		case 'order': return html`<b>${it.number}</b> ${tcr('st.' + it.status)} · ${amount(it.total_cents)} ${it.currency}`;
		case 'chat': return html`#${it.conversation_id} ${tcr('cs.' + it.status)} · ${tcr('k.messages', { n: it.messages })}${it.last_text && html`<small class="muted block">${it.last_text}</small>`}`;
		case 'visit': return html`${tcr('k.pages', { n: it.pages })} · <span title=${it.url}>${it.title || it.url}</span>`;
		case 'points': return html`<b>${it.delta > 0 ? '+' + it.delta : it.delta}</b> ${tcr('r.' + it.reason)}${it.note && ' · ' + it.note}`;
		case 'tier': return html`${tierName(it.from)} → ${tierName(it.to)}`;
		default: return html`${it.from_level || tcr('d.noLevel')} → ${it.level || tcr('d.noLevel')}`;
	}
}

function Timeline({ id }) {
	const items = useSignal(null);
	const next = useSignal(null);
	const err = useSignal('');
	const load = (before) => {
		get(`/api/v1/customers/${id}/timeline?limit=50${before ? '&before=' + before : ''}`).then(
			(d) => {
				items.value = before ? [...(items.value || []), ...d.items] : d.items;
				next.value = d.next_before;
			},
			() => (err.value = tcr('crm.err')),
		);
	};
	useEffect(() => load(0), [id]);
	if (err.value) return html`<p class="error">${err.value}</p>`;
	if (!items.value) return html`<p class="muted">${t('loading')}</p>`;
	if (!items.value.length) return html`<p class="muted">${tcr('d.noItems')}</p>`;
	return html`<ol class="timeline" id="crm-timeline">${items.value.map((it, i) => html`<li key=${i} class=${'tl-item tl-' + it.kind} data-kind=${it.kind}>
			<span class="tl-kind">${tcr('k.' + it.kind)}</span> <span class="muted small-text">${when(it.at)}</span>
			<div>${itemText(it)}</div></li>`)}</ol>
		${next.value && html`<button type="button" class="small" id="crm-timeline-more" onClick=${() => load(next.value)}>${tcr('d.more')}</button>`}`;
}

/* The profile; custom values are shown with the site's field labels (crm-fields.js). */
function Profile({ c }) {
	const row = (k, v) => v && html`<dt>${tcr(k)}</dt><dd>${v}</dd>`;
	return html`<dl class="customer-facts crm-profile">
		${row('d.external', c.external_id)}
		${row('d.emails', (c.emails || []).join(', '))}
		${row('d.phones', (c.phones || []).join(', '))}
		${row('d.birthday', c.birthday)}
		${row('d.lang', c.lang)}
		<dt>${tcr('d.consent')}</dt><dd>${c.consent ? tcr('d.consentYes', { at: day(c.consent_at), src: c.consent_source || '—' }) : tcr('d.consentNo')}</dd>
		${row('d.tags', (c.tags || []).join(' '))}
		${c.notes && html`<dt>${tcr('d.notes')}</dt><dd class="pre">${c.notes}</dd>`}
	</dl>
	<${CustomFields} customer=${c} />`;
}

function Drawer({ c, role, onClose, reload }) {
	const r = c.rfm;
	useEffect(() => {
		const onKey = (e) => e.key === 'Escape' && onClose();
		window.addEventListener('keydown', onKey);
		return () => window.removeEventListener('keydown', onKey);
	}, [c.id]);
	return html`<div class="crm-drawer-back" onClick=${onClose}>
		<aside class="crm-drawer card" id="crm-drawer" role="dialog" aria-modal="true" aria-labelledby="crm-drawer-name" onClick=${(e) => e.stopPropagation()}>
			<header class="crm-drawer-head"><h3 id="crm-drawer-name">${c.name || c.external_id || tcr('list.noName')}</h3>
				<button type="button" class="small" id="crm-drawer-close" onClick=${onClose}>${tcr('d.close')}</button></header>
			<h4>${tcr('d.profile')}</h4><${Profile} c=${c} />
			<h4>${tcr('d.rfm')}</h4>
			<dl class="customer-facts">
				<dt>${tcr('col.tier')}</dt><dd id="crm-drawer-tier">${r ? tierName(r.tier) : '—'}</dd>
				<dt>${tcr('col.segment')}</dt><dd>${r ? segName(r.segment) : '—'}</dd>
				<dt>R / F / M</dt><dd>${r ? `${r.r} / ${r.f} / ${r.m}` : '—'}</dd>
				<dt>${tcr('d.level')}</dt><dd>${c.level ? c.level.name : tcr('d.noLevel')}</dd>
				<dt>${tcr('d.points')}</dt><dd id="crm-drawer-points">${num(c.points_balance)}</dd>
				<dt>${tcr('col.lifetime')}</dt><dd>${amount(c.lifetime_cents)}</dd>
			</dl>
			${canWrite(role) && html`<${MergePanel} customer=${c} onDone=${reload} />`}
			<h4>${tcr('d.timeline')}</h4><${Timeline} key=${c.id} id=${c.id} />
		</aside></div>`;
}

export function CrmPanel({ role }) {
	const { sites, site, choose } = useSites();
	const sum = useSignal(null);
	const quiet = useSignal(null);
	const changes = useSignal(null);
	const levels = useSignal([]);
	const filter = useSignal(EMPTY);
	const draft = useSignal(EMPTY);
	const offset = useSignal(0);
	const list = useSignal(null);
	const open = useSignal(null);
	const err = useSignal('');
	const ferr = useSignal('');
	const busy = useSignal(false);
	const note = useSignal('');
	const tick = useSignal(0);
	const seq = useRef(0);

	useEffect(() => {
		if (!site.value) return;
		const s = site.value;
		get(`/api/v1/sites/${s}/crm/summary`).then((d) => (sum.value = d), () => (err.value = tcr('crm.err')));
		get(`/api/v1/sites/${s}/crm/tier-changes?drop=1&from=key&limit=20`).then((d) => (quiet.value = d.changes), () => (quiet.value = []));
		get(`/api/v1/sites/${s}/crm/tier-changes?limit=20`).then((d) => (changes.value = d.changes), () => (changes.value = []));
		get(`/api/v1/sites/${s}/crm/levels`).then((d) => (levels.value = d.levels), () => (levels.value = []));
		get(`/api/v1/sites/${s}/crm/names`).then(
			(d) => (overrides.value = { tiers: custom(d.tiers), segments: custom(d.segments) }),
			() => (overrides.value = { tiers: {}, segments: {} }),
		);
	}, [site.value, tick.value]);

	useEffect(() => {
		if (!site.value) return;
		const n = ++seq.current;
		const p = filterQuery(filter.value);
		p.set('sort', filter.value.sort);
		p.set('limit', String(PAGE));
		p.set('offset', String(offset.value));
		get(`/api/v1/sites/${site.value}/customers?${p}`).then(
			(d) => n === seq.current && (list.value = d),
			() => n === seq.current && (err.value = tcr('crm.err')),
		);
	}, [site.value, filter.value, offset.value, tick.value]);

	const reload = () => {
		open.value = null;
		tick.value++;
	};
	async function recompute() {
		busy.value = true;
		try {
			const r = await post(`/api/v1/sites/${site.value}/crm/recompute`);
			note.value = tcr('crm.recomputed', { n: r.customers, c: r.changed });
			tick.value++;
		} catch (e) {
			note.value = tcr('crm.err');
		} finally {
			busy.value = false;
		}
	}
	function apply() {
		if (draft.value.min.trim() !== '' && toCents(draft.value.min) == null) {
			ferr.value = tcr('f.badSpend');
			return;
		}
		ferr.value = '';
		offset.value = 0;
		filter.value = { ...draft.value };
	}
	function reset() {
		draft.value = EMPTY;
		ferr.value = '';
		offset.value = 0;
		filter.value = EMPTY;
	}
	const openId = (id) => {
		const c = list.value && list.value.customers.find((x) => x.id === id);
		if (c) {
			open.value = c;
			return;
		}
		/* a customer from the tier-change lists, not on this page: the profile and the scores */
		Promise.all([get(`/api/v1/customers/${id}`), get(`/api/v1/customers/${id}/rfm`)]).then(
			([p, x]) => (open.value = { ...p.customer, rfm: x.rfm && { r: x.rfm.r, f: x.rfm.f, m: x.rfm.m, segment: x.rfm.segment, tier: x.rfm.tier } }),
			() => (err.value = tcr('crm.err')),
		);
	};

	if (sites.value === null) return html`<p class="muted">${t('loading')}</p>`;
	if (!sites.value.length) return html`<p class="muted">${tcr('crm.noSites')}</p>`;
	const l = list.value;
	const exportHref = `/api/v1/sites/${site.value}/crm/segment.csv?${filterQuery(filter.value)}`;
	return html`<div class="crm">
		<div class="toolbar"><${SitePicker} sites=${sites} site=${site} choose=${choose} id="crm-site" />
			${!canWrite(role) && html`<span class="muted small-text">${tcr('crm.readonly')}</span>`}</div>
		${err.value && html`<p class="error" role="alert">${err.value}</p>`}
		${sum.value && html`<${Summary} sum=${sum.value} role=${role} onRecompute=${recompute} busy=${busy.value} note=${note.value} />`}
		<div class="crm-feeds">
			<${Changes} id="crm-quiet" title=${tcr('quiet.title')} empty=${tcr('quiet.none')} list=${quiet.value} onOpen=${openId} />
			<${Changes} id="crm-changes" title=${tcr('changes.title')} empty=${tcr('changes.none')} list=${changes.value} onOpen=${openId} />
		</div>
		<${Filters} draft=${draft} levels=${levels.value} onApply=${apply} onReset=${reset} err=${ferr.value} />
		${l && html`<div class="toolbar crm-list-head">
			<span id="crm-count">${tcr('list.total', { n: num(l.total) })}</span>
			${l.total > 0 && html`<span class="muted">${tcr('list.range', { a: l.offset + 1, b: l.offset + l.customers.length })}</span>`}
			<button type="button" class="small" id="crm-prev" disabled=${l.offset === 0} onClick=${() => (offset.value = Math.max(0, l.offset - PAGE))}>${tcr('list.prev')}</button>
			<button type="button" class="small" id="crm-next" disabled=${l.offset + l.customers.length >= l.total} onClick=${() => (offset.value = l.offset + PAGE)}>${tcr('list.next')}</button>
			${canWrite(role) && html`<a class="button small" id="crm-export" href=${exportHref} download="segment.csv">${tcr('list.export')}</a>`}
		</div>`}
		${l ? html`<${Table} list=${l} onOpen=${openId} />` : html`<p class="muted">${t('loading')}</p>`}
		${open.value && html`<${Drawer} c=${open.value} role=${role} onClose=${() => (open.value = null)} reload=${reload} />`}
	</div>`;
}
