/* tests/unit/test_router.c - http/router.c: literal, :param and trailing-* patterns,
 * 404 versus 405 with the allowed methods. */
#include "testutil.h"
#include "core/kf.h"
#include "http/router.h"

static void h_a(struct http_req *r) { (void)r; }
static void h_b(struct http_req *r) { (void)r; }

static const struct route table[] = {
	{ M_GET, "/healthz", h_a, 0, 0, NULL, "health", NULL },
	{ M_GET, "/api/v1/users", h_a, 0, 0, NULL, "api", NULL },
	{ M_POST, "/api/v1/users", h_b, 0, 0, NULL, "api", NULL },
	{ M_PATCH, "/api/v1/users/:id", h_a, 0, 0, NULL, "api", NULL },
	{ M_DELETE, "/api/v1/users/:id", h_b, 0, 0, NULL, "api", NULL },
	{ M_GET, "/api/v1/orgs/:org/members/:uid", h_a, 0, 0, NULL, "api", NULL },
	{ M_GET, "/assets/*", h_b, 0, 0, NULL, "static", NULL },
	{ M_GET, "/ws/echo", NULL, ROUTE_WS, 0, NULL, "ws", NULL },
	{ M_OPTIONS, "/cors", h_a, 0, 0, NULL, "api", NULL },
};

struct match {
	enum router_result rr;
	const struct route *rt;
	struct router_param p[HTTP_MAX_PARAMS];
	size_t np;
	int allow;
};

static struct router rt;

static int setup(void **state)
{
	(void)state;
	router_init(&rt);
	for (size_t i = 0; i < KF_ARRAY_LEN(table); i++)
		if (router_add(&rt, &table[i]) != 0)
			return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	router_release(&rt);
	return 0;
}

static struct match m(int method, const char *path)
{
	struct match x;
	memset(&x, 0, sizeof(x));
	x.np = 99;
	x.allow = -1;
	x.rr = router_match(&rt, method, path, &x.rt, x.p, &x.np, &x.allow);
	return x;
}

/* The text of param i of a match against path. */
static char *param(const struct match *x, const char *path, size_t i, char *out, size_t outsz)
{
	assert_true(i < x->np);
	assert_true(x->p[i].off + x->p[i].len <= strlen(path));
	snprintf(out, outsz, "%.*s", (int)x->p[i].len, path + x->p[i].off);
	return out;
}

static void test_router_literal_match(void **state)
{
	(void)state;
	struct match x = m(M_GET, "/healthz");
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_string_equal(x.rt->pattern, "/healthz");
	assert_ptr_equal(x.rt->handler, h_a);
	assert_int_equal(x.np, 0);
}

static void test_router_literal_must_match_whole_path(void **state)
{
	(void)state;
	assert_int_equal(m(M_GET, "/healthz/").rr, ROUTER_NOT_FOUND);
	assert_int_equal(m(M_GET, "/healthzz").rr, ROUTER_NOT_FOUND);
	assert_int_equal(m(M_GET, "/health").rr, ROUTER_NOT_FOUND);
	assert_int_equal(m(M_GET, "/HEALTHZ").rr, ROUTER_NOT_FOUND);
	assert_int_equal(m(M_GET, "/").rr, ROUTER_NOT_FOUND);
	assert_int_equal(m(M_GET, "").rr, ROUTER_NOT_FOUND);
}

static void test_router_method_selects_route(void **state)
{
	(void)state;
	struct match g = m(M_GET, "/api/v1/users"), p = m(M_POST, "/api/v1/users");
	assert_int_equal(g.rr, ROUTER_FOUND);
	assert_int_equal(p.rr, ROUTER_FOUND);
	assert_ptr_equal(g.rt->handler, h_a);
	assert_ptr_equal(p.rt->handler, h_b);
	assert_int_equal(p.rt->method, M_POST);
}

static void test_router_param_value_and_offsets(void **state)
{
	(void)state;
	const char *path = "/api/v1/users/42";
	char v[32];
	struct match x = m(M_PATCH, path);
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_int_equal(x.np, 1);
	assert_int_equal(x.p[0].off, 14);
	assert_int_equal(x.p[0].len, 2);
	assert_string_equal(param(&x, path, 0, v, sizeof(v)), "42");
	x = m(M_DELETE, path);
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_ptr_equal(x.rt->handler, h_b);
}

