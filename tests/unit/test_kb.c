/* tests/unit/test_kb.c - the knowledge base's safe Markdown (kb/render.c: what must never
 * reach a page: script, event handlers, raw HTML, javascript: links; what must: Chinese text,
 * images, ordinary links), the signed customer identity (kb/identity.c), and the store's
 * article/revision/counter rules (store/store_kb.c) on a fresh database. */
#include "testutil.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/util.h"
#include "kb/kb.h"
#include "store/store.h"
#include "store/store_kb.h"
#include <sodium.h>

static char dir[512];
static struct store *st;

static int setup(void **state)
{
	(void)state;
	char p[600];
	log_set_level_name("error");
	if (sodium_init() < 0)
		return -1;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(p, sizeof(p), "%s/kefu.db", dir);
	if (store_open(p, &st) != 0)
		return -1;
	return store_migrate(st, NULL);
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	tu_rmtree(dir);
	return 0;
}

/* The HTML for md; the caller frees it. */
static char *render(const char *md)
{
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(kb_render_markdown(md, &b), 0);
	return buf_detach(&b, NULL);
}

#define assert_has(h, s) assert_non_null(strstr((h), (s)))
#define assert_lacks(h, s) assert_null(strstr((h), (s)))

static void test_script_tags_are_escaped(void **state)
{
	(void)state;
	char *h = render("<script>alert(1)</script>\n\ntext <script>alert(2)</script> inline");
	assert_lacks(h, "<script");
	assert_has(h, "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_has(h, "text &lt;script&gt;alert(2)&lt;/script&gt; inline");
	free(h);
}

static void test_event_attributes_never_pass(void **state)
{
	(void)state;
	char *h = render("<img src=x onerror=alert(1)>\n\na <b onmouseover=\"x()\">b</b> <svg onload=alert(1)>");
	assert_lacks(h, "<img");
	assert_lacks(h, "<b ");
	assert_lacks(h, "<svg");
	assert_has(h, "&lt;img src=x onerror=alert(1)&gt;");
	free(h);
}

static void test_html_blocks_become_text(void **state)
{
	(void)state;
	char *h = render("<div style=\"position:fixed\">\n<iframe src=\"https://evil\"></iframe>\n</div>\n\nafter");
	assert_lacks(h, "<div");
	assert_lacks(h, "<iframe");
	assert_has(h, "&lt;iframe");
	assert_has(h, "<p>after</p>");
	free(h);
}

static void test_unsafe_link_schemes_are_dropped(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"[x](javascript:alert(1))", "[x](JavaScript:alert(1))", "[x](vbscript:msgbox)",
		"[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](file:///etc/passwd)", "[x](<java script:alert(1)>)",
		"[x](&#106;avascript:alert(1))", "<javascript:alert(1)>", "[x][r]\n\n[r]: javascript:alert(1)",
	};
	for (size_t i = 0; i < KF_ARRAY_LEN(bad); i++) {
		char *h = render(bad[i]);
		assert_lacks(h, "href=\"javascript");
		assert_lacks(h, "href=\"&#");
		assert_lacks(h, "href=\"java");
		assert_lacks(h, "href=\"vbscript");
		assert_lacks(h, "href=\"data");
		assert_lacks(h, "href=\"file");
		free(h);
	}
}

static void test_safe_links_are_kept(void **state)
{
	(void)state;
	char *h = render("[a](https://shop.example/p?id=1&x=2) [b](http://x.example) [c](mailto:help@shop.example) "
			 "[d](/help/shop/x) [e](../faq#top) [f](//cdn.example/x)");
	assert_has(h, "<a href=\"https://shop.example/p?id=1&amp;x=2\">a</a>");
	assert_has(h, "<a href=\"http://x.example\">b</a>");
	assert_has(h, "<a href=\"mailto:help@shop.example\">c</a>");
	assert_has(h, "<a href=\"/help/shop/x\">d</a>");
	assert_has(h, "<a href=\"../faq#top\">e</a>");
	assert_has(h, "<a href=\"//cdn.example/x\">f</a>");
	free(h);
}

