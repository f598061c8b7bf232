-- 024_message_card: a message may carry a structured card (issue 6: an order an agent sends
-- into the chat). `card` is the card's JSON object as text, NULL for ordinary messages; the
-- message's body keeps a plain-text fallback, so transcripts, search and old clients still read.
ALTER TABLE messages ADD COLUMN card TEXT;
