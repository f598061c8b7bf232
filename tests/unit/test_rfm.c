/* tests/unit/test_rfm.c - crm/rfm.c against a small data set scored by hand: 12 customers,
 * quintiles and thresholds, the 8 segments, the default tier rules, edge cases (ties, fewer
 * than 5 customers, nobody with orders, all values equal), rule JSON errors and the tier
 * change detector. The expected numbers are worked out in the comments, so a broken scorer
 * (reversed recency, ties split, off-by-one quintile) fails here. */
#include "testutil.h"
#include "core/kf.h"
#include "crm/rfm.h"

#define DAY INT64_C(86400)
#define NOW (INT64_C(20000) * DAY + 3600) /* an hour into a day, so "days since" floors */

/* The data set. Times are "days ago" (plus a few hours, which must not change the day count).
 *
 *  id  days  orders  spent(cents)
 *   1    1     12      500000
 *   2    3      8      120000
 *   3    3      5       90000     (same day as 2: an R tie)
 *   4   10      5      300000     (F tie with 3)
 *   5   20      3       15000
 *   6   45      2        9000     (F and M tie with 10)
 *   7   60      1      200000
 *   8  100      1        4000
 *   9  200      1        2500
 *  10  300      2        9000
 *  11  500      0           0     ordered 500 days ago: nothing in the window
 *  12   -       0           0     never ordered
 */
static void dataset(struct rfm_customer *c)
{
	static const int64_t rows[12][4] = {
		{ 1, 1, 12, 500000 }, { 2, 3, 8, 120000 },  { 3, 3, 5, 90000 },	 { 4, 10, 5, 300000 },
		{ 5, 20, 3, 15000 },  { 6, 45, 2, 9000 },   { 7, 60, 1, 200000 }, { 8, 100, 1, 4000 },
		{ 9, 200, 1, 2500 },  { 10, 300, 2, 9000 }, { 11, 500, 0, 0 },	 { 12, -1, 0, 0 },
	};
	for (int i = 0; i < 12; i++) {
		c[i].id = rows[i][0];
		c[i].last_order_at = rows[i][1] < 0 ? 0 : NOW - rows[i][1] * DAY - 2 * 3600;
		c[i].first_order_at = c[i].last_order_at ? c[i].last_order_at - 30 * DAY : 0;
		c[i].orders = rows[i][2];
		c[i].spent_cents = rows[i][3];
	}
}

static void check(const struct rfm_result *res, const int exp[12][5])
{
	for (int i = 0; i < 12; i++) {
		const int got[5] = { res[i].r, res[i].f, res[i].m, res[i].segment, res[i].tier };
		for (int k = 0; k < 5; k++) {
			if (got[k] != exp[i][k])
				fail_msg("customer %d: %s is %d, expected %d", i + 1, (const char *[]){ "r", "f", "m", "segment", "tier" }[k],
					 got[k], exp[i][k]);
		}
		assert_int_equal(res[i].id, i + 1);
	}
}

/* Quintiles over the 10 customers with orders: the score at sorted position p (worst first)
 * is 1 + floor(5p / 10) = 1 + p/2, and a tie takes the score of its first position.
 *  R worst first by days: 300,200 -> 1; 100,60 -> 2; 45,20 -> 3; 10,3,3 -> 4 (the second 3
 *    is at p=8 but ties with p=7); 1 -> 5.
 *  F ascending: 1,1,1 (p0-2) -> 1; 2,2 (p3) -> 2; 3 (p5) -> 3; 5,5 (p6) -> 4; 8 (p8) -> 5; 12 -> 5.
 *  M ascending: 2500,4000 -> 1; 9000,9000 (p2) -> 2; 15000 (p4), 90000 (p5) -> 3;
 *    120000, 200000 -> 4; 300000, 500000 -> 5.
 * Segments (high = 3): 1-5 important value; 6 (3,2,2) general develop; 7 (2,1,4) important
 * retain; 8, 9, 10 general retain; 11, 12 none.
 * Tiers (key spend 200000): 1 (M5 F5) and 4 (M5 F4) key by scores, 7 key by spend; 2 (R4 F5)
 * and 3 (R4 F4) active; 5, 6, 8, 9, 10 and 11 (ordered, outside the window) occasional;
 * 12 registered. */
