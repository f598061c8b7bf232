/* tests/unit/test_workflow.c - ticket/workflow.c's after-sales rules on their own: the return
 * and exchange windows from the delivered time, undelivered orders, excluded categories,
 * final-sale SKUs, opened items, quantities, one open request per item, the repair warranty in
 * calendar months, the rules' JSON, the state machines (only the allowed moves pass) and the
 * customer's language from a tag. */
#include "testutil.h"
#include "ticket/workflow.h"
#include "core/kf.h"

#define T0 1700000000   /* the delivered push */

static const struct wf_line lines[] = {
	{ "CUP-1", "drinkware", 2 },
	{ "EAR-1", "audio", 1 },
	{ "SOCK-1", "underwear", 3 },
	{ "CUP-1", "drinkware", 1 },   /* the same SKU on a second line: 3 bought in all */
};

static struct wf_order order(const char *status)
{
	struct wf_order o = { status, T0, lines, KF_ARRAY_LEN(lines) };
	return o;
}

static struct wf_rules rules(void)
{
	struct wf_rules r;
	wf_rules_default(&r);
	snprintf(r.no_return[0], sizeof(r.no_return[0]), "underwear");
	r.n_no_return = 1;
	snprintf(r.final_sale[0], sizeof(r.final_sale[0]), "EAR-1");
	r.n_final_sale = 1;
	return r;
}

/* The reasons of one check, as "code:sku code:sku". */
static const char *check(const struct wf_rules *r, const struct wf_order *o, const struct wf_pick *p, size_t n,
			 int exchange, int64_t now)
{
	static char s[512];
	struct wf_reason rs[WF_MAX_REASONS];
	size_t k = wf_check_return(r, o, p, n, exchange, now, rs, WF_MAX_REASONS);
	s[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		size_t l = strlen(s);
		snprintf(s + l, sizeof(s) - l, "%s%s:%s", l ? " " : "", rs[i].code, rs[i].sku);
	}
	return s;
}

static void test_return_inside_window_is_eligible(void **state)
{
	(void)state;
	struct wf_rules r = rules();
	struct wf_order o = order("delivered");
	struct wf_pick p[] = { { "CUP-1", 3, 0, 0 } };
	assert_string_equal(check(&r, &o, p, 1, 0, T0 + 7 * WF_DAY), "");   /* the last second of day 7 */
	assert_string_equal(check(&r, &o, p, 1, 0, T0 + 1), "");
}

static void test_return_outside_window_is_refused(void **state)
{
	(void)state;
	struct wf_rules r = rules();
	struct wf_order o = order("delivered");
	struct wf_pick p[] = { { "CUP-1", 1, 0, 0 } };
	assert_string_equal(check(&r, &o, p, 1, 0, T0 + 7 * WF_DAY + 1), "window_closed:");
	/* an exchange has its own, longer window */
	assert_string_equal(check(&r, &o, p, 1, 1, T0 + 10 * WF_DAY), "");
	assert_string_equal(check(&r, &o, p, 1, 1, T0 + 15 * WF_DAY + 1), "window_closed:");
}

static void test_undelivered_order_is_refused(void **state)
{
	(void)state;
	struct wf_rules r = rules();
	struct wf_pick p[] = { { "CUP-1", 1, 0, 0 } };
	const char *st[] = { "paid", "shipped", "cancelled", "returned" };
	for (size_t i = 0; i < KF_ARRAY_LEN(st); i++) {
		struct wf_order o = order(st[i]);
		assert_string_equal(check(&r, &o, p, 1, 0, T0 + 60), "not_delivered:");
	}
}

static void test_excluded_category_and_final_sale(void **state)
{
	(void)state;
	struct wf_rules r = rules();
	struct wf_order o = order("delivered");
	struct wf_pick p[] = { { "SOCK-1", 1, 0, 0 }, { "EAR-1", 1, 0, 0 } };
	assert_string_equal(check(&r, &o, p, 2, 0, T0 + 60), "category_excluded:SOCK-1 final_sale:EAR-1");
	/* an exchange of underwear is the shop's call to allow; final sale is neither */
	assert_string_equal(check(&r, &o, p, 2, 1, T0 + 60), "final_sale:EAR-1");
	r.exclude_final_sale = 0;
	assert_string_equal(check(&r, &o, p + 1, 1, 0, T0 + 60), "");
}

