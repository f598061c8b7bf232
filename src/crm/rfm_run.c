/* crm/rfm_run.c - wires the pure RFM module (crm/rfm.h) to the database and the API: loads
 * every customer's facts of a site in one aggregate query, scores them, and writes the scores
 * and the tier-history rows of the customers whose tier moved in one transaction (a crash
 * half-way leaves the previous run intact). Runs nightly from the maintenance timer and on
 * demand; the routes serve the CRM page's charts, the segment export and the settings.
 * Manual: docs/crm.md "Recomputing RFM and tiers". */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "crm/crm_page.h"
#include "crm/rfm.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_rfm.h"
#include "store/store_crmlist.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define RFM_DEFAULT_KEY_SPEND 1000000   /* ¥10,000 in cents: the default key-account rule */
#define RFM_CONFIG_MAX 4096
#define RFM_HISTORY_MAX 50

struct rfm_settings {
	struct rfm_config cfg;
	struct rfm_rule rules[RFM_RULES_MAX];
	size_t nrules;
};

/* ---- settings: JSON <-> structs ---- */

static int cuts_from_json(const json_t *v, int64_t out[4])
{
	if (!json_is_array(v) || json_array_size(v) != 4)
		return -1;
	for (size_t i = 0; i < 4; i++) {
		const json_t *e = json_array_get(v, i);
		if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > 1000000000000000LL)
			return -1;
		if (i && json_integer_value(e) <= out[i - 1])   /* checked in quintiles mode too */
			return -1;
		out[i] = json_integer_value(e);
	}
	return 0;
}

/* One field of the config object into cfg; a message naming it, or NULL. */
static const char *config_field(const char *k, const json_t *v, struct rfm_config *cfg)
{
	if (strcmp(k, "window_days") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 3650)
			return "config.window_days: an integer from 1 to 3650";
		cfg->window_days = (int)json_integer_value(v);
	} else if (strcmp(k, "high") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5)
			return "config.high: an integer from 1 to 5";
		cfg->high = (int)json_integer_value(v);
	} else if (strcmp(k, "mode") == 0) {
		const char *m = json_string_value(v);
		if (!m || (strcmp(m, "quintiles") && strcmp(m, "thresholds")))
			return "config.mode: quintiles or thresholds";
		cfg->mode = strcmp(m, "thresholds") == 0 ? RFM_THRESHOLDS : RFM_QUINTILES;
	} else if (strcmp(k, "r_days") == 0 || strcmp(k, "f_cuts") == 0 || strcmp(k, "m_cuts") == 0) {
		int64_t *dst = k[0] == 'r' ? cfg->r_days : k[0] == 'f' ? cfg->f_cuts : cfg->m_cuts;
		if (cuts_from_json(v, dst))
			return "config: r_days, f_cuts and m_cuts are 4 ascending non-negative integers";
	} else {
		return "config: unknown field (window_days, mode, r_days, f_cuts, m_cuts, high)";
	}
	return NULL;
}

/* A config object over the defaults (absent fields keep them); a message, or NULL. */
static const char *config_from_json(const json_t *j, struct rfm_config *cfg)
{
	const char *k, *msg;
	json_t *v;
	rfm_config_default(cfg);
	if (!json_is_object(j))
		return "config: an object";
	json_object_foreach((json_t *)j, k, v)
		if ((msg = config_field(k, v, cfg)) != NULL)
			return msg;
	return rfm_config_check(cfg) ? "config: thresholds must be strictly ascending" : NULL;
}

static json_t *cuts_json(const int64_t c[4])
{
	return json_pack("[I,I,I,I]", (json_int_t)c[0], (json_int_t)c[1], (json_int_t)c[2], (json_int_t)c[3]);
}

static json_t *config_json(const struct rfm_config *c)
{
	return json_pack("{s:i,s:s,s:o,s:o,s:o,s:i}", "window_days", c->window_days, "mode",
			 c->mode == RFM_THRESHOLDS ? "thresholds" : "quintiles", "r_days", cuts_json(c->r_days),
			 "f_cuts", cuts_json(c->f_cuts), "m_cuts", cuts_json(c->m_cuts), "high", c->high);
}

