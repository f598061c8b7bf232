/* ticket/ticket.c - the ticket core (issue 7): creating tickets, their thread, fields with a
 * history row for every change, e-mail threading, the search row and the live frame to the
 * agents' consoles. The other parts (mail, forms, SLA, workflows) act through the hooks, so
 * this file knows none of them. Every write that belongs together is one transaction; hooks,
 * the search row and the live frame come after the commit, so a failing hook never undoes
 * what the customer sent. */
#include "ticket/ticket_int.h"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat.h"
#include "chat/hub.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "crm/crm_int.h"
#include "http/http.h"
#include "search/search.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_route.h"
#include "store/store_ticket.h"
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const ticket_channels[] = {"chat", "email", "form", "api", "web", NULL};
const char *const ticket_types[] = {"question", "complaint", "return", "repair", "other", NULL};
const char *const ticket_priorities[] = {"low", "normal", "high", "urgent", NULL};
const char *const ticket_statuses[] = {"new", "open", "pending", "resolved", "closed", NULL};
static const char *const actors[] = {"agent", "customer", "system", "api", NULL};

#define INDEX_MAX (64 * 1024)   /* bytes of a ticket's text that go into its search row */
#define HOOKS_MAX 8

static struct ticket_hooks hooks[HOOKS_MAX];
static size_t nhooks;

int ticket_enum_ok(const char *const *list, const char *v)
{
	for (size_t i = 0; v && list[i]; i++)
		if (strcmp(list[i], v) == 0)
			return 1;
	return 0;
}

void ticket_hooks_add(const struct ticket_hooks *h)
{
	if (nhooks < HOOKS_MAX)
		hooks[nhooks++] = *h;
	else
		log_error("ticket: more than %d hook sets; one ignored", HOOKS_MAX);
}

int ticket_get(struct app *a, int64_t id, struct ticket *out)
{
	return store_ticket_get(a->st, id, out);
}

