// tests/search/corpus.mjs - the labelled evaluation set for the knowledge base's search: a
// generated shop FAQ (zh-CN, zh-TW, en; returns, refunds, invoices, logistics, payment,
// account, warranty, coupons, membership, …) and queries whose right answer is known.
//
// Articles: BASE topics in every language, plus PER_PRODUCT topics for each product, so that
// "iPhone 退货" has one right article among many return articles. zh-TW text is made from
// the zh-CN text with a small Simplified -> Traditional table (TW) of the characters used here;
// the search folds it back, which is what the zh-TW queries test.
// Queries (labelled with their language and the right article's slug) cover: two-character
// queries, Traditional <-> Simplified, mixed `iPhone 退货`, English typos and other word forms,
// paraphrases that share only some words with the question.

// ---- Simplified -> Traditional for the characters of this file ----
const TW = Object.fromEntries([...(
	'货貨 发發 开開 么麼 时時 间間 运運 费費 单單 寄寄 递遞 里裏 买買 卖賣 换換 钱錢 款款 账賬 号號 码碼 ' +
	'户戶 员員 积積 优優 惠惠 券券 红紅 礼禮 会會 务務 质質 问問 题題 这這 样樣 为為 还還 没沒 过過 ' +
	'进進 边邊 们們 点點 从從 办辦 现現 图圖 给給 让讓 说說 请請 认認 记記 设設 证證 订訂 详詳 ' +
	'确確 满滿 减減 项項 须須 后後 关關 闭閉 线線 联聯 络絡 系係 应應 该該 录錄 登登 长長 ' +
	'张張 纸紙 电電 脑腦 机機 耳耳 鞋鞋 杯杯 装裝 连連 衣衣 裙裙 车車 户戶 条條 个個 两兩 ' +
	'实實 际際 额額 扣扣 币幣 银銀 绑綁 定定 修修 维維 损損 坏壞 检檢 测測 报報 价價 格格 ' +
	'险險 赔賠 签簽 收收 丢丟 失失 齐齊 错錯 漏漏 补補 拆拆 封封 试試 内內 头頭 无無 理理 ' +
	'由由 规規 则則 审審 核核 处處 预預 约約 达達 送送 区區 县縣 城城 乡鄉 门門 仓倉 库庫 ' +
	'压壓 块塊 标標 准準 签簽 赠贈 级級 权權 益益 专專 属屬 享享 节節 庆慶 活活 动動 参參 ' +
	'与與 规規 则則 将將 启啟 显顯 示示 页頁 面面 选選 择擇 输輸 入入 邮郵 箱箱 验驗 们們 ' +
	'软軟 件件 网網 络絡 虚虛 拟擬 产產 品品 类類 别別 颜顏 色色 尺尺 码碼 问問 题題 吗嗎 ' +
	'觉覺 得得 凭憑 据據 税稅 务務 抬擡 称稱 纳納 识識 别別 专專 票票 普普 通通 增增 值值 ' +
	'邮郵 政政 顺順 丰豐 圆圓 韵韻 达達 极極 兔兔 东東 京京 闪閃 购購 物物 车車 结結 算算 ' +
	'储儲 蓄蓄 卡卡 信信 用用 分分 期期 宝寶 微微 支支 付付 扫掃 码碼 绑綁 冻凍 解解 锁鎖 ' +
	'帐帳 注註 册冊 销銷 删刪 除除 资資 料料 隐隱 私私 头頭 像像 昵暱 称稱 绑綁 手手 换換 ' +
	'热熱 线線 转轉 人人 工工 时時 营營 业業 节節 假假 团團 拼拼 抢搶 秒秒 杀殺 预預 售售 ' +
	'尾尾 库庫 存存 缺缺 补補 到到 通通 知知 贴貼 纸紙 盒盒 胶膠 带帶 泡泡 沫沫 环環 保保 ' +
	'护護 膜膜 壳殼 充充 线線 续續 费費 延延 长長 够夠 迟遲 缓緩 慢慢 丢丟 件件 损損 坏壞'
).split(' ').filter(Boolean)].map((p) => [...p]).filter((p) => p.length === 2));
export const toTW = (s) => [...s].map((c) => TW[c] || c).join('');

