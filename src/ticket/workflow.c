/* ticket/workflow.c - the after-sales rules and state machines, pure (see workflow.h): no
 * store, no clock, no allocation, so tests/unit/test_workflow.c can pin every rule down. */
#include "ticket/workflow.h"
#include "core/kf.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void wf_rules_default(struct wf_rules *r)
{
	memset(r, 0, sizeof(*r));
	r->return_days = 7;
	r->exchange_days = 15;
	r->warranty_months = 12;
	r->exclude_opened = 0;
	r->exclude_final_sale = 1;
}

static int int_in(const json_t *j, const char *key, int lo, int hi, int *out, char *err, size_t errsz)
{
	json_t *v = json_object_get(j, key);
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		snprintf(err, errsz, "%s: a whole number from %d to %d", key, lo, hi);
		return KF_EINVAL;
	}
	*out = (int)json_integer_value(v);
	return 0;
}

static int bool_in(const json_t *j, const char *key, int *out, char *err, size_t errsz)
{
	json_t *v = json_object_get(j, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v)) {
		snprintf(err, errsz, "%s: true or false", key);
		return KF_EINVAL;
	}
	*out = json_is_true(v);
	return 0;
}

/* A list of non-empty strings, each shorter than width bytes, at most WF_MAX_LIST. */
static int list_in(const json_t *j, const char *key, char *dst, size_t width, size_t *n, char *err, size_t errsz)
{
	json_t *v = json_object_get(j, key), *e;
	size_t i;
	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > WF_MAX_LIST)
		goto bad;
	*n = 0;
	json_array_foreach(v, i, e) {
		const char *s = json_string_value(e);
		if (!s || !*s || strlen(s) >= width)
			goto bad;
		snprintf(dst + *n * width, width, "%s", s);
		(*n)++;
	}
	return 0;
bad:
	snprintf(err, errsz, "%s: at most %d non-empty names, each under %zu bytes", key, WF_MAX_LIST, width);
	return KF_EINVAL;
}

int wf_rules_from_json(const json_t *j, struct wf_rules *r, char *err, size_t errsz)
{
	wf_rules_default(r);
	if (!j)
		return 0;
	if (!json_is_object(j)) {
		snprintf(err, errsz, "the rules are a JSON object");
		return KF_EINVAL;
	}
	if (int_in(j, "return_days", 0, 365, &r->return_days, err, errsz) ||
	    int_in(j, "exchange_days", 0, 365, &r->exchange_days, err, errsz) ||
	    int_in(j, "warranty_months", 0, 120, &r->warranty_months, err, errsz) ||
	    bool_in(j, "exclude_opened", &r->exclude_opened, err, errsz) ||
	    bool_in(j, "exclude_final_sale", &r->exclude_final_sale, err, errsz) ||
	    list_in(j, "no_return_categories", &r->no_return[0][0], sizeof(r->no_return[0]), &r->n_no_return, err,
		    errsz) ||
	    list_in(j, "final_sale_skus", &r->final_sale[0][0], sizeof(r->final_sale[0]), &r->n_final_sale, err, errsz))
		return KF_EINVAL;
	return 0;
}

json_t *wf_rules_to_json(const struct wf_rules *r)
{
	json_t *cats = json_array(), *skus = json_array();
	for (size_t i = 0; i < r->n_no_return; i++)
		json_array_append_new(cats, json_string(r->no_return[i]));
	for (size_t i = 0; i < r->n_final_sale; i++)
		json_array_append_new(skus, json_string(r->final_sale[i]));
	return json_pack("{s:i,s:i,s:i,s:b,s:b,s:o,s:o}", "return_days", r->return_days, "exchange_days",
			 r->exchange_days, "warranty_months", r->warranty_months, "exclude_opened", r->exclude_opened,
			 "exclude_final_sale", r->exclude_final_sale, "no_return_categories", cats, "final_sale_skus",
			 skus);
}

/* ---- eligibility ---- */

struct reasons {
	struct wf_reason *out;
	size_t n, max;
};

static void add(struct reasons *rs, const char *code, const char *sku)
{
	if (rs->n >= rs->max)
		return;
	rs->out[rs->n].code = code;
	snprintf(rs->out[rs->n].sku, sizeof(rs->out[0].sku), "%s", sku ? sku : "");
	rs->n++;
}

static int in_list(const char *s, const char *list, size_t width, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, list + i * width) == 0)
			return 1;
	return 0;
}

