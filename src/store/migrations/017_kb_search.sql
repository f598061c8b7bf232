-- 017_kb_search: the knowledge base's search index and the log of searches behind the
-- editor's report. kb/search.c writes the tokens (search/search.h search_tokens_kb), so the
-- index needs no Chinese tokenizer of its own, as msg_fts (003).
-- rowid = kb_articles.id; only published articles are in it. q: the question and its other
-- phrasings, one line each, lines separated by " | " (the confidence reads them back); a: the
-- answer as plain text; t: the tags; uni: every single Han character of all of them.
CREATE VIRTUAL TABLE kb_fts USING fts5(q, a, t, uni, tokenize = 'unicode61 remove_diacritics 0');
-- the index's terms, for correcting misspelt English words (refnud -> refund)
CREATE VIRTUAL TABLE kb_vocab USING fts5vocab(kb_fts, row);
-- one row per logged search (help centre, widget, agent, bot): what was asked, how many hits,
-- the best one and how sure it was
CREATE TABLE kb_searches (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	lang TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL,                      -- help, widget, agent, bot
	query TEXT NOT NULL,
	hits INTEGER NOT NULL,
	top_article_id INTEGER REFERENCES kb_articles(id) ON DELETE SET NULL,
	top_confidence REAL NOT NULL DEFAULT 0,
	at INTEGER NOT NULL
);
CREATE INDEX kb_searches_site ON kb_searches(site_id, at);
