/* ticket/status_page.c - the customer's status page of a ticket: GET /t/<id>?k=<token>, built
 * on the server in the customer's language (zh-CN, zh-TW, en), every stored string escaped,
 * readable on a phone. It shows the ticket's number, subject and status, the workflow's steps
 * with the current one marked and their dates, the public thread (never internal notes or
 * system lines), and a reply box: POST /t/<id>/reply with the token adds a public message from
 * the customer. The token is the only key, so a wrong one is a 404 like a missing ticket, tries
 * are rate-limited per address, and the page asks not to be cached, indexed or sent on as a
 * referrer. */
#include "ticket/workflow.h"
#include "ticket/ticket.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/json.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "store/store_flow.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SP_FAILS 20                 /* wrong tokens per address ... */
#define SP_WINDOW_S 600             /* ... in this many seconds */
#define SP_REPLY_MAX 10000          /* bytes of a customer's reply */
#define SP_THREAD_MAX 200           /* messages shown */
#define SP_MSG_SHOWN (8 * 1024)     /* bytes of one message shown; a long mail is cut, with "…" */
#define SP_PAGE_MAX (2 * 1024 * 1024)
/* No message starts past this: one cut message escapes to at most 6 x 8 KB, so the page
 * stays under SP_PAGE_MAX whatever the thread holds, and never turns into a 500. */
#define SP_THREAD_BUDGET (SP_PAGE_MAX - 256 * 1024)
#define SP_REPLIES 30               /* replies per address ... */
#define SP_REPLIES_WINDOW_S 600     /* ... in this many seconds */

static struct ratelimit *token_rl, *reply_rl;

struct sp_str {
	const char *lang, *title, *status, *steps, *thread, *you, *agent, *reply, *send, *none, *more, *nf_title,
		*nf_msg, *st_new, *st_open, *st_pending, *st_resolved, *st_closed;
};

static const struct sp_str STR[] = {
	{ "zh-CN", "服务进度", "状态", "处理进度", "沟通记录", "您", "客服", "补充说明或回复客服…", "发送",
	  "还没有消息。", "更多消息未显示，客服可以看到全部内容。", "找不到这个页面", "链接无效或已过期，请检查邮件中的链接。", "新建", "处理中", "等待您的回复",
	  "已解决", "已关闭" },
	{ "zh-TW", "服務進度", "狀態", "處理進度", "溝通紀錄", "您", "客服", "補充說明或回覆客服…", "送出",
	  "還沒有訊息。", "更多訊息未顯示，客服可以看到全部內容。", "找不到這個頁面", "連結無效或已過期，請檢查郵件中的連結。", "新建", "處理中", "等待您的回覆",
	  "已解決", "已關閉" },
	{ "en", "Request status", "Status", "Progress", "Messages", "You", "Support", "Add details or reply…", "Send",
	  "No messages yet.", "More messages are not shown here; our team sees them all.", "Page not found", "The link is not valid. Please check the link in your e-mail.", "New",
	  "Open", "Waiting for you", "Resolved", "Closed" },
};

static const char CSS[] =
	"body{font:16px/1.6 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;margin:0;color:#1d2530;"
	"background:#f6f7f9}main{max-width:680px;margin:0 auto;padding:12px 16px 40px}h1{font-size:20px;margin:12px 0}"
	".box{background:#fff;border:1px solid #e3e7ec;border-radius:10px;padding:12px 16px;margin:12px 0}"
	".n{color:#6b7682;font-size:14px}ol.steps{list-style:none;padding:0;margin:0}ol.steps li{padding:6px 0 6px 22px;"
	"position:relative;color:#8a949e}ol.steps li:before{content:'';position:absolute;left:4px;top:14px;width:10px;"
	"height:10px;border-radius:50%;background:#c9d1da}ol.steps li.done{color:#1d2530}ol.steps li.done:before"
	"{background:#2da44e}ol.steps li.cur{color:#1f6feb;font-weight:600}ol.steps li.cur:before{background:#1f6feb;"
	"box-shadow:0 0 0 3px #cfe0fb}.m{border-top:1px solid #eef0f3;padding:8px 0}.m:first-child{border:0}"
	".m p{margin:4px 0;white-space:pre-wrap;overflow-wrap:anywhere}.badge{display:inline-block;background:#eef2f7;"
	"border-radius:6px;padding:0 8px}textarea{width:100%;box-sizing:border-box;min-height:90px;font:inherit;"
	"padding:8px;border:1px solid #c9d1da;border-radius:8px}button{font:inherit;padding:8px 16px;margin-top:8px;"
	"border:1px solid #1f6feb;border-radius:8px;background:#1f6feb;color:#fff}";

