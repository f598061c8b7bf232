/* kb/search.c - one search for the help centre, the widget, the agents and the bot, over the
 * site's published articles; the index that feeds it; the editor's report of what people
 * searched for and did not find; and their HTTP routes.
 *
 * Tokens come from search/search.h (search_tokens_kb: Chinese bigrams, Traditional folded to
 * Simplified, English case- and accent-folded and stemmed), so the index needs no tokenizer of
 * its own. Ranking: FTS5 bm25 with the question (and its other phrasings) weighted up, answer
 * next, tags and single characters least; then a little popularity. The query is an AND of its
 * pieces first; when that finds fewer than 3, an OR of every bigram and word (STACK.md).
 *
 * Confidence (kb_hit.confidence, 0..1, what the bot thresholds) is lexical and so comparable
 * across queries: the query's terms (search_terms_kb: bigrams, lone characters, stemmed words,
 * question and stop words dropped) against the terms of each question line of the article (the
 * question and each alternative); per line the Dice overlap 2|Q∩L| / (|Q| + |L|), where a lone
 * character counts when a line's bigram holds it and a word when it is a prefix of a line's word
 * (as typed); the article's confidence is its best line's. 1 is "the same question", 0 "no
 * question line shares a term" (the hit came from the answer or tags). */
#include "kb/kb.h"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat_int.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "search/search.h"
#include "store/store.h"
#include "store/store_kb_search.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KB_QUERY_MAX 256          /* bytes of a query that are searched */
#define KB_CAND_MAX 40            /* candidates read from the index before re-ranking */
#define KB_AND_MIN 3              /* fewer AND hits than this: the OR fallback */
#define KB_HITS_MAX 20            /* per request */
#define KB_POP_WEIGHT 0.005       /* rank per doubling of (views + 5 helpful): a tie-breaker */
#define KB_SEARCHES_PER_MIN 120   /* public searches per IP (search as you type sends many) */
#define KB_SNIPPET_BYTES 220

/* bm25 column weights: q (question + alternatives), a (answer), t (tags), uni (characters) */
static const double W_Q = 10, W_A = 1, W_T = 0.5, W_UNI = 0.2;

/* ---- Markdown to plain text (what the index and the snippets read) ---- */

/* Drops the markup a reader does not see: link targets, images' URLs, emphasis and heading
 * marks, code ticks, table bars; keeps the words. Not a Markdown parser: good enough for
 * tokens and a snippet, never shown as HTML. */
static void md_plain(const char *md, struct buf *out)
{
	int space = 1;
	for (const char *p = md; *p; p++) {
		char c = *p;
		if (c == ']' && p[1] == '(') {      /* [text](url): skip the (url) */
			const char *e = strchr(p + 2, ')');
			if (e) {
				p = e;
				continue;
			}
		}
		if (c == '<' && (strncmp(p + 1, "http", 4) == 0 || strncmp(p + 1, "mailto:", 7) == 0)) {
			const char *e = strchr(p, '>');
			if (e) {
				p = e;
				continue;
			}
		}
		if (strchr("*_`#>|[]!~", c) || c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			if (!space)
				buf_addc(out, ' ');
			space = 1;
			continue;
		}
		buf_addc(out, c);
		space = 0;
	}
	while (out->len && out->ptr[out->len - 1] == ' ')
		out->ptr[--out->len] = '\0';
}

/* ---- the index ---- */

struct idx {
	struct buf q, a, t, uni, tmp;
};

static void idx_init(struct idx *x)
{
	buf_init(&x->q, 0);
	buf_init(&x->a, 0);
	buf_init(&x->t, 0);
	buf_init(&x->uni, 0);
	buf_init(&x->tmp, 0);
}

static void idx_release(struct idx *x)
{
	buf_release(&x->q);
	buf_release(&x->a);
	buf_release(&x->t);
	buf_release(&x->uni);
	buf_release(&x->tmp);
}

