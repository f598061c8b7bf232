/* kb/bot.c - the FAQ bot: a visitor's question in a new chat is matched against the site's
 * published, public articles; above the site's confidence threshold the bot answers with
 * the article (an automatic answer, marked so) and asks whether it helped. While it waits
 * for that verdict the chat is "held": routing leaves it alone. "No" (or a question it
 * cannot answer) hands the chat to people, with the bot's attempt in the transcript.
 * Per site: off, only while nobody is online ("offline"), or always first. */
#include "kb/kb.h"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat_int.h"
#include "chat/route.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store_bot.h"
#include "store/store_kb.h"
#include <stdio.h>
#include <uv.h>
#include <string.h>

#define BOT_ANSWER_MAX 800        /* bytes of the answer quoted in the chat; the link has the rest */
#define BOT_MAX_ANSWERS 3         /* then people take over whatever happens */
#define BOT_HOLD_MS (3 * 60 * 1000)   /* a visitor who says nothing this long goes to people */
#define BOT_MAX_HELD 1024

/* The chats the bot holds now: when it started and how often it answered. In memory; after a
 * restart every held chat goes to people (kb_bot_register). */
static struct held { int64_t conv_id, since, seq; int answers; char url[300]; } held[BOT_MAX_HELD];
static size_t nheld;
static uv_timer_t hold_timer;
static int hold_timer_on;
static struct app *hold_app;

static struct held *held_of(int64_t conv_id)
{
	for (size_t i = 0; i < nheld; i++)
		if (held[i].conv_id == conv_id)
			return &held[i];
	return NULL;
}

static void held_drop(int64_t conv_id)
{
	for (size_t i = 0; i < nheld; i++)
		if (held[i].conv_id == conv_id) {
			held[i] = held[--nheld];
			return;
		}
}

static void hold_expire(uv_timer_t *t);

static struct held *held_add(struct app *a, int64_t conv_id)
{
	struct held *h = held_of(conv_id);
	if (h)
		return h;
	if (nheld == BOT_MAX_HELD)   /* full: the oldest goes to people at its deadline anyway */
		memmove(held, held + 1, (--nheld) * sizeof(held[0]));
	if (!hold_timer_on) {
		hold_app = a;
		uv_timer_init(a->loop, &hold_timer);
		uv_timer_start(&hold_timer, hold_expire, 15000, 15000);
		hold_timer_on = 1;
	}
	held[nheld] = (struct held){ .conv_id = conv_id, .since = time_now_ms() };
	return &held[nheld++];
}

/* The answer's text without Markdown's marks, cut at a character boundary: the chat shows text. */
static void plain_text(const char *md, struct buf *out)
{
	int bol = 1;
	for (const char *p = md; *p && out->len < BOT_ANSWER_MAX; p++) {
		if (bol) {   /* heading, quote and list marks at the start of a line */
			while (*p == '#' || *p == '>' || ((*p == '-' || *p == '*' || *p == '+') && p[1] == ' '))
				p += (*p == '#' || *p == '>') ? 1 : 2;
			while (*p == ' ')
				p++;
			if (!*p)
				break;
		}
		if (*p == '*' || *p == '_' || *p == '`' || *p == '[' || (*p == '!' && p[1] == '['))
			continue;
		if (*p == ']' && p[1] == '(') {   /* [text](url): keep the text */
			const char *e = strchr(p, ')');
			if (e) {
				p = e;
				continue;
			}
		}
		buf_addc(out, *p);
		bol = *p == '\n';
	}
	if (out->len >= BOT_ANSWER_MAX) {
		size_t n = out->len;
		while (n > 0 && ((unsigned char)out->ptr[n - 1] & 0xc0) == 0x80)
			n--;                                  /* back to a character's first byte */
		if (n > 0 && (unsigned char)out->ptr[n - 1] >= 0xc0)
			n--;
		out->len = n;
		buf_adds(out, "…");
	}
}

/* Whether the bot speaks in this chat now: by the site's mode, and only before people have it
 * (the first question, or while it holds the chat; never once offered or taken). */