static const struct sp_str *str_for(const char *lang)
{
	for (size_t i = 0; i < KF_ARRAY_LEN(STR); i++)
		if (strcmp(STR[i].lang, lang) == 0)
			return &STR[i];
	return &STR[0];
}

/* ---- shared with returns.c (workflow.h) ---- */

size_t wf__path(const struct ticket *t, const char **out, size_t max)
{
	const char *const *all = wf_states(t->type);
	size_t n = 0;
	if (!all || max < 4)
		return 0;
	if (strcmp(t->type, "return") != 0) {
		while (all[n] && n < max)
			out[n] = all[n], n++;
		return n;
	}
	json_t *w = json_loads(t->workflow, 0, NULL);
	const char *kind = json_get_str(w, "kind");
	int exchange = strcmp(t->workflow_state, "exchanged") == 0 ||
		       (strcmp(t->workflow_state, "refunded") != 0 && kind && strcmp(kind, "exchange") == 0);
	json_decref(w);
	out[n++] = "requested";
	if (strcmp(t->workflow_state, "refused") == 0) {
		out[n++] = "refused";
		return n;
	}
	out[n++] = "approved";
	out[n++] = "goods_received";
	out[n++] = exchange ? "exchanged" : "refunded";
	return n;
}

/* ---- the page ---- */

static void add_text(struct buf *b, const char *s)
{
	buf_add_html(b, s, strlen(s));
}

static void add_time(struct buf *b, int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;
	char s[40];
	if (at <= 0 || !gmtime_r(&t, &tm) || !strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm))
		return;
	buf_adds(b, s);
}

static const char *status_text(const struct sp_str *S, const char *status)
{
	return !strcmp(status, "new") ? S->st_new : !strcmp(status, "open") ? S->st_open :
	       !strcmp(status, "pending") ? S->st_pending : !strcmp(status, "resolved") ? S->st_resolved : S->st_closed;
}

static void page_open(struct buf *b, const struct sp_str *S, const char *title)
{
	buf_addf(b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
		 "content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>",
		 S->lang);
	add_text(b, title);
	buf_addf(b, "</title><style>%s</style></head><body><main>", CSS);
}

static void send_page(struct http_req *r, struct buf *b, int status)
{
	buf_adds(b, "</main></body></html>\n");
	http_add_header(r, "Cache-Control", "no-store");
	http_add_header(r, "Referrer-Policy", "no-referrer");   /* the token is in the URL */
	http_add_header(r, "X-Robots-Tag", "noindex");
	if (b->err)
		http_reply_error(r, 500, "internal", "the page did not fit");
	else
		http_reply(r, status, "text/html; charset=utf-8", b->ptr, b->len);
	buf_release(b);
}

static void not_found(struct http_req *r, const char *lang)
{
	const struct sp_str *S = str_for(lang);
	struct buf b;
	buf_init(&b, 64 * 1024);
	page_open(&b, S, S->nf_title);
	buf_adds(&b, "<h1>");
	add_text(&b, S->nf_title);
	buf_adds(&b, "</h1><p>");
	add_text(&b, S->nf_msg);
	buf_adds(&b, "</p>");
	send_page(r, &b, 404);
}

/* The date each step was reached, from the workflow's steps (the last time, if repeated). */
static int64_t step_at(json_t *steps, const char *state)
{
	size_t i;
	json_t *s;
	int64_t at = 0;
	json_array_foreach(steps, i, s) {
		const char *st = json_get_str(s, "state");
		if (st && strcmp(st, state) == 0)
			at = json_integer_value(json_object_get(s, "at"));
	}
	return at;
}

