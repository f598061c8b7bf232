/* tests/unit/test_loyalty.c - the points arithmetic of crm/loyalty.c: the award of an order
 * (price x quantity x category percent, floored once over the whole order, not per item),
 * rule edge cases (no multiplier, 0%, other units, bad units, overflow), the level picker
 * and the expiry delta. Expected values are worked out by hand in the comments. */
#include "testutil.h"
#include "core/kf.h"
#include "crm/crm.h"
#include "store/store_crm.h"
#include "store/store_loyalty.h"
#include <jansson.h>

static struct store_order_item item(const char *cat, int64_t qty, int64_t price)
{
	struct store_order_item it;
	memset(&it, 0, sizeof(it));
	snprintf(it.category, sizeof(it.category), "%s", cat);
	it.quantity = qty;
	it.price_cents = price;
	return it;
}

static void test_points(void **state)
{
	(void)state;
	json_t *m = json_pack("{s:i,s:i}", "tea", 200, "gift", 0);
	struct store_order_item its[3] = { item("tea", 2, 9950), item("ware", 1, 20099), item("gift", 5, 100000) };
	int64_t p = -1;
	/* tea 2 x 99.50 x 2 = 398.00, ware 200.99 x 1, gift x 0: floor(598.99) = 598 */
	assert_int_equal(crm_loyalty_points(its, 3, 1, 100, m, &p), 0);
	assert_int_equal(p, 598);
	/* without multipliers: 199.00 + 200.99 + 5000.00 = 5399.99 -> 5399 */
	assert_int_equal(crm_loyalty_points(its, 3, 1, 100, NULL, &p), 0);
	assert_int_equal(p, 5399);
	/* floored once over the order: two items of 0.60 earn 1 point, not 0 + 0 */
	struct store_order_item two[2] = { item("x", 1, 60), item("y", 1, 60) };
	assert_int_equal(crm_loyalty_points(two, 2, 1, 100, NULL, &p), 0);
	assert_int_equal(p, 1);
	/* 3 points per 10 yuan: 598.99 -> floor(179.697) = 179 */
	assert_int_equal(crm_loyalty_points(its, 2, 3, 1000, m, &p), 0);
	assert_int_equal(p, 179);
	/* an empty order and a 0-points rule earn 0 */
	assert_int_equal(crm_loyalty_points(its, 0, 1, 100, m, &p), 0);
	assert_int_equal(p, 0);
	assert_int_equal(crm_loyalty_points(its, 3, 0, 100, m, &p), 0);
	assert_int_equal(p, 0);
	json_decref(m);
}

static void test_points_errors(void **state)
{
	(void)state;
	struct store_order_item big = item("x", 10000, INT64_C(1000000000000));   /* 10^16 cents */
	json_t *m = json_pack("{s:i}", "x", 1000);
	int64_t p = 42;
	assert_int_equal(crm_loyalty_points(&big, 1, 1, 0, NULL, &p), KF_EINVAL);
	assert_int_equal(crm_loyalty_points(&big, 1, -1, 100, NULL, &p), KF_EINVAL);
	/* 10^16 cents x 10 x 10000 per cent: past int64 */
	assert_int_equal(crm_loyalty_points(&big, 1, 10000, 1, m, &p), KF_ETOOBIG);
	assert_int_equal(p, 42);
	/* the largest order still in range is exact: 10^16 cents x 1000% / 100 = 10^15 points */
	assert_int_equal(crm_loyalty_points(&big, 1, 1, 100, m, &p), 0);
	assert_int_equal(p, INT64_C(1000000000000000));
	json_t *bad = json_pack("{s:i}", "x", 1001);
	assert_int_equal(crm_loyalty_points(&big, 1, 1, 100, bad, &p), KF_EINVAL);
	json_decref(bad);
	json_decref(m);
}

static void test_levels(void **state)
{
	(void)state;
	struct store_level lv[3];
	memset(lv, 0, sizeof(lv));
	lv[1].min_points = 500;
	lv[2].min_spend_cents = 100000;
	lv[2].min_points = 1000;
	int64_t spend[3] = { 0, 0, 200000 }, pts[3] = { 0, 499, 999 };
	assert_int_equal(crm_loyalty_pick_level(lv, spend, pts, 3), 0);
	pts[1] = 500;
	assert_int_equal(crm_loyalty_pick_level(lv, spend, pts, 3), 1);
	pts[2] = 1000;      /* both thresholds reached */
	assert_int_equal(crm_loyalty_pick_level(lv, spend, pts, 3), 2);
	assert_int_equal(crm_loyalty_pick_level(lv, spend, pts, 0), -1);
	lv[0].min_points = 1;
	int64_t none[1] = { 0 };
	assert_int_equal(crm_loyalty_pick_level(lv, none, none, 1), -1);
}

static void test_expire(void **state)
{
	(void)state;
	assert_int_equal(crm_loyalty_expire_delta(100, 250), -100);
	assert_int_equal(crm_loyalty_expire_delta(100, 30), -30);    /* 70 were spent: not clawed back */
	assert_int_equal(crm_loyalty_expire_delta(100, 0), 0);
	assert_int_equal(crm_loyalty_expire_delta(100, -5), 0);
	assert_int_equal(crm_loyalty_expire_delta(0, 50), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_points), cmocka_unit_test(test_points_errors), cmocka_unit_test(test_levels),
		cmocka_unit_test(test_expire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
