/* kb/render.c - an article's Markdown answer to HTML with cmark, safe to show anywhere.
 * cmark's safe mode (never CMARK_OPT_UNSAFE) already drops raw HTML and javascript:-style
 * links; on top of it raw HTML is turned into visible text (an editor who pastes <b>hi</b>
 * sees it, escaped, instead of losing it silently), and link and image addresses are held to
 * an allow-list: links http(s), mailto and relative; images http(s) and relative only. */
#include "kb/kb.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include <cmark.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 1 when url has no scheme (relative, "//host" included) or one of the allowed ones. A scheme
 * is whatever precedes the first ':' that comes before any '/', '?' or '#'; anything odd
 * there ("java\tscript:", " javascript:") is refused rather than second-guessed. */
static int url_ok(const char *url, int image)
{
	size_t n = strcspn(url, ":/?#");
	if (url[n] != ':')
		return 1;
	if (n == 4 && strncasecmp(url, "http", 4) == 0)
		return 1;
	if (n == 5 && strncasecmp(url, "https", 5) == 0)
		return 1;
	return !image && n == 6 && strncasecmp(url, "mailto", 6) == 0;
}

struct nodes {
	cmark_node **v;
	size_t n, cap;
};

static void nodes_push(struct nodes *l, cmark_node *x)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = x;
}

static int needs_fix(cmark_node *x)
{
	switch (cmark_node_get_type(x)) {
	case CMARK_NODE_HTML_BLOCK:
	case CMARK_NODE_HTML_INLINE:
		return 1;
	case CMARK_NODE_LINK:
		return !url_ok(cmark_node_get_url(x) ? cmark_node_get_url(x) : "", 0);
	case CMARK_NODE_IMAGE:
		return !url_ok(cmark_node_get_url(x) ? cmark_node_get_url(x) : "", 1);
	default:
		return 0;
	}
}

static cmark_node *text_node(const char *literal)
{
	cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);
	cmark_node_set_literal(t, literal ? literal : "");
	return t;
}

/* Raw HTML becomes text (a block one inside its own paragraph); a bad link keeps its text
 * without the link; a bad image leaves its description. */
static void fix(cmark_node *x)
{
	cmark_node_type type = cmark_node_get_type(x);
	cmark_node *repl = NULL;
	if (type == CMARK_NODE_HTML_BLOCK) {
		repl = cmark_node_new(CMARK_NODE_PARAGRAPH);
		cmark_node_append_child(repl, text_node(cmark_node_get_literal(x)));
	} else if (type == CMARK_NODE_HTML_INLINE) {
		repl = text_node(cmark_node_get_literal(x));
	} else {
		cmark_node *c;
		while ((c = cmark_node_first_child(x)) != NULL) {
			cmark_node_unlink(c);
			cmark_node_insert_before(x, c);
		}
		cmark_node_unlink(x);
		cmark_node_free(x);
		return;
	}
	cmark_node_replace(x, repl);
	cmark_node_free(x);
}

int kb_render_markdown(const char *md, struct buf *html)
{
	const int opts = CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;
	cmark_node *doc = cmark_parse_document(md ? md : "", md ? strlen(md) : 0, opts);
	if (!doc)
		return KF_ENOMEM;
	/* collect first: the tree must not change under the iterator */
	struct nodes l = { NULL, 0, 0 };
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
		if (ev == CMARK_EVENT_ENTER && needs_fix(cmark_iter_get_node(it)))
			nodes_push(&l, cmark_iter_get_node(it));
	cmark_iter_free(it);
	for (size_t i = 0; i < l.n; i++)
		fix(l.v[i]);
	free(l.v);
	char *out = cmark_render_html(doc, opts);
	cmark_node_free(doc);
	if (!out)
		return KF_ENOMEM;
	int rc = buf_adds(html, out);
	free(out);
	return rc ? rc : html->err;
}
