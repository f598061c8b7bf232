/* chat/chat_int.h - what the chat files share (not for other modules). */
#ifndef KF_CHAT_INT_H
#define KF_CHAT_INT_H
#include "chat/chat.h"
#include "chat/hub.h"

#define CHAT_MAX_TEXT 10000   /* characters */

extern const struct ws_handler chat_visitor_ws, chat_agent_ws;

/* Parses a text frame into a JSON object; answers bad_json and returns NULL otherwise. */
json_t *chat_parse_frame(struct ws_conn *ws, int binary, const char *data, size_t len);
int chat_valid_client_id(const char *id);
/* 1 when origin may embed the site: its list is empty or names origin exactly (NULL: no). */
int chat_origin_allowed(const struct store_site *s, const char *origin);
/* 1 when text is a string of 1..CHAT_MAX_TEXT characters; else answers the error. */
int chat_valid_text(struct ws_conn *ws, const char *text, const char *client_id);
/* Stores m (see store_msg_append), acks the sender (when given) and fans the message out:
 * to the visitor unless it is a note, to the watching agents, and the new summary to the
 * inbox of every agent on the site. 0, 1 for a repeated client id (acked, not sent), or
 * an error (answered). */
int chat_deliver(struct app *a, const struct store_conv *c, struct store_msg *m, struct ws_conn *sender);
/* A message from the system (kind "text" or "event") into the conversation. */
void chat_system_message(struct app *a, const struct store_conv *c, const char *kind, const char *text);

void chat_visitor_shutdown(void);
/* A chat's first question goes to people: offered by the routing rules (and the "we'll be
 * with you" timer armed), or, with nobody online, the offline message and e-mail. text: the
 * question, for that e-mail (NULL: none). */
void chat_to_people(struct app *a, const struct store_conv *c, const char *text);

/* card.c: {"type":"send_order","conversation_id","number","client_id"?}: the agent sends an order
 * of the conversation's customer as a card (docs/chat-protocol.md, docs/crm.md) */
void chat_send_order(struct aconn *a, json_t *msg);

/* invite.c: the site's enabled invitation rules as the widget needs them (welcome frame) */
json_t *chat_invite_rules_public(struct app *a, int64_t site_id);

/* departments.c */
void chat_departments_register(struct http_server *s);
/* [{id, name, online}] of the site's departments, for the widget's pre-chat form. */
json_t *chat_departments_public(struct app *a, int64_t site_id);

/* invite.c: proactive invitations (docs/invitations.md): the REST routes, and the visitor
 * frames invite_accept, invite_decline and invite_check */
void chat_invite_register(struct http_server *s);
void chat_invite_accept(struct vconn *v, json_t *msg);
void chat_invite_decline(struct vconn *v, json_t *msg);
void chat_invite_check(struct vconn *v, json_t *msg);

/* autoreply.c: arms the site's "we'll be with you shortly" for a waiting conversation */
void chat_autoreply_arm(struct app *a, const struct store_conv *c);

/* indexer.c */
void chat_index_add(struct app *a, int64_t msg_id, const char *text);
void chat_index_flush(void);
void chat_index_catch_up(struct app *a);
void chat_index_shutdown(void);

/* hours.c */
int chat_hours_valid(json_t *hours);
int chat_site_open(const struct store_site *s, int64_t now_ms);
/* Open now and an agent covering the site is online: chats start "waiting", else "offline". */
int chat_site_available(struct app *a, int64_t site_id);
/* For the ticket SLA clock (ticket/sla.c), which counts business minutes with these rules:
 * "HH:MM" as minutes of the day (0..1440) or -1; the local weekday (0 = Monday) and minute of
 * the day at now_ms in tz (ICU): 0 or KF_EINVAL. */
int chat_hours_hhmm(const char *s);
int chat_hours_local(const char *tz, int64_t now_ms, int *wday, int *minute);

/* files.c */
int  chat_files_init(struct app *a);
void chat_file_url(int64_t id, char *out, size_t outsz);
void chat_h_file_upload(struct http_req *r);
void chat_h_file_preflight(struct http_req *r);
void chat_h_file_get(struct http_req *r);
/* Checks that file_id may be sent into c by this uploader; fills m's file fields. 0 or an
 * error code (answered on ws). */
int chat_attach_file(struct app *a, struct ws_conn *ws, const struct store_conv *c, const char *uploader,
		     int64_t uploader_id, json_t *msg, struct store_msg *m);

/* extras.c */
struct buf;
void chat_transcript_text(struct app *a, const struct store_conv *c, int with_notes, struct buf *b);
void chat_h_email(struct http_req *r);
/* notify.c: e-mail around offline conversations (no-ops when SMTP is not set up) */
void chat_notify_offline(struct app *a, const struct store_conv *c, const char *text);
void chat_notify_visitor(struct app *a, const struct store_conv *c, const char *agent, const char *text);
void chat_h_transcript(struct http_req *r);
void chat_h_tags(struct http_req *r);
void chat_h_canned_list(struct http_req *r);
void chat_h_canned_create(struct http_req *r);
void chat_h_canned_update(struct http_req *r);
void chat_h_canned_delete(struct http_req *r);

#endif
