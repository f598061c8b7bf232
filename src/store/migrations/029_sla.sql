-- 029: SLAs, follow-up visits (回访) and the CSAT key (issue 7, helper T4).
-- A policy says how long a ticket of a type and priority may wait for its first public reply
-- and for its resolution, whether only the site's business hours count, and whom a breach
-- escalates to. A NULL target is "no clock"; 0 minutes is "due at creation".
CREATE TABLE sla_policies (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	type TEXT NOT NULL CHECK (type IN ('question', 'complaint', 'return', 'repair', 'other')),
	priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	first_response_minutes INTEGER,
	resolution_minutes INTEGER,
	business_hours INTEGER NOT NULL DEFAULT 0,
	-- NULL: no escalation; 0: every supervisor of the site; else that user
	escalate_to INTEGER,
	updated_at INTEGER NOT NULL,
	UNIQUE (site_id, type, priority)
);

-- the breach timer's two scans: each partial index holds only tickets whose clock still runs
CREATE INDEX tickets_sla_first ON tickets(sla_first_due)
	WHERE status IN ('new', 'open', 'pending') AND first_response_at = 0 AND sla_breached & 1 = 0 AND sla_first_due > 0;
CREATE INDEX tickets_sla_resolve ON tickets(sla_resolve_due)
	WHERE status IN ('new', 'open', 'pending') AND sla_breached & 2 = 0 AND sla_resolve_due > 0;
-- the report reads a site's tickets by creation time
CREATE INDEX tickets_site_created ON tickets(site_id, created_at);

-- a visit (a call back) to the customer after a complaint or repair closed
CREATE TABLE followups (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
	assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	due_at INTEGER NOT NULL,
	done_at INTEGER NOT NULL DEFAULT 0,
	outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'reached', 'not_reached', 'satisfied', 'unsatisfied')),
	note TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX followups_assignee ON followups(assignee_id, done_at, due_at);
CREATE INDEX followups_due ON followups(done_at, due_at);
CREATE UNIQUE INDEX followups_ticket ON followups(ticket_id);
