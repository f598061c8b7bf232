/* kb/routes.c - the knowledge base's REST API: categories, articles with revisions and restore,
 * reorder, Markdown preview, JSON/CSV import and export, hot questions, the public helpful
 * vote, and the site's identity secret. Reading is for agents of the site, writing for its
 * supervisors, admins may use any site; an API key needs the kb:read or kb:write scope.
 * Every article write renders the answer again and tells the search index (kb/search.c). */
#include "kb/kb.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "store/store_kb.h"
#include <sodium.h>
#include <uv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KB_QUESTION_CHARS 500
#define KB_ANSWER_BYTES (100 * 1024)
#define KB_ALT_BYTES 4000
#define KB_TAGS 20
#define KB_TAG_BYTES 32
#define KB_RELATED 20
#define KB_SLUG_BYTES 100
#define KB_NAME_CHARS 100
#define KB_DESC_BYTES 1000
#define KB_POSITION_MAX 1000000
#define KB_LIST_MAX 1000
/* An import runs on the event loop: 1000 rows (each a render, a write and an index update)
 * keep one request to a fraction of a second; bigger files go in several requests. */
#define KB_IMPORT_ROWS 1000
#define KB_IMPORT_CATS 1000
#define KB_VOTES_PER_MIN 20

/* ---- who may do what ---- */

/* Admins, and API keys (already checked for the route's scope), may use any site. */
static int kb_admin(const struct http_req *r)
{
	const struct auth_ctx *ctx = auth_of(r);
	return ctx->kind == AUTH_APIKEY || auth_role_level(ctx->user.role) >= ACCESS_ADMIN;
}

static int64_t kb_user(const struct http_req *r)
{
	return auth_of(r)->kind == AUTH_SESSION ? auth_of(r)->user.id : 0;
}

/* The route's role is checked by the authorize hook; this adds "of this site". */
static int site_allowed(struct http_req *r, int64_t site_id)
{
	return kb_admin(r) || store_site_is_member(app_of(r)->st, site_id, kb_user(r)) == 0;
}

static int param_id(struct http_req *r, size_t i, int64_t *id)
{
	const char *p = http_param(r, i);
	return p && parse_i64(p, strlen(p), id) == 0 && *id > 0 ? 0 : KF_EINVAL;
}

/* The :id site of the path: 404 when there is none, 403 when the caller is not one of its people. */
static int load_site(struct http_req *r, int64_t *site_id)
{
	struct store_site s;
	if (param_id(r, 0, site_id) || store_site_get(app_of(r)->st, *site_id, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	if (!site_allowed(r, *site_id)) {
		http_reply_error(r, 403, "forbidden", "you are not a member of this site");
		return 1;
	}
	return 0;
}

/* The :id article, which must belong to one of the caller's sites (else 404, as if absent).
 * On success the caller frees *out. */
static int load_article(struct http_req *r, struct store_kb_article *out)
{
	int64_t id;
	if (param_id(r, 0, &id) || store_kb_article_get(app_of(r)->st, id, out) != 0) {
		http_reply_error(r, 404, "not_found", "no such article");
		return 1;
	}
	if (!site_allowed(r, out->site_id)) {
		store_kb_article_free(out);
		http_reply_error(r, 404, "not_found", "no such article");
		return 1;
	}
	return 0;
}

static int load_category(struct http_req *r, struct store_kb_category *out)
{
	int64_t id;
	if (param_id(r, 0, &id) || store_kb_category_get(app_of(r)->st, id, out) != 0 ||
	    !site_allowed(r, out->site_id)) {
		http_reply_error(r, 404, "not_found", "no such category");
		return 1;
	}
	return 0;
}

/* ---- small validators ---- */

static int ok_lang(const char *s)
{
	return s && (strcmp(s, "zh-CN") == 0 || strcmp(s, "zh-TW") == 0 || strcmp(s, "en") == 0);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Slugs go into help-centre URLs: lowercase ASCII letters, digits, '-' and '_'. */
static int ok_slug(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= KB_SLUG_BYTES && s[0] != '-' && s[0] != '_' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* ASCII slug of a name: letters and digits lowercased, other runs become one '-'. Chinese
 * names give "" and the store then names the row "c-<id>" / "a-<id>". */
static void slugify(const char *name, char *out, size_t outsz)
{
	size_t n = 0;
	int dash = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && n + 2 < outsz && n < 80; p++) {
		int c = *p >= 'A' && *p <= 'Z' ? *p + 32 : *p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n)
				out[n++] = '-';
			out[n++] = (char)c;
			dash = 0;
		} else {
			dash = 1;
		}
	}
	out[n] = '\0';
}

static int ok_vis(const char *s)
{
	return s && (strcmp(s, "public") == 0 || strcmp(s, "members") == 0 || strcmp(s, "internal") == 0);
}

static int ok_status(const char *s)
{
	return s && (strcmp(s, "draft") == 0 || strcmp(s, "published") == 0);
}

static int int_field(json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return KF_EINVAL;
	*out = json_integer_value(v);
	return 0;
}

/* null / 0 / an id */
static int id_field(json_t *v, int64_t *out)
{
	if (json_is_null(v)) {
		*out = 0;
		return 0;
	}
	return int_field(v, 0, INT64_MAX, out);
}

/* ---- JSON out ---- */

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static json_t *category_json(const struct store_kb_category *c)
{
	return json_pack("{s:I,s:I,s:o,s:s,s:s,s:s,s:s,s:i,s:I}", "id", (json_int_t)c->id, "site_id",
			 (json_int_t)c->site_id, "parent_id", id_or_null(c->parent_id), "lang", c->lang, "name", c->name,
			 "slug", c->slug, "description", c->description, "position", c->position, "created_at",
			 (json_int_t)c->created_at);
}

/* An article as the API shows it; the long texts only when they were loaded. */
static json_t *article_json(const struct store_kb_article *x, int texts)
{
	json_t *o = json_pack("{s:I,s:I,s:o,s:s,s:o,s:s,s:s,s:o,s:s,s:s,s:i}", "id", (json_int_t)x->id, "site_id",
			      (json_int_t)x->site_id, "category_id", id_or_null(x->category_id), "lang", x->lang,
			      "translation_of", id_or_null(x->translation_of), "slug", x->slug, "question", x->question,
			      "tags", json_words(x->tags), "visibility", x->visibility, "status", x->status, "position",
			      x->position);
	json_object_set_new(o, "views", json_integer(x->views));
	json_object_set_new(o, "helpful", json_integer(x->helpful));
	json_object_set_new(o, "unhelpful", json_integer(x->unhelpful));
	json_object_set_new(o, "rev", json_integer(x->rev));
	json_object_set_new(o, "created_by", id_or_null(x->created_by));
	json_object_set_new(o, "updated_by", id_or_null(x->updated_by));
	json_object_set_new(o, "created_at", json_integer(x->created_at));
	json_object_set_new(o, "updated_at", json_integer(x->updated_at));
	if (texts) {
		json_object_set_new(o, "alt_questions", json_string(x->alt_questions ? x->alt_questions : ""));
		json_object_set_new(o, "answer_md", json_string(x->answer_md ? x->answer_md : ""));
		json_object_set_new(o, "answer_html", json_string(x->answer_html ? x->answer_html : ""));
	}
	return o;
}

static int tr_to_array(void *ud, const struct store_kb_article *x)
{
	json_array_append_new(ud, json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)x->id, "lang", x->lang, "slug",
					    x->slug, "question", x->question, "status", x->status));
	return 0;
}

/* The whole article with its related ids and its translations. */
static json_t *article_full_json(struct app *a, const struct store_kb_article *x)
{
	int64_t ids[KB_RELATED];
	size_t n = 0;
	json_t *o = article_json(x, 1), *rel = json_array(), *tr = json_array();
	store_kb_related(a->st, x->id, ids, KB_RELATED, &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rel, json_integer(ids[i]));
	store_kb_translations(a->st, x->id, tr_to_array, tr);
	json_object_set_new(o, "related", rel);
	json_object_set_new(o, "translations", tr);
	return o;
}

/* ---- article fields in ---- */

struct art_in {
	struct store_kb_article art;   /* texts are heap strings owned here */
	int64_t related[KB_RELATED];
	size_t nrelated;
	int has_related;
};

static void art_in_free(struct art_in *in)
{
	store_kb_article_free(&in->art);
}

