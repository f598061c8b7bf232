/* tests/unit/test_crm.c - crm/order.c (money parsing, the order's validation and canonical
 * hash, phone digits) and store/store_crm.c's upsert: the same content writes nothing, a
 * change rewrites the order and replaces its items in one go. */
#include "testutil.h"
#include "core/kf.h"
#include "core/log.h"
#include "crm/crm.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_int.h"

static int64_t cents(const char *json)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	int64_t c = -1;
	int rc = crm_parse_cents(v, &c);
	json_decref(v);
	return rc == 0 ? c : -1;
}

static void test_money(void **state)
{
	(void)state;
	assert_int_equal(cents("0"), 0);
	assert_int_equal(cents("1999"), 1999);          /* integers are cents */
	assert_int_equal(cents("\"12\""), 1200);        /* strings are amounts */
	assert_int_equal(cents("\"12.5\""), 1250);
	assert_int_equal(cents("\"12.05\""), 1205);
	assert_int_equal(cents("\"0.99\""), 99);
	assert_int_equal(cents("\"10000000000.00\""), 1000000000000LL);
	const char *bad[] = { "-1", "12.5", "\"-1\"", "\"1.234\"", "\"1.\"", "\".5\"", "\"1e3\"", "\"\"", "\" 1\"",
			      "\"1,00\"", "\"10000000000.01\"", "1000000000001", "null", "true", "\"０.５\"" };
	for (size_t i = 0; i < KF_ARRAY_LEN(bad); i++) {
		if (cents(bad[i]) != -1)
			fail_msg("%s parsed as money", bad[i]);
	}
}

static void test_phone_and_number(void **state)
{
	(void)state;
	char d[16];
	crm_phone_digits("+86 (138) 0013-8000", d, sizeof(d));
	assert_string_equal(d, "8613800138000");
	crm_phone_digits("12345678901234567890", d, sizeof(d));
	assert_string_equal(d, "123456789012345");   /* cut to fit */
	assert_true(crm_number_ok("SO-1001_a"));
	assert_false(crm_number_ok(""));
	assert_false(crm_number_ok("a b"));
	assert_false(crm_number_ok("a/b"));
	char n65[66];
	memset(n65, 'a', 65);
	n65[65] = '\0';
	assert_false(crm_number_ok(n65));
	assert_true(crm_number_ok(n65 + 1));
}

#define BODY "{\"status\":\"paid\",\"currency\":\"CNY\",\"total\":\"10.50\",\"email\":\"A@B.cn\",\"placed_at\":1700000000," \
	     "\"items\":[{\"sku\":\"S1\",\"name\":\"Tea\",\"quantity\":2,\"price\":\"5.25\"}]," \
	     "\"customer\":{\"external_id\":\"u1\"}}"
/* BODY with its keys in another order */
#define BODY2 "{\"customer\":{\"external_id\":\"u1\"},\"items\":[{\"price\":\"5.25\",\"quantity\":2,\"name\":\"Tea\"," \
	      "\"sku\":\"S1\"}],\"placed_at\":\"2023-11-14T22:13:20Z\",\"email\":\"a@b.cn\",\"total_cents\":1050," \
	      "\"currency\":\"CNY\",\"status\":\"paid\"}"

/* Parses body as order SO-1 and hashes it into hash; 0 or the parse's error (msg in err). */
static int parse_hash(const char *body, struct store_order *o, char hash[65], char *err, size_t errsz)
{
	json_t *j = json_loads(body, 0, NULL), *cust = NULL;
	assert_non_null(j);
	int rc = crm_order_from_json(j, "SO-1", o, &cust, err, errsz);
	if (rc == 0)
		crm_order_hash(o, cust, hash);
	json_decref(cust);
	json_decref(j);
	return rc;
}

