/* tests/unit/test_multipart.c - http/multipart.c: the boundary from Content-Type and the
 * streaming parser, which must give the same parts however the body is split. */
#include "testutil.h"
#include "core/buf.h"
#include "core/kf.h"
#include "http/multipart.h"

/* ---- boundary ---- */

static void test_boundary_plain(void **state)
{
	(void)state;
	char b[80];
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
					    b, sizeof(b)), 0);
	assert_string_equal(b, "----WebKitFormBoundary7MA4YWxkTrZu0gW");
	assert_int_equal(multipart_boundary("multipart/form-data;boundary=abc", b, sizeof(b)), 0);
	assert_string_equal(b, "abc");
}

static void test_boundary_followed_by_other_params(void **state)
{
	(void)state;
	char b[80];
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=abc; charset=utf-8", b, sizeof(b)), 0);
	assert_string_equal(b, "abc");
	assert_int_equal(multipart_boundary("multipart/form-data; charset=utf-8; boundary=xyz", b, sizeof(b)), 0);
	assert_string_equal(b, "xyz");
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=abc def", b, sizeof(b)), 0);
	assert_string_equal(b, "abc");
}

static void test_boundary_quoted(void **state)
{
	(void)state;
	char b[80];
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"a b;c=d\"", b, sizeof(b)), 0);
	assert_string_equal(b, "a b;c=d");
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"simple\"; charset=utf-8", b, sizeof(b)), 0);
	assert_string_equal(b, "simple");
}

static void test_boundary_case_insensitive(void **state)
{
	(void)state;
	char b[80];
	assert_int_equal(multipart_boundary("Multipart/Form-Data; BOUNDARY=Q", b, sizeof(b)), 0);
	assert_string_equal(b, "Q");
}

static void test_boundary_rejects_bad_content_types(void **state)
{
	(void)state;
	char b[80];
	char long70[100], long71[100];
	memset(long70, 'x', 70);
	long70[70] = '\0';
	memset(long71, 'x', 71);
	long71[71] = '\0';
	char ok70[160], bad71[160];
	snprintf(ok70, sizeof(ok70), "multipart/form-data; boundary=%s", long70);
	snprintf(bad71, sizeof(bad71), "multipart/form-data; boundary=%s", long71);

	assert_int_equal(multipart_boundary(NULL, b, sizeof(b)), KF_EINVAL);
	assert_int_equal(multipart_boundary("", b, sizeof(b)), KF_EINVAL);
	assert_int_equal(multipart_boundary("application/json", b, sizeof(b)), KF_EINVAL);
	assert_int_equal(multipart_boundary("text/plain; boundary=abc", b, sizeof(b)), KF_EINVAL);
	assert_int_equal(multipart_boundary("multipart/mixed; boundary=abc", b, sizeof(b)), KF_EINVAL);
	assert_int_equal(multipart_boundary("multipart/form-data", b, sizeof(b)), KF_EINVAL);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=", b, sizeof(b)), KF_EINVAL);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"\"", b, sizeof(b)), KF_EINVAL);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=;x", b, sizeof(b)), KF_EINVAL);
	assert_int_equal(multipart_boundary(ok70, b, sizeof(b)), 0);          /* RFC 2046: 1..70 */
	assert_string_equal(b, long70);
	assert_int_equal(multipart_boundary(bad71, b, sizeof(b)), KF_EINVAL);
	/* out too small for the boundary */
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=abcdef", b, 6), KF_EINVAL);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=abcdef", b, 7), 0);
}

/* ---- parser ---- */

/* Records what the callbacks saw, in a form independent of how data was chunked:
 * "[name|filename|ctype]data</>" per part, with runs of on_data joined. */
struct rec {
	struct buf log;
	int in_part;
	int abort_begin, abort_data, abort_end;
	int nbegin, ndata, nend;
};

static int rec_begin(void *ud, const char *name, const char *filename, const char *ctype)
{
	struct rec *r = ud;
	assert_false(r->in_part);
	assert_non_null(name);
	assert_non_null(ctype);
	r->in_part = 1;
	r->nbegin++;
	buf_addf(&r->log, "[%s|%s|%s]", name, filename ? filename : "(none)", ctype);
	return r->abort_begin;
}

