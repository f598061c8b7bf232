/* core/ratelimit.c - hashed fixed-window counters (see ratelimit.h). Entries whose
 * window has passed are dropped as buckets are walked, so memory tracks live keys. */
#include "ratelimit.h"
#include "alloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RL_BUCKETS 1024

struct rl_entry {
	struct rl_entry *next;
	int64_t start;
	unsigned count, prev;          /* prev: the previous window's count (sliding mode) */
	char key[];
};

struct ratelimit {
	unsigned limit, window;
	int sliding;
	struct rl_entry *b[RL_BUCKETS];
};

struct ratelimit *ratelimit_new(unsigned limit, unsigned window_s)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));
	rl->limit = limit;
	rl->window = window_s ? window_s : 60;
	return rl;
}

struct ratelimit *ratelimit_new_sliding(unsigned limit, unsigned window_s)
{
	struct ratelimit *rl = ratelimit_new(limit, window_s);
	rl->sliding = 1;
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < RL_BUCKETS; i++)
		for (struct rl_entry *e = rl->b[i], *n; e; e = n) {
			n = e->next;
			free(e);
		}
	free(rl);
}

/* Finds key's live entry, dropping expired ones in the bucket on the way. */
static struct rl_entry **find(struct ratelimit *rl, const char *key, int64_t now)
{
	unsigned h = 2166136261u;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	struct rl_entry **pp = &rl->b[h % RL_BUCKETS];
	int64_t w = rl->window;
	while (*pp) {
		struct rl_entry *e = *pp;
		if (rl->sliding && now - e->start >= w && now - e->start < 2 * w) {
			e->prev = e->count;   /* roll into the next window */
			e->count = 0;
			e->start += w;
		}
		if (now - e->start >= w) {
			*pp = e->next;
			free(e);
			continue;
		}
		if (strcmp(e->key, key) == 0)
			return pp;
		pp = &e->next;
	}
	return pp;
}

unsigned ratelimit_check(struct ratelimit *rl, const char *key, int64_t now)
{
	struct rl_entry *e = *find(rl, key, now);
	if (!e)
		return 0;
	if (rl->sliding) {
		double overlap = (double)(e->start + rl->window - now) / rl->window;
		if (e->prev * overlap + e->count < rl->limit)
			return 0;
		return (unsigned)(e->start + rl->window - now) + 1;
	}
	if (e->count < rl->limit)
		return 0;
	int64_t left = e->start + rl->window - now;
	return left > 0 ? (unsigned)left : 1;
}

void ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now)
{
	struct rl_entry **pp = find(rl, key, now);
	if (!*pp) {
		size_t kl = strlen(key);
		struct rl_entry *e = xcalloc(1, sizeof(*e) + kl + 1);
		memcpy(e->key, key, kl + 1);
		e->start = now;
		*pp = e;
	}
	(*pp)->count++;
}

void ratelimit_clear(struct ratelimit *rl, const char *key)
{
	struct rl_entry **pp = find(rl, key, 0);
	if (*pp) {
		struct rl_entry *e = *pp;
		*pp = e->next;
		free(e);
	}
}
