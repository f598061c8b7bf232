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

struct tok {
	struct buf *bi, *uni;
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
		for (int32_t i = 0; i < n; i++)
			add_cp(t->bi, cp[i]);
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
	struct tok t = { bi, uni };
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