/* The order's line for sku, and how many of it were bought in all (a SKU may repeat). */
static const struct wf_line *line_of(const struct wf_order *o, const char *sku, int64_t *bought)
{
	const struct wf_line *l = NULL;
	*bought = 0;
	for (size_t i = 0; sku && i < o->nlines; i++)
		if (o->lines[i].sku && strcmp(o->lines[i].sku, sku) == 0) {
			l = l ? l : &o->lines[i];
			*bought += o->lines[i].quantity;
		}
	return l;
}

static void check_pick(const struct wf_rules *r, const struct wf_order *o, const struct wf_pick *p, int exchange,
		       struct reasons *rs)
{
	int64_t bought;
	const struct wf_line *l = line_of(o, p->sku, &bought);
	if (!l) {
		add(rs, "unknown_item", p->sku);
		return;
	}
	if (p->quantity < 1 || p->quantity > bought)
		add(rs, "quantity", p->sku);
	else if (p->quantity + p->open_qty > bought)
		add(rs, "open_request", p->sku);
	/* a category the shop never takes back: no return; an exchange (same goods) still may */
	if (!exchange && in_list(l->category, &r->no_return[0][0], sizeof(r->no_return[0]), r->n_no_return))
		add(rs, "category_excluded", p->sku);
	if (r->exclude_final_sale && in_list(p->sku, &r->final_sale[0][0], sizeof(r->final_sale[0]), r->n_final_sale))
		add(rs, "final_sale", p->sku);
	if (!exchange && r->exclude_opened && p->opened)
		add(rs, "opened", p->sku);
}

size_t wf_check_return(const struct wf_rules *r, const struct wf_order *o, const struct wf_pick *picks,
		       size_t npicks, int exchange, int64_t now, struct wf_reason *out, size_t max)
{
	struct reasons rs = { out, 0, max };
	int days = exchange ? r->exchange_days : r->return_days;
	if (!o->status || strcmp(o->status, "delivered") != 0)
		add(&rs, "not_delivered", NULL);
	else if (now > o->delivered_at + (int64_t)days * WF_DAY)
		add(&rs, "window_closed", NULL);
	if (npicks == 0)
		add(&rs, "no_items", NULL);
	for (size_t i = 0; i < npicks; i++)
		check_pick(r, o, &picks[i], exchange, &rs);
	return rs.n;
}

static int days_in_month(int year, int mon)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
	return mdays[mon] + (mon == 1 && leap);
}

int wf_warranty_ok(const struct wf_rules *r, int64_t placed_at, int64_t now)
{
	time_t t = (time_t)placed_at;
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return 0;
	int months = tm.tm_year * 12 + tm.tm_mon + r->warranty_months;
	tm.tm_year = months / 12;
	tm.tm_mon = months % 12;
	/* the same day of the month, or its last day when shorter (31 Jan + 1 month = 28/29 Feb) */
	int last = days_in_month(tm.tm_year + 1900, tm.tm_mon);
	if (tm.tm_mday > last)
		tm.tm_mday = last;
	return now <= (int64_t)timegm(&tm);
}

/* ---- texts ---- */

struct text3 {
	const char *code, *cn, *tw, *en;
};

static const struct text3 reason_texts[] = {
	{ "not_delivered", "订单尚未签收，签收后才能申请", "訂單尚未簽收，簽收後才能申請",
	  "The order has not been delivered yet" },
	{ "window_closed", "已超过签收后的申请期限", "已超過簽收後的申請期限",
	  "The time allowed after delivery has passed" },
	{ "no_items", "请至少选择一件商品", "請至少選擇一件商品", "Choose at least one item" },
	{ "unknown_item", "订单中没有这件商品", "訂單中沒有這件商品", "This item is not in the order" },
	{ "quantity", "数量超过购买数量", "數量超過購買數量", "More than the quantity bought" },
	{ "category_excluded", "该类商品不支持退货", "該類商品不支援退貨", "Items of this category cannot be returned" },
	{ "final_sale", "清仓商品，不退不换", "清倉商品，不退不換", "Final sale: no returns or exchanges" },
	{ "opened", "已拆封商品不支持退货", "已拆封商品不支援退貨", "Opened items cannot be returned" },
	{ "open_request", "这件商品已有处理中的申请", "這件商品已有處理中的申請",
	  "This item already has a request in progress" },
	{ "warranty_expired", "已超过保修期", "已超過保固期", "The warranty has expired" },
};

