/* store/store_kb_search.c - the SQLite backend of store_kb_search.h: the knowledge base's FTS5
 * index (kb_fts), the search log and the editor's report. Ranking is FTS5's bm25 with column
 * weights from the caller; kb/search.c adds popularity and the confidence. */
#include "store/store_kb_search.h"
#include "store/store_int.h"
#include "core/kf.h"
#include <stdio.h>
#include <string.h>

enum {
	S_DOC = STORE_SLOT_KB_SEARCH, S_DOCS, S_PUT, S_DEL, S_CLEAR, S_COUNT, S_MATCH,
	S_TERMS, S_LOG, S_NO_RESULT, S_WEAK, S_BOT, S_TOP, S_PRUNE,
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_END
};
_Static_assert(S_END <= STORE_SLOTS, "store_kb_search.c needs more statement slots");
#if defined(STORE_SLOT_BOT)
_Static_assert(S_END <= STORE_SLOT_BOT, "store_kb_search.c's statements run into the bot's slots");
#endif

#define DOC_COLS "id, status = 'published', question, alt_questions, answer_md, tags FROM kb_articles"
#define VIS_LEVEL "(CASE a.visibility WHEN 'public' THEN 0 WHEN 'members' THEN 1 ELSE 2 END)"
/* a query asked several times: its count, its last time, and (bare columns of the max(at)
 * row, SQLite's rule) the top article of its latest asking */
#define REPORT_HEAD "SELECT s.query, count(*) AS n, max(s.at) AS last, coalesce(s.top_article_id, 0) AS aid, avg(s.top_confidence) " \
		    "FROM kb_searches s WHERE s.site_id = ?1 AND s.at >= ?2 "
#define REPORT_TAIL " GROUP BY s.query ORDER BY n DESC, last DESC LIMIT ?4"
#define REPORT_JOIN(cond) "SELECT r.*, coalesce(a.question, ''), coalesce(a.lang, ''), coalesce(a.slug, '') FROM (" \
	REPORT_HEAD cond REPORT_TAIL ") r LEFT JOIN kb_articles a ON a.id = r.aid ORDER BY r.n DESC, r.last DESC"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[S_END - STORE_SLOT_KB_SEARCH] = {
#define S(x) [x - STORE_SLOT_KB_SEARCH]
		S(S_DOC) = "SELECT " DOC_COLS " WHERE id = ?1",
		S(S_DOCS) = "SELECT " DOC_COLS " WHERE status = 'published' ORDER BY id",
		S(S_PUT) = "INSERT INTO kb_fts (rowid, q, a, t, uni) VALUES (?1, ?2, ?3, ?4, ?5)",
		S(S_DEL) = "DELETE FROM kb_fts WHERE rowid = ?1",
		S(S_CLEAR) = "DELETE FROM kb_fts",
		S(S_COUNT) = "SELECT count(*) FROM kb_fts",
		S(S_MATCH) = "SELECT a.id, coalesce(a.category_id, 0), a.views, a.helpful, "
			     "bm25(kb_fts, ?6, ?7, ?8, ?9) AS r, a.lang, a.slug, a.question, a.answer_md, a.alt_questions "
			     "FROM kb_fts f JOIN kb_articles a ON a.id = f.rowid WHERE kb_fts MATCH ?1 AND a.site_id = ?2 "
			     "AND (?3 = '' OR a.lang = ?3) AND a.status = 'published' AND " VIS_LEVEL " <= ?4 "
			     "ORDER BY r LIMIT ?5",
		S(S_TERMS) = "SELECT term, doc FROM kb_vocab WHERE term >= ?1 AND term < ?2 LIMIT ?3",
		S(S_LOG) = "INSERT INTO kb_searches (site_id, lang, source, query, hits, top_article_id, top_confidence, at) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8)",
		S(S_NO_RESULT) = REPORT_JOIN("AND s.hits = 0"),
		S(S_WEAK) = REPORT_JOIN("AND s.hits > 0 AND s.top_confidence < ?3"),
		S(S_BOT) = REPORT_JOIN("AND s.source = 'bot' AND (s.hits = 0 OR s.top_confidence < ?3)"),
		S(S_TOP) = "SELECT a.id, a.question, a.lang, a.slug, sum(d.views), sum(d.helpful), sum(d.unhelpful), "
			   "max(d.day) FROM kb_article_days d JOIN kb_articles a ON a.id = d.article_id "
			   "WHERE a.site_id = ?1 AND d.day >= ?2 GROUP BY a.id HAVING sum(d.views) > 0 "
			   "ORDER BY 5 DESC, 6 DESC LIMIT ?4",
		S(S_PRUNE) = "DELETE FROM kb_searches WHERE at < ?1",
		S(S_BEGIN) = "BEGIN IMMEDIATE",
		S(S_COMMIT) = "COMMIT",
		S(S_ROLLBACK) = "ROLLBACK",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_KB_SEARCH]);
}

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

