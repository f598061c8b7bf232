// customer-identity.js - agent-confirmed identity beside the chat (issue 6). When the visitor of
// the open conversation is unknown but left an e-mail or phone that equals a customer's, the
// panel asks the agent: "此访客留下的邮箱与客户 X 相符 — 确认是同一人？". Nothing is linked until the
// agent clicks Confirm (POST /api/v1/visitors/:id/customer {customer_id}); "Create customer"
// makes one from what the visitor left ({create:true}). The candidates come with the panel's
// GET. zh-CN / zh-TW / en below.
import { h } from 'preact';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { post } from './api.js';
import { lang } from './i18n.js';

const html = htm.bind(h);

const S = {
	'zh-CN': {
		email: '此访客留下的邮箱与客户 {name} 相符 — 确认是同一人？', phone: '此访客留下的电话与客户 {name} 相符 — 确认是同一人？',
		confirm: '确认', create: '创建客户', createHelp: '用访客留下的姓名、邮箱和电话新建客户', fail: '操作失败：{msg}', noName: '（未填写姓名）',
	},
	'zh-TW': {
		email: '此訪客留下的電子郵件與客戶 {name} 相符 — 確認是同一人？', phone: '此訪客留下的電話與客戶 {name} 相符 — 確認是同一人？',
		confirm: '確認', create: '建立客戶', createHelp: '以訪客留下的姓名、電子郵件和電話建立客戶', fail: '操作失敗：{msg}', noName: '（未填寫姓名）',
	},
	en: {
		email: 'The e-mail this visitor left matches customer {name}. Is it the same person?',
		phone: 'The phone this visitor left matches customer {name}. Is it the same person?',
		confirm: 'Confirm', create: 'Create customer', createHelp: "A new customer from the visitor's name, e-mail and phone",
		fail: 'Failed: {msg}', noName: '(no name)',
	},
};
const ti = (k, vars) => {
	let s = (S[lang.value] || S.en)[k] || S.en[k] || k;
	for (const [n, v] of Object.entries(vars || {})) s = s.replace('{' + n + '}', v);
	return s;
};

export function IdentityConfirm({ visitorId, candidates, onLinked }) {
	const busy = useSignal(false);
	const msg = useSignal('');
	const link = async (body) => {
		busy.value = true;
		msg.value = '';
		try {
			await post('/api/v1/visitors/' + visitorId + '/customer', body);
			onLinked && onLinked();
		} catch (err) {
			msg.value = ti('fail', { msg: err.message });
		}
		busy.value = false;
	};
	return html`<div class="identity-confirm" id="identity-confirm">
		${(candidates || []).map((c) => html`<p class="identity-candidate" key=${c.id}>
			${ti(c.matched === 'phone' ? 'phone' : 'email', { name: c.name || c.external_id || ti('noName') })}
			<button type="button" class="small identity-yes" disabled=${busy.value} onClick=${() => link({ customer_id: c.id })}>${ti('confirm')}</button></p>`)}
		<button type="button" class="small secondary" id="identity-create" title=${ti('createHelp')} disabled=${busy.value} onClick=${() => link({ create: true })}>${ti('create')}</button>
		${msg.value && html`<p class="error small-text" role="status">${msg.value}</p>`}
	</div>`;
}
