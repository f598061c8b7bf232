/* crm/rfm.h - RFM scores, the 8 classic RFM segments and customer tiers (issue 6).
 *
 * Pure computation: no I/O, no SQL, no clock. The caller (the nightly job or the "recompute"
 * button) loads one struct rfm_customer per customer from the store, calls rfm_score() and
 * writes the results back; docs/crm.md "RFM, segments and tiers" is the user-facing manual.
 *
 * Times are Unix seconds. "Days since the last order" is floor((now - last_order_at) / 86400),
 * never below 0, so two orders on the same day rank as equally recent.
 *
 * Scores are 1..5 (5 = best) for customers with orders > 0 in the window and 0 otherwise.
 *
 * Quintiles (the default): for each dimension the n customers with orders sort by value,
 * worst first (R: most days since the last order first; F: fewest orders; M: least spent).
 * A value whose first occurrence sits at 0-based position p scores 1 + floor(5 * p / n).
 * Equal values therefore never split across scores, the worst value always scores 1, and
 * with one customer (or all values equal) everyone scores 1. O(n log n).
 *
 * Thresholds: four ascending cut points per dimension. F and M score 1 + the number of cut
 * points the value reaches (value >= cut). R counts days: days <= r_days[0] scores 5,
 * <= r_days[1] scores 4, <= r_days[2] scores 3, <= r_days[3] scores 2, more scores 1.
 */
#ifndef KF_CRM_RFM_H
#define KF_CRM_RFM_H
#include <stddef.h>
#include <stdint.h>

enum rfm_mode { RFM_QUINTILES = 0, RFM_THRESHOLDS = 1 };

/* Segment ids are stable (stored in the database); their names are data (rfm_segment_name
 * gives the defaults). 0 = no orders in the window, so no segment. */
enum rfm_segment {
	RFM_SEG_NONE = 0,
	RFM_SEG_IMPORTANT_VALUE = 1,	   /* 重要价值客户 R high F high M high */
	RFM_SEG_IMPORTANT_DEVELOP = 2,	   /* 重要发展客户 R high F low  M high */
	RFM_SEG_IMPORTANT_KEEP = 3,	   /* 重要保持客户 R low  F high M high */
	RFM_SEG_IMPORTANT_RETAIN = 4,	   /* 重要挽留客户 R low  F low  M high */
	RFM_SEG_GENERAL_VALUE = 5,	   /* 一般价值客户 R high F high M low */
	RFM_SEG_GENERAL_DEVELOP = 6,	   /* 一般发展客户 R high F low  M low */
	RFM_SEG_GENERAL_KEEP = 7,	   /* 一般保持客户 R low  F high M low */
	RFM_SEG_GENERAL_RETAIN = 8,	   /* 一般挽留客户 R low  F low  M low */
	RFM_SEG_COUNT = 9
};

/* Tier ids are stable and ordered best first, so a larger id is a step down. 0 = no rule
 * matched (only possible with admin rules that have no catch-all). */
enum rfm_tier {
	RFM_TIER_NONE = 0,
	RFM_TIER_KEY = 1,	 /* 大客户 */
	RFM_TIER_ACTIVE = 2,	 /* 活跃客户 */
	RFM_TIER_OCCASIONAL = 3, /* 随机客户 */
	RFM_TIER_REGISTERED = 4, /* 注册客户 */
	RFM_TIER_COUNT = 5
};

#define RFM_RULES_MAX 32
#define RFM_RULES_JSON_MAX 65536

/* Facts per customer. orders and spent_cents count the window only (the caller's query
 * bounds them by rfm_window_start); last_order_at and first_order_at are over all time,
 * 0 = never ordered. */
struct rfm_customer {
	int64_t id;
	int64_t last_order_at;
	int64_t first_order_at;
	int64_t orders;
	int64_t spent_cents;
};

