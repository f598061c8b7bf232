/* core/alloc.c - allocation wrappers that abort on exhaustion (see alloc.h). */
#include "alloc.h"
#include "kf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "kefu: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

const char *kf_strerror(int code)
{
	switch (code) {
	case KF_OK: return "ok";
	case KF_ENOMEM: return "out of memory";
	case KF_EINVAL: return "invalid input";
	case KF_ENOTFOUND: return "not found";
	case KF_EEXIST: return "already exists";
	case KF_EIO: return "i/o error";
	case KF_ETOOBIG: return "too big";
	case KF_EDENIED: return "denied";
	case KF_EBUSY: return "busy";
	}
	return "unknown error";
}
