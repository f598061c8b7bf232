/* ticket/workflow.h - the after-sales rules (issue 7, point 4), pure so they can be unit-tested
 * without a server: whether a return or exchange of some items of an order is allowed now (and
 * if not, every reason why, in the customer's language), whether a repair is under warranty,
 * and the state machines of returns, repairs and complaints.
 * The shop's rules live in the site setting "aftersales" (crm_site_setting_load); returns.c
 * turns that JSON into struct wf_rules with wf_rules_from_json. Nothing here allocates. */
#ifndef KF_TICKET_WORKFLOW_H
#define KF_TICKET_WORKFLOW_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define WF_MAX_LIST 32          /* categories / SKUs in one rule list */
#define WF_MAX_ITEMS 50         /* items in one request */
#define WF_MAX_REASONS 16
#define WF_DAY 86400

struct wf_rules {
	int return_days;         /* 7 (七天无理由): days after delivery a return may be asked */
	int exchange_days;       /* 15 */
	int warranty_months;     /* 12: repairs under warranty, counted from the order date */
	int exclude_opened;      /* 1: an item the customer says was opened cannot be returned */
	int exclude_final_sale;  /* 1: the SKUs in final_sale cannot be returned or exchanged */
	char no_return[WF_MAX_LIST][128];   /* categories never returnable */
	size_t n_no_return;
	char final_sale[WF_MAX_LIST][65];   /* SKUs sold as final sale */
	size_t n_final_sale;
};
/* The defaults above, no lists. */
void wf_rules_default(struct wf_rules *r);
/* r from the stored JSON (missing keys keep the defaults); 0, or KF_EINVAL with err for a value
 * out of range (days 0..365, months 0..120, list items non-empty strings that fit). */
int wf_rules_from_json(const json_t *j, struct wf_rules *r, char *err, size_t errsz);
json_t *wf_rules_to_json(const struct wf_rules *r);

/* One line of the order, as bought. */
struct wf_line {
	const char *sku, *category;
	int64_t quantity;
};
/* One item the customer asks about. open_qty: how many of this SKU are already in open (not
 * refused, not finished) requests of the same order. */
struct wf_pick {
	const char *sku;
	int64_t quantity;
	int opened;
	int64_t open_qty;
};
struct wf_order {
	const char *status;      /* paid shipped delivered cancelled returned */
	int64_t delivered_at;    /* the time of the delivered push (orders.updated_at) */
	const struct wf_line *lines;
	size_t nlines;
};
/* Why not: a code (below) and the SKU it concerns ("" for the whole request). */
struct wf_reason {
	const char *code;
	char sku[65];
};
/* Codes: not_delivered window_closed no_items unknown_item quantity category_excluded
 * final_sale opened open_request warranty_expired. */

/* Eligibility of a return (exchange = 0) or exchange (1) of picks at time now. Returns the
 * number of reasons written to out (0 = eligible); at most max, the rest dropped. */
size_t wf_check_return(const struct wf_rules *r, const struct wf_order *o, const struct wf_pick *picks,
		       size_t npicks, int exchange, int64_t now, struct wf_reason *out, size_t max);
/* 1 when a repair asked at now is under warranty for an order placed at placed_at. Months are
 * calendar months (UTC): placed on 31 Jan + 1 month = end of February. */
int wf_warranty_ok(const struct wf_rules *r, int64_t placed_at, int64_t now);
/* The text of a reason code in lang (zh-CN, zh-TW, en; others: zh-CN). Never NULL. */
const char *wf_reason_text(const char *code, const char *lang);

/* ---- the state machines ---- */
/* The states of type (return repair complaint), the happy path first, NULL-terminated;
 * NULL for a type without a workflow. */
const char *const *wf_states(const char *type);
/* The state a new request of type starts in (requested, received, open), or NULL. */
const char *wf_initial(const char *type);
/* 1 when type may move from -> to. */
int wf_can_move(const char *type, const char *from, const char *to);
/* The states reachable from from (at most max into out); their count. */
size_t wf_next(const char *type, const char *from, const char **out, size_t max);
/* 1 when nothing follows state (refused refunded exchanged shipped_back resolved). */
int wf_final(const char *type, const char *state);
/* 1 when to needs a reason from the agent (refused; resolved takes an outcome). */
int wf_needs_reason(const char *to);
/* The name of a state in lang, for the status page and the e-mails. Never NULL. */
const char *wf_state_text(const char *state, const char *lang);

/* The language of a tag (en*, zh-TW/zh-HK/zh-Hant*, zh*): "en", "zh-TW", "zh-CN"; NULL for
 * others. n: the tag's length. */
const char *wf_lang(const char *tag, size_t n);

/* ---- the server side: returns.c (REST) and status_page.c (/t/<id>) ---- */
struct app;
struct http_server;
struct http_req;
struct ticket;
/* The REST routes: the site's rules, eligibility, requests, the agents' moves. */
void wf_register(struct http_server *s);
/* The customer's status page and its reply form. */
void wf_status_page_register(struct http_server *s);
void wf_shutdown(void);   /* frees the rate limiters */
/* (Links in e-mails start with ticket_public_base and the customer's language is ticket_lang,
 * both in ticket.h: one rule for every part.) */
/* The steps a status page shows for t (the happy path, or the path t took), at most max. */
size_t wf__path(const struct ticket *t, const char **out, size_t max);
void wf__status_page_shutdown(void);

#endif
