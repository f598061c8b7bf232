-- 008_conv_summary: the inbox summary kept on the conversation row, so a message costs one
-- row update instead of counting messages for every inbox refresh.
ALTER TABLE conversations ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;      -- visitor messages after agent_read_seq
ALTER TABLE conversations ADD COLUMN last_text TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN last_from TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN last_at INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET
  unread = (SELECT count(*) FROM messages m WHERE m.conversation_id = conversations.id
            AND m.sender = 'visitor' AND m.seq > conversations.agent_read_seq),
  last_text = coalesce((SELECT substr(body, 1, 200) FROM messages m WHERE m.conversation_id = conversations.id
            AND m.kind <> 'note' ORDER BY seq DESC LIMIT 1), ''),
  last_from = coalesce((SELECT sender FROM messages m WHERE m.conversation_id = conversations.id
            AND m.kind <> 'note' ORDER BY seq DESC LIMIT 1), ''),
  last_at = coalesce((SELECT created_at FROM messages m WHERE m.conversation_id = conversations.id
            AND m.kind <> 'note' ORDER BY seq DESC LIMIT 1), 0);
