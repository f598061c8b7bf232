-- 020_crm: the CRM's foundation (issue 6): customers of a site, the visitors (devices) a
-- customer was identified on, and the shop's orders with their items. Money is integer cents,
-- so totals never round. An order's raw_hash is the hash of its canonical JSON: an upsert with
-- the same content is recognised as a retry and writes nothing (idempotent API).
CREATE TABLE customers (
  id              INTEGER PRIMARY KEY,
  site_id         INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  external_id     TEXT,                          -- the shop's customer id; NULL when unknown
  name            TEXT NOT NULL DEFAULT '',
  emails          TEXT NOT NULL DEFAULT '[]',    -- JSON array of strings (lowercased)
  phones          TEXT NOT NULL DEFAULT '[]',    -- JSON array of strings
  addresses       TEXT NOT NULL DEFAULT '[]',    -- JSON array of objects
  birthday        TEXT NOT NULL DEFAULT '',      -- YYYY-MM-DD or ''
  lang            TEXT NOT NULL DEFAULT '',
  tags            TEXT NOT NULL DEFAULT '',      -- space-separated
  notes           TEXT NOT NULL DEFAULT '',
  consent         INTEGER NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),
  consent_at      INTEGER NOT NULL DEFAULT 0,
  consent_source  TEXT NOT NULL DEFAULT '',
  custom          TEXT NOT NULL DEFAULT '{}',    -- JSON object
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  UNIQUE (site_id, external_id)
);
CREATE INDEX customers_site ON customers(site_id, updated_at);

-- One customer, many visitors; a visitor belongs to one customer. active is 1 while the
-- visitor's latest hello carried a valid signature: a shared browser whose shop session
-- ended no longer shows that customer's orders.
CREATE TABLE customer_visitors (
  visitor_id   INTEGER PRIMARY KEY REFERENCES visitors(id) ON DELETE CASCADE,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  active       INTEGER NOT NULL DEFAULT 1,
  linked_at    INTEGER NOT NULL
);
CREATE INDEX customer_visitors_customer ON customer_visitors(customer_id);

CREATE TABLE orders (
  id           INTEGER PRIMARY KEY,
  site_id      INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  number       TEXT NOT NULL,                    -- the shop's order number
  customer_id  INTEGER REFERENCES customers(id) ON DELETE SET NULL,
  email        TEXT NOT NULL DEFAULT '',         -- lowercased
  phone        TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL CHECK (status IN ('paid', 'shipped', 'delivered', 'cancelled', 'returned')),
  currency     TEXT NOT NULL,
  total_cents  INTEGER NOT NULL,
  carrier      TEXT NOT NULL DEFAULT '',
  tracking     TEXT NOT NULL DEFAULT '',
  placed_at    INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  raw_hash     TEXT NOT NULL,
  UNIQUE (site_id, number)
);
CREATE INDEX orders_customer ON orders(customer_id, placed_at);

CREATE TABLE order_items (
  id           INTEGER PRIMARY KEY,
  order_id     INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  sku          TEXT NOT NULL DEFAULT '',
  name         TEXT NOT NULL,
  category     TEXT NOT NULL DEFAULT '',
  quantity     INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
  price_cents  INTEGER NOT NULL CHECK (price_cents >= 0)
);
CREATE INDEX order_items_order ON order_items(order_id);
