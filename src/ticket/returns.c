/* ticket/returns.c - after-sales requests over REST (issue 7, point 4): the site's rules
 * (Settings > 售后规则), the eligibility of a return or exchange shown to the customer before
 * they submit, the requests themselves (returns, exchanges, repairs; multipart with photos)
 * becoming tickets with a workflow, and the agents moving a ticket through its steps.
 *
 * A customer proves the order is theirs as the widget's order lookup does: either the shop has
 * signed them in (X-Visitor-Token of a visitor linked by a signed claim, crm_widget_customer)
 * and the order is their customer's, or they give the order number with the e-mail or phone on
 * it (failures rate-limited per address; one 404 for "no such order" and "wrong contact").
 * The rules themselves are pure (workflow.c); the step e-mails carry the status-page link. */
#include "ticket/workflow.h"
#include "ticket/ticket.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "mail/mail.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_flow.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WF_SETTING "aftersales"
#define WF_SETTING_MAX 16384
#define WF_LOOKUP_FAILS 10          /* failed order proofs per address ... */
#define WF_LOOKUP_WINDOW_S 600      /* ... in this many seconds */
#define WF_REASON_MAX 1000          /* bytes of the customer's reason or fault */
#define WF_STEP_REASON_MAX 300      /* bytes of an agent's reason, kept in the steps */
/* The workflow JSON must fit struct ticket's workflow field, steps included: a request may use
 * this much of it, the rest is left for the steps (each ~40 bytes, plus its reason). */
#define WF_FACTS_MAX (sizeof(((struct ticket *)0)->workflow) - 1200)
#define WF_PHOTOS_MAX 5
#define WF_PHOTO_BYTES (5 * 1024 * 1024)
#define WF_POINTS_MAX 20            /* service points of a site */
#define WF_CREATES 20               /* requests filed per address ... */
#define WF_CREATES_WINDOW_S 3600    /* ... in this many seconds (repairs have no per-item limit) */

static struct ratelimit *proof_rl, *create_rl;

/* ---- the site's rules: GET/PUT /api/v1/sites/:id/aftersales ---- */

/* The site's rules and its service points (a new reference, never NULL). */
static json_t *points_load(struct app *a, int64_t site_id, struct wf_rules *r)
{
	char err[160];
	json_t *j = crm_site_setting_load(a, WF_SETTING, site_id, WF_SETTING_MAX);
	if (wf_rules_from_json(j, r, err, sizeof(err)) != 0)
		wf_rules_default(r);   /* saved by PUT, so checked then; a broken file falls back */
	json_t *pts = json_object_get(j, "service_points");
	pts = json_is_array(pts) ? json_incref(pts) : json_array();
	json_decref(j);
	return pts;
}

static int str_field_ok(const json_t *o, const char *key, size_t max, int required)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return !required;
	const char *s = json_string_value(v);
	return s && strlen(s) <= max && (!required || *s);
}

/* service_points: [{id, name, address?, phone?}], ids unique. */
static int points_ok(const json_t *pts)
{
	size_t i, k;
	json_t *p, *q;
	if (!json_is_array(pts) || json_array_size(pts) > WF_POINTS_MAX)
		return 0;
	json_array_foreach(pts, i, p) {
		if (!json_is_object(p) || !str_field_ok(p, "id", 32, 1) || !str_field_ok(p, "name", 100, 1) ||
		    !str_field_ok(p, "address", 300, 0) || !str_field_ok(p, "phone", 40, 0))
			return 0;
		json_array_foreach(pts, k, q) {
			if (k < i && strcmp(json_get_str(p, "id"), json_get_str(q, "id")) == 0)
				return 0;
		}
	}
	return 1;
}

static json_t *rules_json(const struct wf_rules *r, json_t *pts)
{
	json_t *j = wf_rules_to_json(r);
	json_object_set_new(j, "service_points", pts);
	return j;
}

static void h_rules_get(struct http_req *r)
{
	int64_t site_id;
	struct wf_rules rules;
	if (crm_load_site(r, &site_id))
		return;
	json_t *pts = points_load(app_of(r), site_id, &rules);
	http_reply_json(r, 200, json_pack("{s:o}", "rules", rules_json(&rules, pts)));
}