/* KF_EINVAL with "field: why" in err (when errsz > 0). */
static int bad(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errsz, const char *fmt, ...)
{
	if (errsz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return KF_EINVAL;
}

void ticket_tags_clean(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	out[0] = '\0';
	for (const char *p = in ? in : ""; *p;) {
		p += strspn(p, " \t\r\n,");
		size_t n = strcspn(p, " \t\r\n,");
		if (!n)
			break;
		if (o + (o ? 1 : 0) + n >= outsz)
			break;   /* whole words only */
		if (o)
			out[o++] = ' ';
		memcpy(out + o, p, n);
		o += n;
		out[o] = '\0';
		p += n;
	}
}

/* ---- creating ---- */

/* The plain text fields of a new ticket, checked and cut to fit into t. */
static int check_text(const struct ticket_new *n, struct ticket *t, char *err, size_t errsz)
{
	const char *subj = n->subject ? n->subject + strspn(n->subject, " \t\r\n") : "";
	if (!subj[0])
		return bad(err, errsz, "subject: required");
	if (!utf8_valid(subj, strlen(subj)))
		return bad(err, errsz, "subject: not valid UTF-8");
	utf8_copy(t->subject, sizeof(t->subject), subj);
	for (char *c = t->subject; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';   /* a subject is one line */
	const char *fields[] = {n->requester_name, n->requester_email, n->requester_phone, n->tags, n->body};
	const char *names[] = {"requester_name", "requester_email", "requester_phone", "tags", "body"};
	for (size_t i = 0; i < KF_ARRAY_LEN(fields); i++)
		if (fields[i] && !utf8_valid(fields[i], strlen(fields[i])))
			return bad(err, errsz, "%s: not valid UTF-8", names[i]);
	if (n->body && strlen(n->body) > TICKET_BODY_MAX)
		return bad(err, errsz, "body: at most %d bytes", TICKET_BODY_MAX);
	if (n->requester_name && strlen(n->requester_name) >= sizeof(t->requester_name))
		return bad(err, errsz, "requester_name: at most %zu bytes", sizeof(t->requester_name) - 1);
	utf8_copy(t->requester_name, sizeof(t->requester_name), n->requester_name ? n->requester_name : "");
	const char *em = n->requester_email ? n->requester_email : "";
	if (em[0] && (strlen(em) >= sizeof(t->requester_email) || !crm_email_ok(em)))
		return bad(err, errsz, "requester_email: an e-mail address");
	utf8_copy(t->requester_email, sizeof(t->requester_email), em);
	crm_lower(t->requester_email);
	const char *ph = n->requester_phone ? n->requester_phone : "";
	if (ph[0] && (strlen(ph) >= sizeof(t->requester_phone) || !crm_phone_ok(ph)))
		return bad(err, errsz, "requester_phone: digits, spaces, + - ( ), at least 5 digits");
	utf8_copy(t->requester_phone, sizeof(t->requester_phone), ph);
	if (n->tags && strlen(n->tags) >= sizeof(t->tags))
		return bad(err, errsz, "tags: at most %zu bytes", sizeof(t->tags) - 1);
	ticket_tags_clean(n->tags, t->tags, sizeof(t->tags));
	return 0;
}

static int check_enums(const struct ticket_new *n, struct ticket *t, char *err, size_t errsz)
{
	if (!ticket_enum_ok(ticket_channels, n->channel))
		return bad(err, errsz, "channel: one of chat email form api web");
	if (n->type && !ticket_enum_ok(ticket_types, n->type))
		return bad(err, errsz, "type: one of question complaint return repair other");
	if (n->priority && !ticket_enum_ok(ticket_priorities, n->priority))
		return bad(err, errsz, "priority: one of low normal high urgent");
	if (!ticket_enum_ok(actors, n->actor))
		return bad(err, errsz, "actor: one of agent customer system api");
	snprintf(t->channel, sizeof(t->channel), "%s", n->channel);
	snprintf(t->type, sizeof(t->type), "%s", n->type ? n->type : "question");
	snprintf(t->priority, sizeof(t->priority), "%s", n->priority ? n->priority : "normal");
	snprintf(t->status, sizeof(t->status), "new");
	const char *ws = n->workflow_state ? n->workflow_state : "";
	if (strlen(ws) >= sizeof(t->workflow_state) || strspn(ws, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(ws))
		return bad(err, errsz, "workflow_state: at most 31 of a-z 0-9 _ -");
	snprintf(t->workflow_state, sizeof(t->workflow_state), "%s", ws);
	const char *wf = n->workflow ? n->workflow : "{}";
	json_t *j = strlen(wf) < sizeof(t->workflow) ? json_loads(wf, JSON_REJECT_DUPLICATES, NULL) : NULL;
	int ok = json_is_object(j);
	json_decref(j);
	if (!ok)
		return bad(err, errsz, "workflow: a JSON object of at most %zu bytes", sizeof(t->workflow) - 1);
	snprintf(t->workflow, sizeof(t->workflow), "%s", wf);
	if (n->message_id && (strlen(n->message_id) > 250 || !utf8_valid(n->message_id, strlen(n->message_id))))
		return bad(err, errsz, "message_id: at most 250 bytes");
	return 0;
}

/* An agent who may hold tickets of the site: enabled, and an admin or a member. */
static int assignee_ok(struct app *a, int64_t site_id, int64_t user_id)
{
	struct store_user u;
	if (store_user_get(a->st, user_id, &u) != 0 || u.disabled)
		return 0;
	return auth_role_level(u.role) >= ACCESS_ADMIN || store_site_is_member(a->st, site_id, user_id) == 0;
}

static int dept_ok(struct app *a, int64_t site_id, int64_t dept_id)
{
	struct store_dept d;
	return store_dept_get(a->st, dept_id, &d) == 0 && d.site_id == site_id;
}

static int customer_ok(struct app *a, int64_t site_id, int64_t customer_id)
{
	struct store_customer *c = malloc(sizeof(*c));   /* 16 KB */
	int ok = c && store_customer_get(a->st, customer_id, c) == 0 && c->site_id == site_id;
	free(c);
	return ok;
}

/* The ids a new ticket names belong to its site. */
static int check_ids(struct app *a, const struct ticket_new *n, struct ticket *t, char *err, size_t errsz)
{
	struct store_site s;
	if (n->site_id <= 0 || store_site_get(a->st, n->site_id, &s) != 0)
		return bad(err, errsz, "site_id: no such site");
	t->site_id = n->site_id;
	if (n->department_id && !dept_ok(a, n->site_id, n->department_id))
		return bad(err, errsz, "department_id: no such department on this site");
	if (n->assignee_id && !assignee_ok(a, n->site_id, n->assignee_id))
		return bad(err, errsz, "assignee_id: no such agent on this site");
	if (n->customer_id && !customer_ok(a, n->site_id, n->customer_id))
		return bad(err, errsz, "customer_id: no such customer on this site");
	struct store_conv c;
	if (n->conversation_id && (store_conv_get(a->st, n->conversation_id, &c) != 0 || c.site_id != n->site_id))
		return bad(err, errsz, "conversation_id: no such conversation on this site");
	if (n->form_id < 0)
		return bad(err, errsz, "form_id: not an id");
	t->department_id = n->department_id;
	t->assignee_id = n->assignee_id;
	t->customer_id = n->customer_id;
	t->conversation_id = n->conversation_id;
	t->form_id = n->form_id;
	return 0;
}

/* No customer given: the site's customer with the requester's e-mail, if any. An address anybody
 * can type proves nothing, so such a link is never verified: the agents see it marked and the
 * customer's widget does not list the ticket (a forged form cannot show up in their account). */
static void find_customer(struct app *a, const struct ticket_new *n, struct ticket *t)
{
	if (!t->customer_id && t->requester_email[0]) {
		struct store_customer *c = malloc(sizeof(*c));
		if (c && store_customer_by_email(a->st, t->site_id, t->requester_email, c) == 0)
			t->customer_id = c->id;
		free(c);
	}
	/* the caller's proof (an agent or API key typing the address vouches for it) */
	t->customer_verified = n->customer_verified && t->customer_id;
}

static int add_event(struct app *a, int64_t id, const char *field, const char *old, const char *new_value,
		     const char *actor, int64_t user_id)
{
	struct store_ticket_event e;
	memset(&e, 0, sizeof(e));
	e.ticket_id = id;
	snprintf(e.actor, sizeof(e.actor), "%s", actor);
	e.user_id = actor && strcmp(actor, "agent") == 0 ? user_id : 0;
	snprintf(e.field, sizeof(e.field), "%s", field);
	utf8_copy(e.old, sizeof(e.old), old ? old : "");
	utf8_copy(e.new_value, sizeof(e.new_value), new_value ? new_value : "");
	e.at = time_now_s();
	return store_ticket_event_add(a->st, &e);
}

/* The rows of a new ticket, in one transaction. */
static int create_rows(struct app *a, const struct ticket_new *n, struct ticket *t, int64_t *id)
{
	if (store_ticket_begin(a->st) != 0)
		return KF_EIO;
	int rc = store_ticket_insert(a->st, t, id);
	/* an empty request is no message, unless its Message-ID must be kept for threading */
	if (!rc && n->body && (n->body[0] || (n->message_id && n->message_id[0]))) {
		struct store_ticket_msg m;
		memset(&m, 0, sizeof(m));
		m.ticket_id = *id;
		snprintf(m.kind, sizeof(m.kind), "public");
		/* the first message is the request, the customer's words, whoever files it (ticket.h) */
		snprintf(m.author_kind, sizeof(m.author_kind), "customer");
		utf8_copy(m.author_name, sizeof(m.author_name), t->requester_name);
		utf8_copy(m.author_email, sizeof(m.author_email), t->requester_email);
		m.body = n->body;
		utf8_copy(m.message_id, sizeof(m.message_id), n->message_id ? n->message_id : "");
		m.created_at = t->created_at;
		rc = store_ticket_msg_insert(a->st, &m);
	}
	if (!rc)
		rc = add_event(a, *id, "created", "", t->channel, n->actor, n->user_id);
	if (rc) {
		store_ticket_rollback(a->st);
		return rc;
	}
	return store_ticket_commit(a->st);
}

int ticket_create(struct app *a, const struct ticket_new *n, int64_t *id, char *token, char *err, size_t errsz)
{
	struct ticket *t = calloc(1, sizeof(*t));
	if (!t)
		return KF_ENOMEM;
	if (errsz)
		err[0] = '\0';
	int rc = check_enums(n, t, err, errsz);
	if (!rc)
		rc = check_text(n, t, err, errsz);
	if (!rc)
		rc = check_ids(a, n, t, err, errsz);
	if (rc) {
		free(t);
		return rc;
	}
	find_customer(a, n, t);
	t->created_at = t->updated_at = time_now_s();
	rc = create_rows(a, n, t, id);
	if (rc) {
		free(t);
		if (rc == KF_EEXIST)
			bad(err, errsz, "message_id: already filed");
		return rc;
	}
	if (token && ticket_status_token(a, *id, token) != 0)
		token[0] = '\0';   /* no link to give (DATA/secret.key unreadable); the ticket stands */
	if (store_ticket_get(a->st, *id, t) == 0)
		for (size_t i = 0; i < nhooks; i++)
			if (hooks[i].on_created)
				hooks[i].on_created(a, t);
	free(t);
	ticket_reindex(a, *id);
	ticket_live(a, *id);
	return 0;
}

/* The token is not stored: it is made again from the ticket's id and token_gen under a key
 * derived from DATA/secret.key, so a copy of the database opens no status page. */
int ticket_status_token(struct app *a, int64_t id, char out[TICKET_TOKEN_LEN + 1])
{
	unsigned char key[32], mac[crypto_auth_hmacsha256_BYTES];
	char msg[64];
	int64_t gen = 0;
	out[0] = '\0';
	int rc = store_ticket_token_gen(a->st, id, &gen);
	if (rc)
		return rc;
	if (app_derive_key(a, "ticket-status", key))
		return KF_EIO;
	int n = snprintf(msg, sizeof(msg), "ticket-status:%lld:%lld", (long long)id, (long long)gen);
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, key);
	sodium_memzero(key, sizeof(key));
	sodium_bin2base64(out, TICKET_TOKEN_LEN + 1, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int ticket_token_ok(struct app *a, int64_t id, const char *token)
{
	char want[TICKET_TOKEN_LEN + 1];
	return token && strlen(token) == TICKET_TOKEN_LEN && ticket_status_token(a, id, want) == 0 &&
	       sodium_memcmp(want, token, TICKET_TOKEN_LEN) == 0;
}

/* Links in e-mails start with this, never with the request's Host header: a stranger could
 * otherwise make the shop's mail server send a customer's link to a host of theirs. */
void ticket_public_base(struct app *a, char *out, size_t outsz)
{
	size_t n;
	if (a->cfg.public_url[0])
		snprintf(out, outsz, "%s", a->cfg.public_url);
	else
		snprintf(out, outsz, "http://%s", a->cfg.listen);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
}

/* The page language of tag t[0..n): en*, zh with a TW/HK/MO/Hant subtag, other zh; NULL for
 * a language we have no page in. */
static const char *lang_tag(const char *t, size_t n)
{
	if (n >= 2 && !ascii_casecmp_n(t, 2, "en") && (n == 2 || t[2] == '-'))
		return "en";
	if (n < 2 || ascii_casecmp_n(t, 2, "zh") || (n > 2 && t[2] != '-'))
		return NULL;
	for (size_t i = 2; i < n;) {   /* the subtags after "zh" */
		size_t k = i + 1, len;
		while (k < n && t[k] != '-')
			k++;
		len = k - i - 1;
		if (!ascii_casecmp_n(t + i + 1, len, "tw") || !ascii_casecmp_n(t + i + 1, len, "hk") ||
		    !ascii_casecmp_n(t + i + 1, len, "mo") || !ascii_casecmp_n(t + i + 1, len, "hant"))
			return "zh-TW";
		i = k;
	}
	return "zh-CN";
}

const char *ticket_lang(struct http_req *r, const char *saved)
{
	const char *q = http_query(r, "lang"), *al = http_header(r, "accept-language");
	const char *l = q ? lang_tag(q, strlen(q)) : NULL;
	if (!l && saved)
		l = lang_tag(saved, strlen(saved));
	while (!l && al && *al) {
		al += strspn(al, " \t,");
		l = lang_tag(al, strcspn(al, ",; \t"));
		al += strcspn(al, ",");
	}
	return l ? l : "zh-CN";
}

/* ---- the thread ---- */

static int check_msg(const struct ticket_msg_new *m)
{
	if (!m->kind || (strcmp(m->kind, "public") && strcmp(m->kind, "note") && strcmp(m->kind, "system")))
		return KF_EINVAL;
	if (!m->author_kind || (strcmp(m->author_kind, "agent") && strcmp(m->author_kind, "customer") &&
				strcmp(m->author_kind, "system")))
		return KF_EINVAL;
	if (!m->body || strlen(m->body) > TICKET_BODY_MAX || !utf8_valid(m->body, strlen(m->body)))
		return KF_EINVAL;
	if (m->message_id && (strlen(m->message_id) > 250 || !utf8_valid(m->message_id, strlen(m->message_id))))
		return KF_EINVAL;
	return 0;
}

/* What a message does to the ticket's status: a customer's reply reopens what waited on them,
 * was resolved or was closed (the reply is a new question on the same matter: reopening keeps
 * the thread, its orders and workflow in one place, and the history row shows it); an agent's
 * first public reply opens a new ticket. NULL: no change. */
static const char *status_after(const struct ticket *t, const struct ticket_msg_new *m)
{
	if (strcmp(m->kind, "public") != 0)
		return NULL;
	if (strcmp(m->author_kind, "customer") == 0 && (!strcmp(t->status, "pending") || !strcmp(t->status, "resolved") ||
								      !strcmp(t->status, "closed")))
		return "open";
	if (strcmp(m->author_kind, "agent") == 0 && strcmp(t->status, "new") == 0)
		return "open";
	return NULL;
}

static int msg_rows(struct app *a, const struct ticket *t, const struct ticket_msg_new *m, const char *to_status,
		    int64_t *msg_id)
{
	struct store_ticket_msg sm;
	int64_t now = time_now_s();
	const char *actor = strcmp(m->author_kind, "agent") == 0 ? "agent" : m->author_kind;
	memset(&sm, 0, sizeof(sm));
	sm.ticket_id = t->id;
	snprintf(sm.kind, sizeof(sm.kind), "%s", m->kind);
	snprintf(sm.author_kind, sizeof(sm.author_kind), "%s", m->author_kind);
	sm.user_id = strcmp(m->author_kind, "agent") == 0 ? m->user_id : 0;
	utf8_copy(sm.author_name, sizeof(sm.author_name), m->author_name ? m->author_name : "");
	utf8_copy(sm.author_email, sizeof(sm.author_email), m->author_email ? m->author_email : "");
	sm.body = m->body;
	utf8_copy(sm.message_id, sizeof(sm.message_id), m->message_id ? m->message_id : "");
	sm.created_at = now;
	int rc = store_ticket_msg_insert(a->st, &sm);
	if (!rc)
		rc = add_event(a, t->id, strcmp(m->kind, "note") == 0 ? "note" : "message", "", m->author_kind, actor,
			       m->user_id);
	if (!rc && to_status) {
		rc = store_ticket_set_text(a->st, t->id, "status", to_status, now);
		if (!rc && (strcmp(t->status, "resolved") == 0 || t->resolved_at))
			rc = store_ticket_set_int(a->st, t->id, "resolved_at", 0, now);
		if (!rc && t->closed_at)
			rc = store_ticket_set_int(a->st, t->id, "closed_at", 0, now);
		if (!rc)
			rc = add_event(a, t->id, "status", t->status, to_status, actor, m->user_id);
	} else if (!rc)
		rc = store_ticket_touch(a->st, t->id, now);
	if (!rc && !strcmp(m->kind, "public") && !strcmp(m->author_kind, "agent") && !t->first_response_at)
		rc = store_ticket_set_int(a->st, t->id, "first_response_at", now, now);
	if (!rc)
		*msg_id = sm.id;
	return rc;
}

int ticket_add_message(struct app *a, const struct ticket_msg_new *m, int64_t *msg_id)
{
	int64_t mid = 0;
	if (check_msg(m))
		return KF_EINVAL;
	struct ticket *t = malloc(sizeof(*t));
	if (!t)
		return KF_ENOMEM;
	int rc = store_ticket_get(a->st, m->ticket_id, t);
	const char *to = rc ? NULL : status_after(t, m);
	char old[12];
	snprintf(old, sizeof(old), "%s", rc ? "" : t->status);
	if (!rc && (rc = store_ticket_begin(a->st)) == 0) {
		rc = msg_rows(a, t, m, to, &mid);
		if (rc)
			store_ticket_rollback(a->st);
		else
			rc = store_ticket_commit(a->st);
	}
	/* every part sees the message before any sees the status it caused, whatever their order */
	if (!rc && store_ticket_get(a->st, m->ticket_id, t) == 0) {
		for (size_t i = 0; i < nhooks; i++)
			if (hooks[i].on_message)
				hooks[i].on_message(a, t, mid, m);
		for (size_t i = 0; to && i < nhooks; i++)
			if (hooks[i].on_status)
				hooks[i].on_status(a, t, old);
	}
	free(t);
	if (rc)
		return rc;
	if (msg_id)
		*msg_id = mid;
	ticket_reindex(a, m->ticket_id);
	ticket_live(a, m->ticket_id);
	return 0;
}

/* A name safe to show and to send in a header: no path, no control characters. */
void ticket_att_clean_name(const char *in, char *out, size_t outsz)
{
	const char *base = in ? in : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	utf8_copy(out, outsz, utf8_valid(base, strlen(base)) && base[0] ? base : "file");
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '"')
			*c = '_';
}

void ticket_att_clean_type(const char *in, char *out, size_t outsz)
{
	const char *t = in && in[0] ? in : "application/octet-stream";
	size_t n = strcspn(t, "; \t");
	if (n == 0 || n >= outsz || strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.+-_") < n ||
	    !memchr(t, '/', n))
		t = "application/octet-stream", n = strlen(t);
	memcpy(out, t, n);
	out[n] = '\0';
	for (char *c = out; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
}

int ticket_add_attachment(struct app *a, int64_t ticket_id, int64_t msg_id, const char *name,
			  const char *content_type, const void *data, size_t len, int64_t *att_id)
{
	struct store_ticket_att at;
	struct ticket *t = malloc(sizeof(*t));
	int rc = t ? store_ticket_get(a->st, ticket_id, t) : KF_ENOMEM;
	free(t);
	if (rc)
		return rc;
	int64_t owner;
	if ((!data && len) || (msg_id && (store_ticket_msg_ticket(a->st, msg_id, &owner) != 0 || owner != ticket_id)))
		return KF_EINVAL;   /* a message of another ticket would show this file there */
	memset(&at, 0, sizeof(at));
	if ((rc = chat_blob_put(a, data ? data : "", len, at.sha256)) != 0)
		return rc;
	at.ticket_id = ticket_id;
	at.message_id = msg_id;
	ticket_att_clean_name(name, at.name, sizeof(at.name));
	ticket_att_clean_type(content_type, at.content_type, sizeof(at.content_type));
	at.size = (int64_t)len;
	at.created_at = time_now_s();
	if ((rc = store_ticket_att_insert(a->st, &at)) != 0)
		return rc;
	if (att_id)
		*att_id = at.id;
	ticket_live(a, ticket_id);
	return 0;
}

/* ---- fields ---- */

static const char *const set_fields[] = {"status", "priority", "type", "assignee", "department", "tags", "subject",
					 "customer", "workflow_state", NULL};

/* An id as a history row keeps it: decimal, "" for none. */
static void id_text(int64_t id, char *out, size_t outsz)
{
	if (id)
		snprintf(out, outsz, "%lld", (long long)id);
	else if (outsz)
		out[0] = '\0';
}

/* An id field's value: "" or "0" is none. */
static int parse_id(const char *v, int64_t *id)
{
	*id = 0;
	return !v[0] ? 0 : parse_i64(v, strlen(v), id) == 0 && *id >= 0 ? 0 : KF_EINVAL;
}

/* Checks value for field of t; the new value as stored into nv (text, or the id as text). */
static int check_field(struct app *a, const struct ticket *t, const char *field, const char *v, char *nv, size_t nvsz,
		       int64_t *idv)
{
	if (!strcmp(field, "status") || !strcmp(field, "priority") || !strcmp(field, "type")) {
		const char *const *list = !strcmp(field, "status") ? ticket_statuses
					  : !strcmp(field, "priority") ? ticket_priorities : ticket_types;
		if (!ticket_enum_ok(list, v))
			return KF_EINVAL;
		snprintf(nv, nvsz, "%s", v);
	} else if (!strcmp(field, "tags")) {
		if (strlen(v) >= sizeof(t->tags) || !utf8_valid(v, strlen(v)))
			return KF_EINVAL;
		ticket_tags_clean(v, nv, nvsz);
	} else if (!strcmp(field, "subject")) {
		v += strspn(v, " \t\r\n");
		if (!v[0] || !utf8_valid(v, strlen(v)))
			return KF_EINVAL;
		utf8_copy(nv, TICKET_SUBJECT_MAX + 1 < nvsz ? TICKET_SUBJECT_MAX + 1 : nvsz, v);
		for (char *c = nv; *c; c++)
			if ((unsigned char)*c < 0x20)
				*c = ' ';
	} else if (!strcmp(field, "workflow_state")) {
		if (strlen(v) >= sizeof(t->workflow_state) || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(v))
			return KF_EINVAL;
		snprintf(nv, nvsz, "%s", v);
	} else {
		if (parse_id(v, idv))
			return KF_EINVAL;
		if (*idv && ((!strcmp(field, "assignee") && !assignee_ok(a, t->site_id, *idv)) ||
			     (!strcmp(field, "department") && !dept_ok(a, t->site_id, *idv)) ||
			     (!strcmp(field, "customer") && !customer_ok(a, t->site_id, *idv))))
			return KF_EINVAL;
		id_text(*idv, nv, nvsz);
	}
	return 0;
}

int ticket_field_check(struct app *a, const struct ticket *t, const char *field, const char *value)
{
	char nv[TICKET_SUBJECT_MAX + 512];
	int64_t idv;
	if (!ticket_enum_ok(set_fields, field) || !value)
		return KF_EINVAL;
	return check_field(a, t, field, value, nv, sizeof(nv), &idv);
}

/* The stored form of field's current value in t. */
static void current(const struct ticket *t, const char *field, char *out, size_t outsz)
{
	int64_t id = !strcmp(field, "assignee") ? t->assignee_id : !strcmp(field, "department") ? t->department_id
		     : !strcmp(field, "customer") ? t->customer_id : -1;
	if (id >= 0)
		id_text(id, out, outsz);
	else
		utf8_copy(out, outsz, !strcmp(field, "status") ? t->status : !strcmp(field, "priority") ? t->priority
				      : !strcmp(field, "type") ? t->type : !strcmp(field, "tags") ? t->tags
				      : !strcmp(field, "subject") ? t->subject : t->workflow_state);
}

/* The status's own times: resolved_at / closed_at set when reached, cleared on reopening. */
static int status_times(struct app *a, const struct ticket *t, const char *to, int64_t now)
{
	int rc = 0;
	if (!strcmp(to, "resolved"))
		rc = store_ticket_set_int(a->st, t->id, "resolved_at", now, now);
	else if (!strcmp(to, "closed")) {
		rc = store_ticket_set_int(a->st, t->id, "closed_at", now, now);
		if (!rc && !t->resolved_at)
			rc = store_ticket_set_int(a->st, t->id, "resolved_at", now, now);
	} else {
		if (t->resolved_at)
			rc = store_ticket_set_int(a->st, t->id, "resolved_at", 0, now);
		if (!rc && t->closed_at)
			rc = store_ticket_set_int(a->st, t->id, "closed_at", 0, now);
	}
	return rc;
}

static int set_rows(struct app *a, const struct ticket *t, const char *field, const char *old, const char *nv,
		    int64_t idv, const char *actor, int64_t user_id)
{
	int64_t now = time_now_s();
	char col[24];
	int is_id = !strcmp(field, "assignee") || !strcmp(field, "department") || !strcmp(field, "customer");
	snprintf(col, sizeof(col), "%s%s", field, is_id ? "_id" : "");
	int rc = is_id ? store_ticket_set_int(a->st, t->id, col, idv, now) : store_ticket_set_text(a->st, t->id, col, nv, now);
	if (!rc && !strcmp(field, "status"))
		rc = status_times(a, t, nv, now);
	if (!rc && !strcmp(field, "customer"))   /* an agent or API key naming the customer vouches for it */
		rc = store_ticket_set_int(a->st, t->id, "customer_verified",
					   idv && (!strcmp(actor, "agent") || !strcmp(actor, "api")), now);
	if (!rc)
		rc = add_event(a, t->id, field, old, nv, actor, user_id);
	return rc;
}

int ticket_set(struct app *a, int64_t id, const char *field, const char *value, const char *actor, int64_t user_id)
{
	char nv[TICKET_SUBJECT_MAX + 512], old[TICKET_SUBJECT_MAX + 512];
	int64_t idv = 0;
	if (!ticket_enum_ok(set_fields, field) || !value || !ticket_enum_ok(actors, actor))
		return KF_EINVAL;
	struct ticket *t = malloc(sizeof(*t));
	int rc = t ? store_ticket_get(a->st, id, t) : KF_ENOMEM;
	if (!rc)
		rc = check_field(a, t, field, value, nv, sizeof(nv), &idv);
	if (!rc)
		current(t, field, old, sizeof(old));
	/* the same customer named again by an agent confirms a link that was only guessed */
	int confirm = !rc && !strcmp(field, "customer") && idv && !t->customer_verified &&
		      (!strcmp(actor, "agent") || !strcmp(actor, "api"));
	if (rc || (strcmp(old, nv) == 0 && !confirm)) {
		free(t);
		return rc;   /* unchanged: nothing written */
	}
	if ((rc = store_ticket_begin(a->st)) == 0) {
		rc = set_rows(a, t, field, old, nv, idv, actor, user_id);
		if (rc)
			store_ticket_rollback(a->st);
		else
			rc = store_ticket_commit(a->st);
	}
	if (!rc && store_ticket_get(a->st, id, t) == 0)
		for (size_t i = 0; i < nhooks; i++) {
			if (!strcmp(field, "status") && hooks[i].on_status)
				hooks[i].on_status(a, t, old);
			else if (strcmp(field, "status") && hooks[i].on_field)
				hooks[i].on_field(a, t, field);
		}
	free(t);
	if (!rc) {
		if (!strcmp(field, "subject"))
			ticket_reindex(a, id);
		ticket_live(a, id);
	}
	return rc;
}

int ticket_set_workflow(struct app *a, int64_t id, const char *json, const char *actor, int64_t user_id)
{
	if (!json || strlen(json) >= sizeof(((struct ticket *)0)->workflow) || !ticket_enum_ok(actors, actor))
		return KF_EINVAL;
	json_t *j = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
	int ok = json_is_object(j);
	json_decref(j);
	if (!ok)
		return KF_EINVAL;
	struct ticket *t = malloc(sizeof(*t));
	int rc = t ? store_ticket_get(a->st, id, t) : KF_ENOMEM;
	if (!rc && strcmp(t->workflow, json) != 0 && (rc = store_ticket_begin(a->st)) == 0) {
		rc = store_ticket_set_text(a->st, id, "workflow", json, time_now_s());
		if (!rc)
			rc = add_event(a, id, "workflow", t->workflow, json, actor, user_id);
		if (rc)
			store_ticket_rollback(a->st);
		else
			rc = store_ticket_commit(a->st);
		if (!rc && store_ticket_get(a->st, id, t) == 0)
			for (size_t i = 0; i < nhooks; i++)
				if (hooks[i].on_field)
					hooks[i].on_field(a, t, "workflow");
		if (!rc)
			ticket_live(a, id);
	}
	free(t);
	return rc;
}

int ticket_event(struct app *a, int64_t id, const char *field, const char *old, const char *new_value,
		 const char *actor, int64_t user_id)
{
	struct ticket *t = malloc(sizeof(*t));
	int rc = t ? store_ticket_get(a->st, id, t) : KF_ENOMEM;
	free(t);
	if (rc)
		return rc;
	if (!field || !field[0] || strlen(field) > 31 || !ticket_enum_ok(actors, actor))
		return KF_EINVAL;
	return add_event(a, id, field, old, new_value, actor, user_id);
}

int ticket_link_order(struct app *a, int64_t id, int64_t order_id, const char *actor, int64_t user_id)
{
	if (!ticket_enum_ok(actors, actor))
		return KF_EINVAL;
	int rc = store_ticket_begin(a->st);
	if (rc)
		return rc;
	rc = store_ticket_order_link(a->st, id, order_id);
	if (!rc) {
		char v[24];
		snprintf(v, sizeof(v), "%lld", (long long)order_id);
		rc = add_event(a, id, "order", "", v, actor, user_id);
	}
	if (rc) {
		store_ticket_rollback(a->st);
		return rc;
	}
	rc = store_ticket_commit(a->st);
	if (!rc)
		ticket_live(a, id);
	return rc;
}

/* ---- e-mail threading ---- */

int ticket_subject_number(const char *subject, int64_t *n)
{
	for (const char *p = subject ? strstr(subject, "[#") : NULL; p; p = strstr(p + 2, "[#")) {
		size_t d = strspn(p + 2, "0123456789");
		int64_t v;
		if (d > 0 && d <= 18 && p[2 + d] == ']' && parse_i64(p + 2, d, &v) == 0 && v > 0) {
			*n = v;
			return 0;
		}
	}
	return KF_ENOTFOUND;
}

int ticket_find_thread(struct app *a, int64_t site_id, const char *const *refs, size_t nrefs, const char *subject,
		       const char *from_email, int64_t *id)
{
	for (size_t i = nrefs; i-- > 0;)   /* the newest reference (In-Reply-To comes last) first */
		if (refs[i] && refs[i][0] && store_ticket_by_message_id(a->st, site_id, refs[i], id) == 0)
			return 0;
	int64_t n;
	if (ticket_subject_number(subject, &n) != 0 || !from_email || !from_email[0])
		return KF_ENOTFOUND;
	struct ticket *t = malloc(sizeof(*t));
	int rc = t ? store_ticket_get(a->st, n, t) : KF_ENOMEM;
	if (!rc && (t->site_id != site_id || strcasecmp(t->requester_email, from_email) != 0))
		rc = KF_ENOTFOUND;   /* a number alone never lets a stranger into a ticket */
	free(t);
	if (!rc)
		*id = n;
	return rc == KF_ENOMEM ? rc : rc ? KF_ENOTFOUND : 0;
}

/* ---- search and live updates ---- */

static int index_msg(void *ud, const struct store_ticket_msg *m)
{
	struct buf *b = ud;
	size_t room = INDEX_MAX > b->len ? INDEX_MAX - b->len : 0;
	size_t n = strlen(m->body);
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)m->body[n] & 0xC0) == 0x80)
			n--;   /* cut on a character boundary */
	}
	buf_addc(b, '\n');
	buf_add(b, m->body, n);
	return b->len >= INDEX_MAX;
}

