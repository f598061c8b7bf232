/* ticket/forms_page.c - the hosted form page GET /f/<id> and the widget's list of a site's forms.
 * The page is built on the server in the visitor's language (zh-CN / zh-TW / en, from ?lang= or
 * Accept-Language), every stored string escaped with buf_add_html, small enough for a phone and
 * allowed in an <iframe> on the site's own origins (frame-ancestors). It posts with a few lines
 * of script (nonce-locked by its CSP) so the visitor stays on the page and sees the ticket
 * number; the browser's own checks (required, type=email, maxlength) run first, and the server
 * checks everything again (forms_submit.c). It carries a signed time stamp (spam's time check)
 * and a honeypot field that people never see. */
#include "ticket/forms.h"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat_int.h"   /* chat_origin_allowed: the widget's cross-origin rule, shared */
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_form.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pstr {
	const char *submit, *choose, *files, *received, *number, *track, *not_found, *hp;
	/* what the script shows for the server's error reasons */
	const char *required, *format, *option, *too_long, *order, *file_type, *file_size, *too_many, *try_again,
		*rate_limited, *failed;
};

static const struct pstr STR[3] = {
	{ "提交", "请选择", "图片或 PDF，最多 3 个，每个不超过 5 MB", "已收到您的请求。", "工单号：", "查看处理进度",
	  "表单不存在或已停用", "请勿填写此项", "请填写此项", "格式不正确", "请从列表中选择", "内容太长",
	  "找不到该订单，或订单与您填写的邮箱 / 电话不符", "只接受图片或 PDF 文件", "文件太大（每个不超过 5 MB）",
	  "文件太多（最多 3 个）", "请稍后重新提交", "提交太频繁，请稍后再试", "提交失败，请重试" },
	{ "送出", "請選擇", "圖片或 PDF，最多 3 個，每個不超過 5 MB", "已收到您的請求。", "工單號：", "查看處理進度",
	  "表單不存在或已停用", "請勿填寫此項", "請填寫此項", "格式不正確", "請從清單中選擇", "內容太長",
	  "找不到該訂單，或訂單與您填寫的電郵 / 電話不符", "只接受圖片或 PDF 檔案", "檔案太大（每個不超過 5 MB）",
	  "檔案太多（最多 3 個）", "請稍後重新送出", "送出太頻繁，請稍後再試", "送出失敗，請重試" },
	{ "Submit", "Choose…", "Images or PDF, up to 3 files of 5 MB each", "We have received your request.",
	  "Ticket number: ", "Track its progress", "This form is not available", "Leave this empty",
	  "Please fill this in", "This does not look right", "Please choose from the list", "Too long",
	  "No such order, or it does not match your e-mail / phone", "Only images and PDF files",
	  "The file is too large (5 MB each at most)", "Too many files (3 at most)", "Please try again",
	  "Too many submissions; please try again later", "Could not send; please try again" },
};

#define CSS "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'PingFang SC'," \
	    "'Microsoft YaHei',sans-serif;color:#1f2328;background:#f6f8fa}main{max-width:640px;margin:0 auto;" \
	    "padding:16px}h1{font-size:1.4em;margin:.2em 0 .5em}.intro{white-space:pre-wrap;color:#57606a}" \
	    ".f{margin:0 0 14px}label{display:block;font-weight:600;margin:0 0 4px}.req{color:#cf222e}" \
	    "input,select,textarea{width:100%;font:inherit;padding:8px 10px;border:1px solid #d0d7de;" \
	    "border-radius:6px;background:#fff}textarea{min-height:120px}input[type=file]{padding:6px}" \
	    ".hint{font-size:.85em;color:#57606a}.err{color:#cf222e;font-size:.9em;margin:4px 0 0}" \
	    "button{font:inherit;padding:10px 22px;border:0;border-radius:6px;background:#1f6feb;color:#fff;" \
	    "cursor:pointer}button:disabled{opacity:.6}.hp{position:absolute;left:-10000px;width:1px;height:1px;" \
	    "overflow:hidden}#kf-done{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:16px}" \
	    ".num{font-size:1.3em;font-weight:700}"

