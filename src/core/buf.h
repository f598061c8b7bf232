/* core/buf.h - a growable byte string with a size cap and a sticky error.
 * Invariants: ptr is never NULL after buf_init (it points at a static "" until the first
 * write) and is always NUL-terminated; len excludes the NUL. When a write would pass max,
 * nothing is written, err becomes KF_ETOOBIG and every later write is ignored, so a caller
 * builds a whole response and checks buf.err once at the end (after SQLite's sqlite3_str). */
#ifndef KF_CORE_BUF_H
#define KF_CORE_BUF_H
#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *ptr;
	size_t len;
	size_t cap;     /* private: allocated bytes, 0 while ptr is the static "" */
	size_t max;     /* cap on len; 0 means no cap */
	int err;        /* 0 or KF_ETOOBIG; sticky */
};

#define BUF_INIT { buf__empty, 0, 0, 0, 0 }
extern char buf__empty[1];

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);          /* frees; b is empty and reusable afterwards */
void buf_reset(struct buf *b);            /* len = 0, keeps memory, clears err */
char *buf_detach(struct buf *b, size_t *len); /* caller owns the result (free()); b is reset */

int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);
int buf_grow(struct buf *b, size_t extra);  /* make room for extra more bytes */
void buf_consume(struct buf *b, size_t n);  /* drop n bytes from the front */

/* Appends s escaped for HTML text and attribute values (& < > " '). */
int buf_add_html(struct buf *b, const char *s, size_t n);

#endif
