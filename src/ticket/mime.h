/* ticket/mime.h - reading one inbound e-mail (GMime 3) into what a ticket needs: who wrote
 * it, the thread ids, the subject and the text in UTF-8 (GBK, GB18030 and Big5 decoded; an
 * HTML-only mail as safe plain text), the attachments, and whether it is an auto-reply.
 * Pure: no store, no network; safe on a worker thread after mime_global_init().
 * A struct mime_msg filled by mime_parse() owns its body and attachments: mime_msg_free(). */
#ifndef KF_TICKET_MIME_H
#define KF_TICKET_MIME_H
#include <stddef.h>
#include <stdint.h>

struct buf;

#define MIME_REFS_MAX 32          /* References kept (the newest ones) */
#define MIME_ATT_MAX 32           /* attachments kept; the rest are counted in dropped */
#define MIME_MSGID_MAX 250        /* a longer Message-ID is dropped (ticket_create's limit) */

struct mime_att {
	char name[256];               /* UTF-8, from RFC 2231 / 2047 (GBK names decoded) */
	char content_type[128];       /* type/subtype, lowercase */
	unsigned char *data;          /* decoded bytes (malloc) */
	size_t len;
};

struct mime_msg {
	char from_name[256], from_addr[256];   /* address lowercased */
	char to[512];                 /* the first To address, lowercased */
	char subject[1024];           /* UTF-8, unfolded */
	char message_id[256];         /* without <> ("" when absent or over MIME_MSGID_MAX) */
	char in_reply_to[256];
	char refs[MIME_REFS_MAX][256];   /* In-Reply-To first, then References newest first */
	size_t nrefs;
	int64_t date;                 /* unix s, 0 when absent */
	const char *auto_reply;       /* why it is an auto-reply (static text), or NULL */
	char *body;                   /* UTF-8 plain text (malloc, never NULL after success) */
	struct mime_att att[MIME_ATT_MAX];
	size_t natt, dropped;
	size_t size;                  /* the raw message's bytes */
};

/* Once per process, before any parse (idempotent, not thread-safe itself). */
void mime_global_init(void);
/* Parses raw[0..len). KF_EINVAL ("malformed: ...") when it is not a message with a From
 * address; KF_ETOOBIG when len > max_bytes (nothing parsed). err gets the reason.
 * On failure *m is left empty (nothing to free). */
int mime_parse(const char *raw, size_t len, size_t max_bytes, struct mime_msg *m, char *err, size_t errsz);
void mime_msg_free(struct mime_msg *m);

/* HTML -> plain text: tags dropped, script/style/head contents dropped, entities decoded,
 * block ends (br p div li tr h1-6) become line breaks, blank-line runs collapsed. */
int mime_html_to_text(const char *html, size_t n, struct buf *out);
/* Bytes in charset -> UTF-8 (GB2312/GBK read as GB18030; invalid bytes become U+FFFD).
 * Returns malloc'd text or NULL when the charset is unknown. */
char *mime_to_utf8(const char *data, size_t n, const char *charset);
/* The auto-reply reason of a subject ("Out of office", "自动回复" ...) or NULL. */
const char *mime_auto_subject(const char *subject);

#endif
