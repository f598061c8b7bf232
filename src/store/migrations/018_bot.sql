-- 018_bot: the FAQ bot per site (off, only while nobody is online, or always first), its
-- confidence threshold, each conversation's bot state, and what it did (deflection figures).
ALTER TABLE sites ADD COLUMN bot_mode TEXT NOT NULL DEFAULT 'off' CHECK (bot_mode IN ('off', 'offline', 'always'));
ALTER TABLE sites ADD COLUMN bot_threshold REAL NOT NULL DEFAULT 0.5;
ALTER TABLE sites ADD COLUMN bot_name TEXT NOT NULL DEFAULT '';
-- '' never answered; held: the bot answered and waits for the visitor's verdict (routing waits too);
-- handover: passed to people; resolved: the visitor said it helped
ALTER TABLE conversations ADD COLUMN bot_state TEXT NOT NULL DEFAULT '';
CREATE TABLE bot_events (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
	article_id INTEGER,
	confidence REAL NOT NULL DEFAULT 0,
	outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'unanswered', 'resolved', 'handover')),
	question TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL                             -- unix s
);
CREATE INDEX bot_events_site ON bot_events(site_id, at);
