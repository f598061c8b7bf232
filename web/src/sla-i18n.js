// sla-i18n.js - strings for ticket SLAs (Settings → SLA policies, sla.js), the ticket report
// (报表 → 工单, ticket-report.js) and follow-up visits (回访), in zh-CN, zh-TW and en. tsl()
// follows the console's chosen language like t(); {name} placeholders are filled from vars.
import { lang } from './i18n.js';

const S = {
	'zh-CN': {
		title: '服务时限（SLA）', help: '按工单类型和优先级设定首次响应和解决时限。留空表示不计时；0 表示创建即到期。投诉未设置时默认 60 分钟响应、24 小时解决，并升级给主管。',
		first: '首次响应（分钟）', resolve: '解决（分钟）', bh: '仅计营业时间', esc: '超时升级给', escNone: '不升级', escAll: '全部主管',
		save: '保存', clear: '清除', saved: '已保存', err: '保存失败', loadErr: '加载失败', deflt: '默认', followDays: '回访时间（关闭后天数）',
		'type.question': '咨询', 'type.complaint': '投诉', 'type.return': '退换货', 'type.repair': '维修', 'type.other': '其他',
		'prio.low': '低', 'prio.normal': '普通', 'prio.high': '高', 'prio.urgent': '紧急',
		repTitle: '工单', from: '开始', to: '结束', show: '查看', created: '新建工单', resolved: '已解决', frtMed: '首次响应（中位数）',
		frtP90: '首次响应（P90）', resMed: '解决时长（中位数）', resP90: '解决时长（P90）', brFirst: '响应超时', brRes: '解决超时',
		csatAvg: '满意度平均分', csatN: '评价数', fu: '回访结果', byAgent: '按客服', byType: '按类型', byChannel: '按渠道',
		agent: '客服', type: '类型', channel: '渠道', unassigned: '未分配', none: '所选时间内没有工单', badRange: '请选择有效的日期范围（最多 366 天）',
		'fu.reached': '已联系', 'fu.not_reached': '未联系上', 'fu.satisfied': '满意', 'fu.unsatisfied': '不满意',
		'ch.chat': '聊天', 'ch.email': '邮件', 'ch.form': '表单', 'ch.api': 'API', 'ch.web': '控制台',
		fuTitle: '我的回访', fuAll: '全部回访', fuEmpty: '没有待办的回访', due: '到期', overdue: '已逾期', ticket: '工单',
		requester: '客户', outcome: '结果', note: '备注', record: '记录', done: '已完成', showDone: '显示已完成',
		sec: '{n} 秒', min: '{n} 分钟', hour: '{n} 小时', day: '{n} 天',
	},
	'zh-TW': {
		title: '服務時限（SLA）', help: '依工單類型和優先順序設定首次回應和解決時限。留空表示不計時；0 表示建立即到期。投訴未設定時預設 60 分鐘回應、24 小時解決，並升級給主管。',
		first: '首次回應（分鐘）', resolve: '解決（分鐘）', bh: '僅計營業時間', esc: '逾時升級給', escNone: '不升級', escAll: '全部主管',
		save: '儲存', clear: '清除', saved: '已儲存', err: '儲存失敗', loadErr: '載入失敗', deflt: '預設', followDays: '回訪時間（關閉後天數）',
		'type.question': '諮詢', 'type.complaint': '投訴', 'type.return': '退換貨', 'type.repair': '維修', 'type.other': '其他',
		'prio.low': '低', 'prio.normal': '普通', 'prio.high': '高', 'prio.urgent': '緊急',
		repTitle: '工單', from: '開始', to: '結束', show: '查看', created: '新建工單', resolved: '已解決', frtMed: '首次回應（中位數）',
		frtP90: '首次回應（P90）', resMed: '解決時長（中位數）', resP90: '解決時長（P90）', brFirst: '回應逾時', brRes: '解決逾時',
		csatAvg: '滿意度平均分', csatN: '評價數', fu: '回訪結果', byAgent: '依客服', byType: '依類型', byChannel: '依管道',
		agent: '客服', type: '類型', channel: '管道', unassigned: '未指派', none: '所選期間內沒有工單', badRange: '請選擇有效的日期範圍（最多 366 天）',
		'fu.reached': '已聯絡', 'fu.not_reached': '未聯絡上', 'fu.satisfied': '滿意', 'fu.unsatisfied': '不滿意',
		'ch.chat': '聊天', 'ch.email': '電郵', 'ch.form': '表單', 'ch.api': 'API', 'ch.web': '主控台',
		fuTitle: '我的回訪', fuAll: '全部回訪', fuEmpty: '沒有待辦的回訪', due: '到期', overdue: '已逾期', ticket: '工單',
		requester: '客戶', outcome: '結果', note: '備註', record: '記錄', done: '已完成', showDone: '顯示已完成',
		sec: '{n} 秒', min: '{n} 分鐘', hour: '{n} 小時', day: '{n} 天',
	},
	en: {
		title: 'Service levels (SLA)', help: 'First-response and resolution targets by ticket type and priority. Empty: no clock; 0: due at creation. Complaints without a policy get 60 minutes / 24 hours and go to the supervisors.',
		first: 'First response (min)', resolve: 'Resolution (min)', bh: 'Business hours only', esc: 'Escalate to', escNone: 'Nobody', escAll: 'Every supervisor',
		save: 'Save', clear: 'Clear', saved: 'Saved', err: 'Could not save', loadErr: 'Could not load', deflt: 'default', followDays: 'Follow-up visit (days after closing)',
		'type.question': 'Question', 'type.complaint': 'Complaint', 'type.return': 'Return', 'type.repair': 'Repair', 'type.other': 'Other',
		'prio.low': 'Low', 'prio.normal': 'Normal', 'prio.high': 'High', 'prio.urgent': 'Urgent',
		repTitle: 'Tickets', from: 'From', to: 'To', show: 'Show', created: 'Tickets created', resolved: 'Resolved', frtMed: 'First response (median)',
		frtP90: 'First response (p90)', resMed: 'Resolution (median)', resP90: 'Resolution (p90)', brFirst: 'Response breaches', brRes: 'Resolution breaches',
		csatAvg: 'CSAT average', csatN: 'CSAT answers', fu: 'Follow-up outcomes', byAgent: 'By agent', byType: 'By type', byChannel: 'By channel',
		agent: 'Agent', type: 'Type', channel: 'Channel', unassigned: 'Unassigned', none: 'No tickets in this range', badRange: 'Choose a valid date range (at most 366 days)',
		'fu.reached': 'Reached', 'fu.not_reached': 'Not reached', 'fu.satisfied': 'Satisfied', 'fu.unsatisfied': 'Unsatisfied',
		'ch.chat': 'Chat', 'ch.email': 'E-mail', 'ch.form': 'Form', 'ch.api': 'API', 'ch.web': 'Console',
		fuTitle: 'My follow-ups', fuAll: 'All follow-ups', fuEmpty: 'No follow-ups to do', due: 'Due', overdue: 'Overdue', ticket: 'Ticket',
		requester: 'Customer', outcome: 'Outcome', note: 'Note', record: 'Record', done: 'Done', showDone: 'Show done ones',
		sec: '{n} s', min: '{n} min', hour: '{n} h', day: '{n} d',
	},
};

export function tsl(key, vars) {
	const table = S[lang.value] || S.en;
	let s = table[key] != null ? table[key] : S.en[key] != null ? S.en[key] : key;
	if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
	return s;
}

/* Seconds as the largest whole unit that reads well: "45 s", "12 min", "3.5 h", "2.1 d". */
export function dur(s) {
	if (s == null) return '—';
	if (s < 60) return tsl('sec', { n: s });
	if (s < 3600) return tsl('min', { n: Math.round(s / 60) });
	if (s < 86400) return tsl('hour', { n: +(s / 3600).toFixed(1) });
	return tsl('day', { n: +(s / 86400).toFixed(1) });
}
