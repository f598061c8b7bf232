/* ticket/mime.c - one raw e-mail -> struct mime_msg (see mime.h). GMime does the MIME
 * structure, RFC 2047/2231 words and transfer encodings; this file picks what a ticket keeps,
 * turns every charset into UTF-8 itself (so a GBK body labelled GB2312 still reads right) and
 * recognises auto-replies so they never open tickets or answer each other in a loop. */
#include "ticket/mime.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/util.h"
#include <ctype.h>
#include <errno.h>
#include <gmime/gmime.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void mime_global_init(void)
{
	static int done;
	if (!done) {
		g_mime_init();
		done = 1;
	}
}

/* ---- charsets ---- */

/* GB2312 and GBK mail is routinely mislabelled; GB18030 is a superset of both. */
static const char *iconv_name(const char *cs)
{
	if (!cs || !*cs || strcasecmp(cs, "us-ascii") == 0 || strcasecmp(cs, "utf8") == 0)
		return "UTF-8";
	if (strcasecmp(cs, "gb2312") == 0 || strcasecmp(cs, "gbk") == 0 || strcasecmp(cs, "x-gbk") == 0 ||
	    strcasecmp(cs, "cp936") == 0 || strcasecmp(cs, "euc-cn") == 0)
		return "GB18030";
	if (strcasecmp(cs, "big5") == 0 || strcasecmp(cs, "x-big5") == 0 || strcasecmp(cs, "cp950") == 0)
		return "BIG5-HKSCS";
	return cs;
}

/* Converts with iconv, writing U+FFFD for each byte it cannot read. */
static int convert(iconv_t cd, const char *data, size_t n, struct buf *out)
{
	char *in = (char *)data;
	size_t left = n;
	while (left) {
		char tmp[4096], *o = tmp;
		size_t room = sizeof(tmp);
		size_t rc = iconv(cd, &in, &left, &o, &room);
		buf_add(out, tmp, (size_t)(o - tmp));
		if (rc == (size_t)-1 && errno == E2BIG)
			continue;
		if (rc == (size_t)-1) {   /* EILSEQ or EINVAL (truncated): skip one byte */
			buf_adds(out, "\xEF\xBF\xBD");
			in++;
			left--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	return out->err ? KF_ENOMEM : 0;
}

char *mime_to_utf8(const char *data, size_t n, const char *charset)
{
	const char *cs = iconv_name(charset);
	/* text that says UTF-8 (or nothing) but is not: most likely unlabelled Chinese */
	if (strcmp(cs, "UTF-8") == 0 && !utf8_valid(data, n))
		cs = "GB18030";
	iconv_t cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	if (convert(cd, data, n, &b) != 0) {
		iconv_close(cd);
		buf_release(&b);
		return NULL;
	}
	iconv_close(cd);
	buf_addc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* ---- HTML -> text ---- */

static const struct { const char *name, *text; } entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" }, { "nbsp", " " },
	{ "copy", "\xC2\xA9" }, { "reg", "\xC2\xAE" }, { "yen", "\xC2\xA5" }, { "middot", "\xC2\xB7" },
	{ "hellip", "\xE2\x80\xA6" }, { "mdash", "\xE2\x80\x94" }, { "ndash", "\xE2\x80\x93" },
	{ "ldquo", "\xE2\x80\x9C" }, { "rdquo", "\xE2\x80\x9D" }, { "lsquo", "\xE2\x80\x98" }, { "rsquo", "\xE2\x80\x99" },
};

static void add_codepoint(struct buf *b, unsigned long c)
{
	char u[4];
	if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		c = 0xFFFD;
	if (c < 0x80) {
		buf_addc(b, (char)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | (c >> 6)), u[1] = (char)(0x80 | (c & 0x3F));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | (c >> 12)), u[1] = (char)(0x80 | ((c >> 6) & 0x3F)), u[2] = (char)(0x80 | (c & 0x3F));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (c >> 18)), u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3F)), u[3] = (char)(0x80 | (c & 0x3F));
		buf_add(b, u, 4);
	}
}

