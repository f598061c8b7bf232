/* store/store_kb.c - the SQLite backend of store_kb.h: knowledge-base categories, articles,
 * translations, related articles, revisions, per-day counters and the site's identity secret.
 * An article write and its revision row share one transaction, so the history never misses a
 * version that was live. The search index is kept by kb/search.c (store_kb_search.c). */
#include "store/store_kb.h"
#include "store/store_int.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "core/util.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	K_CAT_INSERT = STORE_SLOT_KB, K_CAT_SLUG, K_CAT_UPDATE, K_CAT_DELETE, K_CAT_GET, K_CAT_EACH,
	K_ART_INSERT, K_ART_SLUG, K_ART_UPDATE, K_ART_DELETE, K_ART_GET, K_ART_BY_SLUG, K_ART_EACH, K_ART_EACH_TEXT,
	K_ART_TR, K_ART_POS, K_REV_INSERT, K_REV_EACH, K_REV_GET,
	K_REL_DEL, K_REL_ADD, K_REL_GET,
	K_VIEW, K_VIEW_DAY, K_VOTE, K_VOTE_DAY, K_HOT,
	K_ART_BY_Q, K_TR_ROOT, K_TR_NEWROOT, K_TR_MOVE,
	K_SECRET_GET, K_SECRET_INIT, K_SECRET_SET,
	K_BEGIN, K_COMMIT, K_ROLLBACK,
	K_END
};
_Static_assert(K_END <= STORE_SLOT_KB_SEARCH, "store_kb.c's statements run into the search helper's slots");
_Static_assert(STORE_SLOT_KB_SEARCH < STORE_SLOTS, "no room for the search helper's statements");

#define CAT_COLS "id, site_id, coalesce(parent_id, 0), lang, name, slug, description, position, created_at"
/* Listing columns leave the long texts out (three empty strings in their place). */
#define ART_HEAD "a.id, a.site_id, coalesce(a.category_id, 0), coalesce(a.translation_of, 0), a.lang, a.slug, a.question, "
#define ART_TAIL "a.tags, a.visibility, a.status, a.position, a.views, a.helpful, a.unhelpful, a.rev, " \
		 "coalesce(a.created_by, 0), coalesce(a.updated_by, 0), a.created_at, a.updated_at"
#define ART_COLS ART_HEAD "a.alt_questions, a.answer_md, a.answer_html, " ART_TAIL
#define ART_LIST_COLS ART_HEAD "'', '', '', " ART_TAIL
/* visibility as a level, to compare with the level a reader may see */
#define VIS_LEVEL "(CASE a.visibility WHEN 'public' THEN 0 WHEN 'members' THEN 1 ELSE 2 END)"
#define ART_FILTER " FROM kb_articles a LEFT JOIN kb_categories c ON c.id = a.category_id WHERE a.site_id = ?1 " \
	"AND (?2 = 0 OR a.category_id = ?2) AND (?3 = '' OR a.lang = ?3) AND (?4 = '' OR a.status = ?4) " \
	"AND " VIS_LEVEL " <= ?5 ORDER BY c.position IS NULL, c.position, a.position, a.id LIMIT ?6 OFFSET ?7"
