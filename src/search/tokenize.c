/* search/tokenize.c - normalising and tokenizing text for search (see search.h). */
#include "search/search.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/log.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#define MAX_TEXT_UNITS 65536   /* longer texts are searched by their first 64 K UTF-16 units */

static uint16_t *t2s;          /* BMP code point -> simplified, 0 when unchanged */

static int is_han(UChar32 c)
{
	return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0x20000 && c <= 0x2FFFF);
}

/* Transliterating one character at a time is slow (4-7 MB/s); a table is 200+ MB/s. */
int search_init(void)
{
	UErrorCode err = U_ZERO_ERROR;
	static const UChar id[] = { 'H', 'a', 'n', 't', '-', 'H', 'a', 'n', 's', 0 };
	if (t2s)
		return 0;
	UTransliterator *t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
	if (U_FAILURE(err)) {
		log_error("search: ICU Hant-Hans transliterator: %s", u_errorName(err));
		return KF_EIO;
	}
	t2s = xcalloc(0x10000, sizeof(*t2s));
	for (UChar32 c = 0x3400; c <= 0xFAFF; c++) {
		if (!is_han(c))
			continue;
		UChar s[8] = { (UChar)c };
		int32_t len = 1, limit = 1;
		err = U_ZERO_ERROR;
		utrans_transUChars(t, s, &len, 8, 0, &limit, &err);
		if (U_SUCCESS(err) && len == 1 && s[0] != c)
			t2s[c] = s[0];
	}
	utrans_close(t);
	return 0;
}

static void add_cp(struct buf *b, UChar32 c)
{
	char u[4];
	int n = 0;
	if (c < 0x80) { u[n++] = (char)c; }
	else if (c < 0x800) { u[n++] = (char)(0xC0 | (c >> 6)); u[n++] = (char)(0x80 | (c & 0x3F)); }
	else if (c < 0x10000) { u[n++] = (char)(0xE0 | (c >> 12)); u[n++] = (char)(0x80 | ((c >> 6) & 0x3F)); u[n++] = (char)(0x80 | (c & 0x3F)); }
	else { u[n++] = (char)(0xF0 | (c >> 18)); u[n++] = (char)(0x80 | ((c >> 12) & 0x3F)); u[n++] = (char)(0x80 | ((c >> 6) & 0x3F)); u[n++] = (char)(0x80 | (c & 0x3F)); }
	buf_add(b, u, (size_t)n);
}

/* text -> normalised UTF-16 code points (NFKC case-fold, then T->S). Caller frees. */
static UChar32 *normalize(const char *text, int32_t *count)
{
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *nf = unorm2_getNFKCCasefoldInstance(&err);
	int32_t n16 = 0;
	*count = 0;
	if (U_FAILURE(err))
		return NULL;
	u_strFromUTF8(NULL, 0, &n16, text, -1, &err);
	err = U_ZERO_ERROR;
	if (n16 > MAX_TEXT_UNITS)
		n16 = MAX_TEXT_UNITS;
	UChar *src = xmalloc(((size_t)n16 + 1) * sizeof(UChar));
	u_strFromUTF8(src, n16 + 1, NULL, text, -1, &err);
	err = U_ZERO_ERROR;   /* a truncated copy is fine */
	int32_t cap = n16 * 3 + 16;
	UChar *dst = xmalloc((size_t)cap * sizeof(UChar));
	int32_t dn = unorm2_normalize(nf, src, n16, dst, cap, &err);
	free(src);
	if (U_FAILURE(err)) {
		free(dst);
		return NULL;
	}
	UChar32 *cps = xmalloc(((size_t)dn + 1) * sizeof(UChar32));
	int32_t i = 0, k = 0;
	while (i < dn) {
		UChar32 c;
		U16_NEXT(dst, i, dn, c);
		if (c < 0x10000 && t2s && t2s[c])
			c = t2s[c];
		cps[k++] = c;
	}
	free(dst);
	*count = k;
	return cps;
}

/* Calls emit for each token: kind 'h' for a Han run (start, length), 'w' for a word. */
static void scan(const UChar32 *cp, int32_t n, void (*emit)(void *, char, const UChar32 *, int32_t), void *ud)
{
	int32_t i = 0;
	while (i < n) {
		int32_t j = i;
		if (is_han(cp[i])) {
			while (j < n && is_han(cp[j]))
				j++;
			emit(ud, 'h', cp + i, j - i);
		} else if (u_isalnum(cp[i])) {
			while (j < n && u_isalnum(cp[j]) && !is_han(cp[j]))
				j++;
			emit(ud, 'w', cp + i, j - i);
		} else {
			j++;
		}
		i = j;
	}
}

