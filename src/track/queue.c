/* track/queue.c - tracking events are answered at once and written in batches: each batch is
 * one transaction, flushed TRACK_FLUSH_MS after its first event or as soon as it is full
 * (the pattern of chat/indexer.c). A commit per page view would cap ingest at SQLite's
 * single-row commit rate (~31k/s here, STACK.md) and spend most of it in fsync-ordering;
 * batched, one commit carries hundreds of events. What is queued is written on shutdown. */
#include "track/track.h"
#include "app/app.h"
#include "core/kf.h"
#include "core/log.h"
#include "store/store_track.h"
#include <stdio.h>
#include <string.h>
#include <uv.h>

#define BATCH_MAX 512
#define TRACK_FLUSH_MS 200
#define TOP_CAP 500   /* distinct keys a day's top list takes before counting "(other)" */

static struct store_track_event events[BATCH_MAX];
static size_t nevents;
static struct app *app;
static uv_timer_t timer;
static int timer_ready;

void track_queue_flush(void)
{
	if (!nevents)
		return;
	if (store_track_write(app->st, events, nevents, TOP_CAP) != 0)
		log_error("track: %zu events not written", nevents);
	nevents = 0;
}

static void on_timer(uv_timer_t *t)
{
	KF_UNUSED(t);
	track_queue_flush();
}

struct store_track_event *track_queue_next(struct app *a)
{
	app = a;
	if (nevents == BATCH_MAX)
		track_queue_flush();
	if (!timer_ready) {
		uv_timer_init(a->loop, &timer);
		timer_ready = 1;
	}
	if (!uv_is_active((uv_handle_t *)&timer))
		uv_timer_start(&timer, on_timer, TRACK_FLUSH_MS, 0);
	struct store_track_event *e = &events[nevents++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* The same rules as store_track.c's visitor upsert (T_VIS_UPSERT) and touch (T_VIS_TOUCH). */
int track_queue_visitor(int64_t visitor_id, struct store_track_visitor *tv, int found)
{
	for (size_t i = 0; i < nevents; i++) {
		const struct store_track_event *e = &events[i];
		if (e->visitor_id != visitor_id || (e->type != STORE_TRACK_VIEW && !found))
			continue;   /* time on a page touches a row that exists, never makes one */
		if (e->type != STORE_TRACK_VIEW) {
			tv->last_at = e->at > tv->last_at ? e->at : tv->last_at;
			continue;
		}
		if (!found) {
			memset(tv, 0, sizeof(*tv));
			tv->visitor_id = e->visitor_id;
			tv->site_id = e->site_id;
			tv->first_at = e->first_at;
			found = 1;
		}
		tv->last_at = e->at > tv->last_at ? e->at : tv->last_at;
		tv->last_view_at = e->at > tv->last_view_at ? e->at : tv->last_view_at;
		tv->visits = e->visits > tv->visits ? e->visits : tv->visits;
		tv->views++;
		if (e->country[0]) {
			snprintf(tv->country, sizeof(tv->country), "%s", e->country);
			snprintf(tv->city, sizeof(tv->city), "%s", e->city);
		}
		snprintf(tv->browser, sizeof(tv->browser), "%s", e->browser);
		snprintf(tv->screen, sizeof(tv->screen), "%s", e->screen);
	}
	return found;
}

void track_queue_shutdown(void)
{
	if (app)
		track_queue_flush();
	if (timer_ready) {
		uv_close((uv_handle_t *)&timer, NULL);
		timer_ready = 0;
	}
}
