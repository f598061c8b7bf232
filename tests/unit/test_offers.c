/* tests/unit/test_offers.c - the rules of crm/offers.c without a database: parsing an offer's
 * targets (known tier and segment keys only, level ids, bounded lists, the canonical JSON) and
 * eligibility (active, the [starts_at, ends_at) window, targeting as an OR across tiers,
 * segments and levels with an empty target meaning everyone, then the per-customer and total
 * limits, in that order of precedence). */
#include "testutil.h"
#include "core/kf.h"
#include "crm/crm.h"
#include "crm/rfm.h"
#include "store/store_offer.h"
#include <jansson.h>

static int parse(const char *text, struct crm_offer_targets *t, char *err, size_t errsz)
{
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	int rc = crm_offer_targets_parse(j, t, err, errsz);
	json_decref(j);
	return rc;
}

static void test_targets_parse(void **state)
{
	(void)state;
	struct crm_offer_targets t;
	char err[160];
	assert_int_equal(parse("{}", &t, err, sizeof(err)), 0);
	assert_int_equal(t.tiers | t.segments, 0);
	assert_int_equal(t.nlevels, 0);

	assert_int_equal(parse("{\"tiers\":[\"key\",\"registered\"],\"segments\":[\"general_retain\"],\"levels\":[7,9]}", &t,
			       err, sizeof(err)), 0);
	assert_int_equal(t.tiers, (1u << RFM_TIER_KEY) | (1u << RFM_TIER_REGISTERED));
	assert_int_equal(t.segments, 1u << RFM_SEG_GENERAL_RETAIN);
	assert_int_equal(t.nlevels, 2);
	assert_int_equal(t.levels[1], 9);

	/* the canonical form lists keys in id order, whatever order was sent */
	json_t *j = crm_offer_targets_json(&t);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"levels\":[7,9],\"segments\":[\"general_retain\"],\"tiers\":[\"key\",\"registered\"]}");
	free(s);
	json_decref(j);
}

static void test_targets_refused(void **state)
{
	(void)state;
	struct crm_offer_targets t;
	char err[160];
	assert_int_equal(parse("{\"tiers\":[\"vip\"]}", &t, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "targets.tiers"));
	assert_int_equal(parse("{\"tiers\":[\"none\"]}", &t, err, sizeof(err)), KF_EINVAL);   /* not a tier */
	assert_int_equal(parse("{\"tiers\":\"key\"}", &t, err, sizeof(err)), KF_EINVAL);
	assert_int_equal(parse("{\"segments\":[\"important\"]}", &t, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "targets.segments"));
	assert_int_equal(parse("{\"segments\":[1]}", &t, err, sizeof(err)), KF_EINVAL);
	assert_int_equal(parse("{\"levels\":[0]}", &t, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "targets.levels"));
	assert_int_equal(parse("{\"levels\":[\"3\"]}", &t, err, sizeof(err)), KF_EINVAL);
	assert_int_equal(parse("{\"levels\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21]}", &t, err,
			       sizeof(err)), KF_EINVAL);
	assert_int_equal(parse("[]", &t, err, sizeof(err)), KF_EINVAL);
}

static struct store_offer offer(void)
{
	struct store_offer o;
	memset(&o, 0, sizeof(o));
	o.active = 1;
	o.starts_at = 1000;
	o.ends_at = 2000;
	return o;
}

static void test_window_and_active(void **state)
{
	(void)state;
	struct store_offer o = offer();
	struct crm_offer_targets t = { 0 };
	struct crm_offer_facts f = { 0 };
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 999), CRM_OFFER_NOT_STARTED);
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1000), CRM_OFFER_OK);   /* starts_at included */
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1999), CRM_OFFER_OK);
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 2000), CRM_OFFER_ENDED);   /* ends_at excluded */
	o.starts_at = o.ends_at = 0;   /* open both ways */
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1), CRM_OFFER_OK);
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 4000000000LL), CRM_OFFER_OK);
	o.active = 0;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_INACTIVE);
}

static void test_targeting(void **state)
{
	(void)state;
	struct store_offer o = offer();
	struct crm_offer_targets t = { 0 };
	struct crm_offer_facts f = { 0 };   /* never scored, no level */
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_OK);   /* empty = everyone */

	t.tiers = 1u << RFM_TIER_KEY;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_NOT_TARGETED);
	f.tier = RFM_TIER_ACTIVE;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_NOT_TARGETED);
	f.tier = RFM_TIER_KEY;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_OK);

	/* OR across the lists: a segment or a level match is enough */
	f.tier = RFM_TIER_OCCASIONAL;
	t.segments = 1u << RFM_SEG_IMPORTANT_RETAIN;
	f.segment = RFM_SEG_IMPORTANT_RETAIN;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_OK);
	f.segment = RFM_SEG_GENERAL_VALUE;
	t.levels[0] = 42;
	t.nlevels = 1;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_NOT_TARGETED);
	f.level_id = 42;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_OK);
	f.level_id = 0;   /* "no level" never matches a level target */
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_NOT_TARGETED);
}

static void test_limits(void **state)
{
	(void)state;
	struct store_offer o = offer();
	struct crm_offer_targets t = { 0 };
	struct crm_offer_facts f = { 0 };
	o.per_customer_limit = 2;
	o.total_limit = 5;
	f.used_by_customer = 1;
	f.used_total = 4;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_OK);
	f.used_by_customer = 2;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_CUSTOMER_LIMIT);
	f.used_by_customer = 0;
	f.used_total = 5;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_TOTAL_LIMIT);
	o.per_customer_limit = o.total_limit = 0;   /* unlimited */
	f.used_by_customer = f.used_total = 1000000;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 1500), CRM_OFFER_OK);
	/* an ended offer says so before its limits */
	o.total_limit = 1;
	assert_int_equal(crm_offer_eligible(&o, &t, &f, 2500), CRM_OFFER_ENDED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targets_parse), cmocka_unit_test(test_targets_refused),
		cmocka_unit_test(test_window_and_active), cmocka_unit_test(test_targeting), cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
