/* kb/help.c - the public help centre: server-rendered pages at /help/<site key>/… (home with
 * categories and hot questions, category, article, search, sitemap.xml, a page that opens the
 * chat), the "was this helpful?" vote, and the one public JSON route the widget's suggestions
 * read (GET /api/v1/kb/articles/:id/public).
 *
 * Everything is plain HTML built in C so it loads fast on a phone and search engines can read
 * it: every stored string goes through buf_add_html; the answer is the cached answer_html that
 * kb_render_markdown made safe. Members-only articles are shown only to a visitor the shop
 * signed (?cid=&sig=, kept in an HttpOnly cookie for the site); internal articles and drafts
 * never are. */
#include "kb/kb.h"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat_int.h"   /* chat_origin_allowed: the widget's cross-origin rule, shared */
#include "core/kf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "http/http.h"
#include "store/store.h"
#include "store/store_kb.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HELP_MAX_CATS 256       /* categories shown per language */
#define HELP_MAX_LIST 500       /* articles listed on one page */
#define HELP_HOT 10
#define HELP_HOT_DAYS 30
#define HELP_MAX_Q 200          /* bytes of a search query */
#define HELP_MAX_HITS 20
#define HELP_COOKIE_S (30 * 86400)

/* ---- the chrome in three languages ---- */
struct hstr {
	const char *lang, *help, *home, *search, *search_ph, *hot, *cats, *count, *none, *results, *no_results;
	const char *helpful, *yes, *no, *thanks, *sorry, *chat, *related, *tags, *other_langs, *nf_title, *nf_msg;
	const char *chat_title, *chat_msg, *lang_name;
};

static const struct hstr STR[] = {
	{ "zh-CN", "帮助中心", "首页", "搜索", "搜索问题，例如：退货", "热门问题", "问题分类", "%d 篇", "这里还没有文章。",
	  "“%s”的搜索结果", "没有找到相关文章，换个说法试试，或者联系客服。", "这篇文章对您有帮助吗？", "是", "否",
	  "感谢您的反馈！", "很抱歉没能帮到您。", "联系客服", "相关问题", "标签", "其他语言", "页面不存在",
	  "您要找的页面不存在或已下线。", "在线客服", "正在打开在线客服窗口…如果没有出现，请点右下角的按钮。", "简体中文" },
	{ "zh-TW", "幫助中心", "首頁", "搜尋", "搜尋問題，例如：退貨", "熱門問題", "問題分類", "%d 篇", "這裡還沒有文章。",
	  "「%s」的搜尋結果", "沒有找到相關文章，換個說法試試，或者聯絡客服。", "這篇文章對您有幫助嗎？", "是", "否",
	  "感謝您的回饋！", "很抱歉沒能幫到您。", "聯絡客服", "相關問題", "標籤", "其他語言", "頁面不存在",
	  "您要找的頁面不存在或已下線。", "線上客服", "正在開啟線上客服視窗…如果沒有出現，請點右下角的按鈕。", "繁體中文" },
	{ "en", "Help centre", "Home", "Search", "Search, e.g. returns", "Popular questions", "Categories", "%d articles",
	  "No articles here yet.", "Results for “%s”", "Nothing found. Try other words, or chat with us.",
	  "Was this helpful?", "Yes", "No", "Thanks for your feedback!", "Sorry this did not help.", "Chat with us",
	  "Related questions", "Tags", "Other languages", "Page not found",
	  "The page you are looking for does not exist or was taken down.", "Chat with us",
	  "Opening the chat… if it does not appear, use the button at the bottom right.", "English" },
};
#define NLANGS (sizeof(STR) / sizeof(STR[0]))

static const char CSS[] =
	"body{font:16px/1.6 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;margin:0;color:#1d2530;"
	"background:#f6f7f9}header{background:#1f6feb;color:#fff;padding:12px 16px}header a{color:#fff;"
	"text-decoration:none;font-weight:600}main{max-width:760px;margin:0 auto;padding:12px 16px 40px}"
	"form.s{display:flex;gap:8px;margin:12px 0}form.s input{flex:1;min-width:0;font:inherit;padding:8px 10px;"
	"border:1px solid #c9d1da;border-radius:8px}button{font:inherit;padding:8px 14px;border:1px solid #1f6feb;"
	"border-radius:8px;background:#1f6feb;color:#fff}.box{background:#fff;border:1px solid #e3e7ec;"
	"border-radius:10px;padding:12px 16px;margin:12px 0}ul{padding-left:1.2em}li{margin:4px 0}a{color:#1f5fc4}"
	".n{color:#6b7682;font-size:14px}.bc{font-size:14px;color:#6b7682}.ans{overflow-wrap:anywhere}"
	".ans img{max-width:100%;height:auto}.ans pre{overflow-x:auto;background:#f0f2f5;padding:8px}"
	".tag{display:inline-block;background:#eef2f7;border-radius:6px;padding:0 8px;margin:2px;font-size:14px}"
	".vote{display:flex;gap:8px;align-items:center;flex-wrap:wrap}.vote form{margin:0}"
	".vote button.no{background:#fff;color:#1f6feb}.sn{color:#4a5562;font-size:14px;margin:0}";

/* One page being built: who asks, for which site, in which language. */
struct help {
	struct http_req *r;
	struct app *a;
	struct store_site site;
	const struct hstr *S;
	int member;                   /* a signed visitor: members-only articles are visible */
	char cid[129], sig[65];       /* the signed identity, when member */
	char base[320];               /* scheme://host of absolute links */
	struct buf b;
};

static struct ratelimit *votes_rl;   /* votes per IP: a form anyone can post */

static const struct hstr *str_for(const char *lang)
{
	for (size_t i = 0; i < NLANGS; i++)
		if (lang && strcmp(STR[i].lang, lang) == 0)
			return &STR[i];
	return NULL;
}

/* "zh-Hant-TW", "zh-hk" -> zh-TW; other zh -> zh-CN; en-* -> en; else NULL. */
static const struct hstr *map_tag(const char *t, size_t n)
{
	char low[32];
	if (n == 0 || n >= sizeof(low))
		return NULL;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)t[i]);
	low[n] = 0;
	if (strcmp(low, "en") == 0 || strncmp(low, "en-", 3) == 0)
		return &STR[2];
	if (strcmp(low, "zh") != 0 && strncmp(low, "zh-", 3) != 0)
		return NULL;
	if (strstr(low, "hant") || strstr(low, "-tw") || strstr(low, "-hk") || strstr(low, "-mo"))
		return &STR[1];
	return &STR[0];
}