static void set_text(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static const char *alt_field(json_t *v, char **out)
{
	const char *bad = "alt_questions: a string (one per line) or an array of strings, at most 4000 bytes";
	struct buf b;
	size_t i;
	json_t *e;
	if (json_is_string(v)) {
		if (json_string_length(v) > KB_ALT_BYTES)
			return bad;
		set_text(out, json_string_value(v));
		return NULL;
	}
	if (!json_is_array(v) || json_array_size(v) > 50)
		return bad;
	buf_init(&b, KB_ALT_BYTES);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || strchr(json_string_value(e), '\n'))
			break;
		buf_addf(&b, "%s%s", i ? "\n" : "", json_string_value(e));
	}
	if (i < json_array_size(v) || b.err) {
		buf_release(&b);
		return bad;
	}
	set_text(out, b.ptr);
	buf_release(&b);
	return NULL;
}

static int ok_tag(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= KB_TAG_BYTES && !strpbrk(s, " \t\r\n");
}

static const char *tags_field(json_t *v, char *out, size_t outsz)
{
	size_t i;
	json_t *e;
	out[0] = '\0';
	if (!json_is_array(v) || json_array_size(v) > KB_TAGS)
		return "tags: at most 20 words of 1-32 bytes without spaces";
	json_array_foreach(v, i, e) {
		const char *s = json_string_value(e);
		size_t l = strlen(out);
		if (!s || !ok_tag(s) || l + strlen(s) + 2 > outsz)
			return "tags: at most 20 words of 1-32 bytes without spaces";
		snprintf(out + l, outsz - l, "%s%s", l ? " " : "", s);
	}
	return NULL;
}

static const char *related_field(json_t *v, struct art_in *in)
{
	size_t i;
	json_t *e;
	if (!json_is_array(v) || json_array_size(v) > KB_RELATED)
		return "related: at most 20 article ids";
	in->nrelated = 0;
	json_array_foreach(v, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) <= 0)
			return "related: at most 20 article ids";
		in->related[in->nrelated++] = json_integer_value(e);
	}
	in->has_related = 1;
	return NULL;
}

static const char *string_fields(json_t *j, struct store_kb_article *x)
{
	json_t *v;
	if ((v = json_object_get(j, "lang")) && !ok_lang(json_string_value(v)))
		return "lang: zh-CN, zh-TW or en";
	if (v)
		snprintf(x->lang, sizeof(x->lang), "%s", json_string_value(v));
	if ((v = json_object_get(j, "slug")) && (!json_is_string(v) || (json_string_length(v) && !ok_slug(json_string_value(v)))))
		return "slug: 1-100 of a-z 0-9 - _ (or empty for an automatic one)";
	if (v)
		snprintf(x->slug, sizeof(x->slug), "%s", json_string_value(v));
	if ((v = json_object_get(j, "question")) &&
	    (!json_is_string(v) || !json_string_length(v) || utf8_chars(json_string_value(v)) > KB_QUESTION_CHARS))
		return "question: 1-500 characters";
	if (v)
		utf8_copy(x->question, sizeof(x->question), json_string_value(v));
	if ((v = json_object_get(j, "visibility")) && !ok_vis(json_string_value(v)))
		return "visibility: public, members or internal";
	if (v)
		snprintf(x->visibility, sizeof(x->visibility), "%s", json_string_value(v));
	if ((v = json_object_get(j, "status")) && !ok_status(json_string_value(v)))
		return "status: draft or published";
	if (v)
		snprintf(x->status, sizeof(x->status), "%s", json_string_value(v));
	return NULL;
}

/* Copies the fields present in j into in (a patch over what is there); NULL or what is wrong. */
static const char *article_fields(json_t *j, struct art_in *in)
{
	struct store_kb_article *x = &in->art;
	json_t *v;
	int64_t n;
	const char *bad = string_fields(j, x);
	if (bad)
		return bad;
	if ((v = json_object_get(j, "answer_md")) && (!json_is_string(v) || json_string_length(v) > KB_ANSWER_BYTES))
		return "answer_md: at most 100 KB of Markdown";
	if (v)
		set_text(&x->answer_md, json_string_value(v));
	if ((v = json_object_get(j, "alt_questions")) && (bad = alt_field(v, &x->alt_questions)) != NULL)
		return bad;
	if ((v = json_object_get(j, "tags")) && (bad = tags_field(v, x->tags, sizeof(x->tags))) != NULL)
		return bad;
	if ((v = json_object_get(j, "related")) && (bad = related_field(v, in)) != NULL)
		return bad;
	if ((v = json_object_get(j, "position")) && int_field(v, 0, KB_POSITION_MAX, &n))
		return "position: 0-1000000";
	if (v)
		x->position = (int)n;
	if ((v = json_object_get(j, "category_id")) && id_field(v, &x->category_id))
		return "category_id: null or a category id";
	if ((v = json_object_get(j, "translation_of")) && id_field(v, &x->translation_of))
		return "translation_of: null or an article id";
	return NULL;
}

/* Checks the references of an article against its site and language: the category must be
 * the site's in the same language; a translation joins the group of its original (the
 * group's first article) in another language; related articles must be the site's. */
static int points_here(void *ud, const struct store_kb_article *o)
{
	return o->translation_of == *(int64_t *)ud;
}

/* A group holds one article per language: does a member other than self speak lang? */
struct lang_clash {
	const char *lang;
	int64_t self;
};

static int lang_taken(void *ud, const struct store_kb_article *o)
{
	const struct lang_clash *k = ud;
	return o->id != k->self && strcmp(o->lang, k->lang) == 0;
}

static const char *article_refs(struct app *a, struct art_in *in)
{
	struct store_kb_article *x = &in->art;
	if (x->category_id) {
		struct store_kb_category c;
		if (store_kb_category_get(a->st, x->category_id, &c) != 0 || c.site_id != x->site_id)
			return "category_id: no such category on this site";
		if (strcmp(c.lang, x->lang) != 0)
			return "category_id: the category is in another language";
	}
	if (x->translation_of) {
		struct store_kb_article o;
		if (x->translation_of == x->id || store_kb_article_get(a->st, x->translation_of, &o) != 0)
			return "translation_of: no such article";
		int64_t root = o.translation_of ? o.translation_of : o.id;
		int same = o.site_id != x->site_id || strcmp(o.lang, x->lang) == 0;
		store_kb_article_free(&o);
		if (same)
			return "translation_of: an article of this site in another language";
		x->translation_of = root == x->id ? 0 : root;
		struct lang_clash k = { x->lang, x->id };
		if (x->translation_of && store_kb_translations(a->st, root, lang_taken, &k) == 1)
			return "translation_of: the group already has an article in this language";
		/* the group is one lookup (everyone points at its first article), so no chains */
		if (x->translation_of && x->id && store_kb_translations(a->st, x->id, points_here, &x->id) == 1)
			return "translation_of: other translations point at this article; link them instead";
	}
	for (size_t i = 0; in->has_related && i < in->nrelated; i++) {
		struct store_kb_article o;
		if (in->related[i] == x->id || store_kb_article_get(a->st, in->related[i], &o) != 0)
			return "related: no such article";
		int other = o.site_id != x->site_id;
		store_kb_article_free(&o);
		if (other)
			return "related: articles of this site only";
	}
	return NULL;
}

static void article_defaults(struct store_kb_article *x, int64_t site_id)
{
	memset(x, 0, sizeof(*x));
	x->site_id = site_id;
	snprintf(x->visibility, sizeof(x->visibility), "public");
	snprintf(x->status, sizeof(x->status), "draft");
	x->alt_questions = xstrdup("");
	x->answer_md = xstrdup("");
}

/* Renders, stores (create when x->id is 0), sets the related list and updates the index. */
static int article_save(struct app *a, struct art_in *in, int64_t user_id)
{
	struct store_kb_article *x = &in->art;
	struct buf html;
	buf_init(&html, 4 * 1024 * 1024);
	int rc = kb_render_markdown(x->answer_md, &html);
	if (rc) {
		buf_release(&html);
		return rc;
	}
	free(x->answer_html);
	x->answer_html = buf_detach(&html, NULL);
	rc = x->id ? store_kb_article_update(a->st, x, user_id) : store_kb_article_create(a->st, x, user_id);
	if (rc == 0 && in->has_related)
		rc = store_kb_related_set(a->st, x->id, in->related, in->nrelated);
	if (rc == 0 && kb_index_article(a, x->id) != 0)
		log_warn("kb: could not index article %lld", (long long)x->id);
	return rc;
}