/* The script: posts the form, shows the ticket number or points at the field at fault. */
#define JS "(function(){var f=document.getElementById('kf-form'),d=document.getElementById('kf-done')," \
	   "g=document.getElementById('kf-err'),b=f.querySelector('button[type=submit]')," \
	   "M=JSON.parse(document.getElementById('kf-msg').textContent);" \
	   "function show(e){var t=document.getElementById('e-'+e.field),m=M[e.reason]||M.failed;" \
	   "if(t){t.textContent=m;t.hidden=false;var i=document.getElementById('f-'+e.field);if(i)i.focus()}" \
	   "else{g.textContent=m;g.hidden=false}}" \
	   "f.addEventListener('submit',function(ev){ev.preventDefault();b.disabled=true;g.hidden=true;" \
	   "f.querySelectorAll('.err').forEach(function(x){x.hidden=true});" \
	   "fetch(f.action,{method:'POST',body:new FormData(f),credentials:'omit'}).then(function(r){" \
	   "return r.json().then(function(j){return[r.status,j]})}).then(function(a){b.disabled=false;" \
	   "var j=a[1];if(a[0]!==201){show(j.error||{});return}f.hidden=true;d.hidden=false;" \
	   "if(j.message)d.querySelector('.msg').textContent=j.message;if(j.ticket){" \
	   "d.querySelector('.num').textContent='#'+j.ticket.id;d.querySelector('.tn').hidden=false;" \
	   "var l=d.querySelector('a');l.href=j.status_url;l.hidden=false}" \
	   "}).catch(function(){b.disabled=false;show({})})})})();"

static void add_text(struct buf *b, const char *s)
{
	buf_add_html(b, s, strlen(s));
}

/* The reasons' texts as JSON for the script; '<' escaped so it cannot end the script block. */
static void messages_json(struct buf *b, const struct pstr *S)
{
	json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "required", S->required, "format",
			      S->format, "option", S->option, "too_long", S->too_long, "order", S->order, "file_type",
			      S->file_type, "file_size", S->file_size, "too_many_files", S->too_many, "try_again",
			      S->try_again, "rate_limited", S->rate_limited, "failed", S->failed);
	char *t = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	for (const char *p = t ? t : "{}"; *p; p++)
		if (*p == '<')
			buf_adds(b, "\\u003c");
		else
			buf_addc(b, *p);
	free(t);
}

/* One field's label, control and error line. */
static void field_html(struct buf *b, const json_t *f, const struct pstr *S)
{
	const char *key = json_get_str(f, "key"), *type = json_get_str(f, "type");
	int req = json_is_true(json_object_get(f, "required"));
	json_int_t ml = json_integer_value(json_object_get(f, "max_length"));
	buf_adds(b, "<div class=\"f\"><label for=\"f-");
	add_text(b, key);
	buf_adds(b, "\">");
	add_text(b, json_get_str(f, "label"));
	buf_adds(b, req ? " <span class=\"req\" aria-hidden=\"true\">*</span></label>" : "</label>");
	if (strcmp(type, "textarea") == 0) {
		buf_adds(b, "<textarea");
	} else if (strcmp(type, "select") == 0) {
		buf_adds(b, "<select");
	} else {
		const char *it = strcmp(type, "email") == 0 ? "email" : strcmp(type, "phone") == 0 ? "tel"
							    : strcmp(type, "file") == 0  ? "file" : "text";
		buf_addf(b, "<input type=\"%s\"", it);
		if (strcmp(type, "file") == 0)
			buf_adds(b, " accept=\"image/*,application/pdf\" multiple");
		if (strcmp(type, "email") == 0)
			buf_adds(b, " autocomplete=\"email\"");
	}
	buf_adds(b, " id=\"f-");
	add_text(b, key);
	buf_adds(b, "\" name=\"");
	add_text(b, key);
	buf_addc(b, '"');
	if (ml && strcmp(type, "select") != 0)
		buf_addf(b, " maxlength=\"%lld\"", (long long)ml);
	buf_adds(b, req ? " required>" : ">");
	if (strcmp(type, "textarea") == 0)
		buf_adds(b, "</textarea>");
	if (strcmp(type, "select") == 0) {
		size_t i;
		const json_t *o;
		buf_adds(b, "<option value=\"\">");
		add_text(b, S->choose);
		buf_adds(b, "</option>");
		json_array_foreach(json_object_get(f, "options"), i, o) {
			buf_adds(b, "<option>");
			add_text(b, json_string_value(o));
			buf_adds(b, "</option>");
		}
		buf_adds(b, "</select>");
	}
	if (strcmp(type, "file") == 0) {
		buf_adds(b, "<div class=\"hint\">");
		add_text(b, S->files);
		buf_adds(b, "</div>");
	}
	buf_adds(b, "<p class=\"err\" role=\"alert\" hidden id=\"e-");
	add_text(b, key);
	buf_adds(b, "\"></p></div>");
}

