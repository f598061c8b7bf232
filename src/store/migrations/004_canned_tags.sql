-- 004_canned_tags: canned responses (typed as /shortcut) and conversation tags.
CREATE TABLE canned (
  id          INTEGER PRIMARY KEY,
  shortcut    TEXT NOT NULL UNIQUE,
  text        TEXT NOT NULL,
  created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE conversation_tags (
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  tag             TEXT NOT NULL,
  PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX conversation_tags_tag ON conversation_tags(tag);
