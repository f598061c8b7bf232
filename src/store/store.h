/* store/store.h - the one storage interface every feature calls.
 *
 * Feature code never sees SQL: it calls the entity functions below. store_sqlite.c is
 * the embedded backend; a PostgreSQL backend implements the same functions (the
 * schema lives in migrations/ per backend). A struct store is one connection and must be
 * used by one thread at a time (the event loop); a worker job that needs the database
 * opens its own with store_open.
 *
 * Every function returns 0 or a negative KF_E* code (KF_ENOTFOUND, KF_EEXIST for a
 * unique clash, KF_EIO for anything else, logged) and leaves *out untouched on failure.
 * Times are Unix seconds. Strings in the structs are NUL-terminated and truncated to fit. */
#ifndef KF_STORE_STORE_H
#define KF_STORE_STORE_H
#include <stddef.h>
#include <stdint.h>

struct store;

int  store_open(const char *path, struct store **out);
void store_close(struct store *st);              /* checkpoints the WAL; NULL is fine */
/* A worker thread's second connection: closes without a checkpoint (see store_sqlite.c). */
void store_close_worker(struct store *st);
/* Applies pending migrations in order, each in its own transaction; *applied counts them. */
int  store_migrate(struct store *st, int *applied);
int  store_schema_version(struct store *st, int *version);
int  store_ping(struct store *st);               /* 0 when the database answers */
double store_seconds(const struct store *st);    /* time spent in the database so far */
/* A consistent online copy of the database at src_path into dest_path (backup API). */
int  store_backup(const char *src_path, const char *dest_path);
/* Runs when idle: truncates the WAL and prunes expired sessions. */
int  store_maintain(struct store *st, int64_t now);
const char *store_backend_version(void);   /* e.g. "sqlite 3.40.1" */

/* ---- users ---- */
struct store_user {
	int64_t id;
	char email[256], name[128], role[16], pwhash[160];
	int disabled;
	int max_chats;           /* concurrent chats the agent may own */
	int64_t created_at;
};
int store_user_create(struct store *st, struct store_user *u);   /* sets u->id; KF_EEXIST */
int store_user_get(struct store *st, int64_t id, struct store_user *out);
int store_user_by_email(struct store *st, const char *email, struct store_user *out);
int store_user_update(struct store *st, const struct store_user *u);  /* name, role, disabled */
int store_user_set_password(struct store *st, int64_t id, const char *pwhash);
int store_user_count(struct store *st, int64_t *n);
/* Calls cb for each user by id; a nonzero return from cb stops and is returned. */
int store_user_each(struct store *st, int (*cb)(void *ud, const struct store_user *u), void *ud);

/* ---- sessions ---- */
struct store_session {
	char id_hash[65];
	int64_t user_id;
	char csrf[48], ip[48], user_agent[256];
	int64_t created_at, last_seen, expires_at;
};
int store_session_create(struct store *st, const struct store_session *s);
/* Only a session that has not expired at now. */
int store_session_get(struct store *st, const char *id_hash, int64_t now, struct store_session *out);
int store_session_touch(struct store *st, const char *id_hash, int64_t last_seen, int64_t expires_at);
int store_session_delete(struct store *st, const char *id_hash);
int store_session_delete_user(struct store *st, int64_t user_id, const char *except_hash);

/* ---- API keys ---- */
struct store_apikey {
	int64_t id;
	char name[128], prefix[16], key_hash[65], scopes[704];   /* 16 scopes of 40 */
	int64_t created_by, created_at, last_used_at, revoked_at;   /* 0 when not set */
};
int store_apikey_create(struct store *st, struct store_apikey *k);   /* sets k->id */
int store_apikey_by_hash(struct store *st, const char *key_hash, struct store_apikey *out);
int store_apikey_each(struct store *st, int (*cb)(void *ud, const struct store_apikey *k), void *ud);
int store_apikey_revoke(struct store *st, int64_t id, int64_t now);  /* KF_ENOTFOUND */
int store_apikey_used(struct store *st, int64_t id, int64_t now);

/* ---- uploads ---- */
struct store_upload {
	int64_t id;
	char name[256], content_type[128], path[256];
	int64_t size, uploaded_by, created_at;
};
int store_upload_create(struct store *st, struct store_upload *u);   /* sets u->id */