/* The rules as the JSON rfm_rules_parse reads back ("any" fields left out). */
static json_t *rules_json(const struct rfm_rule *rs, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct rfm_rule *x = &rs[i];
		json_t *o = json_pack("{s:s}", "tier", rfm_tier_key(x->tier));
		if (x->r_min)
			json_object_set_new(o, "r_min", json_integer(x->r_min));
		if (x->f_min)
			json_object_set_new(o, "f_min", json_integer(x->f_min));
		if (x->m_min)
			json_object_set_new(o, "m_min", json_integer(x->m_min));
		if (x->spent_min)
			json_object_set_new(o, "spent_min", json_integer(x->spent_min));
		if (x->orders_min)
			json_object_set_new(o, "orders_min", json_integer(x->orders_min));
		if (x->days_since_max >= 0)
			json_object_set_new(o, "days_since_max", json_integer(x->days_since_max));
		if (x->ever >= 0)
			json_object_set_new(o, "ever", json_boolean(x->ever));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The site's settings, the defaults where none were saved (or a saved one no longer parses,
 * which is logged: the recompute must not stop over it). */
static void settings_load(struct app *a, int64_t site_id, struct rfm_settings *s)
{
	char *cfg = xmalloc(RFM_CONFIG_MAX), *rules = xmalloc(RFM_RULES_JSON_MAX + 1), err[200];
	rfm_config_default(&s->cfg);
	s->nrules = rfm_rules_default(s->rules, RFM_DEFAULT_KEY_SPEND);
	if (store_rfm_settings_get(a->st, site_id, cfg, RFM_CONFIG_MAX, rules, RFM_RULES_JSON_MAX + 1) == 0) {
		json_t *j = json_loads(cfg, 0, NULL);
		struct rfm_settings t;
		if (config_from_json(j, &t.cfg) == NULL &&
		    rfm_rules_parse(rules, strlen(rules), t.rules, &t.nrules, err, sizeof(err)) == 0)
			*s = t;
		else
			log_warn("rfm: site %lld: the saved settings do not parse; using the defaults", (long long)site_id);
		json_decref(j);
	}
	free(cfg);
	free(rules);
}

/* ---- the recompute ---- */

struct facts {
	struct rfm_customer *cs;
	int *old;
	size_t n, cap;
};

static int fact_add(void *ud, const struct store_rfm_fact *f)
{
	struct facts *x = ud;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		x->cs = xrealloc(x->cs, x->cap * sizeof(*x->cs));
		x->old = xrealloc(x->old, x->cap * sizeof(*x->old));
	}
	x->cs[x->n] = (struct rfm_customer){ f->id, f->last_order_at, f->first_order_at, f->orders, f->spent_cents };
	x->old[x->n++] = f->old_tier;
	return 0;
}

/* Writes every result and one history row per tier change (customers scored for the first
 * time have no previous tier, so no change). */
static int write_results(struct app *a, int64_t site_id, const struct facts *x, const struct rfm_result *res,
			 int64_t now, int64_t *changed)
{
	int rc = store_rfm_begin(a->st);
	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		struct store_rfm_row w = { res[i].id, site_id, res[i].r, res[i].f, res[i].m, res[i].segment,
					   res[i].tier, x->cs[i].orders, x->cs[i].spent_cents, res[i].days_since, now };
		rc = store_rfm_put(a->st, &w);
		if (rc == 0 && x->old[i] >= 0 && x->old[i] != res[i].tier) {
			rc = store_rfm_history_add(a->st, res[i].id, x->old[i], res[i].tier, now);
			++*changed;
		}
	}
	if (rc == 0)
		rc = store_rfm_commit(a->st);
	if (rc)
		store_rfm_rollback(a->st);
	return rc;
}

int crm_rfm_recompute(struct app *a, int64_t site_id, struct crm_rfm_report *rep)
{
	uint64_t t0 = time_mono_ns();
	int64_t now = time_now_s();
	struct rfm_settings *s = xmalloc(sizeof(*s));
	struct facts x = { 0 };
	struct rfm_result *res = NULL;
	memset(rep, 0, sizeof(*rep));
	settings_load(a, site_id, s);
	int rc = store_rfm_facts(a->st, site_id, rfm_window_start(&s->cfg, now), fact_add, &x);
	if (rc == 0 && x.n) {
		res = xmalloc(x.n * sizeof(*res));
		rc = rfm_score(x.cs, x.n, now, &s->cfg, s->rules, s->nrules, res) ? KF_ENOMEM : 0;
	}
	if (rc == 0 && x.n)
		rc = write_results(a, site_id, &x, res, now, &rep->changed);
	rep->customers = (int64_t)x.n;
	rep->ms = (int64_t)((time_mono_ns() - t0) / 1000000);
	free(res);
	free(x.cs);
	free(x.old);
	free(s);
	return rc;
}