static void h_rules_put(struct http_req *r)
{
	int64_t site_id;
	struct wf_rules rules;
	char err[200];
	if (crm_load_site(r, &site_id))
		return;
	json_t *pts = json_object_get(r->json, "service_points");
	if (wf_rules_from_json(r->json, &rules, err, sizeof(err)) != 0) {
		http_reply_error(r, 422, "invalid_field", err);
		return;
	}
	if (pts && !points_ok(pts)) {
		http_reply_error(r, 422, "invalid_field",
				 "service_points: at most 20 of {id (1..32), name (1..100), address, phone}, ids unique");
		return;
	}
	json_t *j = rules_json(&rules, pts ? json_incref(pts) : json_array());
	int rc = crm_site_setting_save(app_of(r), WF_SETTING, site_id, j, WF_SETTING_MAX);
	if (rc != 0) {
		json_decref(j);
		http_reply_error(r, rc == KF_ETOOBIG ? 413 : 500, rc == KF_ETOOBIG ? "too_large" : "internal",
				 "could not save the rules");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "rules", j));
}

/* ---- the customer's proof that the order is theirs ---- */

struct asker {
	struct store_site site;
	struct store_order o;      /* loaded when prove() answers 0: free with store_order_free */
	int64_t customer;          /* the shop-signed customer, 0 for a proof by contact */
};

static int proof_failed(struct http_req *r, int64_t now)
{
	ratelimit_hit(proof_rl, r->client_ip, now);
	http_reply_error(r, 404, "not_found", "no order with that number for you");
	return 1;
}

/* By the signed-in customer: the order must be theirs. 0, or 1 after a reply. */
static int prove_signed(struct http_req *r, const char *number, struct asker *k)
{
	if (crm_widget_customer(r, &k->site, &k->customer))
		return 1;
	if (!k->customer) {
		http_reply_error(r, 404, "not_identified", "the shop has not identified this visitor");
		return 1;
	}
	if (store_order_get(app_of(r)->st, k->site.id, number, &k->o) != 0)
		return proof_failed(r, time_now_s());
	if (k->o.customer_id != k->customer) {
		store_order_free(&k->o);
		return proof_failed(r, time_now_s());
	}
	return 0;
}

/* The order of body's number, proven by the signed-in customer or by its contact. 0 with
 * k->o loaded, or 1 after a reply. */
static int prove(struct http_req *r, const json_t *body, struct asker *k)
{
	int64_t now = time_now_s();
	char sec[24];
	memset(k, 0, sizeof(*k));
	if (!proof_rl)
		proof_rl = ratelimit_new(WF_LOOKUP_FAILS, WF_LOOKUP_WINDOW_S);
	unsigned wait = ratelimit_check(proof_rl, r->client_ip, now);
	if (wait) {
		snprintf(sec, sizeof(sec), "%u", wait);
		http_add_header(r, "Retry-After", sec);
		http_reply_error(r, 429, "rate_limited", "too many failed tries; try again later");
		return 1;
	}
	const char *number = json_get_str(body, "number");
	if (!number || !crm_number_ok(number)) {
		http_reply_error(r, 422, "invalid_field", "number: the order number");
		return 1;
	}
	if (http_header(r, "x-visitor-token"))
		return prove_signed(r, number, k);
	const char *email = json_get_str(body, "email"), *phone = json_get_str(body, "phone");
	if (crm_widget_site(r, &k->site))
		return 1;
	if (!email == !phone || strlen(email ? email : phone) > 254) {
		ratelimit_hit(proof_rl, r->client_ip, now);
		http_reply_error(r, 422, "invalid_field", "send the order's email or phone, or X-Visitor-Token");
		return 1;
	}
	if (store_order_get(app_of(r)->st, k->site.id, number, &k->o) != 0)
		return proof_failed(r, now);
	if (!crm_contact_matches(&k->o, email, phone)) {
		store_order_free(&k->o);
		return proof_failed(r, now);
	}
	return 0;
}

/* ---- eligibility ---- */

struct ask {
	struct wf_pick picks[WF_MAX_ITEMS];
	size_t n;
	int exchange;
};

