/* http/multipart.c - streaming multipart parser (see multipart.h).
 * The trick that keeps it short: the input is treated as if it began with "\r\n", so
 * the first delimiter looks like every other one ("\r\n--boundary"). */
#include "http/multipart.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/util.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MP_MAX_HEADERS 8192

enum mp_state { MP_PREAMBLE, MP_AFTER_DELIM, MP_HEADERS, MP_BODY, MP_DONE, MP_ERROR };

struct multipart {
	enum mp_state state;
	char delim[80];               /* "\r\n--" + boundary */
	size_t delim_len;
	struct buf pending;           /* bytes not yet handed out */
	const struct multipart_cb *cb;
	void *ud;
	char *name, *filename, *ctype;
	int in_part;
};

int multipart_boundary(const char *ctype, char *out, size_t outsz)
{
	if (!ctype || strncasecmp(ctype, "multipart/form-data", 19) != 0 ||
	    (ctype[19] && ctype[19] != ';' && ctype[19] != ' ' && ctype[19] != '\t'))
		return KF_EINVAL;
	const char *b = ctype + 19;
	while ((b = strcasestr(b, "boundary=")) != NULL && b[-1] != ';' && b[-1] != ' ' && b[-1] != '\t')
		b += 9;   /* "xboundary=" is another parameter */
	if (!b)
		return KF_EINVAL;
	b += 9;
	int quoted = *b == '"';
	if (quoted)
		b++;
	size_t n = 0;
	while (b[n] && (quoted ? b[n] != '"' : (b[n] != ';' && b[n] != ' ' && b[n] != '\t')))
		n++;
	if (n == 0 || n > 70 || n + 1 > outsz)
		return KF_EINVAL;
	memcpy(out, b, n);
	out[n] = '\0';
	return 0;
}

struct multipart *multipart_new(const char *boundary, const struct multipart_cb *cb, void *ud)
{
	size_t bl = boundary ? strlen(boundary) : 0;
	if (bl == 0 || bl > 70)
		return NULL;
	struct multipart *m = xcalloc(1, sizeof(*m));
	memcpy(m->delim, "\r\n--", 4);
	memcpy(m->delim + 4, boundary, bl);
	m->delim_len = bl + 4;
	buf_init(&m->pending, 0);
	buf_add(&m->pending, "\r\n", 2);
	m->cb = cb;
	m->ud = ud;
	m->state = MP_PREAMBLE;
	return m;
}

static void part_clear(struct multipart *m)
{
	free(m->name);
	free(m->filename);
	free(m->ctype);
	m->name = m->filename = m->ctype = NULL;
}

void multipart_free(struct multipart *m)
{
	if (!m)
		return;
	part_clear(m);
	buf_release(&m->pending);
	free(m);
}

/* Reads param="value" (or param=value) from a Content-Disposition line. */
static char *disp_param(const char *line, const char *param)
{
	size_t pl = strlen(param);
	for (const char *p = line; (p = strcasestr(p, param)) != NULL; p += pl) {
		if (p != line && p[-1] != ' ' && p[-1] != ';' && p[-1] != '\t')
			continue;
		if (p[pl] != '=')
			continue;
		const char *v = p + pl + 1;
		if (*v == '"') {
			v++;
			const char *e = strchr(v, '"');
			return e ? xstrndup(v, (size_t)(e - v)) : NULL;
		}
		return xstrndup(v, strcspn(v, "; \t"));
	}
	return NULL;
}

