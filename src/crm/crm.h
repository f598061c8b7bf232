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
/* crm/panel.c: GET /api/v1/visitors/:id/customer, the customer beside the chat. */
void crm_panel_register(struct http_server *s);

/* ---- identity (crm/identity.c): the visitor's hello may carry claim = {"id","sig"} (the
 * shop's customer id signed as in kb_identity_valid). A valid claim links visitor_id to the
 * site's customer with that external id (created when new) and *out = {"id","external_id",
 * "name"}: 0. No claim: *out = null, 0. A bad claim is never trusted: *out = null and
 * KF_EDENIED. Either way without a valid claim the visitor's link stops being active, so
 * /orders/mine shows nothing on a browser whose shop session ended. */
int crm_identify(struct app *a, int64_t site_id, int64_t visitor_id, json_t *claim, json_t **out);

/* crm/routes.c: Kefu itself changes an order's status (a refunded return marks it "returned"):
 * stored and followed by the loyalty ledger exactly as the shop's push of that status is (so a
 * return reverses the order's points once). Its customer is kept. 0, KF_ENOTFOUND, or a store
 * error. */
int crm_order_set_status(struct app *a, int64_t site_id, const char *number, const char *status);

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
/* crm/routes.c: 1 when the visitor's contact matches order o: email (when not NULL, compared
 * without case) or else phone (the same digits, at least 5). The order lookup's rule, shared
 * with online forms (ticket/forms.c), which link an order only when it holds. */
int crm_contact_matches(const struct store_order *o, const char *email, const char *phone);

/* ---- import (crm/import.c): orders from CSV, `kefu import orders` and the admin upload ---- */
/* A streaming RFC 4180 reader: quoted fields, "" escapes, CRLF, newlines inside quotes, a
 * leading UTF-8 BOM. fn gets each row with the line it starts on (1-based) and its fields,
 * or err (and no fields) for a malformed row: a stray quote, a row over 64 KB, more than
 * 256 columns; the reader then resumes at the next newline. A non-zero return stops it. */
#define CSV_MAX_ROW (64 * 1024)
#define CSV_MAX_FIELDS 256
typedef int (*csv_row_fn)(void *ud, int64_t line, size_t nf, const char **f, const char *err);
struct csv {
	csv_row_fn fn;
	void *ud;
	char *buf;              /* the row's fields, each NUL-terminated */
	size_t len, cap, *starts, nf, fcap;
	int state, bom;
	int64_t line, row_line;
	const char *err;
};
void csv_init(struct csv *c, csv_row_fn fn, void *ud);
int csv_feed(struct csv *c, const char *data, size_t n);   /* 0, or what fn returned */
int csv_finish(struct csv *c);                              /* the last row without a newline */
void csv_free(struct csv *c);

#define CRM_IMPORT_MAX_ERRORS 1000
struct crm_import_report {
	int64_t rows, accepted, unchanged, rejected, errors_left_out;
	json_t *errors;         /* [{line, reason}], at most CRM_IMPORT_MAX_ERRORS; caller decrefs */
	char fatal[256];        /* why nothing could be imported (no header, missing column) */
};
/* The mapping: {"number":"order_id", "total":"amount", ..., "status.canceled":"cancelled"}
 * parsed from JSON or from "number=order_id,total=amount"; NULL with err. */
json_t *crm_import_map_parse(const char *text, char *err, size_t errsz);
typedef long (*crm_read_fn)(void *ud, char *buf, size_t n);       /* bytes, 0 at the end, -1 */
typedef void (*crm_progress_fn)(void *ud, int64_t bytes_read);
/* Reads the CSV through rd and upserts its orders into site_id (currency: the default when
 * no column is mapped). 0 with *rep, or KF_EINVAL with rep->fatal. */
int crm_import_orders(struct app *a, int64_t site_id, const json_t *map, const char *currency, crm_read_fn rd,
		      void *rd_ud, crm_progress_fn progress, void *pg_ud, struct crm_import_report *rep);
json_t *crm_import_report_json(const struct crm_import_report *rep);
struct store;
/* kefu import orders: the exit status (0 once the file was read, rejected rows or not;
 * 1 when it could not be; 2 for a bad --site or --map); the summary on stdout. */
int crm_import_cli(struct store *st, int64_t site_id, const char *map_text, const char *currency, const char *path);

/* ---- loyalty (crm/loyalty.c): points ledger and member levels; docs/crm.md "Loyalty" ---- */
struct store_order_item;
struct store_level;
/* After an order push (retries included): delivered awards the order's points once,
 * returned reverses that award once; a re-delivery after a return awards nothing. The
 * ledger's UNIQUE(order_id, reason) is the truth, so old_status (may be NULL) is not needed
 * for correctness. Then the customer's level is recomputed. */
