/* tests/unit/test_kb_search.c - the knowledge base's search (kb/search.c) over a real SQLite
 * database: what gets indexed (published only), two-character and Traditional/Simplified
 * Chinese queries, mixed queries, English stems and accents, the OR fallback, visibility per
 * audience, language filter, the confidence scale, popularity as a tie-breaker, and the search
 * log behind the editor's report. */
#include "testutil.h"
#include "app/app.h"
#include "core/kf.h"
#include "core/util.h"
#include "kb/kb.h"
#include "search/search.h"
#include "store/store.h"
#include "store/store_kb.h"
#include "store/store_kb_search.h"

static char dir[512], dbpath[600];
static struct app app;
static int64_t site_id;

static int64_t add(const char *lang, const char *slug, const char *question, const char *alt, const char *answer,
		   const char *tags, const char *visibility, const char *status)
{
	struct store_kb_article a;
	memset(&a, 0, sizeof(a));
	a.site_id = site_id;
	snprintf(a.lang, sizeof(a.lang), "%s", lang);
	snprintf(a.slug, sizeof(a.slug), "%s", slug);
	snprintf(a.question, sizeof(a.question), "%s", question);
	a.alt_questions = (char *)alt;
	a.answer_md = (char *)answer;
	a.answer_html = (char *)"";
	snprintf(a.tags, sizeof(a.tags), "%s", tags);
	snprintf(a.visibility, sizeof(a.visibility), "%s", visibility);
	snprintf(a.status, sizeof(a.status), "%s", status);
	assert_int_equal(store_kb_article_create(app.st, &a, 0), 0);
	return a.id;
}

static int64_t id_refund, id_invoice, id_ship, id_members, id_internal, id_draft, id_en_refund, id_tw;

static int setup(void **state)
{
	(void)state;
	log_set_level_name("error");
	assert_int_equal(search_init(), 0);
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/kefu.db", dir);
	if (store_open(dbpath, &app.st) || store_migrate(app.st, NULL))
		return -1;
	struct store_site s;
	memset(&s, 0, sizeof(s));
	snprintf(s.key, sizeof(s.key), "shopkey");
	snprintf(s.name, sizeof(s.name), "Shop");
	assert_int_equal(store_site_create(app.st, &s), 0);
	site_id = s.id;
	id_refund = add("zh-CN", "refund", "如何申请退货退款？", "买的东西不想要了\n七天无理由退货", "在**订单详情**点“申请售后”，选择退货退款。",
			"退货 售后", "public", "published");
	id_invoice = add("zh-CN", "invoice", "怎么开发票？", "", "下单时选择开具电子发票，或在订单页补开。", "发票", "public",
			 "published");
	id_ship = add("zh-CN", "ship", "订单什么时候发货？", "多久能发货", "一般 48 小时内发货，[查看物流](https://example.com/t)。",
		      "物流", "public", "published");
	id_members = add("zh-CN", "vip", "会员积分怎么用？", "", "会员积分可以抵扣现金。", "会员", "members", "published");
	id_internal = add("zh-CN", "note", "内部：退款审批流程", "", "退款超过 500 元需主管审批。", "", "internal", "published");
	id_draft = add("zh-CN", "draft", "草稿：保修政策", "", "保修一年。", "", "public", "draft");
	id_en_refund = add("en", "refunds", "How do I get a refund?", "Can I return my order\nMoney back",
			   "Refunds are issued within 5 days to the original payment method. Café vouchers excluded.",
			   "refund returns", "public", "published");
	id_tw = add("zh-TW", "iphone", "iPhone 可以退貨嗎？", "", "iPhone 拆封後不支援七天無理由退貨。", "", "public", "published");
	add("en", "shipping", "When will my order ship?", "", "Orders ship within 2 days; tracking is emailed.", "shipping",
	    "public", "published");
	return kb_reindex_all(&app);
}

static int teardown(void **state)
{
	(void)state;
	store_close(app.st);
	tu_rmtree(dir);
	return 0;
}