#define REV_COLS "id, article_id, rev, coalesce(category_id, 0), coalesce(user_id, 0), created_at, question, " \
		 "tags, visibility, status, alt_questions, answer_md"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[K_END - STORE_SLOT_KB] = {
#define S(x) [x - STORE_SLOT_KB]
		S(K_CAT_INSERT) = "INSERT INTO kb_categories (site_id, parent_id, lang, name, slug, description, position, "
				  "created_at) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8)",
		S(K_CAT_SLUG) = "UPDATE kb_categories SET slug = 'c-' || id WHERE id = ?1",
		S(K_CAT_UPDATE) = "UPDATE kb_categories SET parent_id = nullif(?2, 0), lang = ?3, name = ?4, slug = ?5, "
				  "description = ?6, position = ?7 WHERE id = ?1",
		S(K_CAT_DELETE) = "DELETE FROM kb_categories WHERE id = ?1",
		S(K_CAT_GET) = "SELECT " CAT_COLS " FROM kb_categories WHERE id = ?1",
		S(K_CAT_EACH) = "SELECT " CAT_COLS " FROM kb_categories WHERE site_id = ?1 AND (?2 = '' OR lang = ?2) "
				"ORDER BY parent_id IS NOT NULL, position, id",
		S(K_ART_INSERT) = "INSERT INTO kb_articles (site_id, category_id, lang, translation_of, slug, question, "
				  "alt_questions, answer_md, answer_html, tags, visibility, status, position, rev, created_by, "
				  "updated_by, created_at, updated_at) VALUES (?1, nullif(?2, 0), ?3, nullif(?4, 0), ?5, ?6, ?7, "
				  "?8, ?9, ?10, ?11, ?12, ?13, 1, nullif(?14, 0), nullif(?14, 0), ?15, ?15)",
		S(K_ART_SLUG) = "UPDATE kb_articles SET slug = 'a-' || id WHERE id = ?1",
		S(K_ART_UPDATE) = "UPDATE kb_articles SET category_id = nullif(?2, 0), lang = ?3, translation_of = nullif(?4, 0), "
				  "slug = ?5, question = ?6, alt_questions = ?7, answer_md = ?8, answer_html = ?9, tags = ?10, "
				  "visibility = ?11, status = ?12, position = ?13, rev = rev + 1, updated_by = nullif(?14, 0), "
				  "updated_at = ?15 WHERE id = ?1",
		S(K_ART_DELETE) = "DELETE FROM kb_articles WHERE id = ?1",
		S(K_ART_GET) = "SELECT " ART_COLS " FROM kb_articles a WHERE a.id = ?1",
		S(K_ART_BY_SLUG) = "SELECT " ART_COLS " FROM kb_articles a WHERE a.site_id = ?1 AND a.lang = ?2 AND a.slug = ?3",
		S(K_ART_EACH) = "SELECT " ART_LIST_COLS ART_FILTER,
		S(K_ART_EACH_TEXT) = "SELECT " ART_COLS ART_FILTER,
		S(K_ART_TR) = "SELECT " ART_LIST_COLS " FROM kb_articles a, (SELECT coalesce(translation_of, id) AS root "
			      "FROM kb_articles WHERE id = ?1) g WHERE (a.id = g.root OR a.translation_of = g.root) "
			      "AND a.id <> ?1 ORDER BY a.lang, a.id",
		S(K_ART_POS) = "UPDATE kb_articles SET position = ?3 WHERE id = ?1 AND site_id = ?2",
		S(K_REV_INSERT) = "INSERT INTO kb_revisions (article_id, rev, category_id, question, alt_questions, answer_md, "
				  "tags, visibility, status, user_id, created_at) SELECT id, rev, category_id, question, "
				  "alt_questions, answer_md, tags, visibility, status, nullif(?2, 0), ?3 FROM kb_articles "
				  "WHERE id = ?1",
		S(K_REV_EACH) = "SELECT " REV_COLS " FROM kb_revisions WHERE article_id = ?1 ORDER BY rev DESC",
		S(K_REV_GET) = "SELECT " REV_COLS " FROM kb_revisions WHERE article_id = ?1 AND rev = ?2",
		S(K_REL_DEL) = "DELETE FROM kb_related WHERE article_id = ?1",
		S(K_REL_ADD) = "INSERT OR IGNORE INTO kb_related (article_id, related_id) VALUES (?1, ?2)",
		S(K_REL_GET) = "SELECT related_id FROM kb_related WHERE article_id = ?1 ORDER BY related_id",
		S(K_VIEW) = "UPDATE kb_articles SET views = views + ?2 WHERE id = ?1",
		S(K_VIEW_DAY) = "INSERT INTO kb_article_days (article_id, day, views) VALUES (?1, ?2, ?3) "
				"ON CONFLICT (article_id, day) DO UPDATE SET views = views + ?3",
		S(K_VOTE) = "UPDATE kb_articles SET helpful = helpful + ?2, unhelpful = unhelpful + (1 - ?2) WHERE id = ?1",
		S(K_VOTE_DAY) = "INSERT INTO kb_article_days (article_id, day, helpful, unhelpful) VALUES (?1, ?2, ?3, 1 - ?3) "
				"ON CONFLICT (article_id, day) DO UPDATE SET helpful = helpful + ?3, "
				"unhelpful = unhelpful + (1 - ?3)",
		S(K_HOT) = "SELECT " ART_LIST_COLS ", h.score FROM (SELECT article_id, sum(views) + 5 * sum(helpful) AS score "
			   "FROM kb_article_days WHERE day BETWEEN ?4 AND ?5 GROUP BY article_id) h "
			   "JOIN kb_articles a ON a.id = h.article_id WHERE a.site_id = ?1 AND (?2 = '' OR a.lang = ?2) "
			   "AND a.status = 'published' AND " VIS_LEVEL " <= ?3 AND h.score > 0 "
			   "ORDER BY h.score DESC, a.id LIMIT ?6",
		S(K_ART_BY_Q) = "SELECT " ART_COLS " FROM kb_articles a WHERE a.site_id = ?1 AND a.lang = ?2 "
				"AND a.question = ?3 ORDER BY a.id LIMIT 1",
		/* the root of a group whose root is ?1: its oldest member (translation_of = ?1) */
		S(K_TR_ROOT) = "SELECT min(id) FROM kb_articles WHERE translation_of = ?1",
		S(K_TR_NEWROOT) = "UPDATE kb_articles SET translation_of = NULL WHERE id = ?1",
		S(K_TR_MOVE) = "UPDATE kb_articles SET translation_of = ?2 WHERE translation_of = ?1 AND id <> ?2",
		S(K_SECRET_GET) = "SELECT identity_secret FROM sites WHERE id = ?1",
		S(K_SECRET_INIT) = "UPDATE sites SET identity_secret = ?2 WHERE id = ?1 AND identity_secret = ''",
		S(K_SECRET_SET) = "UPDATE sites SET identity_secret = ?2 WHERE id = ?1",
		S(K_BEGIN) = "BEGIN IMMEDIATE",
		S(K_COMMIT) = "COMMIT",
		S(K_ROLLBACK) = "ROLLBACK",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_KB]);
}

