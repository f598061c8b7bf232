// i18n.js - console strings in zh-CN, zh-TW and en, and the chosen language.
import { signal, effect } from '@preact/signals';

export const LANGS = [
	['zh-CN', '简体中文'],
	['zh-TW', '繁體中文'],
	['en', 'English'],
];

const STORAGE_KEY = 'kefu.lang';

const strings = {
	'zh-CN': {
		product: '客服 Kefu',
		language: '语言',
		loading: '加载中…',
		signInTitle: '登录客服控制台',
		email: '电子邮箱',
		password: '密码',
		signIn: '登录',
		signingIn: '正在登录…',
		signOut: '退出登录',
		errInvalid: '电子邮箱或密码错误',
		errMissing: '请输入电子邮箱和密码',
		errRateLimited: '尝试次数过多，请稍后再试',
		errNetwork: '无法连接服务器，请稍后再试',
		errGeneric: '出错了，请稍后再试',
		menu: '菜单',
		'nav.inbox': '收件箱',
		'nav.visitors': '访客',
		'nav.customers': '客户',
		'nav.reports': '报表',
		'nav.kb': '知识库',
		'nav.settings': '设置',
		'nav.users': '用户',
		'nav.apikeys': 'API 密钥',
		comingSoon: '即将推出',
		comingSoonText: '此功能正在开发中，敬请期待。',
		'role.admin': '管理员',
		'role.supervisor': '主管',
		'role.agent': '客服',
		'col.name': '姓名',
		'col.email': '电子邮箱',
		'col.role': '角色',
		'col.status': '状态',
		'col.created': '创建时间',
		'col.prefix': '前缀',
		'col.scopes': '权限范围',
		'col.revoked': '撤销时间',
		active: '正常',
		disabled: '已停用',
		revoked: '已撤销',
		none: '暂无数据',
	},
	'zh-TW': {
		product: '客服 Kefu',
		language: '語言',
		loading: '載入中…',
		signInTitle: '登入客服主控台',
		email: '電子郵件',
		password: '密碼',
		signIn: '登入',
		signingIn: '正在登入…',
		signOut: '登出',
		errInvalid: '電子郵件或密碼錯誤',
		errMissing: '請輸入電子郵件和密碼',
		errRateLimited: '嘗試次數過多，請稍後再試',
		errNetwork: '無法連線至伺服器，請稍後再試',
		errGeneric: '發生錯誤，請稍後再試',
		menu: '選單',
		'nav.inbox': '收件匣',
		'nav.visitors': '訪客',
		'nav.customers': '客戶',
		'nav.reports': '報表',
		'nav.kb': '知識庫',
		'nav.settings': '設定',
		'nav.users': '使用者',
		'nav.apikeys': 'API 金鑰',
		comingSoon: '即將推出',
		comingSoonText: '此功能正在開發中，敬請期待。',
		'role.admin': '管理員',
		'role.supervisor': '主管',
		'role.agent': '客服人員',
		'col.name': '姓名',
		'col.email': '電子郵件',
		'col.role': '角色',
		'col.status': '狀態',
		'col.created': '建立時間',
		'col.prefix': '前綴',
		'col.scopes': '權限範圍',
		'col.revoked': '撤銷時間',
		active: '正常',
		disabled: '已停用',
		revoked: '已撤銷',
		none: '尚無資料',
	},
	en: {
		product: '客服 Kefu',
		language: 'Language',
		loading: 'Loading…',
		signInTitle: 'Sign in to the Kefu console',
		email: 'E-mail',
		password: 'Password',
		signIn: 'Sign in',
		signingIn: 'Signing in…',
		signOut: 'Sign out',
		errInvalid: 'Invalid e-mail or password',
		errMissing: 'Enter your e-mail and password',
		errRateLimited: 'Too many attempts, please try again later',
		errNetwork: 'Cannot reach the server, please try again later',
		errGeneric: 'Something went wrong, please try again later',
		menu: 'Menu',
		'nav.inbox': 'Inbox',
		'nav.visitors': 'Visitors',
		'nav.customers': 'Customers',
		'nav.reports': 'Reports',
		'nav.kb': 'Knowledge base',
		'nav.settings': 'Settings',
		'nav.users': 'Users',
		'nav.apikeys': 'API keys',
		comingSoon: 'Coming soon',
		comingSoonText: 'This section is under construction.',
		'role.admin': 'Admin',
		'role.supervisor': 'Supervisor',
		'role.agent': 'Agent',
		'col.name': 'Name',
		'col.email': 'E-mail',
		'col.role': 'Role',
		'col.status': 'Status',
		'col.created': 'Created',
		'col.prefix': 'Prefix',
		'col.scopes': 'Scopes',
		'col.revoked': 'Revoked',
		active: 'Active',
		disabled: 'Disabled',
		revoked: 'Revoked',
		none: 'Nothing here yet',
	},
};

function isLang(l) {
	return l === 'zh-CN' || l === 'zh-TW' || l === 'en';
}

/* Maps one BCP 47 tag to a supported language, or null when it is none of them. */
export function mapLang(tag) {
	const t = String(tag || '').toLowerCase();
	if (t === 'zh' || t.startsWith('zh-')) {
		if (/^zh-(tw|hk|mo)\b/.test(t) || t.startsWith('zh-hant')) return 'zh-TW';
		return 'zh-CN';
	}
	if (t === 'en' || t.startsWith('en-')) return 'en';
	return null;
}

/* The first of navigator.languages we support; en when none is. */
export function detectLang(list) {
	for (const tag of list || []) {
		const l = mapLang(tag);
		if (l) return l;
	}
	return 'en';
}

function stored() {
	try {
		const v = localStorage.getItem(STORAGE_KEY);
		return isLang(v) ? v : null;
	} catch (e) {
		return null;
	}
}

const nav = typeof navigator !== 'undefined' ? navigator : {};
export const lang = signal(stored() || detectLang(nav.languages || (nav.language ? [nav.language] : [])));

export function setLang(l) {
	if (!isLang(l)) return;
	lang.value = l;
	try {
		localStorage.setItem(STORAGE_KEY, l);
	} catch (e) {
		/* private mode: keep it for this page only */
	}
}

/* Translates key in the current language (reading lang.value subscribes the caller). */
export function t(key) {
	const table = strings[lang.value] || strings.en;
	return table[key] != null ? table[key] : strings.en[key] != null ? strings.en[key] : key;
}

if (typeof document !== 'undefined') {
	effect(() => {
		document.documentElement.lang = lang.value;
		document.title = t('product');
	});
}