void crm_loyalty_on_order(struct app *a, int64_t site_id, int64_t order_id, const char *old_status,
			  const char *new_status);
/* Maintenance (main.c): expires due awards of every customer; levels of all once a day. */
void crm_loyalty_maintain(struct app *a);
void crm_loyalty_register(struct http_server *s);
/* Pure (unit-tested): floor(sum(price_cents * quantity * percent / 100) * per_unit / unit_cents),
 * percent = multipliers[category] (a JSON object of integer percents, 100 when absent or NULL).
 * 0 with *points, KF_ETOOBIG on overflow, KF_EINVAL for unit_cents < 1. */
int crm_loyalty_points(const struct store_order_item *items, size_t n, int64_t per_unit, int64_t unit_cents,
		       const json_t *multipliers, int64_t *points);
/* Pure: the highest level (index) whose thresholds spend[i] and points[i] (measured over that
 * level's period) both reach; -1 for none. */
int crm_loyalty_pick_level(const struct store_level *lv, const int64_t *spend, const int64_t *points, size_t n);
/* Pure: the expiry entry's delta for an award of award points when the balance is balance:
 * the award back, never more than a positive balance (spent points are not clawed back). */
int64_t crm_loyalty_expire_delta(int64_t award, int64_t balance);
/* Recomputes the customer's level now (a merge or its undo moved orders; crm/merge.c). */
void crm_loyalty_refresh_level(struct app *a, int64_t site_id, int64_t customer_id);

/* ---- RFM and tiers (crm/rfm_run.c): docs/crm.md "Recomputing RFM and tiers" ---- */
struct crm_rfm_report {
	int64_t customers, changed, ms;   /* customers scored, tier changes written, duration */
};
/* Scores every customer of the site from its purchases (paid, shipped, delivered) with the
 * site's settings and writes the results and tier-history rows in one transaction. */
int crm_rfm_recompute(struct app *a, int64_t site_id, struct crm_rfm_report *rep);
/* Maintenance (main.c): every site once a day. */
void crm_rfm_maintain(struct app *a);
void crm_rfm_register(struct http_server *s);
/* kefu crm recompute (crm/rfm_cli.c): the exit status (2: no such site); "customers N, changed N,
 * ms N" on stdout. */
int crm_rfm_cli(struct store *st, int64_t site_id);

/* ---- the demo (crm/demo.c): customers, orders, points rules and levels for `kefu demo-seed`;
 * visitors (their nvisitors first) are linked to the first customers. */
int crm_demo_seed(struct app *a, int64_t site_id, const int64_t *visitors, size_t nvisitors);

/* ---- offers and coupons (crm/offers.c): docs/crm.md "Offers and coupons" ---- */
struct store_offer;
#define CRM_OFFER_MAX_LEVELS 20
/* An offer's targets, parsed: bit t of tiers is enum rfm_tier t, bit s of segments enum
 * rfm_segment s. Nothing set anywhere = every identified customer. */
struct crm_offer_targets {
	unsigned tiers, segments;
	int64_t levels[CRM_OFFER_MAX_LEVELS];
	size_t nlevels;
};
/* What the eligibility check needs to know of one customer (tier, segment 0 = never
 * computed; level_id 0 = none) and of the offer's use so far. */
struct crm_offer_facts {
	int tier, segment;
	int64_t level_id, used_by_customer, used_total;
};
enum crm_offer_verdict {
	CRM_OFFER_OK = 0, CRM_OFFER_INACTIVE, CRM_OFFER_NOT_STARTED, CRM_OFFER_ENDED, CRM_OFFER_NOT_TARGETED,
	CRM_OFFER_CUSTOMER_LIMIT, CRM_OFFER_TOTAL_LIMIT
};
/* Pure (unit-tested): parses {"tiers":[keys],"segments":[keys],"levels":[ids]} (each list
 * optional; keys as rfm_tier_key / rfm_segment_key). 0, or KF_EINVAL with err naming the
 * field. Level ids are only checked to be positive here (the caller checks the site's). */
int crm_offer_targets_parse(const json_t *j, struct crm_offer_targets *t, char *err, size_t errsz);
/* The canonical JSON text of t (what is stored): a new reference. */
json_t *crm_offer_targets_json(const struct crm_offer_targets *t);
/* Pure (unit-tested): whether a customer with facts f may use offer o at now: active, within
 * [starts_at, ends_at) (0 = open), targeted (an empty target, or the tier, the segment or the
 * level matches any listed: OR across the lists) and neither limit used up. */
enum crm_offer_verdict crm_offer_eligible(const struct store_offer *o, const struct crm_offer_targets *t,
					  const struct crm_offer_facts *f, int64_t now);
void crm_offers_register(struct http_server *s);

#endif
