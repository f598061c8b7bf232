/* crm/demo.c - the CRM part of `kefu demo-seed` (app/demo.c calls it): the demo shop's
 * customers and two years of their orders, the points rules and member levels, and a first
 * RFM run, so the customer panel, the CRM page and the widget's order lookup have something
 * true to show. Orders go through crm_order_store, exactly as the shop's API pushes them,
 * so points and levels come out of the real loyalty code, not out of this file. */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "app/app.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_loyalty.h"
#include "store/store_offer.h"
#include "store/store_rfm.h"
#include <stdio.h>
#include <string.h>

#define DAY 86400

static uint64_t rng = 0x63726d2d64656d6full;   /* "crm-demo" */

static unsigned roll(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* name, e-mail, birthday (MM-DD; the year is made up), tags */
static const struct { const char *name, *email, *bday, *tags; } people[] = {
	{ "张伟", "zhang.wei@example.com", "03-14", "老客户 耳机" }, { "王芳", "wang.fang@example.com", "07-02", "企业采购" },
	{ "李娜", "li.na@example.com", "11-25", "茶叶" }, { "刘洋", "liu.yang@example.com", "01-09", "" },
	{ "陈静", "chen.jing@example.com", "05-30", "礼品" }, { "杨磊", "yang.lei@example.com", "09-18", "" },
	{ "赵敏", "zhao.min@example.com", "12-01", "茶叶 老客户" }, { "黄强", "huang.qiang@example.com", "02-22", "" },
	{ "周杰", "zhou.jie@example.com", "06-06", "数码" }, { "吴婷", "wu.ting@example.com", "10-10", "" },
	{ "徐明", "xu.ming@example.com", "04-04", "" }, { "孙丽", "sun.li@example.com", "08-15", "礼品" },
	{ "马超", "ma.chao@example.com", "03-03", "" }, { "朱红", "zhu.hong@example.com", "12-24", "" },
	{ "胡斌", "hu.bin@example.com", "07-21", "数码" }, { "郭敏", "guo.min@example.com", "05-05", "" },
	{ "林志玲", "lin.zhiling@example.com.tw", "11-29", "台湾 茶叶" }, { "何俊", "he.jun@example.com", "01-31", "" },
	{ "高雪", "gao.xue@example.com", "02-14", "" }, { "罗刚", "luo.gang@example.com", "09-09", "企业采购" },
	{ "梁晓", "liang.xiao@example.com", "06-18", "" }, { "宋佳", "song.jia@example.com", "08-08", "" },
	{ "郑浩", "zheng.hao@example.com", "10-01", "" }, { "谢琳", "xie.lin@example.com", "04-20", "茶叶" },
	{ "韩梅梅", "han.meimei@example.com", "03-08", "" }, { "李雷", "li.lei@example.com", "05-20", "数码" },
	{ "陳美玲", "chen.meiling@example.com.tw", "07-07", "台湾" }, { "Emily Chen", "emily.chen@example.com", "09-27", "海外" },
	{ "Tom Lee", "tom.lee@example.com", "12-12", "海外" }, { "唐亮", "tang.liang@example.com", "02-02", "" },
	{ "冯雨", "feng.yu@example.com", "06-01", "" }, { "董洁", "dong.jie@example.com", "11-11", "" },
	{ "萧峰", "xiao.feng@example.com", "08-28", "" }, { "程橙", "cheng.cheng@example.com", "01-01", "" },
	{ "曹阳", "cao.yang@example.com", "10-20", "" }, { "袁媛", "yuan.yuan@example.com", "04-14", "" },
	{ "邓超", "deng.chao@example.com", "02-08", "" }, { "许晴", "xu.qing@example.com", "07-14", "" },
	{ "傅磊", "fu.lei@example.com", "05-16", "" }, { "沈蓉", "shen.rong@example.com", "09-03", "" },
};

static const struct { const char *sku, *name, *category; int64_t cents; } products[] = {
	{ "EAR-01", "降噪蓝牙耳机 K1", "数码", 39900 }, { "EAR-02", "运动耳机 S2", "数码", 19900 },
	{ "CUP-01", "保温杯 500ml", "家居", 12900 },    { "CUP-02", "儿童保温杯 350ml", "家居", 8900 },
	{ "BAG-01", "通勤双肩包", "箱包", 29900 },      { "BAG-02", "旅行收纳包", "箱包", 6900 },
	{ "TEA-01", "明前龙井 250g", "茶叶", 36800 },   { "TEA-02", "正山小种 100g", "茶叶", 12800 },
};

/* How a customer shops: the tiers the first RFM run will find, from the same facts a shop has. */
enum shopper { SH_KEY, SH_ACTIVE, SH_OCCASIONAL, SH_FORMER_KEY, SH_LAPSED, SH_NONE };
static enum shopper shopper_of(size_t i)
{
	if (i < 6)
		return SH_KEY;
	if (i < 18)
		return SH_ACTIVE;
	if (i < 26)
		return SH_OCCASIONAL;
	if (i < 28)
		return SH_FORMER_KEY;
	return i < 34 ? SH_LAPSED : SH_NONE;
}

/* One order of customer i placed at t, through the same path as PUT /orders/:number. */
static int order(struct app *a, int64_t site_id, size_t i, int64_t n, int64_t t, int64_t now)
{
	json_t *items = json_array();
	unsigned k = 1 + roll(3);
	for (unsigned j = 0; j < k; j++) {
		size_t p = roll(KF_ARRAY_LEN(products));
		json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:I,s:I}", "sku", products[p].sku, "name",
						       products[p].name, "category", products[p].category, "quantity",
						       (json_int_t)(1 + roll(shopper_of(i) == SH_KEY || shopper_of(i) == SH_FORMER_KEY ? 4 : 2)), "price_cents",
						       (json_int_t)products[p].cents));
	}
	int64_t total = 0;
	size_t x;
	json_t *it;
	json_array_foreach(items, x, it)
		total += json_integer_value(json_object_get(it, "price_cents")) *
			 json_integer_value(json_object_get(it, "quantity"));
	int64_t age = (now - t) / DAY;
	int steady = shopper_of(i) == SH_FORMER_KEY;   /* their story needs every order kept */
	const char *status = age < 2	      ? "paid"
			     : age < 7	      ? "shipped"
			     : steady	      ? "delivered"
			     : roll(25) == 0 ? "returned"
			     : roll(30) == 0 ? "cancelled"
					      : "delivered";
	char number[32], tracking[32], ext[16];
	snprintf(number, sizeof(number), "DS%06lld", (long long)n);
	snprintf(tracking, sizeof(tracking), "SF%010lld", (long long)(1300000000 + n * 7919 % 100000000));
	snprintf(ext, sizeof(ext), "demo-%03zu", i + 1);
	json_t *j = json_pack("{s:s,s:s,s:I,s:s,s:I,s:I,s:o,s:{s:s,s:s,s:s}}", "status", status, "currency", "CNY",
			      "total_cents", (json_int_t)total, "email", people[i].email, "placed_at", (json_int_t)t,
			      "updated_at", (json_int_t)(t + (age < 7 ? age : 4) * DAY), "items", items, "customer",
			      "external_id", ext, "name", people[i].name, "email", people[i].email);
	if (strcmp(status, "paid") != 0 && strcmp(status, "cancelled") != 0) {
		json_object_set_new(j, "carrier", json_string("顺丰速运"));
		json_object_set_new(j, "tracking", json_string(tracking));
	}
	struct store_order o;
	json_t *cust = NULL;
	char err[200];
	enum store_upsert what;
	int rc = crm_order_from_json(j, number, &o, &cust, err, sizeof(err));
	json_decref(j);
	if (rc != 0) {
		fprintf(stderr, "kefu: demo order %s: %s\n", number, err);
		return rc;
	}
	o.site_id = site_id;
	rc = crm_order_store(a, &o, cust, &what);
	json_decref(cust);
	store_order_free(&o);
	return rc;
}

