/* tests/unit/test_invite.c - chat/invite_match.c: when an automatic invitation rule holds for
 * a page and a visit (the glob on URLs and paths, the referrer, UTM tags, new or returning
 * visitors, pages seen). The widget carries the same rules in JS; these pin them down. */
#include "testutil.h"
#include "chat/invite.h"

static void test_glob_star_matches_any_run(void **state)
{
	(void)state;
	assert_true(invite_glob("*", ""));
	assert_true(invite_glob("*", "https://shop.example/a/b?c"));
	assert_true(invite_glob("*/demo*", "http://127.0.0.1:8080/demo?site=s_1"));
	assert_true(invite_glob("/sale/*", "/sale/shoes/42"));   /* '*' crosses '/' */
	assert_true(invite_glob("a*b*c", "axxbyyc"));
	assert_true(invite_glob("a**c", "ac"));
	assert_true(invite_glob("*abc", "ababc"));               /* needs backtracking */
	assert_false(invite_glob("*abc", "ababd"));
	assert_false(invite_glob("/sale/*", "/sales/x"));
	assert_false(invite_glob("", "x"));
	assert_true(invite_glob("", ""));
}

static void test_glob_is_literal_and_case_insensitive(void **state)
{
	(void)state;
	assert_true(invite_glob("/Demo", "/demo"));
	assert_true(invite_glob("*SHOP.example*", "https://shop.EXAMPLE/"));
	assert_false(invite_glob("/demo?", "/demo1"));           /* '?' is only a '?' */
	assert_true(invite_glob("/demo?x=1", "/demo?x=1"));
	assert_false(invite_glob("/de.o", "/demo"));             /* '.' is only a '.' */
	assert_true(invite_glob("/退货*", "/退货/说明"));          /* UTF-8 bytes compare as themselves */
	assert_false(invite_glob("/demo", "/demo/"));            /* anchored at both ends */
}

static void test_url_matches_whole_url_path_or_path_with_query(void **state)
{
	(void)state;
	const char *u = "https://shop.example/products/42?utm_source=weibo#reviews";
	assert_true(invite_url_matches("", u));
	assert_true(invite_url_matches(NULL, u));
	assert_true(invite_url_matches("https://shop.example/products/*", u));
	assert_true(invite_url_matches("/products/*", u));
	assert_true(invite_url_matches("/products/42", u));      /* the bare path */
	assert_true(invite_url_matches("/products/42?utm_source=weibo", u));
	assert_true(invite_url_matches("*utm_source=weibo", u)); /* the fragment is not part of it */
	assert_false(invite_url_matches("*reviews", u));
	assert_false(invite_url_matches("/cart*", u));
	assert_false(invite_url_matches("/products", u));
	assert_true(invite_url_matches("/", "https://shop.example"));   /* no path: "/" */
	assert_true(invite_url_matches("/", "https://shop.example/"));
	assert_true(invite_url_matches("/a", "/a?b"));           /* already a path */
	assert_false(invite_url_matches("/a", NULL));
}

static void test_contains_is_case_insensitive(void **state)
{
	(void)state;
	assert_true(invite_contains("https://www.Baidu.com/s?wd=x", "baidu.com"));
	assert_true(invite_contains("anything", ""));
	assert_true(invite_contains("", NULL));
	assert_false(invite_contains("", "google"));
	assert_false(invite_contains("https://google.com", "baidu"));
	assert_false(invite_contains("ba", "bai"));              /* needle longer than what is left */
}

static void test_query_param_decodes(void **state)
{
	(void)state;
	char out[32];
	assert_true(invite_query_param("https://s/x?a=1&utm_source=We%20ibo+x&b=2", "utm_source", out, sizeof(out)));
	assert_string_equal(out, "We ibo x");
	assert_true(invite_query_param("/p?utm_campaign=%E5%8F%8C11", "utm_campaign", out, sizeof(out)));
	assert_string_equal(out, "双11");
	assert_false(invite_query_param("/p?xutm_source=a", "utm_source", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(invite_query_param("/p#?utm_source=a", "utm_source", out, sizeof(out)));   /* fragment */
	assert_false(invite_query_param("/p", "utm_source", out, sizeof(out)));
	assert_true(invite_query_param("/p?utm_source=", "utm_source", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_true(invite_query_param("/p?utm_source=%zz", "utm_source", out, sizeof(out)));   /* kept raw */
	assert_string_equal(out, "%zz");
	char small[4];
	assert_true(invite_query_param("/p?utm_source=abcdef", "utm_source", small, sizeof(small)));
	assert_string_equal(small, "abc");                       /* cut to fit */
}

static void test_rule_conditions(void **state)
{
	(void)state;
	struct invite_cond c = { "*/demo*", "any", "", "", "", 0 };
	struct invite_facts f = { "https://shop.example/demo?site=1", "", NULL, NULL, 1, 0 };
	assert_true(invite_matches(&c, &f));
	f.url = "https://shop.example/cart";
	assert_false(invite_matches(&c, &f));
	f.url = "https://shop.example/demo";

	c.min_pages = 3;                                  /* pages seen this visit */
	assert_false(invite_matches(&c, &f));
	f.pages = 3;
	assert_true(invite_matches(&c, &f));

	c.visitor = "returning";
	assert_false(invite_matches(&c, &f));
	f.returning = 1;
	assert_true(invite_matches(&c, &f));
	c.visitor = "new";
	assert_false(invite_matches(&c, &f));
	c.visitor = NULL;                                 /* any */
	assert_true(invite_matches(&c, &f));

	c.referrer_contains = "baidu.com";                /* the visit's landing referrer */
	assert_false(invite_matches(&c, &f));
	f.referrer = "https://www.BAIDU.com/s?wd=%E4%BF%9D%E6%B8%A9%E6%9D%AF";
	assert_true(invite_matches(&c, &f));
}

static void test_rule_utm_exact_case_insensitive(void **state)
{
	(void)state;
	struct invite_cond c = { "", "any", "", "weibo", "", 0 };
	struct invite_facts f = { "https://shop.example/?utm_source=Weibo&utm_campaign=sale", "", NULL, NULL, 1, 0 };
	assert_true(invite_matches(&c, &f));              /* read from the URL */
	c.utm_source = "wei";
	assert_false(invite_matches(&c, &f));             /* exact, not a prefix */
	c.utm_source = "weibo";
	c.utm_campaign = "SALE";
	assert_true(invite_matches(&c, &f));
	f.utm_source = "wechat";                          /* the visit's, from its landing page, wins */
	f.utm_campaign = "sale";
	assert_false(invite_matches(&c, &f));
	f.utm_source = "WEIBO";
	assert_true(invite_matches(&c, &f));
	f.utm_campaign = "";
	assert_false(invite_matches(&c, &f));
	c.utm_campaign = "";
	c.utm_source = "";
	assert_true(invite_matches(&c, &f));              /* "" = any */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob_star_matches_any_run),
		cmocka_unit_test(test_glob_is_literal_and_case_insensitive),
		cmocka_unit_test(test_url_matches_whole_url_path_or_path_with_query),
		cmocka_unit_test(test_contains_is_case_insensitive),
		cmocka_unit_test(test_query_param_decodes),
		cmocka_unit_test(test_rule_conditions),
		cmocka_unit_test(test_rule_utm_exact_case_insensitive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
