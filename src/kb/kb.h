/* kb/kb.h - the knowledge base (FAQ) and the help centre: REST for editors and agents,
 * server-rendered help pages, one search for the help centre, the widget and the agents,
 * safe Markdown, signed customer identity, and the bot that answers chats from it.
 * Storage is store/store_kb.h; the search index kb/search.c. */
#ifndef KF_KB_KB_H
#define KF_KB_KB_H
#include <stddef.h>
#include <stdint.h>

struct app;
struct buf;
struct http_server;

/* Registration (main.c): the REST routes (kb/routes.c), the help centre (kb/help.c). */
void kb_register(struct http_server *s);
void kb_help_register(struct http_server *s);

/* ---- Markdown (kb/render.c): cmark, raw HTML never passes (it is escaped or dropped), links
 * only http(s)/mailto/relative. 0 or an error. */
int kb_render_markdown(const char *md, struct buf *html);

/* ---- who is asking (kb/identity.c): the shop signs its customer's id with the site's identity
 * secret: sig = hex(HMAC-SHA256(secret, customer_id)). 1 when sig is right for the site. */
int kb_identity_valid(struct app *a, int64_t site_id, const char *customer_id, const char *sig);
/* The signature a shop's server would compute, for the demo page only (see h_demo): 0 with
 * out (64 hex digits), -1 for a bad id or a site without a secret. */
int kb_identity_sign(struct app *a, int64_t site_id, const char *customer_id, char out[65]);

/* ---- counters (kb/routes.c): one view of an article today (UTC day), by whoever shows it to a
 * reader (the help centre's article page, the widget); 0 or an error. Views are gathered in
 * memory and written in one transaction every 2 s (a uv timer) or when 1024 are pending;
 * kb_views_flush writes them now, kb_views_shutdown writes them and closes the timer (call it
 * at shutdown, before the loop's last run, while the store is still open). */
int kb_count_view(struct app *a, int64_t article_id);
void kb_views_flush(struct app *a);
void kb_views_shutdown(void);

/* ---- search (kb/search.c) ---- */
enum kb_audience { KB_PUBLIC = 0, KB_MEMBERS = 1, KB_INTERNAL = 2 };   /* what may be shown: up to */

struct kb_hit {
	int64_t article_id, category_id;
	double score;            /* higher is better; the bot's confidence reads it (see kb_bot_confidence) */
	double confidence;       /* 0..1, comparable across queries: how sure the match is */
	char lang[8], slug[128], question[1024];
	char snippet[512];       /* plain text around the match, from the answer */
};
/* Published articles of the site (lang "" = any language) visible to audience, best first:
 * BM25 over question (+ alternative questions), answer and tags, question weighted up, then
 * popularity. Logs the query (for the editor's report) when source is not NULL ("help",
 * "widget", "agent", "bot"). *n hits. */
int kb_search(struct app *a, int64_t site_id, const char *lang, const char *query, enum kb_audience audience,
	      const char *source, struct kb_hit *hits, size_t max, size_t *n);
/* Keeps the index in step with an article (call after every create/update/delete/restore):
 * published articles are indexed, others removed. */
int kb_index_article(struct app *a, int64_t article_id);
int kb_unindex_article(struct app *a, int64_t article_id);
/* Rebuilds the whole index (start-up when empty, imports, the bench). */
int kb_reindex_all(struct app *a);
/* The search routes (kb/search.c): GET /api/v1/kb/search (public), /api/v1/sites/:id/kb/search
 * (agents), /api/v1/sites/:id/kb/report (supervisors); builds the index at start when it is
 * empty. kb_search_shutdown frees the public search's rate limiter. */
void kb_search_register(struct http_server *s);
/* The public searches' per-address limit (the widget's, the help centre's search page): 1 and
 * counts one when ip may search now; 0 with *retry_s (seconds to wait) when it may not. */
int kb_search_allowed(const char *ip, unsigned *retry_s);
void kb_search_shutdown(void);

/* ---- the bot (kb/bot.c) ---- */
struct store_conv;
/* A visitor's message in c (first: the chat's first question): when the site's bot speaks now and finds an answer it is sure
 * enough of, it answers and holds the chat (routing waits): 1. Otherwise 0 (people take it). */
int kb_bot_on_message(struct app *a, const struct store_conv *c, const char *text, int first);
/* The visitor's verdict on the bot's answer: 0, or KF_EINVAL when nothing was asked. */
int kb_bot_feedback(struct app *a, const struct store_conv *c, int helpful);
/* The bot held c and could not answer the next question: hand it over (1), else 0. */
int kb_bot_give_up(struct app *a, const struct store_conv *c);
/* The automatic answer still waiting for the visitor's verdict in that chat: its message's seq
 * and the article's help-page path (a reconnecting widget redraws the buttons). 1 or 0. */
int kb_bot_pending(int64_t conv_id, int64_t *seq, const char **url);
/* People took c (an agent accepted it): the bot lets go without a word. */
void kb_bot_release(struct app *a, int64_t conv_id);
void kb_bot_register(struct http_server *s);
void kb_bot_shutdown(void);

#endif