// ---- topics in every language: [slug, tags, zh question, zh alternatives, zh answer,
//      en question, en alternatives, en answer] ----
const BASE = [
	['return-policy', 'returns 退货', '退货政策是什么？', '七天无理由退货\n可以退货吗', '签收后七天内，商品完好可申请无理由退货。',
		'What is your return policy?', 'Can I return an item\nreturns within 7 days', 'Unused items can be returned within 7 days of delivery.'],
	['refund-time', 'refund 退款', '退款多久到账？', '退款什么时候到\n钱什么时候退回来', '退款审核通过后 1-3 个工作日原路退回。',
		'How long does a refund take?', 'when will I get my money back\nrefund not received', 'Refunds reach the original payment method 1-3 business days after approval.'],
	['return-shipping-fee', 'returns 运费', '退货运费谁承担？', '退货要自己出运费吗', '质量问题由我们承担运费，无理由退货由买家承担。',
		'Who pays for return shipping?', 'return postage cost', 'We pay return postage for faulty items; otherwise the buyer pays it.'],
	['exchange', 'exchange 换货', '如何换货？', '换尺码\n换颜色', '在订单详情申请换货，选择新的尺码或颜色。',
		'How do I exchange an item?', 'change size\nswap colour', 'Request an exchange from the order page and pick the new size or colour.'],
	['invoice-how', 'invoice 发票', '怎么开发票？', '开具发票\n需要发票', '下单时选择“开具发票”，或在订单页补开电子发票。',
		'How do I get an invoice?', 'request a receipt\nVAT invoice', 'Choose "invoice" at checkout, or request an e-invoice from the order page later.'],
	['invoice-vat', 'invoice 发票 专票', '可以开增值税专用发票吗？', '专票怎么开\n公司抬头发票', '企业用户填写纳税人识别号后可开增值税专用发票。',
		'Can I get a company VAT invoice?', 'business invoice with tax number', 'Businesses can get a VAT invoice after entering their tax ID.'],
	['invoice-change', 'invoice 发票', '发票抬头写错了怎么办？', '修改发票抬头\n发票信息错误', '开票后 30 天内可在订单页申请重开发票。',
		'The name on my invoice is wrong', 'change invoice details', 'Within 30 days you can ask for the invoice to be reissued from the order page.'],
	['ship-time', 'shipping 发货', '什么时候发货？', '多久发货\n下单后几天发', '现货订单 48 小时内发货，预售商品按页面时间发货。',
		'When will my order ship?', 'dispatch time\nhow soon do you send', 'In-stock orders ship within 48 hours; pre-orders ship on the date shown.'],
	['tracking', 'logistics 物流', '怎么查物流？', '快递到哪了\n查快递单号', '在“我的订单”点“查看物流”即可看到快递进度。',
		'How do I track my package?', 'where is my parcel\ntracking number', 'Open "My orders" and choose "Track package" to follow the delivery.'],
	['delivery-delay', 'logistics 物流 延迟', '快递很久没到怎么办？', '物流不动了\n快递延迟', '超过 7 天未更新请联系客服，我们会向快递公司核实。',
		'My delivery is late', 'package delayed\nparcel not moving', 'If tracking has not moved for 7 days, contact us and we will chase the carrier.'],
	['lost-parcel', 'logistics 丢件', '快递丢了怎么办？', '包裹丢失\n显示签收但没收到', '确认丢件后我们会补发或全额退款。',
		'My parcel was lost', 'marked delivered but not received', 'Once the carrier confirms the loss we resend the order or refund it in full.'],
	['shipping-fee', 'shipping 运费 包邮', '运费怎么算？', '包邮吗\n满多少包邮', '订单满 99 元包邮，不满收 8 元运费。',
		'How much is shipping?', 'free shipping threshold\ndelivery charge', 'Shipping is free over 99 yuan; otherwise it costs 8 yuan.'],
	['shipping-address', 'address 地址', '下单后可以改地址吗？', '修改收货地址\n地址填错了', '发货前可在订单详情修改收货地址，发货后请联系客服。',
		'Can I change my delivery address?', 'wrong shipping address\nupdate address', 'Before dispatch you can edit the address on the order; after that, contact us.'],
	['international', 'shipping 海外', '可以寄到海外吗？', '国际快递\n寄到香港台湾', '支持寄往港澳台及部分国家，运费在结算页显示。',
		'Do you ship internationally?', 'overseas delivery\nship abroad', 'We ship to Hong Kong, Macau, Taiwan and some countries; the fee shows at checkout.'],
	['payment-methods', 'payment 支付', '支持哪些支付方式？', '可以用支付宝吗\n微信支付', '支持支付宝、微信支付、银行卡和信用卡分期。',
		'Which payment methods do you accept?', 'pay with credit card\nAlipay WeChat Pay', 'We accept Alipay, WeChat Pay, bank cards and credit-card instalments.'],
	['payment-failed', 'payment 支付失败', '支付失败怎么办？', '付不了款\n付款不成功', '请检查银行卡余额和限额，或换一种支付方式重试。',
		'My payment failed', 'card declined\ncannot pay', 'Check your card balance and limits, or try another payment method.'],
	['installments', 'payment 分期', '可以分期付款吗？', '信用卡分期\n花呗分期', '满 600 元可选信用卡或花呗 3/6/12 期分期。',
		'Can I pay in installments?', 'monthly payments\nsplit payment', 'Orders over 600 yuan can be paid in 3, 6 or 12 monthly instalments.'],
	['double-charge', 'payment 扣款', '被重复扣款了怎么办？', '扣了两次钱\n重复支付', '重复支付的款项会在 3 个工作日内自动退回。',
		'I was charged twice', 'double charged\nduplicate payment', 'Duplicate payments are refunded automatically within 3 business days.'],
	['price-protection', 'price 价保', '买完降价了能退差价吗？', '价格保护\n降价补差', '签收后 7 天内降价可申请价保，退还差价。',
		'The price dropped after I bought it', 'price protection\nrefund the difference', 'If the price drops within 7 days of delivery we refund the difference.'],
	['register', 'account 注册', '怎么注册账号？', '注册会员\n创建账户', '用手机号获取验证码即可注册。',
		'How do I create an account?', 'sign up\nregister', 'Sign up with your phone number and the code we text you.'],
	['password-reset', 'account 密码', '忘记密码怎么办？', '重置密码\n找回密码', '在登录页点“忘记密码”，通过手机验证码重置。',
		'I forgot my password', 'reset password\ncannot log in', 'Use "Forgot password" on the sign-in page and reset it with a text code.'],
	['change-phone', 'account 手机号', '怎么换绑手机号？', '更换手机号码\n手机号不用了', '在账户设置里验证旧手机号后绑定新号码。',
		'How do I change my phone number?', 'update mobile number', 'In account settings, verify the old number and then add the new one.'],
	['delete-account', 'account 注销', '怎么注销账号？', '删除账户\n注销会员', '在账户设置申请注销，15 天后账户和资料将被删除。',
		'How do I delete my account?', 'close my account\nremove my data', 'Request deletion in account settings; the account and data go after 15 days.'],
	['privacy', 'account 隐私', '你们怎么保护我的隐私？', '个人信息安全\n隐私政策', '我们只在履约需要时使用您的个人信息，详见隐私政策。',
		'How do you protect my privacy?', 'personal data\nprivacy policy', 'We use personal data only to fulfil orders; see the privacy policy.'],
	['coupon-use', 'coupon 优惠券', '优惠券怎么用？', '使用优惠券\n券怎么用不了', '在结算页选择可用优惠券，满足门槛后自动抵扣。',
		'How do I use a coupon?', 'apply a voucher\ndiscount code', 'Pick an eligible coupon at checkout; it applies once the order meets its minimum.'],
	['coupon-expired', 'coupon 优惠券 过期', '优惠券过期了还能用吗？', '券过期\n优惠券失效', '过期的优惠券无法使用，也不能延期。',
		'Can I use an expired coupon?', 'voucher expired', 'Expired coupons cannot be used or extended.'],
	['coupon-stack', 'coupon 优惠券 叠加', '优惠券可以叠加使用吗？', '多张券一起用\n满减和券同时用', '每单限用一张店铺券，可与平台满减同时使用。',
		'Can I combine coupons?', 'stack discounts\ntwo vouchers', 'One shop coupon per order; it combines with site-wide offers.'],
	['member-levels', 'membership 会员', '会员等级有什么权益？', '会员特权\n会员等级', '银卡 95 折，金卡 9 折并包邮，钻石卡专属客服。',
		'What are the membership levels?', 'member benefits\ntiers', 'Silver gets 5% off, Gold 10% off with free shipping, Diamond a personal agent.'],
	['points', 'membership 积分', '积分怎么用？', '积分抵现\n积分兑换', '100 积分抵 1 元，可在结算时使用。',
		'How do I use my points?', 'redeem points\nreward points', '100 points are worth 1 yuan and can be used at checkout.'],
	['points-expire', 'membership 积分 过期', '积分会过期吗？', '积分有效期\n积分清零', '积分有效期为获得后的下一个自然年年底。',
		'Do points expire?', 'points validity', 'Points expire at the end of the calendar year after you earn them.'],
	['birthday-gift', 'membership 生日', '会员生日有礼物吗？', '生日优惠\n生日券', '生日当月可领取一张 20 元生日券。',
		'Do members get a birthday gift?', 'birthday voucher', 'In your birthday month you can claim a 20 yuan voucher.'],
	['warranty-policy', 'warranty 保修', '保修期多久？', '质保多长时间\n保修政策', '电子产品整机保修一年，配件保修三个月。',
		'How long is the warranty?', 'guarantee period\nwarranty policy', 'Electronics have a one-year warranty; accessories three months.'],
	['warranty-claim', 'warranty 保修 维修', '怎么申请保修维修？', '坏了怎么修\n送修流程', '在订单详情申请售后维修，寄回后 7 个工作日内修好寄回。',
		'How do I make a warranty claim?', 'repair request\nitem broke', 'Request a repair from the order page; we fix and return it within 7 business days.'],
	['damaged', 'returns 破损', '收到的商品破损了怎么办？', '东西坏了\n包装破损', '请在 48 小时内拍照联系客服，我们补发或退款。',
		'My item arrived damaged', 'broken on arrival\ndamaged parcel', 'Send photos within 48 hours and we will replace or refund it.'],
	['wrong-item', 'returns 发错', '发错货了怎么办？', '收到的东西不对\n少发漏发', '拍照联系客服，我们承担运费为您换货或补发。',
		'I received the wrong item', 'missing item\nwrong product', 'Send a photo and we will swap it or send what is missing at our cost.'],
	['cancel-order', 'order 取消', '怎么取消订单？', '不想要了取消\n撤销订单', '未发货的订单可在订单详情直接取消，款项原路退回。',
		'How do I cancel my order?', 'cancel a purchase\nI changed my mind', 'Orders not yet shipped can be cancelled on the order page and are refunded.'],
	['modify-order', 'order 修改', '下单后可以修改订单吗？', '改订单\n加购商品', '未付款订单可修改；已付款请取消后重新下单。',
		'Can I change my order?', 'edit order\nadd an item', 'Unpaid orders can be edited; for paid ones cancel and order again.'],
	['stock', 'stock 缺货 到货', '缺货商品什么时候补货？', '到货通知\n没货了', '点击“到货通知”，补货后我们会短信提醒。',
		'When will an item be back in stock?', 'out of stock\nrestock alert', 'Tap "Notify me" and we will text you when it is back.'],
	['presale', 'order 预售', '预售商品怎么付尾款？', '定金和尾款\n预售规则', '付定金后在尾款开始时间内支付尾款，逾期定金不退。',
		'How do pre-orders work?', 'deposit and balance', 'Pay the deposit, then the balance in its window; a missed balance forfeits the deposit.'],
	['contact', 'service 客服', '怎么联系人工客服？', '转人工\n客服电话', '在线客服 9:00-21:00，或拨打 400 热线。',
		'How do I contact customer service?', 'talk to a human agent\nphone number', 'Chat with us 9:00-21:00, or call our hotline.'],
	['store-hours', 'service 营业时间', '客服工作时间是几点？', '几点上班\n节假日有客服吗', '客服每天 9:00-21:00 在线，节假日照常。',
		'What are your opening hours?', 'customer service hours\nholiday hours', 'Agents are online 9:00-21:00 every day, holidays included.'],
	['gift-wrap', 'order 礼品', '可以礼品包装吗？', '送人包装\n贺卡', '结算时勾选礼品包装，另付 5 元，可附贺卡。',
		'Do you offer gift wrapping?', 'gift card message', 'Tick gift wrapping at checkout for 5 yuan; a card can be added.'],
];

