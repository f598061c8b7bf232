/* tests/unit/test_sla.c - ticket/sla.c's SLA clock with hand-computed answers: business minutes
 * across a night, a weekend, a split day (lunch break), time zones (Shanghai, New York in
 * summer) and a DST change (Berlin, October), the span between two moments, unreadable hours,
 * and the default complaint policy. Epoch values were computed with `date -d '... +0800' +%s`. */
#include "testutil.h"
#include "ticket/sla.h"
#include "core/kf.h"

/* Mon..Fri 09:00-18:00, weekend closed, Shanghai */
#define WEEKDAYS_SH                                                                                   \
	"{\"tz\":\"Asia/Shanghai\",\"days\":[[[\"09:00\",\"18:00\"]],[[\"09:00\",\"18:00\"]],"         \
	"[[\"09:00\",\"18:00\"]],[[\"09:00\",\"18:00\"]],[[\"09:00\",\"18:00\"]],[],[]]}"
/* the same with a lunch break, spans given out of order */
#define SPLIT_SH                                                                                      \
	"{\"tz\":\"Asia/Shanghai\",\"days\":[[[\"13:30\",\"18:00\"],[\"09:00\",\"12:00\"]],"             \
	"[[\"13:30\",\"18:00\"],[\"09:00\",\"12:00\"]],[[\"13:30\",\"18:00\"],[\"09:00\",\"12:00\"]],"   \
	"[[\"13:30\",\"18:00\"],[\"09:00\",\"12:00\"]],[[\"13:30\",\"18:00\"],[\"09:00\",\"12:00\"]],[],[]]}"
#define WEEKDAYS_NY                                                                                   \
	"{\"tz\":\"America/New_York\",\"days\":[[[\"09:00\",\"17:00\"]],[[\"09:00\",\"17:00\"]],"        \
	"[[\"09:00\",\"17:00\"]],[[\"09:00\",\"17:00\"]],[[\"09:00\",\"17:00\"]],[],[]]}"
#define DAILY_BERLIN                                                                                  \
	"{\"tz\":\"Europe/Berlin\",\"days\":[[[\"09:00\",\"17:00\"]],[[\"09:00\",\"17:00\"]],"           \
	"[[\"09:00\",\"17:00\"]],[[\"09:00\",\"17:00\"]],[[\"09:00\",\"17:00\"]],[[\"09:00\",\"17:00\"]]," \
	"[[\"09:00\",\"17:00\"]]]}"

#define FRI_0800_SH 1795132800   /* 2026-11-20 08:00 +0800 (a Friday) */
#define FRI_0945_SH 1795139100
#define FRI_1200_SH 1795147200
#define FRI_1230_SH 1795149000
#define FRI_1730_SH 1795167000
#define FRI_2000_SH 1795176000
#define SAT_1000_SH 1795226400   /* 2026-11-21 */
#define MON_0930_SH 1795397400   /* 2026-11-23 */

static struct sla_hours parse(const char *json)
{
	struct sla_hours h;
	assert_int_equal(sla_hours_parse(json, &h), 0);
	return h;
}

static void test_friday_evening_rolls_to_monday(void **state)
{
	(void)state;
	struct sla_hours h = parse(WEEKDAYS_SH);
	/* 30 minutes left on Friday, the weekend closed, 30 more on Monday from 09:00 */
	assert_int_equal(sla_add_minutes(&h, FRI_1730_SH, 60), MON_0930_SH);
	/* started after hours or on Saturday: the clock starts Monday 09:00 */
	assert_int_equal(sla_add_minutes(&h, FRI_2000_SH, 30), MON_0930_SH);
	assert_int_equal(sla_add_minutes(&h, SAT_1000_SH, 30), MON_0930_SH);
	/* before opening: 08:00 + 45 min = 09:45 */
	assert_int_equal(sla_add_minutes(&h, FRI_0800_SH, 45), FRI_0945_SH);
	/* within a day: no hours skipped */
	assert_int_equal(sla_add_minutes(&h, FRI_1200_SH, 30), FRI_1230_SH);
	/* a whole working day (540 min) from Friday 17:30: 30 min Fri + 8.5 h Mon = Monday 17:30 */
	assert_int_equal(sla_add_minutes(&h, FRI_1730_SH, 540), MON_0930_SH + 8 * 3600);
	/* 30 + 540 (all Monday) + 1 spills into Tuesday 09:01 */
	assert_int_equal(sla_add_minutes(&h, FRI_1730_SH, 571), MON_0930_SH + 86400 - 1800 + 60);
}