static void test_quantity_and_unknown_items(void **state)
{
	(void)state;
	struct wf_rules r = rules();
	struct wf_order o = order("delivered");
	struct wf_pick p[] = { { "CUP-1", 4, 0, 0 }, { "NOPE", 1, 0, 0 }, { "CUP-1", 0, 0, 0 } };
	assert_string_equal(check(&r, &o, p, 3, 0, T0 + 60), "quantity:CUP-1 unknown_item:NOPE quantity:CUP-1");
	assert_string_equal(check(&r, &o, p, 0, 0, T0 + 60), "no_items:");
}

static void test_one_open_request_per_item(void **state)
{
	(void)state;
	struct wf_rules r = rules();
	struct wf_order o = order("delivered");
	/* 3 cups bought, 2 already in an open request: 1 more may be asked, not 2 */
	struct wf_pick ok[] = { { "CUP-1", 1, 0, 2 } }, bad[] = { { "CUP-1", 2, 0, 2 } };
	assert_string_equal(check(&r, &o, ok, 1, 0, T0 + 60), "");
	assert_string_equal(check(&r, &o, bad, 1, 0, T0 + 60), "open_request:CUP-1");
}

static void test_opened_items_when_excluded(void **state)
{
	(void)state;
	struct wf_rules r = rules();
	struct wf_order o = order("delivered");
	struct wf_pick p[] = { { "CUP-1", 1, 1, 0 } };
	assert_string_equal(check(&r, &o, p, 1, 0, T0 + 60), "");
	r.exclude_opened = 1;
	assert_string_equal(check(&r, &o, p, 1, 0, T0 + 60), "opened:CUP-1");
}

static void test_warranty_in_calendar_months(void **state)
{
	(void)state;
	struct wf_rules r;
	wf_rules_default(&r);
	int64_t jan31 = 1706659200;   /* 2024-01-31 00:00 UTC */
	assert_true(wf_warranty_ok(&r, jan31, jan31 + 300 * WF_DAY));
	assert_true(wf_warranty_ok(&r, jan31, 1738281600));       /* 2025-01-31 00:00: the last moment */
	assert_false(wf_warranty_ok(&r, jan31, 1738281601));
	r.warranty_months = 1;                                   /* 2024 is a leap year: 29 Feb */
	assert_true(wf_warranty_ok(&r, jan31, 1709164800));       /* 2024-02-29 00:00 */
	assert_false(wf_warranty_ok(&r, jan31, 1709164801));
	r.warranty_months = 0;
	assert_false(wf_warranty_ok(&r, jan31, jan31 + 1));
}

static void test_rules_json(void **state)
{
	(void)state;
	struct wf_rules r;
	char err[200] = "";
	json_t *j = json_pack("{s:i,s:[s,s],s:b}", "return_days", 10, "no_return_categories", "food", "underwear",
			      "exclude_opened", 1);
	assert_int_equal(wf_rules_from_json(j, &r, err, sizeof(err)), 0);
	assert_int_equal(r.return_days, 10);
	assert_int_equal(r.exchange_days, 15);   /* missing: the default */
	assert_int_equal(r.n_no_return, 2);
	assert_string_equal(r.no_return[1], "underwear");
	assert_true(r.exclude_opened);
	json_t *back = wf_rules_to_json(&r);
	assert_int_equal(json_integer_value(json_object_get(back, "return_days")), 10);
	json_decref(back);
	json_object_set_new(j, "return_days", json_integer(400));
	assert_int_equal(wf_rules_from_json(j, &r, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "return_days"));
	json_object_set_new(j, "return_days", json_integer(7));
	json_object_set_new(j, "no_return_categories", json_pack("[s]", ""));
	assert_int_equal(wf_rules_from_json(j, &r, err, sizeof(err)), KF_EINVAL);
	json_decref(j);
}

