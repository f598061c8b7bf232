/* tests/unit/test_buf.c - core/buf.c: the capped string builder with a sticky error. */
#include "testutil.h"
#include "core/buf.h"
#include "core/kf.h"

static void test_buf_init_points_at_empty_string(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.err, 0);
	buf_release(&b);

	struct buf s = BUF_INIT;
	assert_non_null(s.ptr);
	assert_int_equal(s.len, 0);
	assert_int_equal(buf_adds(&s, "x"), 0);
	assert_string_equal(s.ptr, "x");
	buf_release(&s);
}

static void test_buf_add_appends_and_nul_terminates(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(buf_add(&b, "hello", 5), 0);
	assert_int_equal(buf_addc(&b, ' '), 0);
	assert_int_equal(buf_adds(&b, "world"), 0);
	assert_int_equal(b.len, 11);
	assert_string_equal(b.ptr, "hello world");
	assert_int_equal(b.ptr[b.len], '\0');
	/* zero-length adds are fine, also with a NULL pointer */
	assert_int_equal(buf_add(&b, NULL, 0), 0);
	assert_int_equal(b.len, 11);
	buf_release(&b);
}

static void test_buf_add_keeps_embedded_nul_bytes(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(buf_add(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.ptr, "a\0b", 4);
	buf_release(&b);
}

static void test_buf_grows_across_many_reallocations(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 10000);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(b.ptr[i], 'a' + i % 26);
	assert_int_equal(b.ptr[10000], '\0');
	buf_release(&b);
}

static void test_buf_cap_allows_exactly_max_bytes(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 5);
	assert_int_equal(buf_add(&b, "12345", 5), 0);
	assert_int_equal(b.err, 0);
	assert_string_equal(b.ptr, "12345");
	assert_int_equal(buf_addc(&b, '6'), KF_ETOOBIG);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.ptr, "12345");
	buf_release(&b);
}

static void test_buf_over_cap_writes_nothing_and_error_is_sticky(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 8);
	assert_int_equal(buf_adds(&b, "abc"), 0);
	assert_int_equal(buf_adds(&b, "0123456789"), KF_ETOOBIG);
	assert_int_equal(b.err, KF_ETOOBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.ptr, "abc");
	/* a later write that would fit is still refused: the caller checks once */
	assert_int_equal(buf_addc(&b, 'd'), KF_ETOOBIG);
	assert_int_equal(buf_addf(&b, "%d", 1), KF_ETOOBIG);
	assert_int_equal(buf_add_html(&b, "e", 1), KF_ETOOBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.ptr, "abc");
	buf_release(&b);
}

static void test_buf_reset_clears_error_and_keeps_cap(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4);
	buf_adds(&b, "toolong");
	assert_int_equal(b.err, KF_ETOOBIG);
	buf_reset(&b);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	assert_int_equal(buf_adds(&b, "four"), 0);
	assert_int_equal(buf_adds(&b, "5"), KF_ETOOBIG);
	buf_release(&b);
}

static void test_buf_release_makes_it_reusable_with_same_max(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 3);
	buf_adds(&b, "abc");
	buf_release(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 3);
	assert_string_equal(b.ptr, "");
	assert_int_equal(buf_adds(&b, "xyz"), 0);
	assert_int_equal(buf_adds(&b, "w"), KF_ETOOBIG);
	buf_release(&b);
	buf_release(&b);   /* twice is harmless */
}

static void test_buf_grow_refuses_size_overflow(void **state)
{
	(void)state;
	/* An uncapped buffer asked for SIZE_MAX more bytes must not report success:
	 * len + extra + 1 wraps to 0 and buf_grow would claim there is room. */
	struct buf b;
	buf_init(&b, 0);
	assert_int_not_equal(buf_grow(&b, SIZE_MAX), 0);
	buf_release(&b);
	buf_init(&b, 0);
	buf_adds(&b, "abc");
	assert_int_not_equal(buf_grow(&b, SIZE_MAX - 2), 0);
	assert_int_equal(b.len, 3);
	buf_release(&b);
}

static void test_buf_grow_respects_cap(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 10);
	assert_int_equal(buf_grow(&b, 10), 0);
	assert_int_equal(buf_grow(&b, 11), KF_ETOOBIG);
	assert_int_equal(b.err, KF_ETOOBIG);
	buf_release(&b);
}

static void test_buf_addf_formats(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(buf_addf(&b, "%s=%d;", "a", 42), 0);
	assert_int_equal(buf_addf(&b, "%05.1f|%zu|%c", 3.14159, (size_t)7, 'z'), 0);
	assert_string_equal(b.ptr, "a=42;003.1|7|z");
	assert_int_equal(b.len, strlen("a=42;003.1|7|z"));
	/* a long formatted string crosses the initial allocation */
	char big[300];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_addf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, strlen("a=42;003.1|7|z") + 301);
	assert_int_equal(b.ptr[b.len - 1], ']');
	buf_release(&b);
}

