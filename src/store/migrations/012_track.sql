-- 012_track: visitor tracking (docs/tracking.md). Raw page views are kept for [track]
-- pageview_days and then pruned; the daily rollups stay, so a year of statistics reads a few
-- thousand rows. Days are UTC day numbers (days since 1970-01-01).
ALTER TABLE sites ADD COLUMN tracking INTEGER NOT NULL DEFAULT 1;   -- the per-site switch

-- What the visit logic needs to know about a visitor across restarts.
CREATE TABLE track_visitors (
	visitor_id INTEGER PRIMARY KEY REFERENCES visitors(id) ON DELETE CASCADE,
	site_id INTEGER NOT NULL,
	first_at INTEGER NOT NULL,           -- unix ms of the first page view
	last_at INTEGER NOT NULL,            -- unix ms of the latest page view
	visits INTEGER NOT NULL DEFAULT 1,   -- a visit ends after 30 minutes without a report
	views INTEGER NOT NULL DEFAULT 0,
	country TEXT NOT NULL DEFAULT '',    -- ISO code from the GeoIP file, '' without one
	city TEXT NOT NULL DEFAULT '',
	browser TEXT NOT NULL DEFAULT '',
	screen TEXT NOT NULL DEFAULT ''
);

-- One row per page view, for the visitor's trail; seconds grows with the heartbeats.
CREATE TABLE track_pageviews (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL,
	visitor_id INTEGER NOT NULL,
	at INTEGER NOT NULL,                 -- unix ms
	url TEXT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	referrer TEXT NOT NULL DEFAULT '',
	utm_source TEXT NOT NULL DEFAULT '',
	utm_medium TEXT NOT NULL DEFAULT '',
	utm_campaign TEXT NOT NULL DEFAULT '',
	seconds INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX track_pageviews_visitor ON track_pageviews(visitor_id, id);
CREATE INDEX track_pageviews_at ON track_pageviews(at);

-- Per site and UTC day, kept up to date as the events are written.
CREATE TABLE track_daily (
	site_id INTEGER NOT NULL,
	day INTEGER NOT NULL,
	visitors INTEGER NOT NULL DEFAULT 0,       -- distinct visitors with a page view that day
	new_visitors INTEGER NOT NULL DEFAULT 0,   -- of those, first seen that day
	visits INTEGER NOT NULL DEFAULT 0,
	pageviews INTEGER NOT NULL DEFAULT 0,
	seconds INTEGER NOT NULL DEFAULT 0,        -- time on page reported that day
	PRIMARY KEY (site_id, day)
) WITHOUT ROWID;

-- Top pages, referring hosts and UTM campaigns per day. Finished days are compacted to their
-- top keys plus one '(other)' row, which bounds a year's rows.
CREATE TABLE track_daily_top (
	site_id INTEGER NOT NULL,
	day INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('page', 'referrer', 'campaign')),
	key TEXT NOT NULL,
	label TEXT NOT NULL DEFAULT '',            -- page title; campaign "source / medium"
	n INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (site_id, day, kind, key)
) WITHOUT ROWID;