/* items: [{sku, quantity, opened?}], kind: return | exchange. 0, or 1 after a 422. */
static int parse_ask(struct http_req *r, const json_t *body, struct ask *q)
{
	json_t *items = json_object_get(body, "items"), *it;
	const char *kind = json_get_str(body, "kind");
	size_t i;
	memset(q, 0, sizeof(*q));
	if (kind && strcmp(kind, "return") != 0 && strcmp(kind, "exchange") != 0) {
		http_reply_error(r, 422, "invalid_field", "kind: return or exchange");
		return 1;
	}
	q->exchange = kind && strcmp(kind, "exchange") == 0;
	if (!json_is_array(items) || json_array_size(items) > WF_MAX_ITEMS)
		goto bad;
	json_array_foreach(items, i, it) {
		json_t *qty = json_object_get(it, "quantity"), *op = json_object_get(it, "opened");
		const char *sku = json_get_str(it, "sku");
		if (!sku || !*sku || strlen(sku) > 64 || !json_is_integer(qty) || (op && !json_is_boolean(op)))
			goto bad;
		q->picks[q->n].sku = sku;
		q->picks[q->n].quantity = json_integer_value(qty);
		q->picks[q->n].opened = json_is_true(op);
		q->n++;
	}
	return 0;
bad:
	http_reply_error(r, 422, "invalid_field", "items: at most 50 of {sku, quantity, opened?}");
	return 1;
}

/* Adds the quantities of the open requests' items to the picks of the same SKU. */
static int add_open(void *ud, const char *workflow)
{
	struct ask *q = ud;
	json_t *w = json_loads(workflow, 0, NULL), *it;
	size_t i;
	json_array_foreach(json_object_get(w, "items"), i, it) {
		const char *sku = json_get_str(it, "sku");
		for (size_t k = 0; sku && k < q->n; k++)
			if (strcmp(q->picks[k].sku, sku) == 0)
				q->picks[k].open_qty += json_integer_value(json_object_get(it, "quantity"));
	}
	json_decref(w);
	return 0;
}

/* The eligibility answer: {eligible, reasons: [{code, sku, text}], delivered_at, until}. */
static json_t *eligibility(struct app *a, const struct asker *k, struct ask *q, const char *lang)
{
	struct wf_rules rules;
	struct wf_line lines[64];
	struct wf_reason rs[WF_MAX_REASONS];
	json_decref(points_load(a, k->site.id, &rules));
	size_t nl = k->o.nitems < KF_ARRAY_LEN(lines) ? k->o.nitems : KF_ARRAY_LEN(lines);
	for (size_t i = 0; i < nl; i++)
		lines[i] = (struct wf_line){ k->o.items[i].sku, k->o.items[i].category, k->o.items[i].quantity };
	struct wf_order o = { k->o.status, k->o.updated_at, lines, nl };
	store_flow_open_returns(a->st, k->o.id, add_open, q);
	size_t n = wf_check_return(&rules, &o, q->picks, q->n, q->exchange, time_now_s(), rs, WF_MAX_REASONS);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "code", rs[i].code, "sku", rs[i].sku, "text",
						     wf_reason_text(rs[i].code, lang)));
	int days = q->exchange ? rules.exchange_days : rules.return_days;
	int delivered = strcmp(k->o.status, "delivered") == 0;
	return json_pack("{s:b,s:o,s:I,s:I}", "eligible", n == 0, "reasons", arr, "delivered_at",
			 (json_int_t)(delivered ? k->o.updated_at : 0), "until",
			 (json_int_t)(delivered ? k->o.updated_at + (int64_t)days * WF_DAY : 0));
}

static const char *body_lang(struct http_req *r, const json_t *body)
{
	const char *l = json_get_str(body, "lang");
	const char *m = l ? wf_lang(l, strlen(l)) : NULL;
	return m ? m : ticket_lang(r, NULL);
}