static int parse_part_headers(struct multipart *m, char *hdrs)
{
	part_clear(m);
	for (char *line = hdrs; line && *line;) {
		char *eol = strstr(line, "\r\n");
		if (eol)
			*eol = '\0';
		if (strncasecmp(line, "Content-Disposition:", 20) == 0) {
			free(m->name);   /* a repeated header replaces the first */
			free(m->filename);
			m->name = disp_param(line + 20, "name");
			m->filename = disp_param(line + 20, "filename");
		} else if (strncasecmp(line, "Content-Type:", 13) == 0) {
			const char *v = line + 13;
			while (*v == ' ' || *v == '\t')
				v++;
			free(m->ctype);
			m->ctype = xstrdup(v);
		}
		line = eol ? eol + 2 : NULL;
	}
	if (!m->name || (m->filename && !utf8_valid(m->filename, strlen(m->filename))))
		return KF_EINVAL;
	for (const char *p = m->ctype; p && *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return KF_EINVAL;   /* a media type is printable ASCII */
	m->in_part = 1;
	return m->cb->on_part_begin(m->ud, m->name, m->filename,
				    m->ctype ? m->ctype : "application/octet-stream") ? KF_EDENIED : 0;
}

static int end_part(struct multipart *m)
{
	if (!m->in_part)
		return 0;
	m->in_part = 0;
	return m->cb->on_part_end(m->ud) ? KF_EDENIED : 0;
}

/* One step of the state machine; returns 1 to go on, 0 when more input is needed, <0 on error. */
static int step(struct multipart *m)
{
	struct buf *pb = &m->pending;
	char *hit;
	switch (m->state) {
	case MP_PREAMBLE:
	case MP_BODY:
		hit = memmem(pb->ptr, pb->len, m->delim, m->delim_len);
		if (!hit) {
			/* Hand out all but a possible partial delimiter at the end. */
			size_t keep = m->delim_len - 1;
			if (pb->len > keep) {
				size_t out = pb->len - keep;
				if (m->state == MP_BODY && m->cb->on_data(m->ud, pb->ptr, out))
					return KF_EDENIED;
				buf_consume(pb, out);
			}
			return 0;
		}
		if (m->state == MP_BODY && hit > pb->ptr &&
		    m->cb->on_data(m->ud, pb->ptr, (size_t)(hit - pb->ptr)))
			return KF_EDENIED;
		if (m->state == MP_BODY && end_part(m))
			return KF_EDENIED;
		buf_consume(pb, (size_t)(hit - pb->ptr) + m->delim_len);
		m->state = MP_AFTER_DELIM;
		return 1;
	case MP_AFTER_DELIM:
		if (pb->len < 2)
			return 0;
		if (memcmp(pb->ptr, "--", 2) == 0) {
			m->state = MP_DONE;
			return 0;
		}
		/* Transport padding (spaces/tabs) may precede the CRLF. */
		if (pb->ptr[0] == ' ' || pb->ptr[0] == '\t') {
			buf_consume(pb, 1);
			return 1;
		}
		if (memcmp(pb->ptr, "\r\n", 2) != 0)
			return KF_EINVAL;
		buf_consume(pb, 2);
		m->state = MP_HEADERS;
		return 1;
	case MP_HEADERS:
		if (pb->len >= 2 && memcmp(pb->ptr, "\r\n", 2) == 0)
			return KF_EINVAL;   /* a part without Content-Disposition */
		hit = memmem(pb->ptr, pb->len, "\r\n\r\n", 4);
		if (!hit)
			return pb->len > MP_MAX_HEADERS ? KF_EINVAL : 0;
		if ((size_t)(hit - pb->ptr) > MP_MAX_HEADERS)
			return KF_EINVAL;   /* the same cap however the bytes were chunked */
		*hit = '\0';
		{
			char *h = xstrndup(pb->ptr, (size_t)(hit - pb->ptr));
			int rc = parse_part_headers(m, h);
			free(h);
			if (rc)
				return rc;
		}
		buf_consume(pb, (size_t)(hit - pb->ptr) + 4);
		m->state = MP_BODY;
		return 1;
	case MP_DONE:
		buf_reset(pb);  /* the epilogue is ignored */
		return 0;
	case MP_ERROR:
		return KF_EINVAL;
	}
	return KF_EINVAL;
}

int multipart_feed(struct multipart *m, const char *p, size_t n)
{
	if (m->state == MP_ERROR)
		return KF_EINVAL;
	if (m->state == MP_DONE)
		return 0;
	buf_add(&m->pending, p, n);
	int rc;
	while ((rc = step(m)) > 0)
		;
	if (rc < 0)
		m->state = MP_ERROR;
	return rc < 0 ? rc : 0;
}

int multipart_finish(struct multipart *m)
{
	return m->state == MP_DONE ? 0 : KF_EINVAL;
}