/* ?lang= first, then Accept-Language in the order given; Chinese (simplified) by default. */
static const struct hstr *pick_lang(struct http_req *r)
{
	const char *q = http_query(r, "lang"), *al = http_header(r, "accept-language");
	const struct hstr *s = q ? map_tag(q, strlen(q)) : NULL;
	while (!s && al && *al) {
		size_t n = strcspn(al, ",;");
		while (n && (*al == ' ' || *al == '\t'))
			al++, n--;
		s = map_tag(al, strcspn(al, ",; \t"));
		al += n;
		al += strcspn(al, ",");
		if (*al == ',')
			al++;
	}
	return s ? s : &STR[0];
}

/* scheme://host for absolute URLs: the Host the client used (when it looks like a host name),
 * else the configured listen address, as the CLI's embed snippet does. */
static void base_url(struct help *h)
{
	const char *host = http_header(h->r, "host");
	int ok = host && *host && strlen(host) < 256;
	for (const char *p = host; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr(".-:[]", *p);
	snprintf(h->base, sizeof(h->base), "%s://%s", h->r->https ? "https" : "http", ok ? host : h->a->cfg.listen);
}

/* Percent-encodes s for one URL path segment or query value (the result needs no HTML escaping). */
static void add_pct(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			buf_addc(b, (char)c);
		else
			buf_addf(b, "%%%02X", c);
	}
}

static void add_text(struct buf *b, const char *s)
{
	buf_add_html(b, s, strlen(s));
}

/* ---- links ---- */
static void url_home(struct help *h, struct buf *b, const char *lang)
{
	buf_adds(b, "/help/");
	add_pct(b, h->site.key);
	buf_adds(b, "?lang=");
	add_pct(b, lang);
}

static void url_cat(struct help *h, struct buf *b, const struct store_kb_category *c)
{
	buf_adds(b, "/help/");
	add_pct(b, h->site.key);
	buf_adds(b, "/c/");
	add_pct(b, c->slug);
	buf_adds(b, "?lang=");
	add_pct(b, c->lang);
}

static void url_article(struct help *h, struct buf *b, const char *slug, const char *lang)
{
	buf_adds(b, "/help/");
	add_pct(b, h->site.key);
	buf_adds(b, "/a/");
	add_pct(b, slug);
	buf_adds(b, "?lang=");
	add_pct(b, lang);
}

static void link_article(struct help *h, const struct store_kb_article *x)
{
	buf_adds(&h->b, "<a href=\"");
	url_article(h, &h->b, x->slug, x->lang);
	buf_adds(&h->b, "\">");
	add_text(&h->b, x->question);
	buf_adds(&h->b, "</a>");
}

/* ---- who is asking ---- */
static void cookie_name(const struct help *h, char *out, size_t n)
{
	snprintf(out, n, "kefu_kb_%lld", (long long)h->site.id);
}

/* The cookie holds "SIG.CID" (cid percent-encoded). Checked again on every request. */
static int identity_from_cookie(struct help *h)
{
	char name[40];
	cookie_name(h, name, sizeof(name));
	const char *v = http_cookie(h->r, name);
	if (!v || strlen(v) < 66 || v[64] != '.' || strlen(v + 65) >= 3 * sizeof(h->cid))
		return 0;
	char cid[3 * sizeof(h->cid)];
	snprintf(cid, sizeof(cid), "%s", v + 65);
	long n = url_decode(cid, strlen(cid), 0);
	if (n <= 0 || (size_t)n >= sizeof(h->cid) || memchr(cid, 0, (size_t)n))
		return 0;
	cid[n] = 0;
	memcpy(h->sig, v, 64);
	h->sig[64] = 0;
	memcpy(h->cid, cid, (size_t)n + 1);   /* n < sizeof(h->cid), checked above */
	return kb_identity_valid(h->a, h->site.id, h->cid, h->sig) == 1;
}

static void set_identity_cookie(struct help *h)
{
	char name[40];
	struct buf c;
	cookie_name(h, name, sizeof(name));
	buf_init(&c, 2048);
	buf_addf(&c, "%s=%s.", name, h->sig);
	add_pct(&c, h->cid);
	buf_adds(&c, "; Path=/help/");
	add_pct(&c, h->site.key);
	buf_addf(&c, "; Max-Age=%d; HttpOnly; SameSite=Lax", HELP_COOKIE_S);
	if (h->a->cfg.secure_cookie < 0 ? h->r->https : h->a->cfg.secure_cookie)
		buf_adds(&c, "; Secure");
	if (!c.err)
		http_add_header(h->r, "Set-Cookie", c.ptr);
	buf_release(&c);
}

/* ?cid=&sig= decide when given (a wrong pair is anonymous; a right one is remembered in the
 * cookie when remember); else the site's cookie. */
static void identify(struct help *h, int remember)
{
	const char *cid = http_query(h->r, "cid"), *sig = http_query(h->r, "sig");
	if (cid || sig) {
		if (!cid || !sig || !*cid || strlen(cid) >= sizeof(h->cid) || strlen(sig) != 64 ||
		    kb_identity_valid(h->a, h->site.id, cid, sig) != 1)
			return;
		snprintf(h->cid, sizeof(h->cid), "%s", cid);
		snprintf(h->sig, sizeof(h->sig), "%s", sig);
		h->member = 1;
		if (remember)
			set_identity_cookie(h);
		return;
	}
	h->member = identity_from_cookie(h);
	if (!h->member)
		h->cid[0] = h->sig[0] = 0;
}

static const char *vis_max(const struct help *h)
{
	return h->member ? "members" : "public";
}

/* Published, and not internal, and members-only only for a signed visitor. */
static int visible(const struct help *h, const struct store_kb_article *x)
{
	if (x->site_id != h->site.id || strcmp(x->status, "published") != 0)
		return 0;
	return strcmp(x->visibility, "public") == 0 || (h->member && strcmp(x->visibility, "members") == 0);
}

/* ---- the page frame ---- */
struct alt {
	const char *lang;
	struct buf url;        /* a path with query */
};