/* ---- small helpers ---- */

static int run_id(struct store *st, int slot, int64_t id)
{
	sqlite3_stmt *s = q(st, slot);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__run(st, s);
}

static int begin(struct store *st)
{
	sqlite3_stmt *s = q(st, K_BEGIN);
	return s ? store__run(st, s) : KF_EIO;
}

/* Commits when rc is 0, else rolls back; returns rc (or the commit's error). */
static int end(struct store *st, int rc)
{
	sqlite3_stmt *s = q(st, rc == 0 ? K_COMMIT : K_ROLLBACK);
	int e = s ? store__run(st, s) : KF_EIO;
	return rc ? rc : e;
}

/* A DELETE/UPDATE by id that touched no row is KF_ENOTFOUND. */
static int changed(struct store *st, int rc)
{
	return rc == 0 && sqlite3_changes(st->db) == 0 ? KF_ENOTFOUND : rc;
}

static char *col_dup(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	return xstrdup(t ? (const char *)t : "");
}

static int64_t vis_level(const char *vis)
{
	if (!vis || !*vis || strcmp(vis, "internal") == 0)
		return 2;
	return strcmp(vis, "members") == 0 ? 1 : 0;
}

/* ---- categories ---- */

static void cat_row(sqlite3_stmt *s, void *p)
{
	struct store_kb_category *c = p;
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(s, 0);
	c->site_id = sqlite3_column_int64(s, 1);
	c->parent_id = sqlite3_column_int64(s, 2);
	store__text(s, 3, c->lang, sizeof(c->lang));
	store__text(s, 4, c->name, sizeof(c->name));
	store__text(s, 5, c->slug, sizeof(c->slug));
	store__text(s, 6, c->description, sizeof(c->description));
	c->position = sqlite3_column_int(s, 7);
	c->created_at = sqlite3_column_int64(s, 8);
}

static void cat_bind(sqlite3_stmt *s, const struct store_kb_category *c)
{
	sqlite3_bind_int64(s, 2, c->parent_id);
	store__bind_text(s, 3, c->lang);
	store__bind_text(s, 4, c->name);
	store__bind_text(s, 5, c->slug);
	store__bind_text(s, 6, c->description);
	sqlite3_bind_int(s, 7, c->position);
}

int store_kb_category_create(struct store *st, struct store_kb_category *c)
{
	int rc = begin(st);
	if (rc)
		return rc;
	sqlite3_stmt *s = q(st, K_CAT_INSERT);
	int64_t now = time_now_s();
	if (!s)
		return end(st, KF_EIO);
	sqlite3_bind_int64(s, 1, c->site_id);
	cat_bind(s, c);
	sqlite3_bind_int64(s, 8, now);
	rc = store__run(st, s);
	int64_t id = rc == 0 ? sqlite3_last_insert_rowid(st->db) : 0;
	if (rc == 0 && !c->slug[0])
		rc = run_id(st, K_CAT_SLUG, id);
	rc = end(st, rc);
	if (rc == 0) {
		c->id = id;
		c->created_at = now;
		if (!c->slug[0])
			snprintf(c->slug, sizeof(c->slug), "c-%lld", (long long)id);
	}
	return rc;
}