static void test_quintiles(void **state)
{
	(void)state;
	struct rfm_customer c[12];
	struct rfm_result res[12];
	struct rfm_config cfg;
	struct rfm_rule rules[8];
	dataset(c);
	rfm_config_default(&cfg);
	assert_int_equal(rfm_config_check(&cfg), 0);
	size_t nr = rfm_rules_default(rules, 200000);
	assert_int_equal(rfm_score(c, 12, NOW, &cfg, rules, nr, res), 0);
	enum { K = RFM_TIER_KEY, A = RFM_TIER_ACTIVE, O = RFM_TIER_OCCASIONAL, G = RFM_TIER_REGISTERED };
	static const int exp[12][5] = {
		{ 5, 5, 5, RFM_SEG_IMPORTANT_VALUE, K }, { 4, 5, 4, RFM_SEG_IMPORTANT_VALUE, A },
		{ 4, 4, 3, RFM_SEG_IMPORTANT_VALUE, A }, { 4, 4, 5, RFM_SEG_IMPORTANT_VALUE, K },
		{ 3, 3, 3, RFM_SEG_IMPORTANT_VALUE, O }, { 3, 2, 2, RFM_SEG_GENERAL_DEVELOP, O },
		{ 2, 1, 4, RFM_SEG_IMPORTANT_RETAIN, K }, { 2, 1, 1, RFM_SEG_GENERAL_RETAIN, O },
		{ 1, 1, 1, RFM_SEG_GENERAL_RETAIN, O },	 { 1, 2, 2, RFM_SEG_GENERAL_RETAIN, O },
		{ 0, 0, 0, RFM_SEG_NONE, O },		 { 0, 0, 0, RFM_SEG_NONE, G },
	};
	check(res, exp);
	assert_int_equal(res[0].days_since, 1);
	assert_int_equal(res[10].days_since, 500);
	assert_int_equal(res[11].days_since, -1);
}

/* Thresholds R 7/30/90/180 days, F 2/3/5/10 orders, M 10000/50000/200000/1000000 cents.
 *  R: 1,3,3 -> 5; 10,20 -> 4; 45,60 -> 3; 100 -> 2; 200,300 -> 1.
 *  F (1 + cuts reached): 12 -> 5; 8,5,5 -> 4; 3 -> 3; 2 -> 2; 1 -> 1.
 *  M: 500000, 300000, 200000 -> 4; 120000, 90000 -> 3; 15000 -> 2; 9000 and less -> 1.
 * Segments: 1-4 important value; 5 (4,3,2) general value; 6 (3,2,1) general develop;
 * 7 (3,1,4) important develop; 8-10 general retain.
 * Tiers: nobody has M5, so key is by spend >= 200000: 1, 4, 7; active (R>=4, F>=2): 2, 3, 5;
 * the rest occasional, 12 registered. */
static void test_thresholds(void **state)
{
	(void)state;
	struct rfm_customer c[12];
	struct rfm_result res[12];
	struct rfm_config cfg;
	struct rfm_rule rules[8];
	dataset(c);
	rfm_config_default(&cfg);
	cfg.mode = RFM_THRESHOLDS;
	assert_int_equal(rfm_config_check(&cfg), 0);
	size_t nr = rfm_rules_default(rules, 200000);
	assert_int_equal(rfm_score(c, 12, NOW, &cfg, rules, nr, res), 0);
	enum { K = RFM_TIER_KEY, A = RFM_TIER_ACTIVE, O = RFM_TIER_OCCASIONAL, G = RFM_TIER_REGISTERED };
	static const int exp[12][5] = {
		{ 5, 5, 4, RFM_SEG_IMPORTANT_VALUE, K },   { 5, 4, 3, RFM_SEG_IMPORTANT_VALUE, A },
		{ 5, 4, 3, RFM_SEG_IMPORTANT_VALUE, A },   { 4, 4, 4, RFM_SEG_IMPORTANT_VALUE, K },
		{ 4, 3, 2, RFM_SEG_GENERAL_VALUE, A },	   { 3, 2, 1, RFM_SEG_GENERAL_DEVELOP, O },
		{ 3, 1, 4, RFM_SEG_IMPORTANT_DEVELOP, K }, { 2, 1, 1, RFM_SEG_GENERAL_RETAIN, O },
		{ 1, 1, 1, RFM_SEG_GENERAL_RETAIN, O },	   { 1, 2, 1, RFM_SEG_GENERAL_RETAIN, O },
		{ 0, 0, 0, RFM_SEG_NONE, O },		   { 0, 0, 0, RFM_SEG_NONE, G },
	};
	check(res, exp);
	/* A boundary value is inclusive: exactly 7 days scores 5, 8 days 4. */
	c[0].last_order_at = NOW - 7 * DAY;
	c[1].last_order_at = NOW - 8 * DAY;
	assert_int_equal(rfm_score(c, 12, NOW, &cfg, rules, nr, res), 0);
	assert_int_equal(res[0].r, 5);
	assert_int_equal(res[1].r, 4);
}