/* Customer i's orders: how many and how long ago follow their kind of shopper. */
static int orders_of(struct app *a, int64_t site_id, size_t i, int64_t *n, int64_t now)
{
	unsigned count = 0, span = 0, from = 0;   /* orders, over span days, starting from days ago */
	switch (shopper_of(i)) {
	case SH_KEY: count = 10 + roll(8), span = 330, from = 5 + roll(40); break;
	case SH_ACTIVE: count = 3 + roll(3), span = 150, from = 1 + roll(6); break;
	case SH_OCCASIONAL: count = 1 + roll(2), span = 300, from = 60; break;
	case SH_FORMER_KEY: count = 14 + roll(4), span = 300, from = 380; break;
	case SH_LAPSED: count = 2 + roll(3), span = 200, from = 420; break;
	case SH_NONE: return 0;
	}
	if (i == 0)
		from = 3;   /* 张伟's latest is on its way (shipped, tracked): the widget's order lookup */
	for (unsigned k = 0; k < count; k++) {
		int64_t days = from + (k == 0 ? 0 : roll(span));
		int64_t t = now - days * DAY - 3600 - roll(8 * 3600);
		if (order(a, site_id, i, ++*n, t, now) != 0)
			return KF_EIO;
	}
	return 0;
}

/* The rest of the profile an order does not carry: birthday, tags, consent. */
static void profile(struct app *a, int64_t site_id, size_t i, int64_t now)
{
	struct store_customer c;
	char ext[16];
	snprintf(ext, sizeof(ext), "demo-%03zu", i + 1);
	if (store_customer_by_external(a->st, site_id, ext, &c) != 0 &&
	    crm_customer_create_min(a, site_id, ext, people[i].name, people[i].email, NULL, &c) != 0)
		return;
	snprintf(c.birthday, sizeof(c.birthday), "%d-%s", 1975 + (int)roll(30), people[i].bday);
	snprintf(c.tags, sizeof(c.tags), "%s", people[i].tags);
	snprintf(c.lang, sizeof(c.lang), "%s", strstr(people[i].email, ".tw") ? "zh-TW" : people[i].name[0] & 0x80 ? "zh-CN" : "en");
	c.consent = roll(3) != 0;
	c.consent_at = c.consent ? now - roll(300) * DAY : 0;
	snprintf(c.consent_source, sizeof(c.consent_source), "%s", c.consent ? "checkout" : "");
	static const char *const sizes[] = { "S", "M", "L", "XL" };
	snprintf(c.custom, sizeof(c.custom), "{\"size\":\"%s\",\"channel\":\"%s\"}", sizes[roll(4)],
		 roll(2) ? "天猫旗舰店" : "官网");
	c.updated_at = now;
	store_customer_update(a->st, &c);
}

