/* crm/rfm.c - RFM scoring (quintiles or thresholds), the 8 segments, tier rules and the
 * tier change detector. Pure computation; rfm.h has the exact definitions. */
#include "crm/rfm.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

void rfm_config_default(struct rfm_config *cfg)
{
	static const struct rfm_config d = {
		.window_days = 365,
		.mode = RFM_QUINTILES,
		.r_days = { 7, 30, 90, 180 },
		.f_cuts = { 2, 3, 5, 10 },
		.m_cuts = { 10000, 50000, 200000, 1000000 },
		.high = 3,
	};
	*cfg = d;
}

static int ascending(const int64_t *v)
{
	for (int i = 0; i < 4; i++) {
		if (v[i] < 0 || (i > 0 && v[i] <= v[i - 1]))
			return 0;
	}
	return 1;
}

int rfm_config_check(const struct rfm_config *cfg)
{
	if (cfg->window_days < 1 || cfg->window_days > 3650 || cfg->high < 1 || cfg->high > 5)
		return -1;
	if (cfg->mode != RFM_QUINTILES && cfg->mode != RFM_THRESHOLDS)
		return -1;
	if (cfg->mode == RFM_THRESHOLDS && !(ascending(cfg->r_days) && ascending(cfg->f_cuts) && ascending(cfg->m_cuts)))
		return -1;
	return 0;
}

int64_t rfm_window_start(const struct rfm_config *cfg, int64_t now)
{
	return now - (int64_t)cfg->window_days * DAY;
}

static int64_t days_since(int64_t last, int64_t now)
{
	if (last <= 0)
		return -1;
	return last >= now ? 0 : (now - last) / DAY;
}

/* ---- quintiles ---- */

struct kv {
	int64_t v; /* larger = better */
	size_t i;
};

static int kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	return (x->v > y->v) - (x->v < y->v);
}

/* Sorts the k values worst first and gives each the score of its value's first occurrence,
 * so ties never split. which: 0 = R, 1 = F, 2 = M. */
static void quintile(struct kv *kv, size_t k, struct rfm_result *res, int which)
{
	qsort(kv, k, sizeof *kv, kv_cmp);
	int score = 1;
	for (size_t p = 0; p < k; p++) {
		if (p == 0 || kv[p].v != kv[p - 1].v)
			score = 1 + (int)((5 * (uint64_t)p) / k);
		int *dst = which == 0 ? &res[kv[p].i].r : which == 1 ? &res[kv[p].i].f : &res[kv[p].i].m;
		*dst = score;
	}
}

static int score_quintiles(const struct rfm_customer *cs, size_t n, struct rfm_result *res)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += cs[i].orders > 0;
	if (k == 0)
		return 0;
	struct kv *kv = malloc(k * sizeof *kv);
	if (!kv)
		return -1;
	for (int which = 0; which < 3; which++) {
		size_t j = 0;
		for (size_t i = 0; i < n; i++) {
			if (cs[i].orders <= 0)
				continue;
			/* R: fewer days since is better, so negate to keep "larger = better". */
			kv[j].v = which == 0 ? -res[i].days_since : which == 1 ? cs[i].orders : cs[i].spent_cents;
			kv[j++].i = i;
		}
		quintile(kv, k, res, which);
	}
	free(kv);
	return 0;
}

/* ---- thresholds ---- */

static int up_score(int64_t v, const int64_t *cuts)
{
	int s = 1;
	for (int i = 0; i < 4; i++)
		s += v >= cuts[i];
	return s;
}

static int r_score(int64_t days, const int64_t *cuts)
{
	int s = 5;
	for (int i = 0; i < 4; i++)
		s -= days > cuts[i];
	return s;
}

static void score_thresholds(const struct rfm_customer *cs, size_t n, const struct rfm_config *cfg,
			     struct rfm_result *res)
{
	for (size_t i = 0; i < n; i++) {
		if (cs[i].orders <= 0)
			continue;
		/* orders in the window imply a last order; a caller that forgot it gets R = 1. */
		res[i].r = res[i].days_since < 0 ? 1 : r_score(res[i].days_since, cfg->r_days);
		res[i].f = up_score(cs[i].orders, cfg->f_cuts);
		res[i].m = up_score(cs[i].spent_cents, cfg->m_cuts);
	}
}

/* ---- segments and tiers ---- */

int rfm_segment_of(int r, int f, int m, int high)
{
	if (r <= 0 || f <= 0 || m <= 0)
		return RFM_SEG_NONE;
	/* The enum lists M high first, then R high before R low, then F high before F low. */
	int idx = (m >= high ? 0 : 4) + (r >= high ? 0 : 2) + (f >= high ? 0 : 1);
	return 1 + idx;
}

