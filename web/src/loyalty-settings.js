// loyalty-settings.js - Settings → Points and member levels, and Settings → RFM and tiers, for
// admins (issue 6). Both edit what the server already keeps per site:
//   GET/PUT /api/v1/sites/:id/points-rules   points per amount, category multipliers, expiry, who may spend/award
//   GET/PUT /api/v1/sites/:id/levels         member levels, lowest first (name, thresholds, period, benefits)
//   GET/PUT /api/v1/sites/:id/crm/settings   RFM window, scoring mode and cut points, tier rules, names
// Money is shown in yuan and sent in cents. The server validates everything and names the bad
// field; that message is shown as it comes.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, put, post } from './api.js';
import { lang } from './i18n.js';
import { useSites, SitePicker } from './visitors.js';

const html = htm.bind(h);
const TIERS = ['key', 'active', 'occasional', 'registered'];
const SEGMENTS = ['important_value', 'important_develop', 'important_keep', 'important_retain', 'general_value',
	'general_develop', 'general_keep', 'general_retain'];

const S = {
	'zh-CN': {
		loyTitle: '积分与会员等级', rfmTitle: 'RFM 与客户分层', site: '站点', save: '保存', saved: '已保存', err: '保存失败',
		earn: '每消费', earnUnit: '元，获得', earnPts: '积分', expiry: '积分有效期（天，0 为永不过期）', agentsSpend: '客服可使用客户积分',
		agentsAward: '客服可给客户加积分（主管始终可以）', mult: '品类倍数', cat: '品类', pct: '百分比（200 = 双倍）', add: '添加', remove: '删除',
		levels: '会员等级（由低到高）', lvName: '名称', lvSpend: '消费满（元）', lvPoints: '积分满', lvPeriod: '统计周期（天，0 为全部）',
		lvBenefits: '权益说明', addLevel: '添加等级', up: '上移', down: '下移',
		window: '统计窗口（天）', mode: '评分方式', quintiles: '五分位（默认）', thresholds: '固定阈值', high: '“高”分的下限（1–5）',
		rDays: 'R：距上次购买天数（≤，得 5/4/3/2 分）', fCuts: 'F：订单数（≥，得 2/3/4/5 分）', mCuts: 'M：消费金额元（≥，得 2/3/4/5 分）',
		rules: '分层规则（按顺序匹配第一条）', tier: '层级', rMin: 'R≥', fMin: 'F≥', mMin: 'M≥', spentMin: '消费≥（元）', ordersMin: '订单≥',
		daysMax: '距上次购买≤天', ever: '曾购买', any: '不限', yes: '是', no: '否', addRule: '添加规则',
		tierNames: '层级名称', segNames: '分群名称', recompute: '保存并立即重新计算', recomputed: '已重新计算 {n} 位客户',
		'tier.key': '大客户', 'tier.active': '活跃客户', 'tier.occasional': '随机客户', 'tier.registered': '注册客户',
	},
	'zh-TW': {
		loyTitle: '點數與會員等級', rfmTitle: 'RFM 與客戶分層', site: '網站', save: '儲存', saved: '已儲存', err: '儲存失敗',
		earn: '每消費', earnUnit: '元，獲得', earnPts: '點', expiry: '點數有效期（天，0 為永不過期）', agentsSpend: '客服可使用客戶點數',
		agentsAward: '客服可給客戶加點（主管一律可以）', mult: '品類倍數', cat: '品類', pct: '百分比（200 = 雙倍）', add: '新增', remove: '刪除',
		levels: '會員等級（由低到高）', lvName: '名稱', lvSpend: '消費滿（元）', lvPoints: '點數滿', lvPeriod: '統計週期（天，0 為全部）',
		lvBenefits: '權益說明', addLevel: '新增等級', up: '上移', down: '下移',
		window: '統計區間（天）', mode: '評分方式', quintiles: '五分位（預設）', thresholds: '固定門檻', high: '「高」分的下限（1–5）',
		rDays: 'R：距上次購買天數（≤，得 5/4/3/2 分）', fCuts: 'F：訂單數（≥，得 2/3/4/5 分）', mCuts: 'M：消費金額元（≥，得 2/3/4/5 分）',
		rules: '分層規則（依序比對第一條）', tier: '層級', rMin: 'R≥', fMin: 'F≥', mMin: 'M≥', spentMin: '消費≥（元）', ordersMin: '訂單≥',
		daysMax: '距上次購買≤天', ever: '曾購買', any: '不限', yes: '是', no: '否', addRule: '新增規則',
		tierNames: '層級名稱', segNames: '分群名稱', recompute: '儲存並立即重新計算', recomputed: '已重新計算 {n} 位客戶',
		'tier.key': '大客戶', 'tier.active': '活躍客戶', 'tier.occasional': '隨機客戶', 'tier.registered': '註冊客戶',
	},
	en: {
		loyTitle: 'Points and member levels', rfmTitle: 'RFM and customer tiers', site: 'Site', save: 'Save', saved: 'Saved', err: 'Could not save',
		earn: 'Every', earnUnit: 'yuan spent earns', earnPts: 'points', expiry: 'Points expire after (days, 0 = never)', agentsSpend: 'Agents may spend a customer\'s points',
		agentsAward: 'Agents may award points (supervisors always may)', mult: 'Category multipliers', cat: 'Category', pct: 'Percent (200 = double)', add: 'Add', remove: 'Remove',
		levels: 'Member levels (lowest first)', lvName: 'Name', lvSpend: 'Spend from (yuan)', lvPoints: 'Points from', lvPeriod: 'Over (days, 0 = all time)',
		lvBenefits: 'Benefits', addLevel: 'Add a level', up: 'Up', down: 'Down',
		window: 'Window (days)', mode: 'Scoring', quintiles: 'Quintiles (default)', thresholds: 'Fixed thresholds', high: 'A "high" score is at least (1–5)',
		rDays: 'R: days since the last order (≤, scores 5/4/3/2)', fCuts: 'F: orders (≥, scores 2/3/4/5)', mCuts: 'M: spent in yuan (≥, scores 2/3/4/5)',
		rules: 'Tier rules (the first that matches wins)', tier: 'Tier', rMin: 'R≥', fMin: 'F≥', mMin: 'M≥', spentMin: 'Spent ≥ (yuan)', ordersMin: 'Orders ≥',
		daysMax: 'Last order ≤ days ago', ever: 'Ever ordered', any: 'Any', yes: 'Yes', no: 'No', addRule: 'Add a rule',
		tierNames: 'Tier names', segNames: 'Segment names', recompute: 'Save and recompute now', recomputed: 'Recomputed {n} customers',
		'tier.key': 'Key account', 'tier.active': 'Active', 'tier.occasional': 'Occasional', 'tier.registered': 'Registered',
	},
};
export const tl = (k, vars) => {
	let s = (S[lang.value] || S.en)[k] || S.en[k] || k;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, v) => (vars[v] != null ? String(vars[v]) : m));
	return s;
};
const yuan = (cents) => (cents == null ? '' : String(cents / 100));
const cents = (v) => Math.round(parseFloat(String(v).replace(/[,，]/g, '')) * 100) || 0;
const num = (v, def = 0) => (v === '' || v == null || isNaN(+v) ? def : Math.trunc(+v));

