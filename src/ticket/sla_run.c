/* ticket/sla_run.c - the SLA at work: due times written when a ticket is created or its type or
 * priority changes, a timer on the loop that marks breaches and escalates, the hooks that send
 * the CSAT survey and schedule follow-ups, and the admin's policies (REST).
 * Escalation happens once per ticket (escalated_at is set by a guarded update before anything
 * else), so a second breach or a restart never assigns or mails twice. */
#include "ticket/sla.h"
#include "ticket/ticket.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "mail/mail.h"
#include "store/store.h"
#include "store/store_sla.h"
#include <stdio.h>
#include <string.h>
#include <uv.h>

#define TICK_BATCH 64              /* breaches handled per tick and clock; the rest next tick */
#define MAX_SUPERVISORS 64

static struct app *g_app;
static uv_timer_t tick;
static int tick_on;
static int escalating;             /* our own ticket_set calls must not recompute due times */

int sla_policy_for(struct app *a, int64_t site_id, const char *type, const char *priority, struct store_sla_policy *out)
{
	if (store_sla_policy_get(a->st, site_id, type, priority, out) == 0)
		return 0;
	if (sla_policy_default(type, out) != 0)
		return KF_ENOTFOUND;
	out->site_id = site_id;
	snprintf(out->priority, sizeof(out->priority), "%s", priority);
	return 0;
}

/* Due times from the creation time under the policy the ticket's type and priority have now. */
static void set_due(struct app *a, const struct ticket *t)
{
	struct store_sla_policy p;
	struct store_site site;
	struct sla_hours h;
	int64_t first = 0, resolve = 0;
	if (sla_policy_for(a, t->site_id, t->type, t->priority, &p) == 0) {
		if (store_site_get(a->st, t->site_id, &site) != 0 || sla_hours_parse(site.business_hours, &h) != 0)
			sla_hours_parse("", &h);
		sla_due(&h, &p, t->created_at, &first, &resolve);
	}
	if (first != t->sla_first_due || resolve != t->sla_resolve_due)
		store_sla_set_due(a->st, t->id, first, resolve);
}

static void on_created(struct app *a, const struct ticket *t)
{
	struct ticket *now;
	/* a complaint is at least "high" unless the creator chose otherwise (issue 7, point 4) */
	if (strcmp(t->type, "complaint") != 0 || strcmp(t->priority, "normal") != 0) {
		set_due(a, t);
		return;
	}
	ticket_set(a, t->id, "priority", "high", "system", 0);   /* on_field sets the due times */
	if ((now = malloc(sizeof(*now))) && ticket_get(a, t->id, now) == 0)
		set_due(a, now);
	free(now);
}

static void on_field(struct app *a, const struct ticket *t, const char *field)
{
	if (!escalating && (strcmp(field, "type") == 0 || strcmp(field, "priority") == 0))
		set_due(a, t);
}

static void on_status(struct app *a, const struct ticket *t, const char *old)
{
	if (strcmp(t->status, "resolved") == 0)
		csat_on_resolved(a, t);
	else if (strcmp(t->status, "closed") == 0 && (!strcmp(t->type, "complaint") || !strcmp(t->type, "repair")))
		followup_on_closed(a, t);
}

/* ---- escalation ---- */

static int is_supervisor(struct store *st, int64_t user_id, struct store_user *u)
{
	return user_id > 0 && store_user_get(st, user_id, u) == 0 && !u->disabled &&
	       auth_role_level(u->role) >= ACCESS_SUPERVISOR;
}

struct sup_acc {
	int64_t ids[MAX_SUPERVISORS];
	size_t n;
};

static int sup_cb(void *ud, const struct store_user *u)
{
	struct sup_acc *acc = ud;
	if (!u->disabled && auth_role_level(u->role) >= ACCESS_ADMIN && acc->n < MAX_SUPERVISORS)
		acc->ids[acc->n++] = u->id;
	return 0;
}

/* Whom a breach goes to: the policy's user, else the site's supervisors (members with that role
 * or above), else the admins (who may act on every site). */
static void supervisors(struct app *a, int64_t site_id, int64_t escalate_to, struct sup_acc *acc)
{
	struct store_user u;
	int64_t members[MAX_SUPERVISORS];
	size_t n = 0;
	acc->n = 0;
	if (escalate_to > 0 && is_supervisor(a->st, escalate_to, &u)) {
		acc->ids[acc->n++] = escalate_to;
		return;
	}
	store_site_members(a->st, site_id, members, MAX_SUPERVISORS, &n);
	/* supervisors first (the escalation is assigned to the first), then admins who are members */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++)
			if (is_supervisor(a->st, members[i], &u) && (strcmp(u.role, "supervisor") == 0) == (pass == 0))
				acc->ids[acc->n++] = members[i];
	if (!acc->n)
		store_user_each(a->st, sup_cb, acc);
}