static int rule_matches(const struct rfm_rule *u, const struct rfm_result *res, const struct rfm_customer *c)
{
	if (res->r < u->r_min || res->f < u->f_min || res->m < u->m_min)
		return 0;
	if (c->spent_cents < u->spent_min || c->orders < u->orders_min)
		return 0;
	if (u->days_since_max >= 0 && (res->days_since < 0 || res->days_since > u->days_since_max))
		return 0;
	if (u->ever >= 0 && (c->last_order_at > 0) != (u->ever > 0))
		return 0;
	return 1;
}

int rfm_tier_of(const struct rfm_result *res, const struct rfm_customer *c, const struct rfm_rule *rules,
		size_t nrules)
{
	for (size_t i = 0; i < nrules; i++) {
		if (rule_matches(&rules[i], res, c))
			return rules[i].tier;
	}
	return RFM_TIER_NONE;
}

int rfm_score(const struct rfm_customer *cs, size_t n, int64_t now, const struct rfm_config *cfg,
	      const struct rfm_rule *rules, size_t nrules, struct rfm_result *res)
{
	for (size_t i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof res[i]);
		res[i].id = cs[i].id;
		res[i].days_since = days_since(cs[i].last_order_at, now);
	}
	if (cfg->mode == RFM_THRESHOLDS)
		score_thresholds(cs, n, cfg, res);
	else if (score_quintiles(cs, n, res) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		res[i].segment = rfm_segment_of(res[i].r, res[i].f, res[i].m, cfg->high);
		res[i].tier = rfm_tier_of(&res[i], &cs[i], rules, nrules);
	}
	return 0;
}

size_t rfm_changes(const int64_t *ids, const int *old_tier, const int *new_tier, size_t n, struct rfm_change *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (old_tier[i] == new_tier[i])
			continue;
		out[k].id = ids[i];
		out[k].from = old_tier[i];
		out[k].to = new_tier[i];
		out[k].key_lost = old_tier[i] == RFM_TIER_KEY;
		k++;
	}
	return k;
}

/* ---- rules: defaults and JSON ---- */

static struct rfm_rule rule_any(int tier)
{
	struct rfm_rule u = { .tier = tier, .days_since_max = -1, .ever = -1 };
	return u;
}

size_t rfm_rules_default(struct rfm_rule *out, int64_t key_spent_cents)
{
	size_t n = 0;
	out[n] = rule_any(RFM_TIER_KEY);
	out[n].m_min = 5;
	out[n++].f_min = 4;
	out[n] = rule_any(RFM_TIER_KEY);
	out[n++].spent_min = key_spent_cents > 0 ? key_spent_cents : 1;
	out[n] = rule_any(RFM_TIER_ACTIVE);
	out[n].r_min = 4;
	out[n++].f_min = 2;
	out[n] = rule_any(RFM_TIER_OCCASIONAL);
	out[n++].ever = 1;
	out[n++] = rule_any(RFM_TIER_REGISTERED);
	return n;
}

/* Reads an optional integer field into *dst within [lo, hi]; a message names rule and field. */
static int int_field(json_t *o, size_t idx, const char *name, int64_t lo, int64_t hi, int64_t *dst, char *err,
		     size_t errlen)
{
	json_t *v = json_object_get(o, name);
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		snprintf(err, errlen, "rules[%zu].%s: must be an integer from %lld to %lld", idx, name, (long long)lo,
			 (long long)hi);
		return -1;
	}
	*dst = json_integer_value(v);
	return 0;
}

static const char *const rule_fields[] = { "tier",	 "r_min",	   "f_min", "m_min",
					   "spent_min",	 "orders_min",	   "days_since_max", "ever" };

static int known_fields(json_t *o, size_t idx, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		size_t i = 0;
		while (i < sizeof rule_fields / sizeof rule_fields[0] && strcmp(rule_fields[i], key) != 0)
			i++;
		if (i == sizeof rule_fields / sizeof rule_fields[0]) {
			snprintf(err, errlen, "rules[%zu].%.64s: unknown field", idx, key);
			return -1;
		}
	}
	return 0;
}

