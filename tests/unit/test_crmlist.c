/* tests/unit/test_crmlist.c - the CRM page's reads (store/store_crmlist.c) on a fresh, migrated
 * database with hand-inserted rows: the tier-changes feed's "step down" order (key > active >
 * occasional > registered > none, so a drop to none is a drop and none -> registered is not),
 * its from-tier filter and newest-first order; the timeline's merge of orders, chats, page
 * visits (one entry per visitor and UTC day), points, tier and level history, newest first and
 * bounded by before; and the list's level filter reading the newest level-history row. */
#include "testutil.h"
#include "core/kf.h"
#include "core/log.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store/store_crmlist.h"
#include "store/store_int.h"

#define DAY 86400
#define T0 1700000000   /* the visits below start at its UTC midnight, T0 - T0 % DAY */

static char dir[512], dbpath[600];
static struct store *st;

static void sql(const char *s)
{
	char *err = NULL;
	if (sqlite3_exec(st->db, s, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", s, err ? err : "?");
}

static int setup(void **state)
{
	(void)state;
	log_set_level_name("error");
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/kefu.db", dir);
	if (store_open(dbpath, &st) != 0 || store_migrate(st, NULL) != 0)
		return -1;
	sql("INSERT INTO sites (id, key, name, created_at) VALUES (1, 'k1', 'Shop', 0), (2, 'k2', 'Other', 0);"
	    "INSERT INTO customers (id, site_id, name, created_at, updated_at) VALUES (1, 1, 'A', 0, 0), "
	    "(2, 1, 'B', 0, 0), (3, 1, 'C', 0, 0), (4, 2, 'D', 0, 0);");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	tu_rmtree(dir);
	return 0;
}

struct seen {
	struct store_tier_change c[8];
	int n;
};

static int keep(void *ud, const struct store_tier_change *c)
{
	struct seen *s = ud;
	if (s->n < 8)
		s->c[s->n++] = *c;
	return 0;
}

static void test_tier_changes(void **state)
{
	(void)state;
	/* tiers: 0 none, 1 key, 2 active, 3 occasional, 4 registered */
	sql("INSERT INTO customer_tier_history (customer_id, from_tier, to_tier, at) VALUES "
	    "(1, 1, 3, 100), "   /* key -> occasional: a drop from key */
	    "(2, 4, 0, 200), "   /* registered -> none: a drop (none is below every tier) */
	    "(3, 0, 4, 300), "   /* none -> registered: a step up */
	    "(3, 2, 1, 400), "   /* active -> key: up */
	    "(1, 1, 2, 500), "   /* key -> active: a drop from key, the newest */
	    "(4, 1, 4, 600);");  /* another site's */
	struct seen s = { .n = 0 };
	assert_int_equal(store_crmlist_tier_changes(st, 1, 1, -1, 50, keep, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.c[0].at, 500);   /* newest first */
	assert_int_equal(s.c[1].at, 200);
	assert_int_equal(s.c[2].at, 100);
	assert_string_equal(s.c[0].name, "A");
	s.n = 0;
	assert_int_equal(store_crmlist_tier_changes(st, 1, 1, 1, 50, keep, &s), 0);   /* drops from key */
	assert_int_equal(s.n, 2);
	assert_int_equal(s.c[0].to, 2);
	assert_int_equal(s.c[1].to, 3);
	s.n = 0;
	assert_int_equal(store_crmlist_tier_changes(st, 1, 0, -1, 2, keep, &s), 0);   /* all, limit 2 */
	assert_int_equal(s.n, 2);
	assert_int_equal(s.c[0].at, 500);
	assert_int_equal(s.c[1].at, 400);
}

struct items {
	struct store_timeline_item v[16];
	int n;
};

static int keep_item(void *ud, const struct store_timeline_item *it)
{
	struct items *x = ud;
	if (x->n < 16)
		x->v[x->n++] = *it;
	return 0;
}

static void test_timeline(void **state)
{
	(void)state;
	int64_t day0 = (int64_t)(T0 - T0 % DAY);
	char q[2048];
	sql("INSERT INTO visitors (id, site_id, token_hash, created_at, last_seen) VALUES (10, 1, 'h10', 0, 0), (11, 1, 'h11', 0, 0);"
	    "INSERT INTO customer_visitors (visitor_id, customer_id, active, linked_at) VALUES (10, 2, 1, 0), (11, 3, 1, 0);");
	snprintf(q, sizeof(q),
		 "INSERT INTO orders (site_id, number, customer_id, status, currency, total_cents, placed_at, updated_at, raw_hash) "
		 "VALUES (1, 'SO-1', 2, 'delivered', 'CNY', 1000, %lld, 0, 'x'), (1, 'SO-2', 3, 'paid', 'CNY', 5, %lld, 0, 'y');"
		 "INSERT INTO conversations (site_id, visitor_id, status, created_at, updated_at, last_text) VALUES "
		 "(1, 10, 'closed', %lld, 0, 'hello'), (1, 11, 'closed', %lld, 0, 'not B');"
		 "INSERT INTO track_pageviews (site_id, visitor_id, at, url, title, seconds) VALUES "
		 "(1, 10, %lld, 'https://s/a', 'A', 5), (1, 10, %lld, 'https://s/b', 'B', 7), (1, 10, %lld, 'https://s/c', 'C', 1);"
		 "INSERT INTO points_ledger (site_id, customer_id, delta, reason, note, created_at) VALUES (1, 2, 10, 'adjust', 'hi', %lld);"
		 "INSERT INTO customer_levels_history (customer_id, level_id, level_name, from_name, at) VALUES (2, 7, 'Gold', '', %lld);",
		 (long long)(day0 + 10), (long long)(day0 + 11), (long long)(day0 + 50), (long long)(day0 + 51),
		 (long long)(day0 + 100) * 1000, (long long)(day0 + 200) * 1000, (long long)(day0 + DAY + 5) * 1000,
		 (long long)(day0 + 60), (long long)(day0 + 70));
	sql(q);
	struct items x = { .n = 0 };
	assert_int_equal(store_crmlist_timeline(st, 2, INT64_MAX, 50, keep_item, &x), 0);
	/* B (customer 2): visit day+1, visits day0 (2 views, first at +100), level +70, points +60,
	 * chat +50, order +10, and the tier change at 200 (1970) of test_tier_changes; customer 3's
	 * order and chat are not B's. */
	const char *kinds[] = { "visit", "visit", "level", "points", "chat", "order", "tier" };
	assert_int_equal(x.n, 7);
	for (int i = 0; i < 7; i++)
		assert_string_equal(x.v[i].kind, kinds[i]);
	assert_int_equal(x.v[1].at, day0 + 100);
	assert_int_equal(x.v[1].n1, 2);                      /* two page views that day */
	assert_int_equal(x.v[1].n2, 12);                     /* 5 + 7 seconds */
	assert_string_equal(x.v[1].a, "https://s/a");        /* the day's first page */
	assert_string_equal(x.v[2].a, "Gold");
	assert_int_equal(x.v[3].n1, 10);
	assert_string_equal(x.v[4].b, "hello");
	assert_string_equal(x.v[5].a, "SO-1");
	assert_int_equal(x.v[5].n1, 1000);
	x.n = 0;
	assert_int_equal(store_crmlist_timeline(st, 2, day0 + 60, 50, keep_item, &x), 0);   /* strictly before */
	assert_int_equal(x.n, 3);
	assert_string_equal(x.v[0].kind, "chat");
	assert_int_equal(x.v[2].n1, 4);   /* the tier entry: from registered ... */
	assert_int_equal(x.v[2].n2, 0);   /* ... to none */
	x.n = 0;
	assert_int_equal(store_crmlist_timeline(st, 2, INT64_MAX, 3, keep_item, &x), 0);
	assert_int_equal(x.n, 3);
}

static void test_level_filter(void **state)
{
	(void)state;
	/* A: Silver then Gold (current Gold); C: Gold then none (current none). */
	sql("INSERT INTO customer_levels_history (customer_id, level_id, level_name, at) VALUES (1, 5, 'Silver', 1), "
	    "(1, 7, 'Gold', 2), (3, 7, 'Gold', 3), (3, NULL, '', 4);");
	struct store_crmlist_filter f = { .q = "", .tier = -1, .segment = -1, .level_id = 7, .limit = 50 };
	int64_t total = -1, ids[8];
	size_t n = 0;
	assert_int_equal(store_crmlist_count(st, 1, &f, &total), 0);
	assert_int_equal(store_crmlist_page(st, 1, &f, ids, 8, &n), 0);
	/* customer 2 got Gold in test_timeline (its newest row) */
	assert_int_equal(total, 2);
	assert_int_equal(n, 2);
	assert_true((ids[0] == 1 && ids[1] == 2) || (ids[0] == 2 && ids[1] == 1));
	f.level_id = 5;
	assert_int_equal(store_crmlist_count(st, 1, &f, &total), 0);
	assert_int_equal(total, 0);   /* Silver is no longer A's level */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tier_changes),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_level_filter),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