int store_kb_category_update(struct store *st, const struct store_kb_category *c)
{
	sqlite3_stmt *s = q(st, K_CAT_UPDATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, c->id);
	cat_bind(s, c);
	return changed(st, store__run(st, s));
}

int store_kb_category_delete(struct store *st, int64_t id)
{
	return changed(st, run_id(st, K_CAT_DELETE, id));
}

int store_kb_category_get(struct store *st, int64_t id, struct store_kb_category *out)
{
	sqlite3_stmt *s = q(st, K_CAT_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, cat_row, out);
}

int store_kb_category_each(struct store *st, int64_t site_id, const char *lang,
			   int (*cb)(void *ud, const struct store_kb_category *c), void *ud)
{
	sqlite3_stmt *s = q(st, K_CAT_EACH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, lang);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_kb_category c;
		cat_row(s, &c);
		if ((ret = cb(ud, &c)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "kb categories");
}

/* ---- articles ---- */

void store_kb_article_free(struct store_kb_article *a)
{
	if (!a)
		return;
	free(a->alt_questions);
	free(a->answer_md);
	free(a->answer_html);
	a->alt_questions = a->answer_md = a->answer_html = NULL;
}

/* Fills a from a row of ART_COLS / ART_LIST_COLS; the three texts are new heap strings. */
static void art_row(sqlite3_stmt *s, struct store_kb_article *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->site_id = sqlite3_column_int64(s, 1);
	a->category_id = sqlite3_column_int64(s, 2);
	a->translation_of = sqlite3_column_int64(s, 3);
	store__text(s, 4, a->lang, sizeof(a->lang));
	store__text(s, 5, a->slug, sizeof(a->slug));
	store__text(s, 6, a->question, sizeof(a->question));
	a->alt_questions = col_dup(s, 7);
	a->answer_md = col_dup(s, 8);
	a->answer_html = col_dup(s, 9);
	store__text(s, 10, a->tags, sizeof(a->tags));
	store__text(s, 11, a->visibility, sizeof(a->visibility));
	store__text(s, 12, a->status, sizeof(a->status));
	a->position = sqlite3_column_int(s, 13);
	a->views = sqlite3_column_int64(s, 14);
	a->helpful = sqlite3_column_int64(s, 15);
	a->unhelpful = sqlite3_column_int64(s, 16);
	a->rev = sqlite3_column_int64(s, 17);
	a->created_by = sqlite3_column_int64(s, 18);
	a->updated_by = sqlite3_column_int64(s, 19);
	a->created_at = sqlite3_column_int64(s, 20);
	a->updated_at = sqlite3_column_int64(s, 21);
}

/* Binds ?2..?15 of K_ART_INSERT / K_ART_UPDATE (same numbering). */
static void art_bind(sqlite3_stmt *s, const struct store_kb_article *a, int64_t user_id, int64_t now)
{
	sqlite3_bind_int64(s, 2, a->category_id);
	store__bind_text(s, 3, a->lang);
	sqlite3_bind_int64(s, 4, a->translation_of);
	store__bind_text(s, 5, a->slug);
	store__bind_text(s, 6, a->question);
	store__bind_text(s, 7, a->alt_questions);
	store__bind_text(s, 8, a->answer_md);
	store__bind_text(s, 9, a->answer_html);
	store__bind_text(s, 10, a->tags);
	store__bind_text(s, 11, a->visibility[0] ? a->visibility : "public");
	store__bind_text(s, 12, a->status[0] ? a->status : "draft");
	sqlite3_bind_int(s, 13, a->position);
	sqlite3_bind_int64(s, 14, user_id);
	sqlite3_bind_int64(s, 15, now);
}

static int revision_add(struct store *st, int64_t article_id, int64_t user_id, int64_t now)
{
	sqlite3_stmt *s = q(st, K_REV_INSERT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, article_id);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	return store__run(st, s);
}

/* Reads the stored row back into a (for rev, slug and times), keeping the caller's texts. */
static int art_refresh(struct store *st, struct store_kb_article *a, int64_t id)
{
	struct store_kb_article cur;
	int rc = store_kb_article_get(st, id, &cur);
	if (rc)
		return rc;
	a->id = id;
	a->rev = cur.rev;
	a->created_at = cur.created_at;
	a->updated_at = cur.updated_at;
	a->views = cur.views;
	a->helpful = cur.helpful;
	a->unhelpful = cur.unhelpful;
	snprintf(a->slug, sizeof(a->slug), "%s", cur.slug);
	store_kb_article_free(&cur);
	return 0;
}

int store_kb_article_create(struct store *st, struct store_kb_article *a, int64_t user_id)
{
	int rc = begin(st);
	if (rc)
		return rc;
	sqlite3_stmt *s = q(st, K_ART_INSERT);
	int64_t now = time_now_s(), id = 0;
	if (!s)
		return end(st, KF_EIO);
	sqlite3_bind_int64(s, 1, a->site_id);
	art_bind(s, a, user_id, now);
	rc = store__run(st, s);
	if (rc == 0)
		id = sqlite3_last_insert_rowid(st->db);
	if (rc == 0 && !a->slug[0])
		rc = run_id(st, K_ART_SLUG, id);
	if (rc == 0)
		rc = revision_add(st, id, user_id, now);
	rc = end(st, rc);
	if (rc == 0) {
		a->created_by = a->updated_by = user_id;
		rc = art_refresh(st, a, id);
	}
	return rc;
}

int store_kb_article_update(struct store *st, struct store_kb_article *a, int64_t user_id)
{
	int rc = begin(st);
	if (rc)
		return rc;
	sqlite3_stmt *s = q(st, K_ART_UPDATE);
	int64_t now = time_now_s();
	if (!s)
		return end(st, KF_EIO);
	sqlite3_bind_int64(s, 1, a->id);
	art_bind(s, a, user_id, now);
	rc = changed(st, store__run(st, s));
	if (rc == 0)
		rc = revision_add(st, a->id, user_id, now);
	rc = end(st, rc);
	if (rc == 0) {
		a->updated_by = user_id;
		rc = art_refresh(st, a, a->id);
	}
	return rc;
}

/* The schema's ON DELETE SET NULL would leave the other members of a group whose root is
 * deleted each on its own; so the oldest remaining member becomes the root and the others
 * point at it, in the same transaction as the delete. */
static int tr_reroot(struct store *st, int64_t id)
{
	sqlite3_stmt *s = q(st, K_TR_ROOT);
	int64_t root = 0;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		root = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store__err(st, "kb translation group");
	if (!root)
		return 0;
	rc = run_id(st, K_TR_NEWROOT, root);
	if (rc == 0 && !(s = q(st, K_TR_MOVE)))
		rc = KF_EIO;
	if (rc == 0) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, root);
		rc = store__run(st, s);
	}
	return rc;
}

