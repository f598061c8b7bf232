-- 016_kb: the knowledge base (FAQ): two-level categories and articles per site and language,
-- with translations linked, visibility, drafts, revisions, related articles and the counters
-- the help centre keeps (views, helpful votes per day for "hot questions").
CREATE TABLE kb_categories (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	parent_id INTEGER REFERENCES kb_categories(id) ON DELETE CASCADE,   -- NULL: top level (two levels at most)
	lang TEXT NOT NULL CHECK (lang IN ('zh-CN', 'zh-TW', 'en')),
	name TEXT NOT NULL,
	slug TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	UNIQUE (site_id, lang, slug)
);
CREATE TABLE kb_articles (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	category_id INTEGER REFERENCES kb_categories(id) ON DELETE SET NULL,
	lang TEXT NOT NULL CHECK (lang IN ('zh-CN', 'zh-TW', 'en')),
	translation_of INTEGER REFERENCES kb_articles(id) ON DELETE SET NULL,  -- the group's first article; NULL: itself
	slug TEXT NOT NULL,
	question TEXT NOT NULL,
	alt_questions TEXT NOT NULL DEFAULT '',      -- other phrasings, one per line (search and the bot use them)
	answer_md TEXT NOT NULL DEFAULT '',
	answer_html TEXT NOT NULL DEFAULT '',        -- answer_md rendered by cmark (safe), cached
	tags TEXT NOT NULL DEFAULT '',               -- space-separated
	visibility TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'members', 'internal')),
	status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
	position INTEGER NOT NULL DEFAULT 0,
	views INTEGER NOT NULL DEFAULT 0,
	helpful INTEGER NOT NULL DEFAULT 0,
	unhelpful INTEGER NOT NULL DEFAULT 0,
	rev INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
	updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (site_id, lang, slug)
);
CREATE INDEX kb_articles_cat ON kb_articles(category_id, position);
CREATE INDEX kb_articles_site ON kb_articles(site_id, lang, status);
CREATE INDEX kb_articles_tr ON kb_articles(translation_of);
CREATE TABLE kb_related (
	article_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
	related_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
	PRIMARY KEY (article_id, related_id)
) WITHOUT ROWID;
CREATE TABLE kb_revisions (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
	rev INTEGER NOT NULL,
	category_id INTEGER,
	question TEXT NOT NULL,
	alt_questions TEXT NOT NULL,
	answer_md TEXT NOT NULL,
	tags TEXT NOT NULL,
	visibility TEXT NOT NULL,
	status TEXT NOT NULL,
	user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (article_id, rev)
);
-- per article and UTC day: what "hot questions" (last N days) and the editor's report read
CREATE TABLE kb_article_days (
	article_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
	day INTEGER NOT NULL,
	views INTEGER NOT NULL DEFAULT 0,
	helpful INTEGER NOT NULL DEFAULT 0,
	unhelpful INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (article_id, day)
) WITHOUT ROWID;
-- the secret a shop signs its customers' ids with (members-only articles; the CRM uses it too)
ALTER TABLE sites ADD COLUMN identity_secret TEXT NOT NULL DEFAULT '';
