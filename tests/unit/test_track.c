/* tests/unit/test_track.c - the pure parts of tracking (track/parse.c): UTM parameters,
 * referring hosts, the page key of "top pages", browser names, screen sizes, percentiles and
 * UTC day numbers; the [track] settings; the bounds of the presence table (presence.c); and
 * the daily rollups, compaction, pruning and visitor state of store_track.c on a real database,
 * with the write queue's view of what it has not written yet (queue.c). */
#include "testutil.h"
#include "app/app.h"
#include "app/config.h"
#include "core/kf.h"
#include "store/store.h"
#include "store/store_track.h"
#include "track/track.h"
#include <uv.h>

/* ---- UTM ---- */

static void utm(const char *url, const char *src, const char *med, const char *camp)
{
	char s[64] = "x", m[64] = "x", c[64] = "x";
	track_utm(url, s, sizeof(s), m, sizeof(m), c, sizeof(c));
	if (strcmp(s, src) || strcmp(m, med) || strcmp(c, camp))
		fail_msg("%s: got [%s] [%s] [%s], want [%s] [%s] [%s]", url, s, m, c, src, med, camp);
}

static void test_utm_parameters(void **state)
{
	(void)state;
	utm("https://shop.cn/p?utm_source=baidu&utm_medium=cpc&utm_campaign=spring", "baidu", "cpc", "spring");
	utm("https://shop.cn/p?id=3&utm_campaign=%E6%98%A5%E5%AD%A3+sale#utm_source=no", "", "", "春季 sale");
	utm("https://shop.cn/p", "", "", "");
	utm("https://shop.cn/p#?utm_source=frag", "", "", "");              /* in the fragment: not a parameter */
	utm("https://shop.cn/p?utm_sourcex=a&xutm_source=b&utm_source", "", "", "");   /* near misses */
	utm("https://shop.cn/p?utm_source=%ZZ&utm_medium=%C3%28", "", "", "");   /* bad escape, bad UTF-8 */
	utm("https://shop.cn/p?utm_source=a&utm_source=b", "b", "", "");    /* the last one wins */
}

static void test_utm_long_value_is_dropped_not_cut(void **state)
{
	(void)state;
	char url[1200] = "https://shop.cn/?utm_campaign=";
	memset(url + strlen(url), 'a', 700);
	char s[8], m[8], c[32] = "x";
	track_utm(url, s, sizeof(s), m, sizeof(m), c, sizeof(c));
	assert_string_equal(c, "");
	track_utm("https://shop.cn/?utm_campaign=%E4%B8%AD%E6%96%87%E6%B4%BB%E5%8A%A8", s, sizeof(s), m, sizeof(m), c, 8);
	assert_string_equal(c, "中文");   /* cut at a character boundary, never inside one */
}

/* ---- hosts and referrers ---- */

static void test_host_of_urls(void **state)
{
	(void)state;
	char h[64];
	assert_int_equal(track_host("https://WWW.Baidu.com/s?wd=1", h, sizeof(h)), 0);
	assert_string_equal(h, "www.baidu.com");
	assert_int_equal(track_host("http://shop.test:8080", h, sizeof(h)), 0);
	assert_string_equal(h, "shop.test:8080");
	assert_int_equal(track_host("https://user:pw@evil.example@shop.cn/x", h, sizeof(h)), 0);
	assert_string_equal(h, "shop.cn");
	assert_int_equal(track_host("ftp://shop.cn/", h, sizeof(h)), KF_EINVAL);
	assert_int_equal(track_host("javascript:alert(1)", h, sizeof(h)), KF_EINVAL);
	assert_int_equal(track_host("https:///path", h, sizeof(h)), KF_EINVAL);
	assert_int_equal(track_host("https://a b/", h, sizeof(h)), KF_EINVAL);
	assert_int_equal(track_host("https://averyveryverylonghostname.example.com/", h, 8), KF_EINVAL);
}