static void page_open(struct help *h, const char *title, const char *desc, const char *canon,
		      const struct alt *alts, size_t nalts)
{
	struct buf *b = &h->b;
	buf_adds(b, "<!doctype html><html lang=\"");
	add_text(b, h->S->lang);
	buf_adds(b, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
		    "initial-scale=1\"><title>");
	add_text(b, title);
	buf_adds(b, " - ");
	add_text(b, h->site.name);
	buf_adds(b, "</title><meta name=\"description\" content=\"");
	add_text(b, desc);
	buf_adds(b, "\"><link rel=\"canonical\" href=\"");
	add_text(b, h->base);
	add_text(b, canon);
	buf_adds(b, "\">");
	for (size_t i = 0; i < nalts; i++) {
		buf_adds(b, "<link rel=\"alternate\" hreflang=\"");
		add_text(b, alts[i].lang);
		buf_adds(b, "\" href=\"");
		add_text(b, h->base);
		add_text(b, alts[i].url.ptr);
		buf_adds(b, "\">");
	}
	buf_addf(b, "<style>%s</style></head><body><header><a href=\"", CSS);
	url_home(h, b, h->S->lang);
	buf_adds(b, "\">");
	add_text(b, h->site.name);
	buf_adds(b, " · ");
	add_text(b, h->S->help);
	buf_adds(b, "</a></header><main>");
}

static void search_form(struct help *h, const char *q)
{
	struct buf *b = &h->b;
	buf_adds(b, "<form class=\"s\" role=\"search\" action=\"/help/");
	add_pct(b, h->site.key);
	buf_adds(b, "/search\"><input type=\"hidden\" name=\"lang\" value=\"");
	add_text(b, h->S->lang);
	buf_adds(b, "\"><input type=\"search\" name=\"q\" maxlength=\"100\" value=\"");
	add_text(b, q ? q : "");
	buf_adds(b, "\" placeholder=\"");
	add_text(b, h->S->search_ph);
	buf_adds(b, "\" aria-label=\"");
	add_text(b, h->S->search);
	buf_adds(b, "\"><button>");
	add_text(b, h->S->search);
	buf_adds(b, "</button></form>");
}

/* Ends the page and sends it: public pages may be cached a minute; a signed visitor's are private. */
static void page_send(struct help *h, int status)
{
	buf_adds(&h->b, "</main></body></html>\n");
	if (h->b.err) {
		http_reply_error(h->r, 500, "too_big", "the page is too large");
		return;
	}
	if (status != 200)
		http_add_header(h->r, "Cache-Control", "no-cache");
	else
		http_add_header(h->r, "Cache-Control", h->member ? "private, no-cache" : "public, max-age=60");
	http_add_header(h->r, "Vary", "Accept-Language, Cookie");
	http_reply(h->r, status, "text/html; charset=utf-8", h->b.ptr, h->b.len);
}

static void not_found(struct help *h)
{
	struct buf c;
	buf_init(&c, 0);
	url_home(h, &c, h->S->lang);
	buf_reset(&h->b);
	page_open(h, h->S->nf_title, h->S->nf_msg, c.ptr, NULL, 0);
	buf_adds(&h->b, "<h1>");
	add_text(&h->b, h->S->nf_title);
	buf_adds(&h->b, "</h1><p>");
	add_text(&h->b, h->S->nf_msg);
	buf_adds(&h->b, "</p>");
	search_form(h, NULL);
	buf_addf(&h->b, "<p><a href=\"%s\">", c.ptr);
	add_text(&h->b, h->S->home);
	buf_adds(&h->b, "</a></p>");
	buf_release(&c);
	page_send(h, 404);
}

/* Sets up h for the site named by the first route parameter; 0, or answers 404 and returns -1. */
static int help_begin(struct help *h, struct http_req *r)
{
	memset(h, 0, sizeof(*h));
	h->r = r;
	h->a = app_of(r);
	h->S = pick_lang(r);
	buf_init(&h->b, 4u << 20);
	base_url(h);
	if (store_site_by_key(h->a->st, http_param(r, 0), &h->site) != 0) {
		/* no site to name: a bare page, still friendly */
		snprintf(h->site.key, sizeof(h->site.key), "%.40s", http_param(r, 0));
		snprintf(h->site.name, sizeof(h->site.name), "Kefu");
		not_found(h);
		buf_release(&h->b);
		return -1;
	}
	identify(h, 1);
	return 0;
}

static void help_end(struct help *h)
{
	buf_release(&h->b);
}

/* ---- categories ---- */
struct cats {
	struct store_kb_category *v;
	size_t n;
	int64_t *counts;        /* published, visible articles per category (own only) */
};

static int cat_collect(void *ud, const struct store_kb_category *c)
{
	struct cats *cs = ud;
	if (cs->n < HELP_MAX_CATS)
		cs->v[cs->n++] = *c;
	return 0;
}

static int cat_count(void *ud, const struct store_kb_article *x)
{
	struct cats *cs = ud;
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].id == x->category_id)
			cs->counts[i]++;
	return 0;
}

static void cats_load(struct help *h, const char *lang, struct cats *cs)
{
	cs->v = arena_alloc(&h->r->arena, HELP_MAX_CATS * sizeof(*cs->v));
	cs->counts = arena_alloc(&h->r->arena, HELP_MAX_CATS * sizeof(*cs->counts));
	memset(cs->counts, 0, HELP_MAX_CATS * sizeof(*cs->counts));
	cs->n = 0;
	store_kb_category_each(h->a->st, h->site.id, lang, cat_collect, cs);
	struct store_kb_filter f = { .site_id = h->site.id, .lang = lang, .status = "published",
				     .visibility_max = vis_max(h), .limit = 10000 };
	store_kb_article_each(h->a->st, &f, cat_count, cs);
}

/* A top category's own articles plus its children's. */
static int64_t cat_total(const struct cats *cs, size_t i)
{
	int64_t t = cs->counts[i];
	for (size_t j = 0; j < cs->n; j++)
		if (cs->v[j].parent_id == cs->v[i].id)
			t += cs->counts[j];
	return t;
}