/* ---- live chat: sites ---- */
struct store_site {
	int64_t id;
	char key[48], name[128], origins[1024], greeting[1024], color[16], languages[64];
	char offline_message[1024], auto_reply[1024];
	int preview, auto_reply_delay;   /* seconds a waiting visitor waits before auto_reply */
	int64_t max_file_bytes;
	char file_types[256];            /* allowed type prefixes: "image/ application/pdf" */
	char business_hours[1024];       /* JSON {"tz","days":[7 x [[open,close]…]]}; "" = always open */
	char prechat[512];               /* JSON {"enabled","fields","required"}; "" = off */
	int retention_days;              /* 0 = keep closed conversations forever */
	int64_t created_at;
};
int store_site_create(struct store *st, struct store_site *s);     /* sets s->id; KF_EEXIST on key */
int store_site_update(struct store *st, const struct store_site *s);
int store_site_get(struct store *st, int64_t id, struct store_site *out);
int store_site_by_key(struct store *st, const char *key, struct store_site *out);
/* Sites by id; member_of > 0 limits them to that user's sites. */
int store_site_each(struct store *st, int64_t member_of, int (*cb)(void *ud, const struct store_site *s), void *ud);
/* Fills ids[0..*n) (at most max) with the site's members. */
int store_site_members(struct store *st, int64_t site_id, int64_t *ids, size_t max, size_t *n);
int store_site_set_members(struct store *st, int64_t site_id, const int64_t *ids, size_t n);
int store_site_is_member(struct store *st, int64_t site_id, int64_t user_id);   /* 0 or KF_ENOTFOUND */

/* ---- live chat: visitors ---- */
struct store_visitor {
	int64_t id, site_id;
	char name[128], email[256], lang[16], phone[40];
	int64_t created_at, last_seen;
};
int store_visitor_create(struct store *st, const char *token_hash, struct store_visitor *v);  /* sets v->id */
int store_visitor_by_token(struct store *st, int64_t site_id, const char *token_hash, struct store_visitor *out);
int store_visitor_get(struct store *st, int64_t id, struct store_visitor *out);
int store_visitor_update(struct store *st, const struct store_visitor *v);   /* name, email, lang, last_seen */

/* ---- live chat: conversations ---- */
struct store_conv {
	int64_t id, site_id, visitor_id, agent_id;     /* agent_id 0: none */
	char status[12];                               /* waiting, active, closed, offline */
	int64_t last_seq, visitor_read_seq, agent_read_seq;
	int rating;                                    /* 0: not rated */
	char rating_comment[1024];
	int64_t created_at, updated_at, closed_at;
	int64_t department_id;                         /* 0: the whole site */
	int64_t offered_to, offered_at;                /* offered (not yet accepted) to this agent, at (ms) */
	int64_t first_reply_at;                        /* ms of the first agent message; 0: none yet */
	int64_t accepted_at;                           /* s an agent took it; 0: never */
	char bot_state[12];                            /* "", held (the bot answered), handover, resolved */
	/* filled by store_conv_summary and store_conv_each only */
	char site_name[128], visitor_name[128], visitor_email[256], agent_name[128];
	char department_name[128], offered_name[128];
	char last_text[256], last_from[8];
	char tags[512];                                /* space-separated */
	int64_t last_at, unread;                       /* unread: visitor messages after agent_read_seq */
};
int store_conv_create(struct store *st, struct store_conv *c);    /* sets c->id */
int store_conv_get(struct store *st, int64_t id, struct store_conv *out);
int store_conv_summary(struct store *st, int64_t id, struct store_conv *out);
/* The visitor's newest conversation that is not closed. */
int store_conv_open_for_visitor(struct store *st, int64_t visitor_id, struct store_conv *out);
int store_conv_set_status(struct store *st, int64_t id, const char *status, int64_t agent_id, int64_t now);
int store_conv_set_read(struct store *st, int64_t id, int by_visitor, int64_t seq);
int store_conv_rate(struct store *st, int64_t id, int rating, const char *comment);
int store_conv_count_active(struct store *st, int64_t agent_id, int64_t *n);
/* Summaries, newest first. member_of > 0: that user's sites only. which: "open", "closed" or "all". */
int store_conv_each(struct store *st, int64_t member_of, const char *which, int limit,
		    int (*cb)(void *ud, const struct store_conv *c), void *ud);

