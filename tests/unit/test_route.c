/* tests/unit/test_route.c - chat/route.c's assignment rules on their own (route_pick):
 * round-robin order, least-busy choice, limits, away agents, the returning customer's
 * previous agent, and the next agent after an offer times out. */
#include "testutil.h"
#include "chat/route.h"
#include "core/kf.h"

#define A(id, online, active, max, last) { (id), (online), (active), (max), (last), 0 }

/* Picks like the server does and records the assignment (round-robin clock, load). */
static int64_t assign(struct route_agent *ag, size_t n, enum route_rule rule, int64_t prev, int64_t now)
{
	int i = route_pick(ag, n, rule, prev);
	if (i < 0)
		return 0;
	ag[i].active++;
	ag[i].last_assigned = now;
	return ag[i].user_id;
}

static void test_round_robin_takes_turns(void **state)
{
	(void)state;
	struct route_agent ag[] = { A(11, 1, 0, 9, 0), A(12, 1, 0, 9, 0), A(13, 1, 0, 9, 0) };
	int64_t want[] = { 11, 12, 13, 11, 12, 13, 11 };
	for (size_t k = 0; k < KF_ARRAY_LEN(want); k++)
		assert_int_equal(assign(ag, 3, ROUTE_ROUND_ROBIN, 0, 100 + (int64_t)k), want[k]);
}

static void test_round_robin_ignores_load(void **state)
{
	(void)state;
	/* 12 is busier but waited longest: round-robin is about turns, not load */
	struct route_agent ag[] = { A(11, 1, 0, 9, 50), A(12, 1, 3, 9, 10), A(13, 1, 1, 9, 30) };
	assert_int_equal(assign(ag, 3, ROUTE_ROUND_ROBIN, 0, 100), 12);
	assert_int_equal(assign(ag, 3, ROUTE_ROUND_ROBIN, 0, 101), 13);
	assert_int_equal(assign(ag, 3, ROUTE_ROUND_ROBIN, 0, 102), 11);
}

static void test_least_busy_picks_fewest_chats(void **state)
{
	(void)state;
	struct route_agent ag[] = { A(11, 1, 2, 5, 0), A(12, 1, 0, 5, 0), A(13, 1, 1, 5, 0) };
	assert_int_equal(assign(ag, 3, ROUTE_LEAST_BUSY, 0, 1), 12);   /* 2,1,1 now */
	assert_int_equal(assign(ag, 3, ROUTE_LEAST_BUSY, 0, 2), 13);   /* tie 12/13 at 1: 13 waited longer */
	assert_int_equal(assign(ag, 3, ROUTE_LEAST_BUSY, 0, 3), 12);   /* 2,1,2 */
	assert_int_equal(assign(ag, 3, ROUTE_LEAST_BUSY, 0, 4), 11);   /* 2,2,2: 11 waited longest */
}

static void test_least_busy_tie_goes_to_lowest_id(void **state)
{
	(void)state;
	struct route_agent ag[] = { A(31, 1, 1, 5, 0), A(22, 1, 1, 5, 0), A(40, 1, 1, 5, 0) };
	assert_int_equal(route_pick(ag, 3, ROUTE_LEAST_BUSY, 0), 1);
}

static void test_limits_are_respected(void **state)
{
	(void)state;
	struct route_agent ag[] = { A(11, 1, 2, 2, 0), A(12, 1, 1, 2, 0) };
	assert_int_equal(assign(ag, 2, ROUTE_LEAST_BUSY, 0, 1), 12);
	/* both at their limit now: the chat queues */
	assert_int_equal(route_pick(ag, 2, ROUTE_LEAST_BUSY, 0), -1);
	assert_int_equal(route_pick(ag, 2, ROUTE_ROUND_ROBIN, 0), -1);
	ag[0].active = 1;   /* 11 closes a chat */
	assert_int_equal(assign(ag, 2, ROUTE_LEAST_BUSY, 0, 2), 11);
}

static void test_away_and_offline_agents_are_skipped(void **state)
{
	(void)state;
	struct route_agent ag[] = { A(11, 0, 0, 5, 0), A(12, 1, 4, 5, 0), A(13, 0, 0, 5, 0) };
	assert_int_equal(route_pick(ag, 3, ROUTE_LEAST_BUSY, 0), 1);
	assert_int_equal(route_pick(ag, 3, ROUTE_ROUND_ROBIN, 0), 1);
	ag[1].online = 0;
	assert_int_equal(route_pick(ag, 3, ROUTE_LEAST_BUSY, 0), -1);
	assert_int_equal(route_pick(NULL, 0, ROUTE_LEAST_BUSY, 0), -1);
}

static void test_returning_customer_gets_previous_agent(void **state)
{
	(void)state;
	struct route_agent ag[] = { A(11, 1, 0, 5, 0), A(12, 1, 3, 5, 0), A(13, 1, 1, 5, 0) };
	/* 12 is the busiest but served this customer before and has room */
	assert_int_equal(route_pick(ag, 3, ROUTE_LEAST_BUSY, 12), 1);
	assert_int_equal(route_pick(ag, 3, ROUTE_ROUND_ROBIN, 12), 1);
	ag[1].active = 5;   /* full: the rule decides */
	assert_int_equal(route_pick(ag, 3, ROUTE_LEAST_BUSY, 12), 0);
	ag[1].active = 0;
	ag[1].online = 0;   /* away: the rule decides */
	assert_int_equal(route_pick(ag, 3, ROUTE_LEAST_BUSY, 12), 0);
	/* a previous agent who is not a candidate (another department, gone) changes nothing */
	assert_int_equal(route_pick(ag, 3, ROUTE_LEAST_BUSY, 99), 0);
}

static void test_timeout_offers_the_next_agent(void **state)
{
	(void)state;
	struct route_agent ag[] = { A(11, 1, 0, 5, 0), A(12, 1, 1, 5, 0), A(13, 1, 2, 5, 0) };
	int i = route_pick(ag, 3, ROUTE_LEAST_BUSY, 0);
	assert_int_equal(ag[i].user_id, 11);
	ag[i].excluded = 1;                      /* 11 let the offer time out */
	i = route_pick(ag, 3, ROUTE_LEAST_BUSY, 0);
	assert_int_equal(ag[i].user_id, 12);
	ag[i].excluded = 1;
	i = route_pick(ag, 3, ROUTE_LEAST_BUSY, 11);   /* even the previous agent, once they timed out */
	assert_int_equal(ag[i].user_id, 13);
	ag[i].excluded = 1;
	assert_int_equal(route_pick(ag, 3, ROUTE_LEAST_BUSY, 0), -1);   /* nobody left: it queues */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_robin_takes_turns),
		cmocka_unit_test(test_round_robin_ignores_load),
		cmocka_unit_test(test_least_busy_picks_fewest_chats),
		cmocka_unit_test(test_least_busy_tie_goes_to_lowest_id),
		cmocka_unit_test(test_limits_are_respected),
		cmocka_unit_test(test_away_and_offline_agents_are_skipped),
		cmocka_unit_test(test_returning_customer_gets_previous_agent),
		cmocka_unit_test(test_timeout_offers_the_next_agent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