static void cat_link(struct help *h, const struct store_kb_category *c, int64_t count)
{
	buf_adds(&h->b, "<a href=\"");
	url_cat(h, &h->b, c);
	buf_adds(&h->b, "\">");
	add_text(&h->b, c->name);
	buf_adds(&h->b, "</a> <span class=\"n\">");
	char n[32];
	snprintf(n, sizeof(n), h->S->count, (int)count);
	add_text(&h->b, n);
	buf_adds(&h->b, "</span>");
}

static void cats_render(struct help *h, const struct cats *cs)
{
	buf_adds(&h->b, "<section class=\"box\" id=\"cats\"><h2>");
	add_text(&h->b, h->S->cats);
	buf_adds(&h->b, "</h2><ul>");
	for (size_t i = 0; i < cs->n; i++) {
		if (cs->v[i].parent_id)
			continue;
		buf_adds(&h->b, "<li class=\"cat\">");
		cat_link(h, &cs->v[i], cat_total(cs, i));
		int open = 0;
		for (size_t j = 0; j < cs->n; j++) {
			if (cs->v[j].parent_id != cs->v[i].id)
				continue;
			buf_adds(&h->b, open++ ? "<li class=\"sub\">" : "<ul><li class=\"sub\">");
			cat_link(h, &cs->v[j], cs->counts[j]);
			buf_adds(&h->b, "</li>");
		}
		buf_adds(&h->b, open ? "</ul></li>" : "</li>");
	}
	buf_adds(&h->b, "</ul></section>");
}

/* ---- article lists ---- */
struct list {
	struct help *h;
	int n, max;
	int64_t any_score;
};

static int list_item(void *ud, const struct store_kb_article *x)
{
	struct list *l = ud;
	if (l->n >= l->max || !visible(l->h, x))
		return 0;
	buf_adds(&l->h->b, "<li>");
	link_article(l->h, x);
	buf_adds(&l->h->b, "</li>");
	l->n++;
	return 0;
}

static int hot_item(void *ud, const struct store_kb_article *x, int64_t score)
{
	struct list *l = ud;
	l->any_score += score > 0;
	return list_item(ud, x);
}

/* Most viewed and most helpful in the last 30 days; on a new site (no counts yet) the first
 * articles instead, so the home page is never empty. */
static int hot_render(struct help *h)
{
	struct buf *b = &h->b;
	size_t mark = b->len;
	buf_adds(b, "<section class=\"box\" id=\"hot\"><h2>");
	add_text(b, h->S->hot);
	buf_adds(b, "</h2><ul>");
	size_t items = b->len;
	int64_t today = time_now_s() / 86400;
	struct list l = { h, 0, HELP_HOT, 0 };
	store_kb_hot(h->a->st, h->site.id, h->S->lang, vis_max(h), today - HELP_HOT_DAYS + 1, today, HELP_HOT,
		     hot_item, &l);
	if (l.any_score == 0) {
		b->len = items;
		b->ptr[b->len] = 0;
		struct store_kb_filter f = { .site_id = h->site.id, .lang = h->S->lang, .status = "published",
					     .visibility_max = vis_max(h), .limit = HELP_HOT };
		l.n = 0;
		store_kb_article_each(h->a->st, &f, list_item, &l);
	}
	if (l.n == 0) {
		b->len = mark;
		b->ptr[b->len] = 0;
		return 0;
	}
	buf_adds(b, "</ul></section>");
	return l.n;
}

/* ---- GET /help/:site ---- */
static void home_alts(struct help *h, struct alt *alts)
{
	for (size_t i = 0; i < NLANGS; i++) {
		alts[i].lang = STR[i].lang;
		buf_init(&alts[i].url, 0);
		url_home(h, &alts[i].url, STR[i].lang);
	}
}

static void h_home(struct http_req *r)
{
	struct help h;
	if (help_begin(&h, r) != 0)
		return;
	struct alt alts[NLANGS];
	struct cats cs;
	char desc[400];
	home_alts(&h, alts);
	snprintf(desc, sizeof(desc), "%s · %s", h.site.name, h.S->help);
	page_open(&h, h.S->help, desc, alts[h.S - STR].url.ptr, alts, NLANGS);
	buf_adds(&h.b, "<h1>");
	add_text(&h.b, h.S->help);
	buf_adds(&h.b, "</h1>");
	search_form(&h, NULL);
	int hot = hot_render(&h);
	cats_load(&h, h.S->lang, &cs);
	if (cs.n)
		cats_render(&h, &cs);
	else if (!hot) {
		buf_adds(&h.b, "<p>");
		add_text(&h.b, h.S->none);
		buf_adds(&h.b, "</p>");
	}
	for (size_t i = 0; i < NLANGS; i++)
		buf_release(&alts[i].url);
	page_send(&h, 200);
	help_end(&h);
}

/* ---- GET /help/:site/c/:slug ---- */
struct find_cat {
	const char *slug;
	struct store_kb_category *out;
	int found;
};

static int find_cat_cb(void *ud, const struct store_kb_category *c)
{
	struct find_cat *f = ud;
	if (strcmp(c->slug, f->slug) != 0)
		return 0;
	*f->out = *c;
	f->found = 1;
	return 1;
}

/* The category in the page's language, else in any: a shared link keeps working. */
static int cat_by_slug(struct help *h, const char *slug, struct store_kb_category *out)
{
	struct find_cat f = { slug, out, 0 };
	store_kb_category_each(h->a->st, h->site.id, h->S->lang, find_cat_cb, &f);
	if (!f.found)
		store_kb_category_each(h->a->st, h->site.id, "", find_cat_cb, &f);
	return f.found ? 0 : KF_ENOTFOUND;
}

static void crumbs(struct help *h, const struct store_kb_category *c)
{
	struct store_kb_category parent;
	buf_adds(&h->b, "<nav class=\"bc\" aria-label=\"breadcrumbs\"><a href=\"");
	url_home(h, &h->b, h->S->lang);
	buf_adds(&h->b, "\">");
	add_text(&h->b, h->S->home);
	buf_adds(&h->b, "</a>");
	if (c && c->parent_id && store_kb_category_get(h->a->st, c->parent_id, &parent) == 0) {
		buf_adds(&h->b, " › <a href=\"");
		url_cat(h, &h->b, &parent);
		buf_adds(&h->b, "\">");
		add_text(&h->b, parent.name);
		buf_adds(&h->b, "</a>");
	}
	if (c) {
		buf_adds(&h->b, " › <a href=\"");
		url_cat(h, &h->b, c);
		buf_adds(&h->b, "\">");
		add_text(&h->b, c->name);
		buf_adds(&h->b, "</a>");
	}
	buf_adds(&h->b, "</nav>");
}

