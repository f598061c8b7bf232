/* crm/crm_page.h - the server side of the console's CRM page (issue 6): the customer list's
 * filters, sort, paging and total; the site's tier changes (the "key account going quiet"
 * feed); each customer's timeline. The contract is docs/crm.md "The CRM page". */
#ifndef KF_CRM_CRM_PAGE_H
#define KF_CRM_CRM_PAGE_H
#include <jansson.h>
#include <stdint.h>

struct http_req;
struct http_server;
struct store_customer;

/* GET /api/v1/sites/:id/crm/tier-changes, /crm/levels and /api/v1/customers/:id/timeline
 * (from crm_register). */
void crm_page_register(struct http_server *s);

/* Answers GET /api/v1/sites/:id/customers for the site already checked (crm/customers.c):
 * q, limit (1..200, default 50), offset, tier, segment, level, min_spend, sort; any other key,
 * or a bad value, is 422 invalid_field. Each customer is to_json(c) plus the list's figures
 * (rfm, orders_count, lifetime_cents, last_order_at, points_balance, level). */
void crm_page_list(struct http_req *r, int64_t site_id, json_t *(*to_json)(const struct store_customer *c));

/* The segment export's filter (crm/rfm_run.c): ?tier=, ?segment=, ?q=, ?level= and ?min_spend=
 * read as the list reads them; any other key is refused. NULL, or the 422's message. */
struct store_crmlist_filter;
const char *crm_page_export_filter(struct http_req *r, struct store_crmlist_filter *f);

#endif