/* ---- live chat: messages ---- */
struct store_msg {
	int64_t id, conversation_id, seq, sender_id;
	char sender[8], kind[8], client_id[72], author[128];
	const char *body;        /* input to append; in store_msg_each valid during the callback */
	int64_t at;              /* ms */
	int64_t file_id;                      /* kind "file": the attachment (0: none) */
	char file_name[256], file_type[128];  /* filled by store_msg_each */
	int64_t file_size;
	const char *card;        /* a card's JSON object (024_message_card), NULL or "" = none; as body */
};
/* Appends m in one transaction: bumps the conversation's last_seq and sets m->id, m->seq,
 * m->at. When (sender, sender_id, client_id) is already in the conversation nothing is
 * written: m gets the stored id/seq/at and *dup is 1. */
int store_msg_append(struct store *st, struct store_msg *m, int *dup);
/* The message a sender stored under client_id in the conversation (id, seq, at). */
int store_msg_find(struct store *st, int64_t conv_id, const char *sender, int64_t sender_id, const char *client_id,
		   struct store_msg *out);
/* Messages with seq > after, in seq order; notes only when with_notes. */
int store_msg_each(struct store *st, int64_t conv_id, int64_t after, int with_notes,
		   int (*cb)(void *ud, const struct store_msg *m), void *ud);

/* The search index is written in batches, apart from the messages (an FTS insert per
 * message cost three times the rest of a message): */
struct store_index_row {
	int64_t msg_id;
	char *bi, *uni;          /* tokens (search/search.h) */
};
int store_index_messages(struct store *st, const struct store_index_row *rows, size_t n);
/* Messages not yet in the index (after a crash), oldest first, at most limit. */
int store_msg_unindexed(struct store *st, int limit, int (*cb)(void *ud, int64_t id, const char *body), void *ud);

/* Search over message tokens. match is an FTS5 expression from search_query(). Calls cb
 * with each matching conversation once, best first, with the best matching message's
 * text; member_of > 0 limits to that user's sites; site_id, agent_id, rating > 0 and a
 * from/to range (seconds, 0 = open) filter. */
struct store_search_filter {
	int64_t member_of, site_id, agent_id, from, to;
	int rating, limit;
	const char *tag;         /* "" or NULL: any */
};
int store_search_messages(struct store *st, const char *match, const struct store_search_filter *f,
			  int (*cb)(void *ud, int64_t conv_id, const char *text), void *ud);

/* Deletes closed conversations (messages, search rows) of sites with a retention period
 * older than that period; *deleted counts conversations. */
int store_chat_prune(struct store *st, int64_t now, int64_t *deleted);

/* ---- chat files ---- */
struct store_file {
	int64_t id, site_id, uploader_id, size, created_at;
	char sha256[65], name[256], content_type[128], uploader[8];
};
int store_file_create(struct store *st, struct store_file *f);   /* sets f->id */
int store_file_get(struct store *st, int64_t id, struct store_file *out);

/* ---- canned responses and tags ---- */
struct store_canned {
	int64_t id;
	char shortcut[48], text[4096];
	int64_t created_by, created_at, updated_at;
};
int store_canned_each(struct store *st, int (*cb)(void *ud, const struct store_canned *c), void *ud);
int store_canned_create(struct store *st, struct store_canned *c);        /* KF_EEXIST on shortcut */
int store_canned_update(struct store *st, const struct store_canned *c);  /* KF_ENOTFOUND, KF_EEXIST */
int store_canned_delete(struct store *st, int64_t id);                    /* KF_ENOTFOUND */
/* Replaces the conversation's tags with the space-separated words of tags. */
int store_conv_set_tags(struct store *st, int64_t conv_id, const char *tags);

/* ---- settings ---- */
/* The value of key into out (truncated to outsz); KF_ENOTFOUND when unset. */
int store_setting_get(struct store *st, const char *key, char *out, size_t outsz);
int store_setting_set(struct store *st, const char *key, const char *value);

/* ---- audit log ---- */
int store_audit(struct store *st, int64_t user_id, const char *ip, const char *action, const char *detail);

#endif
