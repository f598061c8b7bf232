/* track/stats.c - traffic statistics per site and UTC day (docs/tracking.md): visitors, new and
 * returning, page views, top pages, referring hosts and campaigns from the rollups; chats
 * started, chat rate, missed chats, first-response time, chat duration and ratings from the
 * conversations themselves. Chat rows change after the day they start (replies, closing,
 * ratings), so they are read live through the (site_id, created_at) index rather than rolled
 * up: a year of a busy site is ~50k rows, read in tens of milliseconds. */
#include "track/track.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_track.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DAYS 731            /* two years per request */
#define TOP_N 10
#define MISSED_AFTER_S 600      /* an unanswered chat open this long counts as missed */

struct day {
	struct store_track_day t;   /* the rollup (zeros when the day has none) */
	int64_t chats, missed, ratings, rating_sum;
	size_t frt0, frt1, dur0, dur1;  /* this day's slices of the value arrays */
};

struct vals {
	double *v;
	size_t n, cap;
};

struct stats {
	struct store_site site;
	int64_t from, to, now;          /* days; now in seconds */
	size_t ndays;
	struct day *days;
	struct vals frt, dur;           /* seconds, in creation order (so each day is a slice) */
};

static void vals_push(struct vals *a, double x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = x;
}

static int add_day(void *ud, const struct store_track_day *d)
{
	struct stats *s = ud;
	s->days[d->day - s->from].t = *d;
	return 0;
}

/* Missed: no agent ever replied, and the visitor has stopped waiting (closed, or left while
 * nobody was online) or has waited MISSED_AFTER_S already. */
static int missed(const struct store_track_chat *c, int64_t now)
{
	if (c->first_reply_at)
		return 0;
	return strcmp(c->status, "closed") == 0 || strcmp(c->status, "offline") == 0 || now - c->created_at >= MISSED_AFTER_S;
}

static int add_chat(void *ud, const struct store_track_chat *c)
{
	struct stats *s = ud;
	int64_t i = track_day_of(c->created_at) - s->from;
	if (i < 0 || (size_t)i >= s->ndays)
		return 0;
	struct day *d = &s->days[i];
	d->chats++;
	d->missed += missed(c, s->now);
	if (c->rating > 0) {
		d->ratings++;
		d->rating_sum += c->rating;
	}
	if (c->first_reply_at) {
		double frt = (double)(c->first_reply_at - c->created_at * 1000) / 1000.0;
		vals_push(&s->frt, frt < 0 ? 0 : frt);
		d->frt1 = s->frt.n;
	}
	if (strcmp(c->status, "closed") == 0 && c->closed_at >= c->created_at) {
		vals_push(&s->dur, (double)(c->closed_at - c->created_at));
		d->dur1 = s->dur.n;
	}
	return 0;
}

/* Gives each day its slice: rows come in creation order, so a day's values are contiguous. */
static void slice_days(struct stats *s)
{
	size_t f = 0, u = 0;
	for (size_t i = 0; i < s->ndays; i++) {
		struct day *d = &s->days[i];
		d->frt0 = f;
		d->frt1 = d->frt1 > f ? d->frt1 : f;
		d->dur0 = u;
		d->dur1 = d->dur1 > u ? d->dur1 : u;
		f = d->frt1;
		u = d->dur1;
	}
}

static int covers(struct http_req *r, int64_t site_id)
{
	return auth_role_level(auth_of(r)->user.role) >= ACCESS_ADMIN ||
	       store_site_is_member(app_of(r)->st, site_id, auth_of(r)->user.id) == 0;
}

/* site, from and to from the query (to: today, from: 29 days before, by default). */
static int parse_range(struct http_req *r, struct stats *s)
{
	const char *site = http_query(r, "site"), *from = http_query(r, "from"), *to = http_query(r, "to");
	int64_t id;
	s->now = time_now_s();
	s->to = track_day_of(s->now);
	if (!site || parse_i64(site, strlen(site), &id) || id <= 0 || (to && *to && track_day_parse(to, &s->to)) ||
	    (from && *from && track_day_parse(from, &s->from))) {
		http_reply_error(r, 422, "invalid_field", "site: a site id; from, to: dates as YYYY-MM-DD (UTC)");
		return 1;
	}
	if (!from || !*from)
		s->from = s->to - 29;
	if (s->from > s->to || s->to - s->from >= MAX_DAYS) {
		http_reply_error(r, 422, "invalid_field", "from must not be after to, and a range is at most 731 days");
		return 1;
	}
	if (store_site_get(app_of(r)->st, id, &s->site) != 0 || !covers(r, id)) {
		http_reply_error(r, 404, "not_found", "no such site (or not one of yours)");
		return 1;
	}
	return 0;
}