void ticket_reindex(struct app *a, int64_t id)
{
	struct ticket *t = malloc(sizeof(*t));
	struct buf text, bi, uni;
	buf_init(&text, INDEX_MAX + 1024);
	buf_init(&bi, 0);
	buf_init(&uni, 0);
	if (t && store_ticket_get(a->st, id, t) == 0) {
		buf_adds(&text, t->subject);
		buf_addc(&text, ' ');
		buf_adds(&text, t->tags);
		int rc = store_ticket_msg_each(a->st, id, 1, index_msg, &text);
		if (rc >= 0 && search_tokens(text.ptr, &bi, &uni) == 0 && store_ticket_index(a->st, id, bi.ptr, uni.ptr) != 0)
			log_error("ticket %lld: the search row was not written", (long long)id);
	}
	free(t);
	buf_release(&text);
	buf_release(&bi);
	buf_release(&uni);
}

static json_t *sla_json(const struct ticket *t)
{
	return json_pack("{s:I,s:I,s:i,s:I}", "first_due", (json_int_t)t->sla_first_due, "resolve_due",
			 (json_int_t)t->sla_resolve_due, "breached", t->sla_breached, "escalated_at",
			 (json_int_t)t->escalated_at);
}

json_t *ticket_summary_json(const struct store_ticket_row *r)
{
	const struct ticket *t = &r->t;
	json_t *j = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:s,s:I,s:s,s:s,s:s,s:I,s:I}", "id",
			      (json_int_t)t->id, "site_id", (json_int_t)t->site_id, "site_name", r->site_name, "subject",
			      t->subject, "channel", t->channel, "type", t->type, "priority", t->priority, "status",
			      t->status, "assignee_id", (json_int_t)t->assignee_id, "assignee_name", r->assignee_name,
			      "department_id", (json_int_t)t->department_id, "department_name", r->department_name,
			      "customer_id", (json_int_t)t->customer_id, "requester_name", t->requester_name,
			      "requester_email", t->requester_email, "tags", t->tags, "created_at",
			      (json_int_t)t->created_at, "updated_at", (json_int_t)t->updated_at);
	if (j) {
		json_object_set_new(j, "sla", sla_json(t));
		json_object_set_new(j, "sla_first_due", json_integer(t->sla_first_due));
		json_object_set_new(j, "sla_resolve_due", json_integer(t->sla_resolve_due));
		json_object_set_new(j, "sla_breached", json_integer(t->sla_breached));
		json_object_set_new(j, "workflow_state", json_string(t->workflow_state));
		json_object_set_new(j, "customer_verified", json_boolean(t->customer_verified));
	}
	return j;
}