int store_kb_article_delete(struct store *st, int64_t id)
{
	int rc = begin(st);
	if (rc)
		return rc;
	rc = tr_reroot(st, id);
	if (rc == 0)
		rc = changed(st, run_id(st, K_ART_DELETE, id));
	return end(st, rc);
}

static int art_one(struct store *st, sqlite3_stmt *s, struct store_kb_article *out)
{
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		art_row(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "kb article");
}

int store_kb_article_get(struct store *st, int64_t id, struct store_kb_article *out)
{
	sqlite3_stmt *s = q(st, K_ART_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return art_one(st, s, out);
}

int store_kb_article_by_question(struct store *st, int64_t site_id, const char *lang, const char *question,
				 struct store_kb_article *out)
{
	sqlite3_stmt *s = q(st, K_ART_BY_Q);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, lang);
	store__bind_text(s, 3, question);
	return art_one(st, s, out);
}

int store_kb_article_by_slug(struct store *st, int64_t site_id, const char *lang, const char *slug,
			     struct store_kb_article *out)
{
	sqlite3_stmt *s = q(st, K_ART_BY_SLUG);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, lang);
	store__bind_text(s, 3, slug);
	return art_one(st, s, out);
}

/* Runs an article query and hands each row to cb; the row's texts are freed after cb. */
static int art_iter(struct store *st, sqlite3_stmt *s, int (*cb)(void *, const struct store_kb_article *), void *ud)
{
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_kb_article a;
		art_row(s, &a);
		ret = cb(ud, &a);
		store_kb_article_free(&a);
		if (ret)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "kb articles");
}

