/* tests/unit/test_json.c - core/json.c: strict request-body parsing and capped output. */
#include "testutil.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"

/* Parses a string literal (its exact bytes, NULs included). */
#define PARSE(lit, out, msg) json_parse_object((lit), sizeof(lit) - 1, (out), (msg), sizeof(msg))

static void test_json_parse_object_ok(void **state)
{
	(void)state;
	json_t *v = (json_t *)1;
	char msg[128] = "untouched";
	assert_int_equal(PARSE("{\"email\":\"a@b.c\",\"n\":1,\"nested\":{\"x\":[1,2]}}", &v, msg), JSON_OK);
	assert_non_null(v);
	assert_true(json_is_object(v));
	assert_string_equal(json_get_str(v, "email"), "a@b.c");
	assert_null(json_get_str(v, "n"));          /* not a string */
	assert_null(json_get_str(v, "missing"));
	json_decref(v);
}

static void test_json_parse_object_accepts_whitespace_and_unicode(void **state)
{
	(void)state;
	json_t *v = NULL;
	char msg[128];
	assert_int_equal(PARSE(" \r\n\t{ \"名字\" : \"客服\\u4e2d\\ud83d\\ude00\" } \n", &v, msg), JSON_OK);
	assert_string_equal(json_get_str(v, "名字"), "客服中😀");
	json_decref(v);
	assert_int_equal(PARSE("{}", &v, msg), JSON_OK);
	assert_int_equal(json_object_size(v), 0);
	json_decref(v);
}

static void test_json_parse_rejects_invalid_json(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{'a':1}",
		"{\"a\":1} x", "{\"a\":1}{}", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":\"\\x41\"}",
		"{\"a\":\"unterminated}", "{\"a\":\"tab\there\"}", "{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00\\ud800\"}",
	};
	for (size_t i = 0; i < KF_ARRAY_LEN(bad); i++) {
		json_t *v = (json_t *)1;
		char msg[128] = "";
		assert_int_equal(json_parse_object(bad[i], strlen(bad[i]), &v, msg, sizeof(msg)), JSON_EINVAL);
		assert_null(v);
		assert_true(strlen(msg) > 0);
	}
}

static void test_json_parse_rejects_invalid_utf8_with_distinct_code(void **state)
{
	(void)state;
	json_t *v = (json_t *)1;
	char msg[128] = "";
	assert_int_equal(PARSE("{\"a\":\"\xff\"}", &v, msg), JSON_EUTF8);
	assert_null(v);
	assert_non_null(strstr(msg, "UTF-8"));
	assert_int_equal(PARSE("{\"a\":\"\xc0\xaf\"}", &v, msg), JSON_EUTF8);        /* overlong */
	assert_int_equal(PARSE("{\"a\":\"\xed\xa0\x80\"}", &v, msg), JSON_EUTF8);    /* surrogate */
	assert_int_equal(PARSE("{\"\xe4\xb8\":1}", &v, msg), JSON_EUTF8);            /* truncated key */
	assert_int_equal(PARSE("\xef\xbb\xbf{}" "\xff", &v, msg), JSON_EUTF8);
	assert_null(v);
}

static void test_json_parse_rejects_arrays_as_not_object(void **state)
{
	(void)state;
	static const char *const bad[] = { "[]", "[{\"a\":1}]", " [1,2] " };
	for (size_t i = 0; i < KF_ARRAY_LEN(bad); i++) {
		json_t *v = (json_t *)1;
		char msg[128] = "";
		assert_int_equal(json_parse_object(bad[i], strlen(bad[i]), &v, msg, sizeof(msg)), JSON_ENOTOBJ);
		assert_null(v);
		assert_true(strlen(msg) > 0);
	}
}

static void test_json_parse_rejects_scalars(void **state)
{
	(void)state;
	/* jansson refuses a bare scalar before Kefu sees it, so these come back as
	 * JSON_EINVAL rather than JSON_ENOTOBJ; either way they are never JSON_OK. */
	static const char *const bad[] = { "\"s\"", "1", "-0.5", "true", "null" };
	for (size_t i = 0; i < KF_ARRAY_LEN(bad); i++) {
		json_t *v = (json_t *)1;
		char msg[128] = "";
		enum json_parse_err e = json_parse_object(bad[i], strlen(bad[i]), &v, msg, sizeof(msg));
		assert_true(e == JSON_ENOTOBJ || e == JSON_EINVAL);
		assert_null(v);
		assert_true(strlen(msg) > 0);
	}
}