static void reply_save_error(struct http_req *r, int rc)
{
	if (rc == KF_EEXIST)
		http_reply_error(r, 409, "slug_taken", "another article of this site and language has this slug");
	else
		http_reply_error(r, 500, "internal", "could not save the article");
}

/* ---- articles ---- */

struct list {
	struct http_req *r;
	json_t *arr;
	int64_t category_id;
	const char *lang, *status, *q;
};

static int list_item(void *ud, const struct store_kb_article *x)
{
	json_array_append_new(((struct list *)ud)->arr, article_json(x, 0));
	return 0;
}

static int list_limit(struct http_req *r, const char *name, int dflt, int max, int *out)
{
	const char *v = http_query(r, name);
	int64_t n = dflt;
	if (v && *v && (parse_i64(v, strlen(v), &n) || n < 0 || n > max))
		return KF_EINVAL;
	*out = (int)n;
	return 0;
}

/* Drafts are not in the search index, so an editor looking for one by words finds it by
 * its question or slug containing the text. */
static int draft_match(void *ud, const struct store_kb_article *x)
{
	struct list *l = ud;
	if (strcmp(x->status, "published") != 0 && (strstr(x->question, l->q) || strstr(x->slug, l->q)))
		json_array_append_new(l->arr, article_json(x, 0));
	return 0;
}

/* q: the search's ranking for published articles (filtered as asked), then matching drafts. */
static void list_search(struct app *a, int64_t site_id, struct list *l)
{
	struct kb_hit hits[50];
	size_t n = 0;
	if (!*l->status || strcmp(l->status, "published") == 0)
		kb_search(a, site_id, l->lang, l->q, KB_INTERNAL, NULL, hits, KF_ARRAY_LEN(hits), &n);
	for (size_t i = 0; i < n; i++) {
		struct store_kb_article x;
		if (store_kb_article_get(a->st, hits[i].article_id, &x) != 0)
			continue;
		if (x.site_id == site_id && (!l->category_id || x.category_id == l->category_id)) {
			json_t *o = article_json(&x, 0);
			json_object_set_new(o, "score", json_real(hits[i].score));
			json_array_append_new(l->arr, o);
		}
		store_kb_article_free(&x);
	}
	if (strcmp(l->status, "published") != 0) {
		struct store_kb_filter f = { .site_id = site_id, .category_id = l->category_id, .lang = l->lang,
					     .status = l->status, .visibility_max = "internal", .limit = KB_LIST_MAX };
		store_kb_article_each(a->st, &f, draft_match, l);
	}
}

static void h_articles(struct http_req *r)
{
	int64_t site_id, cat = 0;
	struct list l = { r, NULL, 0, http_query(r, "lang"), http_query(r, "status"), http_query(r, "q") };
	const char *c = http_query(r, "category");
	struct store_kb_filter f = { 0 };
	if (load_site(r, &site_id))
		return;
	if ((l.lang && *l.lang && !ok_lang(l.lang)) || (l.status && *l.status && !ok_status(l.status)) ||
	    (c && *c && (parse_i64(c, strlen(c), &cat) || cat < 0)) || (l.q && strlen(l.q) > 200) ||
	    list_limit(r, "limit", 200, KB_LIST_MAX, &f.limit) || list_limit(r, "offset", 0, INT32_MAX, &f.offset)) {
		http_reply_error(r, 422, "invalid_field",
				 "lang: zh-CN|zh-TW|en; status: draft|published; category: an id; q: at most 200 bytes; "
				 "limit: 0-1000; offset: a number");
		return;
	}
	l.lang = l.lang ? l.lang : "";
	l.status = l.status ? l.status : "";
	l.category_id = cat;
	l.arr = json_array();
	if (l.q && *l.q) {
		list_search(app_of(r), site_id, &l);
	} else {
		f.site_id = site_id, f.category_id = cat, f.lang = l.lang, f.status = l.status;
		f.visibility_max = "internal";
		store_kb_article_each(app_of(r)->st, &f, list_item, &l);
	}
	http_reply_json(r, 200, json_pack("{s:o}", "articles", l.arr));
}

