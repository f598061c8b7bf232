-- 002_chat: sites, visitors, conversations and their messages (live chat).
CREATE TABLE sites (
  id              INTEGER PRIMARY KEY,
  key             TEXT NOT NULL UNIQUE,          -- public, goes into the embed snippet
  name            TEXT NOT NULL,
  origins         TEXT NOT NULL DEFAULT '',      -- space-separated allowed origins; empty: any
  greeting        TEXT NOT NULL DEFAULT '',
  color           TEXT NOT NULL DEFAULT '#1677ff',
  languages       TEXT NOT NULL DEFAULT 'zh-CN zh-TW en',
  preview         INTEGER NOT NULL DEFAULT 0,    -- agents may see visitors' drafts
  offline_message TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL
);

CREATE TABLE site_members (
  site_id  INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (site_id, user_id)
);
CREATE INDEX site_members_user ON site_members(user_id);

CREATE TABLE visitors (
  id          INTEGER PRIMARY KEY,
  site_id     INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  token_hash  TEXT NOT NULL UNIQUE,              -- BLAKE2b of the visitor token
  name        TEXT NOT NULL DEFAULT '',
  email       TEXT NOT NULL DEFAULT '',
  lang        TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL
);

CREATE TABLE conversations (
  id               INTEGER PRIMARY KEY,
  site_id          INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  visitor_id       INTEGER NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
  status           TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'closed', 'offline')),
  agent_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
  last_seq         INTEGER NOT NULL DEFAULT 0,
  visitor_read_seq INTEGER NOT NULL DEFAULT 0,
  agent_read_seq   INTEGER NOT NULL DEFAULT 0,
  rating           INTEGER CHECK (rating BETWEEN 1 AND 5),
  rating_comment   TEXT NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  closed_at        INTEGER
);
CREATE INDEX conversations_site ON conversations(site_id, status, updated_at);
CREATE INDEX conversations_visitor ON conversations(visitor_id, status);

CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  sender          TEXT NOT NULL CHECK (sender IN ('visitor', 'agent', 'system')),
  sender_id       INTEGER NOT NULL DEFAULT 0,
  kind            TEXT NOT NULL CHECK (kind IN ('text', 'note', 'event', 'file')),
  client_id       TEXT,
  author          TEXT NOT NULL DEFAULT '',
  body            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,              -- milliseconds
  UNIQUE (conversation_id, seq),
  UNIQUE (conversation_id, sender, sender_id, client_id)
);
