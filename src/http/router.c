/* http/router.c - linear route table with segment matching (see router.h).
 * A linear scan is fine for the few dozen routes Kefu has; the match itself does no
 * allocation. */
#include "http/router.h"
#include "core/alloc.h"
#include "core/kf.h"
#include <string.h>

void router_init(struct router *rt)
{
	rt->routes = NULL;
	rt->n = rt->cap = 0;
}

void router_release(struct router *rt)
{
	free(rt->routes);
	router_init(rt);
}

int router_add(struct router *rt, const struct route *r)
{
	if (!r->pattern || r->pattern[0] != '/' || (!r->handler && !(r->flags & ROUTE_WS)))
		return KF_EINVAL;
	if (rt->n == rt->cap) {
		rt->cap = rt->cap ? rt->cap * 2 : 32;
		rt->routes = xrealloc(rt->routes, rt->cap * sizeof(*rt->routes));
	}
	rt->routes[rt->n++] = *r;
	return 0;
}

/* Matches path against pattern; fills params. Returns 1 on a match. */
static int match_pattern(const char *pat, const char *path, struct router_param *params, size_t *np)
{
	const char *p = path;
	size_t n = 0;
	while (*pat && *p) {
		if (pat[0] == '*' && pat[1] == '\0') {
			if (n < HTTP_MAX_PARAMS)
				params[n++] = (struct router_param){ (size_t)(p - path), strlen(p) };
			*np = n;
			return 1;
		}
		if (*pat == ':') {
			const char *pe = strchr(pat, '/');
			size_t seglen = strcspn(p, "/");
			if (seglen == 0 || n >= HTTP_MAX_PARAMS)
				return 0;
			params[n++] = (struct router_param){ (size_t)(p - path), seglen };
			pat = pe ? pe : pat + strlen(pat);
			p += seglen;
			continue;
		}
		if (*pat != *p)
			return 0;
		pat++;
		p++;
	}
	if (pat[0] == '*' && pat[1] == '\0' && *p == '\0') {
		if (n < HTTP_MAX_PARAMS)
			params[n++] = (struct router_param){ (size_t)(p - path), 0 };
		*np = n;
		return 1;
	}
	if (*pat || *p)
		return 0;
	*np = n;
	return 1;
}

enum router_result router_match(const struct router *rt, int method, const char *path,
				const struct route **out, struct router_param *params,
				size_t *nparams, int *allow)
{
	int want = method == M_HEAD ? M_GET : method;
	int mask = 0;
	struct router_param tmp[HTTP_MAX_PARAMS];
	size_t ntmp;

	for (size_t i = 0; i < rt->n; i++) {
		const struct route *r = &rt->routes[i];
		if (!match_pattern(r->pattern, path, tmp, &ntmp))
			continue;
		if (r->method == want) {
			*out = r;
			memcpy(params, tmp, ntmp * sizeof(*tmp));
			*nparams = ntmp;
			return ROUTER_FOUND;
		}
		mask |= r->method;
		if (r->method == M_GET)
			mask |= M_HEAD;
	}
	*allow = mask;
	return mask ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}

static const struct { int m; const char *name; } methods[] = {
	{ M_GET, "GET" }, { M_HEAD, "HEAD" }, { M_POST, "POST" }, { M_PUT, "PUT" },
	{ M_PATCH, "PATCH" }, { M_DELETE, "DELETE" }, { M_OPTIONS, "OPTIONS" },
};

const char *router_method_name(int method)
{
	for (size_t i = 0; i < KF_ARRAY_LEN(methods); i++)
		if (methods[i].m == method)
			return methods[i].name;
	return "OTHER";
}

void router_allow_text(int mask, char *out, size_t outsz)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < KF_ARRAY_LEN(methods); i++) {
		if (!(mask & methods[i].m))
			continue;
		size_t l = strlen(methods[i].name);
		if (o + l + 3 > outsz)
			break;
		if (o) {
			memcpy(out + o, ", ", 2);
			o += 2;
		}
		memcpy(out + o, methods[i].name, l);
		o += l;
		out[o] = '\0';
	}
}
