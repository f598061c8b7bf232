/* chat/hours.c - business hours: is a site open now, in its own time zone?
 * business_hours is {"tz":"Asia/Shanghai","days":[mon..sun: [["09:00","18:00"], …]]};
 * an empty value means always open. Time zones come from ICU's calendar. */
#include "chat/chat_int.h"
#include "chat/route.h"
#include "app/app.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

static int hhmm(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	int m = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
	return m <= 24 * 60 ? m : -1;
}

/* Local weekday (0 = Monday) and minute of the day at now_ms in tz; 0 or KF_EINVAL. */
static int local_time(const char *tz, int64_t now_ms, int *wday, int *minute)
{
	UChar utz[64];
	UErrorCode err = U_ZERO_ERROR;
	u_strFromUTF8(utz, 64, NULL, tz, -1, &err);
	if (U_FAILURE(err))
		return KF_EINVAL;
	UCalendar *cal = ucal_open(utz, -1, "en_US", UCAL_GREGORIAN, &err);
	if (U_FAILURE(err))
		return KF_EINVAL;
	ucal_setMillis(cal, (UDate)now_ms, &err);
	int dow = ucal_get(cal, UCAL_DAY_OF_WEEK, &err);   /* 1 = Sunday */
	int h = ucal_get(cal, UCAL_HOUR_OF_DAY, &err), m = ucal_get(cal, UCAL_MINUTE, &err);
	ucal_close(cal);
	if (U_FAILURE(err))
		return KF_EINVAL;
	*wday = (dow + 5) % 7;
	*minute = h * 60 + m;
	return 0;
}

/* 1 when tz is a zone ICU knows (not the "Etc/Unknown" it falls back to). */
static int known_zone(const char *tz)
{
	UChar utz[64], canon[64];
	UErrorCode err = U_ZERO_ERROR;
	UBool sys = 0;
	u_strFromUTF8(utz, 64, NULL, tz, -1, &err);
	if (U_FAILURE(err))
		return 0;
	ucal_getCanonicalTimeZoneID(utz, -1, canon, 64, &sys, &err);
	return U_SUCCESS(err) && sys;
}

int chat_hours_valid(json_t *h)
{
	json_t *days = json_object_get(h, "days"), *day, *span;
	size_t i, k;
	const char *tz = json_get_str(h, "tz");
	if (!tz || strlen(tz) > 60 || !known_zone(tz) || !json_is_array(days) || json_array_size(days) != 7)
		return 0;
	json_array_foreach(days, i, day) {
		if (!json_is_array(day) || json_array_size(day) > 4)
			return 0;
		json_array_foreach(day, k, span) {
			int a = hhmm(json_string_value(json_array_get(span, 0)));
			int b = hhmm(json_string_value(json_array_get(span, 1)));
			if (!json_is_array(span) || json_array_size(span) != 2 || a < 0 || b <= a)
				return 0;
		}
	}
	return 1;
}

int chat_site_open(const struct store_site *s, int64_t now_ms)
{
	json_t *h = NULL;
	int wday, minute, open = 0;
	if (!s->business_hours[0])
		return 1;
	if (json_parse_object(s->business_hours, strlen(s->business_hours), &h, NULL, 0) != JSON_OK)
		return 1;   /* unreadable hours must not shut the shop */
	if (local_time(json_get_str(h, "tz"), now_ms, &wday, &minute) == 0) {
		json_t *span;
		size_t k;
		json_array_foreach(json_array_get(json_object_get(h, "days"), (size_t)wday), k, span) {
			int a = hhmm(json_string_value(json_array_get(span, 0)));
			int b = hhmm(json_string_value(json_array_get(span, 1)));
			if (a >= 0 && minute >= a && minute < b)
				open = 1;
		}
	} else {
		open = 1;
	}
	json_decref(h);
	return open;
}

int chat_site_available(struct app *a, int64_t site_id)
{
	return route_available(a, site_id, 0);
}

int chat_hours_hhmm(const char *s)
{
	return hhmm(s);
}

int chat_hours_local(const char *tz, int64_t now_ms, int *wday, int *minute)
{
	return local_time(tz, now_ms, wday, minute);
}
