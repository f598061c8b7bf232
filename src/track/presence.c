/* track/presence.c - who is on each site now, in memory only (the database keeps the page
 * views; this keeps what the live list shows and what the visit logic needs between two
 * reports). A hash table by visitor id with chains, grown as it fills; entries go after a
 * visit's length (30 minutes) without a report, so its size follows the visitors of the last
 * half hour.
 *
 * Against a flood of new visitor tokens the table is bounded twice: an entry keeps its texts
 * cut to what the live list shows, in one right-sized block, and the number of entries is
 * capped ([track] presence_max). A full table makes room by dropping the entry whose latest
 * report is the oldest (the head of a list kept in report order, so finding it is O(1)): the
 * report path never waits for the database, and a dropped visitor who comes back is read
 * again from the database and the write queue (routes.c), losing nothing but their place in
 * the live list meanwhile. */
#include "track/track.h"
#include "chat/hub.h"
#include "core/alloc.h"
#include "core/util.h"
#include <stdlib.h>
#include <string.h>

#define LEAVE_GRACE_MS 10000   /* after a leave: gone unless another page reports within this */

static struct track_presence **table;
static size_t nbuckets, count, text_bytes, limit = TRACK_PRESENCE_MAX;
static struct track_presence *oldest, *newest;   /* by latest report */

static size_t slot(int64_t id, size_t n)
{
	uint64_t x = (uint64_t)id * 0x9E3779B97F4A7C15ull;   /* Fibonacci hashing spreads sequential ids */
	return (size_t)(x >> 32) & (n - 1);
}

static void grow(void)
{
	size_t n = nbuckets ? nbuckets * 2 : 1024;
	struct track_presence **t = xcalloc(n, sizeof(*t));
	for (size_t i = 0; i < nbuckets; i++) {
		struct track_presence *p = table[i], *next;
		for (; p; p = next) {
			next = p->next;
			size_t k = slot(p->visitor_id, n);
			p->next = t[k];
			t[k] = p;
		}
	}
	free(table);
	table = t;
	nbuckets = n;
}

static void list_unlink(struct track_presence *p)
{
	if (p->older)
		p->older->newer = p->newer;
	else
		oldest = p->newer;
	if (p->newer)
		p->newer->older = p->older;
	else
		newest = p->older;
	p->older = p->newer = NULL;
}

static void list_append(struct track_presence *p)
{
	p->older = newest;
	p->newer = NULL;
	if (newest)
		newest->newer = p;
	else
		oldest = p;
	newest = p;
}

static void text_free(struct track_presence *p)
{
	if (p->text) {
		text_bytes -= strlen(p->url) + strlen(p->title) + strlen(p->referrer) + 3;
		free(p->text);
	}
	p->text = NULL;
	p->url = p->title = p->referrer = "";
}

/* Frees p, which the caller has taken out of its hash chain. */
static void drop(struct track_presence *p)
{
	list_unlink(p);
	text_free(p);
	free(p);
	count--;
}

/* Takes p out of its hash chain and frees it. */
static void evict(struct track_presence *p)
{
	struct track_presence **pp = &table[slot(p->visitor_id, nbuckets)];
	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	drop(p);
}

void track_presence_limit(size_t max)
{
	limit = max ? max : 1;
	while (count > limit)
		evict(oldest);
}

struct track_presence *track_presence_get(int64_t visitor_id)
{
	if (!nbuckets)
		return NULL;
	struct track_presence *p = table[slot(visitor_id, nbuckets)];
	while (p && p->visitor_id != visitor_id)
		p = p->next;
	return p;
}

struct track_presence *track_presence_add(int64_t visitor_id)
{
	while (count >= limit)
		evict(oldest);
	if (count >= nbuckets)
		grow();
	struct track_presence *p = xcalloc(1, sizeof(*p));
	size_t k = slot(visitor_id, nbuckets);
	p->visitor_id = visitor_id;
	p->last_day = -1;
	p->url = p->title = p->referrer = "";
	p->next = table[k];
	table[k] = p;
	list_append(p);
	count++;
	return p;
}

void track_presence_touch(struct track_presence *p)
{
	if (p != newest) {
		list_unlink(p);
		list_append(p);
	}
}

void track_presence_text(struct track_presence *p, const char *url, const char *title, const char *referrer)
{
	/* Copied out first: a kept text lives in the block about to be replaced. */
	char u[TRACK_LIVE_URL], t[TRACK_LIVE_TITLE], r[TRACK_LIVE_REFERRER];
	size_t ul = utf8_copy(u, sizeof(u), url ? url : p->url);
	size_t tl = utf8_copy(t, sizeof(t), title ? title : p->title);
	size_t rl = utf8_copy(r, sizeof(r), referrer ? referrer : p->referrer);
	text_free(p);
	if (!ul && !tl && !rl)
		return;   /* the usual ping-only entry after a restart holds no block at all */
	char *b = xmalloc(ul + tl + rl + 3);
	memcpy(b, u, ul + 1);
	memcpy(b + ul + 1, t, tl + 1);
	memcpy(b + ul + tl + 2, r, rl + 1);
	p->text = b;
	p->url = b;
	p->title = b + ul + 1;
	p->referrer = b + ul + tl + 2;
	text_bytes += ul + tl + rl + 3;
}

void track_presence_each(int (*cb)(void *ud, struct track_presence *p), void *ud)
{
	for (size_t i = 0; i < nbuckets; i++)
		for (struct track_presence *p = table[i]; p; p = p->next)
			if (cb(ud, p))
				return;
}

void track_presence_sweep(int64_t now)
{
	for (size_t i = 0; i < nbuckets; i++) {
		struct track_presence **pp = &table[i];
		while (*pp) {
			struct track_presence *p = *pp;
			if (now && now - p->last < TRACK_VISIT_MS) {
				pp = &p->next;
				continue;
			}
			*pp = p->next;
			drop(p);
		}
	}
	if (!now) {
		free(table);
		table = NULL;
		nbuckets = 0;
	}
}

int track_presence_online(const struct track_presence *p, int64_t now)
{
	int64_t quiet = now - p->last;
	if (quiet < (p->left ? LEAVE_GRACE_MS : TRACK_ONLINE_MS))
		return 1;
	return hub_visitor_online(p->visitor_id);
}

void track_presence_usage(size_t *entries, size_t *bytes)
{
	*entries = count;
	*bytes = count * sizeof(struct track_presence) + text_bytes + nbuckets * sizeof(*table);
}