static void steps_box(struct buf *b, const struct sp_str *S, const struct ticket *t)
{
	const char *path[8];
	size_t n = wf__path(t, path, KF_ARRAY_LEN(path));
	if (n == 0)
		return;
	json_t *w = json_loads(t->workflow, 0, NULL), *steps = json_object_get(w, "steps");
	const char *cur = t->workflow_state[0] ? t->workflow_state : path[0];
	size_t at = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(path[i], cur) == 0)
			at = i;
	buf_adds(b, "<section class=\"box\"><h2 class=\"n\">");
	add_text(b, S->steps);
	buf_adds(b, "</h2><ol class=\"steps\">");
	for (size_t i = 0; i < n; i++) {
		buf_addf(b, "<li class=\"%s\"%s>", i < at ? "done" : i == at ? "cur" : "todo",
			 i == at ? " aria-current=\"step\"" : "");
		buf_adds(b, "<span class=\"st\">");
		add_text(b, wf_state_text(path[i], S->lang));
		buf_adds(b, "</span>");
		int64_t when = i <= at ? step_at(steps, path[i]) : 0;
		if (when) {
			buf_adds(b, " <span class=\"n\">");
			add_time(b, when);
			buf_adds(b, "</span>");
		}
		buf_adds(b, "</li>");
	}
	buf_adds(b, "</ol></section>");
	json_decref(w);
}

struct thread_ctx {
	struct buf *b;
	const struct sp_str *S;
	int n, cut;
};

static int thread_msg(void *ud, const struct store_flow_msg *m)
{
	struct thread_ctx *c = ud;
	if (c->b->len > SP_THREAD_BUDGET) {
		c->cut = 1;
		return 1;
	}
	char *shown = xmalloc(SP_MSG_SHOWN + 1);
	size_t n = utf8_copy(shown, SP_MSG_SHOWN + 1, m->body);
	int mine = strcmp(m->author_kind, "customer") == 0;
	buf_adds(c->b, "<div class=\"m\"><span class=\"badge\">");
	add_text(c->b, mine ? c->S->you : c->S->agent);
	buf_adds(c->b, "</span> <span class=\"n\">");
	add_time(c->b, m->created_at);
	buf_adds(c->b, "</span><p>");
	add_text(c->b, shown);
	if (m->body[n])
		buf_adds(c->b, "…");
	buf_adds(c->b, "</p></div>");
	free(shown);
	c->n++;
	return 0;
}

static void thread_box(struct http_req *r, struct buf *b, const struct sp_str *S, const struct ticket *t,
		       const char *token)
{
	struct thread_ctx c = { b, S, 0, 0 };
	buf_adds(b, "<section class=\"box\"><h2 class=\"n\">");
	add_text(b, S->thread);
	buf_adds(b, "</h2>");
	store_flow_public_thread(app_of(r)->st, t->id, SP_THREAD_MAX, thread_msg, &c);
	if (!c.n || c.cut) {
		buf_adds(b, c.cut ? "<p class=\"n more\">" : "<p class=\"n\">");
		add_text(b, c.cut ? S->more : S->none);
		buf_adds(b, "</p>");
	}
	buf_addf(b, "<form method=\"post\" action=\"/t/%lld/reply\"><input type=\"hidden\" name=\"k\" value=\"",
		 (long long)t->id);
	add_text(b, token);
	buf_addf(b, "\"><input type=\"hidden\" name=\"lang\" value=\"%s\"><textarea name=\"body\" required "
		 "maxlength=\"%d\" placeholder=\"", S->lang, SP_REPLY_MAX);
	add_text(b, S->reply);
	buf_adds(b, "\"></textarea><button type=\"submit\">");
	add_text(b, S->send);
	buf_adds(b, "</button></form></section>");
}

