/* ticket/sla.h - service levels for tickets (issue 7, T4): the SLA clock that counts business
 * minutes (pure, unit-tested), the policies per type x priority, breach marking and escalation,
 * the satisfaction survey (CSAT) sent when a ticket is resolved, follow-up visits (回访) after a
 * complaint or repair closes, and the ticket report. It reaches tickets only through
 * ticket/ticket.h (hooks and ticket_set/ticket_event); it owns the tickets columns sla_*,
 * escalated_at and csat_* (written through store/store_sla.h).
 * Functions return 0 or a negative KF_E* code; times are unix seconds. */
#ifndef KF_TICKET_SLA_H
#define KF_TICKET_SLA_H
#include <stddef.h>
#include <stdint.h>
#include "store/store_sla.h"

struct app;
struct http_server;
struct ticket;

/* ---- the clock (sla.c), pure but for ICU's time zones ---- */
#define SLA_SPANS 4                         /* open spans a day, as chat/hours.c allows */
/* A site's business hours, parsed once: always = 1 counts every minute (no hours set, hours that
 * cannot be read, or a week without one open minute: a clock must never stop for good). */
struct sla_hours {
	char tz[64];
	int always;
	int n[7];                               /* spans of Monday .. Sunday */
	int span[7][SLA_SPANS][2];              /* [open, close) minutes of the local day, sorted */
};
/* json: the site's business_hours ({"tz":"Asia/Shanghai","days":[mon..sun: [["09:00","18:00"],…]]})
 * or "". 0; KF_EINVAL for unreadable hours (out is then "always"). */
int sla_hours_parse(const char *json, struct sla_hours *out);
/* The moment `minutes` business minutes after start (seconds kept): start itself for 0. */
int64_t sla_add_minutes(const struct sla_hours *h, int64_t start, int64_t minutes);
/* Business seconds in [from, to) (0 when to <= from). */
int64_t sla_business_seconds(const struct sla_hours *h, int64_t from, int64_t to);

/* ---- policies ---- */
/* A policy (store/store_sla.h's struct store_sla_policy): first_minutes / resolve_minutes -1 = no
 * clock, 0 = due at creation; escalate_to -1 = none, 0 = every supervisor of the site. */
#define SLA_MAX_MINUTES (366 * 24 * 60)
/* What applies without a stored policy: complaints 60 min / 24 h on the wall clock, escalated to
 * every supervisor; 0, or KF_ENOTFOUND for other types (no SLA unless set). */
int sla_policy_default(const char *type, struct store_sla_policy *out);
/* The due times of a ticket created at created under p (0 where p has no clock). */
void sla_due(const struct sla_hours *h, const struct store_sla_policy *p, int64_t created, int64_t *first_due,
	     int64_t *resolve_due);

/* ---- wiring (main.c) ---- */
/* The REST routes: policies, follow-ups, the report; and the public survey pages /s/... */
void ticket_sla_register(struct http_server *s);
/* Adds the hooks and starts the breach timer ([tickets] sla_tick_ms, default 30 s). */
void ticket_sla_init(struct app *a);
/* Only the hooks (due times on create and on priority/type changes, CSAT and follow-ups on
 * status changes), without the breach timer: for tickets filed outside the server
 * (`kefu mail-in`, `kefu demo-seed`). */
void ticket_sla_hooks(struct app *a);
void ticket_sla_shutdown(void);

/* ---- between T4's files ---- */
/* sla_run.c: the policy for a ticket (stored, else the default): 0 or KF_ENOTFOUND. */
int sla_policy_for(struct app *a, int64_t site_id, const char *type, const char *priority, struct store_sla_policy *out);
void sla_policy_routes(struct http_server *s);
/* sla_policy.c: days after closing that a follow-up is due (the site's setting, 1..90). */
#define SLA_FOLLOWUP_DAYS 3
int sla_followup_days(struct app *a, int64_t site_id);
/* csat.c: e-mails the requester the survey (no-op without an address or SMTP settings). */
void csat_on_resolved(struct app *a, const struct ticket *t);
/* The survey link's key for ticket id (HMAC under a key derived from DATA/secret.key), base64url. */
int csat_token(struct app *a, int64_t id, char *out, size_t outsz);
void csat_routes(struct http_server *s);
/* followup.c: a visit due the site's follow-up days after a complaint or repair closed. */
void followup_on_closed(struct app *a, const struct ticket *t);
void followup_routes(struct http_server *s);
/* report.c: GET /api/v1/tickets/report */
void report_routes(struct http_server *s);

#endif