/* s points after '&'; returns the bytes consumed after it (0: not an entity, '&' kept). */
static size_t entity(const char *s, size_t n, struct buf *b)
{
	size_t semi = 0;
	while (semi < n && semi < 12 && s[semi] != ';')
		semi++;
	if (semi >= n || s[semi] != ';' || semi == 0)
		return 0;
	if (s[0] == '#') {
		int hex = semi > 1 && (s[1] == 'x' || s[1] == 'X');
		char num[16];
		snprintf(num, sizeof(num), "%.*s", (int)(semi - 1 - (size_t)hex), s + 1 + hex);
		char *end;
		unsigned long c = strtoul(num, &end, hex ? 16 : 10);
		if (!num[0] || *end)
			return 0;
		add_codepoint(b, c);
		return semi + 1;
	}
	for (size_t i = 0; i < KF_ARRAY_LEN(entities); i++)
		if (strlen(entities[i].name) == semi && memcmp(entities[i].name, s, semi) == 0) {
			buf_adds(b, entities[i].text);
			return semi + 1;
		}
	return 0;
}

/* The tag's name, lowercased, into name; 1 for an end tag. */
static int tag_name(const char *t, size_t n, char *name, size_t namesz)
{
	size_t i = 0, k = 0;
	int end = n > 0 && t[0] == '/';
	i = (size_t)end;
	while (i < n && k + 1 < namesz && (isalnum((unsigned char)t[i])))
		name[k++] = (char)tolower((unsigned char)t[i++]);
	name[k] = '\0';
	return end;
}

static int is_block(const char *name)
{
	static const char *const blocks[] = { "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
					      "blockquote", "table", "ul", "ol", "hr", "pre" };
	for (size_t i = 0; i < KF_ARRAY_LEN(blocks); i++)
		if (strcmp(name, blocks[i]) == 0)
			return 1;
	return 0;
}

/* Where the element skipped (script, style, head, title) ends: after its end tag, or n. */
static size_t skip_element(const char *h, size_t n, size_t i, const char *name)
{
	char close[16];
	int cl = snprintf(close, sizeof(close), "</%s", name);
	for (; i + (size_t)cl <= n; i++)
		if (h[i] == '<' && strncasecmp(h + i, close, (size_t)cl) == 0) {
			const char *gt = memchr(h + i, '>', n - i);
			return gt ? (size_t)(gt - h) + 1 : n;
		}
	return n;
}

/* Collapses spaces (HTML source whitespace means one space) and runs of blank lines. */
static void tidy(const char *s, size_t n, struct buf *out)
{
	int nl = 2, sp = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n') {
			if (nl < 2)
				buf_addc(out, '\n');
			nl++;
			sp = 0;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			sp = 1;
		} else {
			if (sp && !nl)
				buf_addc(out, ' ');
			buf_addc(out, c);
			nl = sp = 0;
		}
	}
	while (out->len && out->ptr[out->len - 1] == '\n')
		out->len--;
}

int mime_html_to_text(const char *h, size_t n, struct buf *out)
{
	struct buf raw;
	buf_init(&raw, 0);
	for (size_t i = 0; i < n;) {
		if (h[i] == '<') {
			const char *gt = memchr(h + i, '>', n - i);
			size_t end = gt ? (size_t)(gt - h) + 1 : n;
			char name[16];
			int closing = tag_name(h + i + 1, end - i - 1, name, sizeof(name));
			if (!closing && (!strcmp(name, "script") || !strcmp(name, "style") || !strcmp(name, "head") ||
					 !strcmp(name, "title")))
				end = skip_element(h, n, end, name);
			else if (is_block(name))
				buf_addc(&raw, '\n');
			i = end;
		} else if (h[i] == '&') {
			size_t used = entity(h + i + 1, n - i - 1, &raw);
			if (!used)
				buf_addc(&raw, '&');
			i += 1 + used;
		} else {
			/* source line breaks are spaces in HTML */
			buf_addc(&raw, h[i] == '\n' ? ' ' : h[i]);
			i++;
		}
	}
	tidy(raw.ptr ? raw.ptr : "", raw.len, out);
	int rc = raw.err || out->err ? KF_ENOMEM : 0;
	buf_release(&raw);
	return rc;
}

/* ---- auto-replies ---- */

