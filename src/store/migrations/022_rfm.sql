-- 022_rfm: the results of the RFM/tier recompute (issue 6; src/crm/rfm_run.c). One row per
-- customer holds the latest scores, so the CRM page's charts and the segment export read them
-- without recomputing; a tier change appends to customer_tier_history. rfm_settings holds a
-- site's config and tier rules as JSON (absent = the defaults of src/crm/rfm.c).
CREATE TABLE customer_rfm (
  customer_id  INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  site_id      INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  r            INTEGER NOT NULL,
  f            INTEGER NOT NULL,
  m            INTEGER NOT NULL,
  segment      INTEGER NOT NULL,             -- enum rfm_segment, 0 = no orders in the window
  tier         INTEGER NOT NULL,             -- enum rfm_tier, 1 = key ... 4 = registered
  orders       INTEGER NOT NULL DEFAULT 0,   -- purchases in the window
  spent_cents  INTEGER NOT NULL DEFAULT 0,
  days_since   INTEGER NOT NULL DEFAULT -1,  -- -1 = never ordered
  computed_at  INTEGER NOT NULL
);
CREATE INDEX customer_rfm_site ON customer_rfm(site_id, tier, segment);

CREATE TABLE customer_tier_history (
  id           INTEGER PRIMARY KEY,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  from_tier    INTEGER NOT NULL,
  to_tier      INTEGER NOT NULL,
  at           INTEGER NOT NULL
);
CREATE INDEX customer_tier_history_customer ON customer_tier_history(customer_id, id);

CREATE TABLE rfm_settings (
  site_id  INTEGER PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  config   TEXT NOT NULL,   -- JSON object, see docs/crm.md "Recomputing RFM and tiers"
  rules    TEXT NOT NULL    -- JSON array of tier rules (rfm_rules_parse)
);