static void h_check(struct http_req *r)
{
	struct asker k;
	struct ask q;
	/* the proof first: it finds the site, whose CORS headers every later answer needs */
	if (prove(r, r->json, &k))
		return;
	if (parse_ask(r, r->json, &q)) {
		store_order_free(&k.o);
		return;
	}
	json_t *e = eligibility(app_of(r), &k, &q, body_lang(r, r->json)), *lines = json_array();
	struct wf_rules rules;
	/* what the widget's form needs: the order's lines (with SKUs) and where repairs go */
	for (size_t i = 0; i < k.o.nitems; i++)
		json_array_append_new(lines, json_pack("{s:s,s:s,s:I}", "sku", k.o.items[i].sku, "name", k.o.items[i].name,
						       "quantity", (json_int_t)k.o.items[i].quantity));
	json_object_set_new(e, "order", json_pack("{s:s,s:s,s:o}", "number", k.o.number, "status", k.o.status, "items",
						  lines));
	json_object_set_new(e, "service_points", points_load(app_of(r), k.site.id, &rules));
	store_order_free(&k.o);
	http_reply_json(r, 200, e);
}

/* ---- the request's parts: the JSON in field "data", photos in files "photos" ---- */

static json_t *upload_data(struct http_req *r)
{
	json_t *j = NULL;
	for (const struct http_field *f = r->fields; f; f = f->next)
		if (strcmp(f->name, "data") == 0 && json_parse_object(f->value, strlen(f->value), &j, NULL, 0) == JSON_OK)
			return j;
	http_reply_error(r, 422, "invalid_field", "send the request as JSON in the multipart field \"data\"");
	return NULL;
}

/* Photos: at most 5 images of at most 5 MB each. 0, or 1 after a reply. */
static int photos_ok(struct http_req *r)
{
	int n = 0;
	for (const struct http_file *f = r->files; f; f = f->next) {
		if (strcmp(f->field, "photos") != 0 || ++n > WF_PHOTOS_MAX || strncmp(f->content_type, "image/", 6) != 0 ||
		    f->size > WF_PHOTO_BYTES) {
			http_reply_error(r, 422, "invalid_field", "photos: at most 5 images of at most 5 MB each");
			return 1;
		}
	}
	return 0;
}

/* Keeps each photo as an attachment of the ticket. The files are small and few, so reading
 * them here on the loop is cheaper than a trip to the worker pool. */
static void photos_keep(struct app *a, struct http_req *r, int64_t ticket_id)
{
	for (const struct http_file *f = r->files; f; f = f->next) {
		FILE *fp = fopen(f->tmp_path, "rb");
		char *data = fp ? xmalloc(f->size + 1) : NULL;
		if (fp && fread(data, 1, f->size, fp) == f->size)
			ticket_add_attachment(a, ticket_id, 0, f->filename[0] ? f->filename : "photo", f->content_type, data,
					      f->size, NULL);
		else
			log_warn("returns: could not read the photo of ticket %lld", (long long)ticket_id);
		free(data);
		if (fp)
			fclose(fp);
	}
}

/* A required text of 1..max bytes, or 1 after a 422. */
static int need_text(struct http_req *r, const json_t *body, const char *key, size_t max, const char **out)
{
	*out = json_get_str(body, key);
	if (*out && **out && strlen(*out) <= max)
		return 0;
	char msg[120];
	snprintf(msg, sizeof(msg), "%s: 1 to %zu bytes of text", key, max);
	http_reply_error(r, 422, "invalid_field", msg);
	return 1;
}

/* ---- e-mails ---- */

/* The status page's link: the configured base (never the request's Host) and the token made
 * again from the ticket's id (nothing kept). 0, or KF_E* when there is no token to give. */
static int status_link(struct app *a, int64_t id, char *out, size_t outsz)
{
	char base[300], token[TICKET_TOKEN_LEN + 1];
	int rc = ticket_status_token(a, id, token);
	if (rc)
		return rc;
	ticket_public_base(a, base, sizeof(base));
	snprintf(out, outsz, "%s/t/%lld?k=%s", base, (long long)id, token);
	return 0;
}

/* Tells the requester the ticket's step, with the link to its status page (when mail is set up
 * and the ticket has an address). */
