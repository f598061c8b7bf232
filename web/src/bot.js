// bot.js - Settings → FAQ bot (admins): per site, when the bot answers (off / only while nobody is
// online / always first), how sure it must be, its name; and what it did (deflection figures).
import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import htm from 'htm';
import { get, put } from './api.js';
import { lang } from './i18n.js';

const html = htm.bind(h);

const S = {
	'zh-CN': {
		help: '智能助手用知识库回答新对话里的问题；把握不足或访客点“转人工”时，对话交给客服，助手的回答留在记录里。',
		site: '网站', mode: '何时回答', 'mode.off': '关闭', 'mode.offline': '仅在无人在线时', 'mode.always': '总是先回答',
		threshold: '最低把握（0–1）', name: '助手名称', save: '保存', saved: '已保存', err: '保存失败',
		stats: '最近 30 天', answered: '自动回答', resolved: '已解决', handover: '转人工', unanswered: '未能回答', rate: '分流率',
	},
	'zh-TW': {
		help: '智慧助理用知識庫回答新對話裡的問題；把握不足或訪客點「轉人工」時，對話交給客服，助理的回答留在紀錄裡。',
		site: '網站', mode: '何時回答', 'mode.off': '關閉', 'mode.offline': '僅在無人在線時', 'mode.always': '總是先回答',
		threshold: '最低把握（0–1）', name: '助理名稱', save: '儲存', saved: '已儲存', err: '儲存失敗',
		stats: '最近 30 天', answered: '自動回答', resolved: '已解決', handover: '轉人工', unanswered: '未能回答', rate: '分流率',
	},
	en: {
		help: 'The bot answers questions in new chats from the knowledge base; when it is not sure enough, or the visitor asks for a person, the chat goes to an agent with the bot\'s answer in the transcript.',
		site: 'Site', mode: 'When it answers', 'mode.off': 'Off', 'mode.offline': 'Only while nobody is online', 'mode.always': 'Always first',
		threshold: 'Least confidence (0–1)', name: 'Bot name', save: 'Save', saved: 'Saved', err: 'Could not save',
		stats: 'Last 30 days', answered: 'Answered', resolved: 'Resolved', handover: 'Handed over', unanswered: 'Could not answer', rate: 'Deflection',
	},
};
const tb = (k) => (S[lang.value] || S.en)[k] || S.en[k] || k;

export function BotPanel() {
	const sites = useSignal([]);
	const siteId = useSignal(0);
	const bot = useSignal(null);
	const stats = useSignal(null);
	const msg = useSignal('');
	const load = (id) => {
		get('/api/v1/sites/' + id + '/bot').then((d) => (bot.value = d.bot), () => {});
		get('/api/v1/sites/' + id + '/bot/stats?days=30').then((d) => (stats.value = d), () => {});
	};
	useEffect(() => {
		get('/api/v1/sites').then((d) => {
			sites.value = d.sites || [];
			if (sites.value.length) load((siteId.value = sites.value[0].id));
		}, () => {});
	}, []);
	if (!bot.value) return null;
	async function save(e) {
		e.preventDefault();
		const f = e.currentTarget.elements;
		msg.value = '';
		try {
			const d = await put('/api/v1/sites/' + siteId.value + '/bot', { mode: f.mode.value, threshold: +f.threshold.value, name: f.name.value.trim() });
			bot.value = d.bot;
			msg.value = tb('saved');
		} catch (x) {
			msg.value = tb('err') + (x && x.message ? ' (' + x.message + ')' : '');
		}
	}
	const s = stats.value;
	return html`<form class="bot-form" id="bot-form" onSubmit=${save}>
		<p class="muted">${tb('help')}</p>
		${sites.value.length > 1 && html`<label>${tb('site')} <select id="bot-site" onChange=${(e) => load((siteId.value = +e.currentTarget.value))}>
			${sites.value.map((x) => html`<option value=${x.id} selected=${x.id === siteId.value}>${x.name}</option>`)}</select></label>`}
		<label>${tb('mode')} <select id="bot-mode" name="mode">
			${['off', 'offline', 'always'].map((m) => html`<option value=${m} selected=${bot.value.mode === m}>${tb('mode.' + m)}</option>`)}</select></label>
		<label>${tb('threshold')} <input id="bot-threshold" name="threshold" type="number" min="0" max="1" step="0.05" value=${bot.value.threshold} /></label>
		<label>${tb('name')} <input id="bot-name" name="name" maxlength="60" value=${bot.value.name} /></label>
		<button type="submit" class="primary" id="bot-save">${tb('save')}</button>
		${msg.value && html`<span role="status" class="muted">${msg.value}</span>`}
		${s && html`<p class="bot-stats" id="bot-stats">${tb('stats')}: ${tb('answered')} ${s.answered} · ${tb('resolved')} ${s.resolved} ·
			${tb('handover')} ${s.handover} · ${tb('unanswered')} ${s.unanswered} · ${tb('rate')} ${Math.round(s.deflection_rate * 100)}%</p>`}
	</form>`;
}
