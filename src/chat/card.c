/* chat/card.c - an agent sends one of the customer's orders into the chat as a card (issue 6):
 * {"type":"send_order","conversation_id","number","client_id"?}. The order must be of the
 * conversation's site and of the customer the visitor is (actively) identified as, so an agent
 * can never show one shopper another's order. Identified means signed in by the shop or
 * confirmed by an agent (crm/confirm.c): the card is the agent's own act, and the agent's
 * confirmation is the way of knowing a visitor. What the visitor reads by themselves
 * (/orders/mine, /offers/mine) needs the shop's signature (crm_widget_customer). The message is kind "text" with a plain fallback
 * in the visitor's language (transcripts, search, e-mail and old widgets read that) and a `card`
 * object the widget and the console draw (docs/chat-protocol.md "Order cards"). */
#include "chat/chat_int.h"
#include "crm/crm.h"
#include "store/store_crm.h"
#include "app/app.h"
#include "core/json.h"
#include "core/kf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CARD_MAX_ITEMS 20   /* a card lists at most this many lines; the rest is the shop's page */

/* The fallback's words: 0 zh-CN, 1 zh-TW, 2 en. */
static const char *const word_order[3] = { "订单", "訂單", "Order" };
static const struct {
	const char *status, *w[3];
} status_words[] = {
	{ "paid", { "已付款", "已付款", "paid" } },
	{ "shipped", { "已发货", "已出貨", "shipped" } },
	{ "delivered", { "已签收", "已簽收", "delivered" } },
	{ "cancelled", { "已取消", "已取消", "cancelled" } },
	{ "returned", { "已退货", "已退貨", "returned" } },
};

/* The visitor's language as one of the three the texts exist in; zh-CN when unknown. */
static int lang_index(const char *lang)
{
	if (strncmp(lang, "en", 2) == 0)
		return 2;
	if (strncmp(lang, "zh-TW", 5) == 0 || strncmp(lang, "zh-HK", 5) == 0 || strncmp(lang, "zh-Hant", 7) == 0)
		return 1;
	return 0;
}

static const char *status_word(const char *status, int li)
{
	for (size_t i = 0; i < KF_ARRAY_LEN(status_words); i++)
		if (strcmp(status_words[i].status, status) == 0)
			return status_words[i].w[li];
	return status;
}

/* "订单 SO-1001 · 已发货 · 398.00 CNY · SF Express SF1234567890" */
static void fallback_text(const struct store_order *o, int li, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s %s · %s · %lld.%02lld %s", word_order[li], o->number, status_word(o->status, li),
			 (long long)(o->total_cents / 100), (long long)(o->total_cents % 100), o->currency);
	if (n > 0 && (size_t)n < outsz && (o->carrier[0] || o->tracking[0]))
		snprintf(out + n, outsz - (size_t)n, " · %s%s%s", o->carrier, o->carrier[0] && o->tracking[0] ? " " : "",
			 o->tracking);
}

static json_t *card_json(const struct store_order *o)
{
	json_t *items = json_array();
	for (size_t i = 0; i < o->nitems && i < CARD_MAX_ITEMS; i++)
		json_array_append_new(items, json_pack("{s:s,s:I}", "name", o->items[i].name, "quantity",
						       (json_int_t)o->items[i].quantity));
	return json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:o,s:s,s:s}", "type", "order", "number", o->number, "status", o->status,
			 "placed_at", (json_int_t)o->placed_at, "total_cents", (json_int_t)o->total_cents, "currency",
			 o->currency, "items", items, "carrier", o->carrier, "tracking", o->tracking);
}

/* The conversation of the frame when this agent owns it and it is open; else answers. */
static int own_conv(struct aconn *a, json_t *msg, const char *cid, struct store_conv *c)
{
	json_t *idv = json_object_get(msg, "conversation_id");
	json_int_t id = json_integer_value(idv);
	if (!json_is_integer(idv) || id <= 0) {
		hub_error(a->ws, "invalid_field", "conversation_id must be a positive integer", cid);
		return KF_EINVAL;
	}
	if (store_conv_get(a->app->st, id, c) != 0 || !hub_agent_covers(a, c->site_id)) {
		hub_error(a->ws, "not_found", "no such conversation", cid);
		return KF_ENOTFOUND;
	}
	if (c->agent_id != a->user_id || strcmp(c->status, "active") != 0) {
		hub_error(a->ws, "forbidden", "send an order only into an open chat you own", cid);
		return KF_EDENIED;
	}
	return 0;
}

/* The order named by the frame, if it is the conversation's customer's. */
static int customer_order(struct aconn *a, const struct store_conv *c, const char *number, const char *cid,
			  struct store_order *o)
{
	int64_t customer;
	if (store_customer_of_visitor(a->app->st, c->visitor_id, &customer) != 0) {
		hub_error(a->ws, "forbidden", "the shop has not identified this visitor as a customer", cid);
		return KF_EDENIED;
	}
	if (store_order_get(a->app->st, c->site_id, number, o) != 0) {
		hub_error(a->ws, "not_found", "no order with that number in this site", cid);
		return KF_ENOTFOUND;
	}
	if (o->customer_id != customer) {
		store_order_free(o);
		hub_error(a->ws, "forbidden", "this order belongs to another customer", cid);
		return KF_EDENIED;
	}
	return 0;
}

/* Stores and fans out the card message (acked to the agent), as a_msg does for text. */
static void deliver_card(struct aconn *a, const struct store_conv *c, const struct store_order *o, const char *cid)
{
	struct store_visitor v;
	struct store_msg m;
	char text[600];
	int li = store_visitor_get(a->app->st, c->visitor_id, &v) == 0 ? lang_index(v.lang) : 0;
	fallback_text(o, li, text, sizeof(text));
	json_t *card = card_json(o);
	char *card_text = card ? json_dumps(card, JSON_COMPACT) : NULL;
	json_decref(card);
	memset(&m, 0, sizeof(m));
	m.conversation_id = c->id;
	snprintf(m.sender, sizeof(m.sender), "agent");
	m.sender_id = a->user_id;
	snprintf(m.kind, sizeof(m.kind), "text");
	snprintf(m.client_id, sizeof(m.client_id), "%s", cid ? cid : "");
	snprintf(m.author, sizeof(m.author), "%s", a->name);
	m.body = text;
	m.card = card_text;
	hub_watch(a, c->id);
	if (chat_deliver(a->app, c, &m, a->ws) == 0)
		chat_notify_visitor(a->app, c, a->name, m.body);
	free(card_text);
}

void chat_send_order(struct aconn *a, json_t *msg)
{
	struct store_conv c;
	struct store_order o;
	const char *cid = json_get_str(msg, "client_id"), *number = json_get_str(msg, "number");
	if (json_object_get(msg, "client_id") && !chat_valid_client_id(cid)) {
		hub_error(a->ws, "invalid_field", "client_id: 1-64 characters of A-Z a-z 0-9 _ -", NULL);
		return;
	}
	if (!number || !crm_number_ok(number)) {
		hub_error(a->ws, "invalid_field", "number: an order number (1-64 of A-Z a-z 0-9 _ -)", cid);
		return;
	}
	if (own_conv(a, msg, cid, &c) || customer_order(a, &c, number, cid, &o))
		return;
	deliver_card(a, &c, &o, cid);
	store_order_free(&o);
}
