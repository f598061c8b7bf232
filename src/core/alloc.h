/* core/alloc.h - the one allocation policy: out of memory aborts with a message.
 * A server that cannot allocate a few bytes cannot answer anyone; failing loudly at
 * one place beats a thousand unchecked NULLs. Caps on input sizes keep this rare. */
#ifndef KF_CORE_ALLOC_H
#define KF_CORE_ALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
