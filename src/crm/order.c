/* crm/order.c - an order as the shop pushes it: strict validation into struct store_order,
 * money as integer cents, and the canonical hash that makes the push idempotent (a retried
 * call hashes the same and changes nothing). No I/O here, so the unit tests reach it all. */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "store/store_crm.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "core/util.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CRM_MAX_ITEMS 200
#define CRM_MAX_QTY 10000
#define CRM_MAX_CENTS 1000000000000LL   /* 10^10 in currency units: more than any order */

int crm_number_ok(const char *number)
{
	size_t n = strlen(number);
	return n >= 1 && n <= 64 &&
	       strspn(number, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* "123.45" -> 12345: digits, then optionally '.' and one or two digits. */
static int decimal_cents(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0, n = strlen(s);
	if (n == 0 || n > 20)
		return KF_EINVAL;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	if (i == 0 || v > CRM_MAX_CENTS / 100)
		return KF_EINVAL;
	v *= 100;
	if (i < n) {
		size_t d = n - i - 1;
		if (s[i] != '.' || d < 1 || d > 2 || strspn(s + i + 1, "0123456789") != d)
			return KF_EINVAL;
		v += (s[i + 1] - '0') * 10 + (d == 2 ? s[i + 2] - '0' : 0);
	}
	*out = v;
	return 0;
}

int crm_parse_cents(const json_t *v, int64_t *out)
{
	int64_t c;
	if (json_is_integer(v)) {
		c = json_integer_value(v);
		if (c < 0 || c > CRM_MAX_CENTS)
			return KF_EINVAL;
	} else if (!json_is_string(v) || decimal_cents(json_string_value(v), &c) != 0 || c > CRM_MAX_CENTS) {
		return KF_EINVAL;
	}
	*out = c;
	return 0;
}

void crm_phone_digits(const char *phone, char *out, size_t outsz)
{
	size_t n = 0;
	for (; *phone && n + 1 < outsz; phone++)
		if (*phone >= '0' && *phone <= '9')
			out[n++] = *phone;
	out[n] = '\0';
}

/* ---- validation ---- */

struct verr {
	char *msg;
	size_t sz;
};

static int fail(struct verr *e, const char *msg)
{
	snprintf(e->msg, e->sz, "%s", msg);
	return KF_EINVAL;
}

/* Optional string field key of j, at most max bytes, into out (outsz > max): 0, or KF_EINVAL. */
static int opt_str(const json_t *j, const char *key, size_t max, char *out, size_t outsz, struct verr *e)
{
	const json_t *v = json_object_get(j, key);
	char m[96];
	out[0] = '\0';
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(m, sizeof(m), "%s: a string of at most %zu bytes", key, max);
		return fail(e, m);
	}
	utf8_copy(out, outsz, json_string_value(v));
	return 0;
}

int crm_email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	return at && at != s && at[1] && !strchr(at + 1, '@') && !strpbrk(s, " \t\r\n<>\"");
}

int crm_phone_ok(const char *s)
{
	char d[40];
	crm_phone_digits(s, d, sizeof(d));
	return strspn(s, "0123456789+-() ") == strlen(s) && strlen(d) >= 5;
}

void crm_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* Unix seconds, or "YYYY-MM-DDTHH:MM:SSZ" (UTC). Absent: 0. */
static int opt_time(const json_t *j, const char *key, int64_t *out, struct verr *e)
{
	const json_t *v = json_object_get(j, key);
	char m[96];
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 32503680000LL) {
		*out = json_integer_value(v);
		return 0;
	}
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	const char *end = strlen(s) == 20 ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
	if (!end || *end) {
		snprintf(m, sizeof(m), "%s: unix seconds or a UTC time such as 2026-11-20T08:30:00Z", key);
		return fail(e, m);
	}
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int status_ok(const char *s)
{
	static const char *const ok[] = { "paid", "shipped", "delivered", "cancelled", "returned" };
	for (size_t i = 0; i < KF_ARRAY_LEN(ok); i++)
		if (strcmp(s, ok[i]) == 0)
			return 1;
	return 0;
}

/* price_cents (integer) or price (decimal string): exactly one. */
static int money(const json_t *j, const char *cents_key, const char *dec_key, int64_t *out, struct verr *e)
{
	const json_t *c = json_object_get(j, cents_key), *d = json_object_get(j, dec_key);
	char m[128];
	snprintf(m, sizeof(m), "%s (integer cents) or %s (a decimal string such as \"12.50\"), not negative", cents_key,
		 dec_key);
	if (!c == !d || (c && !json_is_integer(c)) || (d && !json_is_string(d)))
		return fail(e, m);
	return crm_parse_cents(c ? c : d, out) ? fail(e, m) : 0;
}

static int item_from(const json_t *j, struct store_order_item *it, struct verr *e)
{
	if (!json_is_object(j))
		return fail(e, "items: each item is an object");
	const json_t *q = json_object_get(j, "quantity");
	if (opt_str(j, "sku", 64, it->sku, sizeof(it->sku), e) || opt_str(j, "name", 200, it->name, sizeof(it->name), e) ||
	    opt_str(j, "category", 100, it->category, sizeof(it->category), e))
		return KF_EINVAL;
	if (!it->name[0])
		return fail(e, "items: name is required");
	if (!json_is_integer(q) || json_integer_value(q) < 1 || json_integer_value(q) > CRM_MAX_QTY)
		return fail(e, "items: quantity is an integer from 1 to 10000");
	it->quantity = json_integer_value(q);
	return money(j, "price_cents", "price", &it->price_cents, e);
}

