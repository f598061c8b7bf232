-- 011_routing: departments with members and an assignment rule, and what routing and the
-- statistics need to know about each conversation.
CREATE TABLE departments (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	rule TEXT NOT NULL DEFAULT 'least_busy' CHECK (rule IN ('round_robin', 'least_busy')),
	offer_timeout INTEGER NOT NULL DEFAULT 30,      -- seconds an agent has to accept an offered chat
	position INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	UNIQUE (site_id, name)
);
CREATE TABLE department_members (
	department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (department_id, user_id)
) WITHOUT ROWID;
CREATE INDEX department_members_user ON department_members(user_id);

ALTER TABLE conversations ADD COLUMN department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN offered_to INTEGER;        -- user id the chat is offered to (waiting)
ALTER TABLE conversations ADD COLUMN offered_at INTEGER;        -- unix ms
ALTER TABLE conversations ADD COLUMN first_reply_at INTEGER;    -- unix ms of the first agent message
ALTER TABLE conversations ADD COLUMN accepted_at INTEGER;       -- unix s an agent took it
CREATE INDEX conversations_site_created ON conversations(site_id, created_at);
-- The queue and the pending offers are read on every routing decision: keep them small to scan.
CREATE INDEX conversations_routing ON conversations(created_at, id) WHERE status = 'waiting' OR offered_to IS NOT NULL;
-- Every routing decision counts each candidate agent's active chats.
CREATE INDEX conversations_agent ON conversations(agent_id, status);