/* The admin's sites and the chosen one (visitors.js's, remembered in this browser), with its
 * picker when there are several. */
function useSite() {
	const { sites, site, choose } = useSites();
	const picker = (id) => html`<${SitePicker} sites=${sites} site=${site} choose=${choose} id=${id} />`;
	return { site, picker };
}

/* A list editor's helpers over a signal of rows. */
function rowsOf(list) {
	return {
		set: (i, k, v) => (list.value = list.value.map((x, j) => (j === i ? { ...x, [k]: v } : x))),
		drop: (i) => (list.value = list.value.filter((x, j) => j !== i)),
		move: (i, d) => {
			const a = [...list.value];
			if (i + d < 0 || i + d >= a.length) return;
			[a[i], a[i + d]] = [a[i + d], a[i]];
			list.value = a;
		},
	};
}

async function saving(msg, fn) {
	msg.value = '';
	try {
		await fn();
		if (!msg.value) msg.value = tl('saved');
	} catch (x) {
		msg.value = tl('err') + (x.message ? ': ' + x.message : '');
	}
}

export function LoyaltyPanel() {
	const { site, picker } = useSite();
	const rules = useSignal(null);
	const mult = useSignal([]);
	const levels = useSignal(null);   /* null while loading: the form waits for rules and levels */
	const msg = useSignal('');
	useEffect(() => {
		if (!site.value) return;
		rules.value = null;
		levels.value = null;
		get(`/api/v1/sites/${site.value}/points-rules`).then((d) => {
			rules.value = d.rules;
			mult.value = Object.entries(d.rules.multipliers || {}).map(([cat, pct]) => ({ cat, pct }));
		}, () => {});
		get(`/api/v1/sites/${site.value}/levels`).then((d) => (levels.value = (d.levels || []).map((l) => ({ ...l, spend: yuan(l.min_spend_cents) }))), () => {});
	}, [site.value]);
	const r = rules.value;
	const setR = (k, v) => (rules.value = { ...rules.value, [k]: v });
	const M = rowsOf(mult), L = rowsOf(levels);
	function save(e) {
		e.preventDefault();
		saving(msg, async () => {
			const multipliers = {};
			for (const { cat, pct } of mult.value) if (cat.trim()) multipliers[cat.trim()] = num(pct, 100);
			const body = { points_per_unit: num(r.points_per_unit), unit_cents: Math.max(1, cents(r.unit_yuan ?? r.unit_cents / 100)),
				multipliers, expiry_days: num(r.expiry_days), agents_spend: !!r.agents_spend, agents_award: !!r.agents_award };
			await put(`/api/v1/sites/${site.value}/points-rules`, body);
			await put(`/api/v1/sites/${site.value}/levels`, { levels: levels.value.map((l) => ({ name: l.name.trim(), min_spend_cents: cents(l.spend),
				min_points: num(l.min_points), period_days: num(l.period_days, 365), benefits: l.benefits || '' })) });
		});
	}
	if (!r || levels.value === null) return html`<div id="loyalty-form">${picker('loyalty-site')}</div>`;
	return html`<form class="loyalty-settings" id="loyalty-form" onSubmit=${save}>
		${picker('loyalty-site')}
		<p class="inline-fields">${tl('earn')} <input id="loy-unit" type="number" min="0.01" step="0.01" class="num-input" value=${r.unit_yuan ?? r.unit_cents / 100}
			onInput=${(e) => setR('unit_yuan', e.currentTarget.value)} /> ${tl('earnUnit')}
			<input id="loy-per-unit" type="number" min="0" max="10000" class="num-input" value=${r.points_per_unit}
			onInput=${(e) => setR('points_per_unit', e.currentTarget.value)} /> ${tl('earnPts')}</p>
		<label>${tl('expiry')} <input id="loy-expiry" type="number" min="0" max="36500" class="num-input" value=${r.expiry_days}
			onInput=${(e) => setR('expiry_days', e.currentTarget.value)} /></label>
		<label class="check"><input type="checkbox" id="loy-agents-spend" checked=${!!r.agents_spend} onChange=${(e) => setR('agents_spend', e.currentTarget.checked)} /> ${tl('agentsSpend')}</label>
		<label class="check"><input type="checkbox" id="loy-agents-award" checked=${!!r.agents_award} onChange=${(e) => setR('agents_award', e.currentTarget.checked)} /> ${tl('agentsAward')}</label>
		<h4>${tl('mult')}</h4>
		<table class="mini-table"><thead><tr><th>${tl('cat')}</th><th>${tl('pct')}</th><th></th></tr></thead><tbody>
			${mult.value.map((m, i) => html`<tr key=${i}><td><input class="loy-cat" value=${m.cat} maxlength="100" onInput=${(e) => M.set(i, 'cat', e.currentTarget.value)} /></td>
				<td><input class="loy-pct num-input" type="number" min="0" max="1000" value=${m.pct} onInput=${(e) => M.set(i, 'pct', e.currentTarget.value)} /></td>
				<td><button type="button" class="small" onClick=${() => M.drop(i)}>${tl('remove')}</button></td></tr>`)}
		</tbody></table>
		<button type="button" class="small" id="loy-add-mult" onClick=${() => (mult.value = [...mult.value, { cat: '', pct: 200 }])}>${tl('add')}</button>
		<h4>${tl('levels')}</h4>
		<table class="mini-table" id="loy-levels"><thead><tr><th>${tl('lvName')}</th><th>${tl('lvSpend')}</th><th>${tl('lvPoints')}</th><th>${tl('lvPeriod')}</th><th>${tl('lvBenefits')}</th><th></th></tr></thead><tbody>
			${levels.value.map((l, i) => html`<tr key=${i} class="loy-level">
				<td><input class="loy-lv-name" value=${l.name} maxlength="63" onInput=${(e) => L.set(i, 'name', e.currentTarget.value)} /></td>
				<td><input class="loy-lv-spend num-input" type="number" min="0" step="0.01" value=${l.spend} onInput=${(e) => L.set(i, 'spend', e.currentTarget.value)} /></td>
				<td><input class="loy-lv-points num-input" type="number" min="0" value=${l.min_points} onInput=${(e) => L.set(i, 'min_points', e.currentTarget.value)} /></td>
				<td><input class="loy-lv-period num-input" type="number" min="0" max="36500" value=${l.period_days} onInput=${(e) => L.set(i, 'period_days', e.currentTarget.value)} /></td>
				<td><input class="loy-lv-benefits" value=${l.benefits} maxlength="1000" onInput=${(e) => L.set(i, 'benefits', e.currentTarget.value)} /></td>
				<td class="nowrap"><button type="button" class="small" title=${tl('up')} aria-label=${tl('up')} onClick=${() => L.move(i, -1)}>↑</button>
					<button type="button" class="small" title=${tl('down')} aria-label=${tl('down')} onClick=${() => L.move(i, 1)}>↓</button>
					<button type="button" class="small" onClick=${() => L.drop(i)}>${tl('remove')}</button></td></tr>`)}
		</tbody></table>
		<button type="button" class="small" id="loy-add-level"
			onClick=${() => (levels.value = [...levels.value, { name: '', spend: '', min_points: 0, period_days: 365, benefits: '' }])}>${tl('addLevel')}</button>
		<p><button type="submit" class="primary" id="loy-save">${tl('save')}</button> <span role="status" class="muted" id="loy-status">${msg.value}</span></p>
	</form>`;
}