const char *mime_auto_subject(const char *s)
{
	static const char *const starts[] = { "out of office", "auto:", "automatic reply", "autoreply", "auto-reply",
					      "auto reply", "自动回复", "自動回覆", "自動回复", "自动答复", "不在办公室",
					      "休假", "delivery status notification", "undeliverable", "undelivered mail",
					      "退信", "系统退信" };
	while (*s == ' ')
		s++;
	for (size_t i = 0; i < KF_ARRAY_LEN(starts); i++)
		if (strncasecmp(s, starts[i], strlen(starts[i])) == 0)
			return "auto-reply subject";
	return NULL;
}

static const char *header(GMimeMessage *msg, const char *name)
{
	return g_mime_object_get_header(GMIME_OBJECT(msg), name);
}

static const char *auto_reason(GMimeMessage *msg, const struct mime_msg *m)
{
	const char *v = header(msg, "Auto-Submitted");
	if (v && strncasecmp(v, "no", 2) != 0)
		return "Auto-Submitted";
	if (header(msg, "X-Autoreply") || header(msg, "X-Autorespond") || header(msg, "X-Auto-Response-Suppress"))
		return "auto-reply header";
	v = header(msg, "Precedence");
	if (v && (strcasestr(v, "bulk") || strcasestr(v, "auto_reply") || strcasestr(v, "list") || strcasestr(v, "junk")))
		return "Precedence";
	const char *at = strchr(m->from_addr, '@');
	size_t local = at ? (size_t)(at - m->from_addr) : 0;
	if ((local == 13 && strncmp(m->from_addr, "mailer-daemon", 13) == 0) ||
	    (local == 10 && strncmp(m->from_addr, "postmaster", 10) == 0))
		return "mailer-daemon sender";
	return mime_auto_subject(m->subject);
}

/* ---- headers ---- */

static void lower_copy(char *out, size_t outsz, const char *s)
{
	utf8_copy(out, outsz, s ? s : "");
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static int first_mailbox(InternetAddressList *l, char *name, size_t namesz, char *addr, size_t addrsz)
{
	int n = l ? internet_address_list_length(l) : 0;
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		if (name)
			utf8_copy(name, namesz, internet_address_get_name(ia) ? internet_address_get_name(ia) : "");
		lower_copy(addr, addrsz, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
		return addr[0] && strchr(addr, '@') ? 0 : KF_EINVAL;
	}
	return KF_EINVAL;
}

static void add_ref(struct mime_msg *m, const char *id)
{
	if (!id || !*id || strlen(id) >= sizeof(m->refs[0]) || m->nrefs >= MIME_REFS_MAX)
		return;
	for (size_t i = 0; i < m->nrefs; i++)
		if (strcmp(m->refs[i], id) == 0)
			return;
	snprintf(m->refs[m->nrefs++], sizeof(m->refs[0]), "%s", id);
}

static void thread_ids(GMimeMessage *msg, struct mime_msg *m)
{
	const char *irt = header(msg, "In-Reply-To"), *refs = header(msg, "References");
	GMimeReferences *r = irt ? g_mime_references_parse(NULL, irt) : NULL;
	if (r && g_mime_references_length(r) > 0) {
		snprintf(m->in_reply_to, sizeof(m->in_reply_to), "%s", g_mime_references_get_message_id(r, 0));
		add_ref(m, m->in_reply_to);
	}
	if (r)
		g_mime_references_free(r);
	r = refs ? g_mime_references_parse(NULL, refs) : NULL;
	for (int i = r ? g_mime_references_length(r) - 1 : -1; i >= 0; i--)
		add_ref(m, g_mime_references_get_message_id(r, i));
	if (r)
		g_mime_references_free(r);
}

static void read_headers(GMimeMessage *msg, struct mime_msg *m)
{
	const char *s = g_mime_message_get_subject(msg), *id = g_mime_message_get_message_id(msg);
	utf8_copy(m->subject, sizeof(m->subject), s ? s : "");
	for (char *p = m->subject; *p; p++)   /* unfolded, no control bytes */
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	/* a longer id could never be filed (ticket_create keeps 250): the caller makes one instead */
	if (id && strlen(id) <= MIME_MSGID_MAX && !strpbrk(id, " \t\r\n<>"))
		snprintf(m->message_id, sizeof(m->message_id), "%s", id);
	first_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), NULL, 0, m->to, sizeof(m->to));
	GDateTime *d = g_mime_message_get_date(msg);
	m->date = d ? (int64_t)g_date_time_to_unix(d) : 0;
	thread_ids(msg, m);
}

/* ---- parts ---- */