static void h_article_create(struct http_req *r)
{
	struct app *a = app_of(r);
	struct art_in in = { 0 };
	int64_t site_id;
	const char *bad;
	if (load_site(r, &site_id))
		return;
	article_defaults(&in.art, site_id);
	if (!json_is_string(json_object_get(r->json, "question")) || !json_is_string(json_object_get(r->json, "lang")))
		bad = "question and lang are required";
	else
		bad = article_fields(r->json, &in);
	if (!bad)
		bad = article_refs(a, &in);
	if (!bad && !json_object_get(r->json, "slug"))
		slugify(in.art.question, in.art.slug, sizeof(in.art.slug));
	if (bad) {
		art_in_free(&in);
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	int rc = article_save(a, &in, kb_user(r));
	if (rc == KF_EEXIST && !json_object_get(r->json, "slug")) {
		in.art.slug[0] = '\0';   /* the made-up slug is taken: the store names it a-<id> */
		rc = article_save(a, &in, kb_user(r));
	}
	if (rc) {
		art_in_free(&in);
		reply_save_error(r, rc);
		return;
	}
	http_reply_json(r, 201, json_pack("{s:o}", "article", article_full_json(a, &in.art)));
	art_in_free(&in);
}

static void h_article_get(struct http_req *r)
{
	struct store_kb_article x;
	if (load_article(r, &x))
		return;
	http_reply_json(r, 200, json_pack("{s:o}", "article", article_full_json(app_of(r), &x)));
	store_kb_article_free(&x);
}

static void h_article_patch(struct http_req *r)
{
	struct app *a = app_of(r);
	struct art_in in = { 0 };
	if (load_article(r, &in.art))
		return;
	const char *bad = article_fields(r->json, &in);
	if (!bad)
		bad = article_refs(a, &in);
	if (bad) {
		art_in_free(&in);
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	int rc = article_save(a, &in, kb_user(r));
	if (rc) {
		art_in_free(&in);
		reply_save_error(r, rc);
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "article", article_full_json(a, &in.art)));
	art_in_free(&in);
}

static void h_article_delete(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_kb_article x;
	if (load_article(r, &x))
		return;
	kb_unindex_article(a, x.id);
	int rc = store_kb_article_delete(a->st, x.id);
	store_kb_article_free(&x);
	if (rc) {
		http_reply_error(r, 500, "internal", "could not delete the article");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:b}", "deleted", 1));
}

/* {"ids":[...]}: positions 0, 1, 2, ... in that order; every id an article of one site. */
static void h_reorder(struct http_req *r)
{
	struct app *a = app_of(r);
	json_t *arr = json_object_get(r->json, "ids"), *v;
	size_t i, n = json_array_size(arr);
	int64_t site_id = 0, *ids;
	if (!json_is_array(arr) || n == 0 || n > KB_LIST_MAX) {
		http_reply_error(r, 422, "invalid_field", "ids: 1-1000 article ids");
		return;
	}
	ids = xcalloc(n, sizeof(*ids));
	json_array_foreach(arr, i, v) {
		struct store_kb_article x;
		if (!json_is_integer(v) || store_kb_article_get(a->st, json_integer_value(v), &x) != 0)
			break;
		int ok = (i == 0 || x.site_id == site_id) && site_allowed(r, x.site_id);
		site_id = x.site_id;
		ids[i] = x.id;
		store_kb_article_free(&x);
		if (!ok)
			break;
	}
	int rc = i < n ? KF_EINVAL : store_kb_article_reorder(a->st, site_id, ids, n);
	free(ids);
	if (rc == KF_EINVAL)
		http_reply_error(r, 422, "invalid_field", "ids: articles of one of your sites");
	else if (rc)
		http_reply_error(r, 500, "internal", "could not reorder");
	else
		http_reply_json(r, 200, json_pack("{s:O}", "ids", arr));
}

/* ---- revisions ---- */

static int rev_item(void *ud, const struct store_kb_revision *v)
{
	if (json_array_size(ud) >= 100)
		return 1;
	json_t *o = json_pack("{s:I,s:o,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:I}", "rev", (json_int_t)v->rev, "category_id",
			      id_or_null(v->category_id), "question", v->question, "alt_questions", v->alt_questions,
			      "answer_md", v->answer_md, "tags", json_words(v->tags), "visibility", v->visibility,
			      "status", v->status, "user_id", id_or_null(v->user_id), "created_at", (json_int_t)v->created_at);
	json_array_append_new(ud, o);
	return 0;
}

static void h_revisions(struct http_req *r)
{
	struct store_kb_article x;
	if (load_article(r, &x))
		return;
	json_t *arr = json_array();
	store_kb_revision_each(app_of(r)->st, x.id, rev_item, arr);
	store_kb_article_free(&x);
	http_reply_json(r, 200, json_pack("{s:o}", "revisions", arr));
}

/* Restore = an update with the revision's fields, so it becomes a new revision itself. */
static void h_restore(struct http_req *r)
{
	struct app *a = app_of(r);
	struct art_in in = { 0 };
	struct store_kb_revision v;
	struct store_kb_category c;
	int64_t rev;
	if (load_article(r, &in.art))
		return;
	if (int_field(json_object_get(r->json, "rev"), 1, INT64_MAX, &rev) ||
	    store_kb_revision_get(a->st, in.art.id, rev, &v) != 0) {
		art_in_free(&in);
		http_reply_error(r, 422, "invalid_field", "rev: a revision of this article");
		return;
	}
	struct store_kb_article *x = &in.art;
	x->category_id = v.category_id && store_kb_category_get(a->st, v.category_id, &c) == 0 &&
				 c.site_id == x->site_id && strcmp(c.lang, x->lang) == 0 ? v.category_id : 0;
	snprintf(x->question, sizeof(x->question), "%s", v.question);
	snprintf(x->tags, sizeof(x->tags), "%s", v.tags);
	snprintf(x->visibility, sizeof(x->visibility), "%s", v.visibility);
	snprintf(x->status, sizeof(x->status), "%s", v.status);
	set_text(&x->alt_questions, v.alt_questions);
	set_text(&x->answer_md, v.answer_md);
	store_kb_revision_free(&v);
	int rc = article_save(a, &in, kb_user(r));
	if (rc)
		reply_save_error(r, rc);
	else
		http_reply_json(r, 200, json_pack("{s:o}", "article", article_full_json(a, x)));
	art_in_free(&in);
}

/* ---- preview ---- */

static void h_preview(struct http_req *r)
{
	json_t *v = json_object_get(r->json, "markdown");
	struct buf html;
	if (!json_is_string(v) || json_string_length(v) > KB_ANSWER_BYTES) {
		http_reply_error(r, 422, "invalid_field", "markdown: at most 100 KB");
		return;
	}
	buf_init(&html, 4 * 1024 * 1024);
	if (kb_render_markdown(json_string_value(v), &html) != 0) {
		buf_release(&html);
		http_reply_error(r, 500, "internal", "could not render");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:s%}", "html", html.ptr, html.len));
	buf_release(&html);
}

/* ---- categories ---- */

static int cat_item(void *ud, const struct store_kb_category *c)
{
	json_array_append_new(ud, category_json(c));
	return 0;
}

static void h_categories(struct http_req *r)
{
	int64_t site_id;
	const char *lang = http_query(r, "lang");
	if (load_site(r, &site_id))
		return;
	if (lang && *lang && !ok_lang(lang)) {
		http_reply_error(r, 422, "invalid_field", "lang: zh-CN, zh-TW or en");
		return;
	}
	json_t *arr = json_array();
	store_kb_category_each(app_of(r)->st, site_id, lang ? lang : "", cat_item, arr);
	http_reply_json(r, 200, json_pack("{s:o}", "categories", arr));
}

struct children {
	int64_t parent;
	int n;
};

static int count_child(void *ud, const struct store_kb_category *c)
{
	struct children *k = ud;
	k->n += c->parent_id == k->parent;
	return 0;
}

static int has_children(struct app *a, const struct store_kb_category *c)
{
	struct children k = { c->id, 0 };
	store_kb_category_each(a->st, c->site_id, "", count_child, &k);
	return k.n > 0;
}

static const char *category_text_fields(json_t *j, struct store_kb_category *c)
{
	json_t *v;
	if ((v = json_object_get(j, "lang")) && !ok_lang(json_string_value(v)))
		return "lang: zh-CN, zh-TW or en";
	if (v)
		snprintf(c->lang, sizeof(c->lang), "%s", json_string_value(v));
	if ((v = json_object_get(j, "name")) && (!json_is_string(v) || !json_string_length(v) ||
						 utf8_chars(json_string_value(v)) > KB_NAME_CHARS))
		return "name: 1-100 characters";
	if (v)
		utf8_copy(c->name, sizeof(c->name), json_string_value(v));
	if ((v = json_object_get(j, "slug")) && (!json_is_string(v) || (json_string_length(v) && !ok_slug(json_string_value(v)))))
		return "slug: 1-100 of a-z 0-9 - _ (or empty for an automatic one)";
	if (v)
		snprintf(c->slug, sizeof(c->slug), "%s", json_string_value(v));
	if ((v = json_object_get(j, "description")) && (!json_is_string(v) || json_string_length(v) > KB_DESC_BYTES))
		return "description: at most 1000 bytes";
	if (v)
		utf8_copy(c->description, sizeof(c->description), json_string_value(v));
	return NULL;
}

/* Fields of a category from j (a patch); checks the two-level rule against the store. */
static const char *category_fields(struct app *a, json_t *j, struct store_kb_category *c)
{
	json_t *v;
	int64_t n;
	const char *bad = category_text_fields(j, c);
	if (bad)
		return bad;
	if ((v = json_object_get(j, "position")) && int_field(v, 0, KB_POSITION_MAX, &n))
		return "position: 0-1000000";
	if (v)
		c->position = (int)n;
	if ((v = json_object_get(j, "parent_id")) && id_field(v, &c->parent_id))
		return "parent_id: null or a category id";
	if (c->parent_id) {
		struct store_kb_category p;
		if (c->parent_id == c->id || store_kb_category_get(a->st, c->parent_id, &p) != 0 || p.site_id != c->site_id)
			return "parent_id: no such category on this site";
		if (p.parent_id)
			return "parent_id: categories have two levels at most";
		if (strcmp(p.lang, c->lang) != 0)
			return "parent_id: the parent is in another language";
		if (c->id && has_children(a, c))
			return "parent_id: this category has subcategories, so it stays at the top level";
	}
	return NULL;
}

static void reply_category(struct http_req *r, int status, int rc, const struct store_kb_category *c)
{
	if (rc == KF_EEXIST)
		http_reply_error(r, 409, "slug_taken", "another category of this site and language has this slug");
	else if (rc)
		http_reply_error(r, 500, "internal", "could not save the category");
	else
		http_reply_json(r, status, json_pack("{s:o}", "category", category_json(c)));
}

static void h_category_create(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_kb_category c;
	const char *bad;
	memset(&c, 0, sizeof(c));
	if (load_site(r, &c.site_id))
		return;
	if (!json_is_string(json_object_get(r->json, "name")) || !json_is_string(json_object_get(r->json, "lang")))
		bad = "name and lang are required";
	else
		bad = category_fields(a, r->json, &c);
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	int made = !json_object_get(r->json, "slug");
	if (made)
		slugify(c.name, c.slug, sizeof(c.slug));
	int rc = store_kb_category_create(a->st, &c);
	if (rc == KF_EEXIST && made && c.slug[0]) {
		c.slug[0] = '\0';   /* the made-up slug is taken: the store names it c-<id> */
		rc = store_kb_category_create(a->st, &c);
	}
	reply_category(r, 201, rc, &c);
}

static void h_category_patch(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_kb_category c;
	if (load_category(r, &c))
		return;
	const char *bad = category_fields(a, r->json, &c);
	if (!bad && !c.slug[0])
		snprintf(c.slug, sizeof(c.slug), "c-%lld", (long long)c.id);
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	reply_category(r, 200, store_kb_category_update(a->st, &c), &c);
}

static int collect_id(void *ud, const struct store_kb_article *x)
{
	json_array_append_new(ud, json_integer(x->id));
	return 0;
}

/* Subcategories must go first (the schema would delete them with their parent); the
 * category's articles stay, uncategorised, and are indexed again. */
static void h_category_delete(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_kb_category c;
	size_t i;
	json_t *ids = json_array(), *v;
	if (load_category(r, &c)) {
		json_decref(ids);
		return;
	}
	if (has_children(a, &c)) {
		json_decref(ids);
		http_reply_error(r, 409, "has_subcategories", "delete or move the subcategories first");
		return;
	}
	struct store_kb_filter f = { .site_id = c.site_id, .category_id = c.id, .lang = "", .status = "",
				     .visibility_max = "internal" };
	store_kb_article_each(a->st, &f, collect_id, ids);
	if (store_kb_category_delete(a->st, c.id) != 0) {
		json_decref(ids);
		http_reply_error(r, 500, "internal", "could not delete the category");
		return;
	}
	json_array_foreach(ids, i, v)
		kb_index_article(a, json_integer_value(v));
	json_decref(ids);
	http_reply_json(r, 200, json_pack("{s:b}", "deleted", 1));
}

/* ---- hot questions, counters, votes ---- */

static int hot_item(void *ud, const struct store_kb_article *x, int64_t score)
{
	json_t *o = article_json(x, 0);
	json_object_set_new(o, "score", json_integer(score));
	json_array_append_new(ud, o);
	return 0;
}

static void h_hot(struct http_req *r)
{
	int64_t site_id;
	int days, limit;
	const char *lang = http_query(r, "lang");
	if (load_site(r, &site_id))
		return;
	if ((lang && *lang && !ok_lang(lang)) || list_limit(r, "days", 30, 365, &days) || days < 1 ||
	    list_limit(r, "limit", 10, 100, &limit) || limit < 1) {
		http_reply_error(r, 422, "invalid_field", "lang: zh-CN|zh-TW|en; days: 1-365; limit: 1-100");
		return;
	}
	int64_t today = time_now_s() / 86400;
	json_t *arr = json_array();
	store_kb_hot(app_of(r)->st, site_id, lang ? lang : "", "internal", today - days + 1, today, limit, hot_item, arr);
	http_reply_json(r, 200, json_pack("{s:o}", "articles", arr));
}

/* Views are counted in memory and written every KB_VIEWS_FLUSH_MS in one transaction:
 * a help page read is then no database write on the event loop, only a table update here.
 * What a crash loses is at most those seconds of views. */
#define KB_VIEWS_MAX 1024
#define KB_VIEWS_FLUSH_MS 2000

static struct store_kb_views views[KB_VIEWS_MAX];
static size_t nviews;
static struct app *views_app;
static uv_timer_t views_timer;
static int views_timer_ready;

void kb_views_flush(struct app *a)
{
	if (!nviews || !a)
		return;
	if (store_kb_count_views(a->st, views, nviews) != 0)
		log_warn("kb: %zu article views not counted", nviews);
	nviews = 0;
}

static void views_tick(uv_timer_t *t)
{
	KF_UNUSED(t);
	kb_views_flush(views_app);
}

int kb_count_view(struct app *a, int64_t article_id)
{
	int64_t day = time_now_s() / 86400;
	size_t i;
	views_app = a;
	for (i = 0; i < nviews; i++)
		if (views[i].article_id == article_id && views[i].day == day)
			break;
	if (i == nviews) {
		if (nviews == KB_VIEWS_MAX)
			kb_views_flush(a);
		i = nviews++;
		views[i] = (struct store_kb_views){ article_id, day, 0 };
	}
	views[i].views++;
	if (!views_timer_ready) {
		uv_timer_init(a->loop, &views_timer);
		views_timer_ready = 1;
	}
	if (!uv_is_active((uv_handle_t *)&views_timer))
		uv_timer_start(&views_timer, views_tick, KB_VIEWS_FLUSH_MS, 0);
	return 0;
}

void kb_views_shutdown(void)
{
	kb_views_flush(views_app);
	if (views_timer_ready) {
		uv_close((uv_handle_t *)&views_timer, NULL);
		views_timer_ready = 0;
	}
}

static struct ratelimit *vote_rl;   /* per client address, sliding 60 s window; lives until exit */

static int vote_allowed(const char *ip)
{
	int64_t now = time_now_s();
	if (!vote_rl)
		vote_rl = ratelimit_new_sliding(KB_VOTES_PER_MIN, 60);
	if (ratelimit_check(vote_rl, ip, now))
		return 0;
	ratelimit_hit(vote_rl, ip, now);
	return 1;
}

/* Public: the "was this helpful?" buttons. Only published articles a visitor could see
 * (not internal ones) take votes. */
static void h_vote(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_kb_article x;
	int64_t id;
	json_t *v = json_object_get(r->json, "helpful");
	if (!json_is_boolean(v)) {
		http_reply_error(r, 422, "invalid_field", "helpful: true or false");
		return;
	}
	if (param_id(r, 0, &id) || store_kb_article_get(a->st, id, &x) != 0) {
		http_reply_error(r, 404, "not_found", "no such article");
		return;
	}
	/* members-only articles take votes from the visitors who may read them: the shop's signed
	 * customer (cid + sig in the body, as the public search takes them); anyone else is told
	 * what a missing article tells, so votes do not reveal which ids exist */
	const char *cid = json_get_str(r->json, "cid"), *sig = json_get_str(r->json, "sig");
	int open = strcmp(x.status, "published") == 0 &&
		   (strcmp(x.visibility, "public") == 0 ||
		    (strcmp(x.visibility, "members") == 0 && cid && sig && *cid && strlen(cid) <= 128 &&
		     kb_identity_valid(a, x.site_id, cid, sig) == 1));
	store_kb_article_free(&x);
	if (!open) {
		http_reply_error(r, 404, "not_found", "no such article");
		return;
	}
	if (!vote_allowed(r->client_ip)) {
		http_add_header(r, "Retry-After", "60");
		http_reply_error(r, 429, "rate_limited", "too many votes from this address; try again in a minute");
		return;
	}
	if (store_kb_count_vote(a->st, id, time_now_s() / 86400, json_is_true(v)) != 0) {
		http_reply_error(r, 500, "internal", "could not count the vote");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* ---- identity secret (admin) ---- */

static void sign_hex(const char *secret, const char *msg, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state h;
	crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&h, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

static void reply_identity(struct http_req *r, int rc, const char *secret)
{
	char sig[65];
	if (rc) {
		http_reply_error(r, rc == KF_ENOTFOUND ? 404 : 500, rc == KF_ENOTFOUND ? "not_found" : "internal",
				 rc == KF_ENOTFOUND ? "no such site" : "could not read the secret");
		return;
	}
	sign_hex(secret, "10086", sig);
	http_add_header(r, "Cache-Control", "no-store");
	http_reply_json(r, 200, json_pack("{s:s,s:{s:s,s:s}}", "secret", secret, "example", "customer_id", "10086",
					  "sig", sig));
}

static void h_identity(struct http_req *r)
{
	char secret[65];
	int64_t site_id;
	if (load_site(r, &site_id))
		return;
	reply_identity(r, store_kb_identity_secret(app_of(r)->st, site_id, secret), secret);
}

static void h_identity_rotate(struct http_req *r)
{
	char secret[65];
	int64_t site_id;
	if (load_site(r, &site_id))
		return;
	int rc = store_kb_identity_rotate(app_of(r)->st, site_id, secret);
	if (rc == 0)
		store_audit(app_of(r)->st, kb_user(r), r->client_ip, "kb.identity_rotated", http_param(r, 0));
	reply_identity(r, rc, secret);
}

/* ---- export ---- */

/* What an export needs to name things by (lang, slug) instead of ids, so that it can go
 * into another site or server: id -> "lang/slug" for articles, id -> slug for categories. */
struct names {
	json_t *cats, *arts;
};

static void id_key(int64_t id, char *out, size_t outsz)
{
	snprintf(out, outsz, "%lld", (long long)id);
}

static int name_cat(void *ud, const struct store_kb_category *c)
{
	char k[24];
	id_key(c->id, k, sizeof(k));
	json_object_set_new(((struct names *)ud)->cats, k, json_string(c->slug));
	return 0;
}

static int name_art(void *ud, const struct store_kb_article *x)
{
	char k[24], v[160];
	id_key(x->id, k, sizeof(k));
	snprintf(v, sizeof(v), "%s/%s", x->lang, x->slug);
	json_object_set_new(((struct names *)ud)->arts, k, json_string(v));
	return 0;
}

static const char *name_of(json_t *map, int64_t id)
{
	char k[24];
	id_key(id, k, sizeof(k));
	const char *s = id ? json_string_value(json_object_get(map, k)) : NULL;
	return s ? s : "";
}

struct exporter {
	struct app *a;
	struct names n;
	json_t *cats, *arts;
};

static int export_cat(void *ud, const struct store_kb_category *c)
{
	struct exporter *e = ud;
	json_array_append_new(e->cats, json_pack("{s:s,s:s,s:s,s:s,s:i,s:s}", "lang", c->lang, "slug", c->slug, "name",
						 c->name, "description", c->description, "position", c->position,
						 "parent", name_of(e->n.cats, c->parent_id)));
	return 0;
}

static int export_art(void *ud, const struct store_kb_article *x)
{
	struct exporter *e = ud;
	int64_t ids[KB_RELATED];
	size_t n = 0;
	json_t *rel = json_array();
	store_kb_related(e->a->st, x->id, ids, KB_RELATED, &n);
	for (size_t i = 0; i < n; i++)
		if (*name_of(e->n.arts, ids[i]))
			json_array_append_new(rel, json_string(name_of(e->n.arts, ids[i])));
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:i,s:s,s:o}", "lang", x->lang, "slug", x->slug,
			      "category", name_of(e->n.cats, x->category_id), "question", x->question, "alt_questions",
			      x->alt_questions, "answer_md", x->answer_md, "tags", json_words(x->tags), "visibility",
			      x->visibility, "status", x->status, "position", x->position, "translation_of",
			      name_of(e->n.arts, x->translation_of), "related", rel);
	json_array_append_new(e->arts, o);
	return 0;
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
static void csv_field(struct buf *b, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		buf_addc(b, '"');
		for (; *s; s++)
			buf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
		buf_addc(b, '"');
	} else {
		buf_adds(b, s);
	}
	buf_adds(b, last ? "\r\n" : ",");
}

static const char *const csv_cols[] = { "lang", "slug", "category", "question", "alt_questions", "answer_md",
					"tags", "visibility", "status", "position", "translation_of", "related" };
enum { CSV_COLS = KF_ARRAY_LEN(csv_cols) };

/* One exported article (a JSON object of export_art) as a CSV row; lists are space-separated. */
static void csv_row(struct buf *b, json_t *o)
{
	for (size_t i = 0; i < CSV_COLS; i++) {
		json_t *v = json_object_get(o, csv_cols[i]);
		char num[24];
		const char *s = json_string_value(v);
		struct buf w;
		buf_init(&w, 0);
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
			s = num;
		} else if (json_is_array(v)) {
			size_t k;
			json_t *e;
			json_array_foreach(v, k, e)
				buf_addf(&w, "%s%s", k ? " " : "", json_string_value(e));
			s = w.ptr;
		}
		csv_field(b, s ? s : "", i + 1 == CSV_COLS);
		buf_release(&w);
	}
}

static void reply_csv(struct http_req *r, json_t *arts)
{
	struct buf b;
	size_t i;
	json_t *o;
	buf_init(&b, 0);
	buf_adds(&b, "\xEF\xBB\xBF");   /* so that spreadsheet programs read the Chinese as UTF-8 */
	for (size_t c = 0; c < CSV_COLS; c++)
		csv_field(&b, csv_cols[c], c + 1 == CSV_COLS);
	json_array_foreach(arts, i, o)
		csv_row(&b, o);
	http_add_header(r, "Content-Disposition", "attachment; filename=\"kb.csv\"");
	http_reply(r, 200, "text/csv; charset=utf-8", b.ptr, b.len);
	buf_release(&b);
}

static void h_export(struct http_req *r)
{
	struct app *a = app_of(r);
	const char *fmt = http_query(r, "format");
	int64_t site_id;
	if (load_site(r, &site_id))
		return;
	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv")) {
		http_reply_error(r, 422, "invalid_field", "format: json or csv");
		return;
	}
	struct exporter e = { a, { json_object(), json_object() }, json_array(), json_array() };
	struct store_kb_filter f = { .site_id = site_id, .lang = "", .status = "", .visibility_max = "internal" };
	store_kb_category_each(a->st, site_id, "", name_cat, &e.n);
	store_kb_article_each(a->st, &f, name_art, &e.n);
	store_kb_category_each(a->st, site_id, "", export_cat, &e);
	f.with_text = 1;
	store_kb_article_each(a->st, &f, export_art, &e);
	if (fmt && strcmp(fmt, "csv") == 0) {
		reply_csv(r, e.arts);
		json_decref(e.cats);
		json_decref(e.arts);
	} else {
		http_add_header(r, "Content-Disposition", "attachment; filename=\"kb.json\"");
		http_reply_json(r, 200, json_pack("{s:I,s:o,s:o}", "site_id", (json_int_t)site_id, "categories", e.cats,
						  "articles", e.arts));
	}
	json_decref(e.n.cats);
	json_decref(e.n.arts);
}