/* Every high/low combination maps to its own segment, and "high" is configurable. */
static void test_segments(void **state)
{
	(void)state;
	assert_int_equal(rfm_segment_of(3, 3, 3, 3), RFM_SEG_IMPORTANT_VALUE);
	assert_int_equal(rfm_segment_of(3, 2, 3, 3), RFM_SEG_IMPORTANT_DEVELOP);
	assert_int_equal(rfm_segment_of(2, 3, 3, 3), RFM_SEG_IMPORTANT_KEEP);
	assert_int_equal(rfm_segment_of(2, 2, 3, 3), RFM_SEG_IMPORTANT_RETAIN);
	assert_int_equal(rfm_segment_of(5, 5, 2, 3), RFM_SEG_GENERAL_VALUE);
	assert_int_equal(rfm_segment_of(5, 1, 1, 3), RFM_SEG_GENERAL_DEVELOP);
	assert_int_equal(rfm_segment_of(1, 5, 1, 3), RFM_SEG_GENERAL_KEEP);
	assert_int_equal(rfm_segment_of(1, 1, 1, 3), RFM_SEG_GENERAL_RETAIN);
	assert_int_equal(rfm_segment_of(3, 3, 3, 4), RFM_SEG_GENERAL_RETAIN);
	assert_int_equal(rfm_segment_of(0, 3, 3, 3), RFM_SEG_NONE);
	assert_string_equal(rfm_segment_name(RFM_SEG_IMPORTANT_VALUE, "zh-CN"), "重要价值客户");
	assert_string_equal(rfm_segment_name(RFM_SEG_IMPORTANT_KEEP, "zh-TW"), "重要保持客戶");
	assert_string_equal(rfm_segment_name(RFM_SEG_GENERAL_RETAIN, "zh-CN"), "一般挽留客户");
	assert_string_equal(rfm_segment_key(RFM_SEG_IMPORTANT_DEVELOP), "important_develop");
	assert_null(rfm_segment_name(RFM_SEG_COUNT, "en"));
	assert_string_equal(rfm_tier_name(RFM_TIER_KEY, "zh-CN"), "大客户");
	assert_string_equal(rfm_tier_name(RFM_TIER_REGISTERED, "zh-TW"), "註冊客戶");
	assert_string_equal(rfm_tier_name(RFM_TIER_ACTIVE, "fr"), "Active");
	assert_int_equal(rfm_tier_from_key("occasional"), RFM_TIER_OCCASIONAL);
	assert_int_equal(rfm_tier_from_key("none"), RFM_TIER_NONE);
}

static void score_f(const int64_t *orders, size_t n, int *out)
{
	struct rfm_customer c[8];
	struct rfm_result res[8];
	struct rfm_config cfg;
	rfm_config_default(&cfg);
	for (size_t i = 0; i < n; i++) {
		c[i] = (struct rfm_customer){ .id = (int64_t)i, .last_order_at = NOW - DAY, .orders = orders[i],
					      .spent_cents = 100 * orders[i] };
	}
	assert_int_equal(rfm_score(c, n, NOW, &cfg, NULL, 0, res), 0);
	for (size_t i = 0; i < n; i++) {
		out[i] = res[i].f;
		assert_int_equal(res[i].m, res[i].f); /* M follows the same ranks as F here */
		assert_int_equal(res[i].tier, RFM_TIER_NONE); /* no rules: no tier */
	}
}

/* Small and degenerate populations: one customer and all-equal values score 1 (the worst
 * value always scores 1); three distinct values score 1, 2 (1 + 5/3), 4 (1 + 10/3); four
 * score 1..4; order of input does not matter; zero customers and nobody with orders work. */