struct rfm_config {
	int window_days;	   /* the facts' window, for rfm_window_start (default 365) */
	enum rfm_mode mode;
	int64_t r_days[4];	   /* thresholds: ascending day counts, fewer days = better */
	int64_t f_cuts[4];	   /* thresholds: ascending order counts */
	int64_t m_cuts[4];	   /* thresholds: ascending cents */
	int high;		   /* a score >= high counts as "high" for segments (default 3) */
};

/* A tier rule: every condition must hold; 0 (scores, orders_min, spent_min) or -1
 * (days_since_max, ever) means "any". ever = 1: has ordered at some time; 0: never. */
struct rfm_rule {
	int tier;
	int r_min, f_min, m_min;
	int64_t spent_min, orders_min, days_since_max;
	int ever;
};

struct rfm_result {
	int64_t id;
	int r, f, m;		/* 1..5, or 0 with no orders in the window */
	int segment;		/* enum rfm_segment */
	int tier;		/* enum rfm_tier */
	int64_t days_since;	/* days since the last order ever, -1 = never */
};

/* One customer whose tier moved between two runs. key_lost is set when a key account left
 * the key tier (the "key account going quiet" event). */
struct rfm_change {
	int64_t id;
	int from, to;
	int key_lost;
};

/* Fills cfg with the defaults: 365-day window, quintiles, high = 3, and example thresholds
 * (R 7/30/90/180 days, F 2/3/5/10 orders, M 100/500/2000/10000 yuan). */
void rfm_config_default(struct rfm_config *cfg);

/* 0 or -1 when a threshold list is not ascending, a window is not 1..3650 days, or high is
 * not 1..5. */
int rfm_config_check(const struct rfm_config *cfg);

/* The earliest order time that counts for the window ending at now. */
int64_t rfm_window_start(const struct rfm_config *cfg, int64_t now);

/* Writes the default rules into out (room for at least 5) and returns how many:
 * key (m >= 5 && f >= 4), key (spent >= key_spent_cents), active (r >= 4 && f >= 2),
 * occasional (has ever ordered), registered (anything else). */
size_t rfm_rules_default(struct rfm_rule *out, int64_t key_spent_cents);

/* Parses '[{"tier":"key","m_min":5,"f_min":4}, ...]' into out (room for RFM_RULES_MAX).
 * Returns 0 and sets *n, or -1 with a message in err that names the bad rule and field,
 * e.g. "rules[1].r_min: must be an integer from 0 to 5". out is undefined after an error. */
int rfm_rules_parse(const char *json, size_t len, struct rfm_rule *out, size_t *n, char *err, size_t errlen);

/* Scores n customers into res (n entries, same order as cs). The rules are tried in order
 * and the first that matches gives the tier. Returns 0, or -1 when a scratch allocation
 * fails (res is then undefined). */
int rfm_score(const struct rfm_customer *cs, size_t n, int64_t now, const struct rfm_config *cfg,
	      const struct rfm_rule *rules, size_t nrules, struct rfm_result *res);

/* The segment for three scores (0 when any is 0). */
int rfm_segment_of(int r, int f, int m, int high);

/* The tier from the rules (first match wins), RFM_TIER_NONE when none matches. */
int rfm_tier_of(const struct rfm_result *res, const struct rfm_customer *c, const struct rfm_rule *rules,
		size_t nrules);

/* Lists the customers whose tier differs between old_tier[i] and new_tier[i] into out (room
 * for n) and returns how many. */
size_t rfm_changes(const int64_t *ids, const int *old_tier, const int *new_tier, size_t n, struct rfm_change *out);

/* Default names; lang is "zh-CN", "zh-TW" or "en" (anything else gives English). The
 * stable keys ("important_value", "key") are what settings and the API use. NULL for an
 * unknown id. */
const char *rfm_segment_name(int segment, const char *lang);
const char *rfm_segment_key(int segment);
const char *rfm_tier_name(int tier, const char *lang);
const char *rfm_tier_key(int tier);
int rfm_tier_from_key(const char *key);
/* The segment of a key ("important_value" ...); RFM_SEG_NONE for none or an unknown key. */
int rfm_segment_from_key(const char *key);

#endif
