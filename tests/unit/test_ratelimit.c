/* tests/unit/test_ratelimit.c - core/ratelimit.c: fixed-window counters by key. */
#include "testutil.h"
#include "core/ratelimit.h"

#define T0 1700000000

static void test_ratelimit_allows_up_to_limit(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(3, 60);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ratelimit_check(rl, "ip:1.2.3.4", T0), 0);
		ratelimit_hit(rl, "ip:1.2.3.4", T0);
	}
	assert_int_not_equal(ratelimit_check(rl, "ip:1.2.3.4", T0), 0);
	ratelimit_free(rl);
}

static void test_ratelimit_check_does_not_count(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(1, 60);
	for (int i = 0; i < 100; i++)
		assert_int_equal(ratelimit_check(rl, "k", T0), 0);
	ratelimit_hit(rl, "k", T0);
	assert_int_not_equal(ratelimit_check(rl, "k", T0), 0);
	ratelimit_free(rl);
}

static void test_ratelimit_wait_counts_down_to_window_end(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(2, 60);
	ratelimit_hit(rl, "e:a@b.c", T0);
	ratelimit_hit(rl, "e:a@b.c", T0 + 10);   /* the window started at the first hit */
	assert_int_equal(ratelimit_check(rl, "e:a@b.c", T0 + 10), 50);
	assert_int_equal(ratelimit_check(rl, "e:a@b.c", T0 + 30), 30);
	assert_int_equal(ratelimit_check(rl, "e:a@b.c", T0 + 59), 1);
	assert_int_equal(ratelimit_check(rl, "e:a@b.c", T0 + 60), 0);   /* a new window */
	ratelimit_free(rl);
}

static void test_ratelimit_new_window_starts_fresh(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(2, 10);
	ratelimit_hit(rl, "k", T0);
	ratelimit_hit(rl, "k", T0);
	assert_int_not_equal(ratelimit_check(rl, "k", T0 + 5), 0);
	/* after the window one hit is allowed again, and the count starts at one */
	ratelimit_hit(rl, "k", T0 + 10);
	assert_int_equal(ratelimit_check(rl, "k", T0 + 10), 0);
	ratelimit_hit(rl, "k", T0 + 11);
	assert_int_equal(ratelimit_check(rl, "k", T0 + 11), 9);
	ratelimit_free(rl);
}

static void test_ratelimit_keys_are_independent(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(1, 60);
	ratelimit_hit(rl, "ip:10.0.0.1", T0);
	assert_int_not_equal(ratelimit_check(rl, "ip:10.0.0.1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "ip:10.0.0.2", T0), 0);
	assert_int_equal(ratelimit_check(rl, "ip:10.0.0.1 ", T0), 0);
	assert_int_equal(ratelimit_check(rl, "", T0), 0);
	ratelimit_hit(rl, "", T0);
	assert_int_not_equal(ratelimit_check(rl, "", T0), 0);
	ratelimit_free(rl);
}

static void test_ratelimit_clear_forgets_key(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(1, 60);
	ratelimit_hit(rl, "a", T0);
	ratelimit_hit(rl, "b", T0);
	ratelimit_clear(rl, "a");
	assert_int_equal(ratelimit_check(rl, "a", T0), 0);
	assert_int_not_equal(ratelimit_check(rl, "b", T0), 0);
	ratelimit_clear(rl, "never-seen");
	ratelimit_free(rl);
}

static void test_ratelimit_many_keys_share_buckets(void **state)
{
	(void)state;
	/* far more keys than buckets: chains must keep each key's own count */
	struct ratelimit *rl = ratelimit_new(2, 60);
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "ip:10.%d.%d", i / 256, i % 256);
		ratelimit_hit(rl, key, T0);
		if (i % 2)
			ratelimit_hit(rl, key, T0);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "ip:10.%d.%d", i / 256, i % 256);
		if (i % 2)
			assert_int_not_equal(ratelimit_check(rl, key, T0 + 1), 0);
		else
			assert_int_equal(ratelimit_check(rl, key, T0 + 1), 0);
	}
	/* once every window passed, expired entries are dropped as buckets are walked */
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "ip:10.%d.%d", i / 256, i % 256);
		assert_int_equal(ratelimit_check(rl, key, T0 + 61), 0);
	}
	ratelimit_free(rl);   /* ASan's leak check covers what was dropped */
}

static void test_ratelimit_zero_window_means_60s(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(1, 0);
	ratelimit_hit(rl, "k", T0);
	assert_int_equal(ratelimit_check(rl, "k", T0), 60);
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratelimit_allows_up_to_limit),
		cmocka_unit_test(test_ratelimit_check_does_not_count),
		cmocka_unit_test(test_ratelimit_wait_counts_down_to_window_end),
		cmocka_unit_test(test_ratelimit_new_window_starts_fresh),
		cmocka_unit_test(test_ratelimit_keys_are_independent),
		cmocka_unit_test(test_ratelimit_clear_forgets_key),
		cmocka_unit_test(test_ratelimit_many_keys_share_buckets),
		cmocka_unit_test(test_ratelimit_zero_window_means_60s),
	};
	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