/* A recompute reads every customer's facts: about 1 s at 100k customers, 10 s at 1M (bench/
 * results/crm.md). So both the nightly run and POST /crm/recompute run on the worker pool with
 * their own connection (reads never block the loop's writes under WAL; the loop's writes wait
 * only for the one write transaction at the end, about 2 s at 1M, within the busy timeout). */
static int recompute_own(const char *db_path, int64_t site_id, struct crm_rfm_report *rep)
{
	struct app w;
	memset(&w, 0, sizeof(w));
	int rc = store_open(db_path, &w.st);
	if (rc == 0) {
		rc = crm_rfm_recompute(&w, site_id, rep);
		store_close_worker(w.st);
	}
	return rc;
}

#define MAINTAIN_SITES 256
static struct {
	uv_work_t req;
	int running;
	char db_path[1100];
	int64_t sites[MAINTAIN_SITES];
	size_t n;
} nightly;

static int collect_site(void *ud, const struct store_site *site)
{
	(void)ud;
	if (nightly.n < MAINTAIN_SITES)
		nightly.sites[nightly.n++] = site->id;
	return 0;
}

static void nightly_work(uv_work_t *w)
{
	(void)w;
	for (size_t i = 0; i < nightly.n; i++) {
		struct crm_rfm_report rep;
		if (recompute_own(nightly.db_path, nightly.sites[i], &rep) == 0)
			log_info("rfm: site %lld: %lld customers, %lld tier changes, %lld ms", (long long)nightly.sites[i],
				 (long long)rep.customers, (long long)rep.changed, (long long)rep.ms);
		else
			log_warn("rfm: site %lld: the nightly recompute failed", (long long)nightly.sites[i]);
	}
}

static void nightly_done(uv_work_t *w, int status)
{
	(void)w;
	(void)status;
	nightly.running = 0;
}

/* Once a day: every site in turn (the first run a few minutes after the start). */
void crm_rfm_maintain(struct app *a)
{
	static int64_t at;
	int64_t now = time_now_s();
	if (now - at < 86400 || nightly.running || !a->loop)
		return;
	at = now;
	nightly.n = 0;
	store_site_each(a->st, 0, collect_site, NULL);
	snprintf(nightly.db_path, sizeof(nightly.db_path), "%s", a->db_path);
	if (nightly.n && uv_queue_work(a->loop, &nightly.req, nightly_work, nightly_done) == 0)
		nightly.running = 1;
}

/* ---- HTTP ---- */

struct recompute_job {
	int64_t site_id;
	char db_path[1100];
	struct crm_rfm_report rep;
	int rc;
};

static void recompute_work(struct http_req *r)
{
	struct recompute_job *j = r->job;
	j->rc = recompute_own(j->db_path, j->site_id, &j->rep);
}

static void recompute_done(struct http_req *r)
{
	struct recompute_job *j = r->job;
	if (j->rc) {
		http_reply_error(r, 500, "internal", "could not recompute");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:I,s:I,s:I}", "customers", (json_int_t)j->rep.customers, "changed",
					  (json_int_t)j->rep.changed, "ms", (json_int_t)j->rep.ms));
}

static void h_recompute(struct http_req *r)
{
	int64_t site_id;
	if (crm_load_site(r, &site_id))
		return;
	struct recompute_job *j = arena_alloc(&r->arena, sizeof(*j));
	memset(j, 0, sizeof(*j));
	j->site_id = site_id;
	snprintf(j->db_path, sizeof(j->db_path), "%s", app_of(r)->db_path);
	r->job = j;
	http_defer(r, recompute_work, recompute_done);
}

struct counts {
	int64_t tier[RFM_TIER_COUNT], seg[RFM_SEG_COUNT], total;
};

static int count_add(void *ud, int tier, int segment, int64_t n)
{
	struct counts *c = ud;
	if (tier >= 0 && tier < RFM_TIER_COUNT)
		c->tier[tier] += n;
	if (segment >= 0 && segment < RFM_SEG_COUNT)
		c->seg[segment] += n;
	c->total += n;
	return 0;
}

