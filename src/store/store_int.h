/* store/store_int.h - internals shared by the SQLite backend's files (not for features).
 * Each file owns a range of statement slots; a statement is prepared on first use and
 * kept for the life of the connection. */
#ifndef KF_STORE_INT_H
#define KF_STORE_INT_H
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_SLOTS 800
#define STORE_SLOT_CHAT 40        /* store_chat.c uses slots from here */
#define STORE_SLOT_TRACK 100      /* store_track.c */
#define STORE_SLOT_INVITE 140     /* store_invite.c */
#define STORE_SLOT_ROUTE 170      /* store_route.c */
#define STORE_SLOT_KB 240         /* store_kb.c */
#define STORE_SLOT_KB_SEARCH 300  /* store_kb_search.c */
#define STORE_SLOT_BOT 340        /* store_bot.c */
#define STORE_SLOT_CRM 360        /* store_crm.c */
#define STORE_SLOT_LOYALTY 380    /* store_loyalty.c */
#define STORE_SLOT_RFM 440        /* store_rfm.c */
#define STORE_SLOT_OFFER 480      /* store_offer.c */
#define STORE_SLOT_CARD 520       /* store_card.c (order cards in chat) */
#define STORE_SLOT_MERGE 540      /* store_merge.c */
#define STORE_SLOT_CRMLIST 580    /* store_crmlist.c (the CRM page) */
#define STORE_SLOT_TICKET 640     /* store_ticket.c (tickets: the core) */
#define STORE_SLOT_MAIL 700       /* store_mail.c (mailboxes, outbox, inbound) */
#define STORE_SLOT_FORM 730       /* store_form.c (online forms) */
#define STORE_SLOT_SLA 750        /* store_sla.c (SLA, CSAT, follow-ups) */
#define STORE_SLOT_FLOW 780       /* store_flow.c (after-sales workflows) */

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[STORE_SLOTS];
	uint64_t ns;              /* time spent in sqlite3_step, for the metrics */
};

/* The cached statement of slot, reset and unbound; NULL (logged) on failure. */
sqlite3_stmt *store__stmt(struct store *st, int slot, const char *sql);
int  store__step(struct store *st, sqlite3_stmt *s);
/* Runs a write statement: 0, KF_EEXIST on a unique clash, KF_EIO otherwise. */
int  store__run(struct store *st, sqlite3_stmt *s);
/* store__run for an INSERT: on success *id is the new row's id. */
int  store__insert(struct store *st, sqlite3_stmt *s, int64_t *id);
/* store__run for an UPDATE or DELETE of one row: KF_ENOTFOUND when it changed none. */
int  store__run_one(struct store *st, sqlite3_stmt *s);
int  store__err(struct store *st, const char *what);
int  store__exec(struct store *st, const char *sql);
void store__text(sqlite3_stmt *s, int col, char *out, size_t outsz);
void store__bind_text(sqlite3_stmt *s, int i, const char *v);
/* Steps a bound statement expected to answer one row, filling *out with row_cb: 0, or
 * KF_ENOTFOUND without a row. */
int  store__one(struct store *st, sqlite3_stmt *s, void (*row_cb)(sqlite3_stmt *, void *), void *out);
/* Steps a bound statement that answers one integer: 0 with *out, KF_ENOTFOUND without a row. */
int  store__one_int(struct store *st, sqlite3_stmt *s, int64_t *out);
/* Steps a bound statement whose first column is an id into ids (at most max; the rest skipped). */
int  store__ids(struct store *st, sqlite3_stmt *s, int64_t *ids, size_t max, size_t *n);

#endif