/* One question line into q, lines separated by " | " (the tokenizer drops the bar). */
static void idx_line(struct idx *x, const char *line, size_t n)
{
	char *s = xmalloc(n + 1);
	memcpy(s, line, n);
	s[n] = '\0';
	buf_reset(&x->tmp);
	search_tokens_kb(s, &x->tmp, &x->uni);
	free(s);
	if (!x->tmp.len)
		return;
	if (x->q.len)
		buf_adds(&x->q, " | ");
	buf_add(&x->q, x->tmp.ptr, x->tmp.len);
}

static int idx_fill(void *ud, const struct store_kb_doc *d, struct store_kb_index_row *row)
{
	struct idx *x = ud;
	buf_reset(&x->q);
	buf_reset(&x->a);
	buf_reset(&x->t);
	buf_reset(&x->uni);
	idx_line(x, d->question, strlen(d->question));
	for (const char *p = d->alt_questions; *p;) {
		size_t n = strcspn(p, "\n");
		idx_line(x, p, n);
		p += n + (p[n] == '\n');
	}
	buf_reset(&x->tmp);
	md_plain(d->answer_md, &x->tmp);
	search_tokens_kb(x->tmp.ptr, &x->a, &x->uni);
	search_tokens_kb(d->tags, &x->t, &x->uni);
	*row = (struct store_kb_index_row){ d->id, x->q.ptr, x->a.ptr, x->t.ptr, x->uni.ptr };
	return x->q.err || x->a.err || x->t.err || x->uni.err ? KF_ENOMEM : 0;
}

struct one {
	struct app *a;
	int rc;
};

static int index_one(void *ud, const struct store_kb_doc *d)
{
	struct one *o = ud;
	if (!d->published) {
		o->rc = store_kb_index_del(o->a->st, d->id);
		return 0;
	}
	struct idx x;
	struct store_kb_index_row row;
	idx_init(&x);
	o->rc = idx_fill(&x, d, &row);
	if (!o->rc)
		o->rc = store_kb_index_put(o->a->st, &row);
	idx_release(&x);
	return 0;
}

int kb_index_article(struct app *a, int64_t article_id)
{
	struct one o = { a, 0 };
	int rc = store_kb_doc_get(a->st, article_id, index_one, &o);
	if (rc == KF_ENOTFOUND)
		return store_kb_index_del(a->st, article_id);
	return rc ? rc : o.rc;
}

int kb_unindex_article(struct app *a, int64_t article_id)
{
	return store_kb_index_del(a->st, article_id);
}

int kb_reindex_all(struct app *a)
{
	struct idx x;
	size_t n = 0;
	idx_init(&x);
	uint64_t t0 = (uint64_t)time_now_ms();
	int rc = store_kb_index_rebuild(a->st, idx_fill, &x, &n);
	idx_release(&x);
	if (rc)
		log_error("kb: reindex failed: %d", rc);
	else
		log_info("kb: indexed %zu articles in %llu ms", n, (unsigned long long)((uint64_t)time_now_ms() - t0));
	return rc;
}

/* ---- confidence ---- */

/* Space-separated tokens into an array of pointers into s (modified). */
static size_t split_terms(char *s, char **out, size_t max)
{
	size_t n = 0;
	for (char *p = strtok_r(s, " ", &s); p && n < max; p = strtok_r(NULL, " ", &s))
		out[n++] = p;
	return n;
}

static int is_single_han(const char *t)
{
	/* one 3- or 4-byte UTF-8 character that is not a word (words are ASCII or folded Latin) */
	size_t n = strlen(t);
	return (n == 3 && (unsigned char)t[0] >= 0xE0) || (n == 4 && (unsigned char)t[0] >= 0xF0);
}

/* Does query term t meet line term l? Equal; a lone character inside a bigram; a word typed
 * so far that starts a line's word. */
static int term_meets(const char *t, const char *l)
{
	if (strcmp(t, l) == 0)
		return 1;
	if (is_single_han(t))
		return strstr(l, t) != NULL;
	size_t n = strlen(t);
	return (unsigned char)t[0] < 0x80 && n >= 2 && strncmp(t, l, n) == 0;
}

#define TERMS_MAX 64

struct qterms {
	char *v[TERMS_MAX];
	size_t n;
	struct buf b;
};

