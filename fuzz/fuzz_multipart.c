/* fuzz/fuzz_multipart.c - libFuzzer target for the streaming multipart parser.
 *
 * Input: byte 0 seeds the chunking, the rest is a body for the fixed boundary
 * "fuzz-boundary". The body is parsed twice, in one piece and in pseudo-random chunks
 * of 1..64 bytes; both runs must report the same parts (names, file names, types and
 * the joined data) and the same verdict, because the parser promises to be independent
 * of how bytes arrive. The callbacks also check the protocol: begin/end pairs, data only
 * inside a part, NUL-terminated names and UTF-8 file names. The first line of the body,
 * read as a Content-Type, also goes through multipart_boundary. */
#include "core/buf.h"
#include "core/kf.h"
#include "core/util.h"
#include "http/multipart.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOUNDARY "fuzz-boundary"

struct rec {
	struct buf log;
	int in_part;
};

static void fz_fail(const char *why)
{
	fprintf(stderr, "fuzz_multipart: %s\n", why);
	abort();
}

static int on_begin(void *ud, const char *name, const char *filename, const char *ctype)
{
	struct rec *r = ud;
	if (r->in_part)
		fz_fail("part begins inside a part");
	if (!name || !ctype)
		fz_fail("part without name or content type");
	if (filename && !utf8_valid(filename, strlen(filename)))
		fz_fail("file name is not UTF-8");
	r->in_part = 1;
	buf_addf(&r->log, "<B %zu:%s|%d:%s|%zu:%s>", strlen(name), name, filename ? (int)strlen(filename) : -1,
		 filename ? filename : "", strlen(ctype), ctype);
	return 0;
}

static int on_data(void *ud, const char *p, size_t n)
{
	struct rec *r = ud;
	if (!r->in_part)
		fz_fail("data outside a part");
	if (n == 0)
		fz_fail("empty data callback");
	buf_add(&r->log, p, n);
	return 0;
}

static int on_end(void *ud)
{
	struct rec *r = ud;
	if (!r->in_part)
		fz_fail("part ends twice");
	r->in_part = 0;
	buf_adds(&r->log, "<E>");
	return 0;
}

static const struct multipart_cb cb = { on_begin, on_data, on_end };

/* Parses body with the given chunking (seed 0: one piece); the verdict ends the log. */
static void run(const char *body, size_t n, unsigned seed, struct rec *r)
{
	struct multipart *m = multipart_new(BOUNDARY, &cb, r);
	if (!m)
		fz_fail("multipart_new refused a valid boundary");
	uint32_t x = seed * 2654435761u + 1;
	size_t off = 0;
	int rc = 0;
	while (off < n && rc == 0) {
		size_t k = n - off;
		if (seed) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			size_t want = 1 + x % 64;
			k = want < k ? want : k;
		}
		rc = multipart_feed(m, body + off, k);
		off += k;
	}
	if (rc == 0 && multipart_feed(m, "", 0) != 0)
		fz_fail("an empty feed failed");
	int fin = multipart_finish(m);
	if (rc && fin == 0)
		fz_fail("finish succeeded after a feed error");
	if (rc && rc != KF_EINVAL)
		fz_fail("feed failed with an unexpected code");
	buf_addf(&r->log, "<rc=%d fin=%d>", rc ? 1 : 0, fin);
	multipart_free(m);
}

static void check_boundary(const char *data, size_t size)
{
	char ctype[256], out[80];
	size_t n = strcspn(data, "\n");
	if (n > size)
		n = size;
	if (n >= sizeof(ctype))
		n = sizeof(ctype) - 1;
	memcpy(ctype, data, n);
	ctype[n] = '\0';
	if (multipart_boundary(ctype, out, sizeof(out)) != 0)
		return;
	size_t bl = strlen(out);
	if (bl == 0 || bl > 70)
		fz_fail("boundary of bad length accepted");
	struct rec r;
	buf_init(&r.log, 0);
	r.in_part = 0;
	struct multipart *m = multipart_new(out, &cb, &r);
	if (!m)
		fz_fail("multipart_new refused what multipart_boundary returned");
	multipart_free(m);
	buf_release(&r.log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned seed = data[0] ? data[0] : 1;
	const char *body = (const char *)data + 1;
	size_t n = size - 1;
	char *copy = malloc(n + 1);   /* a NUL-terminated copy for the Content-Type check */
	memcpy(copy, body, n);
	copy[n] = '\0';
	check_boundary(copy, n);
	free(copy);

	struct rec whole, parts;
	buf_init(&whole.log, 0);
	buf_init(&parts.log, 0);
	whole.in_part = parts.in_part = 0;
	run(body, n, 0, &whole);
	run(body, n, seed, &parts);
	if (whole.log.len != parts.log.len || memcmp(whole.log.ptr, parts.log.ptr, whole.log.len) != 0) {
		fprintf(stderr, "whole:   %.*s\nchunked: %.*s\n", (int)(whole.log.len > 400 ? 400 : whole.log.len),
			whole.log.ptr, (int)(parts.log.len > 400 ? 400 : parts.log.len), parts.log.ptr);
		fz_fail("the result depends on how the body was chunked");
	}
	buf_release(&whole.log);
	buf_release(&parts.log);
	return 0;
}
