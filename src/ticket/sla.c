/* ticket/sla.c - the SLA clock: "start + N business minutes" and "business time between two
 * moments" over a site's business hours (the format of chat/hours.c, whose ICU local-time code
 * this reuses), and the due times a policy gives a ticket.
 * The walk goes a local day at a time: find where in the day we are, spend the open spans left
 * in it, jump to the next local midnight and ask ICU again. Asking again after each jump keeps
 * time-zone offsets and DST right at day boundaries without modelling them here, and jumping to a
 * span's opening checks where it landed; only a DST change inside an open span is counted as wall
 * time (the span is an hour longer or shorter that day). */
#include "ticket/sla.h"
#include "chat/chat_int.h"
#include "core/json.h"
#include "core/kf.h"
#include <stdlib.h>
#include <string.h>

#define DAY_S 86400
#define WALK_DAYS 800          /* more than the longest policy (SLA_MAX_MINUTES) needs */

static void set_always(struct sla_hours *h)
{
	memset(h, 0, sizeof(*h));
	h->always = 1;
}

static int span_cmp(const void *x, const void *y)
{
	return ((const int *)x)[0] - ((const int *)y)[0];
}

/* One day's spans into h; 0 or KF_EINVAL. */
static int parse_day(json_t *day, struct sla_hours *h, int d)
{
	json_t *span;
	size_t k;
	if (!json_is_array(day) || json_array_size(day) > SLA_SPANS)
		return KF_EINVAL;
	json_array_foreach(day, k, span) {
		int a = chat_hours_hhmm(json_string_value(json_array_get(span, 0)));
		int b = chat_hours_hhmm(json_string_value(json_array_get(span, 1)));
		if (a < 0 || b <= a)
			return KF_EINVAL;
		h->span[d][h->n[d]][0] = a;
		h->span[d][h->n[d]][1] = b;
		h->n[d]++;
	}
	qsort(h->span[d], (size_t)h->n[d], sizeof(h->span[d][0]), span_cmp);
	return 0;
}

int sla_hours_parse(const char *text, struct sla_hours *out)
{
	json_t *j = NULL;
	set_always(out);
	if (!text || !text[0])
		return 0;
	if (json_parse_object(text, strlen(text), &j, NULL, 0) != JSON_OK)
		return KF_EINVAL;
	json_t *days = json_object_get(j, "days");
	const char *tz = json_get_str(j, "tz");
	int rc = tz && strlen(tz) < sizeof(out->tz) && json_is_array(days) && json_array_size(days) == 7 ? 0 : KF_EINVAL;
	out->always = 0;
	for (int d = 0; rc == 0 && d < 7; d++)
		rc = parse_day(json_array_get(days, (size_t)d), out, d);
	if (rc == 0)
		snprintf(out->tz, sizeof(out->tz), "%s", tz);
	int open = 0;
	for (int d = 0; rc == 0 && d < 7; d++)
		open += out->n[d];
	json_decref(j);
	if (rc != 0 || open == 0)
		set_always(out);   /* a shop that is never open still owes answers: count wall time */
	return rc;
}

/* The local weekday and second of the day at t; the zone's offset is taken as whole minutes. */
static int local_pos(const struct sla_hours *h, int64_t t, int *wday, int64_t *pos)
{
	int minute;
	if (chat_hours_local(h->tz, t * 1000, wday, &minute) != 0)
		return KF_EINVAL;
	int64_t sec = t % 60;
	*pos = (int64_t)minute * 60 + (sec < 0 ? sec + 60 : sec);
	return 0;
}

/* Moves t forward to second `target` of the same local day. Asking ICU where we landed and
 * correcting once keeps a span's opening right on a day whose clock changes (DST) before it. */
static void jump_to(const struct sla_hours *h, int64_t *t, int64_t *pos, int64_t target)
{
	int wday0, wday1;
	int64_t p1;
	*t += target - *pos;
	if (local_pos(h, *t - (target - *pos), &wday0, &p1) == 0 && local_pos(h, *t, &wday1, &p1) == 0 &&
	    wday0 == wday1 && p1 != target)
		*t += target - p1;
	*pos = target;
}

int64_t sla_add_minutes(const struct sla_hours *h, int64_t start, int64_t minutes)
{
	int64_t left = minutes * 60, t = start, pos;
	int wday;
	if (h->always || left <= 0)
		return start + (left > 0 ? left : 0);
	for (int day = 0; day < WALK_DAYS; day++) {
		if (local_pos(h, t, &wday, &pos) != 0)
			break;
		for (int k = 0; k < h->n[wday]; k++) {
			int64_t a = (int64_t)h->span[wday][k][0] * 60, b = (int64_t)h->span[wday][k][1] * 60;
			if (pos >= b)
				continue;
			if (pos < a)
				jump_to(h, &t, &pos, a);
			if (left <= b - pos)
				return t + left;
			left -= b - pos;
			t += b - pos;
			pos = b;
		}
		t += DAY_S - pos;   /* the next local midnight */
	}
	return t + left;   /* unreachable with sane hours; never stops the clock */
}

int64_t sla_business_seconds(const struct sla_hours *h, int64_t from, int64_t to)
{
	int64_t sum = 0, t = from, pos;
	int wday;
	if (to <= from)
		return 0;
	if (h->always)
		return to - from;
	while (t < to) {
		if (local_pos(h, t, &wday, &pos) != 0)
			return sum + (to - t);
		for (int k = 0; k < h->n[wday] && t < to; k++) {
			int64_t a = (int64_t)h->span[wday][k][0] * 60, b = (int64_t)h->span[wday][k][1] * 60;
			if (pos >= b)
				continue;
			if (pos < a)
				jump_to(h, &t, &pos, a);
			int64_t end = t + (b - pos) < to ? t + (b - pos) : to;
			if (end > t)
				sum += end - t;
			pos += end - t;
			t = end;
		}
		if (t < to)
			t += DAY_S - pos;
	}
	return sum;
}

int sla_policy_default(const char *type, struct store_sla_policy *out)
{
	if (!type || strcmp(type, "complaint") != 0)
		return KF_ENOTFOUND;
	memset(out, 0, sizeof(*out));
	snprintf(out->type, sizeof(out->type), "complaint");
	out->first_minutes = 60;
	out->resolve_minutes = 24 * 60;
	out->business_hours = 0;
	out->escalate_to = 0;
	return 0;
}

void sla_due(const struct sla_hours *h, const struct store_sla_policy *p, int64_t created, int64_t *first_due,
	     int64_t *resolve_due)
{
	struct sla_hours wall;
	if (!p->business_hours) {
		set_always(&wall);
		h = &wall;
	}
	*first_due = p->first_minutes >= 0 ? sla_add_minutes(h, created, p->first_minutes) : 0;
	*resolve_due = p->resolve_minutes >= 0 ? sla_add_minutes(h, created, p->resolve_minutes) : 0;
}