static void page_head(struct buf *b, int lang, const char *title)
{
	buf_adds(b, "<!doctype html><html lang=\"");
	add_text(b, forms__langs[lang]);
	buf_adds(b, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
		    "initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>");
	add_text(b, title);
	buf_adds(b, "</title><style>" CSS "</style></head><body><main>");
}

/* The form itself: fields, the hidden stamp, language and honeypot, and the answer area. */
static void page_form(struct http_req *r, struct buf *b, const struct store_form *f, const json_t *fields, int lang,
		      const char *nonce)
{
	const struct pstr *S = &STR[lang];
	char stamp[64];
	size_t i;
	const json_t *fd;
	buf_adds(b, "<h1>");
	add_text(b, f->title[0] ? f->title : f->name);
	buf_adds(b, "</h1>");
	if (f->intro[0]) {
		buf_adds(b, "<p class=\"intro\">");
		add_text(b, f->intro);
		buf_adds(b, "</p>");
	}
	buf_addf(b, "<form id=\"kf-form\" method=\"post\" action=\"/api/v1/forms/%lld/submit\" "
		    "enctype=\"multipart/form-data\">", (long long)f->id);
	json_array_foreach(fields, i, fd)
		field_html(b, fd, S);
	forms__stamp(app_of(r), f->id, time_now_s(), stamp);
	buf_addf(b, "<input type=\"hidden\" name=\"_kf_ts\" value=\"%s\"><input type=\"hidden\" name=\"_kf_lang\" "
		    "value=\"%s\"><div class=\"hp\" aria-hidden=\"true\"><label>", stamp, forms__langs[lang]);
	add_text(b, S->hp);
	buf_adds(b, "<input name=\"_kf_hp\" tabindex=\"-1\" autocomplete=\"off\"></label></div>"
		    "<p class=\"err\" role=\"alert\" hidden id=\"kf-err\"></p><button type=\"submit\">");
	add_text(b, S->submit);
	buf_adds(b, "</button></form><div id=\"kf-done\" role=\"status\" hidden><p class=\"msg\">");
	add_text(b, f->success_message[0] ? f->success_message : S->received);
	buf_adds(b, "</p><p class=\"tn\" hidden>");
	add_text(b, S->number);
	buf_adds(b, "<span class=\"num\"></span></p><p><a hidden target=\"_blank\" rel=\"noopener\">");
	add_text(b, S->track);
	buf_addf(b, "</a></p></div><script type=\"application/json\" id=\"kf-msg\">");
	messages_json(b, S);
	buf_addf(b, "</script><script nonce=\"%s\">" JS "</script>", nonce);
}

