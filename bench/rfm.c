/* bench/rfm.c - times crm/rfm.c's scoring of N generated customers in memory (quintiles and
 * thresholds, default tier rules) and reports the process's peak RSS. Scoring only: loading
 * the facts from the database comes with the CRM storage. One size per process, so the peak
 * RSS (getrusage ru_maxrss) belongs to that size. Prints one JSON line.
 * Usage: rfm N [runs] */
#include "crm/rfm.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define DAY INT64_C(86400)

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* xorshift64*: deterministic facts, the same on every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* About 30% never ordered or not in the window; the rest skewed like shop data (many
 * one-order customers, a long tail of heavy buyers), with plenty of ties. */
static void generate(struct rfm_customer *c, size_t n, int64_t now)
{
	uint64_t s = 0x9e3779b97f4a7c15u;
	for (size_t i = 0; i < n; i++) {
		uint64_t r = rnd(&s);
		c[i].id = (int64_t)i + 1;
		c[i].orders = r % 10 < 3 ? 0 : (int64_t)(1 + (r >> 8) % 4 * ((r >> 16) % 8 == 0 ? 10 : 1));
		c[i].last_order_at = r % 10 == 0 ? 0 : now - (int64_t)((r >> 24) % 700) * DAY - (int64_t)((r >> 40) % DAY);
		c[i].first_order_at = c[i].last_order_at ? c[i].last_order_at - 90 * DAY : 0;
		c[i].spent_cents = c[i].orders * (int64_t)(500 + (r >> 32) % 50000);
	}
}

static double best_of(const struct rfm_customer *c, size_t n, int64_t now, const struct rfm_config *cfg,
		      const struct rfm_rule *rules, size_t nr, struct rfm_result *res, int runs)
{
	double best = 1e18;
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();
		if (rfm_score(c, n, now, cfg, rules, nr, res) < 0) {
			fprintf(stderr, "rfm_score failed\n");
			exit(1);
		}
		double t = now_ms() - t0;
		best = t < best ? t : best;
	}
	return best;
}

int main(int argc, char **argv)
{
	char *end = NULL;
	long long n = argc > 1 ? strtoll(argv[1], &end, 10) : 0;
	int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
	if (n <= 0 || n > 100000000 || (end && *end) || runs < 1) {
		fprintf(stderr, "usage: rfm N [runs]\n");
		return 2;
	}
	int64_t now = INT64_C(1790000000);
	struct rfm_customer *c = malloc((size_t)n * sizeof *c);
	struct rfm_result *res = malloc((size_t)n * sizeof *res);
	if (!c || !res)
		return 1;
	double t0 = now_ms();
	generate(c, (size_t)n, now);
	double gen = now_ms() - t0;
	struct rfm_config cfg;
	struct rfm_rule rules[8];
	rfm_config_default(&cfg);
	size_t nr = rfm_rules_default(rules, 1000000);
	double q = best_of(c, (size_t)n, now, &cfg, rules, nr, res, runs);
	size_t key = 0;
	for (long long i = 0; i < n; i++)
		key += res[i].tier == RFM_TIER_KEY;
	cfg.mode = RFM_THRESHOLDS;
	double th = best_of(c, (size_t)n, now, &cfg, rules, nr, res, runs);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"n\":%lld,\"runs\":%d,\"generate_ms\":%.1f,\"quintiles_ms\":%.1f,\"thresholds_ms\":%.1f,"
	       "\"maxrss_kb\":%ld,\"key_accounts\":%zu,\"customer_bytes\":%zu,\"result_bytes\":%zu}\n",
	       n, runs, gen, q, th, ru.ru_maxrss, key, sizeof *c, sizeof *res);
	free(c);
	free(res);
	return 0;
}
