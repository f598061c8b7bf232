/* http/multipart.h - a streaming multipart/form-data parser (RFC 7578).
 * Bytes go in as they arrive; the callbacks see each part's headers once and its
 * data in pieces, so a 20 MB upload never sits in memory. The parser keeps at most
 * one delimiter's worth of lookahead plus a bounded header block. */
#ifndef KF_HTTP_MULTIPART_H
#define KF_HTTP_MULTIPART_H
#include <stddef.h>

struct multipart;

struct multipart_cb {
	/* name/filename/ctype are NUL-terminated and valid until on_part_end; filename
	 * is NULL for a plain field. A nonzero return aborts parsing. */
	int (*on_part_begin)(void *ud, const char *name, const char *filename, const char *ctype);
	int (*on_data)(void *ud, const char *p, size_t n);
	int (*on_part_end)(void *ud);
};

/* boundary: from the Content-Type header, without the leading "--". NULL when invalid. */
struct multipart *multipart_new(const char *boundary, const struct multipart_cb *cb, void *ud);
void multipart_free(struct multipart *m);
/* 0, or a negative KF_E* code: KF_EINVAL for a malformed body, or the callback's abort. */
int multipart_feed(struct multipart *m, const char *p, size_t n);
/* 0 when the closing delimiter was seen, else KF_EINVAL. */
int multipart_finish(struct multipart *m);

/* Extracts the boundary parameter of a multipart/form-data Content-Type into out.
 * Returns 0, or KF_EINVAL when ctype is not multipart/form-data with a valid boundary. */
int multipart_boundary(const char *ctype, char *out, size_t outsz);

#endif