static void test_edges(void **state)
{
	(void)state;
	int s[8];
	score_f((const int64_t[]){ 7 }, 1, s);
	assert_int_equal(s[0], 1);
	score_f((const int64_t[]){ 4, 4, 4, 4, 4, 4, 4 }, 7, s);
	for (int i = 0; i < 7; i++)
		assert_int_equal(s[i], 1);
	score_f((const int64_t[]){ 3, 1, 2 }, 3, s);
	assert_int_equal(s[0], 4);
	assert_int_equal(s[1], 1);
	assert_int_equal(s[2], 2);
	score_f((const int64_t[]){ 9, 2, 5, 1 }, 4, s);
	assert_int_equal(s[0], 4);
	assert_int_equal(s[1], 2);
	assert_int_equal(s[2], 3);
	assert_int_equal(s[3], 1);
	/* ties at a boundary: 1,2,2,2,3 -> p0 1; p1 (2s) 1 + 5/5 = 2; p4 1 + 20/5 = 5 */
	score_f((const int64_t[]){ 2, 3, 2, 1, 2 }, 5, s);
	assert_int_equal(s[0], 2);
	assert_int_equal(s[1], 5);
	assert_int_equal(s[2], 2);
	assert_int_equal(s[3], 1);
	assert_int_equal(s[4], 2);

	struct rfm_config cfg;
	struct rfm_rule rules[8];
	struct rfm_result res[2];
	rfm_config_default(&cfg);
	size_t nr = rfm_rules_default(rules, 1000);
	assert_int_equal(rfm_score(NULL, 0, NOW, &cfg, rules, nr, res), 0);
	struct rfm_customer none[2] = { { .id = 1 }, { .id = 2, .last_order_at = NOW - 900 * DAY } };
	assert_int_equal(rfm_score(none, 2, NOW, &cfg, rules, nr, res), 0);
	assert_int_equal(res[0].r + res[0].f + res[0].m + res[0].segment, 0);
	assert_int_equal(res[0].tier, RFM_TIER_REGISTERED);
	assert_int_equal(res[1].tier, RFM_TIER_OCCASIONAL);
	assert_int_equal(res[1].days_since, 900);
	/* A future timestamp (clock skew) counts as today, not negative days. */
	struct rfm_customer fut = { .id = 3, .last_order_at = NOW + DAY, .orders = 1, .spent_cents = 1 };
	assert_int_equal(rfm_score(&fut, 1, NOW, &cfg, rules, nr, res), 0);
	assert_int_equal(res[0].days_since, 0);
}

static void test_config_check(void **state)
{
	(void)state;
	struct rfm_config cfg;
	rfm_config_default(&cfg);
	assert_int_equal(rfm_window_start(&cfg, NOW), NOW - 365 * DAY);
	cfg.mode = RFM_THRESHOLDS;
	cfg.f_cuts[2] = cfg.f_cuts[1]; /* not strictly ascending */
	assert_int_equal(rfm_config_check(&cfg), -1);
	rfm_config_default(&cfg);
	cfg.high = 6;
	assert_int_equal(rfm_config_check(&cfg), -1);
	rfm_config_default(&cfg);
	cfg.window_days = 0;
	assert_int_equal(rfm_config_check(&cfg), -1);
}

static int parse(const char *json, struct rfm_rule *out, size_t *n, char *err)
{
	return rfm_rules_parse(json, strlen(json), out, n, err, 160);
}

/* Rules from JSON: a valid list applies in order (first match wins); every bad input names the
 * rule and the field. */
