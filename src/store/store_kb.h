/* store/store_kb.h - storage of the knowledge base (FAQ): categories, articles with their
 * translations, revisions and related articles, the per-day counters, the site's identity
 * secret. The search index is separate (store_kb_search.h, kb/search.c).
 *
 * Conventions as store.h: 0 or a negative KF_E* code; *out untouched on failure; strings
 * NUL-terminated and cut to fit (long texts are heap strings the caller frees). Times: unix s. */
#ifndef KF_STORE_STORE_KB_H
#define KF_STORE_STORE_KB_H
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_kb_category {
	int64_t id, site_id, parent_id;          /* parent_id 0: top level */
	char lang[8];                            /* zh-CN, zh-TW, en */
	char name[256], slug[128], description[1024];
	int position;
	int64_t created_at;
};
int store_kb_category_create(struct store *st, struct store_kb_category *c);   /* sets id; KF_EEXIST (slug) */
/* (an empty slug becomes "c-<id>", an article's "a-<id>", in the same transaction) */
int store_kb_category_update(struct store *st, const struct store_kb_category *c);
int store_kb_category_delete(struct store *st, int64_t id);
int store_kb_category_get(struct store *st, int64_t id, struct store_kb_category *out);
/* The site's categories of lang ("" = all languages), parents before children, by position. */
int store_kb_category_each(struct store *st, int64_t site_id, const char *lang,
			   int (*cb)(void *ud, const struct store_kb_category *c), void *ud);

struct store_kb_article {
	int64_t id, site_id, category_id, translation_of;    /* 0: none */
	char lang[8], slug[128];
	char question[2048];                                 /* 500 characters of up to 4 bytes */
	char *alt_questions, *answer_md, *answer_html;       /* heap; store_kb_article_free */
	char tags[512];                                      /* space-separated */
	char visibility[12];                                 /* public, members, internal */
	char status[12];                                     /* draft, published */
	int position;
	int64_t views, helpful, unhelpful, rev;
	int64_t created_by, updated_by, created_at, updated_at;
};
void store_kb_article_free(struct store_kb_article *a);
/* Creates (rev 1) or updates (rev + 1) and writes the revision row in the same transaction;
 * user_id is who did it. Sets id, rev and times. KF_EEXIST when the slug is taken. */
int store_kb_article_create(struct store *st, struct store_kb_article *a, int64_t user_id);
int store_kb_article_update(struct store *st, struct store_kb_article *a, int64_t user_id);
/* Deleting a translation group's first article makes its oldest remaining member the root. */
int store_kb_article_delete(struct store *st, int64_t id);
int store_kb_article_get(struct store *st, int64_t id, struct store_kb_article *out);
/* The site's oldest article of lang whose question is exactly question (imports without a slug). */
int store_kb_article_by_question(struct store *st, int64_t site_id, const char *lang, const char *question,
				 struct store_kb_article *out);
int store_kb_article_by_slug(struct store *st, int64_t site_id, const char *lang, const char *slug,
			     struct store_kb_article *out);
/* Listing (no answer texts are loaded unless with_text): the site's articles, filtered. Any of
 * category_id (0 = any), lang ("" = any), status ("" = any), visibility_max ("public" shows only
 * public, "members" public+members, "internal" all). Ordered by category position then article
 * position then id. */
struct store_kb_filter {
	int64_t site_id, category_id;
	const char *lang, *status, *visibility_max;
	int with_text, limit, offset;
};
int store_kb_article_each(struct store *st, const struct store_kb_filter *f,
			  int (*cb)(void *ud, const struct store_kb_article *a), void *ud);
/* The other languages of an article's translation group. */
int store_kb_translations(struct store *st, int64_t article_id,
			  int (*cb)(void *ud, const struct store_kb_article *a), void *ud);
/* Sets position 0, 1, 2, ... in the order of ids (articles of site_id only), in one transaction. */
int store_kb_article_reorder(struct store *st, int64_t site_id, const int64_t *ids, size_t n);
int store_kb_related_set(struct store *st, int64_t article_id, const int64_t *ids, size_t n);
int store_kb_related(struct store *st, int64_t article_id, int64_t *ids, size_t max, size_t *n);

struct store_kb_revision {
	int64_t id, article_id, rev, category_id, user_id, created_at;
	char question[2048], tags[512], visibility[12], status[12];
	char *alt_questions, *answer_md;                     /* heap; freed by the iterator after cb */
};
/* Newest first. */
int store_kb_revision_each(struct store *st, int64_t article_id,
			   int (*cb)(void *ud, const struct store_kb_revision *r), void *ud);
int store_kb_revision_get(struct store *st, int64_t article_id, int64_t rev, struct store_kb_revision *out);
void store_kb_revision_free(struct store_kb_revision *r);

/* Counters: one view, or one vote (helpful 1 / 0), today; both the totals and the day row. */
int store_kb_count_view(struct store *st, int64_t article_id, int64_t day);
int store_kb_count_vote(struct store *st, int64_t article_id, int64_t day, int helpful);
/* Views gathered in memory, written in one transaction (missing articles are skipped). */
struct store_kb_views {
	int64_t article_id, day, views;
};
int store_kb_count_views(struct store *st, const struct store_kb_views *v, size_t n);
/* Hot questions: published articles of the site and lang visible at visibility_max, ranked
 * by views + 5 * helpful over days [from_day, to_day]; at most limit. */
int store_kb_hot(struct store *st, int64_t site_id, const char *lang, const char *visibility_max, int64_t from_day,
		 int64_t to_day, int limit, int (*cb)(void *ud, const struct store_kb_article *a, int64_t score),
		 void *ud);

/* The site's identity secret (64 hex characters; made on first use). */
int store_kb_identity_secret(struct store *st, int64_t site_id, char out[65]);
/* Replaces it with a new random one (signatures made with the old one stop working). */
int store_kb_identity_rotate(struct store *st, int64_t site_id, char out[65]);

#endif
