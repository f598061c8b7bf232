/* store/store_track.h - storage for visitor tracking and traffic statistics
 * (docs/tracking.md): raw page views, per-visitor visit state, daily rollups kept up to date as
 * events are written, and the conversation figures the statistics read.
 *
 * Same conventions as store.h: 0 or a negative KF_E* code, *out untouched on failure,
 * strings NUL-terminated and cut to fit. Times here are unix milliseconds unless named _s;
 * days are UTC day numbers (days since 1970-01-01). */
#ifndef KF_STORE_STORE_TRACK_H
#define KF_STORE_STORE_TRACK_H
#include <stddef.h>
#include <stdint.h>

struct store;

#define STORE_TRACK_OTHER "(other)"   /* the key that holds what a day's top list left out */

/* ---- the per-site switch (sites.tracking, default on) ---- */
int store_track_site_enabled(struct store *st, int64_t site_id, int *enabled);   /* KF_ENOTFOUND */
int store_track_site_set(struct store *st, int64_t site_id, int enabled);        /* KF_ENOTFOUND */

/* ---- a visitor's visit state ---- */
struct store_track_visitor {
	int64_t visitor_id, site_id;
	int64_t first_at, last_at;        /* ms: the first page view, the latest report of any kind */
	int64_t last_view_at;             /* ms: the latest page view (what says who a day counted) */
	int64_t visits, views;
	char country[8], city[96], browser[64], screen[16];
};
int store_track_visitor_get(struct store *st, int64_t visitor_id, struct store_track_visitor *out);

/* ---- writing events (one transaction per batch) ---- */
enum store_track_type { STORE_TRACK_VIEW = 1, STORE_TRACK_TIME = 2 };

struct store_track_event {
	int type;
	int64_t site_id, visitor_id, at;  /* at: ms */
	int64_t seconds;                  /* TIME: seconds more on the current page */
	/* VIEW: what the rollups count for this view, decided by the caller's visit logic */
	int day_visitor;                  /* the visitor's first view of this UTC day */
	int new_visitor;                  /* ... and their first view ever */
	int new_visit;                    /* a new visit starts with this view */
	int64_t first_at, visits;         /* the visitor's state after this view */
	char url[2048], page[1024], title[512], referrer[2048], ref_host[256];
	char utm_source[128], utm_medium[128], utm_campaign[128];
	char country[8], city[96], browser[64], screen[16];
};
/* Writes n events in order: page views with their rollups (track_daily, the day's top pages,
 * referring hosts and campaigns; a day holds at most top_cap distinct keys of a kind, later
 * ones count under STORE_TRACK_OTHER), and time on page added to the visitor's latest view. */
int store_track_write(struct store *st, const struct store_track_event *ev, size_t n, int top_cap);

/* ---- reading ---- */
struct store_track_view {
	int64_t id, at, seconds;
	char url[2048], title[512], referrer[2048];
};
/* The visitor's latest page views, newest first, at most limit. */
int store_track_pages(struct store *st, int64_t visitor_id, int limit,
		      int (*cb)(void *ud, const struct store_track_view *v), void *ud);

struct store_track_day {
	int64_t day, visitors, new_visitors, visits, pageviews, seconds;
};
/* The rollup rows of days [from_day, to_day] that have any, in day order. */
int store_track_days(struct store *st, int64_t site_id, int64_t from_day, int64_t to_day,
		     int (*cb)(void *ud, const struct store_track_day *d), void *ud);
/* The keys of kind ("page", "referrer", "campaign") with the highest sums over the days,
 * best first, at most limit; STORE_TRACK_OTHER is left out. */
int store_track_top(struct store *st, int64_t site_id, int64_t from_day, int64_t to_day, const char *kind, int limit,
		    int (*cb)(void *ud, const char *key, const char *label, int64_t n), void *ud);

/* The site's conversations created in [from_s, to_s), oldest first. */
struct store_track_chat {
	int64_t created_at, closed_at;    /* s; closed_at 0 when open */
	int64_t first_reply_at;           /* ms of the first agent message; 0: none */
	char status[12];
	int rating;                       /* 0: not rated */
};
int store_track_chats(struct store *st, int64_t site_id, int64_t from_s, int64_t to_s,
		      int (*cb)(void *ud, const struct store_track_chat *c), void *ud);

/* ---- upkeep ---- */
/* Deletes page views older than before (ms); *deleted counts them. */
int store_track_prune(struct store *st, int64_t before, int64_t *deleted);
/* For days [from_day, to_day]: keeps each (site, day, kind)'s keep best keys and folds the
 * rest into STORE_TRACK_OTHER. */
int store_track_compact(struct store *st, int64_t from_day, int64_t to_day, int keep);

#endif