static size_t search(const char *lang, const char *q, enum kb_audience aud, struct kb_hit *hits, size_t max)
{
	size_t n = 99;
	assert_int_equal(kb_search(&app, site_id, lang, q, aud, NULL, hits, max, &n), 0);
	return n;
}

/* The id of the first hit, 0 for none. */
static int64_t top(const char *lang, const char *q, enum kb_audience aud)
{
	struct kb_hit h[5];
	return search(lang, q, aud, h, 5) ? h[0].article_id : 0;
}

static void test_two_character_and_traditional_queries(void **state)
{
	(void)state;
	assert_int_equal(top("zh-CN", "退货", KB_PUBLIC), id_refund);
	assert_int_equal(top("zh-CN", "退貨", KB_PUBLIC), id_refund);      /* Traditional finds Simplified */
	assert_int_equal(top("", "发票", KB_PUBLIC), id_invoice);
	assert_int_equal(top("", "發票怎麼開", KB_PUBLIC), id_invoice);
	assert_int_equal(top("zh-TW", "iphone 退货", KB_PUBLIC), id_tw);   /* Simplified finds Traditional */
	assert_int_equal(top("", "物流", KB_PUBLIC), id_ship);            /* a tag */
}

static void test_paraphrase_falls_back_to_or(void **state)
{
	(void)state;
	/* no article holds the whole phrase; the OR of its bigrams still ranks the right one first */
	assert_int_equal(top("zh-CN", "我买的东西不想要了怎么退", KB_PUBLIC), id_refund);
	assert_int_equal(top("zh-CN", "几天能发货呢", KB_PUBLIC), id_ship);
}

static void test_english_stems_case_and_accents(void **state)
{
	(void)state;
	assert_int_equal(top("en", "REFUNDED", KB_PUBLIC), id_en_refund);
	assert_int_equal(top("en", "refunding my order", KB_PUBLIC), id_en_refund);
	assert_int_equal(top("en", "cafe voucher", KB_PUBLIC), id_en_refund);
	assert_int_equal(top("en", "shipping", KB_PUBLIC), top("en", "ships", KB_PUBLIC));
	assert_int_equal(top("en", "ref", KB_PUBLIC), id_en_refund);       /* as you type */
}

static void test_visibility_language_and_drafts(void **state)
{
	(void)state;
	assert_int_equal(top("", "会员积分", KB_PUBLIC), 0);
	assert_int_equal(top("", "会员积分", KB_MEMBERS), id_members);
	assert_int_not_equal(top("", "退款审批", KB_MEMBERS), id_internal);
	assert_int_equal(top("", "退款审批", KB_INTERNAL), id_internal);
	assert_int_equal(top("", "保修政策", KB_INTERNAL), 0);               /* drafts are not indexed */
	assert_int_equal(top("en", "退货", KB_PUBLIC), 0);
	assert_int_equal(top("", "", KB_PUBLIC), 0);
	assert_int_equal(top("", "怎么 吗 how do i", KB_PUBLIC), 0);         /* nothing left to search for */
}

static void test_reindexing_one_article_follows_its_status(void **state)
{
	(void)state;
	struct store_kb_article a;
	assert_int_equal(store_kb_article_get(app.st, id_draft, &a), 0);
	snprintf(a.status, sizeof(a.status), "published");
	assert_int_equal(store_kb_article_update(app.st, &a, 0), 0);
	store_kb_article_free(&a);
	assert_int_equal(kb_index_article(&app, id_draft), 0);
	assert_int_equal(top("", "保修政策", KB_PUBLIC), id_draft);
	assert_int_equal(kb_unindex_article(&app, id_draft), 0);
	assert_int_equal(top("", "保修政策", KB_PUBLIC), 0);
}

