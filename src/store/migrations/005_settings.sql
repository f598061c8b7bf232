-- 005_settings: small named settings the admin changes at run time (SMTP, ...), as JSON.
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