static double line_dice(const struct qterms *q, const char *line)
{
	struct buf lb;
	char *l[TERMS_MAX];
	buf_init(&lb, 0);
	search_terms_kb(line, &lb);
	size_t nl = split_terms(lb.ptr, l, TERMS_MAX), hit_q = 0, hit_l = 0;
	for (size_t i = 0; i < q->n; i++)
		for (size_t j = 0; j < nl; j++)
			if (term_meets(q->v[i], l[j])) {
				hit_q++;
				break;
			}
	for (size_t j = 0; j < nl; j++)
		for (size_t i = 0; i < q->n; i++)
			if (term_meets(q->v[i], l[j])) {
				hit_l++;
				break;
			}
	buf_release(&lb);
	return q->n + nl ? (double)(hit_q + hit_l) / (double)(q->n + nl) : 0;
}

static double confidence(const struct qterms *q, const char *question, const char *alt)
{
	if (!q->n)
		return 0;
	double best = line_dice(q, question);
	for (const char *p = alt; *p && best < 1;) {
		size_t n = strcspn(p, "\n");
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
		double d = line_dice(q, line);
		best = d > best ? d : best;
		p += n + (p[n] == '\n');
	}
	return best > 1 ? 1 : best;
}

/* ---- spelling: a misspelt English word becomes the closest word of the index ----
 * Only for a word (4+ letters, not a stop word) whose folded form starts no term of the
 * index: then the terms with the same first letter are scanned for the nearest by
 * Damerau-Levenshtein distance (1 for 4-5 letters, 2 for longer), the most common winning a
 * tie. refnud -> refund, cupon -> coupon, membreship -> membership. */

#define SPELL_SCAN 20000          /* terms read at most per word */