static void step_mail(struct http_req *r, const struct ticket *t, const char *state, const char *note)
{
	struct app *a = app_of(r);
	struct mail_settings m;
	char link[600], subject[300], text[4096];
	json_t *w = json_loads(t->workflow, 0, NULL);
	const char *lang = json_get_str(w, "lang");
	lang = lang ? lang : "zh-CN";
	if (app_mail_settings(a, &m) == 0 && mail_configured(&m) && mail_valid_address(t->requester_email) &&
	    status_link(a, t->id, link, sizeof(link)) == 0) {
		snprintf(subject, sizeof(subject), "[#%lld] %s", (long long)t->id, wf_state_text(state, lang));
		snprintf(text, sizeof(text), "%s\n\n#%lld %s\n%s%s%s\n\n%s\n%s\n", wf_state_text(state, lang),
			 (long long)t->id, t->subject, note && *note ? "\n" : "", note ? note : "",
			 note && *note ? "\n" : "", strcmp(lang, "en") == 0 ? "Follow your request here:" :
			 strcmp(lang, "zh-TW") == 0 ? "查看申請進度：" : "查看申请进度：", link);
		mail_send_async(a->loop, &m, t->requester_email, subject, text);
	}
	json_decref(w);
}

/* ---- creating a request ---- */

static const char *subject_of(const char *type, int exchange, const char *lang)
{
	int en = strcmp(lang, "en") == 0, tw = strcmp(lang, "zh-TW") == 0;
	if (strcmp(type, "repair") == 0)
		return en ? "Repair request" : tw ? "維修申請" : "维修申请";
	if (exchange)
		return en ? "Exchange request" : tw ? "換貨申請" : "换货申请";
	return en ? "Return request" : tw ? "退貨申請" : "退货申请";
}

/* The ticket of a request: created with its workflow, linked to its order, its link kept,
 * the photos attached, the requester told; then the 201 answer. */
static void create_request(struct http_req *r, const struct asker *k, const char *type, json_t *w, const char *body,
			   int exchange)
{
	struct app *a = app_of(r);
	char subject[TICKET_SUBJECT_MAX + 1], err[200], link[600] = "";
	int64_t id;
	struct ticket t;
	const char *lang = json_get_str(w, "lang");
	int64_t now = time_now_s();
	if (!create_rl)
		create_rl = ratelimit_new(WF_CREATES, WF_CREATES_WINDOW_S);
	if (ratelimit_check(create_rl, r->client_ip, now)) {
		http_reply_error(r, 429, "rate_limited", "too many requests from this address; try again later");
		return;
	}
	snprintf(subject, sizeof(subject), "%s · %s", subject_of(type, exchange, lang), k->o.number);
	json_object_set_new(w, "steps", json_pack("[{s:s,s:I}]", "state", wf_initial(type), "at",
						   (json_int_t)time_now_s()));
	char *wtext = json_dumps(w, JSON_COMPACT);
	if (wtext && strlen(wtext) > WF_FACTS_MAX) {
		free(wtext);
		http_reply_error(r, 413, "too_large", "too many items or too long a text for one request");
		return;
	}
	struct store_customer *c = xmalloc(sizeof(*c));
	if (!k->o.customer_id || store_customer_get(a->st, k->o.customer_id, c) != 0)
		c->name[0] = '\0';
	struct ticket_new n = { .site_id = k->site.id, .subject = subject, .channel = "web", .type = type,
				.requester_name = c->name, .requester_email = k->o.email, .requester_phone = k->o.phone,
				.customer_id = k->o.customer_id, .body = body, .workflow_state = wf_initial(type),
				.workflow = wtext, .actor = "customer",
				.customer_verified = 1 };   /* proven: the order's contact or a shop-signed visitor */
	int rc = wtext ? ticket_create(a, &n, &id, NULL, err, sizeof(err)) : KF_ENOMEM;
	free(wtext);
	free(c);
	if (rc != 0) {
		http_reply_error(r, rc == KF_EINVAL ? 422 : 500, rc == KF_EINVAL ? "invalid_field" : "internal",
				 rc == KF_EINVAL ? err : "could not file the request");
		return;
	}
	ratelimit_hit(create_rl, r->client_ip, now);
	ticket_link_order(a, id, k->o.id, "customer", 0);
	photos_keep(a, r, id);
	if (ticket_get(a, id, &t) == 0)
		step_mail(r, &t, wf_initial(type), NULL);
	status_link(a, id, link, sizeof(link));
	http_reply_json(r, 201, json_pack("{s:{s:I,s:s,s:s},s:s}", "ticket", "id", (json_int_t)id, "type", type,
					  "workflow_state", wf_initial(type), "status_url", link));
}