static void test_router_two_params_in_pattern_order(void **state)
{
	(void)state;
	const char *path = "/api/v1/orgs/acme-中/members/u7";
	char v[32];
	struct match x = m(M_GET, path);
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_int_equal(x.np, 2);
	assert_string_equal(param(&x, path, 0, v, sizeof(v)), "acme-中");
	assert_string_equal(param(&x, path, 1, v, sizeof(v)), "u7");
	assert_int_equal(x.p[1].off, strlen("/api/v1/orgs/acme-中/members/"));
}

static void test_router_param_needs_one_nonempty_segment(void **state)
{
	(void)state;
	assert_int_equal(m(M_PATCH, "/api/v1/users/").rr, ROUTER_NOT_FOUND);
	assert_int_equal(m(M_PATCH, "/api/v1/users/1/2").rr, ROUTER_NOT_FOUND);
	assert_int_equal(m(M_PATCH, "/api/v1/users//").rr, ROUTER_NOT_FOUND);
	assert_int_equal(m(M_GET, "/api/v1/orgs//members/u").rr, ROUTER_NOT_FOUND);
}

static void test_router_star_matches_rest(void **state)
{
	(void)state;
	const char *path = "/assets/app-1a2b.js";
	char v[64];
	struct match x = m(M_GET, path);
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_int_equal(x.np, 1);
	assert_string_equal(param(&x, path, 0, v, sizeof(v)), "app-1a2b.js");
	assert_int_equal(x.p[0].off, 8);

	path = "/assets/deep/er/file.css";
	x = m(M_GET, path);
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_string_equal(param(&x, path, 0, v, sizeof(v)), "deep/er/file.css");

	path = "/assets/";
	x = m(M_GET, path);
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_int_equal(x.np, 1);
	assert_int_equal(x.p[0].len, 0);
	assert_int_equal(x.p[0].off, 8);

	assert_int_equal(m(M_GET, "/assetsX/a.js").rr, ROUTER_NOT_FOUND);
}

static void test_router_head_matches_get(void **state)
{
	(void)state;
	struct match x = m(M_HEAD, "/healthz");
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_int_equal(x.rt->method, M_GET);
	x = m(M_HEAD, "/assets/a.css");
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_int_equal(x.np, 1);
}

static void test_router_405_with_allow_mask(void **state)
{
	(void)state;
	struct match x = m(M_DELETE, "/healthz");
	assert_int_equal(x.rr, ROUTER_BAD_METHOD);
	assert_int_equal(x.allow, M_GET | M_HEAD);

	x = m(M_PUT, "/api/v1/users");
	assert_int_equal(x.rr, ROUTER_BAD_METHOD);
	assert_int_equal(x.allow, M_GET | M_HEAD | M_POST);

	x = m(M_GET, "/api/v1/users/9");
	assert_int_equal(x.rr, ROUTER_BAD_METHOD);
	assert_int_equal(x.allow, M_PATCH | M_DELETE);

	x = m(M_HEAD, "/cors");
	assert_int_equal(x.rr, ROUTER_BAD_METHOD);
	assert_int_equal(x.allow, M_OPTIONS);
}

static void test_router_404_when_no_pattern_matches(void **state)
{
	(void)state;
	struct match x = m(M_GET, "/nope");
	assert_int_equal(x.rr, ROUTER_NOT_FOUND);
	x = m(M_DELETE, "/api/v2/users");
	assert_int_equal(x.rr, ROUTER_NOT_FOUND);
}

static void test_router_ws_route_without_handler(void **state)
{
	(void)state;
	struct match x = m(M_GET, "/ws/echo");
	assert_int_equal(x.rr, ROUTER_FOUND);
	assert_true(x.rt->flags & ROUTE_WS);
}

static void test_router_first_added_route_wins(void **state)
{
	(void)state;
	struct router r2;
	const struct route a = { M_GET, "/x/:id", h_a, 0, 0, NULL, "api", NULL };
	const struct route b = { M_GET, "/x/new", h_b, 0, 0, NULL, "api", NULL };
	router_init(&r2);
	assert_int_equal(router_add(&r2, &a), 0);
	assert_int_equal(router_add(&r2, &b), 0);
	const struct route *out = NULL;
	struct router_param p[HTTP_MAX_PARAMS];
	size_t np = 0;
	int allow = 0;
	assert_int_equal(router_match(&r2, M_GET, "/x/new", &out, p, &np, &allow), ROUTER_FOUND);
	assert_ptr_equal(out->handler, h_a);
	router_release(&r2);
}