static void test_referrer_host_is_external_only(void **state)
{
	(void)state;
	char h[64];
	track_ref_host("https://www.google.com/", "https://shop.cn/a", h, sizeof(h));
	assert_string_equal(h, "www.google.com");
	track_ref_host("https://SHOP.cn/b?x", "https://shop.cn/a", h, sizeof(h));
	assert_string_equal(h, "");   /* a link inside the site */
	track_ref_host("", "https://shop.cn/a", h, sizeof(h));
	assert_string_equal(h, "");
	track_ref_host("android-app://com.tencent.mm/", "https://shop.cn/a", h, sizeof(h));
	assert_string_equal(h, "");
}

static void test_page_key_drops_utm_and_fragment(void **state)
{
	(void)state;
	char k[256];
	track_page_key("https://shop.cn/p?id=3&utm_source=bd&sort=new#reviews", k, sizeof(k));
	assert_string_equal(k, "https://shop.cn/p?id=3&sort=new");
	track_page_key("https://shop.cn/p?utm_source=bd&utm_campaign=x", k, sizeof(k));
	assert_string_equal(k, "https://shop.cn/p");
	track_page_key("https://shop.cn/p#top", k, sizeof(k));
	assert_string_equal(k, "https://shop.cn/p");
	track_page_key("https://shop.cn/%E8%80%B3%E6%9C%BA", k, sizeof(k));
	assert_string_equal(k, "https://shop.cn/%E8%80%B3%E6%9C%BA");
	track_page_key("https://shop.cn/耳机", k, 20);   /* cut on a character boundary */
	assert_string_equal(k, "https://shop.cn/耳");
}

/* ---- User-Agent and screen ---- */

static void browser(const char *ua, const char *want)
{
	char b[64];
	track_browser(ua, b, sizeof(b));
	if (strcmp(b, want))
		fail_msg("%s: got [%s], want [%s]", ua, b, want);
}

