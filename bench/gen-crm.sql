-- bench/gen-crm.sql - fills a Kefu database (already migrated by `kefu migrate`, with the site
-- made by `kefu site add`) with n customers and m orders with 1 to 3 items each, straight in
-- SQL: the HTTP API or `kefu import` would take hours for 10M orders. bench/crm-scale.sh runs it
-- after creating the temporary table p(n, m, site, now):
--   sqlite3 kefu.db "CREATE TEMP TABLE p AS SELECT 100000 n, 1000000 m, 1 site, <unix now> now" \
--     ".read bench/gen-crm.sql"
-- Deterministic for a given p (no random()): multiplicative hashes of the row number give the
-- "random" numbers. The shape, so the recompute sees what a shop has:
--   * 20% of the customers never ordered (ids above 0.8 n);
--   * orders go to the others skewed (customer = 1 + floor(0.8 n * u^2): the first customers
--     order most, the last about m / (1.6 n) times);
--   * one customer in ten has lapsed: all their orders are 1 to 2 years old, so with the
--     never-ordered ones ~30% have no purchase in the default 365-day window;
--   * orders spread over the 2 years before now; 80% delivered, 5% shipped, 3% paid, 7%
--     cancelled, 5% returned; totals from 10.00 to 1000.00 skewed low.
-- No journal while filling (a failed run is thrown away); WAL again at the end, as kefu keeps it.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
BEGIN;

INSERT INTO customers (site_id, external_id, name, emails, created_at, updated_at)
WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < (SELECT n FROM p))
SELECT p.site, 'c' || x, 'Customer ' || x, '["c' || x || '@example.com"]', p.now - 63072000, p.now
FROM i, p;

-- u1 picks the customer, u2 the date, u3 the total, u4 the status (all in [0, 1)).
CREATE TEMP TABLE gen_first AS SELECT min(id) - 1 AS base FROM customers WHERE site_id = (SELECT site FROM p);
INSERT INTO orders (site_id, number, customer_id, email, status, currency, total_cents, placed_at, updated_at,
                    raw_hash)
WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < (SELECT m FROM p)),
u(x, u1, u2, u3, u4) AS (
  SELECT x, ((x * 2654435761) % 4294967291) / 4294967291.0, ((x * 2246822519 + 7) % 4294967279) / 4294967279.0,
         ((x * 3266489917 + 13) % 4294967231) / 4294967231.0, ((x * 668265263 + 17) % 4294967197) / 4294967197.0
  FROM i),
o(x, cust, u2, u3, u4) AS (
  SELECT x, 1 + CAST((SELECT n FROM p) * 0.8 * u1 * u1 AS INTEGER), u2, u3, u4 FROM u)
SELECT p.site, printf('B%010d', x), gen_first.base + cust, 'c' || cust || '@example.com',
       CASE WHEN u4 < 0.80 THEN 'delivered' WHEN u4 < 0.85 THEN 'shipped' WHEN u4 < 0.88 THEN 'paid'
            WHEN u4 < 0.95 THEN 'cancelled' ELSE 'returned' END,
       'CNY', 1000 + CAST(99000 * u3 * u3 AS INTEGER),
       p.now - CASE WHEN cust % 10 = 0 THEN 31536000 + CAST(31536000 * u2 AS INTEGER)
                    ELSE CAST(63072000 * u2 AS INTEGER) END,
       p.now, printf('%064x', x * 2654435761)
FROM o, p, gen_first;

INSERT INTO order_items (order_id, sku, name, category, quantity, price_cents)
SELECT o.id, 'SKU-' || (o.id * 7 + k.k) % 5000, 'Item ' || (o.id * 7 + k.k) % 5000,
       CASE (o.id + k.k) % 4 WHEN 0 THEN 'apparel' WHEN 1 THEN 'home' WHEN 2 THEN 'beauty' ELSE 'food' END,
       1, o.total_cents / (1 + o.id % 3)
FROM orders o, (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) k
WHERE o.site_id = (SELECT site FROM p) AND k.k <= 1 + o.id % 3;

COMMIT;
PRAGMA journal_mode = WAL;