/* {"total", "tiers": {"key": n, ..., "none": n}, "segments": {"important_value": n, ...}}: every
 * key present, 0 when empty, so the charts need no defaults. */
static void h_summary(struct http_req *r)
{
	int64_t site_id;
	struct counts c = { { 0 }, { 0 }, 0 };
	if (crm_load_site(r, &site_id))
		return;
	if (store_rfm_counts(app_of(r)->st, site_id, count_add, &c)) {
		http_reply_error(r, 500, "internal", "could not read the summary");
		return;
	}
	json_t *tiers = json_object(), *segs = json_object();
	for (int t = 0; t < RFM_TIER_COUNT; t++)
		json_object_set_new(tiers, rfm_tier_key(t), json_integer(c.tier[t]));
	for (int s = 0; s < RFM_SEG_COUNT; s++)
		json_object_set_new(segs, rfm_segment_key(s), json_integer(c.seg[s]));
	int64_t at = 0;   /* the CRM page shows when the scores were last computed */
	store_crmlist_computed_at(app_of(r)->st, site_id, &at);
	http_reply_json(r, 200, json_pack("{s:I,s:o,s:o,s:I}", "total", (json_int_t)c.total, "tiers", tiers, "segments",
					  segs, "computed_at", (json_int_t)at));
}

/* A CSV cell: quoted when it holds a comma, quote or newline; a leading = + - @ gets a ' so a
 * spreadsheet does not run a customer's name as a formula. */
static void csv_cell(struct buf *b, const char *s, int last)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_addc(b, '"');
	if (strchr("=+-@", s[0]) && s[0])
		buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	if (quote)
		buf_addc(b, '"');
	buf_adds(b, last ? "\r\n" : ",");
}

static int csv_row(void *ud, const struct store_rfm_row *w, const char *name, const char *emails)
{
	struct buf *b = ud;
	char num[24];
	json_t *e = json_loads(emails, 0, NULL);
	const char *mail = json_string_value(json_array_get(e, 0));
	snprintf(num, sizeof(num), "%lld", (long long)w->customer_id);
	csv_cell(b, num, 0);
	csv_cell(b, name, 0);
	csv_cell(b, mail ? mail : "", 0);
	buf_addf(b, "%d,%d,%d,", w->r, w->f, w->m);
	csv_cell(b, rfm_segment_key(w->segment) ? rfm_segment_key(w->segment) : "", 0);
	csv_cell(b, rfm_tier_key(w->tier) ? rfm_tier_key(w->tier) : "", 1);
	json_decref(e);
	return b->err ? 1 : 0;
}

static void h_segment_csv(struct http_req *r)
{
	int64_t site_id;
	struct buf b;
	if (crm_load_site(r, &site_id))
		return;
	struct store_crmlist_filter f;   /* the CRM page's filters: crm/crm_page.c */
	const char *bad = crm_page_export_filter(r, &f);
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	buf_init(&b, 64 * 1024 * 1024);
	buf_adds(&b, "\xEF\xBB\xBF" "id,name,email,r,f,m,segment,tier\r\n");   /* BOM: spreadsheets read UTF-8 */
	if (store_crmlist_each(app_of(r)->st, site_id, &f, csv_row, &b) || b.err) {
		buf_release(&b);
		http_reply_error(r, 500, "internal", "could not export the segment");
		return;
	}
	http_add_header(r, "Content-Disposition", "attachment; filename=\"segment.csv\"");
	http_reply(r, 200, "text/csv; charset=utf-8", b.ptr, b.len);
	buf_release(&b);
}

static json_t *settings_json(const struct rfm_settings *s)
{
	return json_pack("{s:o,s:o}", "config", config_json(&s->cfg), "rules", rules_json(s->rules, s->nrules));
}

static void h_settings_get(struct http_req *r)
{
	int64_t site_id;
	if (crm_load_site(r, &site_id))
		return;
	struct rfm_settings *s = xmalloc(sizeof(*s));
	settings_load(app_of(r), site_id, s);
	http_reply_json(r, 200, settings_json(s));
	free(s);
}

