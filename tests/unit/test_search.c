/* tests/unit/test_search.c - the search tokenizer and query builder (search/search.h):
 * Chinese bigrams, traditional->simplified folding, case folding, and the OR fallback
 * without question words; and the knowledge base's flavour (accents, stemming, stop words).
 * The FTS5 side is exercised through the store below. */
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

/* ---- the knowledge base's flavour (search_tokens_kb, search_query_kb, search_terms_kb) ---- */

static void kb_bi(const char *text, const char *want)
{
	struct buf bi, uni;
	buf_init(&bi, 0);
	buf_init(&uni, 0);
	assert_int_equal(search_tokens_kb(text, &bi, &uni), 0);
	assert_string_equal(bi.ptr, want);
	buf_release(&bi);
	buf_release(&uni);
}

static void test_kb_word_forms_meet(void **state)
{
	(void)state;
	kb_bi("refund refunds refunded refunding", "refund refund refund refund");
	kb_bi("ship ships shipped shipping", "ship ship ship ship");
	kb_bi("policy policies", "polici polici");
	kb_bi("apply applies applied", "appli appli appli");
	kb_bi("charge charges charged charging", "charg charg charg charg");
	kb_bi("cancel cancelled canceled cancels", "cancel cancel cancel cancel");
	kb_bi("box boxes address addresses", "box box address address");
	kb_bi("quickly monthly", "quick month");
	kb_bi("use used using", "us us us");
}

static void test_kb_short_and_special_words_survive(void **state)
{
	(void)state;
	/* guards: no stem eats these into nothing or into another word */
	kb_bi("bus status this thing need", "bus status this thing need");
	/* -ly is not cut from supply or family; their y becomes i as in their plurals */
	kb_bi("supply supplies family families", "suppli suppli famili famili");
	/* codes and model numbers are not stemmed */
	kb_bi("iPhone15s F001 2024", "iphone15s f001 2024");
}

static void test_kb_accents_and_case_fold(void **state)
{
	(void)state;
	kb_bi("Café CAFÉ cafe", "caf caf caf");
	kb_bi("Ñandú résumé", "nandu resum");
	/* Chinese is tokenized exactly as for the chat */
	kb_bi("退貨 iPhone", "退货 iphon");
}

static void test_kb_tokens_leave_chat_tokens_alone(void **state)
{
	(void)state;
	struct buf bi, uni;
	tokens("Refunds café", &bi, &uni);
	assert_string_equal(bi.ptr, "refunds café");
	buf_release(&bi);
	buf_release(&uni);
}

static void kb_query(const char *q, int or_mode, const char *want)
{
	struct buf m;
	buf_init(&m, 0);
	assert_int_equal(search_query_kb(q, or_mode, &m), 0);
	assert_string_equal(m.ptr, want);
	buf_release(&m);
}

static void test_kb_query_drops_question_and_stop_words(void **state)
{
	(void)state;
	kb_query("发票怎么开", 0, "\"发票\" AND uni : \"开\"");
	kb_query("请问退貨吗", 0, "\"退货\"");
	kb_query("How do I get a refund?", 0, "\"refund\" *");
	kb_query("how are you", 0, "");
}

static void test_kb_query_or_mode_splits_bigrams(void **state)
{
	(void)state;
	kb_query("我的订单到哪了", 1, "\"订单\" OR \"单到\" OR \"到哪\"");
	kb_query("iPhone 退货", 1, "(\"iphon\" * OR \"iphone\" *) OR \"退货\"");
	kb_query("Refunding", 0, "(\"refund\" * OR \"refunding\" *)");
}

static void test_kb_terms(void **state)
{
	(void)state;
	struct buf t;
	buf_init(&t, 0);
	assert_int_equal(search_terms_kb("发票怎么开 for my orders", &t), 0);
	assert_string_equal(t.ptr, "发票 开 order");
	buf_release(&t);
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
		cmocka_unit_test(test_kb_word_forms_meet),
		cmocka_unit_test(test_kb_short_and_special_words_survive),
		cmocka_unit_test(test_kb_accents_and_case_fold),
		cmocka_unit_test(test_kb_tokens_leave_chat_tokens_alone),
		cmocka_unit_test(test_kb_query_drops_question_and_stop_words),
		cmocka_unit_test(test_kb_query_or_mode_splits_bigrams),
		cmocka_unit_test(test_kb_terms),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
