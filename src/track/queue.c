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

void track_queue_shutdown(void)
{
	if (app)
		track_queue_flush();
	if (timer_ready) {
		uv_close((uv_handle_t *)&timer, NULL);
		timer_ready = 0;
	}
}