static void test_confidence_scale(void **state)
{
	(void)state;
	struct kb_hit h[5];
	assert_true(search("en", "How do I get a refund?", KB_PUBLIC, h, 5) >= 1);
	assert_true(h[0].confidence > 0.99);                              /* the question itself */
	assert_true(search("zh-CN", "七天无理由退货", KB_PUBLIC, h, 5) >= 1);
	assert_int_equal(h[0].article_id, id_refund);
	assert_true(h[0].confidence > 0.99);                              /* an alternative question */
	assert_true(search("zh-CN", "退货运费谁出", KB_PUBLIC, h, 5) >= 1);
	assert_true(h[0].confidence > 0 && h[0].confidence < 0.6);        /* partly */
	assert_true(search("en", "original payment method", KB_PUBLIC, h, 5) >= 1);
	assert_true(h[0].confidence < 0.01);                              /* from the answer only */
	assert_string_not_equal(h[0].snippet, "");
	assert_non_null(strstr(h[0].snippet, "original payment"));
	assert_null(strstr(h[0].snippet, "**"));
}

struct report {
	int rows;
	char first[64];
	int64_t first_count, first_article;
};

static int report_cb(void *ud, const struct store_kb_report_row *r)
{
	struct report *x = ud;
	if (!x->rows++) {
		snprintf(x->first, sizeof(x->first), "%s", r->query);
		x->first_count = r->count;
		x->first_article = r->article_id;
	}
	return 0;
}

static void test_log_and_report(void **state)
{
	(void)state;
	struct kb_hit h[5];
	size_t n;
	struct report r = { 0 };
	assert_int_equal(kb_search(&app, site_id, "zh-CN", "没有这个词汇", KB_PUBLIC, "help", h, 5, &n), 0);
	assert_int_equal(n, 0);
	/* the same query with other spacing groups with it */
	assert_int_equal(kb_search(&app, site_id, "zh-CN", "  没有这个词汇 ", KB_PUBLIC, "widget", h, 5, &n), 0);
	assert_int_equal(kb_search(&app, site_id, "zh-CN", "退货运费谁出", KB_PUBLIC, "bot", h, 5, &n), 0);
	assert_true(n > 0);
	assert_int_equal(kb_search(&app, site_id, "zh-CN", "发票", KB_PUBLIC, NULL, h, 5, &n), 0);   /* not logged */
	assert_int_equal(store_kb_report(app.st, STORE_KB_NO_RESULT, site_id, 0, 0.5, 10, report_cb, &r), 0);
	assert_int_equal(r.rows, 1);
	assert_string_equal(r.first, "没有这个词汇");
	assert_int_equal(r.first_count, 2);
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_kb_report(app.st, STORE_KB_BOT_UNANSWERED, site_id, 0, 0.9, 10, report_cb, &r), 0);
	assert_int_equal(r.rows, 1);
	assert_string_equal(r.first, "退货运费谁出");
	assert_int_equal(r.first_article, id_refund);
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_kb_report(app.st, STORE_KB_WEAK, site_id, 0, 0.01, 10, report_cb, &r), 0);
	assert_int_equal(r.rows, 0);   /* nothing under 1% */
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_kb_report(app.st, STORE_KB_NO_RESULT, site_id, time_now_s() + 10, 0.5, 10, report_cb, &r),
			 0);
	assert_int_equal(r.rows, 0);   /* outside the window */
}

static void test_popularity_breaks_ties(void **state)
{
	(void)state;
	int64_t a = add("en", "twin-a", "Gift wrapping", "", "We wrap gifts.", "", "public", "published");
	int64_t b = add("en", "twin-b", "Gift wrapping", "", "We wrap gifts.", "", "public", "published");
	assert_int_equal(kb_reindex_all(&app), 0);
	int64_t first = top("en", "gift wrapping", KB_PUBLIC), other = first == a ? b : a;
	for (int i = 0; i < 20; i++)
		assert_int_equal(store_kb_count_view(app.st, other, 19000), 0);
	assert_int_equal(kb_index_article(&app, other), 0);
	assert_int_equal(top("en", "gift wrapping", KB_PUBLIC), other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_character_and_traditional_queries),
		cmocka_unit_test(test_paraphrase_falls_back_to_or),
		cmocka_unit_test(test_english_stems_case_and_accents),
		cmocka_unit_test(test_visibility_language_and_drafts),
		cmocka_unit_test(test_reindexing_one_article_follows_its_status),
		cmocka_unit_test(test_confidence_scale),
		cmocka_unit_test(test_log_and_report),
		cmocka_unit_test(test_popularity_breaks_ties),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
