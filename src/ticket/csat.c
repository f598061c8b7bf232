/* ticket/csat.c - the satisfaction survey (CSAT): when a ticket is resolved the requester gets an
 * e-mail with five links /s/<ticket>/<rating>?k=<key>. Opening one only shows a page in the
 * customer's language with that rating chosen, a comment box and a Send button; the POST of
 * that form records the answer (a later one replaces it). A GET never records: mail scanners
 * open every link of a mail, and would otherwise leave each survey rated 1 (the last link).
 * The key is an HMAC of the ticket id under a key derived from DATA/secret.key, so links need
 * no table, the database holds no key, and no link can be made up for another ticket; the
 * rating is the customer's choice and needs no signing. */
#include "ticket/sla.h"
#include "ticket/ticket.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "mail/mail.h"
#include "store/store.h"
#include "store/store_sla.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMMENT_MAX 1000            /* bytes kept (cut on a character); the column holds 1023 */
#define COMMENT_CHARS 300           /* the box's maxlength: 300 characters fit 1000 bytes nearly always */
#define PAGE_MAX (16 * 1024)

int csat_token(struct app *a, int64_t id, char *out, size_t outsz)
{
	unsigned char key[32], mac[crypto_auth_hmacsha256_BYTES];
	char msg[40];
	if (outsz < sodium_base64_ENCODED_LEN(sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    app_derive_key(a, "ticket-csat", key))
		return KF_EIO;
	int n = snprintf(msg, sizeof(msg), "csat:%lld", (long long)id);
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, key);
	sodium_bin2base64(out, outsz, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(key, sizeof(key));
	return 0;
}

static int token_ok(struct app *a, int64_t id, const char *k)
{
	char want[64];
	return k && csat_token(a, id, want, sizeof(want)) == 0 && strlen(k) == strlen(want) &&
	       sodium_memcmp(k, want, strlen(want)) == 0;
}

void csat_on_resolved(struct app *a, const struct ticket *t)
{
	struct mail_settings m;
	char key[64], base[300], subject[300];
	if (!t->requester_email[0] || !mail_valid_address(t->requester_email) || app_mail_settings(a, &m) != 0 ||
	    !mail_configured(&m) || csat_token(a, t->id, key, sizeof(key)) != 0)
		return;
	ticket_public_base(a, base, sizeof(base));
	struct buf b;
	buf_init(&b, 8192);
	buf_addf(&b, "您好，您的工单 #%lld「%s」已解决。请为本次服务评分（点击一个数字，在打开的页面上提交）：\n"
		     "Hello, your request #%lld \"%s\" was resolved. How did we do? Pick a number and send it on the page that opens:\n\n",
		 (long long)t->id, t->subject, (long long)t->id, t->subject);
	static const char *const label[] = { "", "1 非常不满意 / very unhappy", "2 不满意 / unhappy", "3 一般 / okay",
					     "4 满意 / happy", "5 非常满意 / very happy" };
	for (int r = 5; r >= 1; r--)
		buf_addf(&b, "%s\n  %s/s/%lld/%d?k=%s\n", label[r], base, (long long)t->id, r, key);
	snprintf(subject, sizeof(subject), "[#%lld] 请评价我们的服务 / How did we do?", (long long)t->id);
	if (!b.err)
		mail_send_async(a->loop, &m, t->requester_email, subject, b.ptr);
	buf_release(&b);
}

/* ---- the public page ---- */

enum { ZH_CN, ZH_TW, EN };   /* in the order of HTML_LANG */
static const char *const HTML_LANG[] = { "zh-CN", "zh-TW", "en" };
static const char *const S_TITLE[] = { "服务满意度", "服務滿意度", "How did we do?" };
static const char *const S_CHOOSE[] = { "请选择评分（1 = 非常不满意，5 = 非常满意），然后提交：",
					"請選擇評分（1 = 非常不滿意，5 = 非常滿意），然後送出：",
					"Your rating (1 = very unhappy, 5 = very happy), then press Send:" };
static const char *const S_THANKS[] = { "感谢您的评价：%d 分（满分 5 分）。", "感謝您的評價：%d 分（滿分 5 分）。",
					"Thank you! You rated us %d of 5." };
static const char *const S_COMMENT[] = { "还有什么想告诉我们的吗？", "還有什麼想告訴我們的嗎？",
					 "Anything else you would like to tell us?" };
static const char *const S_SEND[] = { "提交", "送出", "Send" };
static const char *const S_SAVED[] = { "已收到您的意见，谢谢！", "已收到您的意見，謝謝！",
				       "Your comment was saved. Thank you!" };
static const char *const S_BAD[] = { "链接无效。", "連結無效。", "This link is not valid." };

static int lang_index(const char *lang)
{
	return !strcmp(lang, "en") ? EN : !strcmp(lang, "zh-TW") ? ZH_TW : ZH_CN;
}

static void page(struct http_req *r, int status, int lang, const char *body_html)
{
	struct buf b;
	buf_init(&b, PAGE_MAX);
	buf_addf(&b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
		     "content=\"width=device-width,initial-scale=1\"><meta name=\"robots\" content=\"noindex\">"
		     "<title>%s</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32em;margin:2em auto;"
		     "padding:0 1em}textarea{width:100%%;min-height:6em}fieldset{border:0;padding:0}label.r{display:"
		     "inline-block;margin:.2em;padding:.3em .7em;border:1px solid #ccc;border-radius:4px}</style></head>"
		     "<body><h1>%s</h1>%s</body></html>",
		 HTML_LANG[lang], S_TITLE[lang], S_TITLE[lang], body_html);
	http_add_header(r, "Cache-Control", "no-store");
	http_add_header(r, "Referrer-Policy", "no-referrer");   /* the key is in the URL */
	http_add_header(r, "X-Robots-Tag", "noindex");
	if (b.err)
		http_reply_error(r, 500, "internal", "the page did not fit");
	else
		http_reply(r, status, "text/html; charset=utf-8", b.ptr, b.len);
	buf_release(&b);
}

/* The :id/:rating of the path with a valid key: 0, or 1 after the "not valid" page. */
static int survey_args(struct http_req *r, const char *k, int lang, int64_t *id, int *rating)
{
	const char *ps = http_param(r, 0), *rs = http_param(r, 1);
	int64_t rv = 0;
	struct ticket *t = malloc(sizeof(*t));
	int ok = t && ps && rs && parse_i64(ps, strlen(ps), id) == 0 && parse_i64(rs, strlen(rs), &rv) == 0 && rv >= 1 &&
		 rv <= 5 && ticket_get(app_of(r), *id, t) == 0 && token_ok(app_of(r), *id, k);
	free(t);
	if (!ok) {
		char msg[128];
		snprintf(msg, sizeof(msg), "<p>%s</p>", S_BAD[lang]);
		page(r, 404, lang, msg);
		return 1;
	}
	*rating = (int)rv;
	return 0;
}

/* The form: the five ratings (rating chosen), the comment box and Send. thanks: the answer was
 * just recorded (saved: with a comment). */
static void survey_page(struct http_req *r, int lang, int64_t id, int rating, const char *k, const char *comment,
			int thanks, int saved)
{
	struct buf b;
	buf_init(&b, PAGE_MAX);
	if (thanks) {
		buf_adds(&b, "<p id=\"thanks\">");
		buf_addf(&b, S_THANKS[lang], rating);
		buf_adds(&b, "</p>");
	}
	if (saved)
		buf_addf(&b, "<p id=\"saved\">%s</p>", S_SAVED[lang]);
	/* k is base64url (checked), safe in attributes as it is */
	buf_addf(&b, "<form method=\"post\" action=\"/s/%lld/%d\"><input type=\"hidden\" name=\"k\" value=\"%s\">"
		     "<input type=\"hidden\" name=\"lang\" value=\"%s\"><fieldset><legend id=\"choose\">%s</legend>",
		 (long long)id, rating, k, HTML_LANG[lang], S_CHOOSE[lang]);
	for (int i = 1; i <= 5; i++)
		buf_addf(&b, "<label class=\"r\"><input type=\"radio\" name=\"rating\" value=\"%d\"%s> %d</label>", i,
			 i == rating ? " checked" : "", i);
	buf_addf(&b, "</fieldset><p><label>%s<br><textarea name=\"comment\" maxlength=\"%d\">", S_COMMENT[lang],
		 COMMENT_CHARS);
	buf_add_html(&b, comment, strlen(comment));
	buf_addf(&b, "</textarea></label></p><p><button type=\"submit\">%s</button></p></form>", S_SEND[lang]);
	page(r, 200, lang, b.err ? "" : b.ptr);
	buf_release(&b);
}

/* GET /s/:id/:rating?k=: the page with that rating chosen; records nothing (see the top). */
static void h_show(struct http_req *r)
{
	const char *k = http_query(r, "k");
	int lang = lang_index(ticket_lang(r, NULL)), rating;
	int64_t id;
	if (survey_args(r, k, lang, &id, &rating))
		return;
	struct ticket *t = malloc(sizeof(*t));
	if (!t || ticket_get(app_of(r), id, t) != 0) {
		free(t);
		http_reply_error(r, 500, "internal", "could not read the ticket");
		return;
	}
	survey_page(r, lang, id, rating, k, t->csat_comment, 0, 0);
	free(t);
}

/* The rating field of the form (1..5), else the path's; 0 for a bad one. */
static int posted_rating(struct http_req *r, int path_rating)
{
	const char *v = http_form(r, "rating");
	int64_t n;
	if (!v)
		return path_rating;
	return parse_i64(v, strlen(v), &n) == 0 && n >= 1 && n <= 5 ? (int)n : 0;
}

/* Records the answer, with a history row when the rating is new or changed. 0 or KF_E*. */
static int record(struct http_req *r, int64_t id, int rating, const char *comment)
{
	struct ticket *t = malloc(sizeof(*t));
	int rc = t ? ticket_get(app_of(r), id, t) : KF_ENOMEM;
	if (!rc)
		rc = store_sla_csat(app_of(r)->st, id, rating, comment ? comment : t->csat_comment, time_now_s());
	if (!rc && t->csat_rating != rating) {   /* the history shows the answer and a change of mind */
		char was[4] = "", now[4];
		if (t->csat_rating)
			snprintf(was, sizeof(was), "%d", t->csat_rating);
		snprintf(now, sizeof(now), "%d", rating);
		ticket_event(app_of(r), id, "csat", was, now, "customer", 0);
	}
	free(t);
	return rc;
}

/* POST /s/:id/:rating (k, rating, comment, lang): records the answer. An absent comment keeps
 * the earlier one. */
static void h_answer(struct http_req *r)
{
	const char *k = http_form(r, "k"), *comment = http_form(r, "comment");
	int rating, lang = lang_index(ticket_lang(r, http_form(r, "lang")));
	int64_t id;
	char cut[COMMENT_MAX + 1];
	if (r->body.len > COMMENT_MAX * 3 + 200 || !k || (comment && strlen(comment) > COMMENT_MAX * 3)) {
		http_reply_error(r, 400, "bad_request", "expected k, a rating and a comment of at most 1000 bytes");
		return;
	}
	if (survey_args(r, k, lang, &id, &rating))
		return;
	if (!(rating = posted_rating(r, rating))) {
		http_reply_error(r, 400, "bad_request", "rating: 1 to 5");
		return;
	}
	if (comment)
		utf8_copy(cut, sizeof(cut), comment);
	if (record(r, id, rating, comment ? cut : NULL) != 0) {
		http_reply_error(r, 500, "internal", "could not save the answer");
		return;
	}
	struct ticket *t = malloc(sizeof(*t));
	if (t && ticket_get(app_of(r), id, t) == 0)
		survey_page(r, lang, id, rating, k, t->csat_comment, 1, comment && *comment);
	else
		http_reply_error(r, 500, "internal", "could not read the ticket");
	free(t);
}

static const struct route routes[] = {
	{ M_GET, "/s/:id/:rating", h_show, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_POST, "/s/:id/:rating", h_answer, 0, ACCESS_PUBLIC, NULL, "static", NULL },
};

void csat_routes(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
