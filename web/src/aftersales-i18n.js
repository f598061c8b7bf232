// aftersales-i18n.js - strings of the after-sales parts of the console (issue 7, point 4): the
// workflow panel in a ticket (workflow.js) and Settings → 售后规则 (aftersales-settings.js), in
// zh-CN, zh-TW and en. ta() follows the console's chosen language like t().
import { lang } from './i18n.js';

const S = {
	'zh-CN': {
		title: '售后规则', site: '站点', save: '保存', saved: '已保存', err: '保存失败',
		returnDays: '签收后可退货天数（7 天无理由）', exchangeDays: '签收后可换货天数', warrantyMonths: '保修期（月，自下单日起）',
		excludeOpened: '已拆封商品不可退货', excludeFinalSale: '清仓商品不退不换',
		noReturn: '不可退货的品类（每行一个）', finalSale: '清仓商品 SKU（每行一个）',
		points: '维修网点', pId: '编号', pName: '名称', pAddress: '地址', pPhone: '电话', add: '添加网点', remove: '删除',
		wf: '售后流程', current: '当前步骤', next: '下一步', reason: '原因', reasonNeeded: '请填写原因', refuseAsk: '拒绝原因',
		outcomeAsk: '处理结果', confirm: '确定', cancel: '取消', finished: '流程已结束', order: '订单', items: '商品',
		kind: '类型', 'kind.return': '退货', 'kind.exchange': '换货', serial: '序列号', fault: '故障', point: '维修网点',
		warranty: '保修', inWarranty: '在保修期内', outWarranty: '已过保修期', moved: '已更新为：{s}', history: '记录',
		'st.requested': '已提交申请', 'st.approved': '已同意', 'st.refused': '已拒绝', 'st.goods_received': '已收到退货',
		'st.refunded': '已退款', 'st.exchanged': '已换货', 'st.received': '已受理', 'st.diagnosing': '检测中',
		'st.repairing': '维修中', 'st.shipped_back': '已寄回', 'st.open': '处理中', 'st.resolved': '已解决',
		'go.approved': '同意', 'go.refused': '拒绝', 'go.goods_received': '确认收货', 'go.refunded': '退款',
		'go.exchanged': '换货完成', 'go.diagnosing': '开始检测', 'go.repairing': '开始维修', 'go.shipped_back': '已寄回',
		'go.resolved': '标记解决',
	},
	'zh-TW': {
		title: '售後規則', site: '網站', save: '儲存', saved: '已儲存', err: '儲存失敗',
		returnDays: '簽收後可退貨天數（7 天鑑賞期）', exchangeDays: '簽收後可換貨天數', warrantyMonths: '保固期（月，自下單日起）',
		excludeOpened: '已拆封商品不可退貨', excludeFinalSale: '清倉商品不退不換',
		noReturn: '不可退貨的品類（每行一個）', finalSale: '清倉商品 SKU（每行一個）',
		points: '維修據點', pId: '編號', pName: '名稱', pAddress: '地址', pPhone: '電話', add: '新增據點', remove: '刪除',
		wf: '售後流程', current: '目前步驟', next: '下一步', reason: '原因', reasonNeeded: '請填寫原因', refuseAsk: '拒絕原因',
		outcomeAsk: '處理結果', confirm: '確定', cancel: '取消', finished: '流程已結束', order: '訂單', items: '商品',
		kind: '類型', 'kind.return': '退貨', 'kind.exchange': '換貨', serial: '序號', fault: '故障', point: '維修據點',
		warranty: '保固', inWarranty: '在保固期內', outWarranty: '已過保固期', moved: '已更新為：{s}', history: '紀錄',
		'st.requested': '已提交申請', 'st.approved': '已同意', 'st.refused': '已拒絕', 'st.goods_received': '已收到退貨',
		'st.refunded': '已退款', 'st.exchanged': '已換貨', 'st.received': '已受理', 'st.diagnosing': '檢測中',
		'st.repairing': '維修中', 'st.shipped_back': '已寄回', 'st.open': '處理中', 'st.resolved': '已解決',
		'go.approved': '同意', 'go.refused': '拒絕', 'go.goods_received': '確認收貨', 'go.refunded': '退款',
		'go.exchanged': '換貨完成', 'go.diagnosing': '開始檢測', 'go.repairing': '開始維修', 'go.shipped_back': '已寄回',
		'go.resolved': '標記解決',
	},
	en: {
		title: 'After-sales rules', site: 'Site', save: 'Save', saved: 'Saved', err: 'Could not save',
		returnDays: 'Days after delivery to return', exchangeDays: 'Days after delivery to exchange', warrantyMonths: 'Warranty (months from the order date)',
		excludeOpened: 'Opened items cannot be returned', excludeFinalSale: 'Final-sale items: no returns or exchanges',
		noReturn: 'Categories that cannot be returned (one a line)', finalSale: 'Final-sale SKUs (one a line)',
		points: 'Service points', pId: 'Id', pName: 'Name', pAddress: 'Address', pPhone: 'Phone', add: 'Add a service point', remove: 'Remove',
		wf: 'After-sales', current: 'Current step', next: 'Next', reason: 'Reason', reasonNeeded: 'Enter a reason', refuseAsk: 'Why refuse?',
		outcomeAsk: 'Outcome', confirm: 'OK', cancel: 'Cancel', finished: 'Finished', order: 'Order', items: 'Items',
		kind: 'Kind', 'kind.return': 'Return', 'kind.exchange': 'Exchange', serial: 'Serial number', fault: 'Fault', point: 'Service point',
		warranty: 'Warranty', inWarranty: 'Under warranty', outWarranty: 'Out of warranty', moved: 'Now: {s}', history: 'History',
		'st.requested': 'Requested', 'st.approved': 'Approved', 'st.refused': 'Refused', 'st.goods_received': 'Goods received',
		'st.refunded': 'Refunded', 'st.exchanged': 'Exchanged', 'st.received': 'Received', 'st.diagnosing': 'Diagnosing',
		'st.repairing': 'Repairing', 'st.shipped_back': 'Shipped back', 'st.open': 'Open', 'st.resolved': 'Resolved',
		'go.approved': 'Approve', 'go.refused': 'Refuse', 'go.goods_received': 'Goods received', 'go.refunded': 'Refund',
		'go.exchanged': 'Exchange done', 'go.diagnosing': 'Start diagnosis', 'go.repairing': 'Start repair', 'go.shipped_back': 'Shipped back',
		'go.resolved': 'Resolve',
	},
};
export const ta = (k, vars) => {
	let s = (S[lang.value] || S['zh-CN'])[k] ?? S.en[k] ?? k;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, v) => (vars[v] != null ? String(vars[v]) : m));
	return s;
};