int store_kb_article_each(struct store *st, const struct store_kb_filter *f,
			  int (*cb)(void *ud, const struct store_kb_article *a), void *ud)
{
	sqlite3_stmt *s = q(st, f->with_text ? K_ART_EACH_TEXT : K_ART_EACH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, f->site_id);
	sqlite3_bind_int64(s, 2, f->category_id);
	store__bind_text(s, 3, f->lang);
	store__bind_text(s, 4, f->status);
	sqlite3_bind_int64(s, 5, vis_level(f->visibility_max));
	sqlite3_bind_int(s, 6, f->limit > 0 ? f->limit : -1);
	sqlite3_bind_int(s, 7, f->offset > 0 ? f->offset : 0);
	return art_iter(st, s, cb, ud);
}

int store_kb_translations(struct store *st, int64_t article_id,
			  int (*cb)(void *ud, const struct store_kb_article *a), void *ud)
{
	sqlite3_stmt *s = q(st, K_ART_TR);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, article_id);
	return art_iter(st, s, cb, ud);
}

static int set_position(struct store *st, int64_t site_id, int64_t id, int pos)
{
	sqlite3_stmt *s = q(st, K_ART_POS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, site_id);
	sqlite3_bind_int(s, 3, pos);
	return store__run(st, s);
}

int store_kb_article_reorder(struct store *st, int64_t site_id, const int64_t *ids, size_t n)
{
	int rc = begin(st);
	if (rc)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = set_position(st, site_id, ids[i], (int)i);
	return end(st, rc);
}

int store_kb_related_set(struct store *st, int64_t article_id, const int64_t *ids, size_t n)
{
	int rc = begin(st);
	if (rc)
		return rc;
	rc = run_id(st, K_REL_DEL, article_id);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_stmt *s = q(st, K_REL_ADD);
		if (!s) {
			rc = KF_EIO;
			break;
		}
		sqlite3_bind_int64(s, 1, article_id);
		sqlite3_bind_int64(s, 2, ids[i]);
		rc = store__run(st, s);
	}
	return end(st, rc);
}

int store_kb_related(struct store *st, int64_t article_id, int64_t *ids, size_t max, size_t *n)
{
	sqlite3_stmt *s = q(st, K_REL_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, article_id);
	return store__ids(st, s, ids, max, n);
}

/* ---- revisions ---- */

void store_kb_revision_free(struct store_kb_revision *r)
{
	if (!r)
		return;
	free(r->alt_questions);
	free(r->answer_md);
	r->alt_questions = r->answer_md = NULL;
}

static void rev_row(sqlite3_stmt *s, struct store_kb_revision *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->article_id = sqlite3_column_int64(s, 1);
	r->rev = sqlite3_column_int64(s, 2);
	r->category_id = sqlite3_column_int64(s, 3);
	r->user_id = sqlite3_column_int64(s, 4);
	r->created_at = sqlite3_column_int64(s, 5);
	store__text(s, 6, r->question, sizeof(r->question));
	store__text(s, 7, r->tags, sizeof(r->tags));
	store__text(s, 8, r->visibility, sizeof(r->visibility));
	store__text(s, 9, r->status, sizeof(r->status));
	r->alt_questions = col_dup(s, 10);
	r->answer_md = col_dup(s, 11);
}

int store_kb_revision_each(struct store *st, int64_t article_id,
			   int (*cb)(void *ud, const struct store_kb_revision *r), void *ud)
{
	sqlite3_stmt *s = q(st, K_REV_EACH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, article_id);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_kb_revision r;
		rev_row(s, &r);
		ret = cb(ud, &r);
		store_kb_revision_free(&r);
		if (ret)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "kb revisions");
}

int store_kb_revision_get(struct store *st, int64_t article_id, int64_t rev, struct store_kb_revision *out)
{
	sqlite3_stmt *s = q(st, K_REV_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, article_id);
	sqlite3_bind_int64(s, 2, rev);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		rev_row(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "kb revision");
}

/* ---- counters ---- */

