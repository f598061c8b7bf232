/* search/search.h - Chinese-first text search: the application normalises and tokenizes,
 * the store indexes the tokens (STACK.md "Search"), so SQLite FTS5 now and PostgreSQL
 * later see the same strings.
 *
 * Normalising is NFKC case-folding then Traditional -> Simplified per character (a table
 * built once from ICU's Hant-Hans transliterator), so 退貨 finds 退货. Tokens: each run of
 * Han characters gives its overlapping bigrams (a lone character stays a unigram) and every
 * Han character also goes into the `uni` column; Latin letters and digits give lowercased
 * words. Output strings are space-separated tokens. */
#ifndef KF_SEARCH_SEARCH_H
#define KF_SEARCH_SEARCH_H
#include <stddef.h>

struct buf;

/* Builds the Traditional -> Simplified table; call once at start. 0 or KF_EIO. */
int search_init(void);
/* Tokens of text: bigrams and words into bi, single Han characters into uni. */
int search_tokens(const char *text, struct buf *bi, struct buf *uni);
/* An FTS5 MATCH expression for a user's query over columns bi and uni. or_mode ORs the
 * terms and drops question words (怎么, 如何, 什么, 吗, …) — the fallback when AND finds
 * too little. Empty when the query has nothing to search for. */
int search_query(const char *q, int or_mode, struct buf *match);

/* The knowledge base's flavour (kb/search.c), kept apart so the chat search keeps its
 * meaning. Documents: as search_tokens, and Latin words also lose their accents (café ->
 * cafe) and are stemmed by a small suffix stripper (refunds, refunded, refunding -> refund;
 * plural s/es/ies, -ed, -ing, -ly, a final e, y -> i, a doubled final consonant). */
int search_tokens_kb(const char *text, struct buf *bi, struct buf *uni);
/* A MATCH expression over a kb index whose token columns hold search_tokens_kb output and
 * whose `uni` column holds the single characters. Chinese question words (怎么, 请问, 吗, 的,
 * …) and English stop words (how, do, I, my, …) are dropped in both modes. AND: each Han
 * piece is a phrase of its bigrams, words are prefixes. or_mode: every bigram, character and
 * word is its own OR-ed term. Empty when nothing is left to search for. */
int search_query_kb(const char *q, int or_mode, struct buf *match);
/* The query's terms as plain space-separated tokens (what or_mode would OR, unquoted):
 * for measuring how much of a query a matched question covers. */
int search_terms_kb(const char *q, struct buf *terms);

#endif