static void test_split_day_skips_lunch(void **state)
{
	(void)state;
	struct sla_hours h = parse(SPLIT_SH);
	/* 11:30 + 60: 30 min before lunch, then 13:30-14:00 */
	assert_int_equal(sla_add_minutes(&h, FRI_1200_SH - 1800, 60), FRI_1200_SH + 7200);
	/* starting in the break waits for 13:30 */
	assert_int_equal(sla_add_minutes(&h, FRI_1230_SH, 30), FRI_1200_SH + 7200);
	/* seconds are kept: 11:59:30 + 1 min = 13:30:30 */
	assert_int_equal(sla_add_minutes(&h, FRI_1200_SH - 30, 1), FRI_1200_SH + 5400 + 30);
}

static void test_business_seconds_between(void **state)
{
	(void)state;
	struct sla_hours h = parse(WEEKDAYS_SH), s = parse(SPLIT_SH);
	assert_int_equal(sla_business_seconds(&h, FRI_1730_SH, MON_0930_SH), 3600);
	/* Friday 08:00 to 20:00 with lunch: 3 h + 4.5 h */
	assert_int_equal(sla_business_seconds(&s, FRI_0800_SH, FRI_2000_SH), 27000);
	/* a closed stretch counts nothing; the wrong order counts nothing */
	assert_int_equal(sla_business_seconds(&h, FRI_2000_SH, SAT_1000_SH), 0);
	assert_int_equal(sla_business_seconds(&h, MON_0930_SH, FRI_1730_SH), 0);
	/* the two functions agree */
	int64_t due = sla_add_minutes(&s, FRI_1730_SH, 200);
	assert_int_equal(sla_business_seconds(&s, FRI_1730_SH, due), 200 * 60);
}

static void test_time_zones(void **state)
{
	(void)state;
	struct sla_hours ny = parse(WEEKDAYS_NY), be = parse(DAILY_BERLIN);
	/* New York, summer (UTC-4): Friday 2026-07-03 16:00 + 4 h = Monday 07-06 12:00 */
	assert_int_equal(sla_add_minutes(&ny, 1783108800, 240), 1783346400 + 7200);
	/* Berlin: Saturday 2026-10-24 16:00 CEST + 2 h; the clocks go back that night, so the
	 * second hour ends Sunday 10:00 CET (UTC+1), not 09:00 */
	assert_int_equal(sla_add_minutes(&be, 1792850400, 120), 1792918800);
}

static void test_always_and_unreadable(void **state)
{
	(void)state;
	struct sla_hours h;
	assert_int_equal(sla_hours_parse("", &h), 0);
	assert_int_equal(sla_add_minutes(&h, FRI_2000_SH, 60), FRI_2000_SH + 3600);
	assert_int_equal(sla_add_minutes(&h, FRI_2000_SH, 0), FRI_2000_SH);
	assert_int_equal(sla_hours_parse("{\"tz\":\"Asia/Shanghai\",\"days\":[]}", &h), KF_EINVAL);
	assert_int_equal(h.always, 1);
	assert_int_equal(sla_hours_parse("{\"tz\":\"Asia/Shanghai\",\"days\":[[[\"18:00\",\"09:00\"]],[],[],[],[],[],[]]}", &h),
			 KF_EINVAL);
	assert_int_equal(h.always, 1);
	/* a week without an open minute must not stop the clock for ever */
	assert_int_equal(sla_hours_parse("{\"tz\":\"Asia/Shanghai\",\"days\":[[],[],[],[],[],[],[]]}", &h), 0);
	assert_int_equal(sla_add_minutes(&h, FRI_2000_SH, 60), FRI_2000_SH + 3600);
}

static void test_policy_due(void **state)
{
	(void)state;
	struct store_sla_policy p;
	struct sla_hours h = parse(WEEKDAYS_SH);
	int64_t f, r;
	assert_int_equal(sla_policy_default("question", &p), KF_ENOTFOUND);
	assert_int_equal(sla_policy_default("complaint", &p), 0);
	assert_int_equal(p.first_minutes, 60);
	assert_int_equal(p.resolve_minutes, 1440);
	assert_int_equal(p.escalate_to, 0);
	/* the default counts wall time: Friday 17:30 + 1 h = 18:30, + 24 h = Saturday 17:30 */
	sla_due(&h, &p, FRI_1730_SH, &f, &r);
	assert_int_equal(f, FRI_1730_SH + 3600);
	assert_int_equal(r, FRI_1730_SH + 86400);
	p.business_hours = 1;
	p.resolve_minutes = -1;
	sla_due(&h, &p, FRI_1730_SH, &f, &r);
	assert_int_equal(f, MON_0930_SH);
	assert_int_equal(r, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_friday_evening_rolls_to_monday),
		cmocka_unit_test(test_split_day_skips_lunch),
		cmocka_unit_test(test_business_seconds_between),
		cmocka_unit_test(test_time_zones),
		cmocka_unit_test(test_always_and_unreadable),
		cmocka_unit_test(test_policy_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
