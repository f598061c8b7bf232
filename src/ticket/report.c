/* ticket/report.c - the ticket report (报表 → 工单): for a site and a range of UTC days, the
 * tickets created in it, how many of them were resolved, first-response and resolution times
 * (median and p90, wall-clock seconds), SLA breaches, the CSAT average and count and the
 * follow-up outcomes: in total and by agent, type and channel.
 *   GET /api/v1/tickets/report?site=ID&from=YYYY-MM-DD&to=YYYY-MM-DD   (to inclusive, at most 366 days)
 * It is a cohort report: every figure is about the tickets created in the range. The rows are
 * read once (at most REPORT_ROWS) and summed here; groups are few (agents, 5 types, 5 channels). */
#include "ticket/sla.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "crm/crm_int.h"   /* crm_site_allowed: who may act on a site, as everywhere */
#include "core/util.h"
#include "store/store.h"
#include "store/store_sla.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_ROWS 200000
#define MAX_GROUPS 512

struct times {
	int64_t *v;
	size_t n, cap;
};

struct group {
	char key[32];
	int64_t created, resolved, breached_first, breached_resolution, csat_sum, csat_n;
	int64_t fu[4];                    /* reached not_reached satisfied unsatisfied */
	struct times frt, res;
};

struct groups {
	struct group *g;
	size_t n;
};

struct acc {
	struct groups total, agent, type, channel;
	size_t rows;
};

static void times_add(struct times *t, int64_t v)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = v;
}

static struct group *group_of(struct groups *gs, const char *key)
{
	for (size_t i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].key, key) == 0)
			return &gs->g[i];
	if (gs->n == MAX_GROUPS)
		return NULL;
	if (!gs->g)
		gs->g = xcalloc(MAX_GROUPS, sizeof(*gs->g));
	snprintf(gs->g[gs->n].key, sizeof(gs->g[0].key), "%s", key);
	return &gs->g[gs->n++];
}

static void add_row(struct group *g, const struct store_sla_row *w)
{
	static const char *const fu[] = { "reached", "not_reached", "satisfied", "unsatisfied" };
	if (!g)
		return;
	g->created++;
	if (w->resolved_at) {
		g->resolved++;
		times_add(&g->res, w->resolved_at - w->created_at);
	}
	if (w->first_response_at)
		times_add(&g->frt, w->first_response_at - w->created_at);
	g->breached_first += (w->sla_breached & 1) != 0;
	g->breached_resolution += (w->sla_breached & 2) != 0;
	if (w->csat_rating > 0) {
		g->csat_sum += w->csat_rating;
		g->csat_n++;
	}
	for (int i = 0; i < 4; i++)
		g->fu[i] += strcmp(w->followup, fu[i]) == 0;
}

static int row_cb(void *ud, const struct store_sla_row *w)
{
	struct acc *a = ud;
	char agent[24];
	snprintf(agent, sizeof(agent), "%lld", (long long)w->assignee_id);
	add_row(group_of(&a->total, "all"), w);
	add_row(group_of(&a->agent, agent), w);
	add_row(group_of(&a->type, w->type), w);
	add_row(group_of(&a->channel, w->channel), w);
	a->rows++;
	return 0;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* Nearest-rank percentile p (1..100) of t, sorted here; null without values. */
static json_t *pct(struct times *t, int p)
{
	if (!t->n)
		return json_null();
	qsort(t->v, t->n, sizeof(*t->v), cmp_i64);
	size_t rank = (t->n * (size_t)p + 99) / 100;
	return json_integer(t->v[rank ? rank - 1 : 0]);
}

static json_t *group_json(struct group *g)
{
	json_t *j = json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:I,s:I,s:I}", "created", (json_int_t)g->created, "resolved",
			      (json_int_t)g->resolved, "first_response_median", pct(&g->frt, 50), "first_response_p90",
			      pct(&g->frt, 90), "resolution_median", pct(&g->res, 50), "resolution_p90", pct(&g->res, 90),
			      "breached_first_response", (json_int_t)g->breached_first, "breached_resolution",
			      (json_int_t)g->breached_resolution, "csat_count", (json_int_t)g->csat_n);
	json_object_set_new(j, "csat_avg", g->csat_n ? json_real((double)g->csat_sum / (double)g->csat_n) : json_null());
	json_object_set_new(j, "followups", json_pack("{s:I,s:I,s:I,s:I}", "reached", (json_int_t)g->fu[0], "not_reached",
						      (json_int_t)g->fu[1], "satisfied", (json_int_t)g->fu[2],
						      "unsatisfied", (json_int_t)g->fu[3]));
	return j;
}

