/* core/json.h - helpers over jansson: strict parsing of request bodies and
 * serialising into a capped buf. Parsing rejects invalid UTF-8, NUL escapes and
 * duplicate keys, so every string handed to feature code is valid UTF-8. */
#ifndef KF_CORE_JSON_H
#define KF_CORE_JSON_H
#include <jansson.h>
#include <stddef.h>

struct buf;

enum json_parse_err { JSON_OK = 0, JSON_EINVAL = 1, JSON_EUTF8 = 2, JSON_ENOTOBJ = 3 };

/* Parses s[0..n) as a JSON object. On success *out is a new reference (json_decref it).
 * On failure *out is NULL and msg (if non-NULL, msgsz bytes) says what was wrong. */
enum json_parse_err json_parse_object(const char *s, size_t n, json_t **out, char *msg, size_t msgsz);

/* Serialises v compactly onto b (respecting b's cap). Returns 0 or b->err/KF_EINVAL. */
int json_to_buf(const json_t *v, struct buf *b);

/* A JSON array of the space-separated words of s (how lists such as scopes, tags and
 * origins are stored). A new reference. */
json_t *json_words(const char *s);

/* Returns the string member key of obj, or NULL when missing or not a string. */
const char *json_get_str(const json_t *obj, const char *key);

#endif
