/* tests/unit/test_csv.c - crm/import.c's streaming CSV reader: RFC 4180 quoting, escaped
 * quotes, CRLF, newlines inside quotes, the BOM, the line each row starts on, malformed rows
 * reported and skipped without losing the next, the 64 KB row limit, and input fed one byte
 * at a time giving the same rows as the whole file. */
#include "testutil.h"
#include "core/alloc.h"
#include "crm/crm.h"
#include <stdlib.h>
#include <string.h>

/* Each row as "LINE:f1|f2|..." or "LINE!error", joined by '\n'. */
struct got {
	char text[4096];
};

static int collect(void *ud, int64_t line, size_t nf, const char **f, const char *err)
{
	struct got *g = ud;
	size_t n = strlen(g->text);
	n += (size_t)snprintf(g->text + n, sizeof(g->text) - n, "%lld%s", (long long)line, err ? "!" : ":");
	if (err)
		n += (size_t)snprintf(g->text + n, sizeof(g->text) - n, "%s", err);
	for (size_t i = 0; i < nf; i++)
		n += (size_t)snprintf(g->text + n, sizeof(g->text) - n, "%s%s", i ? "|" : "", f[i]);
	snprintf(g->text + n, sizeof(g->text) - n, "\n");
	return 0;
}

/* Parses s fed in pieces of step bytes (0: all at once). */
static const char *parse(const char *s, size_t step, struct got *g)
{
	struct csv c;
	size_t n = strlen(s);
	memset(g, 0, sizeof(*g));
	csv_init(&c, collect, g);
	if (!step)
		step = n ? n : 1;
	for (size_t i = 0; i < n; i += step)
		csv_feed(&c, s + i, i + step <= n ? step : n - i);
	csv_finish(&c);
	csv_free(&c);
	return g->text;
}

static void test_quoting(void **state)
{
	struct got g;
	(void)state;
	assert_string_equal(parse("a,b,c\n1,2,3\n", 0, &g), "1:a|b|c\n2:1|2|3\n");
	assert_string_equal(parse("\"x, y\",\"say \"\"hi\"\"\",\n", 0, &g), "1:x, y|say \"hi\"|\n");
	assert_string_equal(parse("a,b\r\n1,2\r\n", 0, &g), "1:a|b\n2:1|2\n");          /* CRLF */
	assert_string_equal(parse("a\n\"two\r\nlines\",x\nz\n", 0, &g), "1:a\n2:two\r\nlines|x\n4:z\n");
	assert_string_equal(parse("\xEF\xBB\xBFid,名字\n1,李雷\n", 0, &g), "1:id|名字\n2:1|李雷\n");   /* BOM */
	assert_string_equal(parse("a,b\n1,2", 0, &g), "1:a|b\n2:1|2\n");               /* no final newline */
	assert_string_equal(parse("a\n\n\nb\n", 0, &g), "1:a\n4:b\n");                 /* blank lines skipped */
	assert_string_equal(parse(",\n", 0, &g), "1:|\n");                             /* two empty fields */
	assert_string_equal(parse("\xEF\xBBx\n", 1, &g), "1:\xEF\xBBx\n");                  /* half a BOM is text */
}

static void test_malformed(void **state)
{
	struct got g;
	(void)state;
	assert_string_equal(parse("a,b\"c,d\nok,1\n", 0, &g), "1!a quote inside an unquoted field\n2:ok|1\n");
	assert_string_equal(parse("\"a\"b,c\nok\n", 0, &g), "1!text after a closing quote\n2:ok\n");
	assert_string_equal(parse("ok\n\"never closed,1\n", 0, &g), "1:ok\n2!a quoted field without its closing quote\n");
}

static void test_bytewise_same(void **state)
{
	struct got whole, bytes;
	const char *s = "\xEF\xBB\xBFh1,h2\r\n\"q,\"\"x\"\"\",\"multi\nline\"\r\nbad\"q,1\r\nlast,2";
	(void)state;
	parse(s, 0, &whole);
	parse(s, 1, &bytes);
	assert_string_equal(whole.text, bytes.text);
	assert_string_equal(whole.text, "1:h1|h2\n2:q,\"x\"|multi\nline\n4!a quote inside an unquoted field\n5:last|2\n");
}

static void test_row_limit(void **state)
{
	struct got g;
	size_t n = CSV_MAX_ROW + 100;
	char *s = xmalloc(n + 16);
	(void)state;
	memset(s, 'x', n);
	memcpy(s + n, "\nok,1\n", 7);
	assert_string_equal(parse(s, 4096, &g), "1!row over 64 KB\n2:ok|1\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bytewise_same),
		cmocka_unit_test(test_row_limit),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