/* The items as the workflow keeps them: with the order's names. */
static json_t *items_json(const struct store_order *o, const struct ask *q)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < q->n; i++) {
		const char *name = "";
		for (size_t k = 0; k < o->nitems; k++)
			if (strcmp(o->items[k].sku, q->picks[i].sku) == 0)
				name = o->items[k].name;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:b}", "sku", q->picks[i].sku, "name", name, "quantity",
						     (json_int_t)q->picks[i].quantity, "opened", q->picks[i].opened));
	}
	return arr;
}

/* The first message: the reason and the items, in words an agent reads at a glance. */
static char *request_body(const char *reason, json_t *items)
{
	struct buf b;
	size_t i;
	json_t *it;
	buf_init(&b, TICKET_BODY_MAX);
	buf_adds(&b, reason);
	buf_adds(&b, "\n");
	json_array_foreach(items, i, it)
		buf_addf(&b, "\n- %s %s × %lld", json_get_str(it, "sku"), json_get_str(it, "name"),
			 (long long)json_integer_value(json_object_get(it, "quantity")));
	buf_addc(&b, '\0');
	return b.err ? (buf_release(&b), NULL) : buf_detach(&b, NULL);
}

static void h_return(struct http_req *r)
{
	struct asker k;
	struct ask q;
	const char *reason;
	json_t *body = upload_data(r);
	if (!body)
		return;
	if (prove(r, body, &k))
		goto out;
	if (parse_ask(r, body, &q) || need_text(r, body, "reason", WF_REASON_MAX, &reason) || photos_ok(r))
		goto done;
	const char *lang = body_lang(r, body);
	json_t *e = eligibility(app_of(r), &k, &q, lang);
	if (!json_is_true(json_object_get(e, "eligible"))) {
		http_reply_json(r, 422, json_pack("{s:{s:s,s:s,s:O}}", "error", "code", "not_eligible", "message",
						  "this request is not allowed", "reasons", json_object_get(e, "reasons")));
	} else {
		json_t *items = items_json(&k.o, &q);
		char *text = request_body(reason, items);
		json_t *w = json_pack("{s:s,s:s,s:o,s:s,s:s}", "kind", q.exchange ? "exchange" : "return", "order",
				      k.o.number, "items", items, "reason", reason, "lang", lang);
		create_request(r, &k, "return", w, text ? text : reason, q.exchange);
		json_decref(w);
		free(text);
	}
	json_decref(e);
done:
	store_order_free(&k.o);
out:
	json_decref(body);
}

/* The service point the customer chose among the site's: a copy, NULL (after a 422) when it is
 * not one of them; json null when the site has none and none was chosen. */
static json_t *service_point(struct http_req *r, struct app *a, int64_t site_id, const char *id, int *warranty_months)
{
	struct wf_rules rules;
	json_t *pts = points_load(a, site_id, &rules), *p, *found = NULL;
	size_t i;
	*warranty_months = rules.warranty_months;
	json_array_foreach(pts, i, p) {
		if (id && !found && strcmp(json_get_str(p, "id"), id) == 0)
			found = json_deep_copy(p);
	}
	if (!found && (id || json_array_size(pts) > 0)) {
		http_reply_error(r, 422, "invalid_field", "service_point: one of the shop's service points");
		json_decref(pts);
		return NULL;
	}
	json_decref(pts);
	return found ? found : json_null();
}