static int parse_rule(json_t *o, size_t idx, struct rfm_rule *u, char *err, size_t errlen)
{
	if (!json_is_object(o)) {
		snprintf(err, errlen, "rules[%zu]: must be an object", idx);
		return -1;
	}
	if (known_fields(o, idx, err, errlen) < 0)
		return -1;
	json_t *t = json_object_get(o, "tier");
	int tier = json_is_string(t) ? rfm_tier_from_key(json_string_value(t)) : RFM_TIER_NONE;
	if (tier == RFM_TIER_NONE) {
		snprintf(err, errlen, "rules[%zu].tier: must be one of key, active, occasional, registered", idx);
		return -1;
	}
	*u = rule_any(tier);
	int64_t r = 0, f = 0, m = 0, ever = -1;
	json_t *e = json_object_get(o, "ever");
	if (e && !json_is_boolean(e)) {
		snprintf(err, errlen, "rules[%zu].ever: must be true or false", idx);
		return -1;
	}
	if (e)
		ever = json_is_true(e);
	if (int_field(o, idx, "r_min", 0, 5, &r, err, errlen) < 0 || int_field(o, idx, "f_min", 0, 5, &f, err, errlen) < 0 ||
	    int_field(o, idx, "m_min", 0, 5, &m, err, errlen) < 0 ||
	    int_field(o, idx, "spent_min", 0, INT64_C(1000000000000000), &u->spent_min, err, errlen) < 0 ||
	    int_field(o, idx, "orders_min", 0, INT64_C(1000000000), &u->orders_min, err, errlen) < 0 ||
	    int_field(o, idx, "days_since_max", -1, 36500, &u->days_since_max, err, errlen) < 0)
		return -1;
	u->r_min = (int)r;
	u->f_min = (int)f;
	u->m_min = (int)m;
	u->ever = (int)ever;
	return 0;
}

int rfm_rules_parse(const char *json, size_t len, struct rfm_rule *out, size_t *n, char *err, size_t errlen)
{
	if (len > RFM_RULES_JSON_MAX) {
		snprintf(err, errlen, "rules: longer than %d bytes", RFM_RULES_JSON_MAX);
		return -1;
	}
	json_error_t je;
	json_t *a = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	int rc = -1;
	if (!a)
		snprintf(err, errlen, "rules: not JSON (%.80s)", je.text);
	else if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > RFM_RULES_MAX)
		snprintf(err, errlen, "rules: must be an array of 1 to %d rules", RFM_RULES_MAX);
	else {
		rc = 0;
		for (size_t i = 0; rc == 0 && i < json_array_size(a); i++)
			rc = parse_rule(json_array_get(a, i), i, &out[i], err, errlen);
		if (rc == 0)
			*n = json_array_size(a);
	}
	json_decref(a);
	return rc;
}

/* ---- names ---- */

struct names {
	const char *key, *zh_cn, *zh_tw, *en;
};

static const struct names seg_names[RFM_SEG_COUNT] = {
	{ "none", "无订单", "無訂單", "No orders" },
	{ "important_value", "重要价值客户", "重要價值客戶", "Important value" },
	{ "important_develop", "重要发展客户", "重要發展客戶", "Important to develop" },
	{ "important_keep", "重要保持客户", "重要保持客戶", "Important to keep" },
	{ "important_retain", "重要挽留客户", "重要挽留客戶", "Important to win back" },
	{ "general_value", "一般价值客户", "一般價值客戶", "General value" },
	{ "general_develop", "一般发展客户", "一般發展客戶", "General to develop" },
	{ "general_keep", "一般保持客户", "一般保持客戶", "General to keep" },
	{ "general_retain", "一般挽留客户", "一般挽留客戶", "At risk" },
};

static const struct names tier_names[RFM_TIER_COUNT] = {
	{ "none", "未分级", "未分級", "Unassigned" },
	{ "key", "大客户", "大客戶", "Key account" },
	{ "active", "活跃客户", "活躍客戶", "Active" },
	{ "occasional", "随机客户", "隨機客戶", "Occasional" },
	{ "registered", "注册客户", "註冊客戶", "Registered" },
};

static const char *pick(const struct names *t, const char *lang)
{
	if (lang && strcmp(lang, "zh-CN") == 0)
		return t->zh_cn;
	if (lang && strcmp(lang, "zh-TW") == 0)
		return t->zh_tw;
	return t->en;
}

const char *rfm_segment_name(int segment, const char *lang)
{
	return segment >= 0 && segment < RFM_SEG_COUNT ? pick(&seg_names[segment], lang) : NULL;
}

const char *rfm_segment_key(int segment)
{
	return segment >= 0 && segment < RFM_SEG_COUNT ? seg_names[segment].key : NULL;
}

const char *rfm_tier_name(int tier, const char *lang)
{
	return tier >= 0 && tier < RFM_TIER_COUNT ? pick(&tier_names[tier], lang) : NULL;
}

const char *rfm_tier_key(int tier)
{
	return tier >= 0 && tier < RFM_TIER_COUNT ? tier_names[tier].key : NULL;
}

/* "none" is not a tier a rule can give, so it maps to RFM_TIER_NONE like any unknown key. */
int rfm_tier_from_key(const char *key)
{
	for (int t = RFM_TIER_KEY; t < RFM_TIER_COUNT; t++) {
		if (key && strcmp(key, tier_names[t].key) == 0)
			return t;
	}
	return RFM_TIER_NONE;
}

int rfm_segment_from_key(const char *key)
{
	for (int s = RFM_SEG_IMPORTANT_VALUE; s < RFM_SEG_COUNT; s++) {
		if (key && strcmp(key, seg_names[s].key) == 0)
			return s;
	}
	return RFM_SEG_NONE;
}
