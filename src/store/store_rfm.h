/* store/store_rfm.h - storage of the RFM/tier recompute (issue 6): each customer's latest
 * scores, the tier history and a site's RFM settings. The computation is crm/rfm.h; the
 * wiring crm/rfm_run.c. Conventions as store.h: 0 or a negative KF_E* code. */
#ifndef KF_STORE_STORE_RFM_H
#define KF_STORE_STORE_RFM_H
#include <stddef.h>
#include <stdint.h>

struct store;

/* One customer's facts for the window starting at since, plus the tier stored by the last run
 * (-1 when never computed). Purchases are orders paid, shipped or delivered. */
struct store_rfm_fact {
	int64_t id, last_order_at, first_order_at, orders, spent_cents;
	int old_tier;
};
/* Every customer of the site, in id order, in one aggregate query. */
int store_rfm_facts(struct store *st, int64_t site_id, int64_t since,
		    int (*cb)(void *ud, const struct store_rfm_fact *f), void *ud);

struct store_rfm_row {
	int64_t customer_id, site_id;
	int r, f, m, segment, tier;
	int64_t orders, spent_cents, days_since, computed_at;
};
int store_rfm_begin(struct store *st);
int store_rfm_commit(struct store *st);
void store_rfm_rollback(struct store *st);
int store_rfm_put(struct store *st, const struct store_rfm_row *row);
int store_rfm_history_add(struct store *st, int64_t customer_id, int from, int to, int64_t at);

/* One customer's row: 0, KF_ENOTFOUND. */
int store_rfm_get(struct store *st, int64_t customer_id, struct store_rfm_row *out);
/* The customer's tier changes, newest first. */
int store_rfm_history(struct store *st, int64_t customer_id, int limit,
		      int (*cb)(void *ud, int from, int to, int64_t at), void *ud);
/* Counts of the site's customers per (tier, segment). */
int store_rfm_counts(struct store *st, int64_t site_id, int (*cb)(void *ud, int tier, int segment, int64_t n),
		     void *ud);
/* The site's rows with that tier and segment (-1 = any), id order, with name and e-mails. */
int store_rfm_each(struct store *st, int64_t site_id, int tier, int segment,
		   int (*cb)(void *ud, const struct store_rfm_row *row, const char *name, const char *emails), void *ud);

/* The site's settings as JSON text; KF_ENOTFOUND when none were saved (use the defaults). */
int store_rfm_settings_get(struct store *st, int64_t site_id, char *config, size_t csz, char *rules, size_t rsz);
int store_rfm_settings_put(struct store *st, int64_t site_id, const char *config, const char *rules);

#endif