struct walk {
	struct mime_msg *m;
	char *text, *html;            /* UTF-8, the first of each */
};

/* The part's decoded bytes (transfer encoding undone). */
static GByteArray *part_bytes(GMimePart *part, GMimeStream **keep)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	*keep = g_mime_stream_mem_new();
	if (w)
		g_mime_data_wrapper_write_to_stream(w, *keep);
	return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(*keep));
}

static void add_attachment(struct mime_msg *m, GMimePart *part, const char *type, GByteArray *ba)
{
	if (m->natt >= MIME_ATT_MAX) {
		m->dropped++;
		return;
	}
	struct mime_att *a = &m->att[m->natt++];
	const char *name = g_mime_part_get_filename(part);
	utf8_copy(a->name, sizeof(a->name), name && *name ? name : "attachment");
	lower_copy(a->content_type, sizeof(a->content_type), type);
	a->len = ba->len;
	a->data = xmalloc(ba->len ? ba->len : 1);
	if (ba->len)   /* an empty part's array may have no data at all */
		memcpy(a->data, ba->data, ba->len);
}

static void on_part(GMimeObject *parent, GMimeObject *obj, gpointer ud)
{
	struct walk *w = ud;
	KF_UNUSED(parent);
	if (!GMIME_IS_PART(obj))
		return;
	GMimePart *part = GMIME_PART(obj);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *type = g_mime_content_type_get_mime_type(ct);
	int is_text = strcasecmp(type, "text/plain") == 0, is_html = strcasecmp(type, "text/html") == 0;
	int attached = g_mime_part_is_attachment(part) || g_mime_part_get_filename(part);
	GMimeStream *keep;
	GByteArray *ba = part_bytes(part, &keep);
	if (!attached && ((is_text && !w->text) || (is_html && !w->html))) {
		const char *bytes = ba->len ? (const char *)ba->data : "";
		char *u = mime_to_utf8(bytes, ba->len, g_mime_content_type_get_parameter(ct, "charset"));
		if (!u)   /* an unknown charset: read it as UTF-8, replacing what does not fit */
			u = mime_to_utf8(bytes, ba->len, "UTF-8");
		*(is_text ? &w->text : &w->html) = u;
	} else if (attached || (!is_text && !is_html)) {
		add_attachment(w->m, part, type, ba);
	}
	g_object_unref(keep);
	g_free(type);
}

static char *pick_body(struct walk *w)
{
	if (w->text) {
		free(w->html);
		return w->text;
	}
	struct buf b;
	buf_init(&b, 0);
	if (w->html)
		mime_html_to_text(w->html, strlen(w->html), &b);
	free(w->html);
	buf_addc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* ---- the whole ---- */

static GMimeMessage *construct(const char *raw, size_t len)
{
	static const char *fallback[] = { "UTF-8", "GB18030", NULL };
	GMimeParserOptions *opts = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *msg = g_mime_parser_construct_message(p, opts);
	g_object_unref(p);
	g_object_unref(s);
	g_mime_parser_options_free(opts);
	return msg;
}

int mime_parse(const char *raw, size_t len, size_t max_bytes, struct mime_msg *m, char *err, size_t errsz)
{
	memset(m, 0, sizeof(*m));
	m->size = len;
	if (max_bytes && len > max_bytes) {
		snprintf(err, errsz, "too big: %zu bytes (max %zu)", len, max_bytes);
		return KF_ETOOBIG;
	}
	GMimeMessage *msg = construct(raw, len);
	if (!msg || first_mailbox(g_mime_message_get_from(msg), m->from_name, sizeof(m->from_name), m->from_addr,
				  sizeof(m->from_addr)) != 0) {
		if (msg)
			g_object_unref(msg);
		memset(m, 0, sizeof(*m));
		snprintf(err, errsz, "malformed: no message with a From address");
		return KF_EINVAL;
	}
	read_headers(msg, m);
	m->auto_reply = auto_reason(msg, m);
	struct walk w = { m, NULL, NULL };
	g_mime_message_foreach(msg, on_part, &w);
	m->body = pick_body(&w);
	g_object_unref(msg);
	return 0;
}

void mime_msg_free(struct mime_msg *m)
{
	for (size_t i = 0; i < m->natt; i++)
		free(m->att[i].data);
	free(m->body);
	memset(m, 0, sizeof(*m));
}