static int dl_distance(const char *a, size_t n, const char *b, size_t m, int cap)
{
	int d[24][24];
	if (n > 22 || m > 22 || (n > m ? n - m : m - n) > (size_t)cap)
		return cap + 1;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			int c = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

#define SPELL_CANDS 8              /* nearest words kept per misspelt word, to check in order */

/* The index's vocabulary (kb_vocab) spans every site and audience; a correction must not
 * bring in a word only another site, or an article this reader may not see, holds (its
 * results would show what that word found nowhere here, and probing would reveal it). So the
 * nearest words are kept in order and the first that matches a published article of this
 * site, language and audience wins. */
struct spell_cand {
	int d;
	int64_t docs;
	char t[32];
};

struct spell {
	const char *w;
	size_t n;
	int cap, ncand;
	struct spell_cand cand[SPELL_CANDS];
	char best[32];
};

struct spell_scope {
	int64_t site_id;
	const char *lang;
	enum kb_audience aud;
};

static int any_term(void *ud, const char *term, int64_t docs)
{
	(void)term;
	(void)docs;
	*(int *)ud = 1;
	return 1;
}

static int near_term(void *ud, const char *term, int64_t docs)
{
	struct spell *s = ud;
	size_t m = strlen(term);
	if (m >= sizeof(s->best) || strspn(term, "abcdefghijklmnopqrstuvwxyz") != m)
		return 0;
	int d = dl_distance(s->w, s->n, term, m, s->cap);
	if (d > s->cap)
		return 0;
	/* insertion into the short list, nearest first, the more common first on a tie */
	int i = s->ncand < SPELL_CANDS ? s->ncand++ : SPELL_CANDS;
	for (; i > 0 && (d < s->cand[i - 1].d || (d == s->cand[i - 1].d && docs > s->cand[i - 1].docs)); i--)
		if (i < SPELL_CANDS)
			s->cand[i] = s->cand[i - 1];
	if (i < SPELL_CANDS) {
		s->cand[i].d = d;
		s->cand[i].docs = docs;
		snprintf(s->cand[i].t, sizeof(s->cand[i].t), "%s", term);
	}
	return 0;
}

static int any_cand(void *ud, const struct store_kb_cand *c)
{
	(void)c;
	*(int *)ud = 1;
	return 1;
}

/* Does term (lowercase ASCII, so safe inside quotes) occur in an article this reader may see? */
static int term_here(struct app *a, const struct spell_scope *sc, const char *term)
{
	char match[40];
	int found = 0;
	snprintf(match, sizeof(match), "\"%s\"", term);
	struct store_kb_match m = { match, sc->site_id, sc->lang, (int)sc->aud, 1, W_Q, W_A, W_T, W_UNI };
	store_kb_match(a->st, &m, any_cand, &found);
	return found;
}

/* The index's word for w (folded), or NULL to keep w. */
static const char *spell_word(struct app *a, const struct spell_scope *sc, const char *w, struct spell *s)
{
	char lo[40], hi[40];
	int found = 0;
	size_t n = strlen(w);
	if (n < 4 || n >= 24)
		return NULL;
	snprintf(lo, sizeof(lo), "%s", w);
	snprintf(hi, sizeof(hi), "%s\x7f", w);
	if (store_kb_terms(a->st, lo, hi, 1, any_term, &found) < 0 || found)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->w = w;
	s->n = n;
	s->cap = n >= 6 ? 2 : 1;
	snprintf(lo, sizeof(lo), "%c", w[0]);
	snprintf(hi, sizeof(hi), "%c", w[0] + 1);
	if (store_kb_terms(a->st, lo, hi, SPELL_SCAN, near_term, s) < 0)
		return NULL;
	for (int i = 0; i < s->ncand; i++)
		if (term_here(a, sc, s->cand[i].t)) {
			snprintf(s->best, sizeof(s->best), "%s", s->cand[i].t);
			return s->best;
		}
	return NULL;
}

/* The query with each misspelt English word replaced (see above). */
static void spell_query(struct app *a, const struct spell_scope *sc, const char *q, struct buf *out)
{
	const char *p = q;
	while (*p) {
		size_t n = 0;
		while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
			n++;
		if (!n) {
			buf_addc(out, *p++);
			continue;
		}
		char word[64];
		struct buf f;
		struct spell s;
		snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63), p);
		buf_init(&f, 0);
		search_terms_kb(word, &f);      /* folded and stemmed; "" for a stop word */
		const char *fix = f.len && !strchr(f.ptr, ' ') ? spell_word(a, sc, f.ptr, &s) : NULL;
		if (fix)
			buf_adds(out, fix);
		else
			buf_add(out, p, n);
		buf_release(&f);
		p += n;
	}
}

/* ---- search ---- */

#define KB_OR_CONF 0.5            /* AND hits all less sure than this: look with OR too */
#define KB_RANK_BM25 0.5          /* the ranking blends bm25 (normalised per run) ... */
#define KB_RANK_CONF 0.5          /* ... with the confidence */

struct cand {
	int64_t id, category_id;
	double bm, score, confidence;
	int pop;
	char lang[8], slug[128], question[1024];
	char *answer_md;
};

struct cands {
	struct cand v[2 * KB_CAND_MAX];
	size_t n;
	const struct qterms *t;
};

static void cands_clear(struct cands *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].answer_md);
	c->n = 0;
}

/* How many doublings: a logarithm without libm (the binary does not link it). */
static int bits(uint64_t v)
{
	int n = 0;
	for (; v; v >>= 1)
		n++;
	return n;
}

static double round3(double v)
{
	return (double)(int64_t)(v * 1000 + 0.5) / 1000;
}

static int take_cand(void *ud, const struct store_kb_cand *k)
{
	struct cands *c = ud;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].id == k->article_id)
			return 0;   /* the OR run finds the AND run's hits again */
	if (c->n == KF_ARRAY_LEN(c->v))
		return 1;
	struct cand *x = &c->v[c->n++];
	x->id = k->article_id;
	x->category_id = k->category_id;
	x->bm = -k->bm25;
	x->pop = bits((uint64_t)(k->views + 5 * k->helpful));
	x->confidence = confidence(c->t, k->question, k->alt_questions);
	snprintf(x->lang, sizeof(x->lang), "%s", k->lang);
	utf8_copy(x->slug, sizeof(x->slug), k->slug);
	utf8_copy(x->question, sizeof(x->question), k->question);
	x->answer_md = xstrdup(k->answer_md);
	return 0;
}

