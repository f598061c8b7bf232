-- 013_invite: proactive chat invitations (docs/invitations.md): automatic rules per site, and
-- every invitation shown to a visitor, manual or by rule, with its answer (the statistics).
-- Rule ids are AUTOINCREMENT so that a deleted rule's id is never reused: its invitations
-- keep their rule_id (no foreign key) and stay countable after the rule is gone.
CREATE TABLE invite_rules (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 1,
	url_pattern TEXT NOT NULL DEFAULT '',           -- glob with *, on the URL or its path; '' = any
	min_seconds INTEGER NOT NULL DEFAULT 0,         -- visible seconds on the page before it fires
	min_pages INTEGER NOT NULL DEFAULT 0,           -- pages seen this visit (counted by the widget)
	visitor TEXT NOT NULL DEFAULT 'any' CHECK (visitor IN ('any', 'new', 'returning')),
	referrer_contains TEXT NOT NULL DEFAULT '',
	utm_source TEXT NOT NULL DEFAULT '',
	utm_campaign TEXT NOT NULL DEFAULT '',
	message TEXT NOT NULL,
	department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL,
	repeat_after_hours INTEGER NOT NULL DEFAULT 24, -- this rule invites a visitor at most once per window
	position INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX invite_rules_site ON invite_rules(site_id, position, id);

CREATE TABLE invitations (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	visitor_id INTEGER NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
	rule_id INTEGER,                                -- invite_rules.id (kept after the rule is deleted)
	agent_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	message TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'shown' CHECK (status IN ('shown', 'accepted', 'declined')),
	created_at INTEGER NOT NULL,
	answered_at INTEGER,
	conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL
);
CREATE INDEX invitations_visitor ON invitations(visitor_id, rule_id, created_at);
CREATE INDEX invitations_site ON invitations(site_id, created_at);