static void test_browser_names(void **state)
{
	(void)state;
	browser("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
		"Chrome/120.0.0.0 Safari/537.36", "Chrome 120 · Windows");
	browser("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
		"Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "Edge 120 · Windows");
	browser("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
		"Version/17.1 Mobile/15E148 Safari/604.1", "Safari 17 · iOS");
	browser("Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
		"Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20230405 MicroMessenger/8.0.35.2360",
		"WeChat 8 · Android");
	browser("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox 121 · macOS");
	browser("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 "
		"Safari/537.36", "Chrome 120 · Linux");
	browser("curl/8.4.0", "");
	browser("", "");
	browser(NULL, "");
}

static void test_screen_sizes(void **state)
{
	(void)state;
	assert_true(track_screen_valid("1280x800"));
	assert_true(track_screen_valid("1x1"));
	assert_true(track_screen_valid("99999x99999"));
	assert_false(track_screen_valid(""));
	assert_false(track_screen_valid("1280"));
	assert_false(track_screen_valid("1280x"));
	assert_false(track_screen_valid("x800"));
	assert_false(track_screen_valid("100000x1"));
	assert_false(track_screen_valid("1280X800"));
	assert_false(track_screen_valid("1280x800 "));
	assert_false(track_screen_valid("-1x2"));
}

/* ---- percentiles ---- */

static void test_percentile_nearest_rank(void **state)
{
	(void)state;
	double one[] = { 7 };
	assert_true(track_percentile(one, 1, 50) == 7 && track_percentile(one, 1, 90) == 7);
	double four[] = { 40, 10, 30, 20 };
	assert_true(track_percentile(four, 4, 50) == 20);   /* the lower middle: rank ceil(2) */
	assert_true(track_percentile(four, 4, 90) == 40);
	double ten[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	assert_true(track_percentile(ten, 10, 50) == 5);
	assert_true(track_percentile(ten, 10, 90) == 9);
	assert_true(track_percentile(ten, 10, 100) == 10);
	double five[] = { 5, 1, 4, 2, 3 };
	assert_true(track_percentile(five, 5, 50) == 3);
	assert_true(track_percentile(five, 5, 90) == 5);
	assert_true(track_percentile(NULL, 0, 50) == 0);
}

/* ---- days ---- */

static void test_days(void **state)
{
	(void)state;
	int64_t d;
	char t[11];
	assert_int_equal(track_day_of(0), 0);
	assert_int_equal(track_day_of(86399), 0);
	assert_int_equal(track_day_of(86400), 1);
	assert_int_equal(track_day_of(-1), -1);
	assert_int_equal(track_day_parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(track_day_parse("2024-02-29", &d), 0);   /* a leap day */
	assert_int_equal(d, 19782);
	track_day_text(d, t);
	assert_string_equal(t, "2024-02-29");
	assert_int_equal(track_day_parse("2000-03-01", &d), 0);
	assert_int_equal(d, 11017);
	for (int64_t day = 0; day < 40000; day += 17) {   /* text and back, across leap years */
		track_day_text(day, t);
		assert_int_equal(track_day_parse(t, &d), 0);
		assert_int_equal(d, day);
	}
	const char *bad[] = { "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-1-01",
			      "24-01-01", "2024/01/01", "2024-01-01x", "", "-024-01-01", "1969-12-31", "2024-01--1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (track_day_parse(bad[i], &d) != KF_EINVAL)
			fail_msg("%s was accepted", bad[i]);
	assert_int_equal(track_day_parse(NULL, &d), KF_EINVAL);
}

/* ---- [track] in kefu.conf and KEFU_GEOIP ---- */

static void test_track_settings(void **state)
{
	(void)state;
	char d[512], path[600];
	struct config c;
	tu_mkdtemp(d, sizeof(d));
	snprintf(path, sizeof(path), "%s/kefu.conf", d);
	config_defaults(&c);
	assert_string_equal(c.geoip, "");
	assert_int_equal(c.pageview_days, 90);
	assert_int_equal(c.track_per_min, 1200);
	assert_int_equal(c.track_new_per_min, 30);
	assert_int_equal(c.presence_max, TRACK_PRESENCE_MAX);
	tu_write_file(path, "[track]\ngeoip = /var/lib/GeoIP/GeoLite2-City.mmdb\npageview_days = 30\nreports_per_min = 50\n"
			    "new_visitors_per_min = 5\npresence_max = 1000\n");
	assert_int_equal(config_load_file(&c, path), 0);
	assert_string_equal(c.geoip, "/var/lib/GeoIP/GeoLite2-City.mmdb");
	assert_int_equal(c.pageview_days, 30);
	assert_int_equal(c.track_per_min, 50);
	assert_int_equal(c.track_new_per_min, 5);
	assert_int_equal(c.presence_max, 1000);
	setenv("KEFU_GEOIP", "/srv/city.mmdb", 1);
	config_load_env(&c);
	unsetenv("KEFU_GEOIP");
	assert_string_equal(c.geoip, "/srv/city.mmdb");
	const char *bad[] = { "[track]\npageview_days = 0\n", "[track]\npageview_days = 3651\n",
			      "[track]\npageview_days = ninety\n", "[track]\nreports_per_min = 0\n",
			      "[track]\nnew_visitors_per_min = 0\n", "[track]\npresence_max = 0\n",
			      "[track]\npresence_max = -5\n" };
	tu_quiet(1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tu_write_file(path, bad[i]);
		if (config_load_file(&c, path) != KF_EINVAL)
			fail_msg("accepted: %s", bad[i]);
	}
	tu_quiet(0);
	tu_rmtree(d);
}

/* ---- the presence table's bounds ---- */

static void test_presence_is_bounded(void **state)
{
	(void)state;
	char big[2100];
	size_t n, bytes;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	/* Texts are cut to what the live list shows, on a character boundary. */
	struct track_presence *p = track_presence_add(1);
	assert_string_equal(p->url, "");
	track_presence_text(p, big, "x蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机"
				    "蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机蓝牙耳机", big);
	assert_int_equal(strlen(p->url), TRACK_LIVE_URL - 1);
	assert_int_equal(strlen(p->referrer), TRACK_LIVE_REFERRER - 1);
	assert_int_equal(strlen(p->title), 1 + (TRACK_LIVE_TITLE - 2) / 3 * 3);   /* whole characters only */
	track_presence_text(p, "https://s/b", "B", NULL);   /* the referrer stays (a visit's first page's) */
	assert_string_equal(p->url, "https://s/b");
	assert_string_equal(p->title, "B");
	assert_int_equal(strlen(p->referrer), TRACK_LIVE_REFERRER - 1);

	/* A full table makes room by dropping the entry whose latest report is the oldest. */
	track_presence_limit(3);
	track_presence_add(2);
	track_presence_add(3);
	track_presence_touch(track_presence_get(1));   /* 1 reported again: 2 is the stalest */
	assert_non_null(track_presence_add(4));
	assert_null(track_presence_get(2));
	assert_non_null(track_presence_get(1));
	assert_non_null(track_presence_get(3));
	assert_non_null(track_presence_get(4));
	track_presence_usage(&n, &bytes);
	assert_int_equal(n, 3);
	track_presence_limit(2);   /* lowering the cap drops the stalest at once: 3 */
	assert_null(track_presence_get(3));
	track_presence_usage(&n, &bytes);
	assert_int_equal(n, 2);

	/* The worst case: every entry with the longest texts stays near 1.6 KB, so the default cap
	 * holds ~32 MB at most. */
	track_presence_limit(1000);
	for (int64_t id = 100; id < 1100; id++)
		track_presence_text(track_presence_add(id), big, big, big);
	track_presence_usage(&n, &bytes);
	assert_int_equal(n, 1000);
	if (bytes > 1000 * 1650 + 1024 * sizeof(void *) || sizeof(struct track_presence) > 320)
		fail_msg("%zu bytes for 1000 entries (an entry is %zu + its texts)", bytes, sizeof(struct track_presence));

	/* The sweep drops entries a visit old; 0 frees everything. */
	track_presence_get(100)->last = 10 * TRACK_VISIT_MS;
	track_presence_sweep(10 * TRACK_VISIT_MS + 1000);
	track_presence_usage(&n, &bytes);
	assert_int_equal(n, 1);
	assert_non_null(track_presence_get(100));
	track_presence_sweep(0);
	track_presence_usage(&n, &bytes);
	assert_int_equal(n, 0);
	assert_int_equal(bytes, 0);
	assert_null(track_presence_get(100));
	track_presence_limit(TRACK_PRESENCE_MAX);
}

/* ---- the rollups, on a real database ---- */

static char dir[512];
static struct store *st;

static int db_setup(void **state)
{
	(void)state;
	char path[600];
	log_set_level_name("error");
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/kefu.db", dir);
	if (store_open(path, &st) || store_migrate(st, NULL))
		return -1;
	return 0;
}

static int db_teardown(void **state)
{
	(void)state;
	store_close(st);
	tu_rmtree(dir);
	return 0;
}

static int64_t new_visitor(int64_t site_id, const char *tok)
{
	struct store_visitor v;
	memset(&v, 0, sizeof(v));
	v.site_id = site_id;
	assert_int_equal(store_visitor_create(st, tok, &v), 0);
	return v.id;
}

static void view(struct store_track_event *e, int64_t site, int64_t vis, int64_t at, const char *page, int dv, int nv)
{
	memset(e, 0, sizeof(*e));
	e->type = STORE_TRACK_VIEW;
	e->site_id = site;
	e->visitor_id = vis;
	e->at = at;
	e->day_visitor = dv;
	e->new_visitor = nv;
	e->new_visit = dv;
	e->first_at = at;
	e->visits = 1;
	snprintf(e->url, sizeof(e->url), "%s", page);
	snprintf(e->page, sizeof(e->page), "%s", page);
}

struct topl {
	char keys[8][64];
	int64_t n[8];
	int count;
};

static int top_cb(void *ud, const char *key, const char *label, int64_t n)
{
	struct topl *t = ud;
	(void)label;
	snprintf(t->keys[t->count], sizeof(t->keys[0]), "%s", key);
	t->n[t->count++] = n;
	return 0;
}

static int day_cb(void *ud, const struct store_track_day *d)
{
	*(struct store_track_day *)ud = *d;
	return 0;
}

static void test_rollups_and_compaction(void **state)
{
	(void)state;
	struct store_site s;
	memset(&s, 0, sizeof(s));
	snprintf(s.key, sizeof(s.key), "s_unit");
	snprintf(s.name, sizeof(s.name), "Unit");
	assert_int_equal(store_site_create(st, &s), 0);
	int64_t v1 = new_visitor(s.id, "h1"), v2 = new_visitor(s.id, "h2");
	int64_t day = 20000, at = day * 86400000LL + 1000;
	static struct store_track_event ev[8];
	view(&ev[0], s.id, v1, at, "https://s/a", 1, 1);
	view(&ev[1], s.id, v1, at + 1, "https://s/b", 0, 1);
	view(&ev[2], s.id, v2, at + 2, "https://s/a", 1, 0);
	view(&ev[3], s.id, v2, at + 3, "https://s/c", 0, 0);
	view(&ev[4], s.id, v2, at + 4, "https://s/a", 0, 0);
	memset(&ev[5], 0, sizeof(ev[5]));
	ev[5].type = STORE_TRACK_TIME;
	ev[5].site_id = s.id;
	ev[5].visitor_id = v2;
	ev[5].at = at + 5;
	ev[5].seconds = 42;
	/* A cap of 2 keys a day: the third distinct page counts as other. */
	assert_int_equal(store_track_write(st, ev, 6, 2), 0);

	struct store_track_day d;
	memset(&d, 0, sizeof(d));
	assert_int_equal(store_track_days(st, s.id, day, day, day_cb, &d), 0);
	assert_int_equal(d.visitors, 2);
	assert_int_equal(d.new_visitors, 1);
	assert_int_equal(d.pageviews, 5);
	assert_int_equal(d.seconds, 42);

	struct topl t;
	memset(&t, 0, sizeof(t));
	assert_int_equal(store_track_top(st, s.id, day, day, "page", 10, top_cb, &t), 0);
	assert_int_equal(t.count, 2);
	assert_string_equal(t.keys[0], "https://s/a");
	assert_int_equal(t.n[0], 3);
	assert_string_equal(t.keys[1], "https://s/b");

	/* Compaction keeps the best key and folds the rest into other. */
	assert_int_equal(store_track_compact(st, day, day, 1), 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(store_track_top(st, s.id, day, day, "page", 10, top_cb, &t), 0);
	assert_int_equal(t.count, 1);
	assert_string_equal(t.keys[0], "https://s/a");
	assert_int_equal(t.n[0], 3);

	/* Pruning deletes raw page views before the cut; the rollups stay. */
	int64_t deleted = -1;
	assert_int_equal(store_track_prune(st, at + 2, &deleted), 0);
	assert_int_equal(deleted, 2);
	assert_int_equal(store_track_prune(st, at + 2, &deleted), 0);
	assert_int_equal(deleted, 0);
	memset(&d, 0, sizeof(d));
	assert_int_equal(store_track_days(st, s.id, day, day, day_cb, &d), 0);
	assert_int_equal(d.pageviews, 5);
}

static struct store_track_event *ping(struct store_track_event *e, int64_t site, int64_t vis, int64_t at, int64_t secs)
{
	memset(e, 0, sizeof(*e));
	e->type = STORE_TRACK_TIME;
	e->site_id = site;
	e->visitor_id = vis;
	e->at = at;
	e->seconds = secs;
	return e;
}

static int64_t unit_site(void)
{
	struct store_site s;
	memset(&s, 0, sizeof(s));
	snprintf(s.key, sizeof(s.key), "s_unit");
	snprintf(s.name, sizeof(s.name), "Unit");
	assert_int_equal(store_site_create(st, &s), 0);
	return s.id;
}

/* A page view at 23:50 and heartbeats past midnight: the latest report is the new day's, the
 * latest page view is still the old day's (what says the new day has not counted them). */
static void test_visitor_keeps_its_last_page_view(void **state)
{
	(void)state;
	int64_t site = unit_site(), v = new_visitor(site, "h1");
	int64_t day = 20000, at = day * 86400000LL + (23 * 60 + 50) * 60000LL, ping_at = (day + 1) * 86400000LL + 300000;
	static struct store_track_event ev[3];
	view(&ev[0], site, v, at, "https://s/a", 1, 1);
	ping(&ev[1], site, v, at + 15000, 15);
	ping(&ev[2], site, v, ping_at, 15);
	assert_int_equal(store_track_write(st, ev, 3, 10), 0);
	struct store_track_visitor tv;
	assert_int_equal(store_track_visitor_get(st, v, &tv), 0);
	assert_int_equal(tv.last_at, ping_at);
	assert_int_equal(tv.last_view_at, at);
	assert_int_equal(tv.last_view_at / 86400000LL, day);
	assert_int_equal(tv.views, 1);
}

/* What the queue holds is folded into a database read exactly as writing it would. */
static void test_queue_folds_unwritten_events(void **state)
{
	(void)state;
	static struct app a;
	a.st = st;
	a.loop = uv_default_loop();
	int64_t site = unit_site(), v1 = new_visitor(site, "h1"), v2 = new_visitor(site, "h2");
	int64_t at = 20000 * 86400000LL + 5000;
	struct store_track_visitor tv, db;

	view(track_queue_next(&a), site, v1, at, "https://s/a", 1, 1);
	ping(track_queue_next(&a), site, v1, at + 15000, 15);
	ping(track_queue_next(&a), site, v2, at + 16000, 15);   /* no page view: makes no row */
	memset(&tv, 0, sizeof(tv));
	assert_int_equal(store_track_visitor_get(st, v1, &tv), KF_ENOTFOUND);
	assert_int_equal(track_queue_visitor(v1, &tv, 0), 1);
	assert_int_equal(tv.first_at, at);
	assert_int_equal(tv.last_view_at, at);
	assert_int_equal(tv.last_at, at + 15000);
	assert_int_equal(tv.visits, 1);
	memset(&tv, 0, sizeof(tv));
	assert_int_equal(track_queue_visitor(v2, &tv, 0), 0);

	track_queue_flush();
	struct store_track_event *e = track_queue_next(&a);
	view(e, site, v1, at + 40 * 60000, "https://s/b", 0, 0);
	e->visits = 2;
	ping(track_queue_next(&a), site, v1, at + 41 * 60000, 15);
	assert_int_equal(store_track_visitor_get(st, v1, &tv), 0);
	assert_int_equal(track_queue_visitor(v1, &tv, 1), 1);
	track_queue_flush();
	assert_int_equal(store_track_visitor_get(st, v1, &db), 0);
	assert_int_equal(tv.first_at, db.first_at);
	assert_int_equal(tv.last_at, db.last_at);
	assert_int_equal(tv.last_view_at, db.last_view_at);
	assert_int_equal(tv.visits, db.visits);
	assert_int_equal(tv.views, db.views);
	assert_int_equal(db.last_view_at, at + 40 * 60000);
	assert_int_equal(db.last_at, at + 41 * 60000);
	assert_int_equal(db.visits, 2);
	assert_int_equal(db.views, 2);
	assert_int_equal(store_track_visitor_get(st, v2, &db), KF_ENOTFOUND);
	track_queue_shutdown();
	uv_run(a.loop, UV_RUN_NOWAIT);   /* closes the queue's timer */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utm_parameters),
		cmocka_unit_test(test_utm_long_value_is_dropped_not_cut),
		cmocka_unit_test(test_host_of_urls),
		cmocka_unit_test(test_referrer_host_is_external_only),
		cmocka_unit_test(test_page_key_drops_utm_and_fragment),
		cmocka_unit_test(test_browser_names),
		cmocka_unit_test(test_screen_sizes),
		cmocka_unit_test(test_percentile_nearest_rank),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_track_settings),
		cmocka_unit_test(test_presence_is_bounded),
		cmocka_unit_test_setup_teardown(test_rollups_and_compaction, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_visitor_keeps_its_last_page_view, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_queue_folds_unwritten_events, db_setup, db_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
