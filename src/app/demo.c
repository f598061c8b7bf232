/* app/demo.c - the demo's data (see demo.h). Everything goes through the store interface,
 * as the product would write it: visitors with tokens, page views with their rollups,
 * conversations with messages, then their clocks moved back into the past month. A fixed
 * seed makes the demo the same on every machine. */
#include "app/demo.h"
#include "app/app.h"
#include "crm/crm.h"
#include "ticket/ticket.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store.h"
#include "core/buf.h"
#include "kb/kb.h"
#include "store/store_bot.h"
#include "store/store_invite.h"
#include "store/store_kb.h"
#include "store/store_route.h"
#include "store/store_track.h"
#include <stdio.h>
#include <string.h>

#define DAYS 30

static uint64_t rng = 0x6b6566752d64656dull;   /* "kefu-dem" */

static unsigned roll(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const struct { const char *path, *title; } pages[] = {
	{ "/demo", "演示商店 Demo Shop" },
	{ "/demo/earbuds", "蓝牙耳机 Earbuds - 演示商店" },
	{ "/demo/bags", "帆布包 Bags - 演示商店" },
	{ "/demo/thermos", "保温杯 Thermos - 演示商店" },
};
static const char *const referrers[] = { "", "", "https://www.baidu.com/s?wd=蓝牙耳机", "https://weibo.com/",
					 "https://www.google.com/", "https://www.xiaohongshu.com/" };
static const char *const campaigns[] = { "", "", "", "双11大促", "newsletter" };
static const struct { const char *q, *a; } chats[] = {
	{ "请问蓝牙耳机支持降噪吗？", "支持的，这款有主动降噪，续航约 24 小时。" },
	{ "我的订单什么时候发货？", "您好，订单已打包，今天下午发出，明天可以查到物流。" },
	{ "帆布包有其他颜色吗？", "有米白、藏青和黑色三种。" },
	{ "耳机左耳没声音，怎么办？", "很抱歉！请先重置配对；如仍不行，我们为您办理换货。" },
	{ "可以开发票吗？", "可以的，下单时填写抬头，或者发给我您的税号。" },
	{ "Do you ship to Hong Kong?", "Yes, 3-5 working days by SF Express." },
};

struct seed {
	struct store *st;
	struct store_site site;
	int64_t agents[8];
	size_t nagents;
	int64_t agent, supervisor;   /* the first user of each role: the tickets' demo cast */
	int64_t chatters[40];     /* visitors of the latest chats, for the CRM's demo customers */
	size_t nchats;
};

static int first_site(void *ud, const struct store_site *s)
{
	struct seed *sd = ud;
	if (!sd->site.id)
		sd->site = *s;
	return 0;
}

/* Everyone serves in the demo, the admin too: whoever signs in first can take a chat of
 * either department. */
static int collect_agent(void *ud, const struct store_user *u)
{
	struct seed *sd = ud;
	if (!u->disabled && sd->nagents < KF_ARRAY_LEN(sd->agents))
		sd->agents[sd->nagents++] = u->id;
	if (!u->disabled && !sd->agent && strcmp(u->role, "agent") == 0)
		sd->agent = u->id;
	if (!u->disabled && !sd->supervisor && strcmp(u->role, "supervisor") == 0)
		sd->supervisor = u->id;
	return 0;
}

static int departments(struct seed *sd)
{
	struct store_dept pre = { .site_id = sd->site.id, .offer_timeout = 30 }, post = pre;
	snprintf(pre.name, sizeof(pre.name), "售前咨询");
	snprintf(pre.rule, sizeof(pre.rule), "least_busy");
	snprintf(post.name, sizeof(post.name), "售后服务");
	snprintf(post.rule, sizeof(post.rule), "round_robin");
	post.position = 1;
	int rc = store_dept_create(sd->st, &pre);
	if (rc == KF_EEXIST)
		return 1;   /* seeded before */
	if (rc || store_dept_create(sd->st, &post))
		return KF_EIO;
	/* everyone on both desks, so whoever signs in first serves either */
	if (store_dept_set_members(sd->st, pre.id, sd->agents, sd->nagents) ||
	    store_dept_set_members(sd->st, post.id, sd->agents, sd->nagents))
		return KF_EIO;
	return 0;
}

static int invite_rule(struct seed *sd)
{
	struct store_invite_rule r;
	memset(&r, 0, sizeof(r));
	r.site_id = sd->site.id;
	r.enabled = 1;
	snprintf(r.name, sizeof(r.name), "商品页停留 20 秒");
	snprintf(r.url_pattern, sizeof(r.url_pattern), "*/demo/*");
	r.min_seconds = 20;
	snprintf(r.visitor, sizeof(r.visitor), "any");
	snprintf(r.message, sizeof(r.message), "您好！看中哪款商品了吗？有问题可以随时问我。");
	r.repeat_after_hours = 24;
	return store_invite_rule_create(sd->st, &r);
}

/* One visitor with a token nobody holds (the demo's history is not anyone's browser). */
static int64_t new_visitor(struct seed *sd, int64_t at_s)
{
	struct store_visitor v;
	char tok[64], hash[65];
	memset(&v, 0, sizeof(v));
	token_new(tok, sizeof(tok));
	token_hash_hex(tok, strlen(tok), hash);
	v.site_id = sd->site.id;
	if (store_visitor_create(sd->st, hash, &v) != 0)
		return 0;
	v.last_seen = at_s;
	snprintf(v.lang, sizeof(v.lang), "zh-CN");
	store_visitor_update(sd->st, &v);
	return v.id;
}

static void view_event(struct store_track_event *e, struct seed *sd, int64_t vid, int64_t at, size_t page)
{
	memset(e, 0, sizeof(*e));
	e->type = STORE_TRACK_VIEW;
	e->site_id = sd->site.id;
	e->visitor_id = vid;
	e->at = at;
	snprintf(e->url, sizeof(e->url), "https://shop.example%s", pages[page].path);
	snprintf(e->page, sizeof(e->page), "%s", pages[page].path);
	snprintf(e->title, sizeof(e->title), "%s", pages[page].title);
	snprintf(e->browser, sizeof(e->browser), "%s", roll(3) ? "Chrome" : "Safari");
	snprintf(e->screen, sizeof(e->screen), "%s", roll(2) ? "1920x1080" : "390x844");
}

/* A visit of 1-4 views starting at t (ms); the first view carries the referrer and campaign. */
static int visit(struct seed *sd, int64_t vid, int64_t t, int first_ever, int first_today, int64_t first_at,
		 int64_t visits)
{
	struct store_track_event ev[8];
	size_t n = 1 + roll(4), k = 0;
	for (size_t i = 0; i < n; i++, k++) {
		view_event(&ev[k], sd, vid, t, i == 0 ? roll(3) : 1 + roll(3));
		ev[k].new_visit = i == 0;
		ev[k].day_visitor = i == 0 && first_today;
		ev[k].new_visitor = i == 0 && first_ever;
		ev[k].first_at = first_at;
		ev[k].visits = visits;
		if (i == 0) {
			const char *ref = referrers[roll(KF_ARRAY_LEN(referrers))];
			const char *camp = campaigns[roll(KF_ARRAY_LEN(campaigns))];
			snprintf(ev[k].referrer, sizeof(ev[k].referrer), "%s", ref);
			if (*ref)
				sscanf(ref, "https://%255[^/]", ev[k].ref_host);
			if (*camp) {
				snprintf(ev[k].utm_campaign, sizeof(ev[k].utm_campaign), "%s", camp);
				snprintf(ev[k].utm_source, sizeof(ev[k].utm_source), "%s", *ref ? ev[k].ref_host : "email");
			}
		}
		int64_t secs = 10 + roll(170);
		t += secs * 1000;
		k++;
		memset(&ev[k], 0, sizeof(ev[k]));
		ev[k].type = STORE_TRACK_TIME;
		ev[k].site_id = sd->site.id;
		ev[k].visitor_id = vid;
		ev[k].at = t;
		ev[k].seconds = secs;
	}
	return store_track_write(sd->st, ev, k, 50);
}

/* A finished (or missed) chat of that day, with its messages and clock. */
static int chat(struct seed *sd, int64_t vid, int64_t start_s, int missed)
{
	struct store_conv c;
	struct store_msg m;
	int dup;
	size_t which = roll(KF_ARRAY_LEN(chats));
	int64_t agent = sd->nagents ? sd->agents[roll((unsigned)sd->nagents)] : 0;
	memset(&c, 0, sizeof(c));
	c.site_id = sd->site.id;
	c.visitor_id = vid;
	c.agent_id = missed ? 0 : agent;
	sd->chatters[sd->nchats++ % KF_ARRAY_LEN(sd->chatters)] = vid;
	snprintf(c.status, sizeof(c.status), "closed");
	if (store_conv_create(sd->st, &c) != 0)
		return KF_EIO;
	memset(&m, 0, sizeof(m));
	m.conversation_id = c.id;
	snprintf(m.sender, sizeof(m.sender), "visitor");
	m.sender_id = vid;
	snprintf(m.kind, sizeof(m.kind), "text");
	snprintf(m.client_id, sizeof(m.client_id), "demo-v");
	m.body = chats[which].q;
	if (store_msg_append(sd->st, &m, &dup) != 0)
		return KF_EIO;
	int64_t reply_s = 5 + roll(90), length_s = 120 + roll(900);
	if (!missed) {
		snprintf(m.sender, sizeof(m.sender), "agent");
		m.sender_id = agent;
		snprintf(m.client_id, sizeof(m.client_id), "demo-a");
		m.body = chats[which].a;
		if (store_msg_append(sd->st, &m, &dup) != 0)
			return KF_EIO;
		if (roll(3))
			store_conv_rate(sd->st, c.id, 3 + (int)roll(3), roll(2) ? "" : "很满意，谢谢！");
	}
	store_conv_set_read(sd->st, c.id, 0, m.seq);   /* history: the agents read it all */
	return store_route_backdate(sd->st, c.id, start_s, missed ? 0 : start_s + reply_s,
				    missed ? 0 : (start_s + reply_s) * 1000, start_s + (missed ? 600 : length_s));
}

/* ---- the FAQ: categories, articles (public, members-only, internal), translations ---- */
static const struct { const char *slug, *name; int parent; } faq_cats[] = {
	{ "after-sales", "售后服务", -1 }, { "returns", "退换货", 0 }, { "orders", "订单与物流", -1 },
	{ "payment", "支付与发票", -1 }, { "members", "会员中心", -1 },
};
static const struct {
	const char *slug, *lang, *question, *alt, *answer, *tags, *visibility;
	int cat;           /* index into faq_cats, -1: none */
	int tr;            /* index of the article it translates, -1: none */
} faq[] = {
	{ "return-policy", "zh-CN", "退货政策是什么？", "怎么退货\n可以退货吗\n七天无理由退货",
	  "收到商品 **7 天内**、商品完好不影响二次销售的，可以无理由退货。\n\n1. 在「我的订单」点击 **申请退货**\n"
	  "2. 按提示寄回商品（运费险订单免运费）\n3. 仓库签收后 1–3 个工作日原路退款", "退货 售后", "public", 1, -1 },
	{ "exchange", "zh-CN", "如何换货？", "换货流程\n换尺码\n换颜色",
	  "商品有质量问题或尺码不合适，可在签收后 15 天内申请换货：在「我的订单」选择 **申请换货**，寄回后我们会发出新商品。",
	  "换货 售后", "public", 1, -1 },
	{ "warranty", "zh-CN", "耳机保修多久？", "保修期\n耳机坏了怎么办\n维修",
	  "蓝牙耳机享受 **一年保修**。非人为损坏可免费维修或更换，请联系客服并提供订单号。", "保修 维修 售后", "public", 0, -1 },
	{ "shipping-time", "zh-CN", "下单后多久发货？", "什么时候发货\n几天能到\n发货时间",
	  "工作日 16:00 前付款的订单**当天发货**，其余次日发出；江浙沪一般 1–2 天送达，其他地区 2–4 天。", "发货 物流", "public", 2, -1 },
	{ "track-order", "zh-CN", "怎么查询物流？", "查快递\n物流信息\n快递单号",
	  "在「我的订单」里点击订单，即可看到快递公司和单号，并可实时查看物流轨迹。", "物流 快递 订单", "public", 2, -1 },
	{ "invoice", "zh-CN", "怎么开发票？", "开发票\n电子发票\n增值税专用发票",
	  "下单时在结算页填写**发票抬头**和税号即可；电子发票在发货后 24 小时内发送到您的邮箱。", "发票", "public", 3, -1 },
	{ "payment-methods", "zh-CN", "支持哪些支付方式？", "可以用支付宝吗\n微信支付\n信用卡",
	  "支持支付宝、微信支付、银联和主流信用卡；也支持花呗分期。", "支付", "public", 3, -1 },
	{ "member-levels", "zh-CN", "会员等级有哪些权益？", "会员权益\n金卡会员",
	  "银卡：生日礼券；金卡：全场 95 折 + 免运费；钻石卡：专属客服 + 新品优先购。", "会员", "members", 4, -1 },
	{ "member-coupon", "zh-CN", "会员专属优惠券怎么领？", "会员优惠券\n领券",
	  "登录后在「会员中心 → 我的权益」领取，每月 1 日更新。", "会员 优惠券", "members", 4, -1 },
	{ "refund-approval", "zh-CN", "退款审批流程（内部）", "退款审批",
	  "超过 500 元的退款需主管在后台审批；质量问题优先处理，当天回复。", "退款 内部", "internal", 1, -1 },
	{ "return-policy", "zh-TW", "退貨政策是什麼？", "怎麼退貨\n可以退貨嗎",
	  "收到商品 **7 天內**、商品完好的，可以無理由退貨：在「我的訂單」點擊 **申請退貨**。", "退貨 售後", "public", -1, 0 },
	{ "return-policy", "en", "What is your return policy?", "How do I return an item?\nCan I get a refund?",
	  "You can return any item within **7 days** of delivery: open *My orders* and choose **Return**.",
	  "returns refund", "public", -1, 0 },
	{ "invoice", "en", "How do I get an invoice?", "invoice\nVAT receipt",
	  "Enter the invoice title and tax number at checkout; the e-invoice is e-mailed within 24 hours of shipping.",
	  "invoice", "public", -1, 5 },
};

static int faq_seed(struct seed *sd, int64_t user)
{
	int64_t cat_ids[KF_ARRAY_LEN(faq_cats)], art_ids[KF_ARRAY_LEN(faq)];
	int64_t today = time_now_s() / 86400;
	for (size_t i = 0; i < KF_ARRAY_LEN(faq_cats); i++) {
		struct store_kb_category c;
		memset(&c, 0, sizeof(c));
		c.site_id = sd->site.id;
		c.parent_id = faq_cats[i].parent >= 0 ? cat_ids[faq_cats[i].parent] : 0;
		snprintf(c.lang, sizeof(c.lang), "zh-CN");
		snprintf(c.name, sizeof(c.name), "%s", faq_cats[i].name);
		snprintf(c.slug, sizeof(c.slug), "%s", faq_cats[i].slug);
		c.position = (int)i;
		if (store_kb_category_create(sd->st, &c) != 0)
			return KF_EIO;
		cat_ids[i] = c.id;
	}
	for (size_t i = 0; i < KF_ARRAY_LEN(faq); i++) {
		struct store_kb_article a;
		struct buf html;
		memset(&a, 0, sizeof(a));
		buf_init(&html, 0);
		a.site_id = sd->site.id;
		a.category_id = faq[i].cat >= 0 ? cat_ids[faq[i].cat] : 0;
		a.translation_of = faq[i].tr >= 0 ? art_ids[faq[i].tr] : 0;
		snprintf(a.lang, sizeof(a.lang), "%s", faq[i].lang);
		snprintf(a.slug, sizeof(a.slug), "%s", faq[i].slug);
		snprintf(a.question, sizeof(a.question), "%s", faq[i].question);
		snprintf(a.tags, sizeof(a.tags), "%s", faq[i].tags);
		snprintf(a.visibility, sizeof(a.visibility), "%s", faq[i].visibility);
		snprintf(a.status, sizeof(a.status), "published");
		a.position = (int)i;
		a.alt_questions = (char *)faq[i].alt;
		a.answer_md = (char *)faq[i].answer;
		kb_render_markdown(faq[i].answer, &html);
		a.answer_html = html.ptr ? html.ptr : (char *)"";
		int rc = store_kb_article_create(sd->st, &a, user);
		buf_release(&html);
		if (rc != 0)
			return KF_EIO;
		art_ids[i] = a.id;
		/* a month of readers, so the help centre's hot questions mean something */
		for (int64_t d = today - 20; d <= today; d++)
			for (unsigned v = roll(6 + (unsigned)(KF_ARRAY_LEN(faq) - i)); v > 0; v--)
				store_kb_count_view(sd->st, a.id, d);
	}
	/* the bot answers first; people take over on "no" (Settings → FAQ bot) */
	struct store_bot_settings b = { .threshold = 0.5 };
	snprintf(b.mode, sizeof(b.mode), "always");
	snprintf(b.name, sizeof(b.name), "智能助手 Bot");
	return store_bot_settings_set(sd->st, sd->site.id, &b);
}

/* A month of visitors (some coming back), their page views and their chats. */
static int history(struct seed *sd)
{
	int64_t today = time_now_s() / 86400;
	int64_t ids[2000];
	int64_t firsts[2000];
	size_t n = 0;
	unsigned char seen[2000];
	for (int64_t d = today - DAYS; d < today; d++) {
		size_t before = n;   /* who may come back today: visitors of earlier days, once each */
		unsigned fresh = 25 + roll(40), back = before ? roll(15) : 0;
		memset(seen, 0, sizeof(seen));
		for (unsigned i = 0; i < fresh + back; i++) {
			int returning = i >= fresh;
			int64_t t = (d * 86400 + 8 * 3600 + roll(14 * 3600)) * 1000;
			size_t slot = returning ? roll((unsigned)before) : n;
			if (returning && seen[slot]++)
				continue;
			if (!returning) {
				if (n == KF_ARRAY_LEN(ids))
					continue;
				ids[n] = new_visitor(sd, t / 1000);
				firsts[n] = t;
				if (!ids[n])
					return KF_EIO;
				n++;
			}
			if (visit(sd, ids[slot], t, !returning, 1, firsts[slot], returning ? 2 : 1) != 0)
				return KF_EIO;
			if (roll(100) < 12 && chat(sd, ids[slot], t / 1000 + 60, roll(10) == 0) != 0)
				return KF_EIO;
		}
	}
	return 0;
}

int demo_seed(struct store *st)
{
	struct seed sd;
	memset(&sd, 0, sizeof(sd));
	sd.st = st;
	if (store_site_each(st, 0, first_site, &sd) != 0 || !sd.site.id) {
		fprintf(stderr, "kefu: no site to seed; run kefu site add first\n");
		return KF_ENOTFOUND;
	}
	store_user_each(st, collect_agent, &sd);
	int rc = departments(&sd);
	if (rc == 1)
		printf("%s already has the demo's data\n", sd.site.name);
	if (rc)
		return rc;
	if (invite_rule(&sd) != 0 || history(&sd) != 0 || faq_seed(&sd, sd.nagents ? sd.agents[0] : 0) != 0)
		return KF_EIO;
	struct app a;   /* the CRM's code wants an app; the store is all it touches offline */
	memset(&a, 0, sizeof(a));
	a.st = st;
	size_t nch = sd.nchats < KF_ARRAY_LEN(sd.chatters) ? sd.nchats : KF_ARRAY_LEN(sd.chatters);
	if (crm_demo_seed(&a, sd.site.id, sd.chatters, nch) != 0 ||
	    ticket_demo_seed(&a, sd.site.id, sd.agent ? sd.agent : sd.nagents ? sd.agents[0] : 0, sd.supervisor) != 0)
		return KF_EIO;
	printf("seeded %s: departments 售前咨询 and 售后服务, an invitation rule, %d days of traffic and chats,\n"
	       "an after-sales form, a complaints form and six tickets (a return, a repair, an overdue complaint ...),\n"
	       "a help centre of %zu articles (/help/%s) and the FAQ bot\n", sd.site.name, DAYS, KF_ARRAY_LEN(faq),
	       sd.site.key);
	return 0;
}
