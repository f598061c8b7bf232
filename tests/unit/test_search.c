/* tests/unit/test_search.c - the search tokenizer and query builder (search/search.h):
 * Chinese bigrams, traditional->simplified folding, case folding, and the OR fallback
 * without question words. The FTS5 side is exercised through the store below. */
#include "testutil.h"
#include "core/buf.h"
#include "search/search.h"

static void tokens(const char *text, struct buf *bi, struct buf *uni)
{
	buf_init(bi, 0);
	buf_init(uni, 0);
	assert_int_equal(search_tokens(text, bi, uni), 0);
}

static void test_han_runs_become_overlapping_bigrams(void **state)
{
	(void)state;
	struct buf bi, uni;
	tokens("申请退货", &bi, &uni);
	assert_string_equal(bi.ptr, "申请 请退 退货");
	assert_string_equal(uni.ptr, "申 请 退 货");
	buf_release(&bi);
	buf_release(&uni);
}

static void test_traditional_folds_to_simplified(void **state)
{
	(void)state;
	struct buf bi, uni;
	tokens("退貨發票", &bi, &uni);
	assert_string_equal(bi.ptr, "退货 货发 发票");
	buf_release(&bi);
	buf_release(&uni);
}

static void test_latin_words_are_case_folded_and_split_from_han(void **state)
{
	(void)state;
	struct buf bi, uni;
	tokens("iPhone退货 ＡＢＣ 2024!", &bi, &uni);
	/* NFKC turns full-width ＡＢＣ into abc; Han and Latin runs are separate tokens */
	assert_string_equal(bi.ptr, "iphone 退货 abc 2024");
	buf_release(&bi);
	buf_release(&uni);
}

static void test_lone_han_character_stays_a_unigram(void **state)
{
	(void)state;
	struct buf bi, uni;
	tokens("慢 a", &bi, &uni);
	assert_string_equal(bi.ptr, "慢 a");
	assert_string_equal(uni.ptr, "慢");
	buf_release(&bi);
	buf_release(&uni);
}

static void query(const char *q, int or_mode, const char *want)
{
	struct buf m;
	buf_init(&m, 0);
	assert_int_equal(search_query(q, or_mode, &m), 0);
	assert_string_equal(m.ptr, want);
	buf_release(&m);
}

static void test_query_phrases_and_and(void **state)
{
	(void)state;
	query("退貨", 0, "bi : \"退货\"");
	query("iPhone 退货", 0, "bi : \"iphone\" * AND bi : \"退货\"");
	query("发票怎么开", 0, "bi : \"发票 票怎 怎么 么开\"");
	query("慢", 0, "uni : \"慢\"");
	query("?!", 0, "");
}

static void test_or_fallback_drops_question_words(void **state)
{
	(void)state;
	query("发票怎么开", 1, "bi : \"发票\" OR uni : \"开\"");
	query("请问退货吗", 1, "bi : \"退货\"");
}

static int setup(void **state)
{
	(void)state;
	return search_init();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_han_runs_become_overlapping_bigrams),
		cmocka_unit_test(test_traditional_folds_to_simplified),
		cmocka_unit_test(test_latin_words_are_case_folded_and_split_from_han),
		cmocka_unit_test(test_lone_han_character_stays_a_unigram),
		cmocka_unit_test(test_query_phrases_and_and),
		cmocka_unit_test(test_or_fallback_drops_question_words),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
