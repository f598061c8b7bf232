/* core/ratelimit.h - fixed-window counters by key (an IP, an e-mail), in memory.
 * Good enough for login throttling on one process: a restart forgets the counts,
 * which costs an attacker a restart per window. */
#ifndef KF_CORE_RATELIMIT_H
#define KF_CORE_RATELIMIT_H
#include <stdint.h>

struct ratelimit;

struct ratelimit *ratelimit_new(unsigned limit, unsigned window_s);
/* A sliding window instead: "at most limit in any window_s", estimated from the current and
 * the previous fixed window (weighted by how much of the previous one still overlaps), so
 * a burst straddling a window boundary cannot pass twice the limit. */
struct ratelimit *ratelimit_new_sliding(unsigned limit, unsigned window_s);
void ratelimit_free(struct ratelimit *rl);
/* Seconds until key may try again (0 when under the limit). */
unsigned ratelimit_check(struct ratelimit *rl, const char *key, int64_t now);
/* Counts one event for key. */
void ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now);
void ratelimit_clear(struct ratelimit *rl, const char *key);

#endif