/* Four cut points typed as "7, 30, 90, 180". */
const cutsText = (a, scale = 1) => (a || []).map((v) => v / scale).join(', ');
const cutsOf = (s, scale = 1) => String(s).split(/[,，\s]+/).filter(Boolean).map((v) => Math.round(parseFloat(v) * scale));

function RuleRow({ r, i, R }) {
	const n = (k, v) => R.set(i, k, v);
	const field = (k, cls, extra = {}) => html`<td><input class=${'rule-' + cls + ' num-input'} type="number" value=${r[k] ?? ''} placeholder=${tl('any')}
		onInput=${(e) => n(k, e.currentTarget.value)} ...${extra} /></td>`;
	return html`<tr class="tier-rule" key=${i}>
		<td><select class="rule-tier" onChange=${(e) => n('tier', e.currentTarget.value)}>
			${TIERS.map((t) => html`<option value=${t} selected=${t === r.tier}>${tl('tier.' + t)}</option>`)}</select></td>
		${field('r_min', 'r', { min: 0, max: 5 })}${field('f_min', 'f', { min: 0, max: 5 })}${field('m_min', 'm', { min: 0, max: 5 })}
		${field('spent_yuan', 'spent', { min: 0, step: '0.01' })}${field('orders_min', 'orders', { min: 0 })}${field('days_since_max', 'days', { min: -1 })}
		<td><select class="rule-ever" onChange=${(e) => n('ever', e.currentTarget.value)}>
			${['', 'true', 'false'].map((v) => html`<option value=${v} selected=${String(r.ever ?? '') === v}>${tl(v === '' ? 'any' : v === 'true' ? 'yes' : 'no')}</option>`)}</select></td>
		<td class="nowrap"><button type="button" class="small" aria-label=${tl('up')} onClick=${() => R.move(i, -1)}>↑</button>
			<button type="button" class="small" aria-label=${tl('down')} onClick=${() => R.move(i, 1)}>↓</button>
			<button type="button" class="small" onClick=${() => R.drop(i)}>${tl('remove')}</button></td>
	</tr>`;
}

