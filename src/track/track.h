/* track/track.h - visitor tracking and traffic statistics (docs/tracking.md).
 *
 * The widget reports page views and time on page to POST /api/v1/track; the server keeps who is
 * on each site now in memory (presence.c), queues the events and writes them in batches
 * (queue.c) with the daily rollups the statistics read (stats.c). The live visitor list, a
 * visitor's page trail, the per-site switch and two demo product pages are in routes.c.
 *
 * The first section is what main.c calls; the rest is shared by the files of this module
 * (pure helpers first, for tests/unit/test_track.c). Everything runs on the loop thread. */
#ifndef KF_TRACK_TRACK_H
#define KF_TRACK_TRACK_H
#include <stddef.h>
#include <stdint.h>

struct http_server;
struct http_req;
struct app;

/* Adds the routes and opens the GeoIP file when one is configured. */
void track_register(struct http_server *s);
/* Writes what is queued and stops the timers (graceful shutdown; the store is still open). */
void track_shutdown(void);
/* The daily upkeep: prunes raw page views older than [track] pageview_days and compacts the
 * finished days' top lists. Cheap to call often: it does each day's compaction once. */
void track_maintain(struct app *a);

/* ---- pure helpers (parse.c) ---- */
#define TRACK_VISIT_MS (30 * 60 * 1000LL)   /* a visit ends after 30 minutes without a report */
#define TRACK_ONLINE_MS 60000               /* "on the site now": a report in the last minute */

/* The utm_source, utm_medium and utm_campaign of url's query, decoded ("" when absent or not
 * valid UTF-8). */
void track_utm(const char *url, char *source, size_t sourcesz, char *medium, size_t mediumsz, char *campaign,
	       size_t campaignsz);
/* The lower-cased host[:port] of an http(s) URL into out; KF_EINVAL when url is not one. */
int track_host(const char *url, char *out, size_t outsz);
/* The referring host when referrer is an http(s) URL on another host than page, else "". */
void track_ref_host(const char *referrer, const char *page, char *out, size_t outsz);
/* url without its fragment and utm_* parameters: what "top pages" counts. */
void track_page_key(const char *url, char *out, size_t outsz);
/* "Chrome 120 · Windows" from a User-Agent (the browser part may be empty). */
void track_browser(const char *ua, char *out, size_t outsz);
/* 1 when s is "WIDTHxHEIGHT" with 1-5 digits each. */
int track_screen_valid(const char *s);
/* The nearest-rank percentile p (0 < p <= 100) of v[0..n), which it sorts; 0 when n is 0. */
double track_percentile(double *v, size_t n, int p);
/* UTC day numbers: from unix seconds, from and to "YYYY-MM-DD" (0 or KF_EINVAL). */
int64_t track_day_of(int64_t unix_s);
int track_day_parse(const char *s, int64_t *day);
void track_day_text(int64_t day, char out[11]);

/* ---- GeoIP (geoip.c) ---- */
/* Opens the MaxMind DB file at path ("" or unopenable: lookups answer empty, one warning). */
void track_geoip_open(const char *path);
void track_geoip_close(void);
/* ISO country code and English city name of ip; both "" when unknown or no file is open. */
void track_geoip_lookup(const char *ip, char country[8], char *city, size_t citysz);

/* ---- who is on the site now (presence.c) ---- */
/* What an entry keeps of the current page and the visit's referrer, in bytes (cut on a character
 * boundary): the live list shows no more, and it bounds an entry to ~1.6 KB against reports of
 * 2 KB URLs (~0.5 KB for usual pages). */
#define TRACK_LIVE_URL 512
#define TRACK_LIVE_TITLE 256
#define TRACK_LIVE_REFERRER 512
#define TRACK_PRESENCE_MAX 20000   /* default of [track] presence_max: ~32 MB at worst */

struct track_presence {
	int64_t visitor_id, site_id;
	int64_t first_at;          /* ms of the visitor's first page view ever */
	int64_t visit_start, last; /* ms: this visit's start, the latest report */
	int64_t visits;            /* visits so far, this one included */
	int64_t last_day;          /* UTC day of the latest page view (-1: none yet) */
	int pages;                 /* page views this visit */
	int left;                  /* the last report was a leave */
	const char *url, *title, *referrer;   /* never NULL; changed with track_presence_text */
	char country[8], city[96], lang[16], browser[64];
	/* private to presence.c */
	char *text;                                  /* url, title and referrer in one block */
	struct track_presence *next, *older, *newer; /* hash chain; the list by latest report */
};
/* The most entries kept (at least 1): when full, a new one takes the place of the entry whose
 * latest report is the oldest. Lowering it drops the stalest at once. */
void track_presence_limit(size_t max);
/* The entry of visitor_id, or NULL. */
struct track_presence *track_presence_get(int64_t visitor_id);
/* A new zeroed entry for visitor_id (the caller fills it), the newest in report order. */
struct track_presence *track_presence_add(int64_t visitor_id);
/* A report came for p: it becomes the last to make room. */
void track_presence_touch(struct track_presence *p);
/* Sets the page, its title and the referrer, each cut to its TRACK_LIVE_* size; NULL keeps one. */
void track_presence_text(struct track_presence *p, const char *url, const char *title, const char *referrer);
/* Calls cb for each entry; a nonzero return stops. */
void track_presence_each(int (*cb)(void *ud, struct track_presence *p), void *ud);
/* Drops entries without a report for a visit's length; frees everything when now is 0. */
void track_presence_sweep(int64_t now);
/* 1 while the visitor counts as on the site at now (ms): a recent report or a live socket. */
int track_presence_online(const struct track_presence *p, int64_t now);
/* How many entries, and the bytes they and their bucket array hold. */
void track_presence_usage(size_t *entries, size_t *bytes);

/* ---- the write queue (queue.c) ---- */
struct store_track_event;
/* A slot for one more event (zeroed), written within TRACK_FLUSH_MS; the queue is flushed
 * first when full. */
struct store_track_event *track_queue_next(struct app *a);
struct store_track_visitor;
/* Folds what is queued for visitor_id into tv, as the database will hold it once written, so a
 * reader needs no flush; found: tv holds the visitor's row. Returns whether it does after. */
int track_queue_visitor(int64_t visitor_id, struct store_track_visitor *tv, int found);
void track_queue_flush(void);
void track_queue_shutdown(void);

/* ---- statistics (stats.c) ---- */
void track_h_stats(struct http_req *r);
void track_h_stats_csv(struct http_req *r);

#endif