static int rec_data(void *ud, const char *p, size_t n)
{
	struct rec *r = ud;
	assert_true(r->in_part);
	assert_true(n > 0);
	r->ndata++;
	buf_add(&r->log, p, n);
	return r->abort_data;
}

static int rec_end(void *ud)
{
	struct rec *r = ud;
	assert_true(r->in_part);
	r->in_part = 0;
	r->nend++;
	buf_adds(&r->log, "</>");
	return r->abort_end;
}

static const struct multipart_cb cb = { rec_begin, rec_data, rec_end };

#define BND "XyZ-boundary-42"

/* A browser-like body: preamble, a text field, a file with a Chinese name whose data
 * holds CRLFs, "--" and a prefix of the delimiter, then the close and an epilogue. */
static const char body2[] =
	"this preamble is ignored\r\n"
	"--" BND "\r\n"
	"Content-Disposition: form-data; name=\"title\"\r\n"
	"\r\n"
	"hello world\r\n"
	"--" BND "\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"报告 2024.txt\"\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"\r\n"
	"line one\r\n--not-the-boundary\r\n--XyZ-boundary-4 almost\r\n\r\n-- end\r\n"
	"--" BND "--\r\n"
	"epilogue, also ignored\r\n";

static const char want2[] =
	"[title|(none)|application/octet-stream]hello world</>"
	"[file|报告 2024.txt|text/plain; charset=utf-8]"
	"line one\r\n--not-the-boundary\r\n--XyZ-boundary-4 almost\r\n\r\n-- end</>";

/* Feeds body in the given chunk sizes (0-terminated list; the rest in one go). */
static int run_chunks(const char *body, size_t n, const size_t *chunks, struct rec *r, int *finish)
{
	struct multipart *mp = multipart_new(BND, &cb, r);
	assert_non_null(mp);
	size_t off = 0;
	int rc = 0;
	for (const size_t *c = chunks; c && *c && off < n && rc == 0; c++) {
		size_t k = *c < n - off ? *c : n - off;
		rc = multipart_feed(mp, body + off, k);
		off += k;
	}
	if (rc == 0 && off < n)
		rc = multipart_feed(mp, body + off, n - off);
	*finish = multipart_finish(mp);
	multipart_free(mp);
	return rc;
}

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->log, 0);
}

static void test_multipart_two_parts_whole(void **state)
{
	(void)state;
	struct rec r;
	int fin;
	rec_init(&r);
	assert_int_equal(run_chunks(body2, sizeof(body2) - 1, NULL, &r, &fin), 0);
	assert_int_equal(fin, 0);
	assert_string_equal(r.log.ptr, want2);
	assert_int_equal(r.nbegin, 2);
	assert_int_equal(r.nend, 2);
	assert_false(r.in_part);
	buf_release(&r.log);
}

static void test_multipart_every_split_position_gives_same_parts(void **state)
{
	(void)state;
	size_t n = sizeof(body2) - 1;
	for (size_t at = 0; at <= n; at++) {
		struct rec r;
		int fin;
		size_t chunks[] = { at, 0 };
		rec_init(&r);
		if (at == 0)
			chunks[0] = n;   /* 0 ends the list; the whole body is split position 0 */
		assert_int_equal(run_chunks(body2, n, chunks, &r, &fin), 0);
		assert_int_equal(fin, 0);
		if (strcmp(r.log.ptr, want2) != 0)
			fail_msg("split at %zu gave %s", at, r.log.ptr);
		buf_release(&r.log);
	}
}

static void test_multipart_every_pair_of_splits_near_delimiters(void **state)
{
	(void)state;
	/* three chunks, with both cuts around the second delimiter and the close */
	size_t n = sizeof(body2) - 1;
	const char *d2 = strstr(body2 + 30, "--" BND);
	const char *close = strstr(body2, "--" BND "--");
	size_t lo = (size_t)(d2 - body2) - 4, hi = (size_t)(close - body2) + strlen(BND) + 6;
	for (size_t a = lo; a < lo + 24; a++)
		for (size_t b = hi - 24; b < hi; b++) {
			struct rec r;
			int fin;
			size_t chunks[] = { a, b - a, 0 };
			rec_init(&r);
			assert_int_equal(run_chunks(body2, n, chunks, &r, &fin), 0);
			assert_int_equal(fin, 0);
			if (strcmp(r.log.ptr, want2) != 0)
				fail_msg("splits at %zu,%zu gave %s", a, b, r.log.ptr);
			buf_release(&r.log);
		}
}