/* A rule row back to the API's JSON: empty fields are "any" and left out. */
function ruleJson(r) {
	const o = { tier: r.tier };
	for (const k of ['r_min', 'f_min', 'm_min', 'orders_min']) if (r[k] !== '' && r[k] != null && +r[k] > 0) o[k] = num(r[k]);
	if (r.spent_yuan !== '' && r.spent_yuan != null && cents(r.spent_yuan) > 0) o.spent_min = cents(r.spent_yuan);
	if (r.days_since_max !== '' && r.days_since_max != null && +r.days_since_max >= 0) o.days_since_max = num(r.days_since_max);
	if (r.ever === 'true' || r.ever === true) o.ever = true;
	if (r.ever === 'false' || r.ever === false) o.ever = false;
	return o;
}

export function RfmPanel() {
	const { site, picker } = useSite();
	const cfg = useSignal(null);
	const rules = useSignal([]);
	const names = useSignal(null);
	const msg = useSignal('');
	useEffect(() => {
		if (!site.value) return;
		get(`/api/v1/sites/${site.value}/crm/names?lang=${encodeURIComponent(lang.value)}`).then((d) => (names.value = d), () => {});
		get(`/api/v1/sites/${site.value}/crm/settings`).then((d) => {
			const c = d.config;
			cfg.value = { ...c, r: cutsText(c.r_days), f: cutsText(c.f_cuts), m: cutsText(c.m_cuts, 100) };
			rules.value = (d.rules || []).map((x) => ({ ...x, spent_yuan: x.spent_min ? x.spent_min / 100 : '', ever: x.ever == null ? '' : String(x.ever) }));
		}, () => {});
	}, [site.value]);
	const c = cfg.value;
	const R = rowsOf(rules);
	const setC = (k, v) => (cfg.value = { ...cfg.value, [k]: v });
	function body() {
		return {
			config: { window_days: num(c.window_days, 365), mode: c.mode, high: num(c.high, 3), r_days: cutsOf(c.r), f_cuts: cutsOf(c.f), m_cuts: cutsOf(c.m, 100) },
			rules: rules.value.map(ruleJson),
		};
	}
	/* the shop's names: an empty field restores the default */
	const namesBody = () => {
		const o = { tiers: {}, segments: {} };
		for (const g of ['tiers', 'segments']) for (const x of names.value[g]) o[g][x.key] = (x.custom || '').trim() || null;
		return o;
	};
	const setName = (g, i, v) => (names.value = { ...names.value, [g]: names.value[g].map((x, j) => (j === i ? { ...x, custom: v } : x)) });
	const saveAll = async () => {
		await put(`/api/v1/sites/${site.value}/crm/settings`, body());
		if (names.value) await put(`/api/v1/sites/${site.value}/crm/names`, namesBody());
	};
	const save = (e) => {
		e.preventDefault();
		saving(msg, saveAll);
	};
	const saveAndRun = () => saving(msg, async () => {
		await saveAll();
		const d = await post(`/api/v1/sites/${site.value}/crm/recompute`);
		msg.value = tl('recomputed', { n: d.customers ?? (d.report && d.report.customers) ?? '' });
	});
	if (!c) return html`<div id="rfm-form">${picker('rfm-site')}</div>`;
	return html`<form class="rfm-settings" id="rfm-form" onSubmit=${save}>
		${picker('rfm-site')}
		<div class="inline-fields">
			<label>${tl('window')} <input id="rfm-window" type="number" min="1" max="3650" class="num-input" value=${c.window_days} onInput=${(e) => setC('window_days', e.currentTarget.value)} /></label>
			<label>${tl('mode')} <select id="rfm-mode" onChange=${(e) => setC('mode', e.currentTarget.value)}>
				<option value="quintiles" selected=${c.mode === 'quintiles'}>${tl('quintiles')}</option>
				<option value="thresholds" selected=${c.mode === 'thresholds'}>${tl('thresholds')}</option></select></label>
			<label>${tl('high')} <input id="rfm-high" type="number" min="1" max="5" class="num-input" value=${c.high} onInput=${(e) => setC('high', e.currentTarget.value)} /></label>
		</div>
		${c.mode === 'thresholds' && html`<div class="rfm-cuts">
			<label>${tl('rDays')} <input id="rfm-r" value=${c.r} onInput=${(e) => setC('r', e.currentTarget.value)} /></label>
			<label>${tl('fCuts')} <input id="rfm-f" value=${c.f} onInput=${(e) => setC('f', e.currentTarget.value)} /></label>
			<label>${tl('mCuts')} <input id="rfm-m" value=${c.m} onInput=${(e) => setC('m', e.currentTarget.value)} /></label></div>`}
		<h4>${tl('rules')}</h4>
		<table class="mini-table" id="rfm-rules"><thead><tr><th>${tl('tier')}</th><th>${tl('rMin')}</th><th>${tl('fMin')}</th><th>${tl('mMin')}</th>
			<th>${tl('spentMin')}</th><th>${tl('ordersMin')}</th><th>${tl('daysMax')}</th><th>${tl('ever')}</th><th></th></tr></thead>
			<tbody>${rules.value.map((r, i) => html`<${RuleRow} key=${i} r=${r} i=${i} R=${R} />`)}</tbody></table>
		<button type="button" class="small" id="rfm-add-rule" onClick=${() => (rules.value = [...rules.value, { tier: 'registered', ever: '' }])}>${tl('addRule')}</button>
		${names.value && ['tiers', 'segments'].map((g) => html`<h4>${tl(g === 'tiers' ? 'tierNames' : 'segNames')}</h4>
			<div class="rfm-names" id=${'rfm-names-' + g}>${names.value[g].map((x, i) => html`<label key=${x.key}>${x.default}
				<input data-key=${x.key} value=${x.custom || ''} placeholder=${x.default} maxlength="40"
					onInput=${(e) => setName(g, i, e.currentTarget.value)} /></label>`)}</div>`)}
		<p><button type="submit" class="primary" id="rfm-save">${tl('save')}</button>
			<button type="button" id="rfm-save-run" onClick=${saveAndRun}>${tl('recompute')}</button>
			<span role="status" class="muted" id="rfm-status">${msg.value}</span></p>
	</form>`;
}

export { SEGMENTS };
