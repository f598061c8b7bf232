/* tests/unit/test_forms.c - the rules of an online form's field definitions (ticket/forms.c,
 * forms__fields_check) without a server: defaults filled in (required false, each type's
 * max_length), select options kept, and each refusal naming the field and member at fault: the
 * count (1..30), keys (a-z 0-9 _, not leading _, unique), labels, types, options only and always
 * for a select, max_length within the type's ceiling, unknown members, at most 3 file fields. */
#include "testutil.h"
#include "core/kf.h"
#include "ticket/forms.h"
#include <jansson.h>

/* forms__fields_check on text; out (may be NULL) gets the normalised array as compact text. */
static int check(const char *text, char *err, size_t errsz, char **out)
{
	json_t *j = json_loads(text, 0, NULL), *norm = NULL;
	assert_non_null(j);
	err[0] = '\0';
	int rc = forms__fields_check(j, &norm, err, errsz);
	json_decref(j);
	if (out)
		*out = rc == 0 ? json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(norm);
	return rc;
}

static void test_normalised(void **state)
{
	(void)state;
	char err[200], *out;
	assert_int_equal(check("[{\"key\":\"name\",\"label\":\"姓名\",\"type\":\"text\"},"
			       "{\"key\":\"kind\",\"label\":\"类型\",\"type\":\"select\",\"options\":[\"a\",\"b\"],\"required\":true},"
			       "{\"key\":\"photo\",\"label\":\"照片\",\"type\":\"file\",\"max_length\":null},"
			       "{\"key\":\"note\",\"label\":\"备注\",\"type\":\"textarea\",\"max_length\":300}]",
			       err, sizeof(err), &out), 0);
	assert_string_equal(out, "[{\"key\":\"name\",\"label\":\"姓名\",\"max_length\":200,\"required\":false,\"type\":\"text\"},"
				 "{\"key\":\"kind\",\"label\":\"类型\",\"max_length\":100,\"options\":[\"a\",\"b\"],\"required\":true,\"type\":\"select\"},"
				 "{\"key\":\"photo\",\"label\":\"照片\",\"required\":false,\"type\":\"file\"},"
				 "{\"key\":\"note\",\"label\":\"备注\",\"max_length\":300,\"required\":false,\"type\":\"textarea\"}]");
	free(out);
}

static void refused(const char *text, const char *prefix)
{
	char err[200];
	assert_int_equal(check(text, err, sizeof(err), NULL), KF_EINVAL);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("%s: the error \"%s\" does not start with \"%s\"", text, err, prefix);
}

static void test_refused(void **state)
{
	(void)state;
	refused("[]", "fields:");
	refused("{}", "fields:");
	refused("[1]", "fields[0]:");
	refused("[{\"key\":\"Name\",\"label\":\"L\",\"type\":\"text\"}]", "fields[0].key:");
	refused("[{\"key\":\"_kf_ts\",\"label\":\"L\",\"type\":\"text\"}]", "fields[0].key:");
	refused("[{\"key\":\"abcdefghijabcdefghijabcdefghijabc\",\"label\":\"L\",\"type\":\"text\"}]", "fields[0].key:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"text\"},{\"key\":\"a\",\"label\":\"M\",\"type\":\"text\"}]",
		"fields[1].key:");
	refused("[{\"key\":\"a\",\"label\":\"\",\"type\":\"text\"}]", "fields[0].label:");
	refused("[{\"key\":\"a\",\"label\":\"L\\n\",\"type\":\"text\"}]", "fields[0].label:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"date\"}]", "fields[0].type:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"select\"}]", "fields[0].options:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"select\",\"options\":[\"x\",\"x\"]}]", "fields[0].options:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"select\",\"options\":[1]}]", "fields[0].options:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"email\",\"options\":[\"x\"]}]", "fields[0].options:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"email\",\"max_length\":255}]", "fields[0].max_length:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"file\",\"max_length\":5}]", "fields[0].max_length:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"text\",\"required\":\"yes\"}]", "fields[0].required:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"text\",\"hint\":\"x\"}]", "fields[0].hint:");
	refused("[{\"key\":\"a\",\"label\":\"L\",\"type\":\"file\"},{\"key\":\"b\",\"label\":\"L\",\"type\":\"file\"},"
		"{\"key\":\"c\",\"label\":\"L\",\"type\":\"file\"},{\"key\":\"d\",\"label\":\"L\",\"type\":\"file\"}]", "fields:");
}

static void test_count(void **state)
{
	(void)state;
	char text[4096], err[200];
	size_t n = 0;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "[");
	for (int i = 0; i < FORM_MAX_FIELDS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s{\"key\":\"f%d\",\"label\":\"L\",\"type\":\"text\"}", i ? "," : "", i);
	snprintf(text + n, sizeof(text) - n, "]");
	assert_int_equal(check(text, err, sizeof(err), NULL), 0);   /* 30 is fine */
	snprintf(text + n, sizeof(text) - n, ",{\"key\":\"x\",\"label\":\"L\",\"type\":\"text\"}]");
	assert_int_equal(check(text, err, sizeof(err), NULL), KF_EINVAL);   /* 31 is not */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalised), cmocka_unit_test(test_refused), cmocka_unit_test(test_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