static void test_multipart_byte_by_byte_gives_same_parts(void **state)
{
	(void)state;
	struct rec r;
	int fin;
	size_t n = sizeof(body2) - 1;
	size_t ones[sizeof(body2)];
	for (size_t i = 0; i < n; i++)
		ones[i] = 1;
	ones[n] = 0;
	rec_init(&r);
	assert_int_equal(run_chunks(body2, n, ones, &r, &fin), 0);
	assert_int_equal(fin, 0);
	assert_string_equal(r.log.ptr, want2);
	buf_release(&r.log);
}

static void test_multipart_empty_feeds_are_harmless(void **state)
{
	(void)state;
	struct rec r;
	rec_init(&r);
	struct multipart *mp = multipart_new(BND, &cb, &r);
	size_t n = sizeof(body2) - 1;
	for (size_t i = 0; i < n; i += 7) {
		assert_int_equal(multipart_feed(mp, body2 + i, 0), 0);
		assert_int_equal(multipart_feed(mp, body2 + i, i + 7 <= n ? 7 : n - i), 0);
	}
	assert_int_equal(multipart_finish(mp), 0);
	assert_string_equal(r.log.ptr, want2);
	multipart_free(mp);
	buf_release(&r.log);
}

static void test_multipart_chinese_filename_is_exact_utf8(void **state)
{
	(void)state;
	static const char body[] =
		"--" BND "\r\n"
		"Content-Disposition: form-data; name=\"附件\"; filename=\"客服记录.pdf\"\r\n"
		"Content-Type: application/pdf\r\n\r\n"
		"%PDF\r\n"
		"--" BND "--";
	struct rec r;
	int fin;
	rec_init(&r);
	assert_int_equal(run_chunks(body, sizeof(body) - 1, NULL, &r, &fin), 0);
	assert_int_equal(fin, 0);
	assert_string_equal(r.log.ptr, "[附件|客服记录.pdf|application/pdf]%PDF</>");
	buf_release(&r.log);
}

static void test_multipart_empty_part_and_unquoted_params(void **state)
{
	(void)state;
	static const char body[] =
		"--" BND "\r\n"
		"content-disposition: form-data; name=empty\r\n\r\n"
		"\r\n--" BND "  \t\r\n"      /* transport padding after the delimiter */
		"Content-Disposition: form-data; filename=\"f.bin\"; name=\"up\"\r\n\r\n"
		"\x00\x01\xff"
		"\r\n--" BND "--";
	struct rec r;
	int fin;
	rec_init(&r);
	assert_int_equal(run_chunks(body, sizeof(body) - 1, NULL, &r, &fin), 0);
	assert_int_equal(fin, 0);
	assert_int_equal(r.nbegin, 2);
	const char want[] = "[empty|(none)|application/octet-stream]</>[up|f.bin|application/octet-stream]\x00\x01\xff</>";
	assert_int_equal(r.log.len, sizeof(want) - 1);
	assert_memory_equal(r.log.ptr, want, sizeof(want) - 1);
	buf_release(&r.log);
}

static void test_multipart_duplicate_part_headers(void **state)
{
	(void)state;
	/* Two Content-Disposition and two Content-Type lines in one part: whatever the
	 * parser decides, the values it replaced must be freed (ASan's leak check). */
	static const char body[] =
		"--" BND "\r\n"
		"Content-Disposition: form-data; name=\"a\"; filename=\"one.txt\"\r\n"
		"Content-Disposition: form-data; name=\"b\"; filename=\"two.txt\"\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Type: text/html\r\n\r\n"
		"x\r\n--" BND "--";
	struct rec r;
	int fin;
	rec_init(&r);
	int rc = run_chunks(body, sizeof(body) - 1, NULL, &r, &fin);
	assert_true(rc == 0 || rc == KF_EINVAL);
	assert_int_equal(fin, rc == 0 ? 0 : KF_EINVAL);
	buf_release(&r.log);
}