static int bot_on(const struct store_bot_settings *b, const struct store_conv *c, int first)
{
	if (c->agent_id || c->offered_to || (!first && strcmp(c->bot_state, "held") != 0) ||
	    (c->bot_state[0] && strcmp(c->bot_state, "held") != 0))
		return 0;
	if (strcmp(b->mode, "always") == 0)
		return strcmp(c->status, "waiting") == 0 || strcmp(c->status, "offline") == 0;
	if (strcmp(b->mode, "offline") == 0)
		return strcmp(c->status, "offline") == 0;
	return 0;
}

/* The automatic answer posted; seq and url filled for the widget's verdict buttons. */
static void post_answer(struct app *a, const struct store_conv *c, const struct store_bot_settings *b,
			const struct kb_hit *h, const struct store_kb_article *art, struct held *hd)
{
	struct buf body;
	struct store_msg m;
	char url[300];
	buf_init(&body, 0);
	buf_adds(&body, art->question);
	buf_adds(&body, "\n\n");
	plain_text(art->answer_md ? art->answer_md : "", &body);
	memset(&m, 0, sizeof(m));
	m.conversation_id = c->id;
	snprintf(m.sender, sizeof(m.sender), "system");
	snprintf(m.kind, sizeof(m.kind), "text");
	snprintf(m.author, sizeof(m.author), "%s", b->name[0] ? b->name : "智能助手 Bot");
	m.body = body.ptr ? body.ptr : "";
	if (chat_deliver(a, c, &m, NULL) == 0) {
		struct store_site s;
		if (store_site_get(a->st, c->site_id, &s) == 0)
			snprintf(url, sizeof(url), "/help/%s/a/%s", s.key, art->slug);
		else
			url[0] = '\0';
		hd->seq = m.seq;
		snprintf(hd->url, sizeof(hd->url), "%s", url);
		json_t *ev = json_pack("{s:s,s:I,s:I,s:I,s:s,s:s,s:f}", "type", "bot_answer", "conversation_id",
				       (json_int_t)c->id, "seq", (json_int_t)m.seq, "article_id", (json_int_t)h->article_id,
				       "url", url, "question", art->question, "confidence", h->confidence);
		hub_to_visitor(c->visitor_id, ev);
		hub_to_watchers(c, ev);
		json_decref(ev);
	}
	buf_release(&body);
}

/* The knowledge base's language for a visitor's browser language ("" when none fits). */
static const char *kb_lang(const char *tag)
{
	if (strncmp(tag, "zh", 2) == 0)
		return strstr(tag, "TW") || strstr(tag, "HK") || strstr(tag, "MO") || strstr(tag, "Hant") ? "zh-TW" : "zh-CN";
	return strncmp(tag, "en", 2) == 0 ? "en" : "";
}

/* The site's best matches in any language (simplified and traditional match each other); of
 * those about as good as the best, the one in the visitor's language goes first. */
static int bot_search(struct app *a, const struct store_conv *c, const char *text, struct kb_hit *hits, size_t max,
		      size_t *n)
{
	struct store_visitor v;
	const char *lang = store_visitor_get(a->st, c->visitor_id, &v) == 0 ? kb_lang(v.lang) : "";
	int rc = kb_search(a, c->site_id, "", text, KB_PUBLIC, "bot", hits, max, n);
	for (size_t i = 1; rc == 0 && *lang && i < *n; i++) {
		if (strcmp(hits[0].lang, lang) == 0 || hits[i].confidence < hits[0].confidence - 0.05)
			break;
		if (strcmp(hits[i].lang, lang) == 0) {
			struct kb_hit t = hits[0];
			hits[0] = hits[i];
			hits[i] = t;
			break;
		}
	}
	return rc;
}

