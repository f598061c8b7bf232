// crm-i18n.js - strings of the CRM page (客户 / Customers: charts, filters, the customer list,
// tier changes and the customer drawer with its timeline) in zh-CN, zh-TW and en. Kept apart
// from i18n.js; tcr() follows the console's chosen language like t().
import { lang } from './i18n.js';

const strings = {
	'zh-CN': {
		'crm.customers': '客户总数', 'crm.withOrders': '有订单', 'crm.keyAccounts': '大客户', 'crm.computedAt': '最近计算',
		'crm.never': '尚未计算', 'crm.recompute': '重新计算', 'crm.recomputing': '正在计算…',
		'crm.recomputed': '已重新计算：{n} 位客户，{c} 次层级变化', 'crm.byTier': '客户层级分布', 'crm.bySegment': 'RFM 分群分布',
		'crm.noSites': '还没有站点', 'crm.err': '加载失败', 'crm.readonly': '只读：重新计算和导出需要主管权限',
		'tier.none': '未分层', 'tier.key': '大客户', 'tier.active': '活跃客户', 'tier.occasional': '随机客户', 'tier.registered': '注册客户',
		'seg.none': '窗口内无订单', 'seg.important_value': '重要价值客户', 'seg.important_develop': '重要发展客户',
		'seg.important_keep': '重要保持客户', 'seg.important_retain': '重要挽留客户', 'seg.general_value': '一般价值客户',
		'seg.general_develop': '一般发展客户', 'seg.general_keep': '一般保持客户', 'seg.general_retain': '一般挽留客户',
		'f.tier': '层级', 'f.segment': '分群', 'f.level': '会员等级', 'f.q': '搜索', 'f.qPh': '姓名、邮箱、电话或外部编号',
		'f.minSpend': '最低累计消费（元）', 'f.sort': '排序', 'f.any': '全部', 'f.apply': '筛选', 'f.reset': '重置',
		'f.badSpend': '最低累计消费须为不超过两位小数的金额',
		'sort.updated': '最近更新', 'sort.name': '姓名', 'sort.lifetime': '累计消费', 'sort.last_order': '最近下单',
		'sort.orders': '订单数', 'sort.points': '积分', 'sort.created': '最近创建',
		'col.name': '姓名', 'col.tier': '层级', 'col.segment': '分群', 'col.rfm': 'R / F / M', 'col.orders': '订单',
		'col.lifetime': '累计消费', 'col.points': '积分', 'col.level': '会员等级', 'col.lastOrder': '最近下单',
		'list.total': '共 {n} 位客户', 'list.range': '第 {a}–{b} 位', 'list.prev': '上一页', 'list.next': '下一页',
		'list.none': '没有符合条件的客户', 'list.export': '导出 CSV', 'list.noName': '（未填写姓名）',
		'quiet.title': '大客户流失预警', 'quiet.none': '暂无大客户降级', 'changes.title': '全部层级变化', 'changes.none': '暂无层级变化',
		'd.close': '关闭', 'd.profile': '资料', 'd.external': '外部编号', 'd.emails': '邮箱', 'd.phones': '电话', 'd.birthday': '生日',
		'd.lang': '语言', 'd.consent': '营销同意', 'd.consentYes': '已同意（{at}，来源：{src}）', 'd.consentNo': '未同意',
		'd.tags': '标签', 'd.notes': '备注', 'd.custom': '自定义字段', 'd.rfm': 'RFM', 'd.level': '会员等级', 'd.points': '积分',
		'd.noLevel': '无', 'd.timeline': '时间线', 'd.more': '加载更多', 'd.noItems': '暂无记录', 'd.merge': '合并客户',
		'k.order': '订单', 'k.chat': '对话', 'k.visit': '访问', 'k.points': '积分', 'k.tier': '层级', 'k.level': '会员等级',
		'k.pages': '{n} 个页面', 'k.messages': '{n} 条消息',
		'r.order_delivered': '订单送达', 'r.order_returned': '订单退货', 'r.spend': '使用', 'r.adjust': '调整', 'r.expire': '过期',
		'st.paid': '已付款', 'st.shipped': '已发货', 'st.delivered': '已送达', 'st.cancelled': '已取消', 'st.returned': '已退货',
		'cs.waiting': '等待中', 'cs.active': '进行中', 'cs.closed': '已结束', 'cs.offline': '留言',
	},
	'zh-TW': {
		'crm.customers': '客戶總數', 'crm.withOrders': '有訂單', 'crm.keyAccounts': '大客戶', 'crm.computedAt': '最近計算',
		'crm.never': '尚未計算', 'crm.recompute': '重新計算', 'crm.recomputing': '正在計算…',
		'crm.recomputed': '已重新計算：{n} 位客戶，{c} 次層級變化', 'crm.byTier': '客戶層級分佈', 'crm.bySegment': 'RFM 分群分佈',
		'crm.noSites': '還沒有網站', 'crm.err': '載入失敗', 'crm.readonly': '唯讀：重新計算和匯出需要主管權限',
		'tier.none': '未分層', 'tier.key': '大客戶', 'tier.active': '活躍客戶', 'tier.occasional': '隨機客戶', 'tier.registered': '註冊客戶',
		'seg.none': '期間內無訂單', 'seg.important_value': '重要價值客戶', 'seg.important_develop': '重要發展客戶',
		'seg.important_keep': '重要保持客戶', 'seg.important_retain': '重要挽留客戶', 'seg.general_value': '一般價值客戶',
		'seg.general_develop': '一般發展客戶', 'seg.general_keep': '一般保持客戶', 'seg.general_retain': '一般挽留客戶',
		'f.tier': '層級', 'f.segment': '分群', 'f.level': '會員等級', 'f.q': '搜尋', 'f.qPh': '姓名、電子郵件、電話或外部編號',
		'f.minSpend': '最低累計消費（元）', 'f.sort': '排序', 'f.any': '全部', 'f.apply': '篩選', 'f.reset': '重設',
		'f.badSpend': '最低累計消費須為不超過兩位小數的金額',
		'sort.updated': '最近更新', 'sort.name': '姓名', 'sort.lifetime': '累計消費', 'sort.last_order': '最近下單',
		'sort.orders': '訂單數', 'sort.points': '點數', 'sort.created': '最近建立',
		'col.name': '姓名', 'col.tier': '層級', 'col.segment': '分群', 'col.rfm': 'R / F / M', 'col.orders': '訂單',
		'col.lifetime': '累計消費', 'col.points': '點數', 'col.level': '會員等級', 'col.lastOrder': '最近下單',
		'list.total': '共 {n} 位客戶', 'list.range': '第 {a}–{b} 位', 'list.prev': '上一頁', 'list.next': '下一頁',
		'list.none': '沒有符合條件的客戶', 'list.export': '匯出 CSV', 'list.noName': '（未填寫姓名）',
		'quiet.title': '大客戶流失預警', 'quiet.none': '暫無大客戶降級', 'changes.title': '全部層級變化', 'changes.none': '暫無層級變化',
		'd.close': '關閉', 'd.profile': '資料', 'd.external': '外部編號', 'd.emails': '電子郵件', 'd.phones': '電話', 'd.birthday': '生日',
		'd.lang': '語言', 'd.consent': '行銷同意', 'd.consentYes': '已同意（{at}，來源：{src}）', 'd.consentNo': '未同意',
		'd.tags': '標籤', 'd.notes': '備註', 'd.custom': '自訂欄位', 'd.rfm': 'RFM', 'd.level': '會員等級', 'd.points': '點數',
		'd.noLevel': '無', 'd.timeline': '時間軸', 'd.more': '載入更多', 'd.noItems': '尚無紀錄', 'd.merge': '合併客戶',
		'k.order': '訂單', 'k.chat': '對話', 'k.visit': '造訪', 'k.points': '點數', 'k.tier': '層級', 'k.level': '會員等級',
		'k.pages': '{n} 個頁面', 'k.messages': '{n} 則訊息',
		'r.order_delivered': '訂單送達', 'r.order_returned': '訂單退貨', 'r.spend': '使用', 'r.adjust': '調整', 'r.expire': '過期',
		'st.paid': '已付款', 'st.shipped': '已出貨', 'st.delivered': '已送達', 'st.cancelled': '已取消', 'st.returned': '已退貨',
		'cs.waiting': '等待中', 'cs.active': '進行中', 'cs.closed': '已結束', 'cs.offline': '留言',
	},
	en: {
		'crm.customers': 'Customers', 'crm.withOrders': 'With orders', 'crm.keyAccounts': 'Key accounts', 'crm.computedAt': 'Last recompute',
		'crm.never': 'Not computed yet', 'crm.recompute': 'Recompute now', 'crm.recomputing': 'Recomputing…',
		'crm.recomputed': 'Recomputed: {n} customers, {c} tier changes', 'crm.byTier': 'Customers per tier', 'crm.bySegment': 'Customers per RFM segment',
		'crm.noSites': 'No sites yet', 'crm.err': 'Could not load', 'crm.readonly': 'Read-only: recomputing and exports are for supervisors',
		'tier.none': 'No tier', 'tier.key': 'Key account', 'tier.active': 'Active', 'tier.occasional': 'Occasional', 'tier.registered': 'Registered',
		'seg.none': 'No orders in the window', 'seg.important_value': 'Important value', 'seg.important_develop': 'Important to develop',
		'seg.important_keep': 'Important to keep', 'seg.important_retain': 'Important to win back', 'seg.general_value': 'General value',
		'seg.general_develop': 'General to develop', 'seg.general_keep': 'General to keep', 'seg.general_retain': 'At risk',
		'f.tier': 'Tier', 'f.segment': 'Segment', 'f.level': 'Member level', 'f.q': 'Search', 'f.qPh': 'Name, e-mail, phone or external id',
		'f.minSpend': 'Lifetime spend at least', 'f.sort': 'Sort', 'f.any': 'Any', 'f.apply': 'Filter', 'f.reset': 'Reset',
		'f.badSpend': 'The minimum spend is an amount with at most two decimals',
		'sort.updated': 'Recently updated', 'sort.name': 'Name', 'sort.lifetime': 'Lifetime value', 'sort.last_order': 'Last order',
		'sort.orders': 'Orders', 'sort.points': 'Points', 'sort.created': 'Newest',
		'col.name': 'Name', 'col.tier': 'Tier', 'col.segment': 'Segment', 'col.rfm': 'R / F / M', 'col.orders': 'Orders',
		'col.lifetime': 'Lifetime value', 'col.points': 'Points', 'col.level': 'Level', 'col.lastOrder': 'Last order',
		'list.total': '{n} customers', 'list.range': '{a}–{b}', 'list.prev': 'Previous', 'list.next': 'Next',
		'list.none': 'No customers match', 'list.export': 'Export CSV', 'list.noName': '(no name)',
		'quiet.title': 'Key accounts going quiet', 'quiet.none': 'No key account has dropped', 'changes.title': 'All tier changes', 'changes.none': 'No tier changes yet',
		'd.close': 'Close', 'd.profile': 'Profile', 'd.external': 'External id', 'd.emails': 'E-mails', 'd.phones': 'Phones', 'd.birthday': 'Birthday',
		'd.lang': 'Language', 'd.consent': 'Marketing consent', 'd.consentYes': 'Yes ({at}, source: {src})', 'd.consentNo': 'No',
		'd.tags': 'Tags', 'd.notes': 'Notes', 'd.custom': 'Custom fields', 'd.rfm': 'RFM', 'd.level': 'Member level', 'd.points': 'Points',
		'd.noLevel': 'None', 'd.timeline': 'Timeline', 'd.more': 'Load more', 'd.noItems': 'Nothing yet', 'd.merge': 'Merge customers',
		'k.order': 'Order', 'k.chat': 'Chat', 'k.visit': 'Visit', 'k.points': 'Points', 'k.tier': 'Tier', 'k.level': 'Member level',
		'k.pages': '{n} pages', 'k.messages': '{n} messages',
		'r.order_delivered': 'order delivered', 'r.order_returned': 'order returned', 'r.spend': 'spent', 'r.adjust': 'adjusted', 'r.expire': 'expired',
		'st.paid': 'Paid', 'st.shipped': 'Shipped', 'st.delivered': 'Delivered', 'st.cancelled': 'Cancelled', 'st.returned': 'Returned',
		'cs.waiting': 'Waiting', 'cs.active': 'Active', 'cs.closed': 'Closed', 'cs.offline': 'Message',
	},
};

/* Translates key in the console's language (English, then the key, as fallbacks); {name}
   placeholders from vars. */
export function tcr(key, vars) {
	const table = strings[lang.value] || strings.en;
	let s = table[key] != null ? table[key] : strings.en[key] != null ? strings.en[key] : key;
	if (vars && typeof s === 'string') s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] != null ? String(vars[k]) : m));
	return s;
}

export const TIERS = ['key', 'active', 'occasional', 'registered', 'none'];
export const SEGMENTS = ['important_value', 'important_develop', 'important_keep', 'important_retain', 'general_value',
	'general_develop', 'general_keep', 'general_retain', 'none'];
