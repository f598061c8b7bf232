/* crm/crm.h - the CRM's foundation (issue 6): customers, signed identity in the widget, the
 * shop's orders pushed through the API, and order lookup for visitors.
 * Storage is store/store_crm.h; the contract is docs/crm.md. */
#ifndef KF_CRM_CRM_H
#define KF_CRM_CRM_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct http_server;
struct store_order;

/* Registration (main.c): the REST routes (crm/routes.c, crm/customers.c). crm_shutdown frees
 * the lookup's rate limiter. */
void crm_register(struct http_server *s);
void crm_shutdown(void);

/* ---- identity (crm/identity.c): the visitor's hello may carry claim = {"id","sig"} (the
 * shop's customer id signed as in kb_identity_valid). A valid claim links visitor_id to the
 * site's customer with that external id (created when new) and *out = {"id","external_id",
 * "name"}: 0. No claim: *out = null, 0. A bad claim is never trusted: *out = null and
 * KF_EDENIED. Either way without a valid claim the visitor's link stops being active, so
 * /orders/mine shows nothing on a browser whose shop session ended. */
int crm_identify(struct app *a, int64_t site_id, int64_t visitor_id, json_t *claim, json_t **out);

/* ---- orders (crm/order.c), pure functions (unit-tested) ---- */
/* Money: a JSON integer is cents; a JSON string is a decimal amount with at most two
 * decimals ("12", "12.5", "12.50"). Refused: reals, signs, exponents, more than 10^12 cents.
 * 0 or KF_EINVAL. */
int crm_parse_cents(const json_t *v, int64_t *out);
/* The order of body j (number from the path, already checked) into *o, items on the heap
 * (store_order_free). Customer fields go to cust (an object the caller decrefs, or NULL).
 * 0, or KF_EINVAL with a message naming the field in err. */
int crm_order_from_json(const json_t *j, const char *number, struct store_order *o, json_t **cust,
			char *err, size_t errsz);
/* Hex SHA-256 of the order's canonical JSON (sorted keys, compact; the fields the shop sent
 * and the customer claim, not the times Kefu keeps): equal content, equal hash. */
void crm_order_hash(const struct store_order *o, const json_t *cust, char out[65]);
/* 1 when number is 1..64 of [A-Za-z0-9_-]. */
int crm_number_ok(const char *number);
/* Digits of a phone number (at most outsz - 1) for comparing "+86 138-0013-8000" and
 * "8613800138000". */
void crm_phone_digits(const char *phone, char *out, size_t outsz);

#endif
