/* track/parse.c - the pure parts of tracking: UTM parameters and referring hosts from URLs,
 * the page key "top pages" counts, a short browser name from a User-Agent, percentiles and
 * UTC day numbers. No I/O and no state, so tests/unit/test_track.c can pin them down. */
#include "track/track.h"
#include "core/kf.h"
#include "core/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- URLs ---- */

/* The query of url (after '?', up to '#'), as a pointer and length; NULL when none. */
static const char *query_of(const char *url, size_t *len)
{
	size_t pre = strcspn(url, "?#");
	if (url[pre] != '?')
		return NULL;
	const char *q = url + pre + 1;
	*len = strcspn(q, "#");
	return q;
}

/* Decodes one parameter value into out ("" when it is too long, a bad escape or not UTF-8). */
static void param_value(const char *v, size_t n, char *out, size_t outsz)
{
	char tmp[512];
	out[0] = '\0';
	if (n >= sizeof(tmp))
		return;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	long dl = url_decode(tmp, n, 1);
	if (dl < 0 || !utf8_valid(tmp, (size_t)dl) || memchr(tmp, '\0', (size_t)dl))
		return;
	tmp[dl] = '\0';
	utf8_copy(out, outsz, tmp);
}

void track_utm(const char *url, char *source, size_t sourcesz, char *medium, size_t mediumsz, char *campaign,
	       size_t campaignsz)
{
	size_t qlen = 0;
	const char *q = query_of(url, &qlen), *end;
	source[0] = medium[0] = campaign[0] = '\0';
	if (!q)
		return;
	for (end = q + qlen; q < end;) {
		size_t seg = strcspn(q, "&#");
		if (q + seg > end)
			seg = (size_t)(end - q);
		const char *eq = memchr(q, '=', seg);
		size_t kl = eq ? (size_t)(eq - q) : seg, vl = eq ? seg - kl - 1 : 0;
		if (eq && kl == 10 && memcmp(q, "utm_source", 10) == 0)
			param_value(eq + 1, vl, source, sourcesz);
		else if (eq && kl == 10 && memcmp(q, "utm_medium", 10) == 0)
			param_value(eq + 1, vl, medium, mediumsz);
		else if (eq && kl == 12 && memcmp(q, "utm_campaign", 12) == 0)
			param_value(eq + 1, vl, campaign, campaignsz);
		q += seg + (q + seg < end);
	}
}

int track_host(const char *url, char *out, size_t outsz)
{
	const char *h = strncasecmp(url, "http://", 7) == 0 ? url + 7 : strncasecmp(url, "https://", 8) == 0 ? url + 8 : NULL;
	out[0] = '\0';
	if (!h)
		return KF_EINVAL;
	size_t n = strcspn(h, "/?#");
	const char *at = memchr(h, '@', n);   /* user:password@host: only the host counts */
	while (at) {
		n -= (size_t)(at + 1 - h);
		h = at + 1;
		at = memchr(h, '@', n);
	}
	if (n == 0 || n >= outsz || strcspn(h, " \t\r\n\\\"'<>") < n)
		return KF_EINVAL;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]);
	out[n] = '\0';
	return 0;
}

void track_ref_host(const char *referrer, const char *page, char *out, size_t outsz)
{
	char ph[256];
	if (!referrer || !*referrer || track_host(referrer, out, outsz) != 0) {
		out[0] = '\0';
		return;
	}
	if (page && track_host(page, ph, sizeof(ph)) == 0 && strcmp(ph, out) == 0)
		out[0] = '\0';   /* a link inside the site is not a referrer */
}

void track_page_key(const char *url, char *out, size_t outsz)
{
	char tmp[2048];
	size_t base = strcspn(url, "?#"), o = 0, qlen = 0;
	const char *q = query_of(url, &qlen);
	if (base >= sizeof(tmp))
		base = sizeof(tmp) - 1;
	memcpy(tmp, url, base);
	o = base;
	for (const char *end = q ? q + qlen : NULL; q && q < end;) {
		size_t seg = strcspn(q, "&");
		if (q + seg > end)
			seg = (size_t)(end - q);
		if (seg && strncmp(q, "utm_", 4) != 0 && o + seg + 2 < sizeof(tmp)) {
			char sep = o == base ? '?' : '&';
			tmp[o++] = sep;
			memcpy(tmp + o, q, seg);
			o += seg;
		}
		q += seg + (q + seg < end);
	}
	tmp[o] = '\0';
	utf8_copy(out, outsz, tmp);
}