static void stats_free(struct stats *s)
{
	free(s->days);
	free(s->frt.v);
	free(s->dur.v);
}

/* Reads everything for the range; 0, or answered. */
static int stats_load(struct http_req *r, struct stats *s)
{
	struct app *a = app_of(r);
	memset(s, 0, sizeof(*s));
	if (parse_range(r, s))
		return 1;
	s->ndays = (size_t)(s->to - s->from + 1);
	s->days = xcalloc(s->ndays, sizeof(*s->days));
	for (size_t i = 0; i < s->ndays; i++)
		s->days[i].t.day = s->from + (int64_t)i;
	track_queue_flush();   /* today's figures include what was just reported */
	if (store_track_days(a->st, s->site.id, s->from, s->to, add_day, s) != 0 ||
	    store_track_chats(a->st, s->site.id, s->from * 86400, (s->to + 1) * 86400, add_chat, s) != 0) {
		stats_free(s);
		http_reply_error(r, 500, "internal", "could not read the statistics");
		return 1;
	}
	slice_days(s);
	return 0;
}

/* ---- figures ---- */

struct figures {
	int64_t visitors, new_visitors, pageviews, visits, seconds, chats, missed, ratings, rating_sum;
	size_t nfrt, ndur;
	double frt_median, frt_p90, dur_median, dur_p90;
};

/* Percentile p of a slice (the array is NULL until a first value). */
static double pct(struct vals *a, size_t off, size_t n, int p)
{
	return n ? track_percentile(a->v + off, n, p) : 0;
}

static void figures_of(struct figures *f, const struct day *d, size_t n, struct stats *s)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		f->visitors += d[i].t.visitors;
		f->new_visitors += d[i].t.new_visitors;
		f->pageviews += d[i].t.pageviews;
		f->visits += d[i].t.visits;
		f->seconds += d[i].t.seconds;
		f->chats += d[i].chats;
		f->missed += d[i].missed;
		f->ratings += d[i].ratings;
		f->rating_sum += d[i].rating_sum;
	}
	/* The values of days d[0..n) are one slice of each array (days are in order). */
	f->nfrt = d[n - 1].frt1 - d[0].frt0;
	f->ndur = d[n - 1].dur1 - d[0].dur0;
	f->frt_median = pct(&s->frt, d[0].frt0, f->nfrt, 50);
	f->frt_p90 = pct(&s->frt, d[0].frt0, f->nfrt, 90);
	f->dur_median = pct(&s->dur, d[0].dur0, f->ndur, 50);
	f->dur_p90 = pct(&s->dur, d[0].dur0, f->ndur, 90);
}

static json_t *num_or_null(int have, double v)
{
	return have ? json_real((double)(int64_t)(v * 10 + 0.5) / 10) : json_null();   /* v >= 0 */
}

static json_t *figures_json(const struct figures *f)
{
	json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "visitors", (json_int_t)f->visitors,
			      "new_visitors", (json_int_t)f->new_visitors, "returning_visitors",
			      (json_int_t)(f->visitors - f->new_visitors), "pageviews", (json_int_t)f->pageviews, "visits",
			      (json_int_t)f->visits, "seconds", (json_int_t)f->seconds, "chats", (json_int_t)f->chats,
			      "missed_chats", (json_int_t)f->missed, "ratings", (json_int_t)f->ratings);
	json_object_set_new(o, "chat_rate", f->visitors ? json_real((double)f->chats / (double)f->visitors) : json_null());
	json_object_set_new(o, "frt_median", num_or_null(f->nfrt > 0, f->frt_median));
	json_object_set_new(o, "frt_p90", num_or_null(f->nfrt > 0, f->frt_p90));
	json_object_set_new(o, "duration_median", num_or_null(f->ndur > 0, f->dur_median));
	json_object_set_new(o, "duration_p90", num_or_null(f->ndur > 0, f->dur_p90));
	json_object_set_new(o, "rating_avg", num_or_null(f->ratings > 0, (double)f->rating_sum / (double)(f->ratings ? f->ratings : 1)));
	return o;
}

static int top_to_array(void *ud, const char *key, const char *label, int64_t n)
{
	json_array_append_new(ud, json_pack("{s:s,s:s,s:I}", "key", key, "label", label, "count", (json_int_t)n));
	return 0;
}

