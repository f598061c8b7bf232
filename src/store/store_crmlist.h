/* store/store_crmlist.h - the reads behind the console's CRM page (issue 6): the customer list
 * with its filters, sort and total; a site's tier changes (the "key account going quiet"
 * feed); and one customer's timeline merged from orders, chats, page visits, points, tier and
 * level history. Read-only: nothing here writes. Conventions as store.h: 0 or a negative
 * KF_E* code; strings NUL-terminated and cut to fit. Times: unix s. Money: integer cents. */
#ifndef KF_STORE_STORE_CRMLIST_H
#define KF_STORE_STORE_CRMLIST_H
#include <stddef.h>
#include <stdint.h>

struct store;

/* The list's sort keys (the API's ?sort= names them; crm/crm_page.c). Ties fall back to the
 * most recently updated, then the id, so paging is stable. */
enum store_crmlist_sort {
	CRMLIST_SORT_UPDATED = 0,   /* most recently updated first (the list's historic order) */
	CRMLIST_SORT_NAME,          /* name, ascending (byte order) */
	CRMLIST_SORT_LIFETIME,      /* lifetime value, highest first */
	CRMLIST_SORT_LAST_ORDER,    /* newest last order first */
	CRMLIST_SORT_ORDERS,        /* most orders first */
	CRMLIST_SORT_POINTS,        /* highest balance first */
	CRMLIST_SORT_CREATED,       /* newest customer first */
	CRMLIST_SORT_COUNT
};

struct store_crmlist_filter {
	const char *q;              /* name, e-mails, phones or external id contain it; "" = any */
	int tier, segment;          /* stored RFM tier / segment id; -1 = any */
	int64_t level_id;           /* current member level; 0 = any */
	int64_t min_spend;          /* lifetime value (delivered orders) >= cents; 0 = any */
	int sort;                   /* enum store_crmlist_sort */
	int limit;
	int64_t offset;
};
/* How many of the site's customers pass the filter (sort, limit and offset ignored). */
int store_crmlist_count(struct store *st, int64_t site_id, const struct store_crmlist_filter *f, int64_t *total);
/* The ids of one page, in the filter's order, at most max. */
int store_crmlist_page(struct store *st, int64_t site_id, const struct store_crmlist_filter *f, int64_t *ids,
		       size_t max, size_t *n);

/* The scored customers (a row in customer_rfm) passing the filter, in id order, with their
 * name and e-mails: the segment export (crm/rfm_run.c). sort, limit and offset are ignored. */
struct store_rfm_row;
int store_crmlist_each(struct store *st, int64_t site_id, const struct store_crmlist_filter *f,
		       int (*cb)(void *ud, const struct store_rfm_row *row, const char *name, const char *emails), void *ud);
/* When the site's scores were last computed (0 = never). */
int store_crmlist_computed_at(struct store *st, int64_t site_id, int64_t *at);

/* What the list shows of one customer besides the profile. lifetime_cents: delivered orders
 * (as the customer panel); orders: all of them; last_order_at: the newest placed, 0 = none. */
struct store_crmlist_facts {
	int has_rfm, r, f, m, segment, tier;
	int64_t orders, lifetime_cents, last_order_at, points, level_id;   /* level_id 0 = none */
	char level_name[256];
};
int store_crmlist_facts(struct store *st, int64_t customer_id, struct store_crmlist_facts *out);

/* The site's tier changes, newest first. drops_only: only steps down in the order key >
 * active > occasional > registered > none; from_tier >= 0: only changes from that tier. */
struct store_tier_change {
	int64_t customer_id, at;
	int from, to;
	char name[256];
};
int store_crmlist_tier_changes(struct store *st, int64_t site_id, int drops_only, int from_tier, int limit,
			       int (*cb)(void *ud, const struct store_tier_change *c), void *ud);

/* One entry of a customer's timeline. The meaning of ref, a, b, c, n1, n2 depends on kind:
 *   order  ref order id, a number, b status, c currency, n1 total_cents
 *   chat   ref conversation id, a status, b last message, n1 messages (last seq)
 *   visit  ref visitor id, a first url of the day, b its title, n1 page views, n2 seconds
 *   points ref ledger id, a reason, b note, n1 delta
 *   tier   ref history id, n1 from tier, n2 to tier
 *   level  ref history id, a level name, b previous level name */
struct store_timeline_item {
	char kind[8];
	int64_t at, ref, n1, n2;
	char a[256], b[512], c[8];
};
/* Entries strictly before `before` (unix s), newest first, at most limit. Visits are one
 * entry per visitor and UTC day of the customer's linked visitors' page views. */
int store_crmlist_timeline(struct store *st, int64_t customer_id, int64_t before, int limit,
			   int (*cb)(void *ud, const struct store_timeline_item *it), void *ud);

#endif
