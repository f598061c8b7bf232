// customer.js - the customer beside the chat (issue 6): who the visitor of the open conversation
// is, from GET /api/v1/visitors/:id/customer: name (or "unknown visitor"), level and points,
// lifetime value, recent orders with tracking, past conversations, tags and notes. Supervisors
// and admins edit notes and tags through PATCH /api/v1/customers/:id (the API refuses agents,
// so agents only read). It reloads whenever the conversation (and so the visitor) changes.
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, patch } from './api.js';
import { lang } from './i18n.js';
import * as chat from './chat.js';
import { CustomFields } from './crm-fields.js';
import { SendOrder } from './order-card.js';
import { CustomerExtras } from './customer-extras.js';
import { IdentityConfirm } from './customer-identity.js';

const html = htm.bind(h);

const S = {
	'zh-CN': {
		title: '客户', unknown: '未识别的访客', points: '积分', level: '等级', noLevel: '无等级', lifetime: '累计消费',
		orders: '最近订单', noOrders: '暂无订单', convs: '历史对话', noConvs: '暂无其他对话', tags: '标签', notes: '备注',
		save: '保存', saved: '已保存', err: '加载失败', saveErr: '保存失败', tier: '等级层', segment: '分群',
		'st.paid': '已付款', 'st.shipped': '已发货', 'st.delivered': '已送达', 'st.cancelled': '已取消', 'st.returned': '已退货',
		'cs.waiting': '等待中', 'cs.active': '进行中', 'cs.closed': '已结束', 'cs.offline': '留言',
	},
	'zh-TW': {
		title: '客戶', unknown: '未識別的訪客', points: '點數', level: '等級', noLevel: '無等級', lifetime: '累計消費',
		orders: '最近訂單', noOrders: '尚無訂單', convs: '歷史對話', noConvs: '尚無其他對話', tags: '標籤', notes: '備註',
		save: '儲存', saved: '已儲存', err: '載入失敗', saveErr: '儲存失敗', tier: '等級層', segment: '分群',
		'st.paid': '已付款', 'st.shipped': '已出貨', 'st.delivered': '已送達', 'st.cancelled': '已取消', 'st.returned': '已退貨',
		'cs.waiting': '等待中', 'cs.active': '進行中', 'cs.closed': '已結束', 'cs.offline': '留言',
	},
	en: {
		title: 'Customer', unknown: 'Unknown visitor', points: 'Points', level: 'Level', noLevel: 'No level', lifetime: 'Lifetime value',
		orders: 'Recent orders', noOrders: 'No orders yet', convs: 'Past conversations', noConvs: 'No other conversations', tags: 'Tags', notes: 'Notes',
		save: 'Save', saved: 'Saved', err: 'Could not load', saveErr: 'Could not save', tier: 'Tier', segment: 'Segment',
		'st.paid': 'Paid', 'st.shipped': 'Shipped', 'st.delivered': 'Delivered', 'st.cancelled': 'Cancelled', 'st.returned': 'Returned',
		'cs.waiting': 'Waiting', 'cs.active': 'Active', 'cs.closed': 'Closed', 'cs.offline': 'Message',
	},
};
const tc = (k) => (S[lang.value] || S.en)[k] || S.en[k] || k;

/* Money in the order's currency; a bad code falls back to the plain amount. */
function money(cents, currency) {
	try {
		return new Intl.NumberFormat(lang.value, { style: 'currency', currency: currency || 'CNY' }).format(cents / 100);
	} catch (e) {
		return (cents / 100).toFixed(2) + ' ' + (currency || '');
	}
}
const day = (s) => new Date(s * 1000).toLocaleDateString(lang.value, { year: 'numeric', month: 'short', day: 'numeric' });

/* The signed-in user's role, asked once: editing is for supervisors and admins. */
let rolePromise = null;
const myRole = () => (rolePromise = rolePromise || get('/api/v1/me').then((d) => (d.user && d.user.role) || 'agent', () => 'agent'));

function Editor({ cust, onSaved }) {
	const tags = useSignal((cust.tags || []).join(' '));
	const notes = useSignal(cust.notes || '');
	const msg = useSignal('');
	const save = async (e) => {
		e.preventDefault();
		try {
			const d = await patch('/api/v1/customers/' + cust.id, { tags: tags.value.split(/\s+/).filter(Boolean), notes: notes.value });
			msg.value = tc('saved');
			onSaved(d.customer);
		} catch (err) {
			msg.value = tc('saveErr') + (err.message ? ': ' + err.message : '');
		}
	};
	return html`<form class="customer-edit" id="customer-edit" onSubmit=${save}>
		<label>${tc('tags')}<input id="customer-tags-input" value=${tags.value} maxlength="600" onInput=${(e) => (tags.value = e.target.value)} /></label>
		<label>${tc('notes')}<textarea id="customer-notes-input" rows="3" maxlength="4000" value=${notes.value} onInput=${(e) => (notes.value = e.target.value)}></textarea></label>
		<button type="submit" class="small">${tc('save')}</button> <span class="muted small-text" role="status">${msg.value}</span>
	</form>`;
}