/* ---- import ---- */

/* Parses RFC 4180 CSV (quotes, doubled quotes, CRLF or LF) into an array of rows, each an
 * array of strings. NULL (and *why) on an unterminated quote or too many rows or cells. */
static json_t *csv_parse(const char *s, size_t n, const char **why)
{
	json_t *rows = json_array(), *row = json_array();
	struct buf cell;
	int quoted = 0, was_quoted = 0;
	buf_init(&cell, KB_ANSWER_BYTES + 8192);
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : '\n';
		if (quoted) {
			if (i == n) {
				*why = "an unterminated quoted field";
				goto fail;
			}
			if (c == '"' && i + 1 < n && s[i + 1] == '"')
				buf_addc(&cell, s[i++]);
			else if (c == '"')
				quoted = 0;
			else
				buf_addc(&cell, c);
		} else if (c == '"' && cell.len == 0 && !was_quoted) {
			quoted = was_quoted = 1;
		} else if (c == ',' || c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
			json_array_append_new(row, json_stringn(cell.ptr, cell.len));
			buf_reset(&cell);
			was_quoted = 0;
			if (c == '\r')
				i++;
			if (c != ',') {
				if (!(json_array_size(row) == 1 && !*json_string_value(json_array_get(row, 0))))
					json_array_append(rows, row);
				json_decref(row);
				row = json_array();
				if (i >= n)
					break;
			}
		} else {
			buf_addc(&cell, c);
		}
		if (cell.err || json_array_size(row) > 64 || json_array_size(rows) > KB_IMPORT_ROWS + 1) {
			*why = "a cell over 100 KB, or more than 64 columns or 1000 rows (split the file)";
			goto fail;
		}
	}
	json_decref(row);
	buf_release(&cell);
	return rows;