static int items_from(const json_t *arr, struct store_order *o, struct verr *e)
{
	if (!json_is_array(arr) || json_array_size(arr) < 1 || json_array_size(arr) > CRM_MAX_ITEMS)
		return fail(e, "items: an array of 1 to 200 items");
	o->items = xcalloc(json_array_size(arr), sizeof(*o->items));
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v) {
		if (item_from(v, &o->items[i], e))
			return KF_EINVAL;
		o->nitems++;
	}
	return 0;
}

static int contact_ok(struct store_order *o, struct verr *e)
{
	crm_lower(o->email);
	if (o->email[0] && !crm_email_ok(o->email))
		return fail(e, "email: an e-mail address");
	if (o->phone[0] && !crm_phone_ok(o->phone))
		return fail(e, "phone: digits, spaces, + - ( ), at least 5 digits");
	return 0;
}

/* The optional customer object: {external_id, name, email, phone}, checked, e-mail lowercased. */
static int customer_from(const json_t *j, json_t **cust, struct verr *e)
{
	const json_t *c = json_object_get(j, "customer");
	char ext[129], name[256], email[256], phone[40];
	*cust = NULL;
	if (!c || json_is_null(c))
		return 0;
	if (!json_is_object(c))
		return fail(e, "customer: an object with external_id, name, email, phone");
	if (opt_str(c, "external_id", 128, ext, sizeof(ext), e) || opt_str(c, "name", 200, name, sizeof(name), e) ||
	    opt_str(c, "email", 254, email, sizeof(email), e) || opt_str(c, "phone", 32, phone, sizeof(phone), e))
		return KF_EINVAL;
	crm_lower(email);
	if (email[0] && !crm_email_ok(email))
		return fail(e, "customer.email: an e-mail address");
	if (phone[0] && !crm_phone_ok(phone))
		return fail(e, "customer.phone: digits, spaces, + - ( ), at least 5 digits");
	*cust = json_pack("{s:s,s:s,s:s,s:s}", "external_id", ext, "name", name, "email", email, "phone", phone);
	return 0;
}

static int order_fields(const json_t *j, struct store_order *o, struct verr *e)
{
	if (opt_str(j, "status", 11, o->status, sizeof(o->status), e) || !status_ok(o->status))
		return fail(e, "status: one of paid, shipped, delivered, cancelled, returned");
	if (opt_str(j, "currency", 3, o->currency, sizeof(o->currency), e) || strlen(o->currency) != 3 ||
	    strspn(o->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		return fail(e, "currency: three capital letters such as CNY");
	if (money(j, "total_cents", "total", &o->total_cents, e) ||
	    opt_str(j, "email", 254, o->email, sizeof(o->email), e) ||
	    opt_str(j, "phone", 32, o->phone, sizeof(o->phone), e) || contact_ok(o, e) ||
	    opt_str(j, "carrier", 60, o->carrier, sizeof(o->carrier), e) ||
	    opt_str(j, "tracking", 120, o->tracking, sizeof(o->tracking), e) ||
	    opt_time(j, "placed_at", &o->placed_at, e) || opt_time(j, "updated_at", &o->updated_at, e))
		return KF_EINVAL;
	if (!o->placed_at)
		return fail(e, "placed_at is required: unix seconds or a UTC time such as 2026-11-20T08:30:00Z");
	return items_from(json_object_get(j, "items"), o, e);
}

int crm_order_from_json(const json_t *j, const char *number, struct store_order *o, json_t **cust,
			char *err, size_t errsz)
{
	struct verr e = { err, errsz };
	memset(o, 0, sizeof(*o));
	*cust = NULL;
	snprintf(o->number, sizeof(o->number), "%s", number);
	if (order_fields(j, o, &e) || customer_from(j, cust, &e)) {
		store_order_free(o);
		return KF_EINVAL;
	}
	return 0;
}

/* ---- the canonical hash ---- */

static json_t *items_json(const struct store_order *o)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < o->nitems; i++) {
		const struct store_order_item *it = &o->items[i];
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:I}", "sku", it->sku, "name", it->name, "category",
						     it->category, "quantity", (json_int_t)it->quantity, "price_cents",
						     (json_int_t)it->price_cents));
	}
	return arr;
}

void crm_order_hash(const struct store_order *o, const json_t *cust, char out[65])
{
	json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:I,s:o,s:O}", "number", o->number, "status",
			      o->status, "currency", o->currency, "email", o->email, "total_cents",
			      (json_int_t)o->total_cents, "phone", o->phone, "carrier", o->carrier, "tracking", o->tracking,
			      "placed_at", (json_int_t)o->placed_at, "updated_at", (json_int_t)o->updated_at, "items",
			      items_json(o), "customer", cust ? (json_t *)cust : json_null());
	char *text = c ? json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)(text ? text : ""), text ? strlen(text) : 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
	free(text);
	json_decref(c);
}
