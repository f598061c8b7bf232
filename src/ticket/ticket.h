/* ticket/ticket.h - tickets (issue 7): one request from any channel (chat, e-mail, online form,
 * API) carried to the end by any agent. This header is what the ticket's parts share:
 *   ticket.c, routes.c, store_ticket.c   the core: create, thread, fields with history, search,
 *                                        views, the REST API, chat -> ticket (helper T1)
 *   mail_in.c, mail_out.c, mime.c        e-mail in (GMime, `kefu mail-in`, IMAP polling) and out
 *                                        (the queued, retried, never-twice outbox) (T2)
 *   forms.c                              online forms (在线表单) -> tickets (T3)
 *   sla.c, csat.c                        SLA clocks with business hours, escalation, CSAT and
 *                                        follow-up visits (回访), the report (T4)
 *   workflow.c, status_page.c            returns, repairs, complaints; the customer's status page (T5)
 * The core calls the others only through the hooks below, so each part stands alone.
 * Conventions: 0 or a negative KF_E* code (core/kf.h); times unix seconds; strings UTF-8. */
#ifndef KF_TICKET_TICKET_H
#define KF_TICKET_TICKET_H
#include <stddef.h>
#include <stdint.h>

struct app;
struct http_server;
struct http_req;

#define TICKET_SUBJECT_MAX 200      /* bytes */
#define TICKET_BODY_MAX (256 * 1024)
#define TICKET_TOKEN_LEN 43         /* base64url of a 32-byte HMAC, the status page's key */

/* The enumerations, as stored (migration 027). */
extern const char *const ticket_channels[];   /* chat email form api web, NULL-terminated */
extern const char *const ticket_types[];      /* question complaint return repair other */
extern const char *const ticket_priorities[]; /* low normal high urgent */
extern const char *const ticket_statuses[];   /* new open pending resolved closed */
int ticket_enum_ok(const char *const *list, const char *v);   /* 1 when v is in list */

/* A ticket as read (store_ticket.c fills it). */
struct ticket {
	int64_t id, site_id;
	char subject[TICKET_SUBJECT_MAX + 1];
	char channel[8], type[12], priority[8], status[12];
	int64_t assignee_id, department_id, customer_id, conversation_id, form_id;   /* 0 = none */
	int customer_verified;                /* 1: customer_id is proven, not guessed from an e-mail */
	char requester_name[256], requester_email[256], requester_phone[40];
	char tags[512];
	char workflow_state[32];
	char workflow[4096];                  /* JSON object */
	int64_t created_at, updated_at, first_response_at, resolved_at, closed_at;
	int64_t sla_first_due, sla_resolve_due, escalated_at;
	int sla_breached;                     /* bit 1 first response, bit 2 resolution */
	int csat_rating;
	char csat_comment[1024];
	int64_t csat_at;
};
int ticket_get(struct app *a, int64_t id, struct ticket *out);   /* KF_ENOTFOUND */

/* ---- creating ---- */
struct ticket_new {
	int64_t site_id;
	const char *subject;                  /* required, 1..200 bytes (cut on a UTF-8 boundary) */
	const char *channel;                  /* required: chat email form api web */
	const char *type, *priority;          /* NULL: question, normal */
	const char *requester_name, *requester_email, *requester_phone;   /* may be NULL */
	int64_t customer_id;                  /* 0: found by requester_email among the site's customers, else none */
	int customer_verified;                /* 1 only when the caller proved who the customer is (a
	                                       * shop-signed visitor, an order proof, an agent or API key);
	                                       * 0: the link is a guess, unverified (agents see a mark, the
	                                       * customer's widget does not list the ticket) */
	int64_t department_id, conversation_id, form_id, assignee_id;     /* 0 = none */
	const char *tags;                     /* space-separated, may be NULL */
	const char *body;                     /* the first message, public, from the customer (may be "") */
	const char *message_id;               /* the inbound Message-ID (no <>) or NULL */
	const char *workflow_state;           /* NULL = "" */
	const char *workflow;                 /* JSON object text, NULL = "{}" */
	const char *actor;                    /* customer agent system api */
	int64_t user_id;                      /* the agent when actor is agent */
};
/* In one transaction: the ticket, its first message, a "created" history row; then the hooks
 * (on_created: SLA due times ...), the search index, and a live update to the agents' consoles.
 * token (may be NULL): receives the requester's status-page token (TICKET_TOKEN_LEN + NUL;
 * "" if DATA/secret.key cannot be read), as ticket_status_token gives it. *id. KF_EINVAL for a bad field (err names it when errsz > 0). */
int ticket_create(struct app *a, const struct ticket_new *t, int64_t *id, char *token, char *err, size_t errsz);
/* 1 when token opens ticket id's status page (constant-time). */
int ticket_token_ok(struct app *a, int64_t id, const char *token);
/* Ticket id's status-page token, made again whenever needed and never stored:
 * base64url(HMAC-SHA256(K, "ticket-status:<id>:<token_gen>")), K derived from DATA/secret.key
 * (app_derive_key "ticket-status"). 0, KF_ENOTFOUND or KF_EIO. (Added by FX1, additive.) */