function Orders({ list }) {
	if (!list.length) return html`<p class="muted small-text">${tc('noOrders')}</p>`;
	return html`<ul class="customer-orders">${list.map((o) => html`<li class="customer-order" key=${o.number}>
		<b>${o.number}</b> <span class=${'badge order-' + o.status}>${tc('st.' + o.status)}</span> ${money(o.total_cents, o.currency)} <${SendOrder} number=${o.number} />
		<div class="muted small-text">${day(o.placed_at)}${o.tracking ? ' · ' + (o.carrier ? o.carrier + ' ' : '') + o.tracking : ''}</div>
	</li>`)}</ul>`;
}

function Convs({ list, current }) {
	const past = list.filter((c) => c.id !== current);
	if (!past.length) return html`<p class="muted small-text">${tc('noConvs')}</p>`;
	return html`<ul class="customer-convs">${past.map((c) => html`<li key=${c.id}>
		<a href=${'#/inbox'} class="customer-conv" onClick=${(e) => { e.preventDefault(); chat.open(c.id); }}>#${c.id}</a>
		<span class="muted small-text"> ${day(c.created_at)} · ${tc('cs.' + c.status)}</span></li>`)}</ul>`;
}

function Known({ c, convs, current, canEdit, onSaved }) {
	const rfm = c.rfm;
	return html`<h4 id="customer-name">${c.name || c.external_id || '#' + c.id}</h4>
		<p class="customer-badges">
			${rfm && rfm.tier !== 'none' && html`<span class="badge" id="customer-tier" title=${tc('tier')}>${rfm.tier_name || rfm.tier}</span> `}
			${rfm && rfm.segment !== 'none' && html`<span class="badge" id="customer-segment" title=${tc('segment')}>${rfm.segment_name || rfm.segment}</span>`}
		</p>
		<dl class="customer-facts">
			<dt>${tc('points')}</dt><dd id="customer-points">${c.points_balance}</dd>
			<dt>${tc('level')}</dt><dd id="customer-level">${c.level ? c.level.name : tc('noLevel')}</dd>
			<dt>${tc('lifetime')}</dt><dd id="customer-lifetime">${money(c.lifetime_cents, c.recent_orders[0] && c.recent_orders[0].currency)}</dd>
		</dl>
		<${CustomFields} customer=${c} />
		<h5>${tc('orders')}</h5><${Orders} list=${c.recent_orders} />
		<${CustomerExtras} c=${c} />
		<h5>${tc('convs')}</h5><${Convs} list=${convs} current=${current} />
		${canEdit
			? html`<${Editor} key=${c.id} cust=${c} onSaved=${onSaved} />`
			: html`<h5>${tc('tags')}</h5><p id="customer-tags">${(c.tags || []).join(' ')}</p>
				<h5>${tc('notes')}</h5><p id="customer-notes" class="pre">${c.notes}</p>`}`;
}

export function CustomerPanel({ visitorId }) {
	const data = useSignal(null);
	const err = useSignal(false);
	const role = useSignal('agent');
	useEffect(() => {
		myRole().then((r) => (role.value = r));
	}, []);
	useEffect(() => {
		let live = true;
		data.value = null;
		err.value = false;
		if (visitorId) get('/api/v1/visitors/' + visitorId + '/customer?lang=' + encodeURIComponent(lang.value)).then((d) => live && (data.value = d), () => live && (err.value = true));
		return () => (live = false);
	}, [visitorId, lang.value]);
	const d = data.value;
	const canEdit = role.value === 'supervisor' || role.value === 'admin';
	const onSaved = (c) => (data.value = { ...d, customer: { ...d.customer, tags: c.tags, notes: c.notes } });
	return html`<section class="customer-panel" id="customer-panel" aria-label=${tc('title')}>
		${err.value && html`<p class="error small-text">${tc('err')}</p>`}
		${d && !d.customer && html`<h4 id="customer-name" class="muted">${tc('unknown')}</h4>
			<${IdentityConfirm} visitorId=${visitorId} candidates=${d.candidates} onLinked=${() => get('/api/v1/visitors/' + visitorId + '/customer?lang=' + encodeURIComponent(lang.value)).then((x) => (data.value = x))} />
			<h5>${tc('convs')}</h5><${Convs} list=${d.conversations} current=${chat.currentId.value} />`}
		${d && d.customer && html`<${Known} c=${d.customer} convs=${d.conversations} current=${chat.currentId.value} canEdit=${canEdit} onSaved=${onSaved} />`}
	</section>`;
}