static void test_return_state_machine(void **state)
{
	(void)state;
	assert_string_equal(wf_initial("return"), "requested");
	assert_true(wf_can_move("return", "requested", "approved"));
	assert_true(wf_can_move("return", "requested", "refused"));
	assert_true(wf_can_move("return", "approved", "goods_received"));
	assert_true(wf_can_move("return", "goods_received", "refunded"));
	assert_true(wf_can_move("return", "goods_received", "exchanged"));
	/* no skipping, no going back, nothing after the end */
	assert_false(wf_can_move("return", "requested", "goods_received"));
	assert_false(wf_can_move("return", "requested", "refunded"));
	assert_false(wf_can_move("return", "approved", "refunded"));
	assert_false(wf_can_move("return", "approved", "requested"));
	assert_false(wf_can_move("return", "refused", "approved"));
	assert_false(wf_can_move("return", "refunded", "exchanged"));
	assert_false(wf_can_move("repair", "requested", "approved"));
	assert_true(wf_final("return", "refused"));
	assert_true(wf_final("return", "refunded"));
	assert_false(wf_final("return", "approved"));
	assert_false(wf_final("return", "bogus"));
	const char *next[4];
	assert_int_equal(wf_next("return", "goods_received", next, 4), 2);
	assert_string_equal(next[0], "refunded");
	assert_true(wf_needs_reason("refused"));
	assert_false(wf_needs_reason("approved"));
}

static void test_repair_and_complaint_machines(void **state)
{
	(void)state;
	assert_string_equal(wf_initial("repair"), "received");
	assert_true(wf_can_move("repair", "received", "diagnosing"));
	assert_true(wf_can_move("repair", "diagnosing", "repairing"));
	assert_true(wf_can_move("repair", "repairing", "shipped_back"));
	assert_false(wf_can_move("repair", "received", "shipped_back"));
	assert_false(wf_can_move("repair", "shipped_back", "received"));
	assert_string_equal(wf_initial("complaint"), "open");
	assert_true(wf_can_move("complaint", "open", "resolved"));
	assert_false(wf_can_move("complaint", "resolved", "open"));
	assert_null(wf_initial("question"));
	assert_false(wf_can_move("question", "open", "resolved"));
}

static void test_texts_in_three_languages(void **state)
{
	(void)state;
	assert_string_equal(wf_reason_text("window_closed", "en"), "The time allowed after delivery has passed");
	assert_string_equal(wf_reason_text("final_sale", "zh-TW"), "清倉商品，不退不換");
	assert_string_equal(wf_reason_text("opened", "fr"), "已拆封商品不支持退货");   /* others: zh-CN */
	assert_string_equal(wf_state_text("goods_received", "zh-CN"), "已收到退货");
	assert_string_equal(wf_state_text("shipped_back", "en"), "Shipped back");
}

static void test_language_tags(void **state)
{
	(void)state;
	assert_string_equal(wf_lang("en-US", 5), "en");
	assert_string_equal(wf_lang("zh-TW", 5), "zh-TW");
	assert_string_equal(wf_lang("zh-Hant-HK", 10), "zh-TW");
	assert_string_equal(wf_lang("zh-hk", 5), "zh-TW");
	assert_string_equal(wf_lang("zh-CN", 5), "zh-CN");
	assert_string_equal(wf_lang("zh", 2), "zh-CN");
	assert_null(wf_lang("fr", 2));
	assert_null(wf_lang("english", 7));
	assert_null(wf_lang("zhx", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_return_inside_window_is_eligible),
		cmocka_unit_test(test_return_outside_window_is_refused),
		cmocka_unit_test(test_undelivered_order_is_refused),
		cmocka_unit_test(test_excluded_category_and_final_sale),
		cmocka_unit_test(test_quantity_and_unknown_items),
		cmocka_unit_test(test_one_open_request_per_item),
		cmocka_unit_test(test_opened_items_when_excluded),
		cmocka_unit_test(test_warranty_in_calendar_months),
		cmocka_unit_test(test_rules_json),
		cmocka_unit_test(test_return_state_machine),
		cmocka_unit_test(test_repair_and_complaint_machines),
		cmocka_unit_test(test_texts_in_three_languages),
		cmocka_unit_test(test_language_tags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
