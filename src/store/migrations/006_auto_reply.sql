-- 006_auto_reply: the "we'll be with you shortly" reply sent while a visitor waits.
ALTER TABLE sites ADD COLUMN auto_reply TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN auto_reply_delay INTEGER NOT NULL DEFAULT 30;   -- seconds