int kb_bot_on_message(struct app *a, const struct store_conv *conv, const char *text, int first)
{
	struct store_bot_settings b;
	struct store_conv c;
	struct kb_hit hits[3];
	size_t n = 0;
	if (!text || !*text || store_bot_settings_get(a->st, conv->site_id, &b) != 0 ||
	    store_conv_get(a->st, conv->id, &c) != 0 || !bot_on(&b, &c, first))
		return 0;
	struct held *h = held_of(c.id);
	if (h && h->answers >= BOT_MAX_ANSWERS)
		return 0;   /* enough automatic answers: people take the next question */
	int64_t now = time_now_s();
	if (bot_search(a, &c, text, hits, KF_ARRAY_LEN(hits), &n) != 0 || n == 0 ||
	    hits[0].confidence < b.threshold) {
		store_bot_event(a->st, c.site_id, c.id, n ? hits[0].article_id : 0, n ? hits[0].confidence : 0,
				"unanswered", text, now);
		return 0;
	}
	struct store_kb_article art;
	if (store_kb_article_get(a->st, hits[0].article_id, &art) != 0)
		return 0;
	h = held_add(a, c.id);
	h->answers++;
	h->since = time_now_ms();   /* the visitor's time to read it starts again */
	store_bot_state_set(a->st, c.id, "held");
	post_answer(a, &c, &b, &hits[0], &art, h);
	store_kb_article_free(&art);
	store_bot_event(a->st, c.site_id, c.id, hits[0].article_id, hits[0].confidence, "answered", text, now);
	hub_conversation_changed(a, c.id, 0);
	return 1;
}

int kb_bot_feedback(struct app *a, const struct store_conv *c, int helpful)
{
	struct store_conv now;
	if (store_conv_get(a->st, c->id, &now) != 0 || strcmp(now.bot_state, "held") != 0 || now.agent_id ||
	    (strcmp(now.status, "waiting") != 0 && strcmp(now.status, "offline") != 0))
		return KF_EINVAL;   /* nothing asked, already answered, or people have it */
	held_drop(c->id);
	store_bot_event(a->st, c->site_id, c->id, 0, 0, helpful ? "resolved" : "handover", "", time_now_s());
	store_bot_state_set(a->st, c->id, helpful ? "resolved" : "handover");
	chat_system_message(a, c, "event", helpful ? "已解决 · 访客表示自动回复有帮助 / the automatic answer helped"
						  : "转人工 · 自动回复没有解决问题 / handed over to an agent");
	/* Resolved by the bot: the chat ends (nobody needs to take it); a new question opens a new one. */
	if (helpful && store_conv_set_status(a->st, c->id, "closed", c->agent_id, time_now_s()) == 0)
		route_forget(c->id);
	hub_conversation_changed(a, c->id, 1);
	return 0;
}

int kb_bot_give_up(struct app *a, const struct store_conv *c)
{
	char state[12] = "";
	if (store_bot_state_get(a->st, c->id, state) != 0 || strcmp(state, "held") != 0)
		return 0;
	held_drop(c->id);
	store_bot_event(a->st, c->site_id, c->id, 0, 0, "handover", "", time_now_s());
	store_bot_state_set(a->st, c->id, "handover");
	chat_system_message(a, c, "event", "转人工 · 自动回复无法回答 / handed over to an agent");
	return 1;
}

int kb_bot_pending(int64_t conv_id, int64_t *seq, const char **url)
{
	struct held *h = held_of(conv_id);
	if (!h || !h->seq)
		return 0;
	*seq = h->seq;
	*url = h->url;
	return 1;
}

void kb_bot_release(struct app *a, int64_t conv_id)
{
	char state[12] = "";
	held_drop(conv_id);
	if (store_bot_state_get(a->st, conv_id, state) == 0 && strcmp(state, "held") == 0)
		store_bot_state_set(a->st, conv_id, "handover");
}

/* Held chats whose visitor said nothing for BOT_HOLD_MS go to people (and, offline, to the
 * shop's inbox by e-mail): a visitor who leaves must not strand the chat. */
static void hold_expire(uv_timer_t *t)
{
	int64_t now = time_now_ms();
	KF_UNUSED(t);
	for (size_t i = 0; i < nheld;) {
		struct store_conv c;
		if (now - held[i].since < BOT_HOLD_MS) {
			i++;
			continue;
		}
		int64_t id = held[i].conv_id;
		held[i] = held[--nheld];
		if (store_conv_get(hold_app->st, id, &c) == 0 && kb_bot_give_up(hold_app, &c))
			chat_to_people(hold_app, &c, NULL);
	}
}