static const struct text3 state_texts[] = {
	{ "requested", "已提交申请", "已提交申請", "Requested" },
	{ "approved", "已同意", "已同意", "Approved" },
	{ "refused", "已拒绝", "已拒絕", "Refused" },
	{ "goods_received", "已收到退货", "已收到退貨", "Goods received" },
	{ "refunded", "已退款", "已退款", "Refunded" },
	{ "exchanged", "已换货", "已換貨", "Exchanged" },
	{ "received", "已受理", "已受理", "Received" },
	{ "diagnosing", "检测中", "檢測中", "Diagnosing" },
	{ "repairing", "维修中", "維修中", "Repairing" },
	{ "shipped_back", "已寄回", "已寄回", "Shipped back" },
	{ "open", "处理中", "處理中", "Open" },
	{ "resolved", "已解决", "已解決", "Resolved" },
};

static const char *pick_text(const struct text3 *t, size_t n, const char *code, const char *lang)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(t[i].code, code) == 0)
			return lang && strcmp(lang, "en") == 0 ? t[i].en : lang && strcmp(lang, "zh-TW") == 0 ? t[i].tw : t[i].cn;
	return code ? code : "";
}

const char *wf_reason_text(const char *code, const char *lang)
{
	return pick_text(reason_texts, KF_ARRAY_LEN(reason_texts), code, lang);
}

const char *wf_state_text(const char *state, const char *lang)
{
	return pick_text(state_texts, KF_ARRAY_LEN(state_texts), state, lang);
}

/* ---- the state machines ---- */

struct move {
	const char *type, *from, *to;
};

/* Every allowed transition; anything else is refused. */
static const struct move moves[] = {
	{ "return", "requested", "approved" },
	{ "return", "requested", "refused" },
	{ "return", "approved", "goods_received" },
	{ "return", "goods_received", "refunded" },
	{ "return", "goods_received", "exchanged" },
	{ "repair", "received", "diagnosing" },
	{ "repair", "diagnosing", "repairing" },
	{ "repair", "repairing", "shipped_back" },
	{ "complaint", "open", "resolved" },
};

static const char *const return_states[] = { "requested", "approved", "goods_received", "refunded", "exchanged",
					     "refused", NULL };
static const char *const repair_states[] = { "received", "diagnosing", "repairing", "shipped_back", NULL };
static const char *const complaint_states[] = { "open", "resolved", NULL };

const char *const *wf_states(const char *type)
{
	if (!type)
		return NULL;
	if (strcmp(type, "return") == 0)
		return return_states;
	if (strcmp(type, "repair") == 0)
		return repair_states;
	if (strcmp(type, "complaint") == 0)
		return complaint_states;
	return NULL;
}

const char *wf_initial(const char *type)
{
	const char *const *s = wf_states(type);
	return s ? s[0] : NULL;
}

int wf_can_move(const char *type, const char *from, const char *to)
{
	for (size_t i = 0; type && from && to && i < KF_ARRAY_LEN(moves); i++)
		if (strcmp(moves[i].type, type) == 0 && strcmp(moves[i].from, from) == 0 && strcmp(moves[i].to, to) == 0)
			return 1;
	return 0;
}

size_t wf_next(const char *type, const char *from, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; type && from && i < KF_ARRAY_LEN(moves); i++)
		if (n < max && strcmp(moves[i].type, type) == 0 && strcmp(moves[i].from, from) == 0)
			out[n++] = moves[i].to;
	return n;
}

int wf_final(const char *type, const char *state)
{
	const char *next[4];
	const char *const *s = wf_states(type);
	int known = 0;
	for (size_t i = 0; s && s[i] && state; i++)
		known |= strcmp(s[i], state) == 0;
	return known && wf_next(type, state, next, KF_ARRAY_LEN(next)) == 0;
}

int wf_needs_reason(const char *to)
{
	return to && (strcmp(to, "refused") == 0 || strcmp(to, "resolved") == 0);
}

const char *wf_lang(const char *tag, size_t n)
{
	if (n >= 2 && (tag[0] | 32) == 'e' && (tag[1] | 32) == 'n' && (n == 2 || tag[2] == '-' || tag[2] == '_'))
		return "en";
	if (n < 2 || (tag[0] | 32) != 'z' || (tag[1] | 32) != 'h' || (n > 2 && tag[2] != '-' && tag[2] != '_'))
		return NULL;
	const char *rest = tag + 3;
	size_t rn = n > 3 ? n - 3 : 0;
	if ((rn >= 2 && ((rest[0] | 32) == 't' && (rest[1] | 32) == 'w')) ||
	    (rn >= 2 && (rest[0] | 32) == 'h' && (rest[1] | 32) == 'k') ||
	    (rn >= 2 && (rest[0] | 32) == 'm' && (rest[1] | 32) == 'o') ||
	    (rn >= 4 && strncasecmp(rest, "hant", 4) == 0))
		return "zh-TW";
	return "zh-CN";
}
