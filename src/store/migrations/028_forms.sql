-- 028_forms: online forms (在线表单, issue 7; src/ticket/forms.c). A form is a list of field
-- definitions shown at /f/<id> (and in the widget); each accepted submission becomes a ticket
-- of the form's type for its department (tickets.form_id points back here). The counters say
-- how much a form is used and how much spam its honeypot and time check turned away.
CREATE TABLE forms (
  id               INTEGER PRIMARY KEY,
  site_id          INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  ticket_type      TEXT NOT NULL DEFAULT 'question'
                   CHECK (ticket_type IN ('question', 'complaint', 'return', 'repair', 'other')),
  department_id    INTEGER REFERENCES departments(id) ON DELETE SET NULL,
  -- [{"key","label","type","required","options","max_length"}], checked by forms.c
  fields           TEXT NOT NULL DEFAULT '[]',
  title            TEXT NOT NULL DEFAULT '',      -- the page's heading ('' = name)
  intro            TEXT NOT NULL DEFAULT '',      -- plain text above the fields
  success_message  TEXT NOT NULL DEFAULT '',      -- plain text shown after a submission
  active           INTEGER NOT NULL DEFAULT 1,
  submissions      INTEGER NOT NULL DEFAULT 0,    -- tickets made
  spam             INTEGER NOT NULL DEFAULT 0,    -- honeypot filled, or submitted too fast / too late
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX forms_site ON forms(site_id, id);