static void test_order_parse_and_hash(void **state)
{
	(void)state;
	struct store_order a, b;
	char ha[65], hb[65], err[200];
	assert_int_equal(parse_hash(BODY, &a, ha, err, sizeof(err)), 0);
	assert_int_equal(a.total_cents, 1050);
	assert_string_equal(a.email, "a@b.cn");
	assert_int_equal(a.nitems, 1);
	assert_int_equal(a.items[0].price_cents, 525);
	assert_int_equal(strlen(ha), 64);
	/* same content, other key order, other money and time spelling: the same hash */
	assert_int_equal(parse_hash(BODY2, &b, hb, err, sizeof(err)), 0);
	assert_string_equal(ha, hb);
	store_order_free(&b);
	/* any change of content changes it */
	const char *from[] = { "\"paid\"", "\"Tea\"", "\"quantity\":2", "\"u1\"", "\"CNY\"" };
	const char *to[] = { "\"shipped\"", "\"Tee\"", "\"quantity\":3", "\"u2\"", "\"USD\"" };
	for (size_t i = 0; i < KF_ARRAY_LEN(from); i++) {
		char body[1024];
		const char *p = strstr(BODY, from[i]);
		assert_non_null(p);
		snprintf(body, sizeof(body), "%.*s%s%s", (int)(p - BODY), BODY, to[i], p + strlen(from[i]));
		assert_int_equal(parse_hash(body, &b, hb, err, sizeof(err)), 0);
		if (strcmp(ha, hb) == 0)
			fail_msg("changing %s to %s kept the hash", from[i], to[i]);
		store_order_free(&b);
	}
	store_order_free(&a);
	/* refusals name the field */
	assert_int_equal(parse_hash("{\"status\":\"lost\"}", &b, hb, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "status"));
	assert_int_equal(parse_hash("{\"status\":\"paid\",\"currency\":\"CNY\",\"total_cents\":1,\"placed_at\":1,\"items\":[]}",
				    &b, hb, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "items"));
}

/* ---- the store's upsert ---- */

static char dir[512];
static struct store *st;

static int open_db(void **state)
{
	(void)state;
	char p[600];
	log_set_level_name("error");
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(p, sizeof(p), "%s/kefu.db", dir);
	return store_open(p, &st) || store_migrate(st, NULL);
}

static int close_db(void **state)
{
	(void)state;
	store_close(st);
	tu_rmtree(dir);
	return 0;
}

static void test_upsert_idempotent(void **state)
{
	(void)state;
	struct store_site site;
	memset(&site, 0, sizeof(site));
	snprintf(site.key, sizeof(site.key), "crmsite");
	snprintf(site.name, sizeof(site.name), "Shop");
	assert_int_equal(store_site_create(st, &site), 0);

	struct store_order o, got;
	char err[200];
	enum store_upsert what;
	assert_int_equal(parse_hash(BODY, &o, o.raw_hash, err, sizeof(err)), 0);
	o.site_id = site.id;
	o.updated_at = 1700000001;
	assert_int_equal(store_order_upsert(st, &o, &what), 0);
	assert_int_equal(what, STORE_CREATED);
	int64_t id = o.id;

	int before = sqlite3_total_changes(st->db);
	o.updated_at = 1700000999;   /* a retry: same content, later clock */
	assert_int_equal(store_order_upsert(st, &o, &what), 0);
	assert_int_equal(what, STORE_UNCHANGED);
	assert_int_equal(o.id, id);
	assert_int_equal(sqlite3_total_changes(st->db), before);   /* nothing written */
	assert_int_equal(store_order_get(st, site.id, "SO-1", &got), 0);
	assert_int_equal(got.updated_at, 1700000001);
	store_order_free(&got);

	snprintf(o.status, sizeof(o.status), "shipped");
	o.items[0].quantity = 5;
	crm_order_hash(&o, NULL, o.raw_hash);
	assert_int_equal(store_order_upsert(st, &o, &what), 0);
	assert_int_equal(what, STORE_UPDATED);
	assert_int_equal(o.id, id);
	assert_int_equal(store_order_get(st, site.id, "SO-1", &got), 0);
	assert_string_equal(got.status, "shipped");
	assert_int_equal(got.nitems, 1);                            /* replaced, not added */
	assert_int_equal(got.items[0].quantity, 5);
	store_order_free(&got);
	store_order_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_phone_and_number),
		cmocka_unit_test(test_order_parse_and_hash),
		cmocka_unit_test_setup_teardown(test_upsert_idempotent, open_db, close_db),
	};
	return cmocka_run_group_tests_name("crm", tests, NULL, NULL);
}
