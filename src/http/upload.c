/* http/upload.c - multipart/form-data bodies streamed to files under the upload dir.
 * Each file part goes to UPLOAD_DIR/tmp/<request>-<n>; a handler that keeps a file
 * renames it away, and whatever is left is removed when the request ends. */
#include "http/server_int.h"
#include "http/multipart.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "core/log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIELD_MAX 65536

struct upload {
	struct http_req *r;
	int fd, nfiles;
	struct http_file *cur;
	struct buf field;
	const char *field_name;
	uint64_t total;
};

static int part_begin(void *ud, const char *name, const char *filename, const char *ctype)
{
	struct upload *u = ud;
	struct http_req *r = u->r;
	if (!filename) {
		u->field_name = arena_strdup(&r->arena, name);
		buf_init(&u->field, FIELD_MAX);
		return 0;
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/tmp/%s-%d", r->srv->upload_dir, r->request_id, ++u->nfiles);
	u->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (u->fd < 0) {
		log_error("upload: cannot create %s: %s", path, strerror(errno));
		return 1;
	}
	struct http_file *f = arena_alloc(&r->arena, sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->field = arena_strdup(&r->arena, name);
	f->filename = arena_strdup(&r->arena, filename);
	f->content_type = arena_strdup(&r->arena, ctype);
	f->tmp_path = arena_strdup(&r->arena, path);
	*r->files_tail = f;
	r->files_tail = &f->next;
	u->cur = f;
	return 0;
}

static int part_data(void *ud, const char *p, size_t n)
{
	struct upload *u = ud;
	if (!u->cur)
		return buf_add(&u->field, p, n) ? 1 : 0;
	while (n) {
		ssize_t w = write(u->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			log_error("upload: write failed: %s", strerror(errno));
			return 1;
		}
		p += w;
		n -= (size_t)w;
		u->cur->size += (uint64_t)w;
	}
	return 0;
}

static int part_end(void *ud)
{
	struct upload *u = ud;
	struct http_req *r = u->r;
	if (u->cur) {
		close(u->fd);
		u->fd = -1;
		u->cur = NULL;
		return 0;
	}
	struct http_field *f = arena_alloc(&r->arena, sizeof(*f));
	f->name = u->field_name;
	f->value = arena_strndup(&r->arena, u->field.ptr, u->field.len);
	f->next = r->fields;
	r->fields = f;
	buf_release(&u->field);
	return 0;
}

static const struct multipart_cb mp_cb = { part_begin, part_data, part_end };

int upload__begin(struct http_req *r, char *err_code, size_t errsz)
{
	char boundary[80];
	if (multipart_boundary(http_header(r, "content-type"), boundary, sizeof(boundary))) {
		snprintf(err_code, errsz, "unsupported_media_type");
		return KF_EINVAL;
	}
	if (!r->srv->upload_dir) {
		snprintf(err_code, errsz, "internal");
		return KF_EIO;
	}
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s/tmp", r->srv->upload_dir);
	mkdir(r->srv->upload_dir, 0700);
	mkdir(tmp, 0700);
	struct upload *u = xcalloc(1, sizeof(*u));
	u->r = r;
	u->fd = -1;
	buf_init(&u->field, FIELD_MAX);
	r->upload = u;
	r->mp = multipart_new(boundary, &mp_cb, u);
	if (!r->mp) {
		snprintf(err_code, errsz, "unsupported_media_type");
		return KF_EINVAL;
	}
	return 0;
}

int upload__body(struct http_req *r, const char *p, size_t n)
{
	struct upload *u = r->upload;
	u->total += n;
	if (u->total > r->srv->lim.max_upload_bytes) {
		http_deny(r, 413, "upload_too_large", "the upload is too large");
		return 1;
	}
	if (multipart_feed(r->mp, p, n)) {
		http_deny(r, 400, "bad_request", "the multipart body is malformed");
		return 1;
	}
	return 0;
}

int upload__finish(struct http_req *r)
{
	return multipart_finish(r->mp);
}

void upload__cleanup(struct http_req *r)
{
	struct upload *u = r->upload;
	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	buf_release(&u->field);
	for (struct http_file *f = r->files; f; f = f->next)
		if (f->tmp_path)
			unlink(f->tmp_path);   /* ENOENT when the handler kept it */
	multipart_free(r->mp);
	r->mp = NULL;
	free(u);
	r->upload = NULL;
}
