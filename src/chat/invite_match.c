/* chat/invite_match.c - whether an automatic invitation rule matches a page and a visit
 * (invite.h). Pure string work on bounded inputs: the glob is the classic greedy matcher
 * that backtracks only to the last '*', so it needs no recursion and no memory. */
#include "chat/invite.h"
#include "core/util.h"
#include <stdio.h>
#include <string.h>

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* pattern (NUL-terminated) against s[0..n). */
static int glob_n(const char *p, const char *s, size_t n)
{
	const char *star = NULL;
	size_t i = 0, mark = 0;
	while (i < n) {
		if (*p == '*') {
			star = ++p;
			mark = i;
		} else if (*p && lower((unsigned char)*p) == lower((unsigned char)s[i])) {
			p++;
			i++;
		} else if (star) {
			/* the last '*' swallows one more character; everything after it starts over */
			p = star;
			i = ++mark;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

int invite_glob(const char *pattern, const char *s)
{
	return glob_n(pattern ? pattern : "", s ? s : "", s ? strlen(s) : 0);
}

int invite_url_matches(const char *pattern, const char *url)
{
	if (!pattern || !*pattern)
		return 1;
	if (!url)
		return 0;
	size_t n = strcspn(url, "#");
	if (glob_n(pattern, url, n))
		return 1;
	/* The path starts at the first '/' after "scheme://host"; a URL without a scheme is a path. */
	const char *path = url, *sch = strstr(url, "://");
	if (sch && (size_t)(sch - url) < n) {
		path = sch + 3;
		path += strcspn(path, "/#");
		if (*path != '/')
			return glob_n(pattern, "/", 1);   /* "https://shop.example" is the page "/" */
	}
	size_t with_query = n - (size_t)(path - url);
	return glob_n(pattern, path, with_query) || glob_n(pattern, path, strcspn(path, "?#"));
}

int invite_contains(const char *hay, const char *needle)
{
	if (!needle || !*needle)
		return 1;
	if (!hay)
		return 0;
	size_t m = strlen(needle);
	for (; *hay; hay++) {
		size_t k = 0;
		while (k < m && hay[k] && lower((unsigned char)hay[k]) == lower((unsigned char)needle[k]))
			k++;
		if (k == m)
			return 1;
	}
	return 0;
}

int invite_query_param(const char *url, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);
	if (!outsz)
		return 0;
	out[0] = '\0';
	size_t before_fragment = url ? strcspn(url, "#") : 0;
	const char *q = url ? memchr(url, '?', before_fragment) : NULL;
	if (!q)
		return 0;
	for (q++; *q && *q != '#';) {
		size_t len = strcspn(q, "&#");
		if (len > nl && q[nl] == '=' && strncmp(q, name, nl) == 0) {
			size_t vl = len - nl - 1 < outsz - 1 ? len - nl - 1 : outsz - 1;
			memcpy(out, q + nl + 1, vl);
			out[vl] = '\0';
			long d = url_decode(out, vl, 1);
			if (d < 0)   /* a broken escape: keep the raw text */
				out[vl] = '\0';
			else
				out[d] = '\0';
			return 1;
		}
		q += len;
		if (*q == '&')
			q++;
	}
	return 0;
}

/* An exact, case-insensitive comparison; want "" accepts anything. */
static int same(const char *want, const char *got)
{
	if (!want || !*want)
		return 1;
	if (!got || strlen(got) != strlen(want))
		return 0;
	for (; *want; want++, got++)
		if (lower((unsigned char)*want) != lower((unsigned char)*got))
			return 0;
	return 1;
}

int invite_matches(const struct invite_cond *c, const struct invite_facts *f)
{
	char src[256], camp[256];
	const char *vis = c->visitor && *c->visitor ? c->visitor : "any";
	if (!invite_url_matches(c->url_pattern, f->url) || f->pages < c->min_pages)
		return 0;
	if ((strcmp(vis, "new") == 0 && f->returning) || (strcmp(vis, "returning") == 0 && !f->returning))
		return 0;
	if (!invite_contains(f->referrer ? f->referrer : "", c->referrer_contains))
		return 0;
	if (f->utm_source)
		snprintf(src, sizeof(src), "%s", f->utm_source);
	else
		invite_query_param(f->url, "utm_source", src, sizeof(src));
	if (f->utm_campaign)
		snprintf(camp, sizeof(camp), "%s", f->utm_campaign);
	else
		invite_query_param(f->url, "utm_campaign", camp, sizeof(camp));
	return same(c->utm_source, src) && same(c->utm_campaign, camp);
}
