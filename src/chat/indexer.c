/* chat/indexer.c - feeds the transcript search index in batches. A message is committed
 * (and acknowledged) at once; its tokens follow within 100 ms, in one transaction with its
 * neighbours, because an FTS insert per message tripled the cost of a message. Messages a
 * crash left unindexed are found at start (ids above the index's highest). A search flushes
 * what is pending first, so it never misses a message that was acknowledged. */
#include "chat/chat_int.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/log.h"
#include "search/search.h"
#include <stdlib.h>
#include <uv.h>

#define BATCH_MAX 500
#define BATCH_MS 100

static struct store_index_row rows[BATCH_MAX];
static size_t nrows;
static struct app *app;
static uv_timer_t timer;
static int timer_ready;

void chat_index_flush(void)
{
	if (!nrows)
		return;
	if (store_index_messages(app->st, rows, nrows) != 0)
		log_error("search index: %zu messages not indexed (they will be at the next start)", nrows);
	for (size_t i = 0; i < nrows; i++) {
		free(rows[i].bi);
		free(rows[i].uni);
	}
	nrows = 0;
}

static void on_timer(uv_timer_t *t)
{
	KF_UNUSED(t);
	chat_index_flush();
}

void chat_index_add(struct app *a, int64_t msg_id, const char *text)
{
	struct buf bi, uni;
	app = a;
	buf_init(&bi, 0);
	buf_init(&uni, 0);
	if (search_tokens(text, &bi, &uni) != 0) {
		buf_release(&bi);
		buf_release(&uni);
		return;
	}
	rows[nrows].msg_id = msg_id;
	rows[nrows].bi = buf_detach(&bi, NULL);
	rows[nrows].uni = buf_detach(&uni, NULL);
	if (++nrows == BATCH_MAX) {
		chat_index_flush();
		return;
	}
	if (!timer_ready) {
		uv_timer_init(a->loop, &timer);
		timer_ready = 1;
	}
	if (!uv_is_active((uv_handle_t *)&timer))
		uv_timer_start(&timer, on_timer, BATCH_MS, 0);
}

static int catch_up(void *ud, int64_t id, const char *body)
{
	chat_index_add(ud, id, body);
	return 0;
}

void chat_index_catch_up(struct app *a)
{
	size_t total = 0;
	app = a;
	for (;;) {
		size_t before = total;
		store_msg_unindexed(a->st, BATCH_MAX, catch_up, a);
		total += nrows;
		chat_index_flush();
		if (total == before)
			break;
	}
	if (total)
		log_info("search index: caught up %zu messages", total);
}

void chat_index_shutdown(void)
{
	if (app)
		chat_index_flush();
	if (timer_ready) {
		uv_close((uv_handle_t *)&timer, NULL);
		timer_ready = 0;
	}
}