fail:
	json_decref(row);
	json_decref(rows);
	buf_release(&cell);
	return NULL;
}

struct importer {
	struct app *a;
	int64_t site_id, user;
	json_t *errors, *pending;
	json_t *cat_ids;   /* "lang/slug" -> id: article rows name categories without a scan each */
	int created, updated, unchanged, cats_created, cats_updated;
};

static void import_error(struct importer *im, size_t row, const char *msg)
{
	if (json_array_size(im->errors) < 100)
		json_array_append_new(im->errors, json_pack("{s:I,s:s}", "row", (json_int_t)row, "message", msg));
}

struct cat_find {
	const char *lang, *slug;
	struct store_kb_category *out;
	int found;
};

static int cat_find_cb(void *ud, const struct store_kb_category *c)
{
	struct cat_find *f = ud;
	if (strcmp(c->slug, f->slug) != 0)
		return 0;
	*f->out = *c;
	f->found = 1;
	return 1;
}

static int cat_by_slug(struct app *a, int64_t site_id, const char *lang, const char *slug, struct store_kb_category *out)
{
	struct cat_find f = { lang, slug, out, 0 };
	store_kb_category_each(a->st, site_id, lang, cat_find_cb, &f);
	return f.found ? 0 : KF_ENOTFOUND;
}