int ticket_status_token(struct app *a, int64_t id, char out[TICKET_TOKEN_LEN + 1]);
/* scheme://host[:port] for links in e-mails, no trailing '/': [tickets] public_url, else
 * http://<listen address>; never the request's Host header. (Added by FX1, additive.) */
void ticket_public_base(struct app *a, char *out, size_t outsz);
/* The language of a customer's page: "zh-CN", "zh-TW" or "en", from ?lang=, then saved (a form
 * field or the language kept with the request; may be NULL), then Accept-Language, else zh-CN.
 * (Added by FX1, additive.) */
const char *ticket_lang(struct http_req *r, const char *saved);

/* ---- the thread ---- */
struct ticket_msg_new {
	int64_t ticket_id;
	const char *kind;                     /* public note system */
	const char *author_kind;              /* agent customer system */
	int64_t user_id;                      /* the agent */
	const char *author_name, *author_email;
	const char *body;                     /* plain text, <= TICKET_BODY_MAX */
	const char *message_id;               /* inbound Message-ID, or NULL (outbound ids are made by mail_out) */
};
/* Appends a message. A customer's public message moves pending/resolved/closed to open (a
 * reply on a closed ticket reopens it, with a history row: docs/tickets.md); an agent's
 * first public reply sets first_response_at and moves new to open; then the hooks (on_message:
 * e-mail the requester an agent's public reply ...). KF_EEXIST when message_id was filed. */
int ticket_add_message(struct app *a, const struct ticket_msg_new *m, int64_t *msg_id);
/* Keeps data as an attachment of the message (content-addressed under DATA/files, as chat
 * files). name and content_type are sanitised. *att_id (may be NULL). */
int ticket_add_attachment(struct app *a, int64_t ticket_id, int64_t msg_id, const char *name,
			  const char *content_type, const void *data, size_t len, int64_t *att_id);

/* ---- fields, with history ---- */
/* Sets one field: status priority type assignee department tags subject customer
 * workflow_state (ids as decimal text, "" or "0" = none). A history row records actor,
 * user_id, old and new; nothing is written when the value is unchanged. Status changes set
 * resolved_at / closed_at and run on_status. KF_EINVAL for an unknown field or a bad value. */
int ticket_set(struct app *a, int64_t id, const char *field, const char *value, const char *actor, int64_t user_id);
/* The workflow facts (a JSON object's text) replace the old ones, with a history row. */
int ticket_set_workflow(struct app *a, int64_t id, const char *json, const char *actor, int64_t user_id);
/* A history row of the caller's own (e.g. "sla" "" "breached", "escalated"). */
int ticket_event(struct app *a, int64_t id, const char *field, const char *old, const char *new_value,
		 const char *actor, int64_t user_id);
/* A ticket from conversation conv_id (an agent's "make a ticket", an offline message): subject
 * from the first visitor message, the transcript as the first message, channel chat, the
 * visitor's contact (names cut to fit) and their shop-signed customer (verified). KF_EEXIST
 * with *id when the conversation has a ticket already: one ticket per conversation. */
int ticket_from_conversation(struct app *a, int64_t conv_id, const char *actor, int64_t user_id, int64_t *id,
			     char *err, size_t errsz);
int ticket_link_order(struct app *a, int64_t id, int64_t order_id, const char *actor, int64_t user_id);

/* ---- e-mail threading (the core's store; mail_in.c uses it) ---- */
/* The ticket of site_id an inbound mail continues: a message of refs (In-Reply-To and
 * References ids, no <>) that is in a ticket, else [#N] in the subject when ticket N's requester
 * is from_email. 0 with *id, KF_ENOTFOUND. */
int ticket_find_thread(struct app *a, int64_t site_id, const char *const *refs, size_t nrefs, const char *subject,
		       const char *from_email, int64_t *id);
/* The ticket number N of the first "[#N]" in subject (pure; for threading and tests): 0 with
 * *n, KF_ENOTFOUND when there is none. (Added by the core, T1.) */
int ticket_subject_number(const char *subject, int64_t *n);

/* ---- hooks: the parts register what they do at these moments (NULL = nothing) ---- */
struct ticket_hooks {
	void (*on_created)(struct app *a, const struct ticket *t);
	void (*on_message)(struct app *a, const struct ticket *t, int64_t msg_id, const struct ticket_msg_new *m);
	void (*on_status)(struct app *a, const struct ticket *t, const char *old_status);
	void (*on_field)(struct app *a, const struct ticket *t, const char *field);   /* type, priority ... */
};
/* Up to 8 parts each add their hooks at start (main.c, before serving); called in that order. */
void ticket_hooks_add(const struct ticket_hooks *h);

/* ---- the demo (ticket/demo.c): a form and tickets of every kind for `kefu demo-seed`, after the
 * CRM's demo customers; agent and supervisor are user ids (0 = none). */
int ticket_demo_seed(struct app *a, int64_t site_id, int64_t agent, int64_t supervisor);

/* ---- registration (main.c) ---- */
void ticket_register(struct http_server *s);            /* the core's REST routes */
void ticket_init(struct app *a);                         /* timers, hooks of every part */
void ticket_shutdown(void);

#endif