/* The groups as [{key_name: key, ...figures}], each group's memory freed. */
static json_t *groups_json(struct store *st, struct groups *gs, const char *key_name, int agents)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < gs->n; i++) {
		struct group *g = &gs->g[i];
		json_t *j = group_json(g);
		if (agents) {
			int64_t id = 0;
			struct store_user u;
			parse_i64(g->key, strlen(g->key), &id);
			json_object_set_new(j, key_name, json_integer(id));
			json_object_set_new(j, "name", json_string(id && store_user_get(st, id, &u) == 0 ? u.name : ""));
		} else {
			json_object_set_new(j, key_name, json_string(g->key));
		}
		json_array_append_new(arr, j);
		free(g->frt.v);
		free(g->res.v);
	}
	free(gs->g);
	return arr;
}

/* "YYYY-MM-DD" as the unix time of that UTC midnight; 0 or KF_EINVAL. */
static int parse_day(const char *s, int64_t *out)
{
	int64_t y, m, d;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || parse_i64(s, 4, &y) || parse_i64(s + 5, 2, &m) ||
	    parse_i64(s + 8, 2, &d) || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return KF_EINVAL;
	/* days from civil (H. Hinnant's algorithm), March-based years */
	y -= m <= 2;
	int64_t era = y / 400, yoe = y - era * 400, mp = (m + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*out = (era * 146097 + doe - 719468) * 86400;
	return 0;
}

/* Up to REPORT_ROWS tickets are read and sorted: seconds on a big site, so the report runs on
 * the worker pool with its own connection (as crm_page.c's heavy lists) and the loop keeps
 * serving chats meanwhile. */
struct report_job {
	int64_t site_id, from, to;
	char from_s[16], to_s[16];
	char db_path[1100];
	json_t *out;
	int rc;
};

static json_t *report_json(struct store *st, const struct report_job *j, struct acc *acc)
{
	json_t *total = acc->total.n ? group_json(&acc->total.g[0]) : NULL;
	if (!total) {
		struct group empty;
		memset(&empty, 0, sizeof(empty));
		total = group_json(&empty);
	}
	json_t *out = json_pack("{s:I,s:s,s:s,s:o,s:o,s:o,s:o,s:b}", "site_id", (json_int_t)j->site_id, "from", j->from_s,
				"to", j->to_s, "totals", total, "by_agent", groups_json(st, &acc->agent, "assignee_id", 1),
				"by_type", groups_json(st, &acc->type, "type", 0), "by_channel",
				groups_json(st, &acc->channel, "channel", 0), "truncated", acc->rows >= REPORT_ROWS);
	json_decref(groups_json(st, &acc->total, "all", 0));   /* frees the total's memory */
	return out;
}

static void report_work(struct http_req *r)
{
	struct report_job *j = r->job;
	struct store *st = NULL;
	j->rc = store_open(j->db_path, &st);
	if (j->rc)
		return;
	struct acc *acc = xcalloc(1, sizeof(*acc));
	j->rc = store_sla_report_each(st, j->site_id, j->from, j->to + 86400, REPORT_ROWS, row_cb, acc);
	j->out = report_json(st, j, acc);
	free(acc);
	store_close_worker(st);
	if (j->rc >= 0)
		j->rc = 0;
}

static void report_done(struct http_req *r)
{
	struct report_job *j = r->job;
	if (j->rc || !j->out) {
		json_decref(j->out);
		http_reply_error(r, 500, "internal", "could not read the tickets");
		return;
	}
	http_reply_json(r, 200, j->out);
}

static void h_report(struct http_req *r)
{
	const char *site = http_query(r, "site");
	int64_t site_id, from, to;
	struct store_site s;
	if (!site || parse_i64(site, strlen(site), &site_id) || store_site_get(app_of(r)->st, site_id, &s) ||
	    !crm_site_allowed(r, site_id)) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	if (parse_day(http_query(r, "from"), &from) || parse_day(http_query(r, "to"), &to) || to < from ||
	    to - from > 365 * 86400) {
		http_reply_error(r, 400, "bad_request", "from and to: YYYY-MM-DD, from <= to, at most 366 days");
		return;
	}
	struct report_job *job = arena_alloc(&r->arena, sizeof(*job));
	memset(job, 0, sizeof(*job));
	job->site_id = site_id;
	job->from = from;
	job->to = to;
	snprintf(job->from_s, sizeof(job->from_s), "%s", http_query(r, "from"));
	snprintf(job->to_s, sizeof(job->to_s), "%s", http_query(r, "to"));
	snprintf(job->db_path, sizeof(job->db_path), "%s", app_of(r)->db_path);
	r->job = job;
	http_defer(r, report_work, report_done);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/tickets/report", h_report, 0, ACCESS_AGENT, "tickets:read", "api", NULL },
};

void report_routes(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