/* One category of a JSON import, upserted by (lang, slug); parent is the parent's slug. */
static void import_category(struct importer *im, size_t row, json_t *o)
{
	struct store_kb_category c, p;
	const char *lang = json_get_str(o, "lang"), *slug = json_get_str(o, "slug"), *parent = json_get_str(o, "parent");
	json_t *j = json_deep_copy(o);
	char auto_slug[128];
	int exists = 0;
	const char *bad = NULL;
	memset(&c, 0, sizeof(c));
	c.site_id = im->site_id;
	json_object_del(j, "parent");
	if (!ok_lang(lang) || !json_is_string(json_object_get(o, "name")))
		bad = "category: lang and name are required";
	if (!bad && (!slug || !*slug)) {
		slugify(json_get_str(o, "name"), auto_slug, sizeof(auto_slug));
		json_object_set_new(j, "slug", json_string(auto_slug));
		slug = auto_slug;
	}
	if (!bad && *slug)
		exists = cat_by_slug(im->a, im->site_id, lang, slug, &c) == 0;
	if (!bad && parent && *parent && cat_by_slug(im->a, im->site_id, lang, parent, &p) != 0)
		bad = "category: no such parent";
	else if (!bad)
		json_object_set_new(j, "parent_id", parent && *parent ? json_integer(p.id) : json_null());
	if (!bad)
		bad = category_fields(im->a, j, &c);
	json_decref(j);
	if (!bad && (exists ? store_kb_category_update(im->a->st, &c) : store_kb_category_create(im->a->st, &c)) != 0)
		bad = "category: could not save (slug taken?)";
	if (bad)
		import_error(im, row, bad);
	else
		exists ? im->cats_updated++ : im->cats_created++;
}

static int cat_id_item(void *ud, const struct store_kb_category *c)
{
	char key[160];
	snprintf(key, sizeof(key), "%s/%s", c->lang, c->slug);
	json_object_set_new(ud, key, json_integer(c->id));
	return 0;
}

/* The category named by slug in the article's language; made (top level) when missing. The
 * site's categories are read once per import (after the category rows are in). */
static const char *import_category_ref(struct importer *im, const char *lang, const char *slug, int64_t *id)
{
	struct store_kb_category c;
	char key[160];
	if (!im->cat_ids) {
		im->cat_ids = json_object();
		store_kb_category_each(im->a->st, im->site_id, "", cat_id_item, im->cat_ids);
	}
	snprintf(key, sizeof(key), "%s/%s", lang, slug);
	json_t *known = json_object_get(im->cat_ids, key);
	if (known) {
		*id = json_integer_value(known);
		return NULL;
	}
	if (!ok_slug(slug))
		return "category: no such category";
	memset(&c, 0, sizeof(c));
	c.site_id = im->site_id;
	snprintf(c.lang, sizeof(c.lang), "%s", lang);
	snprintf(c.name, sizeof(c.name), "%s", slug);
	snprintf(c.slug, sizeof(c.slug), "%s", slug);
	if (store_kb_category_create(im->a->st, &c) != 0)
		return "category: could not create it";
	im->cats_created++;
	json_object_set_new(im->cat_ids, key, json_integer(c.id));
	*id = c.id;
	return NULL;
}

/* An article id named "lang/slug" (or a number), on this site. */
static int64_t article_ref(struct importer *im, json_t *v)
{
	struct store_kb_article x;
	char lang[8];
	const char *s = json_string_value(v), *sl;
	int64_t id = 0;
	if (json_is_integer(v))
		return json_integer_value(v);
	if (!s || !(sl = strchr(s, '/')) || sl - s >= (long)sizeof(lang))
		return s && parse_i64(s, strlen(s), &id) == 0 ? id : 0;
	snprintf(lang, sizeof(lang), "%.*s", (int)(sl - s), s);
	if (store_kb_article_by_slug(im->a->st, im->site_id, lang, sl + 1, &x) != 0)
		return 0;
	id = x.id;
	store_kb_article_free(&x);
	return id;
}

/* Turns an imported row (JSON object; CSV cells are strings) into article fields: lists from
 * words, numbers from text, the category by slug. translation_of and related wait for the
 * second pass, when every row exists. */
static const char *import_fields(struct importer *im, json_t *o, const char *lang, json_t *j)
{
	json_t *v;
	const char *cat = json_get_str(o, "category");
	int64_t n;
	json_object_del(j, "category");
	json_object_del(j, "translation_of");
	json_object_del(j, "related");
	if ((v = json_object_get(o, "tags")) && json_is_string(v))
		json_object_set_new(j, "tags", json_words(json_string_value(v)));
	if ((v = json_object_get(o, "position")) && json_is_string(v)) {
		if (parse_i64(json_string_value(v), json_string_length(v), &n))
			return "position: 0-1000000";
		json_object_set_new(j, "position", json_integer(n));
	}
	if (cat && *cat) {
		const char *bad = import_category_ref(im, lang, cat, &n);
		if (bad)
			return bad;
		json_object_set_new(j, "category_id", json_integer(n));
	}
	return NULL;
}

static int same_text(const char *x, const char *y)
{
	return strcmp(x ? x : "", y ? y : "") == 0;
}

static int same_article(const struct store_kb_article *x, const struct store_kb_article *y)
{
	return x->category_id == y->category_id && x->position == y->position && strcmp(x->question, y->question) == 0 &&
	       strcmp(x->tags, y->tags) == 0 && strcmp(x->visibility, y->visibility) == 0 &&
	       strcmp(x->status, y->status) == 0 && same_text(x->alt_questions, y->alt_questions) &&
	       same_text(x->answer_md, y->answer_md);
}

/* Remembers what the second pass must link for an imported row. */
static void import_later(struct importer *im, size_t row, int64_t id, json_t *o)
{
	json_t *tr = json_object_get(o, "translation_of"), *rel = json_object_get(o, "related");
	if ((!tr || json_is_null(tr) || (json_is_string(tr) && !json_string_length(tr))) && !rel)
		return;
	json_t *p = json_pack("{s:I,s:I}", "row", (json_int_t)row, "id", (json_int_t)id);
	if (tr)
		json_object_set(p, "translation_of", tr);
	if (json_is_string(rel))
		json_object_set_new(p, "related", json_words(json_string_value(rel)));
	else if (rel)
		json_object_set(p, "related", rel);
	json_array_append_new(im->pending, p);
}

/* Loads the existing article the row names into in, or fills in defaults; 1 when it exists.
 * A row with a slug names (lang, slug). A row without one names the article of that language
 * with the very same question: a slug made up from the question would merge two questions
 * that slugify alike, and a Chinese question (no ASCII, so no slug) would match nothing and
 * be copied again on every import. */
static int import_target(struct importer *im, const char *lang, const char *slug, const char *question,
			 struct art_in *in)
{
	if (slug && *slug ? store_kb_article_by_slug(im->a->st, im->site_id, lang, slug, &in->art) == 0
			  : store_kb_article_by_question(im->a->st, im->site_id, lang, question, &in->art) == 0)
		return 1;
	article_defaults(&in->art, im->site_id);
	return 0;
}

static void import_article(struct importer *im, size_t row, json_t *o)
{
	struct art_in in = { 0 };
	struct store_kb_article before = { 0 };
	const char *lang = json_get_str(o, "lang"), *slug = json_get_str(o, "slug"), *bad = NULL;
	json_t *j = json_deep_copy(o);
	int auto_slug = !slug || !*slug;
	if (!ok_lang(lang) || !json_is_string(json_object_get(o, "question")))
		bad = "lang and question are required";
	if (auto_slug)   /* an existing article keeps its slug; a new one gets one below */
		json_object_del(j, "slug");
	if (!bad)
		bad = import_fields(im, o, lang, j);
	int exists = !bad && import_target(im, lang, slug, json_get_str(o, "question"), &in);
	if (exists) {   /* a copy to compare with, texts included (article_fields replaces them) */
		before = in.art;
		before.alt_questions = xstrdup(in.art.alt_questions);
		before.answer_md = xstrdup(in.art.answer_md);
		before.answer_html = NULL;
	}
	if (!bad && !(bad = article_fields(j, &in)))
		bad = article_refs(im->a, &in);
	json_decref(j);
	if (!bad && !exists && auto_slug)
		slugify(in.art.question, in.art.slug, sizeof(in.art.slug));
	if (!bad && exists && same_article(&before, &in.art)) {
		im->unchanged++;
	} else if (!bad) {
		int rc = article_save(im->a, &in, im->user);
		if (rc == KF_EEXIST && !exists && auto_slug) {
			in.art.slug[0] = '\0';   /* the made-up slug is taken: the store names it a-<id> */
			rc = article_save(im->a, &in, im->user);
		}
		if (rc)
			bad = rc == KF_EEXIST ? "slug: taken" : "could not save the article";
		else
			exists ? im->updated++ : im->created++;
	}
	store_kb_article_free(&before);
	if (bad)
		import_error(im, row, bad);
	else
		import_later(im, row, in.art.id, o);
	art_in_free(&in);
}