/* frame-ancestors: the site's own origins when it lists them (the widget's rule), else anyone. */
static void csp(struct http_req *r, const struct store_site *s, const char *nonce)
{
	struct buf c;
	buf_init(&c, 2048);
	buf_addf(&c, "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-%s'; connect-src 'self'; "
		     "form-action 'self'; base-uri 'none'; frame-ancestors ", nonce);
	int any = 0;
	for (const char *p = s->origins; *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		int clean = n > 0;
		for (size_t i = 0; i < n; i++)   /* an origin is scheme://host[:port]: nothing else may pass */
			clean &= (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
				 strchr(".-:/[]", p[i]) != NULL;
		if (clean) {
			buf_addf(&c, "%s%.*s", any ? " " : "'self' ", (int)n, p);
			any = 1;
		}
		p += n;
	}
	if (!any)
		buf_adds(&c, "*");
	http_add_header(r, "Content-Security-Policy", c.err ? "default-src 'none'" : c.ptr);
	buf_release(&c);
}

static void send_page(struct http_req *r, int status, struct buf *b)
{
	buf_adds(b, "</main></body></html>\n");
	if (b->err) {
		http_reply_error(r, 500, "too_big", "the page is too large");
		return;
	}
	http_add_header(r, "Cache-Control", "no-store");   /* the stamp is fresh on every load */
	http_add_header(r, "Vary", "Accept-Language");
	http_add_header(r, "Referrer-Policy", "no-referrer");
	http_reply(r, status, "text/html; charset=utf-8", b->ptr, b->len);
}

static void not_found(struct http_req *r, struct buf *b, int lang)
{
	http_add_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
	page_head(b, lang, STR[lang].not_found);
	buf_adds(b, "<h1>");
	add_text(b, STR[lang].not_found);
	buf_adds(b, "</h1>");
	send_page(r, 404, b);
}

/* GET /f/:id[?lang=zh-CN|zh-TW|en] */
static void h_page(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_form *f = xmalloc(sizeof(*f));
	struct store_site s;
	struct buf b;
	json_t *fields = NULL;
	int64_t id;
	int lang = forms__lang(r, http_query(r, "lang"));
	const char *p = http_param(r, 0);
	buf_init(&b, 512 * 1024);
	if (!p || parse_i64(p, strlen(p), &id) || store_form_get(a->st, id, f) != 0 || !f->active ||
	    store_site_get(a->st, f->site_id, &s) != 0 || !(fields = json_loads(f->fields, 0, NULL))) {
		not_found(r, &b, lang);
		goto out;
	}
	unsigned char rnd[16];
	char nonce[33];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(nonce, sizeof(nonce), rnd, sizeof(rnd));
	csp(r, &s, nonce);
	page_head(&b, lang, f->title[0] ? f->title : f->name);
	page_form(r, &b, f, fields, lang, nonce);
	send_page(r, 200, &b);
out:
	json_decref(fields);
	buf_release(&b);
	free(f);
}

static int public_cb(void *ud, const struct store_form *f)
{
	char url[40];
	snprintf(url, sizeof(url), "/f/%lld", (long long)f->id);
	json_array_append_new(ud, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)f->id, "name", f->name, "title",
					    f->title[0] ? f->title : f->name, "url", url));
	return 0;
}

json_t *ticket_forms_public(struct app *a, int64_t site_id)
{
	json_t *arr = json_array();
	if (store_form_each(a->st, site_id, 1, public_cb, arr) != 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* GET /api/v1/forms/public?site=KEY: the widget's "留言/表单" list, the site's active forms. */
static void h_public(struct http_req *r)
{
	struct store_site s;
	const char *key = http_query(r, "site"), *origin = http_header(r, "origin");
	if (!key || store_site_by_key(app_of(r)->st, key, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	if (origin && chat_origin_allowed(&s, origin)) {
		http_add_header(r, "Access-Control-Allow-Origin", origin);
		http_add_header(r, "Vary", "Origin");
	}
	json_t *arr = ticket_forms_public(app_of(r), s.id);
	if (!arr) {
		http_reply_error(r, 500, "internal", "could not read the forms");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "forms", arr));
}

static const struct route routes[] = {
	{ M_GET, "/f/:id", h_page, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/api/v1/forms/public", h_public, 0, ACCESS_PUBLIC, NULL, "api", NULL },
};

void forms__page_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
