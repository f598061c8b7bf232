-- 019_kb_fixes: an import row without a slug is matched to an existing article by its exact
-- question (same site and language); this index keeps that lookup from scanning the site.
CREATE INDEX kb_articles_question ON kb_articles(site_id, lang, question);