static void mail_supervisors(struct app *a, const struct ticket *t, const struct sup_acc *acc, const char *why)
{
	struct mail_settings m;
	struct store_user u;
	char subject[300], text[1024];
	if (app_mail_settings(a, &m) != 0 || !mail_configured(&m))
		return;
	snprintf(subject, sizeof(subject), "[#%lld] 工单已升级 / Ticket escalated: %s", (long long)t->id, t->subject);
	snprintf(text, sizeof(text),
		 "工单 #%lld 超出服务时限（%s），已升级给您处理。\n"
		 "Ticket #%lld missed its service level (%s) and was escalated to you.\n\n"
		 "类型 / Type: %s\n客户 / Requester: %s <%s>\n",
		 (long long)t->id, why, (long long)t->id, why, t->type, t->requester_name, t->requester_email);
	for (size_t i = 0; i < acc->n; i++)
		if (store_user_get(a->st, acc->ids[i], &u) == 0 && mail_valid_address(u.email))
			mail_send_async(a->loop, &m, u.email, subject, text);
}

static void escalate(struct app *a, const struct ticket *t, const char *why)
{
	struct store_sla_policy p;
	struct store_user u;
	struct sup_acc acc;
	int64_t to = -1;
	char idtxt[24];
	if (sla_policy_for(a, t->site_id, t->type, t->priority, &p) == 0)
		to = p.escalate_to;
	if (to < 0 && strcmp(t->type, "complaint") == 0)
		to = 0;   /* a complaint always goes up: to every supervisor unless its policy names one */
	if (to < 0 || t->escalated_at || store_sla_escalated(a->st, t->id, time_now_s()) != 0)
		return;
	supervisors(a, t->site_id, to, &acc);
	escalating = 1;
	if (acc.n && !is_supervisor(a->st, t->assignee_id, &u)) {
		snprintf(idtxt, sizeof(idtxt), "%lld", (long long)acc.ids[0]);
		if (ticket_set(a, t->id, "assignee", idtxt, "system", 0) != 0)
			log_warn("sla: ticket %lld: could not assign supervisor %s", (long long)t->id, idtxt);
	}
	ticket_set(a, t->id, "priority", "urgent", "system", 0);
	escalating = 0;
	snprintf(idtxt, sizeof(idtxt), "%lld", acc.n ? (long long)acc.ids[0] : 0LL);
	ticket_event(a, t->id, "escalated", "", idtxt, "system", 0);
	mail_supervisors(a, t, &acc, why);
}

/* One clock: marks what ran out (once each), tells the history and escalates. */
static void breaches(struct app *a, int which, int64_t now)
{
	int64_t ids[TICK_BATCH];
	size_t n = 0;
	const char *what = which == 1 ? "first_response_breached" : "resolution_breached";
	if (store_sla_overdue(a->st, which, now, ids, TICK_BATCH, &n) != 0)
		return;
	struct ticket *t = malloc(sizeof(*t));
	for (size_t i = 0; t && i < n; i++) {
		if (store_sla_mark(a->st, ids[i], which) != 0)
			continue;
		ticket_event(a, ids[i], "sla", "", what, "system", 0);
		if (ticket_get(a, ids[i], t) == 0)
			escalate(a, t, which == 1 ? "first response" : "resolution");
	}
	free(t);
}

static void on_tick(uv_timer_t *h)
{
	int64_t now = time_now_s();
	KF_UNUSED(h);
	breaches(g_app, 1, now);
	breaches(g_app, 2, now);
}

void ticket_sla_hooks(struct app *a)
{
	static const struct ticket_hooks hooks = { on_created, NULL, on_status, on_field };
	g_app = a;
	ticket_hooks_add(&hooks);
}

void ticket_sla_init(struct app *a)
{
	ticket_sla_hooks(a);
	uv_timer_init(a->loop, &tick);
	uv_timer_start(&tick, on_tick, a->cfg.sla_tick_ms, a->cfg.sla_tick_ms);
	tick_on = 1;
}

void ticket_sla_shutdown(void)
{
	if (tick_on) {
		uv_timer_stop(&tick);
		uv_close((uv_handle_t *)&tick, NULL);
		tick_on = 0;
	}
}

void ticket_sla_register(struct http_server *s)
{
	report_routes(s);   /* before the core's /api/v1/tickets/:id, which would take "report" */
	sla_policy_routes(s);
	followup_routes(s);
	csat_routes(s);
}