/* 1 point per ¥1, tea counts double, points last a year; four levels by a year's spend. */
static int loyalty_setup(struct app *a, int64_t site_id)
{
	struct store_points_rules ru;
	if (store_points_rules_get(a->st, site_id, &ru) != 0)
		return KF_EIO;
	ru.site_id = site_id;
	ru.points_per_unit = 1;
	ru.unit_cents = 100;
	snprintf(ru.multipliers, sizeof(ru.multipliers), "{\"茶叶\":200}");
	ru.expiry_days = 365;
	if (store_points_rules_put(a->st, &ru) != 0)
		return KF_EIO;
	static const struct { const char *name, *benefits; int64_t spend; } lv[] = {
		{ "普通会员", "积分抵现：100 积分 = ¥1", 0 },
		{ "银卡会员", "全场 98 折；生日双倍积分", 50000 },
		{ "金卡会员", "全场 95 折；包邮；专属客服", 200000 },
		{ "钻石会员", "全场 9 折；优先发货；新品试用", 800000 },
	};
	struct store_level out[KF_ARRAY_LEN(lv)];
	memset(out, 0, sizeof(out));
	for (size_t i = 0; i < KF_ARRAY_LEN(lv); i++) {
		out[i].site_id = site_id;
		snprintf(out[i].name, sizeof(out[i].name), "%s", lv[i].name);
		snprintf(out[i].benefits, sizeof(out[i].benefits), "%s", lv[i].benefits);
		out[i].min_spend_cents = lv[i].spend;
		out[i].period_days = 365;
	}
	return store_levels_put(a->st, site_id, out, KF_ARRAY_LEN(lv)) == 0 ? 0 : KF_EIO;
}

/* Three offers a shop would run: a coupon for key accounts, a win-back coupon for the at-risk
 * segment, and free shipping for every member. */
