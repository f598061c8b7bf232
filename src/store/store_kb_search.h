/* store/store_kb_search.h - storage behind the knowledge base's search (kb/search.c): the FTS5
 * index of published articles (migration 017, table kb_fts, rowid = article id), the log of
 * searches and the editor's report read from it.
 *
 * The index holds tokens, never raw text: kb/search.c makes them (search/search.h
 * search_tokens_kb), so the same strings can serve another backend later.
 * Conventions as store.h: 0 or a negative KF_E* code. Times: unix seconds. */
#ifndef KF_STORE_STORE_KB_SEARCH_H
#define KF_STORE_STORE_KB_SEARCH_H
#include <stddef.h>
#include <stdint.h>

struct store;

/* An article's texts, as the index is built from them (strings valid during the callback). */
struct store_kb_doc {
	int64_t id;
	int published;
	const char *question, *alt_questions, *answer_md, *tags;
};
/* The tokens of one article: q (question and alternatives, lines joined by " | "), a (answer),
 * t (tags), uni (single Han characters). */
struct store_kb_index_row {
	int64_t article_id;
	const char *q, *a, *t, *uni;
};

/* Calls cb with article_id's texts; KF_ENOTFOUND when there is no such article. */
int store_kb_doc_get(struct store *st, int64_t article_id, int (*cb)(void *ud, const struct store_kb_doc *d),
		     void *ud);
/* Replaces article_id's row in the index (row->article_id). */
int store_kb_index_put(struct store *st, const struct store_kb_index_row *row);
int store_kb_index_del(struct store *st, int64_t article_id);
/* Empties the index and refills it in one transaction: for each published article, fill
 * makes the row (its strings must live until fill is called again); nonzero from fill stops
 * and rolls back. *n counts the rows written. */
int store_kb_index_rebuild(struct store *st,
			   int (*fill)(void *ud, const struct store_kb_doc *d, struct store_kb_index_row *row), void *ud,
			   size_t *n);
int store_kb_index_count(struct store *st, int64_t *n);
/* The index's terms in [lo, hi) in order, with how many articles hold each, at most limit
 * (spelling help); cb returning nonzero stops. */
int store_kb_terms(struct store *st, const char *lo, const char *hi, int limit,
		   int (*cb)(void *ud, const char *term, int64_t docs), void *ud);

/* One candidate of a search, best BM25 first. The strings are valid during the callback. */
struct store_kb_cand {
	int64_t article_id, category_id, views, helpful;
	double bm25;                    /* FTS5's: lower (more negative) is better */
	const char *lang, *slug, *question, *answer_md, *alt_questions;
};
struct store_kb_match {
	const char *match;              /* an FTS5 MATCH expression (search_query_kb) */
	int64_t site_id;
	const char *lang;               /* "" = any */
	int audience;                   /* 0 public, 1 + members, 2 + internal */
	int limit;
	double w_q, w_a, w_t, w_uni;    /* bm25 column weights */
};
/* Published articles matching m, best first; KF_EINVAL when the MATCH expression is bad. */
int store_kb_match(struct store *st, const struct store_kb_match *m,
		   int (*cb)(void *ud, const struct store_kb_cand *c), void *ud);

/* ---- the search log and the editor's report ---- */
struct store_kb_search_row {
	int64_t site_id, top_article_id, at;
	const char *lang, *source, *query;
	int hits;
	double top_confidence;
};
int store_kb_search_log(struct store *st, const struct store_kb_search_row *r);

/* One line of the report: a query asked count times (last at last_at); for weak and
 * unanswered, the top article of its latest asking and the mean confidence. */
struct store_kb_report_row {
	const char *query, *question, *lang, *slug;   /* question/slug: of the top article, or "" */
	int64_t count, last_at, article_id;
	double confidence;
	int64_t views, helpful, unhelpful;            /* top viewed only */
};
enum store_kb_report {
	STORE_KB_NO_RESULT,       /* hits = 0 */
	STORE_KB_WEAK,            /* hits > 0 and top confidence under the threshold */
	STORE_KB_BOT_UNANSWERED,  /* source bot, no hit or top confidence under the threshold */
	STORE_KB_TOP_VIEWED,      /* articles by views over the days (kb_article_days) */
};
/* The site's lines of one kind since since (unix s; for TOP_VIEWED the UTC day since / 86400),
 * most frequent first, at most limit. */
int store_kb_report(struct store *st, enum store_kb_report kind, int64_t site_id, int64_t since, double threshold,
		    int limit, int (*cb)(void *ud, const struct store_kb_report_row *r), void *ud);
/* Drops log rows older than before (retention). */
int store_kb_search_prune(struct store *st, int64_t before);

#endif
