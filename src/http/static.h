/* http/static.h - serving the web assets compiled into the binary (see assets.h). */
#ifndef KF_HTTP_STATIC_H
#define KF_HTTP_STATIC_H
#include "http/http.h"

/* Replies with the asset at path (gzip when accepted, 304 on a matching ETag).
 * Replies 404 when there is no such asset. */
void static_serve(struct http_req *r, const char *path);
/* Route handler for GET /assets/ *: serves r->path. */
void static_handler(struct http_req *r);

#endif