void kb_bot_shutdown(void)
{
	if (hold_timer_on) {
		uv_timer_stop(&hold_timer);
		uv_close((uv_handle_t *)&hold_timer, NULL);
		hold_timer_on = 0;
	}
	nheld = 0;
}

/* ---- settings and figures over HTTP ---- */
static int site_param(struct http_req *r, int64_t *site_id)
{
	const char *p = http_param(r, 0);
	struct store_site s;
	if (!p || parse_i64(p, strlen(p), site_id) || store_site_get(app_of(r)->st, *site_id, &s) != 0 ||
	    (auth_role_level(auth_of(r)->user.role) < ACCESS_ADMIN &&
	     store_site_is_member(app_of(r)->st, *site_id, auth_of(r)->user.id) != 0)) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	return 0;
}

static json_t *settings_json(const struct store_bot_settings *b)
{
	return json_pack("{s:s,s:f,s:s}", "mode", b->mode, "threshold", b->threshold, "name", b->name);
}

static void h_get(struct http_req *r)
{
	int64_t site_id;
	struct store_bot_settings b;
	if (site_param(r, &site_id))
		return;
	if (store_bot_settings_get(app_of(r)->st, site_id, &b) != 0) {
		http_reply_error(r, 500, "internal", "could not read the bot settings");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "bot", settings_json(&b)));
}

static void h_put(struct http_req *r)
{
	int64_t site_id;
	struct store_bot_settings b;
	if (site_param(r, &site_id))
		return;
	if (store_bot_settings_get(app_of(r)->st, site_id, &b) != 0) {
		http_reply_error(r, 500, "internal", "could not read the bot settings");
		return;
	}
	json_t *mode = json_object_get(r->json, "mode"), *th = json_object_get(r->json, "threshold");
	json_t *name = json_object_get(r->json, "name");
	const char *m = json_string_value(mode);
	if ((mode && (!m || (strcmp(m, "off") && strcmp(m, "offline") && strcmp(m, "always")))) ||
	    (th && (!json_is_number(th) || json_number_value(th) < 0 || json_number_value(th) > 1)) ||
	    (name && (!json_is_string(name) || json_string_length(name) > 60))) {
		http_reply_error(r, 422, "invalid_field", "mode off, offline or always; threshold 0 to 1; name at most 60 bytes");
		return;
	}
	if (m)
		snprintf(b.mode, sizeof(b.mode), "%s", m);
	if (th)
		b.threshold = json_number_value(th);
	if (name)
		utf8_copy(b.name, sizeof(b.name), json_string_value(name));
	if (store_bot_settings_set(app_of(r)->st, site_id, &b) != 0) {
		http_reply_error(r, 500, "internal", "could not save the bot settings");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "bot", settings_json(&b)));
}

static void h_stats(struct http_req *r)
{
	int64_t site_id, days = 30;
	struct store_bot_stats s;
	const char *d = http_query(r, "days");
	if (site_param(r, &site_id))
		return;
	if (d && (parse_i64(d, strlen(d), &days) || days < 1 || days > 3660)) {
		http_reply_error(r, 422, "invalid_field", "days: 1 to 3660");
		return;
	}
	int64_t now = time_now_s();
	if (store_bot_stats(app_of(r)->st, site_id, now - days * 86400, now + 1, &s) != 0) {
		http_reply_error(r, 500, "internal", "could not count");
		return;
	}
	double rate = s.conversations ? (double)s.deflected / (double)s.conversations : 0;
	http_reply_json(r, 200, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f}", "days", (json_int_t)days, "answered",
					  (json_int_t)s.answered, "unanswered", (json_int_t)s.unanswered, "resolved",
					  (json_int_t)s.resolved, "handover", (json_int_t)s.handover, "conversations",
					  (json_int_t)s.conversations, "deflected", (json_int_t)s.deflected,
					  "deflection_rate", rate));
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/bot", h_get, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/bot", h_put, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_GET, "/api/v1/sites/:id/bot/stats", h_stats, 0, ACCESS_AGENT, NULL, "api", NULL },
};

void kb_bot_register(struct http_server *s)
{
	/* The hold deadlines lived in memory: chats held when the server stopped go to people now. */
	store_bot_release_all(((struct app *)http_server_userdata(s))->st);
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
