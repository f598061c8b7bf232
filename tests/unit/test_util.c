/* tests/unit/test_util.c - core/util.c: UTF-8 validation, number parsing, URL decoding,
 * tokens and their hashes. */
#include "testutil.h"
#include "core/kf.h"
#include "core/util.h"
#include <sodium.h>

#define U8(s) utf8_valid((s), sizeof(s) - 1)

static void test_utf8_accepts_ascii_and_empty(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(U8("hello, world"));
	assert_true(U8("\x7f"));
	assert_true(U8("a\0b"));   /* NUL is a valid code point; callers check NUL separately */
}

static void test_utf8_accepts_multibyte(void **state)
{
	(void)state;
	assert_true(U8("\xc2\x80"));              /* U+0080, smallest 2-byte */
	assert_true(U8("é"));
	assert_true(U8("\xdf\xbf"));              /* U+07FF */
	assert_true(U8("\xe0\xa0\x80"));          /* U+0800, smallest 3-byte */
	assert_true(U8("中文客服"));
	assert_true(U8("\xed\x9f\xbf"));          /* U+D7FF, just below the surrogates */
	assert_true(U8("\xee\x80\x80"));          /* U+E000, just above them */
	assert_true(U8("\xef\xbf\xbf"));          /* U+FFFF */
	assert_true(U8("\xf0\x90\x80\x80"));      /* U+10000, smallest 4-byte */
	assert_true(U8("😀"));
	assert_true(U8("\xf4\x8f\xbf\xbf"));      /* U+10FFFF, the last code point */
}

static void test_utf8_rejects_overlongs(void **state)
{
	(void)state;
	assert_false(U8("\xc0\x80"));             /* overlong NUL */
	assert_false(U8("\xc0\xaf"));             /* overlong '/' */
	assert_false(U8("\xc1\xbf"));
	assert_false(U8("\xe0\x80\x80"));
	assert_false(U8("\xe0\x9f\xbf"));         /* overlong U+07FF */
	assert_false(U8("\xf0\x80\x80\x80"));
	assert_false(U8("\xf0\x8f\xbf\xbf"));     /* overlong U+FFFF */
}

