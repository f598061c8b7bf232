// offers-i18n.js - strings for Settings → Offers (offers.js) and the offers and points section of
// the customer panel (customer-extras.js), in zh-CN, zh-TW and en. to() follows the console's
// chosen language like t(); {name} placeholders are filled from vars.
import { lang } from './i18n.js';

const S = {
	'zh-CN': {
		title: '优惠券与专属优惠', help: '优惠可面向客户分层、RFM 分群或会员等级（满足任一即可）；都不选则面向所有已识别的客户。客服在客户面板里记录使用。',
		site: '网站', new: '新建优惠', edit: '编辑', kind: '类型', 'kind.coupon': '优惠券', 'kind.offer': '专属优惠', name: '标题', body: '说明（纯文本）',
		code: '券码', discount: '优惠内容', starts: '开始日期', ends: '结束日期（含当天）', perCustomer: '每人限用（0 = 不限）', total: '总量（0 = 不限）',
		targets: '面向', tiers: '客户分层', segments: 'RFM 分群', levels: '会员等级', everyone: '所有已识别的客户', active: '启用',
		save: '保存', saved: '已保存', cancel: '取消', err: '保存失败', loadErr: '加载失败', none: '还没有优惠',
		deactivate: '停用', activate: '启用', inactive: '已停用', redeemed: '已使用', limits: '限额', dates: '有效期', always: '长期',
		'tier.key': '大客户', 'tier.active': '活跃客户', 'tier.occasional': '随机客户', 'tier.registered': '注册客户',
		'seg.important_value': '重要价值客户', 'seg.important_develop': '重要发展客户', 'seg.important_keep': '重要保持客户', 'seg.important_retain': '重要挽留客户',
		'seg.general_value': '一般价值客户', 'seg.general_develop': '一般发展客户', 'seg.general_keep': '一般保持客户', 'seg.general_retain': '一般挽留客户',
		offers: '优惠', noOffers: '暂无可用优惠', redeem: '记录使用', orderNo: '订单号（选填）', note: '备注（选填）', confirm: '确认',
		usedList: '已使用的优惠', until: '至 {d}', redeemedOk: '已记录', award: '积分调整', amount: '加积分', reason: '原因', awardBtn: '加积分',
		awarded: '已加 {n} 积分，当前余额 {b}', badAmount: '请输入正整数',
	},
	'zh-TW': {
		title: '優惠券與專屬優惠', help: '優惠可針對客戶分層、RFM 分群或會員等級（符合任一即可）；都不選則針對所有已識別的客戶。客服在客戶面板裡記錄使用。',
		site: '網站', new: '新增優惠', edit: '編輯', kind: '類型', 'kind.coupon': '優惠券', 'kind.offer': '專屬優惠', name: '標題', body: '說明（純文字）',
		code: '券碼', discount: '優惠內容', starts: '開始日期', ends: '結束日期（含當天）', perCustomer: '每人限用（0 = 不限）', total: '總量（0 = 不限）',
		targets: '對象', tiers: '客戶分層', segments: 'RFM 分群', levels: '會員等級', everyone: '所有已識別的客戶', active: '啟用',
		save: '儲存', saved: '已儲存', cancel: '取消', err: '儲存失敗', loadErr: '載入失敗', none: '還沒有優惠',
		deactivate: '停用', activate: '啟用', inactive: '已停用', redeemed: '已使用', limits: '限額', dates: '有效期', always: '長期',
		'tier.key': '大客戶', 'tier.active': '活躍客戶', 'tier.occasional': '隨機客戶', 'tier.registered': '註冊客戶',
		'seg.important_value': '重要價值客戶', 'seg.important_develop': '重要發展客戶', 'seg.important_keep': '重要保持客戶', 'seg.important_retain': '重要挽留客戶',
		'seg.general_value': '一般價值客戶', 'seg.general_develop': '一般發展客戶', 'seg.general_keep': '一般保持客戶', 'seg.general_retain': '一般挽留客戶',
		offers: '優惠', noOffers: '目前沒有可用優惠', redeem: '記錄使用', orderNo: '訂單編號（選填）', note: '備註（選填）', confirm: '確認',
		usedList: '已使用的優惠', until: '至 {d}', redeemedOk: '已記錄', award: '點數調整', amount: '加點數', reason: '原因', awardBtn: '加點數',
		awarded: '已加 {n} 點，目前餘額 {b}', badAmount: '請輸入正整數',
	},
	en: {
		title: 'Coupons and offers', help: 'An offer can be aimed at customer tiers, RFM segments or member levels (any one matching is enough); with none picked it is for every identified customer. Agents record its use in the customer panel.',
		site: 'Site', new: 'New offer', edit: 'Edit', kind: 'Kind', 'kind.coupon': 'Coupon', 'kind.offer': 'Exclusive offer', name: 'Title', body: 'Text (plain)',
		code: 'Code', discount: 'Discount', starts: 'Starts', ends: 'Ends (inclusive)', perCustomer: 'Uses per customer (0 = unlimited)', total: 'Uses in total (0 = unlimited)',
		targets: 'For', tiers: 'Tiers', segments: 'RFM segments', levels: 'Member levels', everyone: 'Every identified customer', active: 'Active',
		save: 'Save', saved: 'Saved', cancel: 'Cancel', err: 'Could not save', loadErr: 'Could not load', none: 'No offers yet',
		deactivate: 'Deactivate', activate: 'Activate', inactive: 'Inactive', redeemed: 'Used', limits: 'Limits', dates: 'Valid', always: 'Always',
		'tier.key': 'Key account', 'tier.active': 'Active', 'tier.occasional': 'Occasional', 'tier.registered': 'Registered',
		'seg.important_value': 'Important value', 'seg.important_develop': 'Important to develop', 'seg.important_keep': 'Important to keep', 'seg.important_retain': 'Important to win back',
		'seg.general_value': 'General value', 'seg.general_develop': 'General to develop', 'seg.general_keep': 'General to keep', 'seg.general_retain': 'At risk',
		offers: 'Offers', noOffers: 'No offers for this customer', redeem: 'Redeem', orderNo: 'Order number (optional)', note: 'Note (optional)', confirm: 'Confirm',
		usedList: 'Used offers', until: 'until {d}', redeemedOk: 'Recorded', award: 'Award points', amount: 'Points', reason: 'Reason', awardBtn: 'Award',
		awarded: 'Awarded {n} points; balance {b}', badAmount: 'Enter a positive whole number',
	},
};

export const TIERS = ['key', 'active', 'occasional', 'registered'];
export const SEGMENTS = ['important_value', 'important_develop', 'important_keep', 'important_retain', 'general_value', 'general_develop', 'general_keep', 'general_retain'];

export const to = (k, vars) => {
	let s = (S[lang.value] || S.en)[k] || S.en[k] || k;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, v) => (vars[v] != null ? String(vars[v]) : m));
	return s;
};