static void test_multipart_name_not_taken_from_filename(void **state)
{
	(void)state;
	/* "filename=" contains "name=": the field name must come from name= itself */
	static const char body[] =
		"--" BND "\r\n"
		"Content-Disposition: form-data; filename=\"a.txt\"\r\n\r\n"
		"x\r\n--" BND "--";
	struct rec r;
	int fin;
	rec_init(&r);
	assert_int_equal(run_chunks(body, sizeof(body) - 1, NULL, &r, &fin), KF_EINVAL);
	assert_int_equal(r.nbegin, 0);
	buf_release(&r.log);
}

/* Feeds a malformed body whole and byte by byte; both must fail with KF_EINVAL. */
static void expect_malformed(const char *body, size_t n)
{
	struct rec r;
	int fin;
	rec_init(&r);
	assert_int_equal(run_chunks(body, n, NULL, &r, &fin), KF_EINVAL);
	assert_int_equal(fin, KF_EINVAL);
	buf_release(&r.log);

	size_t *ones = calloc(n + 1, sizeof(*ones));
	for (size_t i = 0; i < n; i++)
		ones[i] = 1;
	rec_init(&r);
	assert_int_equal(run_chunks(body, n, ones, &r, &fin), KF_EINVAL);
	assert_int_equal(fin, KF_EINVAL);
	buf_release(&r.log);
	free(ones);
}

#define MALFORMED(lit) expect_malformed((lit), sizeof(lit) - 1)

static void test_multipart_rejects_malformed_bodies(void **state)
{
	(void)state;
	/* a part without Content-Disposition */
	MALFORMED("--" BND "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" BND "--");
	/* a part with no headers at all */
	MALFORMED("--" BND "\r\n\r\nx\r\n--" BND "--");
	/* Content-Disposition without a name */
	MALFORMED("--" BND "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" BND "--");
	/* an unterminated quoted name */
	MALFORMED("--" BND "\r\nContent-Disposition: form-data; name=\"abc\r\n\r\nx\r\n--" BND "--");
	/* garbage right after a delimiter */
	MALFORMED("--" BND "junk\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" BND "--");
	MALFORMED("--" BND "\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" BND "--");
	/* a filename that is not UTF-8 */
	MALFORMED("--" BND "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xff\xfe.txt\"\r\n\r\nx\r\n--" BND "--");
}

static void test_multipart_rejects_oversized_part_headers(void **state)
{
	(void)state;
	struct rec r;
	rec_init(&r);
	struct multipart *mp = multipart_new(BND, &cb, &r);
	const char start[] = "--" BND "\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: ";
	assert_int_equal(multipart_feed(mp, start, sizeof(start) - 1), 0);
	char pad[1024];
	memset(pad, 'p', sizeof(pad));
	int rc = 0;
	for (int i = 0; i < 64 && rc == 0; i++)   /* 64 KiB of one header, never ending */
		rc = multipart_feed(mp, pad, sizeof(pad));
	assert_int_equal(rc, KF_EINVAL);
	assert_int_equal(r.nbegin, 0);
	/* the error is sticky */
	assert_int_equal(multipart_feed(mp, "\r\n\r\n", 4), KF_EINVAL);
	assert_int_equal(multipart_finish(mp), KF_EINVAL);
	multipart_free(mp);
	buf_release(&r.log);
}

static void test_multipart_header_limit_does_not_depend_on_chunking(void **state)
{
	(void)state;
	/* A 9000-byte part header block is refused when it trickles in (see the test
	 * above); arriving in one piece must not let it through. */
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "--" BND "\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: ");
	for (int i = 0; i < 9000; i++)
		buf_addc(&b, 'p');
	buf_adds(&b, "\r\n\r\nv\r\n--" BND "--");
	struct rec r;
	int fin;
	size_t k1000[64];
	for (size_t i = 0; i < 63; i++)
		k1000[i] = 1000;
	k1000[63] = 0;
	rec_init(&r);
	assert_int_equal(run_chunks(b.ptr, b.len, k1000, &r, &fin), KF_EINVAL);
	buf_release(&r.log);
	rec_init(&r);
	assert_int_equal(run_chunks(b.ptr, b.len, NULL, &r, &fin), KF_EINVAL);
	assert_int_equal(r.nbegin, 0);
	buf_release(&r.log);
	buf_release(&b);
}

