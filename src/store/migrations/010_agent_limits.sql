-- 010_agent_limits: how many chats an agent may hold at once.
ALTER TABLE users ADD COLUMN max_chats INTEGER NOT NULL DEFAULT 5;
