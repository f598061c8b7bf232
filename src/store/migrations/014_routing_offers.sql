-- 014_routing_offers: counting an agent's pending offers (every routing decision, per candidate)
-- reads this small index instead of every waiting chat.
CREATE INDEX conversations_offered ON conversations(offered_to) WHERE offered_to IS NOT NULL;
