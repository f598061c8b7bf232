-- 009_hours_retention: business hours (JSON with a time zone), how long closed
-- conversations are kept, the pre-chat form, and visitors' phone numbers.
ALTER TABLE sites ADD COLUMN business_hours TEXT NOT NULL DEFAULT '';   -- '' = always open
ALTER TABLE sites ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 0; -- 0 = keep forever
ALTER TABLE sites ADD COLUMN prechat TEXT NOT NULL DEFAULT '';          -- JSON, '' = off
ALTER TABLE visitors ADD COLUMN phone TEXT NOT NULL DEFAULT '';
CREATE INDEX conversations_closed ON conversations(site_id, closed_at) WHERE status = 'closed';
