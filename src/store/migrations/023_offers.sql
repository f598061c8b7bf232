-- 023_offers: coupons and exclusive offers (issue 6; src/crm/offers.c). An offer targets tiers,
-- segments and member levels (targets JSON, empty = every identified customer); a redemption
-- is a row in offer_redemptions, and the limits are counts of those rows, checked inside the
-- INSERT that records one, so two agents redeeming at once cannot pass a limit.
-- points_rules.agents_award lets agents award points (a positive 'adjust').
CREATE TABLE offers (
  id                  INTEGER PRIMARY KEY,
  site_id             INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  kind                TEXT NOT NULL CHECK (kind IN ('coupon', 'offer')),
  title               TEXT NOT NULL,
  body                TEXT NOT NULL DEFAULT '',     -- plain text
  code                TEXT NOT NULL DEFAULT '',     -- the coupon code; may be empty for an offer
  discount            TEXT NOT NULL DEFAULT '',     -- "9折", "¥20 off": shown, not computed
  targets             TEXT NOT NULL DEFAULT '{}',   -- {"tiers":[keys],"segments":[keys],"levels":[ids]}
  starts_at           INTEGER NOT NULL DEFAULT 0,   -- 0 = from now on
  ends_at             INTEGER NOT NULL DEFAULT 0,   -- 0 = no end; else valid while now < ends_at
  per_customer_limit  INTEGER NOT NULL DEFAULT 0,   -- 0 = unlimited
  total_limit         INTEGER NOT NULL DEFAULT 0,   -- 0 = unlimited
  active              INTEGER NOT NULL DEFAULT 1,
  created_by          INTEGER,                      -- the user; NULL for an API key
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
);
CREATE INDEX offers_site ON offers(site_id, id);

CREATE TABLE offer_redemptions (
  id            INTEGER PRIMARY KEY,
  offer_id      INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
  customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  order_number  TEXT NOT NULL DEFAULT '',
  user_id       INTEGER,                            -- the agent who recorded it
  api_key_id    INTEGER,                            -- or the API key
  note          TEXT NOT NULL DEFAULT '',
  at            INTEGER NOT NULL
);
CREATE INDEX offer_redemptions_offer ON offer_redemptions(offer_id, customer_id);
CREATE INDEX offer_redemptions_customer ON offer_redemptions(customer_id, id);

ALTER TABLE points_rules ADD COLUMN agents_award INTEGER NOT NULL DEFAULT 0;
