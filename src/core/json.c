/* core/json.c - jansson helpers (see json.h). */
#include "json.h"
#include "buf.h"
#include "kf.h"
#include "util.h"
#include <stdio.h>
#include <string.h>

enum json_parse_err json_parse_object(const char *s, size_t n, json_t **out, char *msg, size_t msgsz)
{
	json_error_t err;
	*out = NULL;
	/* Check UTF-8 ourselves first: jansson also rejects it, but we want a distinct code. */
	if (!utf8_valid(s, n)) {
		if (msg)
			snprintf(msg, msgsz, "body is not valid UTF-8");
		return JSON_EUTF8;
	}
	json_t *v = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!v) {
		if (msg)
			snprintf(msg, msgsz, "invalid JSON at line %d column %d: %s", err.line, err.column, err.text);
		return JSON_EINVAL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		if (msg)
			snprintf(msg, msgsz, "JSON body must be an object");
		return JSON_ENOTOBJ;
	}
	*out = v;
	return JSON_OK;
}

static int dump_cb(const char *p, size_t n, void *data)
{
	return buf_add(data, p, n) ? -1 : 0;
}

int json_to_buf(const json_t *v, struct buf *b)
{
	if (!v)
		return KF_EINVAL;
	if (json_dump_callback(v, dump_cb, b, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
		return b->err ? b->err : KF_EINVAL;
	return 0;
}

json_t *json_words(const char *s)
{
	json_t *arr = json_array();
	for (const char *p = s; *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n)
			json_array_append_new(arr, json_stringn(p, n));
		p += n;
	}
	return arr;
}

const char *json_get_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}