/* ---- knowledge-base words: accents off, then a small suffix stripper ----
 * Documents and queries go through the same steps, so what matters is that the forms of one
 * word meet (refunds, refunded, refunding -> refund; policy, policies -> polici), not that the
 * result is an English word. Only words of plain a-z are stemmed: codes, model numbers and
 * other scripts stay as they are. */

#define KB_WORD_MAX 64

/* é -> e, ñ -> n: the first code point of a Latin letter's canonical decomposition. */
static UChar32 strip_accent(UChar32 c)
{
	UErrorCode err = U_ZERO_ERROR;
	UChar d[8];
	if (c < 0xC0 || u_getIntPropertyValue(c, UCHAR_SCRIPT) != USCRIPT_LATIN)
		return c;
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
	int32_t n = U_SUCCESS(err) ? unorm2_getDecomposition(nfd, c, d, 8, &err) : 0;
	if (U_FAILURE(err) || n < 1)
		return c;
	UChar32 base;
	int32_t i = 0;
	U16_NEXT(d, i, n, base);
	return base;
}

static int is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static int has_vowel(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_vowel(w[i]) || (i > 0 && w[i] == 'y'))
			return 1;
	return 0;
}

static int ends(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(w + n - k, suf, k) == 0;
}

/* Porter's step 1 and a little more, much simplified; returns the new length. The length
 * guards keep short words (bus, used, thing, apply, supply, family) from being cut to
 * nothing or into another word. */
static size_t stem(char *w, size_t n)
{
	if (n < 3)
		return n;
	if (ends(w, n, "sses"))
		n -= 2;
	else if (ends(w, n, "ies") && n >= 5)
		n -= 2;
	else if (n >= 4 && w[n - 1] == 's' && !ends(w, n, "ss") && !ends(w, n, "us") && !ends(w, n, "is"))
		n--;
	if (ends(w, n, "ied") && n >= 5)
		n -= 2;
	else if (ends(w, n, "eed"))
		;   /* need, feed: not a past tense */
	else if (ends(w, n, "ed") && n >= 4 && has_vowel(w, n - 2))
		n -= 2;
	else if (ends(w, n, "ing") && n >= 5 && has_vowel(w, n - 3))
		n -= 3;
	if (n >= 6 && ends(w, n, "ly") && !strchr("pil", w[n - 3]))
		n -= 2;
	if (n >= 3 && w[n - 1] == 'e')
		n--;
	if (n >= 3 && w[n - 1] == 'y' && !is_vowel(w[n - 2]))
		w[n - 1] = 'i';
	if (n >= 4 && w[n - 1] == w[n - 2] && !is_vowel(w[n - 1]) && w[n - 1] != 's')
		n--;   /* shipp(ed) -> ship, cancell(ed) -> cancel */
	return n;
}

/* The word folded for the knowledge base into w (NUL-terminated): accents stripped, and
 * stemmed when it is plain a-z. Returns its length, 0 when it does not fit. */
static size_t kb_word(const UChar32 *cp, int32_t n, char *w, size_t wsz)
{
	size_t len = 0;
	int plain = 1;
	for (int32_t i = 0; i < n; i++) {
		UChar32 c = strip_accent(cp[i]);
		if (c >= 0x80 || len + 1 >= wsz)
			return 0;
		plain &= c >= 'a' && c <= 'z';
		w[len++] = (char)c;
	}
	w[len] = '\0';
	if (plain) {
		len = stem(w, len);
		w[len] = '\0';
	}
	return len;
}

/* A word: as it is, or (kb) folded when it is all Latin/ASCII after stripping accents. */
static void add_word(struct buf *b, const UChar32 *cp, int32_t n, int kb)
{
	char w[KB_WORD_MAX];
	if (kb && kb_word(cp, n, w, sizeof(w))) {
		buf_adds(b, w);
		return;
	}
	for (int32_t i = 0; i < n; i++)
		add_cp(b, kb ? strip_accent(cp[i]) : cp[i]);
}

struct tok {
	struct buf *bi, *uni;
	int kb;                    /* knowledge-base flavour: words lose accents and are stemmed */
};

static void sep(struct buf *b)
{
	if (b->len)
		buf_addc(b, ' ');
}

static void emit_tokens(void *ud, char kind, const UChar32 *cp, int32_t n)
{
	struct tok *t = ud;
	if (kind == 'w') {
		sep(t->bi);
		add_word(t->bi, cp, n, t->kb);
		return;
	}
	for (int32_t i = 0; i < n; i++) {
		sep(t->uni);
		add_cp(t->uni, cp[i]);
		if (n == 1 || i + 1 < n) {
			sep(t->bi);
			add_cp(t->bi, cp[i]);
			if (n > 1)
				add_cp(t->bi, cp[i + 1]);
		}
	}
}