static void test_json_parse_rejects_duplicate_keys(void **state)
{
	(void)state;
	json_t *v = (json_t *)1;
	char msg[128];
	assert_int_equal(PARSE("{\"role\":\"agent\",\"role\":\"admin\"}", &v, msg), JSON_EINVAL);
	assert_null(v);
	/* also when nested, and when spelled with an escape */
	assert_int_equal(PARSE("{\"o\":{\"k\":1,\"k\":2}}", &v, msg), JSON_EINVAL);
	assert_int_equal(PARSE("{\"ab\":1,\"a\\u0062\":2}", &v, msg), JSON_EINVAL);
}

static void test_json_parse_rejects_nul(void **state)
{
	(void)state;
	json_t *v = (json_t *)1;
	char msg[128];
	assert_int_equal(PARSE("{\"a\":\"x\\u0000y\"}", &v, msg), JSON_EINVAL);
	assert_null(v);
	assert_int_equal(PARSE("{\"a\\u0000\":1}", &v, msg), JSON_EINVAL);
	/* a raw NUL byte inside or after the text */
	assert_int_equal(PARSE("{\"a\":\"x\0y\"}", &v, msg), JSON_EINVAL);
	assert_int_equal(PARSE("{}\0", &v, msg), JSON_EINVAL);
	assert_null(v);
}

static void test_json_parse_msg_is_optional(void **state)
{
	(void)state;
	json_t *v = (json_t *)1;
	assert_int_equal(json_parse_object("{", 1, &v, NULL, 0), JSON_EINVAL);
	assert_int_equal(json_parse_object("\xff", 1, &v, NULL, 0), JSON_EUTF8);
	assert_int_equal(json_parse_object("[]", 2, &v, NULL, 0), JSON_ENOTOBJ);
	assert_null(v);
}

static void test_json_parse_reads_only_n_bytes(void **state)
{
	(void)state;
	json_t *v = NULL;
	char msg[64];
	const char *s = "{\"a\":1}garbage";
	assert_int_equal(json_parse_object(s, 7, &v, msg, sizeof(msg)), JSON_OK);
	json_decref(v);
}

static void test_json_to_buf_is_compact(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	json_t *v = json_pack("{s:i,s:s,s:[b,n]}", "a", 1, "s", "中 \"q\"", "l", 1);
	assert_int_equal(json_to_buf(v, &b), 0);
	json_t *back = NULL;
	char msg[64];
	assert_int_equal(json_parse_object(b.ptr, b.len, &back, msg, sizeof(msg)), JSON_OK);
	assert_true(json_equal(v, back));
	assert_null(strchr(b.ptr, '\n'));
	assert_null(strstr(b.ptr, ": "));
	assert_null(strstr(b.ptr, ", "));
	json_decref(back);
	json_decref(v);
	buf_release(&b);
}

static void test_json_to_buf_respects_cap(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 16);
	json_t *v = json_pack("{s:s}", "message", "this will not fit in sixteen bytes");
	assert_int_equal(json_to_buf(v, &b), KF_ETOOBIG);
	assert_int_equal(b.err, KF_ETOOBIG);
	assert_true(b.len <= 16);
	assert_int_equal(strlen(b.ptr), b.len);
	json_decref(v);

	/* exactly at the cap fits: {"a":"1234567"} is 15 bytes */
	buf_release(&b);
	buf_init(&b, 15);
	v = json_pack("{s:s}", "a", "1234567");
	assert_int_equal(json_to_buf(v, &b), 0);
	assert_string_equal(b.ptr, "{\"a\":\"1234567\"}");
	json_decref(v);
	buf_release(&b);
}

static void test_json_to_buf_appends(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "x=");
	json_t *v = json_integer(5);
	assert_int_equal(json_to_buf(v, &b), 0);   /* not only objects: JSON_ENCODE_ANY */
	assert_string_equal(b.ptr, "x=5");
	json_decref(v);
	assert_int_equal(json_to_buf(NULL, &b), KF_EINVAL);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_parse_object_ok),
		cmocka_unit_test(test_json_parse_object_accepts_whitespace_and_unicode),
		cmocka_unit_test(test_json_parse_rejects_invalid_json),
		cmocka_unit_test(test_json_parse_rejects_invalid_utf8_with_distinct_code),
		cmocka_unit_test(test_json_parse_rejects_arrays_as_not_object),
		cmocka_unit_test(test_json_parse_rejects_scalars),
		cmocka_unit_test(test_json_parse_rejects_duplicate_keys),
		cmocka_unit_test(test_json_parse_rejects_nul),
		cmocka_unit_test(test_json_parse_msg_is_optional),
		cmocka_unit_test(test_json_parse_reads_only_n_bytes),
		cmocka_unit_test(test_json_to_buf_is_compact),
		cmocka_unit_test(test_json_to_buf_respects_cap),
		cmocka_unit_test(test_json_to_buf_appends),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