static void cat_children(struct help *h, const struct store_kb_category *c)
{
	struct cats cs;
	cats_load(h, c->lang, &cs);
	int open = 0;
	for (size_t j = 0; j < cs.n; j++) {
		if (cs.v[j].parent_id != c->id)
			continue;
		buf_adds(&h->b, open++ ? "<li class=\"sub\">" : "<ul class=\"subs\"><li class=\"sub\">");
		cat_link(h, &cs.v[j], cs.counts[j]);
		buf_adds(&h->b, "</li>");
	}
	if (open)
		buf_adds(&h->b, "</ul>");
}

static void h_category(struct http_req *r)
{
	struct help h;
	struct store_kb_category c;
	if (help_begin(&h, r) != 0)
		return;
	if (cat_by_slug(&h, http_param(r, 1), &c) != 0) {
		not_found(&h);
		help_end(&h);
		return;
	}
	h.S = str_for(c.lang) ? str_for(c.lang) : h.S;
	struct buf canon = BUF_INIT;
	url_cat(&h, &canon, &c);
	page_open(&h, c.name, c.description[0] ? c.description : c.name, canon.ptr, NULL, 0);
	buf_release(&canon);
	crumbs(&h, c.parent_id ? &c : NULL);
	buf_adds(&h.b, "<h1>");
	add_text(&h.b, c.name);
	buf_adds(&h.b, "</h1>");
	if (c.description[0]) {
		buf_adds(&h.b, "<p>");
		add_text(&h.b, c.description);
		buf_adds(&h.b, "</p>");
	}
	search_form(&h, NULL);
	cat_children(&h, &c);
	buf_adds(&h.b, "<ul class=\"arts\">");
	struct list l = { &h, 0, HELP_MAX_LIST, 0 };
	struct store_kb_filter f = { .site_id = h.site.id, .category_id = c.id, .lang = c.lang, .status = "published",
				     .visibility_max = vis_max(&h), .limit = HELP_MAX_LIST };
	store_kb_article_each(h.a->st, &f, list_item, &l);
	buf_adds(&h.b, "</ul>");
	if (!l.n) {
		buf_adds(&h.b, "<p>");
		add_text(&h.b, h.S->none);
		buf_adds(&h.b, "</p>");
	}
	page_send(&h, 200);
	help_end(&h);
}

/* ---- GET /help/:site/a/:slug ---- */

static int block_tag(const char *t)
{
	static const char *const blocks[] = { "p", "br", "li", "ul", "ol", "div", "pre", "blockquote", "table", "tr",
					      "td", "th", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "img" };
	t += *t == '/';
	size_t n = strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789");
	for (size_t i = 0; i < KF_ARRAY_LEN(blocks); i++)
		if (strlen(blocks[i]) == n && strncmp(t, blocks[i], n) == 0)
			return 1;
	return 0;
}

/* The first ~150 characters of the answer as plain text, for <meta name="description">:
 * tags dropped, the few entities cmark writes decoded (the caller escapes again). */
static void answer_text(const char *html, char *out, size_t outsz)
{
	static const struct { const char *ent, *ch; } ents[] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" },
	};
	size_t o = 0, chars = 0;
	int space = 0;
	for (const char *p = html ? html : ""; *p && o + 5 < outsz && chars < 150;) {
		if (*p == '<') {   /* a block element separates words; <strong>, <a>, <code> do not */
			space |= block_tag(p + 1);
			p += strcspn(p, ">");
			p += *p == '>';
			continue;
		}
		if (isspace((unsigned char)*p)) {
			space = 1, p++;
			continue;
		}
		if (space && o)
			out[o++] = ' ', chars++;
		space = 0;
		size_t k = 0;
		for (; k < sizeof(ents) / sizeof(ents[0]); k++)
			if (strncmp(p, ents[k].ent, strlen(ents[k].ent)) == 0)
				break;
		if (k < sizeof(ents) / sizeof(ents[0])) {
			out[o++] = ents[k].ch[0];
			p += strlen(ents[k].ent);
		} else {
			do
				out[o++] = *p++;
			while (*p && ((unsigned char)*p & 0xC0) == 0x80 && o + 1 < outsz);
		}
		chars++;
	}
	out[o] = 0;   /* whole characters only: a lead byte is copied with all its continuation bytes */
}

/* The article by slug in the page's language, else any language; visible to this visitor. */
static int article_by_slug(struct help *h, const char *slug, const char *lang, struct store_kb_article *out)
{
	struct store_kb_article x;
	memset(&x, 0, sizeof(x));
	int rc = store_kb_article_by_slug(h->a->st, h->site.id, lang, slug, &x);
	for (size_t i = 0; rc != 0 && !http_query(h->r, "lang") && i < NLANGS; i++)
		rc = store_kb_article_by_slug(h->a->st, h->site.id, STR[i].lang, slug, &x);
	if (rc != 0)
		return KF_ENOTFOUND;
	if (!visible(h, &x)) {
		store_kb_article_free(&x);
		return KF_ENOTFOUND;
	}
	*out = x;
	return 0;
}

struct trs {
	struct help *h;
	struct alt v[8];
	size_t n;
};

static int tr_cb(void *ud, const struct store_kb_article *x)
{
	struct trs *t = ud;
	if (t->n >= 8 || !visible(t->h, x) || !str_for(x->lang))
		return 0;
	t->v[t->n].lang = str_for(x->lang)->lang;
	buf_init(&t->v[t->n].url, 0);
	url_article(t->h, &t->v[t->n].url, x->slug, x->lang);
	t->n++;
	return 0;
}

static void translations_render(struct help *h, const struct trs *t, const char *self)
{
	size_t shown = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].lang, self) == 0)
			continue;
		buf_adds(&h->b, shown++ ? " · " : "<p class=\"n\" id=\"langs\">");
		if (shown == 1) {
			add_text(&h->b, h->S->other_langs);
			buf_adds(&h->b, ": ");
		}
		buf_adds(&h->b, "<a hreflang=\"");
		add_text(&h->b, t->v[i].lang);
		buf_adds(&h->b, "\" href=\"");
		add_text(&h->b, t->v[i].url.ptr);
		buf_adds(&h->b, "\">");
		add_text(&h->b, str_for(t->v[i].lang)->lang_name);
		buf_adds(&h->b, "</a>");
	}
	if (shown)
		buf_adds(&h->b, "</p>");
}