static int run_id(struct store *st, int slot, int64_t id)
{
	sqlite3_stmt *s = q(st, slot);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__run(st, s);
}

static void doc_row(sqlite3_stmt *s, struct store_kb_doc *d)
{
	d->id = sqlite3_column_int64(s, 0);
	d->published = sqlite3_column_int(s, 1);
	d->question = col(s, 2);
	d->alt_questions = col(s, 3);
	d->answer_md = col(s, 4);
	d->tags = col(s, 5);
}

int store_kb_doc_get(struct store *st, int64_t article_id, int (*cb)(void *ud, const struct store_kb_doc *d),
		     void *ud)
{
	sqlite3_stmt *s = q(st, S_DOC);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, article_id);
	int rc = store__step(st, s), ret;
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "kb doc");
	}
	struct store_kb_doc d;
	doc_row(s, &d);
	ret = cb(ud, &d);
	sqlite3_reset(s);
	return ret;
}

static int put(struct store *st, const struct store_kb_index_row *row)
{
	sqlite3_stmt *s = q(st, S_PUT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, row->article_id);
	store__bind_text(s, 2, row->q);
	store__bind_text(s, 3, row->a);
	store__bind_text(s, 4, row->t);
	store__bind_text(s, 5, row->uni);
	return store__run(st, s);
}

static int tx(struct store *st, int slot)
{
	sqlite3_stmt *s = q(st, slot);
	return s ? store__run(st, s) : KF_EIO;
}

/* Commits when rc is 0, else rolls back; returns rc (or the commit's error). */
static int tx_end(struct store *st, int rc)
{
	int e = tx(st, rc ? S_ROLLBACK : S_COMMIT);
	return rc ? rc : e;
}

int store_kb_index_put(struct store *st, const struct store_kb_index_row *row)
{
	int rc = tx(st, S_BEGIN);
	if (rc)
		return rc;
	rc = run_id(st, S_DEL, row->article_id);
	if (!rc)
		rc = put(st, row);
	return tx_end(st, rc);
}

int store_kb_index_del(struct store *st, int64_t article_id)
{
	return run_id(st, S_DEL, article_id);
}

int store_kb_index_rebuild(struct store *st,
			   int (*fill)(void *ud, const struct store_kb_doc *d, struct store_kb_index_row *row), void *ud,
			   size_t *n)
{
	*n = 0;
	int rc = tx(st, S_BEGIN);
	if (rc)
		return rc;
	sqlite3_stmt *clear = q(st, S_CLEAR), *s = q(st, S_DOCS);
	rc = clear && s ? store__run(st, clear) : KF_EIO;
	int step;
	while (!rc && (step = store__step(st, s)) == SQLITE_ROW) {
		struct store_kb_doc d;
		struct store_kb_index_row row;
		doc_row(s, &d);
		memset(&row, 0, sizeof(row));
		if ((rc = fill(ud, &d, &row)) == 0 && (rc = put(st, &row)) == 0)
			(*n)++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = store__err(st, "kb reindex");
	if (s)
		sqlite3_reset(s);
	return tx_end(st, rc);
}

int store_kb_index_count(struct store *st, int64_t *n)
{
	sqlite3_stmt *s = q(st, S_COUNT);
	if (!s)
		return KF_EIO;
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store__err(st, "kb index count");
}

int store_kb_terms(struct store *st, const char *lo, const char *hi, int limit,
		   int (*cb)(void *ud, const char *term, int64_t docs), void *ud)
{
	sqlite3_stmt *s = q(st, S_TERMS);
	if (!s)
		return KF_EIO;
	store__bind_text(s, 1, lo);
	store__bind_text(s, 2, hi);
	sqlite3_bind_int(s, 3, limit);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW)
		if ((ret = cb(ud, col(s, 0), sqlite3_column_int64(s, 1))) != 0)
			break;
	sqlite3_reset(s);
	if (ret)
		return ret;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "kb terms");
}