/* Appends one MATCH run's candidates; their bm25 is scaled to the run's best (1), since
 * scores of different queries (AND, OR) do not compare. */
static int run_match(struct app *a, const char *match, int64_t site_id, const char *lang, enum kb_audience aud,
		     struct cands *c)
{
	struct store_kb_match m = { match, site_id, lang, (int)aud, KB_CAND_MAX, W_Q, W_A, W_T, W_UNI };
	size_t first = c->n;
	if (!*match)
		return 0;
	int rc = store_kb_match(a->st, &m, take_cand, c);
	double best = 0;
	for (size_t i = first; i < c->n; i++)
		best = c->v[i].bm > best ? c->v[i].bm : best;
	for (size_t i = first; i < c->n; i++)
		c->v[i].score = KB_RANK_BM25 * (best > 0 ? c->v[i].bm / best : 0) + KB_RANK_CONF * c->v[i].confidence +
				KB_POP_WEIGHT * c->v[i].pop;
	return rc == 1 ? 0 : rc;
}

static int by_score(const void *x, const void *y)
{
	const struct cand *p = x, *q = y;
	return p->score < q->score ? 1 : p->score > q->score ? -1 : (p->id > q->id) - (p->id < q->id);
}

/* A snippet of the answer: plain text from just before the first query term it holds (or
 * from the start), cut on character boundaries. */
static void make_snippet(const char *md, const struct qterms *q, char *out, size_t outsz)
{
	struct buf p;
	buf_init(&p, 0);
	md_plain(md, &p);
	const char *at = NULL;
	for (size_t i = 0; i < q->n && !at; i++)
		if (strlen(q->v[i]) >= 3)
			at = strcasestr(p.ptr, q->v[i]);
	size_t start = at ? (size_t)(at - p.ptr) : 0;
	start = start > 40 ? start - 40 : 0;
	while (start && ((unsigned char)p.ptr[start] & 0xC0) == 0x80)
		start++;
	while (start && p.ptr[start - 1] != ' ' && (unsigned char)p.ptr[start] < 0x80 && start < p.len)
		start++;   /* do not begin inside an English word */
	size_t lim = outsz > KB_SNIPPET_BYTES + 8 ? KB_SNIPPET_BYTES : outsz - 8;
	char tmp[KB_SNIPPET_BYTES + 1];
	utf8_copy(tmp, lim + 1 < sizeof(tmp) ? lim + 1 : sizeof(tmp), p.ptr + start);
	snprintf(out, outsz, "%s%s%s", start ? "…" : "", tmp, start + strlen(tmp) < p.len ? "…" : "");
	buf_release(&p);
}

static void query_terms(const char *query, struct qterms *q)
{
	buf_init(&q->b, 0);
	search_terms_kb(query, &q->b);
	q->n = split_terms(q->b.ptr, q->v, TERMS_MAX);
}

static void log_search(struct app *a, int64_t site_id, const char *lang, const char *source, const char *query,
		       const struct kb_hit *hits, size_t n)
{
	struct store_kb_search_row row = { site_id, n ? hits[0].article_id : 0, time_now_s(), lang ? lang : "",
					   source, query, (int)n, n ? hits[0].confidence : 0 };
	if (store_kb_search_log(a->st, &row))
		log_warn("kb: could not log a search");
}

/* The query as logged and searched: trimmed, inner whitespace runs made one space, at most
 * KB_QUERY_MAX bytes on a character boundary. */