/* Second pass: translation links and related lists, now that every row has an id. */
static void import_link(struct importer *im, json_t *p)
{
	struct art_in in = { 0 };
	size_t row = (size_t)json_integer_value(json_object_get(p, "row")), i;
	json_t *tr = json_object_get(p, "translation_of"), *rel = json_object_get(p, "related"), *v;
	if (store_kb_article_get(im->a->st, json_integer_value(json_object_get(p, "id")), &in.art) != 0)
		return;
	int64_t old_tr = in.art.translation_of;
	in.art.translation_of = tr && !json_is_null(tr) ? article_ref(im, tr) : 0;
	if (json_is_array(rel)) {
		in.has_related = 1;
		json_array_foreach(rel, i, v) {
			int64_t id = article_ref(im, v);
			if (id && in.nrelated < KB_RELATED)
				in.related[in.nrelated++] = id;
		}
	}
	const char *bad = tr && !json_is_null(tr) && json_string_length(tr) && !in.art.translation_of
				  ? "translation_of: no such article"
				  : article_refs(im->a, &in);
	if (!bad && in.art.translation_of != old_tr && article_save(im->a, &in, im->user) != 0)
		bad = "could not link the translation";
	else if (!bad && in.has_related && store_kb_related_set(im->a->st, in.art.id, in.related, in.nrelated) != 0)
		bad = "could not set related articles";
	if (bad)
		import_error(im, row, bad);
	art_in_free(&in);
}

/* CSV rows -> objects named by the header row (unknown columns are ignored; empty cells are
 * left out, so they keep what an existing article has). */
static json_t *csv_objects(json_t *rows)
{
	json_t *hdr = json_array_get(rows, 0), *out = json_array(), *row;
	size_t i, c;
	json_array_foreach(rows, i, row) {
		if (i == 0)
			continue;
		json_t *o = json_object();
		for (c = 0; c < json_array_size(row) && c < json_array_size(hdr); c++) {
			const char *name = json_string_value(json_array_get(hdr, c));
			const char *cell = json_string_value(json_array_get(row, c));
			if (*cell || strcmp(name, "answer_md") == 0 || strcmp(name, "alt_questions") == 0 ||
			    strcmp(name, "tags") == 0)
				json_object_set_new(o, name, json_string(cell));
		}
		json_array_append_new(out, o);
	}
	return out;
}

/* Parses the body as JSON {"categories":[…],"articles":[…]} or as CSV with a header row. */
static const char *import_body(struct http_req *r, json_t **cats, json_t **arts, size_t *first_row)
{
	const char *ct = http_header(r, "content-type"), *s = r->body.ptr, *why = "bad CSV";
	size_t n = r->body.len;
	json_t *root = NULL, *rows;
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3, n -= 3;
	if (ct && strncasecmp(ct, "text/csv", 8) == 0) {
		if (!utf8_valid(s, n))
			return "the CSV is not UTF-8";
		if (!(rows = csv_parse(s, n, &why)))
			return why;
		*cats = json_array();
		*arts = csv_objects(rows);
		*first_row = 2;   /* the header is row 1, as a spreadsheet numbers them */
		json_decref(rows);
		return NULL;
	}
	if (!ct || strncasecmp(ct, "application/json", 16) != 0)
		return "send application/json or text/csv";
	if (json_parse_object(s, n, &root, NULL, 0) != JSON_OK)
		return "the body is not a JSON object";
	*cats = json_incref(json_object_get(root, "categories"));
	*arts = json_incref(json_object_get(root, "articles"));
	*first_row = 1;
	json_decref(root);
	if (!*cats)
		*cats = json_array();
	if (!*arts)
		*arts = json_array();
	if (!json_is_array(*cats) || !json_is_array(*arts)) {
		json_decref(*cats);
		json_decref(*arts);
		return "categories and articles must be arrays";
	}
	return NULL;
}

static void import_categories(struct importer *im, json_t *cats)
{
	size_t i;
	json_t *o;
	for (int top = 1; top >= 0; top--)   /* parents before children */
		json_array_foreach(cats, i, o) {
			const char *parent = json_get_str(o, "parent");
			if (!json_is_object(o) && top)
				import_error(im, i + 1, "category: not an object");
			else if (json_is_object(o) && top == (!parent || !*parent))
				import_category(im, i + 1, o);
		}
}

static void h_import(struct http_req *r)
{
	struct importer im = { app_of(r), 0, kb_user(r), NULL, NULL, NULL, 0, 0, 0, 0, 0 };
	json_t *cats = NULL, *arts = NULL, *o;
	size_t first = 1, i;
	const char *bad;
	if (load_site(r, &im.site_id))
		return;
	if ((bad = import_body(r, &cats, &arts, &first)) != NULL) {
		http_reply_error(r, strstr(bad, "send ") == bad ? 415 : 422, "invalid_import", bad);
		return;
	}
	if (json_array_size(arts) > KB_IMPORT_ROWS || json_array_size(cats) > KB_IMPORT_CATS) {
		json_decref(cats);
		json_decref(arts);
		http_reply_error(r, 413, "too_many_rows",
				 "at most 1000 articles and 1000 categories per import: split the file into several imports");
		return;
	}
	im.errors = json_array();
	im.pending = json_array();
	import_categories(&im, cats);
	json_array_foreach(arts, i, o)
		json_is_object(o) ? import_article(&im, i + first, o) : import_error(&im, i + first, "not an object");
	json_array_foreach(im.pending, i, o)
		import_link(&im, o);
	json_decref(cats);
	json_decref(arts);
	json_decref(im.pending);
	json_decref(im.cat_ids);
	store_audit(im.a->st, im.user, r->client_ip, "kb.imported", http_param(r, 0));
	http_reply_json(r, 200, json_pack("{s:i,s:i,s:i,s:i,s:i,s:o}", "created", im.created, "updated", im.updated,
					  "unchanged", im.unchanged, "categories_created", im.cats_created,
					  "categories_updated", im.cats_updated, "errors", im.errors));
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/kb/categories", h_categories, 0, ACCESS_AGENT, "kb:read", "api", NULL },
	{ M_POST, "/api/v1/sites/:id/kb/categories", h_category_create, ROUTE_JSON, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_PATCH, "/api/v1/kb/categories/:id", h_category_patch, ROUTE_JSON, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_DELETE, "/api/v1/kb/categories/:id", h_category_delete, 0, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/kb/articles", h_articles, 0, ACCESS_AGENT, "kb:read", "api", NULL },
	{ M_POST, "/api/v1/sites/:id/kb/articles", h_article_create, ROUTE_JSON, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_POST, "/api/v1/kb/articles/reorder", h_reorder, ROUTE_JSON, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_GET, "/api/v1/kb/articles/:id", h_article_get, 0, ACCESS_AGENT, "kb:read", "api", NULL },
	{ M_PATCH, "/api/v1/kb/articles/:id", h_article_patch, ROUTE_JSON, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_DELETE, "/api/v1/kb/articles/:id", h_article_delete, 0, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_GET, "/api/v1/kb/articles/:id/revisions", h_revisions, 0, ACCESS_AGENT, "kb:read", "api", NULL },
	{ M_POST, "/api/v1/kb/articles/:id/restore", h_restore, ROUTE_JSON, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_POST, "/api/v1/kb/articles/:id/vote", h_vote, ROUTE_JSON, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_POST, "/api/v1/kb/preview", h_preview, ROUTE_JSON, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/kb/export", h_export, 0, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_POST, "/api/v1/sites/:id/kb/import", h_import, 0, ACCESS_SUPERVISOR, "kb:write", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/kb/hot", h_hot, 0, ACCESS_AGENT, "kb:read", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/identity", h_identity, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_POST, "/api/v1/sites/:id/identity/rotate", h_identity_rotate, 0, ACCESS_ADMIN, NULL, "api", NULL },
};

void kb_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