static void h_repair(struct http_req *r)
{
	struct asker k;
	struct wf_rules rules;
	const char *fault, *sku;
	json_t *body = upload_data(r);
	if (!body)
		return;
	const char *serial = json_get_str(body, "serial");
	if (prove(r, body, &k))
		goto out;
	if (serial && strlen(serial) > 64) {
		http_reply_error(r, 422, "invalid_field", "serial: at most 64 bytes");
		goto done;
	}
	const char *name = NULL;
	if (need_text(r, body, "sku", 64, &sku) || need_text(r, body, "fault", WF_REASON_MAX, &fault) || photos_ok(r))
		goto done;
	for (size_t i = 0; i < k.o.nitems; i++)
		if (strcmp(k.o.items[i].sku, sku) == 0)
			name = k.o.items[i].name;
	json_t *sp = name ? service_point(r, app_of(r), k.site.id, json_get_str(body, "service_point"),
					  &rules.warranty_months) : NULL;
	if (!name)
		http_reply_error(r, 422, "invalid_field", "sku: an item of the order");
	if (sp) {
		int warranty = wf_warranty_ok(&rules, k.o.placed_at, time_now_s());
		json_t *w = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:b,s:s}", "order", k.o.number, "sku", sku, "name", name,
				      "serial", serial ? serial : "", "fault", fault, "service_point", sp, "warranty",
				      warranty, "lang", body_lang(r, body));
		create_request(r, &k, "repair", w, fault, 0);
		json_decref(w);
	}
done:
	store_order_free(&k.o);
out:
	json_decref(body);
}

/* ---- the agents: GET/POST /api/v1/tickets/:id/workflow ---- */

/* The ticket of :id when the caller may see its site: 0, or 1 after a 404. */
static int load_ticket(struct http_req *r, struct ticket *t)
{
	int64_t id;
	if (crm_param_id(r, 0, &id) != 0 || ticket_get(app_of(r), id, t) != 0 || !crm_site_allowed(r, t->site_id)) {
		http_reply_error(r, 404, "not_found", "no such ticket");
		return 1;
	}
	return 0;
}

static const char *current_state(const struct ticket *t)
{
	return t->workflow_state[0] ? t->workflow_state : wf_initial(t->type);
}

static json_t *flow_json(const struct ticket *t)
{
	const char *next[8];
	const char *cur = current_state(t);
	size_t n = wf_next(t->type, cur, next, KF_ARRAY_LEN(next));
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:b}", "state", next[i], "needs_reason",
						     wf_needs_reason(next[i])));
	json_t *w = json_loads(t->workflow, 0, NULL);
	return json_pack("{s:I,s:s,s:s?,s:o,s:o,s:b}", "ticket_id", (json_int_t)t->id, "type", t->type, "state", cur,
			 "next", arr, "workflow", w ? w : json_object(), "final", wf_final(t->type, cur));
}

static void h_flow_get(struct http_req *r)
{
	struct ticket *t = xmalloc(sizeof(*t));
	if (load_ticket(r, t) == 0) {
		if (!wf_states(t->type))
			http_reply_error(r, 409, "no_workflow", "this type of ticket has no workflow");
		else
			http_reply_json(r, 200, flow_json(t));
	}
	free(t);
}

/* The CRM follows the end of a return: a refund marks the order returned (the ledger takes the
 * order's points back), an exchange leaves a note on the customer. */
static void crm_follow(struct app *a, const struct ticket *t, const char *to, json_t *w)
{
	const char *number = json_get_str(w, "order");
	if (!number)
		return;
	if (strcmp(to, "refunded") == 0 && crm_order_set_status(a, t->site_id, number, "returned") != 0)
		log_warn("returns: ticket %lld: could not mark order %s returned", (long long)t->id, number);
	struct store_customer *c = xmalloc(sizeof(*c));
	if (strcmp(to, "exchanged") == 0 && t->customer_id && store_customer_get(a->st, t->customer_id, c) == 0) {
		size_t l = strlen(c->notes);
		int n = snprintf(c->notes + l, sizeof(c->notes) - l, "%s换货完成 exchanged: order %s (#%lld)",
				 l ? "\n" : "", number, (long long)t->id);
		if (n > 0 && (size_t)n < sizeof(c->notes) - l) {   /* a full notes field is left as it is */
			c->updated_at = time_now_s();
			store_customer_update(a->st, c);
		}
	}
	free(c);
}