static void test_chinese_text(void **state)
{
	(void)state;
	char *h = render("# 退货政策\n\n繁體：**七天**無理由退貨。\n\n- 第一步\n- 第二步");
	assert_string_equal(h, "<h1>退货政策</h1>\n<p>繁體：<strong>七天</strong>無理由退貨。</p>\n"
			       "<ul>\n<li>第一步</li>\n<li>第二步</li>\n</ul>\n");
	free(h);
}

static void test_images_http_and_relative_only(void **state)
{
	(void)state;
	char *h = render("![图](https://img.example/a.png \"t\") ![r](/uploads/b.png) ![m](mailto:x@y) "
			 "![d](data:image/png;base64,AAAA) ![j](javascript:alert(1))");
	assert_has(h, "<img src=\"https://img.example/a.png\" alt=\"图\" title=\"t\" />");
	assert_has(h, "<img src=\"/uploads/b.png\" alt=\"r\" />");
	assert_lacks(h, "mailto");
	assert_lacks(h, "data:");
	assert_lacks(h, "javascript");
	assert_has(h, " m d j</p>");   /* the description of a refused image stays as text */
	free(h);
}

static void test_nested_bad_link_and_image(void **state)
{
	(void)state;
	char *h = render("[![x](javascript:a)<b>y</b>](javascript:b) **[z](vbscript:c)**");
	assert_lacks(h, "<a");
	assert_lacks(h, "<img");
	assert_lacks(h, "<b>");
	assert_has(h, "x&lt;b&gt;y&lt;/b&gt;");
	assert_has(h, "<strong>z</strong>");
	free(h);
}

static void test_empty_and_invalid_utf8(void **state)
{
	(void)state;
	char *h = render("");
	assert_string_equal(h, "");
	free(h);
	h = render("a\xff\xfe b");   /* replaced, never passed through */
	assert_true(utf8_valid(h, strlen(h)));
	free(h);
}

static struct app test_app(void)
{
	struct app a;
	memset(&a, 0, sizeof(a));
	a.st = st;
	return a;
}

static int64_t make_site(const char *name)
{
	struct store_site s;
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.key, sizeof(s.key), "k_%s", name);
	assert_int_equal(store_site_create(st, &s), 0);
	return s.id;
}

