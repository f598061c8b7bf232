/* http/router.h - the route table: method + path pattern -> route.
 * Patterns are literal segments, ":name" segments (any one non-empty segment) and an
 * optional final "*" (the rest of the path). A path that matches a pattern under another
 * method gives ROUTER_BAD_METHOD with the allowed methods, so the server can answer 405. */
#ifndef KF_HTTP_ROUTER_H
#define KF_HTTP_ROUTER_H
#include <stddef.h>
#include "http/http.h"

struct router {
	struct route *routes;    /* private */
	size_t n, cap;
};

struct router_param {
	size_t off, len;         /* into the matched path */
};

enum router_result { ROUTER_FOUND = 0, ROUTER_NOT_FOUND = 1, ROUTER_BAD_METHOD = 2 };

void router_init(struct router *rt);
void router_release(struct router *rt);
/* Copies *r into the table. Returns KF_EINVAL for a malformed pattern. */
int  router_add(struct router *rt, const struct route *r);
/* HEAD matches GET routes. On FOUND, *out and params[0..*nparams) are set;
 * on BAD_METHOD, *allow is the mask of methods the path accepts. */
enum router_result router_match(const struct router *rt, int method, const char *path,
				const struct route **out, struct router_param *params,
				size_t *nparams, int *allow);
/* Writes "GET, POST" style text for a method mask. */
void router_allow_text(int mask, char *out, size_t outsz);
const char *router_method_name(int method);

#endif