static void test_buf_addf_over_cap_writes_nothing(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 6);
	assert_int_equal(buf_addf(&b, "%d", 123), 0);
	assert_int_equal(buf_addf(&b, "%d", 1234), KF_ETOOBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.ptr, "123");
	buf_release(&b);
}

static void test_buf_detach_hands_over_storage(void **state)
{
	(void)state;
	struct buf b;
	size_t len = 99;
	buf_init(&b, 100);
	buf_adds(&b, "owned");
	char *p = buf_detach(&b, &len);
	assert_string_equal(p, "owned");
	assert_int_equal(len, 5);
	/* b is empty, reusable and keeps its cap */
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	assert_int_equal(b.max, 100);
	assert_ptr_not_equal(b.ptr, p);
	buf_adds(&b, "again");
	assert_string_equal(p, "owned");
	free(p);
	buf_release(&b);
}

static void test_buf_detach_of_empty_buf_is_freeable(void **state)
{
	(void)state;
	struct buf b;
	size_t len = 99;
	buf_init(&b, 0);
	char *p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);   /* must be heap memory, not the static "" */
	p = buf_detach(&b, NULL);
	free(p);
}

static void test_buf_consume_drops_front(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "GET / HTTP/1.1\r\n");
	buf_consume(&b, 4);
	assert_int_equal(b.len, 12);
	assert_string_equal(b.ptr, "/ HTTP/1.1\r\n");
	buf_consume(&b, 0);
	assert_string_equal(b.ptr, "/ HTTP/1.1\r\n");
	buf_consume(&b, 12);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	buf_adds(&b, "xy");
	buf_consume(&b, 1000);   /* more than there is: empties it */
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	buf_release(&b);
}

static void test_buf_consume_on_never_written_buf(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	buf_consume(&b, 3);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	assert_string_equal(buf__empty, "");
	buf_release(&b);
}

static void test_buf_add_html_escapes_all_five(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	const char *in = "<a href=\"x\" title='y'>Tom & Jerry</a>";
	assert_int_equal(buf_add_html(&b, in, strlen(in)), 0);
	assert_string_equal(b.ptr, "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
	buf_release(&b);
}

static void test_buf_add_html_plain_and_edges(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(buf_add_html(&b, "", 0), 0);
	assert_int_equal(buf_add_html(&b, "plain 中文", strlen("plain 中文")), 0);
	assert_int_equal(buf_add_html(&b, "&&", 2), 0);
	assert_int_equal(buf_add_html(&b, "<>x", 1), 0);   /* only n bytes are read */
	assert_string_equal(b.ptr, "plain 中文&amp;&amp;&lt;");
	buf_release(&b);
}

static void test_buf_add_html_respects_cap(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 8);
	assert_int_equal(buf_add_html(&b, "<<", 2), 0);   /* 8 bytes exactly */
	assert_string_equal(b.ptr, "&lt;&lt;");
	assert_int_equal(buf_add_html(&b, "a", 1), KF_ETOOBIG);
	assert_int_equal(b.len, 8);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_init_points_at_empty_string),
		cmocka_unit_test(test_buf_add_appends_and_nul_terminates),
		cmocka_unit_test(test_buf_add_keeps_embedded_nul_bytes),
		cmocka_unit_test(test_buf_grows_across_many_reallocations),
		cmocka_unit_test(test_buf_cap_allows_exactly_max_bytes),
		cmocka_unit_test(test_buf_over_cap_writes_nothing_and_error_is_sticky),
		cmocka_unit_test(test_buf_reset_clears_error_and_keeps_cap),
		cmocka_unit_test(test_buf_release_makes_it_reusable_with_same_max),
		cmocka_unit_test(test_buf_grow_refuses_size_overflow),
		cmocka_unit_test(test_buf_grow_respects_cap),
		cmocka_unit_test(test_buf_addf_formats),
		cmocka_unit_test(test_buf_addf_over_cap_writes_nothing),
		cmocka_unit_test(test_buf_detach_hands_over_storage),
		cmocka_unit_test(test_buf_detach_of_empty_buf_is_freeable),
		cmocka_unit_test(test_buf_consume_drops_front),
		cmocka_unit_test(test_buf_consume_on_never_written_buf),
		cmocka_unit_test(test_buf_add_html_escapes_all_five),
		cmocka_unit_test(test_buf_add_html_plain_and_edges),
		cmocka_unit_test(test_buf_add_html_respects_cap),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