// ---- per product: [slug, tags, zh question, zh answer, en question, en answer] with {p} ----
const PRODUCTS = [
	['iphone', 'iPhone', 'iPhone'], ['earbuds', '蓝牙耳机', 'earbuds'], ['laptop', '笔记本电脑', 'laptop'],
	['thermos', '保温杯', 'thermos'], ['dress', '连衣裙', 'dress'], ['sneakers', '运动鞋', 'sneakers'],
	['coffee', '咖啡机', 'coffee machine'], ['stroller', '婴儿车', 'stroller'],
];
const PER_PRODUCT = [
	['return', '退货', '{p}可以退货吗？', '{p}签收七天内未拆封可退货，拆封后仅质量问题可退。', 'Can I return the {p}?', 'The {p} can be returned unopened within 7 days; opened only if faulty.'],
	['warranty', '保修', '{p}保修多久？', '{p}享受一年官方保修，人为损坏不在保修范围。', 'How long is the {p} warranty?', 'The {p} has a one-year warranty; accidental damage is not covered.'],
	['size', '尺码 规格', '{p}怎么选尺码规格？', '{p}请参考详情页的尺码规格表选择。', 'Which {p} size should I choose?', 'Use the size chart on the {p} page.'],
	['stock', '到货', '{p}什么时候到货？', '{p}预计两周内补货，可订阅到货通知。', 'When is the {p} back in stock?', 'The {p} is expected back within two weeks; subscribe to alerts.'],
	['clean', '保养 清洗', '{p}怎么清洗保养？', '{p}请用软布擦拭，避免浸水和暴晒。', 'How do I clean the {p}?', 'Wipe the {p} with a soft cloth; keep it out of water and sun.'],
	['gift', '赠品', '买{p}送什么赠品？', '购买{p}赠送专属收纳袋一个。', 'What free gift comes with the {p}?', 'Every {p} comes with a free storage pouch.'],
	['fake', '正品 保真', '{p}是正品吗？', '{p}为品牌官方授权正品，假一赔十。', 'Is the {p} genuine?', 'The {p} is an authorised genuine product; fakes are refunded tenfold.'],
	['install', '安装 使用', '{p}怎么安装使用？', '{p}使用说明见包装内说明书，也可观看视频教程。', 'How do I set up the {p}?', 'See the manual in the {p} box or watch the video guide.'],
];