static int offers_seed(struct app *a, int64_t site_id, int64_t now)
{
	static const struct { const char *kind, *title, *body, *code, *discount, *targets; int64_t per; } of[] = {
		{ "coupon", "大客户专享券", "感谢一直以来的支持：单笔满 ¥1000 立减 ¥150，全场通用。", "VIP150", "满1000减150",
		  "{\"tiers\":[\"key\"]}", 1 },
		{ "coupon", "好久不见，回来看看", "送您一张 ¥30 无门槛券，30 天内有效。", "MISSYOU30", "¥30 无门槛",
		  "{\"segments\":[\"general_retain\",\"important_retain\"]}", 1 },
		{ "offer", "会员包邮", "会员下单全场包邮，无需领券。", "", "包邮", "{}", 0 },
	};
	for (size_t i = 0; i < KF_ARRAY_LEN(of); i++) {
		struct store_offer o;
		memset(&o, 0, sizeof(o));
		o.site_id = site_id;
		snprintf(o.kind, sizeof(o.kind), "%s", of[i].kind);
		snprintf(o.title, sizeof(o.title), "%s", of[i].title);
		snprintf(o.body, sizeof(o.body), "%s", of[i].body);
		snprintf(o.code, sizeof(o.code), "%s", of[i].code);
		snprintf(o.discount, sizeof(o.discount), "%s", of[i].discount);
		snprintf(o.targets, sizeof(o.targets), "%s", of[i].targets);
		o.ends_at = i == 1 ? now + 30 * DAY : 0;
		o.per_customer_limit = of[i].per;
		o.active = 1;
		o.created_at = o.updated_at = now;
		if (store_offer_create(a->st, &o) != 0)
			return KF_EIO;
	}
	return 0;
}

/* The default tier rules (docs/crm.md "Tiers"), saved with the window. */
static const char default_rules[] = "[{\"tier\":\"key\",\"m_min\":5,\"f_min\":4},{\"tier\":\"key\",\"spent_min\":1000000},"
				    "{\"tier\":\"active\",\"r_min\":4,\"f_min\":2},{\"tier\":\"occasional\",\"ever\":true},"
				    "{\"tier\":\"registered\"}]";

int crm_demo_seed(struct app *a, int64_t site_id, const int64_t *visitors, size_t nvisitors)
{
	int64_t now = time_now_s(), n = 100000;
	json_t *fields = json_loads("[{\"key\":\"size\",\"label\":\"尺码 Size\",\"type\":\"select\",\"options\":[\"S\",\"M\",\"L\",\"XL\"]},"
				    "{\"key\":\"channel\",\"label\":\"首次购买渠道 First channel\",\"type\":\"text\"}]", 0, NULL);
	int rc = crm_site_setting_save(a, "crm.fields", site_id, fields, 8192);   /* crm/fields.c's document */
	json_decref(fields);
	if (rc != 0 || loyalty_setup(a, site_id) != 0)
		return KF_EIO;
	for (size_t i = 0; i < KF_ARRAY_LEN(people); i++) {
		if (orders_of(a, site_id, i, &n, now) != 0)
			return KF_EIO;
		profile(a, site_id, i, now);
	}
	/* some of the month's chatters were customers: the panel beside their chats knows them */
	for (size_t i = 0; i < nvisitors && i < KF_ARRAY_LEN(people); i++) {
		struct store_customer c;
		char ext[16];
		snprintf(ext, sizeof(ext), "demo-%03zu", i + 1);
		if (store_customer_by_external(a->st, site_id, ext, &c) == 0)
			store_customer_link(a->st, c.id, visitors[i], now);
	}
	crm_loyalty_maintain(a);
	/* Last year's scores first (a two-year window), then this year's: two key accounts whose
	 * buying stopped a year ago drop, which is the "key account going quiet" event. */
	struct crm_rfm_report rep;
	if (store_rfm_settings_put(a->st, site_id, "{\"window_days\":730}", default_rules) != 0 ||
	    crm_rfm_recompute(a, site_id, &rep) != 0 ||
	    store_rfm_settings_put(a->st, site_id, "{\"window_days\":365}", default_rules) != 0 ||
	    crm_rfm_recompute(a, site_id, &rep) != 0)
		return KF_EIO;
	if (offers_seed(a, site_id, now) != 0)
		return KF_EIO;
	printf("seeded %zu customers with %lld orders (RFM and tiers computed, points and levels awarded, 3 offers);\n"
	       "order lookup in the widget: DS100001 with zhang.wei@example.com\n",
	       KF_ARRAY_LEN(people), (long long)(n - 100000));
	return 0;
}