static void sign(const char *secret, const char *id, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state h;
	crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_final(&h, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

static void test_identity_signatures(void **state)
{
	(void)state;
	struct app a = test_app();
	int64_t s1 = make_site("idone"), s2 = make_site("idtwo");
	char secret[65], again[65], other[65], sig[65], upper[65];
	assert_int_equal(store_kb_identity_secret(st, s1, secret), 0);
	assert_int_equal(strlen(secret), 64);
	assert_int_equal(store_kb_identity_secret(st, s1, again), 0);
	assert_string_equal(secret, again);   /* made once, then kept */
	assert_int_equal(store_kb_identity_secret(st, s2, other), 0);
	assert_string_not_equal(secret, other);
	sign(secret, "customer-42", sig);
	assert_int_equal(kb_identity_valid(&a, s1, "customer-42", sig), 1);
	for (size_t i = 0; i < 65; i++)
		upper[i] = (char)(sig[i] >= 'a' && sig[i] <= 'f' ? sig[i] - 32 : sig[i]);
	assert_int_equal(kb_identity_valid(&a, s1, "customer-42", upper), 1);   /* hex in either case */
	assert_int_equal(kb_identity_valid(&a, s2, "customer-42", sig), 0);     /* another site's secret */
	assert_int_equal(kb_identity_valid(&a, s1, "customer-43", sig), 0);
	sig[63] = sig[63] == '0' ? '1' : '0';
	assert_int_equal(kb_identity_valid(&a, s1, "customer-42", sig), 0);
	sig[10] = 'z';
	assert_int_equal(kb_identity_valid(&a, s1, "customer-42", sig), 0);     /* not hex */
	assert_int_equal(kb_identity_valid(&a, s1, "customer-42", "abcd"), 0);
	assert_int_equal(kb_identity_valid(&a, s1, "customer-42", NULL), 0);
	assert_int_equal(kb_identity_valid(&a, 999999, "customer-42", sig), 0);
	/* ids: 1..128 printable ASCII */
	char id[140];
	memset(id, 'x', 128);
	id[128] = '\0';
	sign(secret, id, sig);
	assert_int_equal(kb_identity_valid(&a, s1, id, sig), 1);
	id[128] = 'x', id[129] = '\0';
	sign(secret, id, sig);
	assert_int_equal(kb_identity_valid(&a, s1, id, sig), 0);
	sign(secret, "", sig);
	assert_int_equal(kb_identity_valid(&a, s1, "", sig), 0);
	sign(secret, "a\nb", sig);
	assert_int_equal(kb_identity_valid(&a, s1, "a\nb", sig), 0);
	sign(secret, "客户", sig);
	assert_int_equal(kb_identity_valid(&a, s1, "客户", sig), 0);
	/* rotation: the old signature stops working */
	sign(secret, "c1", sig);
	assert_int_equal(store_kb_identity_rotate(st, s1, again), 0);
	assert_string_not_equal(secret, again);
	assert_int_equal(kb_identity_valid(&a, s1, "c1", sig), 0);
	sign(again, "c1", sig);
	assert_int_equal(kb_identity_valid(&a, s1, "c1", sig), 1);
}

static int count_rev(void *ud, const struct store_kb_revision *r)
{
	(*(int *)ud)++;
	assert_true(r->rev >= 1);
	return 0;
}

static void test_store_article_revisions_and_counters(void **state)
{
	(void)state;
	int64_t site = make_site("store");
	struct store_kb_article x, y, dup;
	memset(&x, 0, sizeof(x));
	x.site_id = site;
	snprintf(x.lang, sizeof(x.lang), "zh-CN");
	snprintf(x.question, sizeof(x.question), "退货要多久？");
	snprintf(x.status, sizeof(x.status), "published");
	x.answer_md = xstrdup("七天");
	assert_int_equal(store_kb_article_create(st, &x, 0), 0);
	assert_true(x.id > 0);
	assert_int_equal(x.rev, 1);
	char want[32];
	snprintf(want, sizeof(want), "a-%lld", (long long)x.id);
	assert_string_equal(x.slug, want);   /* no slug: a-<id> */
	dup = x;
	dup.id = 0;
	assert_int_equal(store_kb_article_create(st, &dup, 0), KF_EEXIST);   /* same (lang, slug) */
	snprintf(x.question, sizeof(x.question), "退货要多久？（新）");
	assert_int_equal(store_kb_article_update(st, &x, 0), 0);
	assert_int_equal(x.rev, 2);
	int n = 0;
	assert_int_equal(store_kb_revision_each(st, x.id, count_rev, &n), 0);
	assert_int_equal(n, 2);
	struct store_kb_revision r;
	assert_int_equal(store_kb_revision_get(st, x.id, 1, &r), 0);
	assert_string_equal(r.question, "退货要多久？");
	assert_string_equal(r.answer_md, "七天");
	store_kb_revision_free(&r);
	int64_t today = time_now_s() / 86400;
	assert_int_equal(store_kb_count_view(st, x.id, today), 0);
	assert_int_equal(store_kb_count_vote(st, x.id, today, 1), 0);
	assert_int_equal(store_kb_count_vote(st, x.id, today, 0), 0);
	assert_int_equal(store_kb_count_view(st, 999999, today), KF_ENOTFOUND);
	assert_int_equal(store_kb_article_get(st, x.id, &y), 0);
	assert_int_equal(y.views, 1);
	assert_int_equal(y.helpful, 1);
	assert_int_equal(y.unhelpful, 1);
	store_kb_article_free(&y);
	assert_int_equal(store_kb_article_delete(st, x.id), 0);
	assert_int_equal(store_kb_article_delete(st, x.id), KF_ENOTFOUND);
	store_kb_article_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_script_tags_are_escaped),
		cmocka_unit_test(test_event_attributes_never_pass),
		cmocka_unit_test(test_html_blocks_become_text),
		cmocka_unit_test(test_unsafe_link_schemes_are_dropped),
		cmocka_unit_test(test_safe_links_are_kept),
		cmocka_unit_test(test_chinese_text),
		cmocka_unit_test(test_images_http_and_relative_only),
		cmocka_unit_test(test_nested_bad_link_and_image),
		cmocka_unit_test(test_empty_and_invalid_utf8),
		cmocka_unit_test(test_identity_signatures),
		cmocka_unit_test(test_store_article_revisions_and_counters),
	};
	return cmocka_run_group_tests_name("kb", tests, setup, teardown);
}