json_t *ticket_full_json(const struct store_ticket_row *r)
{
	const struct ticket *t = &r->t;
	json_t *j = ticket_summary_json(r);
	if (!j)
		return NULL;
	json_t *wf = json_loads(t->workflow, 0, NULL);
	json_object_set_new(j, "workflow", json_is_object(wf) ? wf : json_object());
	if (!json_is_object(wf))
		json_decref(wf);
	json_object_set_new(j, "requester_phone", json_string(t->requester_phone));
	json_object_set_new(j, "conversation_id", json_integer(t->conversation_id));
	json_object_set_new(j, "form_id", json_integer(t->form_id));
	json_object_set_new(j, "first_response_at", json_integer(t->first_response_at));
	json_object_set_new(j, "resolved_at", json_integer(t->resolved_at));
	json_object_set_new(j, "closed_at", json_integer(t->closed_at));
	json_object_set_new(j, "csat", json_pack("{s:i,s:s,s:I}", "rating", t->csat_rating, "comment", t->csat_comment,
						 "at", (json_int_t)t->csat_at));
	return j;
}

void ticket_live(struct app *a, int64_t id)
{
	struct store_ticket_row *r = malloc(sizeof(*r));
	if (!r || store_ticket_row_get(a->st, id, r) != 0) {
		free(r);
		return;
	}
	json_t *v = json_pack("{s:s,s:o}", "type", "ticket", "ticket", ticket_summary_json(r));
	for (struct aconn *c = hub_agents(); v && c; c = c->next)
		if (c->hello && hub_agent_covers(c, r->t.site_id))
			hub_send(c->ws, json_incref(v));
	json_decref(v);
	free(r);
}
