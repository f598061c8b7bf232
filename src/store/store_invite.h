/* store/store_invite.h - storage for proactive invitations (docs/invitations.md): the
 * automatic rules of each site, and one row per invitation shown to a visitor (manual or by
 * rule) with how it was answered, which is what the statistics count.
 *
 * Same conventions as store.h: 0 or a negative KF_E* code, *out untouched on failure,
 * times in Unix seconds, strings NUL-terminated and cut to fit. */
#ifndef KF_STORE_STORE_INVITE_H
#define KF_STORE_STORE_INVITE_H
#include <stdint.h>

struct store;

/* ---- rules ---- */
struct store_invite_rule {
	int64_t id, site_id;
	int64_t department_id;          /* 0: none (the site) */
	char name[128];
	int enabled;
	char url_pattern[512];          /* glob with '*'; "" = any page */
	int min_seconds;                /* visible seconds on the page before it fires */
	int min_pages;                  /* pages seen this visit */
	char visitor[12];               /* any, new, returning */
	char referrer_contains[256], utm_source[128], utm_campaign[128];
	char message[4096];             /* up to 1000 characters */
	int repeat_after_hours;         /* this rule invites a visitor at most once per window; 0: no limit */
	int position;                   /* lower first */
	int64_t created_at, updated_at;
};
int store_invite_rule_create(struct store *st, struct store_invite_rule *r);   /* sets id, times */
int store_invite_rule_update(struct store *st, struct store_invite_rule *r);   /* every field; KF_ENOTFOUND */
int store_invite_rule_delete(struct store *st, int64_t id);                    /* KF_ENOTFOUND */
int store_invite_rule_get(struct store *st, int64_t id, struct store_invite_rule *out);
/* The site's rules by position, then id; enabled_only skips disabled ones. A nonzero return
 * from cb stops and is returned. */
int store_invite_rule_each(struct store *st, int64_t site_id, int enabled_only,
			   int (*cb)(void *ud, const struct store_invite_rule *r), void *ud);
/* 0 when department_id is a department of site_id, else KF_ENOTFOUND. */
int store_invite_department_of(struct store *st, int64_t department_id, int64_t site_id);

/* ---- invitations ---- */
struct store_invite {
	int64_t id, site_id, visitor_id;
	int64_t rule_id, agent_id;       /* 0: none; exactly one is set */
	char message[4096];
	char status[12];                 /* shown, accepted, declined */
	int64_t created_at, answered_at; /* answered_at 0: not yet */
	int64_t conversation_id;         /* the chat an acceptance opened (0: none) */
};
int store_invite_create(struct store *st, struct store_invite *i);   /* status shown; sets id, created_at */
int store_invite_get(struct store *st, int64_t id, struct store_invite *out);
/* shown -> status (accepted or declined) at now with conv_id; KF_ENOTFOUND when the
 * invitation is not (or no longer) shown, so two answers cannot both win. */
int store_invite_answer(struct store *st, int64_t id, const char *status, int64_t conv_id, int64_t now);
/* 0 when the visitor got an invitation since since (from rule_id when > 0, else from any
 * rule or agent), else KF_ENOTFOUND. */
int store_invite_recent(struct store *st, int64_t visitor_id, int64_t rule_id, int64_t since);

/* Counts of invitations created in [from, to) for the site, one call per rule (every rule
 * of the site, also with none, and deleted rules that still have invitations, with name
 * "") or per agent (who sent at least one). */
struct store_invite_count {
	int64_t id;                      /* rule or agent id */
	char name[256];
	int64_t shown, accepted, declined;
};
enum store_invite_by { STORE_INVITE_BY_RULE, STORE_INVITE_BY_AGENT };
int store_invite_stats(struct store *st, int64_t site_id, int64_t from, int64_t to, enum store_invite_by by,
		       int (*cb)(void *ud, const struct store_invite_count *c), void *ud);

#endif
