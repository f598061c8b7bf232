/* tests/unit/test_sha1.c - core/sha1.c against FIPS 180 vectors and the RFC 6455 handshake. */
#include "testutil.h"
#include "core/sha1.h"
#include <sodium.h>

static void hex_of(const void *data, size_t len, char out[41])
{
	uint8_t d[20];
	sha1(data, len, d);
	tu_hex(d, sizeof(d), out);
}

static void test_sha1_abc(void **state)
{
	(void)state;
	char h[41];
	hex_of("abc", 3, h);
	assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void test_sha1_empty(void **state)
{
	(void)state;
	char h[41];
	hex_of("", 0, h);
	assert_string_equal(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

static void test_sha1_two_block_vector(void **state)
{
	(void)state;
	/* 56 bytes: the padding no longer fits in the first block */
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char h[41];
	assert_int_equal(strlen(m), 56);
	hex_of(m, strlen(m), h);
	assert_string_equal(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

static void test_sha1_padding_boundaries(void **state)
{
	(void)state;
	static const struct { size_t n; const char *hex; } v[] = {
		{ 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
		{ 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
		{ 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5" },
		{ 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d" },
		{ 65, "11655326c708d70319be2610e8a57d9a5b959d3b" },
		{ 119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56" },
		{ 120, "f34c1488385346a55709ba056ddd08280dd4c6d6" },
	};
	char a[128], h[41];
	memset(a, 'a', sizeof(a));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hex_of(a, v[i].n, h);
		assert_string_equal(h, v[i].hex);
	}
}

static void test_sha1_million_a(void **state)
{
	(void)state;
	size_t n = 1000000;
	char *a = malloc(n), h[41];
	assert_non_null(a);
	memset(a, 'a', n);
	hex_of(a, n, h);
	free(a);
	assert_string_equal(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void test_sha1_rfc6455_accept_key(void **state)
{
	(void)state;
	/* RFC 6455 section 1.3: the sample nonce and its Sec-WebSocket-Accept */
	const char *cat = "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	uint8_t d[20];
	char b64[32];
	sha1(cat, strlen(cat), d);
	sodium_bin2base64(b64, sizeof(b64), d, sizeof(d), sodium_base64_VARIANT_ORIGINAL);
	assert_string_equal(b64, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha1_abc),
		cmocka_unit_test(test_sha1_empty),
		cmocka_unit_test(test_sha1_two_block_vector),
		cmocka_unit_test(test_sha1_padding_boundaries),
		cmocka_unit_test(test_sha1_million_a),
		cmocka_unit_test(test_sha1_rfc6455_accept_key),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("sha1", tests, NULL, NULL);
}