int search_tokens(const char *text, struct buf *bi, struct buf *uni)
{
	int32_t n;
	UChar32 *cp = normalize(text, &n);
	struct tok t = { bi, uni, 0 };
	if (!cp)
		return KF_EINVAL;
	scan(cp, n, emit_tokens, &t);
	free(cp);
	return bi->err ? bi->err : uni->err;
}

int search_tokens_kb(const char *text, struct buf *bi, struct buf *uni)
{
	int32_t n;
	UChar32 *cp = normalize(text, &n);
	struct tok t = { bi, uni, 1 };
	if (!cp)
		return KF_EINVAL;
	scan(cp, n, emit_tokens, &t);
	free(cp);
	return bi->err ? bi->err : uni->err;
}

/* ---- queries ---- */

static const char *const question_words[] = {
	"怎么", "怎样", "如何", "什么", "为什么", "吗", "呢", "吧", "请问", "哪里", "哪个", "多少", "可以", "能不能", "是不是",
};

struct qstate {
	struct buf *m;
	int or_mode, terms;
};

static int is_question_word(const UChar32 *cp, int32_t n)
{
	struct buf b;
	buf_init(&b, 0);
	for (int32_t i = 0; i < n; i++)
		add_cp(&b, cp[i]);
	int hit = 0;
	for (size_t i = 0; i < KF_ARRAY_LEN(question_words) && !hit; i++)
		hit = strcmp(b.ptr, question_words[i]) == 0;
	buf_release(&b);
	return hit;
}

static void term_start(struct qstate *q)
{
	if (q->terms++)
		buf_adds(q->m, q->or_mode ? " OR " : " AND ");
}

/* A Han run: one phrase of its bigrams (an exact substring), or its one character in uni.
 * In OR mode a run is split around question words first. */
static void query_han(struct qstate *q, const UChar32 *cp, int32_t n)
{
	if (q->or_mode) {
		for (int32_t i = 0; i < n; i++)
			for (int32_t l = 3; l >= 1; l--)
				if (i + l <= n && is_question_word(cp + i, l)) {
					query_han(q, cp, i);
					query_han(q, cp + i + l, n - i - l);
					return;
				}
	}
	if (n <= 0)
		return;
	term_start(q);
	if (n == 1) {
		buf_adds(q->m, "uni : \"");
		add_cp(q->m, cp[0]);
		buf_addc(q->m, '"');
		return;
	}
	buf_adds(q->m, "bi : \"");
	for (int32_t i = 0; i + 1 < n; i++) {
		if (i)
			buf_addc(q->m, ' ');
		add_cp(q->m, cp[i]);
		add_cp(q->m, cp[i + 1]);
	}
	buf_addc(q->m, '"');
}

static void emit_query(void *ud, char kind, const UChar32 *cp, int32_t n)
{
	struct qstate *q = ud;
	if (kind == 'h') {
		query_han(q, cp, n);
		return;
	}
	term_start(q);
	buf_adds(q->m, "bi : \"");
	for (int32_t i = 0; i < n; i++)
		add_cp(q->m, cp[i]);
	buf_adds(q->m, "\" *");   /* prefix: "ret" finds "returns" */
}

int search_query(const char *text, int or_mode, struct buf *match)
{
	int32_t n;
	UChar32 *cp = normalize(text, &n);
	struct qstate q = { match, or_mode, 0 };
	if (!cp)
		return KF_EINVAL;
	scan(cp, n, emit_query, &q);
	free(cp);
	return match->err;
}

/* ---- knowledge-base queries ----
 * Different from the chat's in three ways: question words and English stop words are dropped
 * in every mode (a FAQ question is full of them, and "how do I" must not decide what
 * matches); in OR mode each bigram is its own term, so a paraphrase that shares some words
 * with a question still finds it and BM25 ranks it by how many it shares; and words are
 * folded as kb documents are (search_tokens_kb), each a prefix (search as you type), with
 * the typed form as a second prefix when stemming changed it ("shippi" is not "ship"). */

static const char *const kb_zh_stop[] = {
	"怎么办", "怎么样", "为什么", "能不能", "是不是", "可不可以", "有没有", "怎么", "怎样", "如何", "什么",
	"请问", "哪里", "哪个", "多少", "可以", "你们", "我们", "我的", "一下", "需要", "想要", "帮我", "麻烦",
	"您好", "你好", "谢谢", "吗", "呢", "吧", "啊", "呀", "的", "了", "我", "你", "么",
};

static const char *const kb_en_stop[] = {
	"a", "an", "the", "i", "me", "my", "we", "our", "you", "your", "it", "its", "is", "are", "was", "be", "been",
	"am", "do", "does", "did", "can", "could", "would", "should", "will", "to", "of", "in", "on", "at", "for",
	"from", "with", "by", "about", "and", "or", "how", "what", "when", "where", "why", "which", "who", "this",
	"that", "there", "have", "has", "had", "get", "please", "hi", "hello", "thanks", "thank", "im", "t", "s",
	"m", "don", "want", "need", "help", "so", "if", "just", "some", "any", "still", "yet", "u",
};

