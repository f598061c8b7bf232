/* store/store_loyalty.h - storage of loyalty (issue 6): the site's points rules, the
 * append-only points ledger (a balance is the sum of a customer's entries), member levels and
 * the history of a customer's level changes.
 *
 * Conventions as store.h: 0 or a negative KF_E* code; strings NUL-terminated and cut to fit. */
#ifndef KF_STORE_STORE_LOYALTY_H
#define KF_STORE_STORE_LOYALTY_H
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_points_rules {
	int64_t site_id;
	int64_t points_per_unit, unit_cents;   /* points_per_unit points per unit_cents spent */
	char multipliers[2048];                /* JSON {"category": percent} */
	int64_t expiry_days;                   /* 0 = never */
	int agents_spend;                      /* 1: agents may spend points, else supervisors */
	int agents_award;                      /* 1: agents may award points (adjust > 0) too */
};
/* The site's rules; the defaults (1 point per 100 cents, no expiry) when none were saved. */
int store_points_rules_get(struct store *st, int64_t site_id, struct store_points_rules *out);
int store_points_rules_put(struct store *st, const struct store_points_rules *r);

struct store_points_entry {
	int64_t id, site_id, customer_id, delta;
	char reason[20];                       /* order_delivered order_returned spend adjust expire */
	int64_t order_id, user_id;             /* 0 = none */
	char note[512];
	int64_t created_at, expires_at;        /* expires_at 0 = none */
};
/* Appends e (sets e->id). KF_EEXIST when the order already has an entry with that reason. */
int store_points_add(struct store *st, struct store_points_entry *e);
/* Appends a spend only while the balance stays >= 0, atomically: KF_EDENIED otherwise. */
int store_points_spend(struct store *st, struct store_points_entry *e);
int store_points_balance(struct store *st, int64_t customer_id, int64_t *balance);
int store_points_count(struct store *st, int64_t customer_id, int64_t *n);
/* The order's entry with that reason: 0 with *delta, KF_ENOTFOUND. */
int store_points_of_order(struct store *st, int64_t order_id, const char *reason, int64_t *delta);
/* The customer's entries, newest first. */
int store_points_each(struct store *st, int64_t customer_id, int limit, int64_t offset,
		      int (*cb)(void *ud, const struct store_points_entry *e), void *ud);
/* Awards past their expires_at (<= now), neither returned nor expired yet, of customer_id or
 * of orders customer_id holds now (a merge moved them; 0 = every customer), at most max. */
int store_points_due(struct store *st, int64_t customer_id, int64_t now, struct store_points_entry *out,
		     size_t max, size_t *n);

/* The order's site, number and customer (0 = none): for loyalty's hook. */
int store_order_ref(struct store *st, int64_t order_id, int64_t *site_id, char number[65], int64_t *customer_id);

struct store_level {
	int64_t id, site_id;
	char name[64];
	int64_t min_spend_cents, min_points, period_days;   /* period_days 0 = all time */
	char benefits[1024];
	int64_t position;
};
/* The site's levels, lowest first, at most max. */
int store_levels_get(struct store *st, int64_t site_id, struct store_level *out, size_t max, size_t *n);
/* Replaces the site's levels (one transaction); position = index. */
int store_levels_put(struct store *st, int64_t site_id, const struct store_level *lv, size_t n);
/* Spend (delivered orders' totals, by updated_at) and points earned (awards less returns) since. */
int store_customer_spend(struct store *st, int64_t customer_id, int64_t since, int64_t *cents);
int store_customer_earned(struct store *st, int64_t customer_id, int64_t since, int64_t *points);

struct store_level_change {
	int64_t customer_id, level_id, from_level_id;   /* 0 = no level */
	char level_name[64], from_name[64];
	int64_t at;
};
/* The customer's latest change (their current level): KF_ENOTFOUND when none. */
int store_level_current(struct store *st, int64_t customer_id, struct store_level_change *out);
int store_level_change_add(struct store *st, const struct store_level_change *c);
/* Newest first, at most limit. */
int store_level_history(struct store *st, int64_t customer_id, int limit,
			int (*cb)(void *ud, const struct store_level_change *c), void *ud);
/* Customers of site_id (0 = every site) with any order or ledger entry, ids after after_id
 * (paging), at most max. */
int store_loyalty_customers(struct store *st, int64_t site_id, int64_t after_id, int64_t *ids, size_t max, size_t *n);

#endif
