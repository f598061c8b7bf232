/* crm/crm_int.h - what the CRM's own files share (not for other modules). */
#ifndef KF_CRM_CRM_INT_H
#define KF_CRM_CRM_INT_H
#include "http/http.h"
#include "store/store_crm.h"

struct app;

/* API keys (already checked for the route's scope) and admins may use any site, agents
 * their own sites. */
int crm_site_allowed(struct http_req *r, int64_t site_id);
int crm_param_id(struct http_req *r, size_t i, int64_t *id);
/* The :id (param 0) site: 0 with *site_id, or 1 after a 404 reply. */
int crm_load_site(struct http_req *r, int64_t *site_id);

/* crm/customers.c: a customer with only what an order or a claim says (any of ext, name,
 * email, phone may be NULL or ""); 0 with *out, or an error. */
int crm_customer_create_min(struct app *a, int64_t site_id, const char *ext, const char *name, const char *email,
			    const char *phone, struct store_customer *out);
void crm_customers_register(struct http_server *s);

/* crm/order.c: the contact checks orders and profiles share. */
int crm_email_ok(const char *s);        /* one '@', something on both sides, no spaces or <>" */
int crm_phone_ok(const char *s);        /* digits, spaces, + - ( ), at least 5 digits */
void crm_lower(char *s);                /* ASCII lowercase in place */

/* crm/routes.c: an order checked by crm_order_from_json (o->site_id set), its hash taken here,
 * its customer found or created, then upserted: what the PUT and the CSV import share. */
int crm_order_store(struct app *a, struct store_order *o, const json_t *cust, enum store_upsert *what);
/* crm/import.c: POST /api/v1/sites/:id/orders/import. */
void crm_import_register(struct http_server *s);

#endif