static void test_utf8_rejects_surrogates(void **state)
{
	(void)state;
	assert_false(U8("\xed\xa0\x80"));         /* U+D800 */
	assert_false(U8("\xed\xaf\xbf"));         /* U+DBFF */
	assert_false(U8("\xed\xb0\x80"));         /* U+DC00 */
	assert_false(U8("\xed\xbf\xbf"));         /* U+DFFF */
	assert_false(U8("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair for U+1F600 */
}

static void test_utf8_rejects_above_10ffff(void **state)
{
	(void)state;
	assert_false(U8("\xf4\x90\x80\x80"));     /* U+110000 */
	assert_false(U8("\xf7\xbf\xbf\xbf"));
	assert_false(U8("\xf8\x88\x80\x80\x80")); /* old 5-byte form */
	assert_false(U8("\xfc\x84\x80\x80\x80\x80"));
	assert_false(U8("\xfe"));
	assert_false(U8("\xff"));
	assert_false(U8("\xf5\x80\x80\x80"));
}

static void test_utf8_rejects_truncated_sequences(void **state)
{
	(void)state;
	assert_false(U8("\xc3"));
	assert_false(U8("\xe4\xb8"));             /* first two bytes of 中 */
	assert_false(U8("\xf0\x9f\x98"));         /* first three of 😀 */
	assert_false(U8("ok\xe4"));
	/* the length limits what is read: a valid sequence cut by n is invalid */
	assert_false(utf8_valid("中", 2));
	assert_true(utf8_valid("中x", 3));
}

static void test_utf8_rejects_bad_continuations(void **state)
{
	(void)state;
	assert_false(U8("\x80"));                 /* lone continuation */
	assert_false(U8("a\xbf" "b"));
	assert_false(U8("\xc3\x28"));             /* second byte not a continuation */
	assert_false(U8("\xe4\xb8\x41"));
	assert_false(U8("\xe4\x41\xad"));
	assert_false(U8("\xf0\x9f\x98\x28"));
	assert_false(U8("\xc3\xa9\xc3"));         /* good then truncated */
}

static void test_parse_i64_accepts_decimals(void **state)
{
	(void)state;
	int64_t v = -1;
	assert_int_equal(parse_i64("0", 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_i64("8080", 4, &v), 0);
	assert_int_equal(v, 8080);
	assert_int_equal(parse_i64("-42", 3, &v), 0);
	assert_int_equal(v, -42);
	assert_int_equal(parse_i64("007", 3, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_i64("999999999999999999", 18, &v), 0);
	assert_true(v == 999999999999999999LL);
	/* only s[0..n) is read */
	assert_int_equal(parse_i64("123abc", 3, &v), 0);
	assert_int_equal(v, 123);
}

static void test_parse_i64_accepts_int64_limits(void **state)
{
	(void)state;
	/* util.h promises "in range": the extremes of int64_t are in range. */
	int64_t v = 0;
	assert_int_equal(parse_i64("9223372036854775807", 19, &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(parse_i64("-9223372036854775808", 20, &v), 0);
	assert_true(v == INT64_MIN);
}

static void test_parse_i64_rejects_out_of_range(void **state)
{
	(void)state;
	int64_t v = 77;
	assert_int_equal(parse_i64("9223372036854775808", 19, &v), KF_EINVAL);
	assert_int_equal(parse_i64("-9223372036854775809", 20, &v), KF_EINVAL);
	assert_int_equal(parse_i64("99999999999999999999", 20, &v), KF_EINVAL);
	assert_int_equal(v, 77);
}

static void test_parse_i64_rejects_non_digits(void **state)
{
	(void)state;
	int64_t v = 77;
	const char *bad[] = { "", "-", "+1", " 1", "1 ", "1a", "0x10", "1.5", "--1", "1-", "١٢" };
	for (size_t i = 0; i < KF_ARRAY_LEN(bad); i++)
		assert_int_equal(parse_i64(bad[i], strlen(bad[i]), &v), KF_EINVAL);
	assert_int_equal(parse_i64("12\0" "3", 4, &v), KF_EINVAL);
	assert_int_equal(v, 77);   /* untouched on failure */
}

static long decode(char *s, int plus)
{
	return url_decode(s, strlen(s), plus);
}

static void test_url_decode_percent_escapes(void **state)
{
	(void)state;
	char a[] = "a%20b";
	assert_int_equal(decode(a, 0), 3);
	assert_string_equal(a, "a b");
	char b[] = "%41%42%43";
	assert_int_equal(decode(b, 0), 3);
	assert_string_equal(b, "ABC");
	char c[] = "%e4%B8%AD%e6%96%87";   /* mixed-case hex */
	assert_int_equal(decode(c, 0), 6);
	assert_string_equal(c, "中文");
	char d[] = "/plain/path";
	assert_int_equal(decode(d, 0), 11);
	assert_string_equal(d, "/plain/path");
	char e[] = "100%25";
	assert_int_equal(decode(e, 0), 4);
	assert_string_equal(e, "100%");
}

static void test_url_decode_plus(void **state)
{
	(void)state;
	char a[] = "a+b+%2B";
	assert_int_equal(decode(a, 1), 5);
	assert_string_equal(a, "a b +");
	char b[] = "a+b";
	assert_int_equal(decode(b, 0), 3);
	assert_string_equal(b, "a+b");
}

static void test_url_decode_keeps_nul_in_length(void **state)
{
	(void)state;
	char a[] = "x%00y";
	assert_int_equal(decode(a, 0), 3);
	assert_memory_equal(a, "x\0y", 3);
}

static void test_url_decode_rejects_bad_escapes(void **state)
{
	(void)state;
	const char *bad[] = { "%", "%4", "abc%", "abc%2", "%zz", "%4g", "%g4", "%%41", "a% 1", "%-1", "%+1" };
	for (size_t i = 0; i < KF_ARRAY_LEN(bad); i++) {
		char tmp[16];
		snprintf(tmp, sizeof(tmp), "%s", bad[i]);
		assert_int_equal(url_decode(tmp, strlen(tmp), 1), -1);
	}
}

static void test_url_decode_reads_only_n_bytes(void **state)
{
	(void)state;
	char a[] = "%41%4";    /* the bad escape lies past n */
	assert_int_equal(url_decode(a, 3, 0), 1);
	assert_int_equal(a[0], 'A');
	char b[] = "%41xyz";   /* "%4" is cut by n */
	assert_int_equal(url_decode(b, 2, 0), -1);
}

static void test_token_new_is_43_base64url_chars(void **state)
{
	(void)state;
	char t[64];
	token_new(t, sizeof(t));
	assert_int_equal(strlen(t), 43);
	assert_int_equal(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	char small[44];   /* the documented minimum */
	token_new(small, sizeof(small));
	assert_int_equal(strlen(small), 43);
}

static void test_token_new_is_distinct(void **state)
{
	(void)state;
	char t[16][44];
	for (int i = 0; i < 16; i++) {
		token_new(t[i], sizeof(t[i]));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(t[i], t[j]);
	}
}

static void test_token_hash_hex_is_blake2b_256(void **state)
{
	(void)state;
	char h[65];
	token_hash_hex("", 0, h);
	assert_string_equal(h, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
	token_hash_hex("abc", 3, h);
	assert_string_equal(h, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
	assert_int_equal(strlen(h), 64);
}

static void test_token_hash_hex_differs_per_token(void **state)
{
	(void)state;
	char t1[44], t2[44], h1[65], h2[65], h1b[65];
	token_new(t1, sizeof(t1));
	token_new(t2, sizeof(t2));
	token_hash_hex(t1, strlen(t1), h1);
	token_hash_hex(t2, strlen(t2), h2);
	token_hash_hex(t1, strlen(t1), h1b);
	assert_string_not_equal(h1, h2);
	assert_string_equal(h1, h1b);
	assert_int_equal(strspn(h1, "0123456789abcdef"), 64);
	assert_int_equal(strlen(h1), 64);
	/* only n bytes count */
	token_hash_hex("abcdef", 3, h1);
	assert_string_equal(h1, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

static void test_ascii_casecmp_n(void **state)
{
	(void)state;
	assert_int_equal(ascii_casecmp_n("Content-Type", 12, "content-type"), 0);
	assert_int_equal(ascii_casecmp_n("Content-Typo", 12, "content-type"), 1);
	assert_int_equal(ascii_casecmp_n("Content-Type: x", 12, "content-type"), 0);
	assert_int_equal(ascii_casecmp_n("Content", 7, "content-type"), 1);
	assert_int_equal(ascii_casecmp_n("", 0, ""), 0);
}

static void test_time_functions_move_forward(void **state)
{
	(void)state;
	int64_t s = time_now_s(), ms = time_now_ms();
	uint64_t a = time_mono_ns(), b = time_mono_ns();
	assert_true(s > 1600000000);        /* after 2020 */
	assert_true(ms / 1000 - s <= 1 && ms / 1000 - s >= -1);
	assert_true(b >= a);
}

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_accepts_ascii_and_empty),
		cmocka_unit_test(test_utf8_accepts_multibyte),
		cmocka_unit_test(test_utf8_rejects_overlongs),
		cmocka_unit_test(test_utf8_rejects_surrogates),
		cmocka_unit_test(test_utf8_rejects_above_10ffff),
		cmocka_unit_test(test_utf8_rejects_truncated_sequences),
		cmocka_unit_test(test_utf8_rejects_bad_continuations),
		cmocka_unit_test(test_parse_i64_accepts_decimals),
		cmocka_unit_test(test_parse_i64_accepts_int64_limits),
		cmocka_unit_test(test_parse_i64_rejects_out_of_range),
		cmocka_unit_test(test_parse_i64_rejects_non_digits),
		cmocka_unit_test(test_url_decode_percent_escapes),
		cmocka_unit_test(test_url_decode_plus),
		cmocka_unit_test(test_url_decode_keeps_nul_in_length),
		cmocka_unit_test(test_url_decode_rejects_bad_escapes),
		cmocka_unit_test(test_url_decode_reads_only_n_bytes),
		cmocka_unit_test(test_token_new_is_43_base64url_chars),
		cmocka_unit_test(test_token_new_is_distinct),
		cmocka_unit_test(test_token_hash_hex_is_blake2b_256),
		cmocka_unit_test(test_token_hash_hex_differs_per_token),
		cmocka_unit_test(test_ascii_casecmp_n),
		cmocka_unit_test(test_time_functions_move_forward),
	};
	return cmocka_run_group_tests_name("util", tests, setup, NULL);
}
