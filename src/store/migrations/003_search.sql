-- 003_search: full-text index of chat messages. The application writes the tokens
-- (search/search.h), so the index needs no Chinese tokenizer of its own.
CREATE VIRTUAL TABLE msg_fts USING fts5(bi, uni, tokenize = 'unicode61 remove_diacritics 0');
