/* track/presence.c - who is on each site now, in memory only (the database keeps the page
 * views; this keeps what the live list shows and what the visit logic needs between two
 * reports). A hash table by visitor id with chains, grown as it fills; entries go after a
 * visit's length (30 minutes) without a report, so its size follows the visitors of the last
 * half hour, and a hard cap bounds it against a flood of new visitor tokens. */
#include "track/track.h"
#include "chat/hub.h"
#include "core/alloc.h"
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 200000
#define LEAVE_GRACE_MS 10000   /* after a leave: gone unless another page reports within this */

static struct track_presence **table;
static size_t nbuckets, count;

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
	if (count >= MAX_ENTRIES)
		return NULL;
	if (count >= nbuckets)
		grow();
	struct track_presence *p = xcalloc(1, sizeof(*p));
	size_t k = slot(visitor_id, nbuckets);
	p->visitor_id = visitor_id;
	p->last_day = -1;
	p->next = table[k];
	table[k] = p;
	count++;
	return p;
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
			free(p);
			count--;
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
