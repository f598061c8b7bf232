-- 015_track_lastview: each visitor's latest page view, apart from their latest report.
-- track_visitors.last_at moves with heartbeats and leaves as well (a visit ends 30 minutes after
-- the latest report of any kind), so it cannot say whether a visitor was already counted on a
-- UTC day: a page view at 23:50, heartbeats past midnight and a return later that day would
-- miss the new day's visitors. The day counting reads last_view_at instead (docs/tracking.md).
ALTER TABLE track_visitors ADD COLUMN last_view_at INTEGER NOT NULL DEFAULT 0;   -- unix ms

-- Known visitors: their newest page view still kept (the trail's index finds it), else last_at,
-- which is at most a visit's heartbeats past it.
UPDATE track_visitors SET last_view_at = coalesce((SELECT at FROM track_pageviews p
	WHERE p.visitor_id = track_visitors.visitor_id ORDER BY p.id DESC LIMIT 1), last_at);
