-- 027: tickets (issue 7). One ticket per customer request from any channel, carried to the end:
-- a thread of public replies and internal notes with attachments, a history of every change,
-- linked orders, SLA due times, the after-sales workflow state and the satisfaction answer.
-- A ticket's number is its id (#1001); e-mail subjects carry it as [#1001].
CREATE TABLE tickets (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	subject TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('chat', 'email', 'form', 'api', 'web')),
	type TEXT NOT NULL DEFAULT 'question' CHECK (type IN ('question', 'complaint', 'return', 'repair', 'other')),
	priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	-- pending = waiting on the customer
	status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
	assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL,
	customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
	-- 1 only when the link is proven (a shop-signed visitor, an order proof, an agent or API key
	-- naming the customer); a typed e-mail alone links the ticket unverified: agents see a mark and
	-- the customer's widget (/tickets/mine) does not list it
	customer_verified INTEGER NOT NULL DEFAULT 0,
	requester_name TEXT NOT NULL DEFAULT '',
	requester_email TEXT NOT NULL DEFAULT '',      -- lowercased; where public replies go
	requester_phone TEXT NOT NULL DEFAULT '',
	tags TEXT NOT NULL DEFAULT '',                 -- space-separated words, as customers.tags
	conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,   -- the chat it came from
	form_id INTEGER,                               -- the online form it came from (forms, later)
	-- after-sales workflow (returns, repairs, complaints): its step and its facts (JSON)
	workflow_state TEXT NOT NULL DEFAULT '',
	workflow TEXT NOT NULL DEFAULT '{}',
	-- the status-page token is not stored: it is an HMAC of (id, token_gen) under a key derived
	-- from DATA/secret.key (ticket_status_token); bumping token_gen would revoke the old link
	token_gen INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,                   -- unix s
	updated_at INTEGER NOT NULL,
	first_response_at INTEGER NOT NULL DEFAULT 0,  -- the first public agent reply; 0 = none yet
	resolved_at INTEGER NOT NULL DEFAULT 0,
	closed_at INTEGER NOT NULL DEFAULT 0,
	sla_first_due INTEGER NOT NULL DEFAULT 0,      -- 0 = no SLA
	sla_resolve_due INTEGER NOT NULL DEFAULT 0,
	sla_breached INTEGER NOT NULL DEFAULT 0,       -- bit 1: first response, bit 2: resolution
	escalated_at INTEGER NOT NULL DEFAULT 0,
	csat_rating INTEGER NOT NULL DEFAULT 0,        -- 1..5; 0 = not answered
	csat_comment TEXT NOT NULL DEFAULT '',
	csat_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_site_status ON tickets(site_id, status, updated_at);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status, updated_at);
CREATE INDEX tickets_department ON tickets(department_id, status, updated_at);
CREATE INDEX tickets_customer ON tickets(customer_id, created_at);
CREATE INDEX tickets_sla ON tickets(sla_resolve_due) WHERE status IN ('new', 'open', 'pending') AND sla_resolve_due > 0;

CREATE TABLE ticket_messages (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
	site_id INTEGER NOT NULL,                      -- the ticket's: a Message-ID is unique per site
	kind TEXT NOT NULL CHECK (kind IN ('public', 'note', 'system')),
	author_kind TEXT NOT NULL CHECK (author_kind IN ('agent', 'customer', 'system')),
	user_id INTEGER NOT NULL DEFAULT 0,            -- the agent; 0 otherwise
	author_name TEXT NOT NULL DEFAULT '',
	author_email TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,                            -- plain text (an HTML mail's safe text view)
	message_id TEXT,                               -- RFC 5322 Message-ID without <>, in or out
	created_at INTEGER NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, id);
-- an inbound mail delivered twice (IMAP and a pipe, a retried poll) files once per site: the same
-- mail sent to two shops' mailboxes files for each
CREATE UNIQUE INDEX ticket_messages_msgid ON ticket_messages(site_id, message_id) WHERE message_id IS NOT NULL;

CREATE TABLE ticket_attachments (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
	message_id INTEGER REFERENCES ticket_messages(id) ON DELETE CASCADE,
	sha256 TEXT NOT NULL,                          -- DATA/files/<first 2>/<rest>, as chat_files
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments(ticket_id, id);

-- every change: who (user or actor), what field, from what to what, when
CREATE TABLE ticket_events (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
	actor TEXT NOT NULL CHECK (actor IN ('agent', 'customer', 'system', 'api')),
	user_id INTEGER NOT NULL DEFAULT 0,
	field TEXT NOT NULL,                           -- status, priority, assignee, type, tags, workflow, ...
	old TEXT NOT NULL DEFAULT '',
	new TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);

CREATE TABLE ticket_orders (
	ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
	order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
	PRIMARY KEY (ticket_id, order_id)
);

-- the search index of subjects and messages; tokens written by the application (search/search.h)
CREATE VIRTUAL TABLE ticket_fts USING fts5(bi, uni, tokenize = 'unicode61 remove_diacritics 0');

-- per-department mailboxes: where mail comes in (IMAP) and goes out (SMTP)
CREATE TABLE mailboxes (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL,
	address TEXT NOT NULL,                         -- the shop's address customers write to
	name TEXT NOT NULL DEFAULT '',                 -- the From display name
	imap_url TEXT NOT NULL DEFAULT '',             -- imap://host:port/INBOX or imaps://...
	imap_user TEXT NOT NULL DEFAULT '',
	imap_password TEXT NOT NULL DEFAULT '',
	smtp_url TEXT NOT NULL DEFAULT '',             -- smtp://host:port or smtps://...; '' = the site's SMTP settings
	smtp_user TEXT NOT NULL DEFAULT '',
	smtp_password TEXT NOT NULL DEFAULT '',
	smtp_tls TEXT NOT NULL DEFAULT 'off' CHECK (smtp_tls IN ('off', 'starttls', 'on')),
	poll_seconds INTEGER NOT NULL DEFAULT 60,
	last_uid INTEGER NOT NULL DEFAULT 0,           -- the highest IMAP UID already filed
	uid_validity INTEGER NOT NULL DEFAULT 0,
	enabled INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	UNIQUE (site_id, address)
);

-- outbound mail, queued: sent at most once (message_id unique; sent_at set in the same
-- transaction that records success), retried with backoff on failure
CREATE TABLE mail_outbox (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
	mailbox_id INTEGER REFERENCES mailboxes(id) ON DELETE SET NULL,
	to_addr TEXT NOT NULL,
	message_id TEXT NOT NULL UNIQUE,
	raw TEXT NOT NULL,                             -- the complete MIME message, CRLF
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at INTEGER NOT NULL,                      -- when to try next
	sent_at INTEGER NOT NULL DEFAULT 0,
	claimed_at INTEGER NOT NULL DEFAULT 0,         -- a sender holds it (nonzero); a crash leaves it "stuck"
	last_error TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_at) WHERE sent_at = 0 AND claimed_at = 0;

-- inbound mail that could not be filed (too big, unparsable): kept for the admin, never retried forever
CREATE TABLE mail_rejects (
	id INTEGER PRIMARY KEY,
	mailbox_id INTEGER,
	message_id TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL,
	size INTEGER NOT NULL DEFAULT 0,
	at INTEGER NOT NULL
);