enum { KBQ_AND, KBQ_OR, KBQ_TERMS };

struct kbq {
	struct buf *m;
	int mode, terms;
};

static int in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return 1;
	return 0;
}

/* Length (1-4) of the Chinese stop word at cp, or 0. */
static int32_t zh_stop_at(const UChar32 *cp, int32_t n)
{
	for (int32_t l = 4; l >= 1; l--) {
		if (l > n)
			continue;
		struct buf b;
		buf_init(&b, 0);
		for (int32_t i = 0; i < l; i++)
			add_cp(&b, cp[i]);
		int hit = in_list(b.ptr, kb_zh_stop, KF_ARRAY_LEN(kb_zh_stop));
		buf_release(&b);
		if (hit)
			return l;
	}
	return 0;
}

static void kbq_sep(struct kbq *q)
{
	if (q->terms++)
		buf_adds(q->m, q->mode == KBQ_TERMS ? " " : q->mode == KBQ_OR ? " OR " : " AND ");
}

static void kbq_bigram(struct kbq *q, const UChar32 *cp, int quote)
{
	if (quote)
		buf_addc(q->m, '"');
	add_cp(q->m, cp[0]);
	add_cp(q->m, cp[1]);
	if (quote)
		buf_addc(q->m, '"');
}

/* A Han run without stop words: AND, a phrase of its bigrams; OR and TERMS, each bigram. */
static void kbq_piece(struct kbq *q, const UChar32 *cp, int32_t n)
{
	if (n <= 0)
		return;
	if (n == 1) {
		kbq_sep(q);
		if (q->mode == KBQ_TERMS) {
			add_cp(q->m, cp[0]);
			return;
		}
		buf_adds(q->m, "uni : \"");
		add_cp(q->m, cp[0]);
		buf_addc(q->m, '"');
		return;
	}
	if (q->mode != KBQ_AND) {
		for (int32_t i = 0; i + 1 < n; i++) {
			kbq_sep(q);
			kbq_bigram(q, cp + i, q->mode == KBQ_OR);
		}
		return;
	}
	kbq_sep(q);
	buf_addc(q->m, '"');
	for (int32_t i = 0; i + 1 < n; i++) {
		if (i)
			buf_addc(q->m, ' ');
		kbq_bigram(q, cp + i, 0);
	}
	buf_addc(q->m, '"');
}

static void kbq_han(struct kbq *q, const UChar32 *cp, int32_t n)
{
	int32_t start = 0, i = 0;
	while (i < n) {
		int32_t l = zh_stop_at(cp + i, n - i);
		if (!l) {
			i++;
			continue;
		}
		kbq_piece(q, cp + start, i - start);
		i += l;
		start = i;
	}
	kbq_piece(q, cp + start, n - start);
}

static void kbq_word(struct kbq *q, const UChar32 *cp, int32_t n)
{
	struct buf folded;
	buf_init(&folded, 0);
	add_word(&folded, cp, n, 1);
	/* the stop list holds plain words; compare the accent-free, unstemmed form */
	struct buf plain;
	buf_init(&plain, 0);
	for (int32_t i = 0; i < n; i++)
		add_cp(&plain, strip_accent(cp[i]));
	if (!in_list(plain.ptr, kb_en_stop, KF_ARRAY_LEN(kb_en_stop)) && folded.len) {
		kbq_sep(q);
		if (q->mode == KBQ_TERMS)
			buf_adds(q->m, folded.ptr);
		else if (strcmp(plain.ptr, folded.ptr) == 0)
			buf_addf(q->m, "\"%s\" *", folded.ptr);
		else
			buf_addf(q->m, "(\"%s\" * OR \"%s\" *)", folded.ptr, plain.ptr);
	}
	buf_release(&plain);
	buf_release(&folded);
}

static void emit_kbq(void *ud, char kind, const UChar32 *cp, int32_t n)
{
	if (kind == 'h')
		kbq_han(ud, cp, n);
	else
		kbq_word(ud, cp, n);
}

static int kb_build(const char *text, int mode, struct buf *out)
{
	int32_t n;
	UChar32 *cp = normalize(text, &n);
	struct kbq q = { out, mode, 0 };
	if (!cp)
		return KF_EINVAL;
	scan(cp, n, emit_kbq, &q);
	free(cp);
	return out->err;
}

int search_query_kb(const char *q, int or_mode, struct buf *match)
{
	return kb_build(q, or_mode ? KBQ_OR : KBQ_AND, match);
}

int search_terms_kb(const char *q, struct buf *terms)
{
	return kb_build(q, KBQ_TERMS, terms);
}