static void render(struct http_req *r, const struct ticket *t, const char *token)
{
	json_t *w = json_loads(t->workflow, 0, NULL);
	const struct sp_str *S = str_for(ticket_lang(r, json_get_str(w, "lang")));
	json_decref(w);
	struct buf b;
	buf_init(&b, SP_PAGE_MAX);
	page_open(&b, S, S->title);
	buf_addf(&b, "<p class=\"n\">%s · #%lld</p><h1>", S->title, (long long)t->id);
	add_text(&b, t->subject);
	buf_adds(&b, "</h1><p>");
	add_text(&b, S->status);
	buf_adds(&b, ": <strong class=\"status\">");
	add_text(&b, status_text(S, t->status));
	buf_adds(&b, "</strong></p>");
	steps_box(&b, S, t);
	thread_box(r, &b, S, t, token);
	send_page(r, &b, 200);
}

/* The ticket of :id when token opens it: 0, or 1 after a 404/429 page. */
static int open_ticket(struct http_req *r, const char *token, struct ticket *t)
{
	int64_t id, now = time_now_s();
	const char *p = http_param(r, 0);
	if (!token_rl)
		token_rl = ratelimit_new(SP_FAILS, SP_WINDOW_S);
	if (ratelimit_check(token_rl, r->client_ip, now)) {
		http_reply_error(r, 429, "rate_limited", "too many wrong links; try again later");
		return 1;
	}
	if (!p || parse_i64(p, strlen(p), &id) != 0 || id <= 0 || !token || strlen(token) != TICKET_TOKEN_LEN ||
	    !ticket_token_ok(app_of(r), id, token) || ticket_get(app_of(r), id, t) != 0) {
		ratelimit_hit(token_rl, r->client_ip, now);
		not_found(r, ticket_lang(r, NULL));
		return 1;
	}
	return 0;
}

static void h_page(struct http_req *r)
{
	struct ticket *t = xmalloc(sizeof(*t));
	const char *k = http_query(r, "k");
	if (open_ticket(r, k, t) == 0)
		render(r, t, k);
	free(t);
}

static void h_reply(struct http_req *r)
{
	struct ticket *t = xmalloc(sizeof(*t));
	const char *k = http_form(r, "k"), *body = http_form(r, "body"), *lang = http_form(r, "lang");
	char loc[200];
	if (open_ticket(r, k, t) != 0)
		goto out;
	if (!reply_rl)
		reply_rl = ratelimit_new(SP_REPLIES, SP_REPLIES_WINDOW_S);
	if (ratelimit_check(reply_rl, r->client_ip, time_now_s())) {
		http_reply_error(r, 429, "rate_limited", "too many replies; try again later");
		goto out;
	}
	ratelimit_hit(reply_rl, r->client_ip, time_now_s());
	if (!body || !*body || strlen(body) > SP_REPLY_MAX) {
		http_reply_error(r, 422, "invalid_field", "body: 1 to 10000 bytes of text");
		goto out;
	}
	struct ticket_msg_new m = { .ticket_id = t->id, .kind = "public", .author_kind = "customer",
				    .author_name = t->requester_name, .author_email = t->requester_email,
				    .body = body };
	if (ticket_add_message(app_of(r), &m, NULL) != 0) {
		http_reply_error(r, 500, "internal", "could not add the message");
		goto out;
	}
	/* back to the page (POST-redirect-GET: a reload does not send the reply twice) */
	lang = lang ? wf_lang(lang, strlen(lang)) : NULL;
	snprintf(loc, sizeof(loc), "/t/%lld?k=%s%s%s", (long long)t->id, k, lang ? "&lang=" : "", lang ? lang : "");
	http_add_header(r, "Location", loc);
	http_add_header(r, "Cache-Control", "no-store");
	http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
out:
	free(t);
}

static const struct route routes[] = {
	{ M_GET, "/t/:id", h_page, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_POST, "/t/:id/reply", h_reply, 0, ACCESS_PUBLIC, NULL, "api", NULL },
};

void wf_status_page_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}

void wf__status_page_shutdown(void)
{
	ratelimit_free(token_rl);
	ratelimit_free(reply_rl);
	token_rl = reply_rl = NULL;
}