static void test_multipart_missing_close_fails_finish(void **state)
{
	(void)state;
	static const char *const bodies[] = {
		"",
		"only a preamble, no delimiter",
		"--" BND,
		"--" BND "\r\n",
		"--" BND "\r\nContent-Disposition: form-data; name=\"a\"\r\n",
		"--" BND "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue",
		"--" BND "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n",
		"--" BND "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--" BND,
		"--" BND "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--" BND "-",
		"--" BND "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--" BND "\r\n",
	};
	for (size_t i = 0; i < KF_ARRAY_LEN(bodies); i++) {
		struct rec r;
		int fin;
		rec_init(&r);
		assert_int_equal(run_chunks(bodies[i], strlen(bodies[i]), NULL, &r, &fin), 0);
		if (fin != KF_EINVAL)
			fail_msg("body %zu finished without its closing delimiter", i);
		buf_release(&r.log);
	}
}

static void test_multipart_bytes_after_close_are_ignored(void **state)
{
	(void)state;
	struct rec r;
	rec_init(&r);
	struct multipart *mp = multipart_new(BND, &cb, &r);
	const char body[] = "--" BND "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" BND "--";
	assert_int_equal(multipart_feed(mp, body, sizeof(body) - 1), 0);
	assert_int_equal(multipart_finish(mp), 0);
	assert_int_equal(multipart_feed(mp, "\r\n--" BND "\r\ngarbage", 30), 0);
	assert_int_equal(multipart_finish(mp), 0);
	assert_int_equal(r.nbegin, 1);
	multipart_free(mp);
	buf_release(&r.log);
}

static void test_multipart_callback_abort_stops_parsing(void **state)
{
	(void)state;
	int *flags[] = { NULL, NULL, NULL };
	for (int which = 0; which < 3; which++) {
		struct rec r;
		int fin;
		rec_init(&r);
		flags[0] = &r.abort_begin;
		flags[1] = &r.abort_data;
		flags[2] = &r.abort_end;
		*flags[which] = 1;
		int rc = run_chunks(body2, sizeof(body2) - 1, NULL, &r, &fin);
		assert_true(rc < 0);
		assert_int_equal(fin, KF_EINVAL);
		assert_int_equal(r.nbegin, 1);   /* nothing after the first abort */
		buf_release(&r.log);
	}
}

static void test_multipart_new_validates_boundary(void **state)
{
	(void)state;
	struct rec r;
	char b70[71], b71[72];
	memset(b70, 'b', 70);
	b70[70] = '\0';
	memset(b71, 'b', 71);
	b71[71] = '\0';
	rec_init(&r);
	assert_null(multipart_new(NULL, &cb, &r));
	assert_null(multipart_new("", &cb, &r));
	assert_null(multipart_new(b71, &cb, &r));
	struct multipart *mp = multipart_new(b70, &cb, &r);
	assert_non_null(mp);
	multipart_free(mp);
	multipart_free(NULL);
	buf_release(&r.log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary_plain),
		cmocka_unit_test(test_boundary_followed_by_other_params),
		cmocka_unit_test(test_boundary_quoted),
		cmocka_unit_test(test_boundary_case_insensitive),
		cmocka_unit_test(test_boundary_rejects_bad_content_types),
		cmocka_unit_test(test_multipart_two_parts_whole),
		cmocka_unit_test(test_multipart_every_split_position_gives_same_parts),
		cmocka_unit_test(test_multipart_every_pair_of_splits_near_delimiters),
		cmocka_unit_test(test_multipart_byte_by_byte_gives_same_parts),
		cmocka_unit_test(test_multipart_empty_feeds_are_harmless),
		cmocka_unit_test(test_multipart_chinese_filename_is_exact_utf8),
		cmocka_unit_test(test_multipart_empty_part_and_unquoted_params),
		cmocka_unit_test(test_multipart_name_not_taken_from_filename),
		cmocka_unit_test(test_multipart_duplicate_part_headers),
		cmocka_unit_test(test_multipart_rejects_malformed_bodies),
		cmocka_unit_test(test_multipart_rejects_oversized_part_headers),
		cmocka_unit_test(test_multipart_header_limit_does_not_depend_on_chunking),
		cmocka_unit_test(test_multipart_missing_close_fails_finish),
		cmocka_unit_test(test_multipart_bytes_after_close_are_ignored),
		cmocka_unit_test(test_multipart_callback_abort_stops_parsing),
		cmocka_unit_test(test_multipart_new_validates_boundary),
	};
	return cmocka_run_group_tests_name("multipart", tests, NULL, NULL);
}
