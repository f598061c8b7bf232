// order-card.js - order cards in the console (issue 6): the "Send" button on each order of the
// customer panel (customer.js), which sends the order into the open conversation as a card
// (agent frame send_order, docs/chat-protocol.md), and the card as the conversation view draws a
// message that carries one (inbox.js). Strings in zh-CN, zh-TW and English.
import { h } from 'preact';
import htm from 'htm';
import { lang } from './i18n.js';
import * as chat from './chat.js';

const html = htm.bind(h);

const S = {
	'zh-CN': { send: '发送', sendTitle: '把订单 {n} 发给访客', order: '订单', paid: '已付款', shipped: '已发货', delivered: '已签收', cancelled: '已取消', returned: '已退货' },
	'zh-TW': { send: '傳送', sendTitle: '把訂單 {n} 傳給訪客', order: '訂單', paid: '已付款', shipped: '已出貨', delivered: '已簽收', cancelled: '已取消', returned: '已退貨' },
	en: { send: 'Send', sendTitle: 'Send order {n} to the visitor', order: 'Order', paid: 'Paid', shipped: 'Shipped', delivered: 'Delivered', cancelled: 'Cancelled', returned: 'Returned' },
};
const tc = (k) => (S[lang.value] || S.en)[k] || S.en[k] || k;

function money(cents, currency) {
	try {
		return new Intl.NumberFormat(lang.value, { style: 'currency', currency: currency || 'CNY' }).format(cents / 100);
	} catch (e) {
		return (cents / 100).toFixed(2) + ' ' + (currency || '');
	}
}

/* The small button beside an order in the customer panel: into the conversation open now. */
export function SendOrder({ number }) {
	const id = chat.currentId.value;
	const label = tc('sendTitle').replace('{n}', number);
	return html`<button type="button" class="small order-send" data-number=${number} disabled=${!id} title=${label} aria-label=${label}
		onClick=${() => chat.sendOrder(id, number)}>${tc('send')}</button>`;
}

/* A message's order card: number, status, date and total, items, carrier and tracking. */
export function OrderCard({ card }) {
	const items = (card.items || []).map((i) => i.name + ' ×' + i.quantity).join(', ');
	const day = card.placed_at ? new Date(card.placed_at * 1000).toLocaleDateString(lang.value) : '';
	return html`<div class="order-card" data-number=${card.number}>
		<div><b>${tc('order')} ${card.number}</b> <span class=${'badge order-' + card.status}>${tc(card.status)}</span></div>
		<div class="muted small-text">${day}${typeof card.total_cents === 'number' ? ' · ' + money(card.total_cents, card.currency) : ''}</div>
		${items && html`<div class="small-text">${items}</div>`}
		${(card.carrier || card.tracking) && html`<div class="muted small-text">${[card.carrier, card.tracking].filter(Boolean).join(' ')}</div>`}
	</div>`;
}
