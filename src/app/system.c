/* app/system.c - routes every deployment needs: health, metrics, the console pages,
 * static assets, uploads and the WebSocket echo used to check proxies. */
#include "app/app.h"
#include "auth/auth.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "http/static.h"
#include "store/store.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void h_healthz(struct http_req *r)
{
	if (store_ping(app_of(r)->st) != 0) {
		http_reply_json(r, 503, json_pack("{s:s}", "status", "unavailable"));
		return;
	}
	http_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

static void h_metrics(struct http_req *r)
{
	struct app *a = app_of(r);
	struct buf b;
	buf_init(&b, 0);
	http_server_metrics(r->srv, &b);
	buf_addf(&b, "# HELP kefu_db_seconds_total Time spent inside database calls.\n"
		 "# TYPE kefu_db_seconds_total counter\nkefu_db_seconds_total %.6f\n", store_seconds(a->st));
	http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.ptr, b.len);
	buf_release(&b);
}

static void h_console(struct http_req *r)
{
	static_serve(r, "/index.html");
}

/* Keeps each uploaded file under DATA/uploads/YYYY/ID-name and records it. */
static void h_upload(struct http_req *r)
{
	struct app *a = app_of(r);
	json_t *files = json_array();
	for (const struct http_file *f = r->files; f; f = f->next) {
		struct store_upload u;
		memset(&u, 0, sizeof(u));
		utf8_copy(u.name, sizeof(u.name), f->filename);
		utf8_copy(u.content_type, sizeof(u.content_type), f->content_type);
		u.size = (int64_t)f->size;
		u.uploaded_by = auth_of(r)->user.id;
		char rel[64], dst[1200];
		snprintf(rel, sizeof(rel), "%s-%s", r->request_id, strrchr(f->tmp_path, '-') + 1);
		snprintf(u.path, sizeof(u.path), "%s", rel);
		snprintf(dst, sizeof(dst), "%s/%s", a->upload_dir, rel);
		if (rename(f->tmp_path, dst) != 0 || store_upload_create(a->st, &u) != 0) {
			log_error("upload: keeping %s failed: %s", f->tmp_path, strerror(errno));
			json_decref(files);
			http_reply_error(r, 500, "internal", "could not store the upload");
			return;
		}
		json_array_append_new(files, json_pack("{s:I,s:s,s:I,s:s}", "id", (json_int_t)u.id, "name", u.name,
						       "size", (json_int_t)u.size, "content_type", u.content_type));
	}
	if (json_array_size(files) == 0) {
		json_decref(files);
		http_reply_error(r, 422, "invalid_field", "no file in the upload");
		return;
	}
	http_reply_json(r, 201, json_pack("{s:o}", "files", files));
}

static void echo_message(struct ws_conn *ws, int binary, const char *data, size_t len)
{
	ws_send(ws, binary, data, len);
}

static const struct ws_handler echo_ws = { NULL, echo_message, NULL };

static const struct route routes[] = {
	{ M_GET, "/healthz", h_healthz, 0, ACCESS_PUBLIC, NULL, "health", NULL },
	{ M_GET, "/metrics", h_metrics, 0, ACCESS_PUBLIC, NULL, "health", NULL },
	{ M_GET, "/", h_console, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/login", h_console, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/console/*", h_console, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/assets/*", static_handler, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_POST, "/api/v1/uploads", h_upload, ROUTE_UPLOAD, ACCESS_AGENT, NULL, "api", NULL },
	{ M_GET, "/ws/echo", NULL, ROUTE_WS, ACCESS_PUBLIC, NULL, "ws", &echo_ws },
};

void system_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