static json_t *top_json(struct app *a, const struct stats *s, const char *kind)
{
	json_t *arr = json_array();
	store_track_top(a->st, s->site.id, s->from, s->to, kind, TOP_N, top_to_array, arr);
	return arr;
}

void track_h_stats(struct http_req *r)
{
	struct stats s;
	struct figures f;
	char day[11];
	if (stats_load(r, &s))
		return;
	json_t *days = json_array();
	for (size_t i = 0; i < s.ndays; i++) {
		figures_of(&f, &s.days[i], 1, &s);
		json_t *o = figures_json(&f);
		track_day_text(s.days[i].t.day, day);
		json_object_set_new(o, "date", json_string(day));
		json_array_append_new(days, o);
	}
	figures_of(&f, s.days, s.ndays, &s);
	json_t *out = json_pack("{s:I,s:s,s:s,s:o,s:o}", "site_id", (json_int_t)s.site.id, "timezone", "UTC", "site_name",
				s.site.name, "days", days, "totals", figures_json(&f));
	track_day_text(s.from, day);
	json_object_set_new(out, "from", json_string(day));
	track_day_text(s.to, day);
	json_object_set_new(out, "to", json_string(day));
	json_object_set_new(out, "top_pages", top_json(app_of(r), &s, "page"));
	json_object_set_new(out, "top_referrers", top_json(app_of(r), &s, "referrer"));
	json_object_set_new(out, "top_campaigns", top_json(app_of(r), &s, "campaign"));
	stats_free(&s);
	http_reply_json(r, 200, out);
}

/* ---- CSV ---- */

/* A CSV field: quoted, with quotes doubled, when it holds a separator, quote or line break. */
static void csv_field(struct buf *b, const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '"');
	for (; *v; v++) {
		if (*v == '"')
			buf_addc(b, '"');
		buf_addc(b, *v);
	}
	buf_addc(b, '"');
}

static void csv_num(struct buf *b, int have, double v)
{
	if (have)
		buf_addf(b, ",%.1f", v);
	else
		buf_adds(b, ",");
}

static void csv_row(struct buf *b, const char *site, const char *date, const struct figures *f)
{
	csv_field(b, site);
	buf_addf(b, ",%s,%lld,%lld,%lld,%lld,%lld,%lld", date, (long long)f->visitors, (long long)f->new_visitors,
		 (long long)(f->visitors - f->new_visitors), (long long)f->pageviews, (long long)f->visits,
		 (long long)f->chats);
	if (f->visitors)
		buf_addf(b, ",%.4f", (double)f->chats / (double)f->visitors);
	else
		buf_adds(b, ",");
	buf_addf(b, ",%lld", (long long)f->missed);
	csv_num(b, f->nfrt > 0, f->frt_median);
	csv_num(b, f->nfrt > 0, f->frt_p90);
	csv_num(b, f->ndur > 0, f->dur_median);
	csv_num(b, f->ndur > 0, f->dur_p90);
	buf_addf(b, ",%lld", (long long)f->ratings);
	csv_num(b, f->ratings > 0, (double)f->rating_sum / (double)(f->ratings ? f->ratings : 1));
	buf_adds(b, "\r\n");
}

void track_h_stats_csv(struct http_req *r)
{
	struct stats s;
	struct figures f;
	struct buf b;
	char day[11], from[11], disp[96];
	if (stats_load(r, &s))
		return;
	buf_init(&b, 0);
	/* The BOM makes Excel read the file as UTF-8, so Chinese site names survive. */
	buf_adds(&b, "\xEF\xBB\xBF" "site,date,visitors,new_visitors,returning_visitors,pageviews,visits,chats,chat_rate,"
		 "missed_chats,frt_median_s,frt_p90_s,duration_median_s,duration_p90_s,ratings,rating_avg\r\n");
	for (size_t i = 0; i < s.ndays; i++) {
		figures_of(&f, &s.days[i], 1, &s);
		track_day_text(s.days[i].t.day, day);
		csv_row(&b, s.site.name, day, &f);
	}
	track_day_text(s.from, from);
	track_day_text(s.to, day);
	snprintf(disp, sizeof(disp), "attachment; filename=\"kefu-stats-%lld-%s-%s.csv\"", (long long)s.site.id, from, day);
	stats_free(&s);
	http_add_header(r, "Content-Disposition", disp);
	http_reply(r, 200, "text/csv; charset=utf-8", b.ptr, b.len);
	buf_release(&b);
}