static void clean_query(const char *in, char *out, size_t outsz)
{
	char tmp[KB_QUERY_MAX + 1];
	size_t k = 0;
	int space = 1;
	utf8_copy(tmp, sizeof(tmp) < outsz ? sizeof(tmp) : outsz, in);
	for (const char *p = tmp; *p; p++) {
		int ws = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
		if (ws && space)
			continue;
		out[k++] = ws ? ' ' : *p;
		space = ws;
	}
	while (k && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

static double best_conf(const struct cands *c)
{
	double b = 0;
	for (size_t i = 0; i < c->n; i++)
		b = c->v[i].confidence > b ? c->v[i].confidence : b;
	return b;
}

/* AND first; the OR run too when AND found fewer than KB_AND_MIN or none of its hits is a
 * question like the query (a phrase that only answers hold: "联系客服"). */
static int search_cands(struct app *a, int64_t site_id, const char *lang, const char *query, enum kb_audience aud,
			struct cands *c)
{
	struct buf m;
	buf_init(&m, 0);
	int rc = search_query_kb(query, 0, &m);
	if (!rc)
		rc = run_match(a, m.ptr, site_id, lang, aud, c);
	if (!rc && (c->n < KB_AND_MIN || best_conf(c) < KB_OR_CONF)) {
		buf_reset(&m);
		rc = search_query_kb(query, 1, &m);
		if (!rc && m.len)
			rc = run_match(a, m.ptr, site_id, lang, aud, c);
	}
	buf_release(&m);
	return rc;
}

int kb_search(struct app *a, int64_t site_id, const char *lang, const char *query, enum kb_audience audience,
	      const char *source, struct kb_hit *hits, size_t max, size_t *n)
{
	char q[KB_QUERY_MAX + 1];
	struct cands *c = xcalloc(1, sizeof(*c));
	struct qterms t;
	*n = 0;
	clean_query(query ? query : "", q, sizeof(q));
	struct buf sq;
	buf_init(&sq, KB_QUERY_MAX * 2);
	struct spell_scope sc = { site_id, lang ? lang : "", audience };
	spell_query(a, &sc, q, &sq);
	query_terms(sq.ptr, &t);
	c->t = &t;
	int rc = *q ? search_cands(a, site_id, lang ? lang : "", sq.ptr, audience, c) : 0;
	qsort(c->v, c->n, sizeof(c->v[0]), by_score);
	for (size_t i = 0; !rc && i < c->n && *n < max; i++) {
		struct kb_hit *h = &hits[(*n)++];
		const struct cand *x = &c->v[i];
		memset(h, 0, sizeof(*h));
		h->article_id = x->id;
		h->category_id = x->category_id;
		h->score = x->score;
		h->confidence = x->confidence;
		memcpy(h->lang, x->lang, sizeof(h->lang));
		memcpy(h->slug, x->slug, sizeof(h->slug));
		memcpy(h->question, x->question, sizeof(h->question));
		make_snippet(x->answer_md, &t, h->snippet, sizeof(h->snippet));
	}
	if (!rc && source && *q)
		log_search(a, site_id, lang, source, q, hits, *n);
	buf_release(&t.b);
	buf_release(&sq);
	cands_clear(c);
	free(c);
	return rc;
}

/* ---- HTTP ---- */

static struct ratelimit *search_rl;   /* public searches per IP, sliding minute */

static int ok_lang(const char *s)
{
	return !*s || strcmp(s, "zh-CN") == 0 || strcmp(s, "zh-TW") == 0 || strcmp(s, "en") == 0;
}

static void add_pct(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			buf_addc(b, (char)*p);
		else
			buf_addf(b, "%%%02X", *p);
	}
}

/* The help centre's page of a hit (kb/help.c: /help/<site key>/a/<slug>?lang=). */
static json_t *hit_json(const char *site_key, const struct kb_hit *h)
{
	struct buf u;
	buf_init(&u, 0);
	buf_adds(&u, "/help/");
	add_pct(&u, site_key);
	buf_adds(&u, "/a/");
	add_pct(&u, h->slug);
	buf_adds(&u, "?lang=");
	add_pct(&u, h->lang);
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:f,s:s}", "id", (json_int_t)h->article_id, "question", h->question,
			      "snippet", h->snippet, "slug", h->slug, "lang", h->lang, "confidence",
			      round3(h->confidence), "url", u.ptr);
	buf_release(&u);
	return o;
}

struct sreq {
	const char *q, *lang;
	int limit, partial;
};

