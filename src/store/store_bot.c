/* store/store_bot.c - the SQLite backend of store_bot.h. */
#include "store/store_bot.h"
#include "store/store_int.h"
#include "core/kf.h"
#include <stdio.h>
#include <string.h>

enum {
	B_SETTINGS_GET = STORE_SLOT_BOT, B_SETTINGS_SET, B_STATE_GET, B_STATE_SET, B_RELEASE_ALL, B_EVENT, B_STATS,
	B_DEFLECTED,
	B_END
};
_Static_assert(B_END <= STORE_SLOTS, "too many statements for the slot table");

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[B_END - STORE_SLOT_BOT] = {
#define S(x) [x - STORE_SLOT_BOT]
		S(B_SETTINGS_GET) = "SELECT bot_mode, bot_threshold, bot_name FROM sites WHERE id = ?1",
		S(B_SETTINGS_SET) = "UPDATE sites SET bot_mode = ?2, bot_threshold = ?3, bot_name = ?4 WHERE id = ?1",
		S(B_STATE_GET) = "SELECT bot_state FROM conversations WHERE id = ?1",
		S(B_STATE_SET) = "UPDATE conversations SET bot_state = ?2 WHERE id = ?1",
		S(B_RELEASE_ALL) = "UPDATE conversations SET bot_state = 'handover' WHERE bot_state = 'held'",
		S(B_EVENT) = "INSERT INTO bot_events (site_id, conversation_id, article_id, confidence, outcome, question, at) "
			     "VALUES (?1, nullif(?2, 0), nullif(?3, 0), ?4, ?5, substr(?6, 1, 500), ?7)",
		S(B_STATS) = "SELECT coalesce(sum(outcome = 'answered'), 0), coalesce(sum(outcome = 'unanswered'), 0), "
			     "coalesce(sum(outcome = 'resolved'), 0), coalesce(sum(outcome = 'handover'), 0), "
			     "count(DISTINCT CASE WHEN outcome = 'answered' THEN conversation_id END) "
			     "FROM bot_events WHERE site_id = ?1 AND at >= ?2 AND at < ?3",
		/* deflected: the bot answered, the visitor said it helped, and no person was asked for */
		S(B_DEFLECTED) = "SELECT count(*) FROM (SELECT conversation_id FROM bot_events WHERE site_id = ?1 AND at >= ?2 "
				 "AND at < ?3 AND conversation_id IS NOT NULL GROUP BY conversation_id "
				 "HAVING sum(outcome = 'resolved') > 0 AND sum(outcome = 'handover') = 0)",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_BOT]);
}

int store_bot_settings_get(struct store *st, int64_t site_id, struct store_bot_settings *out)
{
	sqlite3_stmt *s = q(st, B_SETTINGS_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		store__text(s, 0, out->mode, sizeof(out->mode));
		out->threshold = sqlite3_column_double(s, 1);
		store__text(s, 2, out->name, sizeof(out->name));
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "bot settings");
}

int store_bot_settings_set(struct store *st, int64_t site_id, const struct store_bot_settings *b)
{
	sqlite3_stmt *s = q(st, B_SETTINGS_SET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, b->mode);
	sqlite3_bind_double(s, 3, b->threshold);
	store__bind_text(s, 4, b->name);
	return store__run(st, s);
}

int store_bot_state_get(struct store *st, int64_t conv_id, char out[12])
{
	sqlite3_stmt *s = q(st, B_STATE_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		store__text(s, 0, out, 12);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "bot state");
}

int store_bot_state_set(struct store *st, int64_t conv_id, const char *state)
{
	sqlite3_stmt *s = q(st, B_STATE_SET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	store__bind_text(s, 2, state);
	return store__run(st, s);
}

int store_bot_release_all(struct store *st)
{
	sqlite3_stmt *s = q(st, B_RELEASE_ALL);
	return s ? store__run(st, s) : KF_EIO;
}

int store_bot_event(struct store *st, int64_t site_id, int64_t conv_id, int64_t article_id, double confidence,
		    const char *outcome, const char *question, int64_t at)
{
	sqlite3_stmt *s = q(st, B_EVENT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, conv_id);
	sqlite3_bind_int64(s, 3, article_id);
	sqlite3_bind_double(s, 4, confidence);
	store__bind_text(s, 5, outcome);
	store__bind_text(s, 6, question ? question : "");
	sqlite3_bind_int64(s, 7, at);
	return store__run(st, s);
}

int store_bot_stats(struct store *st, int64_t site_id, int64_t from, int64_t to, struct store_bot_stats *out)
{
	sqlite3_stmt *s = q(st, B_STATS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	int rc = store__step(st, s);
	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_ROW) {
		out->answered = sqlite3_column_int64(s, 0);
		out->unanswered = sqlite3_column_int64(s, 1);
		out->resolved = sqlite3_column_int64(s, 2);
		out->handover = sqlite3_column_int64(s, 3);
		out->conversations = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store__err(st, "bot stats");
	s = q(st, B_DEFLECTED);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		out->deflected = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store__err(st, "bot deflection");
}
