/* store/store_crm.h - storage of the CRM (issue 6): customers, the visitors they were
 * identified on, and the shop's orders with their items.
 *
 * Conventions as store.h: 0 or a negative KF_E* code; *out untouched on failure; strings
 * NUL-terminated and cut to fit. Times: unix s. Money: integer cents. */
#ifndef KF_STORE_STORE_CRM_H
#define KF_STORE_STORE_CRM_H
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_customer {
	int64_t id, site_id;
	char external_id[129];                 /* the shop's id; "" = none */
	char name[256];
	char emails[2048], phones[1024];       /* JSON arrays of strings */
	char addresses[4096];                  /* JSON array of objects */
	char birthday[11], lang[8], tags[512];
	char notes[4096];
	int consent;
	int64_t consent_at;
	char consent_source[64];
	char custom[4096];                     /* JSON object */
	int64_t created_at, updated_at;
};
int store_customer_create(struct store *st, struct store_customer *c);          /* sets id; KF_EEXIST */
int store_customer_update(struct store *st, const struct store_customer *c);    /* all profile fields */
int store_customer_get(struct store *st, int64_t id, struct store_customer *out);
int store_customer_by_external(struct store *st, int64_t site_id, const char *external_id,
			       struct store_customer *out);
/* The oldest customer of the site with email (compared lowercased) among their e-mails. */
int store_customer_by_email(struct store *st, int64_t site_id, const char *email, struct store_customer *out);
/* Customers of the site whose name, e-mails, phones or external id contain q ("" = all),
 * most recently updated first, at most limit. */
int store_customer_search(struct store *st, int64_t site_id, const char *q, int limit,
			  int (*cb)(void *ud, const struct store_customer *c), void *ud);

/* Links visitor_id to customer_id (moving it from another customer) and marks it active. */
int store_customer_link(struct store *st, int64_t customer_id, int64_t visitor_id, int64_t now);
/* The visitor's hello carried no valid claim: keep the link, but not active. */
int store_customer_unlink_active(struct store *st, int64_t visitor_id);
/* The customer an active link names: 0 with *customer_id, KF_ENOTFOUND. */
int store_customer_of_visitor(struct store *st, int64_t visitor_id, int64_t *customer_id);

struct store_order_item {
	char sku[65], name[256], category[128];
	int64_t quantity, price_cents;
};
struct store_order {
	int64_t id, site_id, customer_id;      /* customer_id 0: none */
	char number[65], email[256], phone[40], status[12], currency[4];
	int64_t total_cents;
	char carrier[64], tracking[128];
	int64_t placed_at, updated_at;
	char raw_hash[65];                     /* hex SHA-256 of the canonical JSON */
	struct store_order_item *items;        /* heap (store_order_free), nitems of them */
	size_t nitems;
};
void store_order_free(struct store_order *o);
enum store_upsert { STORE_UNCHANGED = 0, STORE_CREATED = 1, STORE_UPDATED = 2 };
/* In one transaction: inserts the order or, when (site_id, number) exists with another
 * raw_hash, updates it and replaces its items. The same raw_hash writes nothing.
 * Sets o->id and *what. */
int store_order_upsert(struct store *st, struct store_order *o, enum store_upsert *what);
/* The order with its items (the caller frees *out with store_order_free). */
int store_order_get(struct store *st, int64_t site_id, const char *number, struct store_order *out);
/* The site's orders (customer_id 0 = all), newest placed first, at most limit; without items. */
int store_order_each(struct store *st, int64_t site_id, int64_t customer_id, int limit,
		     int (*cb)(void *ud, const struct store_order *o), void *ud);

#endif
