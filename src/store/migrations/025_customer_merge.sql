-- 025_customer_merge: merging two customers with undo, and links a person confirmed
-- (issue 6). A merged customer is kept (merged_into names the survivor) so an undo can bring
-- it back and the shop's external id still finds the survivor; lists and look-ups skip it.
-- customer_merges.undo holds what an undo needs: the ids of the rows moved per table, the
-- ledger transfer entries written, and the survivor's profile before the merge (JSON).
ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers(id) ON DELETE SET NULL;

CREATE TABLE customer_merges (
  id          INTEGER PRIMARY KEY,
  site_id     INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  into_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  from_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  user_id     INTEGER,                  -- who merged
  created_at  INTEGER NOT NULL,
  undo        TEXT NOT NULL,            -- JSON, see src/crm/merge.c
  undone_at   INTEGER,                  -- NULL while the merge stands
  undone_by   INTEGER
);
CREATE INDEX customer_merges_into ON customer_merges(into_id, id);
CREATE INDEX customer_merges_from ON customer_merges(from_id, id);

-- How a visitor came to be linked: 'signed' (the shop's signed claim in hello, the default),
-- or an agent's confirmation that the e-mail ('agent_email') or phone ('agent_phone') the
-- visitor left is this customer's, or that a new customer was made from it ('agent_create').
-- Only 'signed' links are switched off by a hello without a valid claim, and only they let
-- the widget list the customer's orders: an agent's confirmation serves the agents' view.
ALTER TABLE customer_visitors ADD COLUMN source TEXT NOT NULL DEFAULT 'signed';
ALTER TABLE customer_visitors ADD COLUMN confirmed_by INTEGER;
ALTER TABLE customer_visitors ADD COLUMN confirmed_at INTEGER;
