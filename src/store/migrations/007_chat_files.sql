-- 007_chat_files: files sent in chats, stored once by content hash under DATA/files.
CREATE TABLE chat_files (
  id              INTEGER PRIMARY KEY,
  sha256          TEXT NOT NULL,                 -- DATA/files/<first 2>/<rest>
  name            TEXT NOT NULL,
  content_type    TEXT NOT NULL,
  size            INTEGER NOT NULL,
  site_id         INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  uploader        TEXT NOT NULL CHECK (uploader IN ('visitor', 'agent')),
  uploader_id     INTEGER NOT NULL,
  created_at      INTEGER NOT NULL
);
ALTER TABLE messages ADD COLUMN file_id INTEGER REFERENCES chat_files(id);
ALTER TABLE sites ADD COLUMN max_file_bytes INTEGER NOT NULL DEFAULT 10485760;
ALTER TABLE sites ADD COLUMN file_types TEXT NOT NULL DEFAULT 'image/ application/pdf text/plain application/zip';
