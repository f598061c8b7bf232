-- 021_loyalty: loyalty points and member levels (issue 6). A balance is never stored: it is
-- the sum of an append-only ledger. UNIQUE(order_id, reason) is what makes awards idempotent:
-- an order earns once ('order_delivered'), is reversed once ('order_returned') and expires
-- once ('expire'), however often the shop retries its push.
CREATE TABLE points_rules (
  site_id          INTEGER PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  points_per_unit  INTEGER NOT NULL DEFAULT 1,      -- points earned per unit_cents spent
  unit_cents       INTEGER NOT NULL DEFAULT 100,    -- 100: points per ¥1
  multipliers      TEXT NOT NULL DEFAULT '{}',      -- JSON {"category": percent}, 200 = double
  expiry_days      INTEGER NOT NULL DEFAULT 0,      -- 0 = points never expire
  agents_spend     INTEGER NOT NULL DEFAULT 0       -- 1: agents may spend, else supervisors
);

CREATE TABLE points_ledger (
  id           INTEGER PRIMARY KEY,
  site_id      INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  delta        INTEGER NOT NULL,
  reason       TEXT NOT NULL CHECK (reason IN ('order_delivered', 'order_returned', 'spend', 'adjust', 'expire')),
  order_id     INTEGER,                              -- no FK: the ledger outlives a deleted order
  user_id      INTEGER,                              -- the agent who spent or adjusted
  note         TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER                               -- awards only, when the site's rules expire points
);
CREATE UNIQUE INDEX points_ledger_order ON points_ledger(order_id, reason) WHERE order_id IS NOT NULL;
CREATE INDEX points_ledger_customer ON points_ledger(customer_id, id);
CREATE INDEX points_ledger_expiry ON points_ledger(expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE member_levels (
  id               INTEGER PRIMARY KEY,
  site_id          INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  min_spend_cents  INTEGER NOT NULL DEFAULT 0,
  min_points       INTEGER NOT NULL DEFAULT 0,
  period_days      INTEGER NOT NULL DEFAULT 365,      -- 0 = all time
  benefits         TEXT NOT NULL DEFAULT '',
  position         INTEGER NOT NULL                   -- 0 lowest
);
CREATE INDEX member_levels_site ON member_levels(site_id, position);

-- Level names are copied: a site may redefine its levels, the history still reads.
CREATE TABLE customer_levels_history (
  id             INTEGER PRIMARY KEY,
  customer_id    INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  level_id       INTEGER,                             -- NULL: no level
  level_name     TEXT NOT NULL DEFAULT '',
  from_level_id  INTEGER,
  from_name      TEXT NOT NULL DEFAULT '',
  at             INTEGER NOT NULL
);
CREATE INDEX customer_levels_history_customer ON customer_levels_history(customer_id, id);