int store_kb_match(struct store *st, const struct store_kb_match *m,
		   int (*cb)(void *ud, const struct store_kb_cand *c), void *ud)
{
	sqlite3_stmt *s = q(st, S_MATCH);
	if (!s)
		return KF_EIO;
	store__bind_text(s, 1, m->match);
	sqlite3_bind_int64(s, 2, m->site_id);
	store__bind_text(s, 3, m->lang ? m->lang : "");
	sqlite3_bind_int(s, 4, m->audience);
	sqlite3_bind_int(s, 5, m->limit);
	sqlite3_bind_double(s, 6, m->w_q);
	sqlite3_bind_double(s, 7, m->w_a);
	sqlite3_bind_double(s, 8, m->w_t);
	sqlite3_bind_double(s, 9, m->w_uni);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_kb_cand c = {
			.article_id = sqlite3_column_int64(s, 0), .category_id = sqlite3_column_int64(s, 1),
			.views = sqlite3_column_int64(s, 2), .helpful = sqlite3_column_int64(s, 3),
			.bm25 = sqlite3_column_double(s, 4), .lang = col(s, 5), .slug = col(s, 6), .question = col(s, 7),
			.answer_md = col(s, 8), .alt_questions = col(s, 9),
		};
		if ((ret = cb(ud, &c)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (ret)
		return ret;
	/* A malformed MATCH expression is the caller's input, not a database failure. */
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : KF_EINVAL;
}

int store_kb_search_log(struct store *st, const struct store_kb_search_row *r)
{
	sqlite3_stmt *s = q(st, S_LOG);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, r->site_id);
	store__bind_text(s, 2, r->lang ? r->lang : "");
	store__bind_text(s, 3, r->source);
	store__bind_text(s, 4, r->query);
	sqlite3_bind_int(s, 5, r->hits);
	sqlite3_bind_int64(s, 6, r->top_article_id);
	sqlite3_bind_double(s, 7, r->top_confidence);
	sqlite3_bind_int64(s, 8, r->at);
	return store__run(st, s);
}

static void report_row(enum store_kb_report kind, sqlite3_stmt *s, struct store_kb_report_row *r)
{
	memset(r, 0, sizeof(*r));
	if (kind == STORE_KB_TOP_VIEWED) {
		r->article_id = sqlite3_column_int64(s, 0);
		r->question = col(s, 1);
		r->lang = col(s, 2);
		r->slug = col(s, 3);
		r->views = sqlite3_column_int64(s, 4);
		r->helpful = sqlite3_column_int64(s, 5);
		r->unhelpful = sqlite3_column_int64(s, 6);
		r->query = "";
		return;
	}
	r->query = col(s, 0);
	r->count = sqlite3_column_int64(s, 1);
	r->last_at = sqlite3_column_int64(s, 2);
	r->article_id = sqlite3_column_int64(s, 3);
	r->confidence = sqlite3_column_double(s, 4);
	r->question = col(s, 5);
	r->lang = col(s, 6);
	r->slug = col(s, 7);
}

int store_kb_report(struct store *st, enum store_kb_report kind, int64_t site_id, int64_t since, double threshold,
		    int limit, int (*cb)(void *ud, const struct store_kb_report_row *r), void *ud)
{
	static const int slots[] = { S_NO_RESULT, S_WEAK, S_BOT, S_TOP };
	if ((unsigned)kind >= KF_ARRAY_LEN(slots))
		return KF_EINVAL;
	sqlite3_stmt *s = q(st, slots[kind]);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, kind == STORE_KB_TOP_VIEWED ? since / 86400 : since);
	sqlite3_bind_double(s, 3, threshold);
	sqlite3_bind_int(s, 4, limit);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_kb_report_row r;
		report_row(kind, s, &r);
		if ((ret = cb(ud, &r)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (ret)
		return ret;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "kb report");
}

int store_kb_search_prune(struct store *st, int64_t before)
{
	return run_id(st, S_PRUNE, before);
}
