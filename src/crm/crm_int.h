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
/* The caller's user id, kept as who did something: a session's user, 0 for an API key. */
int64_t crm_caller_user_id(struct http_req *r);
/* The :id (param 0) site: 0 with *site_id, or 1 after a 404 reply. */
int crm_load_site(struct http_req *r, int64_t *site_id);

/* crm/customers.c: a customer with only what an order or a claim says (any of ext, name,
 * email, phone may be NULL or ""); 0 with *out, or an error. */
int crm_customer_create_min(struct app *a, int64_t site_id, const char *ext, const char *name, const char *email,
			    const char *phone, struct store_customer *out);
void crm_customers_register(struct http_server *s);
/* crm/fields.c: the admin's custom customer fields (GET/PUT /api/v1/sites/:id/customer-fields).
 * crm_fields_check: 0 when custom (a JSON object's text) fits the site's definitions (any
 * object does when it has none), else KF_EINVAL with the reason in err. */
void crm_fields_register(struct http_server *s);
/* crm/site_setting.c: the site's JSON document "<name>.<site id>" of the settings table, at
 * most max bytes as text. load: the parsed document or NULL (none, or unreadable); the caller
 * decrefs. save: 0, KF_ETOOBIG, or a store error. */
json_t *crm_site_setting_load(struct app *a, const char *name, int64_t site_id, size_t max);
int crm_site_setting_save(struct app *a, const char *name, int64_t site_id, const json_t *j, size_t max);
/* crm/names.c: the shop's names for tiers and segments (GET/PUT /api/v1/sites/:id/crm/names).
 * crm_rfm_name: the name to show for tier (is_tier) or segment id in lang, the shop's override
 * or the default, written into buf; NULL for an unknown id. */
void crm_names_register(struct http_server *s);
const char *crm_rfm_name(struct app *a, int64_t site_id, int is_tier, int id, const char *lang, char *buf, size_t n);
int crm_fields_check(struct app *a, int64_t site_id, const char *custom, char *err, size_t errsz);

/* crm/order.c: the contact checks orders and profiles share. */
int crm_email_ok(const char *s);        /* one '@', something on both sides, no spaces or <>" */
int crm_phone_ok(const char *s);        /* digits, spaces, + - ( ), at least 5 digits */
void crm_lower(char *s);                /* ASCII lowercase in place */

/* crm/routes.c: an order checked by crm_order_from_json (o->site_id set), its hash taken here,
 * its customer found or created, then upserted: what the PUT and the CSV import share. */
int crm_order_store(struct app *a, struct store_order *o, const json_t *cust, enum store_upsert *what);
/* crm/routes.c, the widget's own routes (/orders/mine, /offers/mine, lookup): the ?site=KEY site
 * with CORS for its origins (1 after a 404 reply); the preflight answer; and the visitor of
 * X-Visitor-Token with the customer the shop signed them in as (*customer 0 when it has not:
 * an agent's confirmation is for agents, never for what the visitor may read), 1 after a
 * 404/401 reply. */
struct store_site;
int crm_widget_site(struct http_req *r, struct store_site *s);
void crm_widget_preflight(struct http_req *r);
int crm_widget_customer(struct http_req *r, struct store_site *s, int64_t *customer);
/* crm/loyalty.c: whether the caller may append a points entry with this reason ("spend" or
 * "adjust") and delta on site_id (API keys and supervisors always; agents as the site's rules
 * say: spends when agents_spend, awards when agents_award). The panel's may_award asks it too.
 * crm_loyalty_expire_now: the customer's due awards expired now (what a read or a spend does
 * first); an award expires on the customer who holds its order now. */
int crm_points_may_change(struct http_req *r, int64_t site_id, const char *reason, int64_t delta);
void crm_loyalty_expire_now(struct app *a, int64_t customer_id);
/* crm/merge.c: adds s's profile to t as a merge does (contacts and tags united, name, birthday
 * and language only where t's are empty, s's notes appended); and, for a write to customer id,
 * 1 after a 409 `merged` reply when id was merged away (its survivor named), else 0. */
void crm_merge_profile(struct store_customer *t, const struct store_customer *s, int64_t now);
int crm_refuse_merged(struct http_req *r, int64_t id, const char *what);
/* crm/import.c: POST /api/v1/sites/:id/orders/import. */
void crm_import_register(struct http_server *s);

#endif