function art(lang, slug, question, alt, answer, tags) {
	return { lang, slug, question, alt_questions: alt, answer_md: answer, tags: tags.split(' ').filter(Boolean), visibility: 'public', status: 'published' };
}

export function articles() {
	const out = [];
	for (const [slug, tags, zq, za, zans, eq, ea, eans] of BASE) {
		out.push(art('zh-CN', slug, zq, za, zans, tags));
		out.push(art('zh-TW', slug, toTW(zq), toTW(za), toTW(zans), toTW(tags)));
		out.push(art('en', slug, eq, ea, eans, tags.replace(/[^\x00-\x7f]+/g, '')));
	}
	for (const [pslug, pzh, pen] of PRODUCTS) {
		for (const [slug, tags, zq, zans, eq, eans] of PER_PRODUCT) {
			const s = `${pslug}-${slug}`, z = (t) => t.replaceAll('{p}', pzh), e = (t) => t.replaceAll('{p}', pen);
			out.push(art('zh-CN', s, z(zq), '', z(zans), tags));
			out.push(art('zh-TW', s, toTW(z(zq)), '', toTW(z(zans)), toTW(tags)));
			out.push(art('en', s, e(eq), '', e(eans), ''));
		}
	}
	// two non-public articles: what the agents' search must find and the public one must not
	out.push({ ...art('zh-CN', 'internal-refund-approval', '内部：大额退款审批流程', '', '超过 2000 元的退款需主管审批。', '退款'), visibility: 'internal' });
	out.push({ ...art('zh-CN', 'members-vip-line', '钻石会员专属热线是多少？', '', '钻石会员请拨打专属热线。', '会员'), visibility: 'members' });
	return out;
}