/* The move's body: {to, reason?}; 0, or 1 after a 4xx. */
static int move_args(struct http_req *r, const struct ticket *t, const char **to, const char **reason)
{
	*to = json_get_str(r->json, "to");
	*reason = json_get_str(r->json, "reason");
	if (!wf_states(t->type)) {
		http_reply_error(r, 409, "no_workflow", "this type of ticket has no workflow");
		return 1;
	}
	if (!*to || !wf_can_move(t->type, current_state(t), *to)) {
		http_reply_json(r, 409, json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "bad_transition", "message",
						  "this step does not follow the current one", "workflow", flow_json(t)));
		return 1;
	}
	if ((*reason && strlen(*reason) > WF_STEP_REASON_MAX) || (wf_needs_reason(*to) && (!*reason || !**reason))) {
		http_reply_error(r, 422, "invalid_field", "reason: 1 to 300 bytes, required for this step");
		return 1;
	}
	return 0;
}

static void h_flow_move(struct http_req *r)
{
	struct app *a = app_of(r);
	struct ticket *t = xmalloc(sizeof(*t));
	const char *to, *reason;
	int64_t uid = crm_caller_user_id(r), now = time_now_s();
	if (load_ticket(r, t) || move_args(r, t, &to, &reason))
		goto out;
	const char *actor = uid ? "agent" : "api";
	json_t *w = json_loads(t->workflow, 0, NULL);
	if (!json_is_object(w)) {   /* never write over facts that could not be read */
		json_decref(w);
		http_reply_error(r, 409, "workflow_unreadable", "the ticket's workflow facts cannot be read");
		goto out;
	}
	json_t *steps = json_object_get(w, "steps");
	if (!json_is_array(steps))
		json_object_set_new(w, "steps", steps = json_array());
	json_t *step = json_pack("{s:s,s:I}", "state", to, "at", (json_int_t)now);
	if (reason && *reason)
		json_object_set_new(step, "reason", json_string(reason));
	json_array_append_new(steps, step);
	char *text = json_dumps(w, JSON_COMPACT);
	if (text && strlen(text) >= sizeof(t->workflow)) {
		free(text);
		json_decref(w);
		http_reply_error(r, 413, "too_large", "the workflow's record is full");
		goto out;
	}
	int rc = text ? ticket_set(a, t->id, "workflow_state", to, actor, uid) : KF_ENOMEM;
	if (rc == 0)
		rc = ticket_set_workflow(a, t->id, text, actor, uid);
	if (rc == 0 && reason && *reason)
		ticket_event(a, t->id, "workflow_reason", "", reason, actor, uid);
	if (rc == 0 && wf_final(t->type, to))
		ticket_set(a, t->id, "status", "resolved", actor, uid);
	free(text);
	if (rc == 0 && strcmp(t->type, "return") == 0)
		crm_follow(a, t, to, w);
	json_decref(w);
	if (rc != 0 || ticket_get(a, t->id, t) != 0) {
		http_reply_error(r, 500, "internal", "could not move the ticket");
		goto out;
	}
	step_mail(r, t, to, reason);
	http_reply_json(r, 200, flow_json(t));
out:
	free(t);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/aftersales", h_rules_get, 0, ACCESS_AGENT, "tickets:read", "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/aftersales", h_rules_put, ROUTE_JSON, ACCESS_ADMIN, "tickets:admin", "api", NULL },
	{ M_POST, "/api/v1/returns/check", h_check, ROUTE_JSON, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_OPTIONS, "/api/v1/returns/check", crm_widget_preflight, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_POST, "/api/v1/returns", h_return, ROUTE_UPLOAD, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_OPTIONS, "/api/v1/returns", crm_widget_preflight, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_POST, "/api/v1/repairs", h_repair, ROUTE_UPLOAD, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_OPTIONS, "/api/v1/repairs", crm_widget_preflight, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_GET, "/api/v1/tickets/:id/workflow", h_flow_get, 0, ACCESS_AGENT, "tickets:read", "api", NULL },
	{ M_POST, "/api/v1/tickets/:id/workflow", h_flow_move, ROUTE_JSON, ACCESS_AGENT, "tickets:write", "api", NULL },
};

void wf_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
	wf_status_page_register(s);
}

void wf_shutdown(void)
{
	ratelimit_free(proof_rl);
	ratelimit_free(create_rl);
	proof_rl = create_rl = NULL;
	wf__status_page_shutdown();
}
