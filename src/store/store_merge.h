/* store/store_merge.h - storage of merging customers with undo, and of the visitor links an
 * agent confirmed (issue 6; migration 025_customer_merge.sql). The rules are crm/merge.c and
 * crm/confirm.c; docs/crm.md "Merging customers" and "Agent-confirmed identity".
 * Conventions as store.h: 0 or a negative KF_E* code; strings NUL-terminated and cut to fit. */
#ifndef KF_STORE_STORE_MERGE_H
#define KF_STORE_STORE_MERGE_H
#include <stddef.h>
#include <stdint.h>

struct store;

/* ---- links ---- */
struct store_link {
	int64_t customer_id, linked_at, confirmed_by, confirmed_at;   /* 0 = none */
	int active;
	char source[16];        /* signed, agent_email, agent_phone, agent_create */
};
/* Links visitor_id to customer_id as confirmed by user_id (replacing any link): active. */
int store_link_confirm(struct store *st, int64_t customer_id, int64_t visitor_id, const char *source,
		       int64_t user_id, int64_t now);
int store_link_get(struct store *st, int64_t visitor_id, struct store_link *out);   /* KF_ENOTFOUND */
int store_link_delete(struct store *st, int64_t visitor_id);                        /* KF_ENOTFOUND */
/* At most limit unmerged customers of the site with email (lowercased; "" = none) among
 * their e-mails or a phone whose digits are digits ("" = none); matched is "email"/"phone". */
int store_customer_candidates(struct store *st, int64_t site_id, const char *email, const char *digits, int limit,
			      int (*cb)(void *ud, int64_t id, const char *name, const char *external_id,
					const char *matched),
			      void *ud);

/* ---- merges ---- */
/* The tables whose rows follow a customer in a merge (the id column in brackets). */
enum store_merge_table {
	SM_VISITORS,     /* customer_visitors (visitor_id) */
	SM_ORDERS,       /* orders */
	SM_LEVELS,       /* customer_levels_history */
	SM_TIERS,        /* customer_tier_history */
	SM_REDEMPTIONS,  /* offer_redemptions, when that table exists */
	SM_TABLES
};
extern const char *const store_merge_table_names[SM_TABLES];   /* the undo JSON's keys */
int store_merge_begin(struct store *st);
int store_merge_commit(struct store *st);
void store_merge_rollback(struct store *st);
/* 1 when the table exists in this database (offer_redemptions comes from another migration). */
int store_merge_table_exists(struct store *st, enum store_merge_table t);
/* Moves table t's rows of customer from to customer to; id_cb gets each moved row's id first. */
int store_merge_move(struct store *st, enum store_merge_table t, int64_t from, int64_t to,
		     void (*id_cb)(void *ud, int64_t id), void *ud);
/* Gives the rows whose ids are in ids_json (a JSON array) and that customer from still holds
 * back to customer to (a row linked elsewhere since stays where it is). */
int store_merge_move_back(struct store *st, enum store_merge_table t, const char *ids_json, int64_t from,
			  int64_t to);
/* Sets (into > 0) or clears (into 0) customer id's merged_into. */
int store_merge_mark(struct store *st, int64_t id, int64_t into);
/* The customer's merged_into: 0 with *into (0 = not merged), KF_ENOTFOUND. */
int store_merge_into_of(struct store *st, int64_t id, int64_t *into);
/* Drops the customer's stored RFM row (a merged customer is not scored). */
int store_merge_rfm_drop(struct store *st, int64_t customer_id);

struct store_merge {
	int64_t id, site_id, into_id, from_id, user_id, created_at, undone_at, undone_by;   /* 0 = none */
	char into_name[256], from_name[256];
	char *undo;             /* heap JSON text (store_merge_free) */
};
void store_merge_free(struct store_merge *m);
int store_merge_add(struct store *st, struct store_merge *m);                        /* sets m->id */
int store_merge_get(struct store *st, int64_t id, struct store_merge *out);          /* KF_ENOTFOUND */
/* The merges the customer took part in (either side), newest first, at most limit; undo not loaded. */
int store_merge_each(struct store *st, int64_t customer_id, int limit,
		     int (*cb)(void *ud, const struct store_merge *m), void *ud);
/* How many standing merges after merge id touch customer a or b. */
int store_merge_later(struct store *st, int64_t id, int64_t a, int64_t b, int64_t *n);
int store_merge_set_undone(struct store *st, int64_t id, int64_t user_id, int64_t now);
/* The site's customers that are not merged away. */
int store_merge_site_customers(struct store *st, int64_t site_id, int64_t *n);

#endif