/* q (1..1000 bytes), lang ("" or one of ours), limit (1..20, default 5), partial (typing:
 * not logged). 0, or replies 400 and returns nonzero. */
static int read_params(struct http_req *r, struct sreq *p)
{
	const char *lim = http_query(r, "limit"), *part = http_query(r, "partial");
	int64_t l = 5;
	p->q = http_query(r, "q");
	p->lang = http_query(r, "lang");
	if (!p->lang)
		p->lang = "";
	p->partial = part && strcmp(part, "1") == 0;
	if (!p->q || !*p->q || strlen(p->q) > 1000) {
		http_reply_error(r, 400, "bad_request", "q: 1 to 1000 bytes of text");
		return 1;
	}
	if (!ok_lang(p->lang)) {
		http_reply_error(r, 400, "bad_request", "lang: zh-CN, zh-TW or en");
		return 1;
	}
	if (lim && (parse_i64(lim, strlen(lim), &l) || l < 1 || l > KB_HITS_MAX)) {
		http_reply_error(r, 400, "bad_request", "limit: 1 to 20");
		return 1;
	}
	p->limit = (int)l;
	return 0;
}

static void reply_hits(struct http_req *r, const char *site_key, const struct kb_hit *hits, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, hit_json(site_key, &hits[i]));
	http_reply_json(r, 200, json_pack("{s:o}", "hits", arr));
}

static void do_search(struct http_req *r, const struct store_site *s, const struct sreq *p, enum kb_audience aud,
		      const char *source)
{
	struct kb_hit *hits = arena_alloc(&r->arena, KB_HITS_MAX * sizeof(*hits));
	size_t n = 0;
	if (kb_search(app_of(r), s->id, p->lang, p->q, aud, p->partial ? NULL : source, hits, (size_t)p->limit, &n)) {
		http_reply_error(r, 500, "internal", "search failed");
		return;
	}
	reply_hits(r, s->key, hits, n);
}

int kb_search_allowed(const char *ip, unsigned *retry_s)
{
	int64_t now = time_now_ms();
	if (!search_rl)
		search_rl = ratelimit_new_sliding(KB_SEARCHES_PER_MIN, 60000);
	unsigned wait = ratelimit_check(search_rl, ip, now);
	if (wait) {
		*retry_s = (wait + 999) / 1000;
		return 0;
	}
	ratelimit_hit(search_rl, ip, now);
	return 1;
}

static int rate_ok(struct http_req *r)
{
	unsigned wait;
	if (!kb_search_allowed(r->client_ip, &wait)) {
		char sec[24];
		snprintf(sec, sizeof(sec), "%u", wait);
		http_add_header(r, "Retry-After", sec);
		http_reply_error(r, 429, "rate_limited", "too many searches; try again shortly");
		return 0;
	}
	return 1;
}

/* Public: the help centre and the widget (deflection before a chat). Members-only articles
 * only for a customer the shop signed (cid + sig, kb_identity_valid). Answered cross-origin
 * to the site's allowed origins, as /api/v1/widget/config. */