static void test_rules_json(void **state)
{
	(void)state;
	struct rfm_rule rules[RFM_RULES_MAX];
	size_t n = 0;
	char err[160];
	assert_int_equal(parse("[{\"tier\":\"key\",\"spent_min\":100000,\"days_since_max\":30},"
			       "{\"tier\":\"active\",\"r_min\":4,\"orders_min\":2},"
			       "{\"tier\":\"registered\",\"ever\":false},{\"tier\":\"occasional\"}]",
			       rules, &n, err),
			 0);
	assert_int_equal(n, 4);
	assert_int_equal(rules[0].tier, RFM_TIER_KEY);
	assert_int_equal(rules[0].spent_min, 100000);
	assert_int_equal(rules[0].r_min, 0);
	assert_int_equal(rules[1].orders_min, 2);
	assert_int_equal(rules[1].days_since_max, -1);
	assert_int_equal(rules[2].ever, 0);
	assert_int_equal(rules[3].ever, -1);

	struct rfm_customer c[12];
	struct rfm_result res[12];
	struct rfm_config cfg;
	dataset(c);
	rfm_config_default(&cfg);
	assert_int_equal(rfm_score(c, 12, NOW, &cfg, rules, n, res), 0);
	/* 1 and 4 spent >= 100000 within 30 days -> key; 2 too (120000, 3 days); 7 spent more but
	 * 60 days ago -> not key; 3 (R4, 5 orders) active; 11 ordered once -> occasional, 12 never. */
	static const int tiers[12] = { 1, 1, 2, 1, 3, 3, 3, 3, 3, 3, 3, 4 };
	for (int i = 0; i < 12; i++) {
		if (res[i].tier != tiers[i])
			fail_msg("customer %d: tier %d, expected %d", i + 1, res[i].tier, tiers[i]);
	}

	static const struct {
		const char *json, *err;
	} bad[] = {
		{ "{", "rules: not JSON" },
		{ "{}", "rules: must be an array" },
		{ "[]", "rules: must be an array" },
		{ "[1]", "rules[0]: must be an object" },
		{ "[{\"r_min\":1}]", "rules[0].tier:" },
		{ "[{\"tier\":\"gold\"}]", "rules[0].tier:" },
		{ "[{\"tier\":\"none\"}]", "rules[0].tier:" },
		{ "[{\"tier\":\"key\"},{\"tier\":\"key\",\"r_min\":6}]", "rules[1].r_min:" },
		{ "[{\"tier\":\"key\",\"f_min\":\"3\"}]", "rules[0].f_min:" },
		{ "[{\"tier\":\"key\",\"m_min\":-1}]", "rules[0].m_min:" },
		{ "[{\"tier\":\"key\",\"spent_min\":1.5}]", "rules[0].spent_min:" },
		{ "[{\"tier\":\"key\",\"orders_min\":-3}]", "rules[0].orders_min:" },
		{ "[{\"tier\":\"key\",\"days_since_max\":-2}]", "rules[0].days_since_max:" },
		{ "[{\"tier\":\"key\",\"ever\":1}]", "rules[0].ever:" },
		{ "[{\"tier\":\"key\",\"colour\":1}]", "rules[0].colour: unknown field" },
		{ "[{\"tier\":\"key\",\"tier\":\"active\"}]", "rules: not JSON" },
	};
	for (size_t i = 0; i < KF_ARRAY_LEN(bad); i++) {
		err[0] = 0;
		if (parse(bad[i].json, rules, &n, err) != -1)
			fail_msg("%s was accepted", bad[i].json);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
			fail_msg("%s: error \"%s\", expected it to start with \"%s\"", bad[i].json, err, bad[i].err);
	}
	char many[4096];
	size_t len = 0;
	for (int i = 0; i <= RFM_RULES_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof many - len, "%s{\"tier\":\"key\"}", i ? "," : "[");
	snprintf(many + len, sizeof many - len, "]");
	assert_int_equal(parse(many, rules, &n, err), -1);
	assert_non_null(strstr(err, "1 to 32 rules"));
}

/* The change detector lists only moves, and flags a key account leaving the key tier. */
static void test_changes(void **state)
{
	(void)state;
	const int64_t ids[5] = { 10, 11, 12, 13, 14 };
	const int old_t[5] = { RFM_TIER_KEY, RFM_TIER_ACTIVE, RFM_TIER_KEY, RFM_TIER_NONE, RFM_TIER_OCCASIONAL };
	const int new_t[5] = { RFM_TIER_ACTIVE, RFM_TIER_ACTIVE, RFM_TIER_KEY, RFM_TIER_REGISTERED, RFM_TIER_KEY };
	struct rfm_change ch[5];
	assert_int_equal(rfm_changes(ids, old_t, new_t, 5, ch), 3);
	assert_int_equal(ch[0].id, 10);
	assert_int_equal(ch[0].from, RFM_TIER_KEY);
	assert_int_equal(ch[0].to, RFM_TIER_ACTIVE);
	assert_true(ch[0].key_lost);
	assert_int_equal(ch[1].id, 13);
	assert_false(ch[1].key_lost);
	assert_int_equal(ch[2].id, 14);
	assert_int_equal(ch[2].to, RFM_TIER_KEY);
	assert_false(ch[2].key_lost);
	assert_int_equal(rfm_changes(ids, old_t, old_t, 5, ch), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quintiles), cmocka_unit_test(test_thresholds), cmocka_unit_test(test_segments),
		cmocka_unit_test(test_edges),	  cmocka_unit_test(test_config_check), cmocka_unit_test(test_rules_json),
		cmocka_unit_test(test_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