// ---- queries: [lang, query, slug, kind] ----
const Q = [
	// two-character queries
	['zh-CN', '退货', 'return-policy', 'two-char'], ['zh-CN', '退款', 'refund-time', 'two-char'],
	['zh-CN', '发票', 'invoice-how', 'two-char'], ['zh-CN', '物流', 'tracking', 'two-char'],
	['zh-CN', '换货', 'exchange', 'two-char'], ['zh-CN', '专票', 'invoice-vat', 'two-char'],
	['zh-CN', '注册', 'register', 'two-char'], ['zh-CN', '密码', 'password-reset', 'two-char'],
	['zh-CN', '注销', 'delete-account', 'two-char'], ['zh-CN', '隐私', 'privacy', 'two-char'],
	['zh-CN', '积分', 'points', 'two-char'], ['zh-CN', '分期', 'installments', 'two-char'],
	['zh-CN', '保修', 'warranty-policy', 'two-char'], ['zh-CN', '破损', 'damaged', 'two-char'],
	['zh-CN', '运费', 'shipping-fee', 'two-char'], ['zh-CN', '包邮', 'shipping-fee', 'two-char'],
	['zh-CN', '预售', 'presale', 'two-char'], ['zh-CN', '尾款', 'presale', 'two-char'],
	['zh-CN', '价保', 'price-protection', 'two-char'], ['zh-CN', '海外', 'international', 'two-char'],
	['zh-CN', '丢件', 'lost-parcel', 'two-char'], ['zh-CN', '人工', 'contact', 'two-char'],
	['zh-CN', '生日', 'birthday-gift', 'two-char'], ['zh-CN', '叠加', 'coupon-stack', 'two-char'],
	['zh-CN', '包装', 'gift-wrap', 'two-char'], ['zh-CN', '地址', 'shipping-address', 'two-char'],
	// Traditional queries against zh-TW, and across
	['zh-TW', '退貨', 'return-policy', 'trad'], ['zh-TW', '發票', 'invoice-how', 'trad'],
	['zh-TW', '物流', 'tracking', 'trad'], ['zh-TW', '換貨', 'exchange', 'trad'],
	['zh-TW', '積分', 'points', 'trad'], ['zh-TW', '優惠券怎麼用', 'coupon-use', 'trad'],
	['zh-TW', '退款多久到賬', 'refund-time', 'trad'], ['zh-TW', '忘記密碼', 'password-reset', 'trad'],
	['zh-TW', '會員等級', 'member-levels', 'trad'], ['zh-TW', '保修期多久', 'warranty-policy', 'trad'],
	['zh-TW', '快遞丟了', 'lost-parcel', 'trad'], ['zh-TW', '取消訂單', 'cancel-order', 'trad'],
	['zh-TW', '怎麼聯繫客服', 'contact', 'trad'], ['zh-TW', '可以寄到海外嗎', 'international', 'trad'],
	['zh-TW', '運費怎麼算', 'shipping-fee', 'trad'], ['zh-TW', '支付失敗', 'payment-failed', 'trad'],
	['zh-TW', '退货运费', 'return-shipping-fee', 'simp-to-trad'], ['zh-TW', '发票抬头', 'invoice-change', 'simp-to-trad'],
	['zh-TW', '积分过期', 'points-expire', 'simp-to-trad'], ['zh-TW', '注销账号', 'delete-account', 'simp-to-trad'],
	['zh-TW', '重复扣款', 'double-charge', 'simp-to-trad'], ['zh-TW', '换绑手机', 'change-phone', 'simp-to-trad'],
	['zh-CN', '發票怎麼開', 'invoice-how', 'trad-to-simp'], ['zh-CN', '退貨政策', 'return-policy', 'trad-to-simp'],
	['zh-CN', '優惠券過期', 'coupon-expired', 'trad-to-simp'], ['zh-CN', '會員生日', 'birthday-gift', 'trad-to-simp'],
	['zh-CN', '預售尾款', 'presale', 'trad-to-simp'], ['zh-CN', '發錯貨', 'wrong-item', 'trad-to-simp'],
	// mixed Latin + Chinese, per product
	['zh-CN', 'iPhone 退货', 'iphone-return', 'mixed'], ['zh-CN', 'iphone保修', 'iphone-warranty', 'mixed'],
	['zh-CN', 'IPHONE 正品', 'iphone-fake', 'mixed'], ['zh-CN', 'iPhone 赠品', 'iphone-gift', 'mixed'],
	['zh-TW', 'iPhone 退貨', 'iphone-return', 'mixed'], ['zh-TW', 'iPhone 保修', 'iphone-warranty', 'mixed'],
	['zh-CN', '蓝牙耳机 保修', 'earbuds-warranty', 'product'], ['zh-CN', '耳机退货', 'earbuds-return', 'product'],
	['zh-CN', '笔记本电脑什么时候到货', 'laptop-stock', 'product'], ['zh-CN', '保温杯怎么清洗', 'thermos-clean', 'product'],
	['zh-CN', '连衣裙尺码', 'dress-size', 'product'], ['zh-CN', '运动鞋是正品吗', 'sneakers-fake', 'product'],
	['zh-CN', '咖啡机安装', 'coffee-install', 'product'], ['zh-CN', '婴儿车赠品', 'stroller-gift', 'product'],
	['zh-TW', '藍牙耳機保修', 'earbuds-warranty', 'product'], ['zh-TW', '保溫杯清洗', 'thermos-clean', 'product'],
	['zh-TW', '連衣裙尺碼', 'dress-size', 'product'], ['zh-TW', '咖啡機安裝', 'coffee-install', 'product'],
	['zh-CN', '笔记本电脑退货', 'laptop-return', 'product'], ['zh-CN', '运动鞋保养', 'sneakers-clean', 'product'],
	// Chinese paraphrases
	['zh-CN', '买的东西不想要了能退吗', 'return-policy', 'paraphrase'], ['zh-CN', '钱什么时候退给我', 'refund-time', 'paraphrase'],
	['zh-CN', '退回去的运费谁出', 'return-shipping-fee', 'paraphrase'], ['zh-CN', '衣服小了想换大一号', 'exchange', 'paraphrase'],
	['zh-CN', '公司报销要发票', 'invoice-how', 'paraphrase'], ['zh-CN', '发票开错了能重开吗', 'invoice-change', 'paraphrase'],
	['zh-CN', '下单以后多久能发出', 'ship-time', 'paraphrase'], ['zh-CN', '我的快递到哪里了', 'tracking', 'paraphrase'],
	['zh-CN', '物流好几天没更新', 'delivery-delay', 'paraphrase'], ['zh-CN', '显示签收了但我没收到', 'lost-parcel', 'paraphrase'],
	['zh-CN', '满多少钱包邮', 'shipping-fee', 'paraphrase'], ['zh-CN', '收货地址填错了', 'shipping-address', 'paraphrase'],
	['zh-CN', '能用微信付款吗', 'payment-methods', 'paraphrase'], ['zh-CN', '付款一直不成功', 'payment-failed', 'paraphrase'],
	['zh-CN', '钱被扣了两次', 'double-charge', 'paraphrase'], ['zh-CN', '刚买就降价了', 'price-protection', 'paraphrase'],
	['zh-CN', '怎么创建账户', 'register', 'paraphrase'], ['zh-CN', '登录不了密码忘了', 'password-reset', 'paraphrase'],
	['zh-CN', '手机号不用了怎么改', 'change-phone', 'paraphrase'], ['zh-CN', '我想删除我的账户', 'delete-account', 'paraphrase'],
	['zh-CN', '券用不了', 'coupon-use', 'paraphrase'], ['zh-CN', '两张优惠券能一起用吗', 'coupon-stack', 'paraphrase'],
	['zh-CN', '金卡会员有什么特权', 'member-levels', 'paraphrase'], ['zh-CN', '积分可以抵现吗', 'points', 'paraphrase'],
	['zh-CN', '积分年底会清零吗', 'points-expire', 'paraphrase'], ['zh-CN', '过生日有优惠吗', 'birthday-gift', 'paraphrase'],
	['zh-CN', '质保多长时间', 'warranty-policy', 'paraphrase'], ['zh-CN', '东西坏了怎么送修', 'warranty-claim', 'paraphrase'],
	['zh-CN', '收到的时候包装破了', 'damaged', 'paraphrase'], ['zh-CN', '收到的东西不对', 'wrong-item', 'paraphrase'],
	['zh-CN', '不想要了怎么撤销订单', 'cancel-order', 'paraphrase'], ['zh-CN', '付款后还能加购商品吗', 'modify-order', 'paraphrase'],
	['zh-CN', '没货了什么时候有', 'stock', 'paraphrase'], ['zh-CN', '定金和尾款怎么付', 'presale', 'paraphrase'],
	['zh-CN', '我要找真人客服', 'contact', 'paraphrase'], ['zh-CN', '节假日有客服吗', 'store-hours', 'paraphrase'],
	['zh-CN', '送人的话能包装一下吗', 'gift-wrap', 'paraphrase'], ['zh-CN', '能寄到香港吗', 'international', 'paraphrase'],
	['zh-TW', '東西壞了怎麼修', 'warranty-claim', 'paraphrase'], ['zh-TW', '收到的東西不對', 'wrong-item', 'paraphrase'],
	['zh-TW', '我的快遞到哪了', 'tracking', 'paraphrase'], ['zh-TW', '能用支付寶嗎', 'payment-methods', 'paraphrase'],
	['zh-TW', '生日有優惠嗎', 'birthday-gift', 'paraphrase'], ['zh-TW', '過期的券還能用嗎', 'coupon-expired', 'paraphrase'],
	// English: word forms, case
	['en', 'refunds', 'refund-time', 'en-forms'], ['en', 'REFUNDING', 'refund-time', 'en-forms'],
	['en', 'returned items', 'return-policy', 'en-forms'], ['en', 'exchanging', 'exchange', 'en-forms'],
	['en', 'invoices', 'invoice-how', 'en-forms'], ['en', 'shipped', 'ship-time', 'en-forms'],
	['en', 'tracking', 'tracking', 'en-forms'], ['en', 'cancelled order', 'cancel-order', 'en-forms'],
	['en', 'coupons', 'coupon-use', 'en-forms'], ['en', 'installment', 'installments', 'en-forms'],
	['en', 'warranties', 'warranty-policy', 'en-forms'], ['en', 'passwords', 'password-reset', 'en-forms'],
	['en', 'deleting account', 'delete-account', 'en-forms'], ['en', 'expired vouchers', 'coupon-expired', 'en-forms'],
	['en', 'Gift-Wrapping', 'gift-wrap', 'en-forms'], ['en', 'charged twice', 'double-charge', 'en-forms'],
	['en', 'points expiring', 'points-expire', 'en-forms'], ['en', 'damaged', 'damaged', 'en-forms'],
	// English typos
	['en', 'refnud', 'refund-time', 'en-typo'], ['en', 'invocie', 'invoice-how', 'en-typo'],
	['en', 'shiping', 'ship-time', 'en-typo'], ['en', 'pasword reset', 'password-reset', 'en-typo'],
	['en', 'cupon', 'coupon-use', 'en-typo'], ['en', 'warrenty', 'warranty-policy', 'en-typo'],
	['en', 'cancle order', 'cancel-order', 'en-typo'], ['en', 'instalments', 'installments', 'en-typo'],
	['en', 'trackng number', 'tracking', 'en-typo'], ['en', 'adress change', 'shipping-address', 'en-typo'],
	['en', 'birthdya voucher', 'birthday-gift', 'en-typo'], ['en', 'membreship levels', 'member-levels', 'en-typo'],
	// English paraphrases
	['en', 'how do I send something back', 'return-policy', 'en-paraphrase'], ['en', 'when do I get my money back', 'refund-time', 'en-paraphrase'],
	['en', 'who covers postage for returns', 'return-shipping-fee', 'en-paraphrase'], ['en', 'swap for a bigger size', 'exchange', 'en-paraphrase'],
	['en', 'I need a receipt for my company', 'invoice-vat', 'en-paraphrase'], ['en', 'wrong name on the invoice', 'invoice-change', 'en-paraphrase'],
	['en', 'how soon do you dispatch', 'ship-time', 'en-paraphrase'], ['en', 'where is my parcel', 'tracking', 'en-paraphrase'],
	['en', 'package has not moved for a week', 'delivery-delay', 'en-paraphrase'], ['en', 'says delivered but nothing arrived', 'lost-parcel', 'en-paraphrase'],
	['en', 'is delivery free', 'shipping-fee', 'en-paraphrase'], ['en', 'I typed the wrong address', 'shipping-address', 'en-paraphrase'],
	['en', 'can I pay with Alipay', 'payment-methods', 'en-paraphrase'], ['en', 'my card was declined', 'payment-failed', 'en-paraphrase'],
	['en', 'pay monthly', 'installments', 'en-paraphrase'], ['en', 'price went down after I bought', 'price-protection', 'en-paraphrase'],
	['en', 'sign up', 'register', 'en-paraphrase'], ['en', 'cannot log in', 'password-reset', 'en-paraphrase'],
	['en', 'new mobile number', 'change-phone', 'en-paraphrase'], ['en', 'close my account', 'delete-account', 'en-paraphrase'],
	['en', 'what do you do with my personal data', 'privacy', 'en-paraphrase'], ['en', 'apply a discount code', 'coupon-use', 'en-paraphrase'],
	['en', 'use two vouchers together', 'coupon-stack', 'en-paraphrase'], ['en', 'gold member perks', 'member-levels', 'en-paraphrase'],
	['en', 'redeem reward points', 'points', 'en-paraphrase'], ['en', 'item broke, need repair', 'warranty-claim', 'en-paraphrase'],
	['en', 'arrived broken', 'damaged', 'en-paraphrase'], ['en', 'got the wrong product', 'wrong-item', 'en-paraphrase'],
	['en', 'I changed my mind about my purchase', 'cancel-order', 'en-paraphrase'], ['en', 'add an item to my order', 'modify-order', 'en-paraphrase'],
	['en', 'notify me when back in stock', 'stock', 'en-paraphrase'], ['en', 'deposit and balance for preorder', 'presale', 'en-paraphrase'],
	['en', 'talk to a human', 'contact', 'en-paraphrase'], ['en', 'are you open on holidays', 'store-hours', 'en-paraphrase'],
	['en', 'ship to Taiwan', 'international', 'en-paraphrase'], ['en', 'add a card message to a gift', 'gift-wrap', 'en-paraphrase'],
	// English per product
	['en', 'return iPhone', 'iphone-return', 'en-product'], ['en', 'laptop warranty', 'laptop-warranty', 'en-product'],
	['en', 'earbuds genuine', 'earbuds-fake', 'en-product'], ['en', 'clean thermos', 'thermos-clean', 'en-product'],
	['en', 'dress size chart', 'dress-size', 'en-product'], ['en', 'coffee machine setup', 'coffee-install', 'en-product'],
	['en', 'stroller free gift', 'stroller-gift', 'en-product'], ['en', 'sneakers back in stock', 'sneakers-stock', 'en-product'],
	['en', 'is the laptop genuine', 'laptop-fake', 'en-product'], ['en', 'thermos warranty', 'thermos-warranty', 'en-product'],
	// more two-character and short queries, both scripts
	['zh-CN', '质保', 'warranty-policy', 'two-char'], ['zh-CN', '扣款', 'double-charge', 'two-char'],
	['zh-CN', '隐私政策', 'privacy', 'two-char'], ['zh-TW', '註冊', 'register', 'trad'],
	['zh-TW', '分期', 'installments', 'trad'], ['zh-TW', '價保', 'price-protection', 'trad'],
	['zh-TW', '預售', 'presale', 'trad'], ['zh-TW', 'iphone 正品', 'iphone-fake', 'mixed'],
	['en', 'privacy', 'privacy', 'en-forms'], ['en', 'Price Protection', 'price-protection', 'en-forms'],
];

export function queries() {
	return Q.map(([lang, q, slug, kind]) => ({ lang, q, slug, kind }));
}
