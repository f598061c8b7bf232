/* store/store_offer.h - storage of coupons and exclusive offers (issue 6): the offers of a site
 * and their redemptions. Who may see or redeem what is crm/offers.c; this file only reads and
 * writes rows. Conventions as store.h: 0 or a negative KF_E* code; strings cut to fit. */
#ifndef KF_STORE_STORE_OFFER_H
#define KF_STORE_STORE_OFFER_H
#include <stddef.h>
#include <stdint.h>

struct store;

#define STORE_OFFER_TITLE 201
#define STORE_OFFER_BODY 2001
#define STORE_OFFER_CODE 65
#define STORE_OFFER_DISCOUNT 101
#define STORE_OFFER_TARGETS 2048

struct store_offer {
	int64_t id, site_id;
	char kind[8];                          /* coupon | offer */
	char title[STORE_OFFER_TITLE], body[STORE_OFFER_BODY], code[STORE_OFFER_CODE];
	char discount[STORE_OFFER_DISCOUNT];
	char targets[STORE_OFFER_TARGETS];     /* JSON {"tiers":[],"segments":[],"levels":[]} */
	int64_t starts_at, ends_at;            /* 0 = open */
	int64_t per_customer_limit, total_limit;   /* 0 = unlimited */
	int active;
	int64_t created_by, created_at, updated_at;
	int64_t redeemed;                      /* redemptions so far (reads fill it) */
};
int store_offer_create(struct store *st, struct store_offer *o);   /* sets o->id */
int store_offer_update(struct store *st, const struct store_offer *o);
int store_offer_delete(struct store *st, int64_t id);               /* KF_ENOTFOUND */
int store_offer_get(struct store *st, int64_t id, struct store_offer *out);
int store_offer_count(struct store *st, int64_t site_id, int64_t *n);
/* The site's offers, newest first; active_only skips inactive ones. */
int store_offer_each(struct store *st, int64_t site_id, int active_only,
		     int (*cb)(void *ud, const struct store_offer *o), void *ud);
/* Redemptions of the offer by the customer and by everyone. */
int store_offer_used(struct store *st, int64_t offer_id, int64_t customer_id, int64_t *mine, int64_t *total);

struct store_redemption {
	int64_t id, offer_id, customer_id, user_id, api_key_id, at;   /* user_id, api_key_id 0 = none */
	char order_number[65], note[501];
	char title[STORE_OFFER_TITLE], kind[8], code[STORE_OFFER_CODE];   /* the offer's, on reads */
};
/* Records r (sets r->id) only while the offer is active, r->at lies within its dates and
 * neither limit is used up, all checked inside the one INSERT: KF_EDENIED otherwise. */
int store_offer_redeem(struct store *st, struct store_redemption *r);
/* The customer's redemptions, newest first, at most limit. */
int store_redemptions_of_customer(struct store *st, int64_t customer_id, int limit,
				  int (*cb)(void *ud, const struct store_redemption *r), void *ud);

#endif