static void h_public_search(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	struct sreq p;
	const char *key = http_query(r, "site"), *origin = http_header(r, "origin");
	const char *cid = http_query(r, "cid"), *sig = http_query(r, "sig"), *from = http_query(r, "from");
	if (!key || store_site_by_key(a->st, key, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	if (origin && chat_origin_allowed(&s, origin)) {
		http_add_header(r, "Access-Control-Allow-Origin", origin);
		http_add_header(r, "Vary", "Origin");
	}
	if (!rate_ok(r) || read_params(r, &p))
		return;
	enum kb_audience aud = KB_PUBLIC;
	if (cid && sig && *cid && strlen(cid) <= 128 && kb_identity_valid(a, s.id, cid, sig))
		aud = KB_MEMBERS;
	do_search(r, &s, &p, aud, from && strcmp(from, "help") == 0 ? "help" : "widget");
}

static int param_site(struct http_req *r, struct store_site *s)
{
	const char *p = http_param(r, 0);
	int64_t id;
	const struct auth_ctx *ctx = auth_of(r);
	if (!p || parse_i64(p, strlen(p), &id) || id <= 0 || store_site_get(app_of(r)->st, id, s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	if (auth_role_level(ctx->user.role) < ACCESS_ADMIN && store_site_is_member(app_of(r)->st, id, ctx->user.id)) {
		http_reply_error(r, 403, "forbidden", "not a member of this site");
		return 1;
	}
	return 0;
}

/* Agents: internal articles too (the reply box's suggestions). */
static void h_agent_search(struct http_req *r)
{
	struct store_site s;
	struct sreq p;
	if (param_site(r, &s) || read_params(r, &p))
		return;
	do_search(r, &s, &p, KB_INTERNAL, "agent");
}

/* ---- the editor's report ---- */

static int report_line(void *ud, const struct store_kb_report_row *x)
{
	json_t *o = json_pack("{s:s,s:I,s:I}", "query", x->query, "count", (json_int_t)x->count, "last_at",
			      (json_int_t)x->last_at);
	if (x->article_id)
		json_object_set_new(o, "top", json_pack("{s:I,s:s,s:s,s:s,s:f}", "id", (json_int_t)x->article_id,
							"question", x->question, "lang", x->lang, "slug", x->slug,
							"confidence", round3(x->confidence)));
	json_array_append_new(ud, o);
	return 0;
}

static int viewed_line(void *ud, const struct store_kb_report_row *x)
{
	json_array_append_new(ud, json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:I}", "id", (json_int_t)x->article_id, "question",
					    x->question, "lang", x->lang, "slug", x->slug, "views", (json_int_t)x->views,
					    "helpful", (json_int_t)x->helpful, "unhelpful", (json_int_t)x->unhelpful));
	return 0;
}

/* GET /api/v1/sites/:id/kb/report?days=30&min_confidence=0.5: what readers and the bot
 * searched for without a good answer, most asked first, and the most viewed articles. */
static void h_report(struct http_req *r)
{
	struct store_site s;
	const char *d = http_query(r, "days"), *mc = http_query(r, "min_confidence");
	int64_t days = 30;
	double th = 0.5;
	char *end = NULL;
	if (param_site(r, &s))
		return;
	if (d && (parse_i64(d, strlen(d), &days) || days < 1 || days > 366)) {
		http_reply_error(r, 400, "bad_request", "days: 1 to 366");
		return;
	}
	if (mc && (th = strtod(mc, &end), !end || *end || !(th >= 0 && th <= 1))) {
		http_reply_error(r, 400, "bad_request", "min_confidence: 0 to 1");
		return;
	}
	struct app *a = app_of(r);
	int64_t since = time_now_s() - days * 86400;
	static const char *const names[] = { "no_result", "weak", "bot_unanswered", "top_viewed" };
	json_t *out = json_pack("{s:I,s:f}", "days", (json_int_t)days, "min_confidence", th);
	for (int k = STORE_KB_NO_RESULT; k <= STORE_KB_TOP_VIEWED; k++) {
		json_t *arr = json_array();
		if (store_kb_report(a->st, (enum store_kb_report)k, s.id, since, th, 50,
				    k == STORE_KB_TOP_VIEWED ? viewed_line : report_line, arr)) {
			json_decref(arr);
			json_decref(out);
			http_reply_error(r, 500, "internal", "report failed");
			return;
		}
		json_object_set_new(out, names[k], arr);
	}
	http_reply_json(r, 200, out);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/kb/search", h_public_search, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_GET, "/api/v1/sites/:id/kb/search", h_agent_search, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_GET, "/api/v1/sites/:id/kb/report", h_report, 0, ACCESS_SUPERVISOR, NULL, "api", NULL },
};

/* Registers the routes; builds the index when it is empty but articles are published (a
 * database from before migration 017, or one restored without it). */
void kb_search_register(struct http_server *s)
{
	struct app *a = http_server_userdata(s);
	int64_t n = 0;
	if (store_kb_index_count(a->st, &n) == 0 && n == 0)
		kb_reindex_all(a);
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}

void kb_search_shutdown(void)
{
	ratelimit_free(search_rl);
	search_rl = NULL;
}