static void tags_render(struct help *h, const char *tags)
{
	if (!tags[0])
		return;
	buf_adds(&h->b, "<p class=\"n\">");
	add_text(&h->b, h->S->tags);
	buf_adds(&h->b, ": ");
	for (const char *p = tags; *p;) {
		size_t n = strcspn(p, " ");
		if (n) {
			buf_adds(&h->b, "<span class=\"tag\">");
			buf_add_html(&h->b, p, n);
			buf_adds(&h->b, "</span>");
		}
		p += n;
		p += *p == ' ';
	}
	buf_adds(&h->b, "</p>");
}

static void related_render(struct help *h, int64_t id)
{
	int64_t ids[20];
	size_t n = 0, shown = 0;
	if (store_kb_related(h->a->st, id, ids, 20, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct store_kb_article x;
		memset(&x, 0, sizeof(x));
		if (store_kb_article_get(h->a->st, ids[i], &x) != 0)
			continue;
		if (visible(h, &x)) {
			if (!shown++) {
				buf_adds(&h->b, "<section class=\"box\" id=\"related\"><h2>");
				add_text(&h->b, h->S->related);
				buf_adds(&h->b, "</h2><ul>");
			}
			buf_adds(&h->b, "<li>");
			link_article(h, &x);
			buf_adds(&h->b, "</li>");
		}
		store_kb_article_free(&x);
	}
	if (shown)
		buf_adds(&h->b, "</ul></section>");
}

static void chat_link(struct help *h)
{
	buf_adds(&h->b, "<p id=\"chat\"><a href=\"/help/");
	add_pct(&h->b, h->site.key);
	buf_adds(&h->b, "/chat?lang=");
	add_pct(&h->b, h->S->lang);
	buf_adds(&h->b, "\">");
	add_text(&h->b, h->S->chat);
	buf_adds(&h->b, "</a></p>");
}

/* "Was this helpful?": two plain forms (no script); after a vote, thanks, and on "no" the
 * way to a person. */
static void vote_render(struct help *h, const struct store_kb_article *x)
{
	const char *voted = http_query(h->r, "voted");
	buf_adds(&h->b, "<section class=\"box\" id=\"vote\">");
	if (voted && (strcmp(voted, "1") == 0 || strcmp(voted, "0") == 0)) {
		buf_adds(&h->b, "<p>");
		add_text(&h->b, voted[0] == '1' ? h->S->thanks : h->S->sorry);
		buf_adds(&h->b, "</p>");
		if (voted[0] == '0')
			chat_link(h);
		buf_adds(&h->b, "</section>");
		return;
	}
	buf_adds(&h->b, "<div class=\"vote\"><span>");
	add_text(&h->b, h->S->helpful);
	buf_adds(&h->b, "</span>");
	for (int yes = 1; yes >= 0; yes--) {
		buf_adds(&h->b, "<form method=\"post\" action=\"/help/");
		add_pct(&h->b, h->site.key);
		buf_adds(&h->b, "/a/");
		add_pct(&h->b, x->slug);
		buf_adds(&h->b, "/vote\"><input type=\"hidden\" name=\"lang\" value=\"");
		add_text(&h->b, x->lang);
		buf_addf(&h->b, "\"><input type=\"hidden\" name=\"helpful\" value=\"%d\"><button id=\"vote-%s\"%s>", yes,
			 yes ? "yes" : "no", yes ? "" : " class=\"no\"");
		add_text(&h->b, yes ? h->S->yes : h->S->no);
		buf_adds(&h->b, "</button></form>");
	}
	buf_adds(&h->b, "</div></section>");
}

static void article_page(struct help *h, const struct store_kb_article *x)
{
	struct store_kb_category c;
	struct trs t;
	char desc[800];
	int has_cat = x->category_id && store_kb_category_get(h->a->st, x->category_id, &c) == 0;
	memset(&t, 0, sizeof(t));
	t.h = h;
	t.v[0].lang = x->lang;   /* hreflang lists the page itself too; it is also the canonical URL */
	buf_init(&t.v[0].url, 0);
	url_article(h, &t.v[0].url, x->slug, x->lang);
	t.n = 1;
	store_kb_translations(h->a->st, x->id, tr_cb, &t);
	answer_text(x->answer_html, desc, sizeof(desc));
	page_open(h, x->question, desc[0] ? desc : x->question, t.v[0].url.ptr, t.v, t.n > 1 ? t.n : 0);
	crumbs(h, has_cat ? &c : NULL);
	buf_adds(&h->b, "<article><h1>");
	add_text(&h->b, x->question);
	buf_adds(&h->b, "</h1><div class=\"ans\">");
	buf_adds(&h->b, x->answer_html ? x->answer_html : "");   /* made safe by kb_render_markdown */
	buf_adds(&h->b, "</div>");
	tags_render(h, x->tags);
	translations_render(h, &t, x->lang);
	buf_adds(&h->b, "</article>");
	vote_render(h, x);
	related_render(h, x->id);
	for (size_t i = 0; i < t.n; i++)
		buf_release(&t.v[i].url);
}

static void h_article(struct http_req *r)
{
	struct help h;
	struct store_kb_article x;
	if (help_begin(&h, r) != 0)
		return;
	if (article_by_slug(&h, http_param(r, 1), h.S->lang, &x) != 0) {
		not_found(&h);
		help_end(&h);
		return;
	}
	h.S = str_for(x.lang) ? str_for(x.lang) : h.S;
	if (!http_query(r, "voted"))
		kb_count_view(h.a, x.id);
	article_page(&h, &x);
	store_kb_article_free(&x);
	page_send(&h, 200);
	help_end(&h);
}

/* ---- POST /help/:site/a/:slug/vote (a form: helpful=1|0&lang=…) ---- */

/* A browser's Origin (when sent) must be this host: other sites cannot stuff votes. */
static int same_origin(struct http_req *r)
{
	const char *origin = http_header(r, "origin"), *host = http_header(r, "host");
	if (!origin)
		return 1;
	const char *o = strstr(origin, "://");
	return host && o && strcmp(o + 3, host) == 0;
}

static void h_vote(struct http_req *r)
{
	struct app *a = app_of(r);
	const char *lang = r->body.len > 512 ? NULL : http_form(r, "lang");
	const char *helpful = r->body.len > 512 ? NULL : http_form(r, "helpful");
	if (!helpful || (strcmp(helpful, "1") != 0 && strcmp(helpful, "0") != 0) || !lang || strlen(lang) >= 16 ||
	    !str_for(lang)) {
		http_reply_error(r, 400, "bad_request", "expected helpful=1|0 and lang");
		return;
	}
	if (!same_origin(r)) {
		http_reply_error(r, 403, "forbidden", "votes come from the help page");
		return;
	}
	int64_t now = time_now_s();
	if (ratelimit_check(votes_rl, r->client_ip, now)) {
		http_reply_error(r, 429, "rate_limited", "too many votes; try again later");
		return;
	}
	ratelimit_hit(votes_rl, r->client_ip, now);
	struct help h;
	struct store_kb_article x;
	if (help_begin(&h, r) != 0)
		return;
	if (store_kb_article_by_slug(a->st, h.site.id, lang, http_param(r, 1), &x) != 0) {
		not_found(&h);
		help_end(&h);
		return;
	}
	int ok = visible(&h, &x);
	if (ok)
		store_kb_count_vote(a->st, x.id, now / 86400, helpful[0] == '1');
	struct buf loc = BUF_INIT;
	url_article(&h, &loc, x.slug, x.lang);
	buf_addf(&loc, "&voted=%c", helpful[0]);
	store_kb_article_free(&x);
	if (!ok) {
		buf_release(&loc);
		not_found(&h);
		help_end(&h);
		return;
	}
	http_add_header(r, "Location", loc.ptr);
	http_add_header(r, "Cache-Control", "no-store");
	http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
	buf_release(&loc);
	help_end(&h);
}

/* ---- GET /help/:site/search?q= ---- */
static void results_render(struct help *h, const char *q)
{
	struct kb_hit *hits = arena_alloc(&h->r->arena, HELP_MAX_HITS * sizeof(*hits));
	size_t n = 0;
	if (kb_search(h->a, h->site.id, h->S->lang, q, h->member ? KB_MEMBERS : KB_PUBLIC, "help", hits,
		      HELP_MAX_HITS, &n) != 0)
		n = 0;
	if (!n) {
		buf_adds(&h->b, "<p id=\"none\">");
		add_text(&h->b, h->S->no_results);
		buf_adds(&h->b, "</p>");
		chat_link(h);
		return;
	}
	buf_adds(&h->b, "<ul id=\"results\">");
	for (size_t i = 0; i < n; i++) {
		buf_adds(&h->b, "<li><a href=\"");
		url_article(h, &h->b, hits[i].slug, hits[i].lang);
		buf_adds(&h->b, "\">");
		add_text(&h->b, hits[i].question);
		buf_adds(&h->b, "</a><p class=\"sn\">");
		add_text(&h->b, hits[i].snippet);
		buf_adds(&h->b, "</p></li>");
	}
	buf_adds(&h->b, "</ul>");
}

static void h_search(struct http_req *r)
{
	struct help h;
	unsigned wait;
	/* each search is FTS queries and a log row: the same per-address limit as the widget's
	 * /api/v1/kb/search, shared, so one address cannot double its share by using both */
	const char *q0 = http_query(r, "q");
	if (q0 && *q0 && !kb_search_allowed(r->client_ip, &wait)) {
		char sec[24];
		snprintf(sec, sizeof(sec), "%u", wait);
		http_add_header(r, "Retry-After", sec);
		http_reply_error(r, 429, "rate_limited", "too many searches; try again shortly");
		return;
	}
	if (help_begin(&h, r) != 0)
		return;
	const char *q = http_query(r, "q");
	char qq[HELP_MAX_Q + 1], title[HELP_MAX_Q + 64];
	utf8_copy(qq, sizeof(qq), q ? q : "");
	snprintf(title, sizeof(title), h.S->results, qq);
	struct buf canon = BUF_INIT;
	buf_adds(&canon, "/help/");
	add_pct(&canon, h.site.key);
	buf_adds(&canon, "/search?lang=");
	add_pct(&canon, h.S->lang);
	buf_adds(&canon, "&q=");
	add_pct(&canon, qq);
	page_open(&h, qq[0] ? title : h.S->search, qq[0] ? title : h.S->help, canon.ptr, NULL, 0);
	buf_release(&canon);
	crumbs(&h, NULL);
	buf_adds(&h.b, "<h1>");
	add_text(&h.b, qq[0] ? title : h.S->search);
	buf_adds(&h.b, "</h1>");
	search_form(&h, qq);
	if (qq[0])
		results_render(&h, qq);
	page_send(&h, 200);
	help_end(&h);
}

/* ---- GET /help/:site/chat: a page that embeds the site's widget and opens it ---- */
static void h_chat(struct http_req *r)
{
	struct help h;
	if (help_begin(&h, r) != 0)
		return;
	struct buf canon = BUF_INIT;
	buf_adds(&canon, "/help/");
	add_pct(&canon, h.site.key);
	buf_adds(&canon, "/chat");
	page_open(&h, h.S->chat_title, h.S->chat_msg, canon.ptr, NULL, 0);
	buf_release(&canon);
	crumbs(&h, NULL);
	buf_adds(&h.b, "<h1>");
	add_text(&h.b, h.S->chat_title);
	buf_adds(&h.b, "</h1><p>");
	add_text(&h.b, h.S->chat_msg);
	buf_adds(&h.b, "</p><script async src=\"/widget.js\" data-site=\"");
	add_text(&h.b, h.site.key);
	if (h.member) {   /* the shop's signed customer goes on to the chat as that customer */
		buf_adds(&h.b, "\" data-customer-id=\"");
		add_text(&h.b, h.cid);
		buf_adds(&h.b, "\" data-customer-sig=\"");
		add_text(&h.b, h.sig);
	}
	buf_adds(&h.b, "\" onload=\"window.KefuWidget&&KefuWidget.open()\"></script>");
	page_send(&h, 200);
	help_end(&h);
}

/* ---- GET /help/:site/sitemap.xml: public published articles and categories ---- */
static void sitemap_url(struct help *h, struct buf *path, int64_t updated)
{
	buf_adds(&h->b, "<url><loc>");
	add_text(&h->b, h->base);
	add_text(&h->b, path->ptr);
	buf_adds(&h->b, "</loc>");
	if (updated > 0) {
		time_t t = (time_t)updated;
		struct tm tm;
		char d[16];
		gmtime_r(&t, &tm);
		strftime(d, sizeof(d), "%Y-%m-%d", &tm);
		buf_addf(&h->b, "<lastmod>%s</lastmod>", d);
	}
	buf_adds(&h->b, "</url>\n");
	buf_reset(path);
}

/* Categories worth listing: those holding a public published article, and their parents
 * (a top category's page lists its sub-categories). A search engine sent to an empty page
 * learns nothing, and the category's name alone may be more than the shop meant to show. */
struct sm {
	struct help *h;
	json_t *full;   /* category id (as text) -> true */
};

static int sm_mark(void *ud, const struct store_kb_article *x)
{
	char k[24];
	if (!x->category_id || strcmp(x->visibility, "public") != 0 || strcmp(x->status, "published") != 0)
		return 0;
	snprintf(k, sizeof(k), "%lld", (long long)x->category_id);
	json_object_set_new(ud, k, json_true());
	return 0;
}

static int sm_parent(void *ud, const struct store_kb_category *c)
{
	char k[24], pk[24];
	snprintf(k, sizeof(k), "%lld", (long long)c->id);
	snprintf(pk, sizeof(pk), "%lld", (long long)c->parent_id);
	if (c->parent_id && json_object_get(ud, k))
		json_object_set_new(ud, pk, json_true());
	return 0;
}

static int sm_cat(void *ud, const struct store_kb_category *c)
{
	struct sm *m = ud;
	struct help *h = m->h;
	char k[24];
	snprintf(k, sizeof(k), "%lld", (long long)c->id);
	if (!json_object_get(m->full, k))
		return 0;
	struct buf p = BUF_INIT;
	url_cat(h, &p, c);
	sitemap_url(h, &p, 0);
	buf_release(&p);
	return 0;
}

static int sm_article(void *ud, const struct store_kb_article *x)
{
	struct help *h = ud;
	if (strcmp(x->visibility, "public") != 0 || strcmp(x->status, "published") != 0)
		return 0;
	struct buf p = BUF_INIT;
	url_article(h, &p, x->slug, x->lang);
	sitemap_url(h, &p, x->updated_at);
	buf_release(&p);
	return 0;
}

static void h_sitemap(struct http_req *r)
{
	struct help h;
	if (help_begin(&h, r) != 0)
		return;
	buf_adds(&h.b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (size_t i = 0; i < NLANGS; i++) {
		struct buf p = BUF_INIT;
		url_home(&h, &p, STR[i].lang);
		sitemap_url(&h, &p, 0);
		buf_release(&p);
	}
	struct store_kb_filter f = { .site_id = h.site.id, .lang = "", .status = "published",
				     .visibility_max = "public", .limit = 50000 };
	struct sm m = { &h, json_object() };
	store_kb_article_each(h.a->st, &f, sm_mark, m.full);
	store_kb_category_each(h.a->st, h.site.id, "", sm_parent, m.full);
	store_kb_category_each(h.a->st, h.site.id, "", sm_cat, &m);
	json_decref(m.full);
	store_kb_article_each(h.a->st, &f, sm_article, &h);
	buf_adds(&h.b, "</urlset>\n");
	if (h.b.err) {
		http_reply_error(r, 500, "too_big", "the sitemap is too large");
	} else {
		http_add_header(r, "Cache-Control", "public, max-age=300");
		http_reply(r, 200, "application/xml; charset=utf-8", h.b.ptr, h.b.len);
	}
	help_end(&h);
}

/* ---- GET /api/v1/kb/articles/:id/public?site=KEY[&cid=&sig=]: for the widget's suggestions ---- */
static void h_public_article(struct http_req *r)
{
	struct help h;
	struct store_kb_article x;
	int64_t id;
	const char *key = http_query(r, "site"), *ids = http_param(r, 0), *origin = http_header(r, "origin");
	memset(&h, 0, sizeof(h));
	h.r = r;
	h.a = app_of(r);
	if (!key || store_site_by_key(h.a->st, key, &h.site) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	if (origin && chat_origin_allowed(&h.site, origin)) {
		http_add_header(r, "Access-Control-Allow-Origin", origin);
		http_add_header(r, "Vary", "Origin");
	}
	if (parse_i64(ids, strlen(ids), &id) != 0 || id <= 0) {
		http_reply_error(r, 400, "bad_id", "the article id must be a positive integer");
		return;
	}
	identify(&h, 0);
	memset(&x, 0, sizeof(x));
	if (store_kb_article_get(h.a->st, id, &x) != 0 || !visible(&h, &x)) {
		if (x.id)
			store_kb_article_free(&x);
		http_reply_error(r, 404, "not_found", "no such article");
		return;
	}
	kb_count_view(h.a, x.id);   /* the widget shows the answer: a read like the help page's */
	base_url(&h);
	struct buf url = BUF_INIT;
	buf_adds(&url, h.base);
	url_article(&h, &url, x.slug, x.lang);
	json_t *v = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)x.id, "lang", x.lang, "question", x.question,
			      "answer_html", x.answer_html ? x.answer_html : "", "url", url.ptr);
	buf_release(&url);
	store_kb_article_free(&x);
	http_add_header(r, "Cache-Control", h.member ? "private, no-cache" : "public, max-age=60");
	if (!v) {
		http_reply_error(r, 500, "internal", "could not build the answer");
		return;
	}
	http_reply_json(r, 200, v);
}

static const struct route routes[] = {
	{ M_GET, "/help/:site", h_home, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/help/:site/c/:slug", h_category, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/help/:site/a/:slug", h_article, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_POST, "/help/:site/a/:slug/vote", h_vote, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/help/:site/search", h_search, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/help/:site/chat", h_chat, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/help/:site/sitemap.xml", h_sitemap, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/api/v1/kb/articles/:id/public", h_public_article, 0, ACCESS_PUBLIC, NULL, "api", NULL },
};

void kb_help_register(struct http_server *s)
{
	if (!votes_rl)
		votes_rl = ratelimit_new_sliding(30, 60);
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