/* PUT {"config": {...}, "rules": [...]}: either may be left out (the saved or default one stays).
 * Both are validated before anything is saved; the next recompute uses them. */
static void h_settings_put(struct http_req *r)
{
	int64_t site_id;
	char err[256];
	const char *msg = NULL;
	if (crm_load_site(r, &site_id))
		return;
	struct rfm_settings *s = xmalloc(sizeof(*s));
	settings_load(app_of(r), site_id, s);
	const json_t *cfg = json_object_get(r->json, "config"), *rules = json_object_get(r->json, "rules");
	char *rtext = rules ? json_dumps(rules, JSON_COMPACT) : NULL;
	if (cfg)
		msg = config_from_json(cfg, &s->cfg);
	if (!msg && rules && (!json_is_array(rules) || !rtext || strlen(rtext) > RFM_RULES_JSON_MAX))
		msg = "rules: an array of at most 64 KiB";
	else if (!msg && rules && rfm_rules_parse(rtext, strlen(rtext), s->rules, &s->nrules, err, sizeof(err)))
		msg = err;
	free(rtext);
	if (msg) {
		http_reply_error(r, 422, "invalid_field", msg);
		free(s);
		return;
	}
	json_t *out = settings_json(s);
	char *c = json_dumps(json_object_get(out, "config"), JSON_COMPACT);
	char *ru = json_dumps(json_object_get(out, "rules"), JSON_COMPACT);
	int rc = c && ru ? store_rfm_settings_put(app_of(r)->st, site_id, c, ru) : KF_ENOMEM;
	free(c);
	free(ru);
	free(s);
	if (rc) {
		json_decref(out);
		http_reply_error(r, 500, "internal", "could not save the settings");
		return;
	}
	http_reply_json(r, 200, out);
}

static int hist_add(void *ud, int from, int to, int64_t at)
{
	json_array_append_new(ud, json_pack("{s:s,s:s,s:I}", "from", rfm_tier_key(from) ? rfm_tier_key(from) : "none",
					    "to", rfm_tier_key(to) ? rfm_tier_key(to) : "none", "at", (json_int_t)at));
	return 0;
}

/* GET /api/v1/customers/:id/rfm: the latest scores (null before the first recompute) and the
 * tier history, newest first. */
static void h_customer_rfm(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_customer *c = xmalloc(sizeof(*c));
	struct store_rfm_row w;
	int64_t id;
	int bad = crm_param_id(r, 0, &id) || store_customer_get(a->st, id, c) != 0 || !crm_site_allowed(r, c->site_id);
	free(c);
	if (bad) {
		http_reply_error(r, 404, "not_found", "no such customer");
		return;
	}
	json_t *hist = json_array(), *now = json_null();
	if (store_rfm_get(a->st, id, &w) == 0)
		now = json_pack("{s:i,s:i,s:i,s:s,s:s,s:I,s:I,s:I,s:I}", "r", w.r, "f", w.f, "m", w.m, "segment",
				rfm_segment_key(w.segment) ? rfm_segment_key(w.segment) : "none", "tier",
				rfm_tier_key(w.tier) ? rfm_tier_key(w.tier) : "none", "orders", (json_int_t)w.orders,
				"spent_cents", (json_int_t)w.spent_cents, "days_since", (json_int_t)w.days_since,
				"computed_at", (json_int_t)w.computed_at);
	store_rfm_history(a->st, id, RFM_HISTORY_MAX, hist_add, hist);
	http_reply_json(r, 200, json_pack("{s:I,s:o,s:o}", "customer_id", (json_int_t)id, "rfm", now, "history", hist));
}

static const struct route routes[] = {
	{ M_POST, "/api/v1/sites/:id/crm/recompute", h_recompute, 0, ACCESS_SUPERVISOR, "customers:write", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/crm/summary", h_summary, 0, ACCESS_AGENT, "customers:read", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/crm/segment.csv", h_segment_csv, 0, ACCESS_SUPERVISOR, "customers:read", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/crm/settings", h_settings_get, 0, ACCESS_ADMIN, "customers:write", "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/crm/settings", h_settings_put, ROUTE_JSON, ACCESS_ADMIN, "customers:write", "api", NULL },
	{ M_GET, "/api/v1/customers/:id/rfm", h_customer_rfm, 0, ACCESS_AGENT, "customers:read", "api", NULL },
};

void crm_rfm_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
