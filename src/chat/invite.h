/* chat/invite.h - the pure part of proactive invitations (docs/invitations.md): whether an
 * automatic rule's conditions hold for a page and a visit. No I/O and no state, so the unit
 * tests can pin the rules down; invite.c re-checks the URL with it when a widget asks, and
 * web/widget/invite.js carries the same rules in JS (keep the two in step).
 *
 * Matching is ASCII case-insensitive throughout: shop owners type patterns by hand, and
 * hosts and UTM values differ in case in the wild. */
#ifndef KF_CHAT_INVITE_H
#define KF_CHAT_INVITE_H
#include <stddef.h>

/* 1 when s matches pattern: '*' stands for any run of characters (none, or any number,
 * '/' included); every other character stands for itself. "" matches only "". */
int invite_glob(const char *pattern, const char *s);

/* 1 when url matches pattern; "" matches any URL. Tried against the whole URL, the path
 * with its query ("/demo?site=1") and the bare path ("/demo"), so a pattern may name the
 * whole URL ("https://shop.example/sale*"), only the path ("/demo") or a part ("*demo*").
 * The fragment is never part of it. */
int invite_url_matches(const char *pattern, const char *url);

/* 1 when needle occurs in hay; "" occurs everywhere. */
int invite_contains(const char *hay, const char *needle);

/* The value of query parameter name in url, percent-decoded ('+' as a space), into out
 * (outsz bytes, cut to fit); 1 when present, else 0 and out is "". */
int invite_query_param(const char *url, const char *name, char *out, size_t outsz);

/* A rule's conditions; "" (or NULL) and 0 mean "any". */
struct invite_cond {
	const char *url_pattern;        /* invite_url_matches */
	const char *visitor;            /* "any", "new" or "returning" */
	const char *referrer_contains;  /* a substring of the visit's landing referrer */
	const char *utm_source, *utm_campaign;   /* exact */
	int min_pages;                  /* pages seen this visit, this one included */
};

/* What the widget knows about this page and this visit. */
struct invite_facts {
	const char *url;                /* this page */
	const char *referrer;           /* the referrer of the visit's first page */
	const char *utm_source, *utm_campaign;   /* the visit's; NULL: read them from url */
	int pages;
	int returning;                  /* the browser was seen before this visit */
};

/* 1 when every condition of c holds for f (time on page is not part of it: the widget
 * times that, and the server does not know it). */
int invite_matches(const struct invite_cond *c, const struct invite_facts *f);

/* invite.c (not pure, declared here because invite.c has no other header of its own): frees
 * the invite_check rate limiter; for chat_shutdown. */
void chat_invite_shutdown(void);

#endif
