/* fuzz/fuzz_json.c - libFuzzer target for json_parse_object and json_to_buf.
 *
 * Every input is parsed as a request body. The verdict must agree with utf8_valid
 * (JSON_EUTF8 exactly when the bytes are not UTF-8); an accepted body must be an object
 * whose strings are UTF-8 without NUL; it must serialise compactly and parse back to an
 * equal value; and serialising into a buffer capped at a size taken from the input must
 * either fit or stop with KF_ETOOBIG without passing the cap. */
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fz_fail(const char *why)
{
	fprintf(stderr, "fuzz_json: %s\n", why);
	abort();
}

static void check_strings(const json_t *v, int depth)
{
	if (depth > 2048)
		return;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (!utf8_valid(s, n) || memchr(s, '\0', n))
			fz_fail("string with invalid UTF-8 or NUL accepted");
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			if (!utf8_valid(k, strlen(k)))
				fz_fail("key with invalid UTF-8 accepted");
			check_strings(x, depth + 1);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			check_strings(x, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	json_t *v = (json_t *)1;
	char msg[200];
	msg[0] = '\0';
	enum json_parse_err e = json_parse_object(s, size, &v, msg, sizeof(msg));
	if (e != JSON_OK) {
		if (v)
			fz_fail("*out not NULL on failure");
		if (!msg[0])
			fz_fail("no message on failure");
		if ((e == JSON_EUTF8) != !utf8_valid(s, size))
			fz_fail("JSON_EUTF8 disagrees with utf8_valid");
		return 0;
	}
	if (!v || !json_is_object(v))
		fz_fail("JSON_OK without an object");
	if (!utf8_valid(s, size))
		fz_fail("accepted invalid UTF-8");
	check_strings(v, 0);

	struct buf b;
	buf_init(&b, 0);
	if (json_to_buf(v, &b) != 0)
		fz_fail("json_to_buf failed without a cap");
	json_t *back = NULL;
	if (json_parse_object(b.ptr, b.len, &back, NULL, 0) != JSON_OK)
		fz_fail("serialised form does not parse back");
	if (!json_equal(v, back))
		fz_fail("round trip changed the value");
	json_decref(back);

	size_t cap = size ? data[size - 1] : 0;
	struct buf c;
	buf_init(&c, cap ? cap : 1);
	int rc = json_to_buf(v, &c);
	if (rc != 0 && rc != KF_ETOOBIG)
		fz_fail("capped json_to_buf gave an unexpected code");
	if (c.len > c.max || strlen(c.ptr) != c.len)
		fz_fail("capped buffer passed its cap or lost its NUL");
	if (rc == 0 && (c.len != b.len || memcmp(c.ptr, b.ptr, b.len) != 0))
		fz_fail("capped output differs from uncapped output");
	if (rc == KF_ETOOBIG && b.len <= c.max)
		fz_fail("KF_ETOOBIG although the text fits");
	buf_release(&c);
	buf_release(&b);
	json_decref(v);
	return 0;
}
