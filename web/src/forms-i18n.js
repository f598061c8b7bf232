// forms-i18n.js - strings for Settings → Online forms (forms.js), in zh-CN, zh-TW and en. tfm()
// follows the console's chosen language like t(); {name} placeholders are filled from vars.
import { lang } from './i18n.js';

const S = {
	'zh-CN': {
		title: '在线表单', help: '访客填写的表单会成为工单（类型和部门由表单决定）。可以打开表单页面、嵌入到网站，或在聊天窗口的“留言/表单”中使用。',
		site: '网站', new: '新建表单', edit: '编辑', del: '删除', delConfirm: '删除表单“{name}”？已产生的工单不受影响。', name: '表单名称',
		type: '工单类型', 'type.question': '咨询', 'type.complaint': '投诉', 'type.return': '退换货', 'type.repair': '维修', 'type.other': '其他',
		dept: '部门', noDept: '不指定', heading: '页面标题（留空则用名称）', intro: '说明文字', success: '提交成功后显示', active: '启用',
		fields: '字段', addField: '添加字段', key: '字段名（a-z 0-9 _）', label: '标签', ftype: '类型', required: '必填', options: '选项（每行一个）',
		maxLength: '最大长度', up: '上移', down: '下移', remove: '移除',
		'ft.text': '单行文本', 'ft.textarea': '多行文本', 'ft.email': '邮箱', 'ft.phone': '电话', 'ft.select': '下拉选择', 'ft.order_number': '订单号', 'ft.file': '文件（图片 / PDF）',
		save: '保存', cancel: '取消', err: '保存失败', loadErr: '加载失败', none: '还没有表单', inactive: '已停用',
		activate: '启用', deactivate: '停用', preview: '预览', embed: '嵌入代码', copy: '复制', copied: '已复制', used: '工单 / 拦截',
		embedHelp: '把这段代码放到网站页面里即可显示表单：',
	},
	'zh-TW': {
		title: '線上表單', help: '訪客填寫的表單會成為工單（類型和部門由表單決定）。可以開啟表單頁面、嵌入到網站，或在聊天視窗的「留言/表單」中使用。',
		site: '網站', new: '新增表單', edit: '編輯', del: '刪除', delConfirm: '刪除表單「{name}」？已產生的工單不受影響。', name: '表單名稱',
		type: '工單類型', 'type.question': '諮詢', 'type.complaint': '投訴', 'type.return': '退換貨', 'type.repair': '維修', 'type.other': '其他',
		dept: '部門', noDept: '不指定', heading: '頁面標題（留空則用名稱）', intro: '說明文字', success: '送出成功後顯示', active: '啟用',
		fields: '欄位', addField: '新增欄位', key: '欄位名（a-z 0-9 _）', label: '標籤', ftype: '類型', required: '必填', options: '選項（每行一個）',
		maxLength: '最大長度', up: '上移', down: '下移', remove: '移除',
		'ft.text': '單行文字', 'ft.textarea': '多行文字', 'ft.email': '電郵', 'ft.phone': '電話', 'ft.select': '下拉選單', 'ft.order_number': '訂單編號', 'ft.file': '檔案（圖片 / PDF）',
		save: '儲存', cancel: '取消', err: '儲存失敗', loadErr: '載入失敗', none: '還沒有表單', inactive: '已停用',
		activate: '啟用', deactivate: '停用', preview: '預覽', embed: '嵌入程式碼', copy: '複製', copied: '已複製', used: '工單 / 攔截',
		embedHelp: '把這段程式碼放到網站頁面裡即可顯示表單：',
	},
	en: {
		title: 'Online forms', help: 'A visitor\'s filled-in form becomes a ticket (of the form\'s type, for its department). Open the form\'s page, embed it in your site, or use it from the widget\'s "Message / forms" entry.',
		site: 'Site', new: 'New form', edit: 'Edit', del: 'Delete', delConfirm: 'Delete the form "{name}"? Tickets it brought in stay.', name: 'Form name',
		type: 'Ticket type', 'type.question': 'Question', 'type.complaint': 'Complaint', 'type.return': 'Return', 'type.repair': 'Repair', 'type.other': 'Other',
		dept: 'Department', noDept: 'None', heading: 'Page heading (empty: the name)', intro: 'Introduction', success: 'Shown after sending', active: 'Active',
		fields: 'Fields', addField: 'Add a field', key: 'Key (a-z 0-9 _)', label: 'Label', ftype: 'Type', required: 'Required', options: 'Options (one per line)',
		maxLength: 'Max length', up: 'Up', down: 'Down', remove: 'Remove',
		'ft.text': 'Text', 'ft.textarea': 'Long text', 'ft.email': 'E-mail', 'ft.phone': 'Phone', 'ft.select': 'Choice', 'ft.order_number': 'Order number', 'ft.file': 'File (image / PDF)',
		save: 'Save', cancel: 'Cancel', err: 'Could not save', loadErr: 'Could not load', none: 'No forms yet', inactive: 'Inactive',
		activate: 'Activate', deactivate: 'Deactivate', preview: 'Preview', embed: 'Embed code', copy: 'Copy', copied: 'Copied', used: 'Tickets / spam',
		embedHelp: 'Put this code in a page of your site to show the form:',
	},
};

export const TICKET_TYPES = ['question', 'complaint', 'return', 'repair', 'other'];
export const FIELD_TYPES = ['text', 'textarea', 'email', 'phone', 'select', 'order_number', 'file'];

export const tfm = (k, vars) => {
	let s = (S[lang.value] || S.en)[k] || S.en[k] || k;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, v) => (vars[v] != null ? String(vars[v]) : m));
	return s;
};