/* ---- User-Agent ---- */

struct ua_rule {
	const char *token, *name;
};

/* Order matters: Edge and Opera say Chrome too, Chrome says Safari, WeChat says everything. */
static const struct ua_rule browsers[] = {
	{ "MicroMessenger/", "WeChat" }, { "Edg/", "Edge" }, { "EdgA/", "Edge" }, { "EdgiOS/", "Edge" },
	{ "OPR/", "Opera" }, { "QQBrowser/", "QQ Browser" }, { "UCBrowser/", "UC Browser" },
	{ "SamsungBrowser/", "Samsung Internet" }, { "Firefox/", "Firefox" }, { "FxiOS/", "Firefox" },
	{ "CriOS/", "Chrome" }, { "Chrome/", "Chrome" }, { "Version/", "Safari" },
};
static const struct ua_rule systems[] = {
	{ "iPhone", "iOS" }, { "iPad", "iOS" }, { "Android", "Android" }, { "Windows", "Windows" },
	{ "CrOS", "ChromeOS" }, { "Mac OS X", "macOS" }, { "Linux", "Linux" },
};

void track_browser(const char *ua, char *out, size_t outsz)
{
	const char *name = "", *os = "";
	char ver[8] = "";
	out[0] = '\0';
	if (!ua)
		return;
	for (size_t i = 0; i < KF_ARRAY_LEN(browsers) && !name[0]; i++) {
		const char *p = strstr(ua, browsers[i].token);
		if (!p || (strcmp(browsers[i].name, "Safari") == 0 && !strstr(ua, "Safari/")))
			continue;
		name = browsers[i].name;
		p += strlen(browsers[i].token);
		size_t n = strspn(p, "0123456789");
		if (n && n < sizeof(ver))
			snprintf(ver, sizeof(ver), "%.*s", (int)n, p);
	}
	for (size_t i = 0; i < KF_ARRAY_LEN(systems) && !os[0]; i++)
		if (strstr(ua, systems[i].token))
			os = systems[i].name;
	snprintf(out, outsz, "%s%s%s%s%s", name, ver[0] ? " " : "", ver, name[0] && os[0] ? " · " : "", os);
}

int track_screen_valid(const char *s)
{
	size_t w = strspn(s, "0123456789");
	if (w < 1 || w > 5 || s[w] != 'x')
		return 0;
	size_t h = strspn(s + w + 1, "0123456789");
	return h >= 1 && h <= 5 && s[w + 1 + h] == '\0';
}

/* ---- numbers ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double track_percentile(double *v, size_t n, int p)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	size_t rank = ((size_t)p * n + 99) / 100;   /* ceil(p/100 * n): the nearest rank */
	return v[rank ? rank - 1 : 0];
}

/* ---- days (Howard Hinnant's civil-date algorithms, proleptic Gregorian) ---- */

int64_t track_day_of(int64_t unix_s)
{
	return unix_s >= 0 ? unix_s / 86400 : -((-unix_s + 86399) / 86400);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int track_day_parse(const char *s, int64_t *day)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t y, m, d;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || parse_i64(s, 4, &y) || parse_i64(s + 5, 2, &m) ||
	    parse_i64(s + 8, 2, &d) || s[0] == '-' || s[5] == '-' || s[8] == '-')
		return KF_EINVAL;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > (int64_t)mdays[m - 1] + (m == 2 && leap(y)))
		return KF_EINVAL;
	*day = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

void track_day_text(int64_t day, char out[11])
{
	int64_t z = day + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	unsigned yy = y < 0 ? 0 : y > 9999 ? 9999 : (unsigned)y;   /* four digits: the format's width */
	snprintf(out, 11, "%04u-%02u-%02u", yy, m % 100, d % 100);
}