static void test_router_add_copies_and_grows(void **state)
{
	(void)state;
	struct router r2;
	char pats[100][16];
	router_init(&r2);
	for (int i = 0; i < 100; i++) {
		struct route r = { M_GET, pats[i], h_a, 0, 0, NULL, "api", NULL };
		snprintf(pats[i], sizeof(pats[i]), "/r%d", i);
		assert_int_equal(router_add(&r2, &r), 0);
	}
	const struct route *out = NULL;
	struct router_param p[HTTP_MAX_PARAMS];
	size_t np = 0;
	int allow = 0;
	assert_int_equal(router_match(&r2, M_GET, "/r99", &out, p, &np, &allow), ROUTER_FOUND);
	assert_string_equal(out->pattern, "/r99");
	assert_int_equal(router_match(&r2, M_GET, "/r100", &out, p, &np, &allow), ROUTER_NOT_FOUND);
	router_release(&r2);
}

static void test_router_add_rejects_bad_routes(void **state)
{
	(void)state;
	struct router r2;
	router_init(&r2);
	const struct route no_slash = { M_GET, "healthz", h_a, 0, 0, NULL, "x", NULL };
	const struct route no_pattern = { M_GET, NULL, h_a, 0, 0, NULL, "x", NULL };
	const struct route empty = { M_GET, "", h_a, 0, 0, NULL, "x", NULL };
	const struct route no_handler = { M_GET, "/x", NULL, 0, 0, NULL, "x", NULL };
	assert_int_equal(router_add(&r2, &no_slash), KF_EINVAL);
	assert_int_equal(router_add(&r2, &no_pattern), KF_EINVAL);
	assert_int_equal(router_add(&r2, &empty), KF_EINVAL);
	assert_int_equal(router_add(&r2, &no_handler), KF_EINVAL);
	assert_int_equal(r2.n, 0);
	router_release(&r2);
}

static void test_router_allow_text(void **state)
{
	(void)state;
	char t[80];
	router_allow_text(M_GET | M_HEAD | M_POST, t, sizeof(t));
	assert_string_equal(t, "GET, HEAD, POST");
	router_allow_text(M_DELETE | M_PATCH, t, sizeof(t));
	assert_string_equal(t, "PATCH, DELETE");
	router_allow_text(0, t, sizeof(t));
	assert_string_equal(t, "");
	router_allow_text(M_GET | M_HEAD | M_POST | M_PUT | M_PATCH | M_DELETE | M_OPTIONS, t, sizeof(t));
	assert_string_equal(t, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
}

static void test_router_allow_text_truncates_whole_names(void **state)
{
	(void)state;
	char t[12];
	memset(t, 'Z', sizeof(t));
	router_allow_text(M_GET | M_HEAD | M_POST, t, sizeof(t));
	assert_true(strlen(t) < sizeof(t));
	assert_string_equal(t, "GET, HEAD");
}

static void test_router_method_name(void **state)
{
	(void)state;
	assert_string_equal(router_method_name(M_GET), "GET");
	assert_string_equal(router_method_name(M_DELETE), "DELETE");
	assert_string_equal(router_method_name(M_OPTIONS), "OPTIONS");
	assert_string_equal(router_method_name(0), "OTHER");
	assert_string_equal(router_method_name(M_GET | M_POST), "OTHER");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router_literal_match),
		cmocka_unit_test(test_router_literal_must_match_whole_path),
		cmocka_unit_test(test_router_method_selects_route),
		cmocka_unit_test(test_router_param_value_and_offsets),
		cmocka_unit_test(test_router_two_params_in_pattern_order),
		cmocka_unit_test(test_router_param_needs_one_nonempty_segment),
		cmocka_unit_test(test_router_star_matches_rest),
		cmocka_unit_test(test_router_head_matches_get),
		cmocka_unit_test(test_router_405_with_allow_mask),
		cmocka_unit_test(test_router_404_when_no_pattern_matches),
		cmocka_unit_test(test_router_ws_route_without_handler),
		cmocka_unit_test(test_router_first_added_route_wins),
		cmocka_unit_test(test_router_add_copies_and_grows),
		cmocka_unit_test(test_router_add_rejects_bad_routes),
		cmocka_unit_test(test_router_allow_text),
		cmocka_unit_test(test_router_allow_text_truncates_whole_names),
		cmocka_unit_test(test_router_method_name),
	};
	return cmocka_run_group_tests_name("router", tests, setup, teardown);
}