/* The total and the day row move together, so hot questions and the totals never disagree. */
static int count(struct store *st, int total_slot, int day_slot, int64_t article_id, int64_t day, int helpful)
{
	int rc = begin(st);
	if (rc)
		return rc;
	sqlite3_stmt *s = q(st, total_slot);
	if (!s)
		return end(st, KF_EIO);
	sqlite3_bind_int64(s, 1, article_id);
	sqlite3_bind_int(s, 2, total_slot == K_VOTE ? helpful : 1);
	rc = changed(st, store__run(st, s));
	if (rc == 0 && !(s = q(st, day_slot)))
		rc = KF_EIO;
	if (rc == 0) {
		sqlite3_bind_int64(s, 1, article_id);
		sqlite3_bind_int64(s, 2, day);
		sqlite3_bind_int(s, 3, day_slot == K_VOTE_DAY ? helpful : 1);
		rc = store__run(st, s);
	}
	return end(st, rc);
}

int store_kb_count_view(struct store *st, int64_t article_id, int64_t day)
{
	return count(st, K_VIEW, K_VIEW_DAY, article_id, day, 0);
}

/* Several articles' views at once (the help centre batches them): one transaction, so a
 * flush costs one commit however many pages were read. An article deleted meanwhile is
 * skipped, not an error. */
int store_kb_count_views(struct store *st, const struct store_kb_views *v, size_t n)
{
	int rc = begin(st);
	if (rc)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_stmt *s = q(st, K_VIEW);
		if (!s) {
			rc = KF_EIO;
			break;
		}
		sqlite3_bind_int64(s, 1, v[i].article_id);
		sqlite3_bind_int64(s, 2, v[i].views);
		rc = store__run(st, s);
		if (rc || sqlite3_changes(st->db) == 0)
			continue;
		if (!(s = q(st, K_VIEW_DAY))) {
			rc = KF_EIO;
			break;
		}
		sqlite3_bind_int64(s, 1, v[i].article_id);
		sqlite3_bind_int64(s, 2, v[i].day);
		sqlite3_bind_int64(s, 3, v[i].views);
		rc = store__run(st, s);
	}
	return end(st, rc);
}

int store_kb_count_vote(struct store *st, int64_t article_id, int64_t day, int helpful)
{
	return count(st, K_VOTE, K_VOTE_DAY, article_id, day, helpful ? 1 : 0);
}

int store_kb_hot(struct store *st, int64_t site_id, const char *lang, const char *visibility_max, int64_t from_day,
		 int64_t to_day, int limit, int (*cb)(void *ud, const struct store_kb_article *a, int64_t score),
		 void *ud)
{
	sqlite3_stmt *s = q(st, K_HOT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, lang);
	sqlite3_bind_int64(s, 3, vis_level(visibility_max));
	sqlite3_bind_int64(s, 4, from_day);
	sqlite3_bind_int64(s, 5, to_day);
	sqlite3_bind_int(s, 6, limit > 0 ? limit : 10);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_kb_article a;
		art_row(s, &a);
		ret = cb(ud, &a, sqlite3_column_int64(s, 22));
		store_kb_article_free(&a);
		if (ret)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "kb hot");
}

/* ---- identity secret ---- */

static void new_secret(char out[65])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, 65, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

static int secret_read(struct store *st, int64_t site_id, char out[65])
{
	sqlite3_stmt *s = q(st, K_SECRET_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		store__text(s, 0, out, 65);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "identity secret");
}

int store_kb_identity_secret(struct store *st, int64_t site_id, char out[65])
{
	char cur[65], fresh[65];
	int rc = secret_read(st, site_id, cur);
	if (rc == 0 && strlen(cur) != 64) {
		/* first use: only an empty secret is replaced, so two writers end with the same one */
		sqlite3_stmt *s = q(st, K_SECRET_INIT);
		new_secret(fresh);
		if (!s)
			return KF_EIO;
		sqlite3_bind_int64(s, 1, site_id);
		store__bind_text(s, 2, fresh);
		rc = store__run(st, s);
		if (rc == 0)
			rc = secret_read(st, site_id, cur);
		if (rc == 0 && strlen(cur) != 64)
			rc = KF_EIO;
	}
	if (rc == 0)
		memcpy(out, cur, 65);
	return rc;
}

int store_kb_identity_rotate(struct store *st, int64_t site_id, char out[65])
{
	char fresh[65];
	sqlite3_stmt *s = q(st, K_SECRET_SET);
	if (!s)
		return KF_EIO;
	new_secret(fresh);
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, fresh);
	int rc = changed(st, store__run(st, s));
	if (rc == 0)
		memcpy(out, fresh, 65);
	return rc;
}
