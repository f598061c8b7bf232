/* chat/route.c - who gets a chat (see route.h). The rules are pure (route_pick); the live
 * part reads agents from the hub and conversations from the store. */
#include "chat/route.h"
#include "chat/chat_int.h"
#include "app/app.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store_route.h"
#include <uv.h>
#include <stdio.h>
#include <string.h>

int route_pick(const struct route_agent *ag, size_t n, enum route_rule rule, int64_t previous_agent)
{
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		const struct route_agent *x = &ag[i];
		if (!x->online || x->excluded || x->active >= x->max)
			continue;
		if (previous_agent && x->user_id == previous_agent)
			return (int)i;
		if (best < 0) {
			best = (int)i;
			continue;
		}
		const struct route_agent *b = &ag[best];
		int better;
		if (rule == ROUTE_ROUND_ROBIN)
			better = x->last_assigned < b->last_assigned ||
				 (x->last_assigned == b->last_assigned && x->user_id < b->user_id);
		else
			better = x->active < b->active || (x->active == b->active && (x->last_assigned < b->last_assigned ||
				 (x->last_assigned == b->last_assigned && x->user_id < b->user_id)));
		if (better)
			best = (int)i;
	}
	return best;
}

/* ---- memory: round-robin clocks, who let which chat time out, chosen agents, queue positions.
 * All small (one entry per agent or per waiting chat) and rebuilt from the store as needed;
 * losing them on restart only resets fairness and lets a declined agent be offered again. */
#define MAXPEND 512

struct rr { int64_t user_id, last; };
struct excl { int64_t conv_id, users[8], since; int n; };   /* since: ms of the last exclusion */
struct pref { int64_t conv_id, agent_id; };
struct qpos { int64_t conv_id; int pos; };

static struct rr rrs[256];
static size_t nrr;
static struct excl excls[MAXPEND];
static size_t nexcl;
static struct pref prefs[MAXPEND];
static size_t npref;
static struct qpos qposs[MAXPEND];
static size_t nqpos;
static uv_timer_t tick;
static int tick_on;

static int64_t rr_last(int64_t user_id)
{
	for (size_t i = 0; i < nrr; i++)
		if (rrs[i].user_id == user_id)
			return rrs[i].last;
	return 0;
}

static void rr_touch(int64_t user_id, int64_t now)
{
	for (size_t i = 0; i < nrr; i++)
		if (rrs[i].user_id == user_id) {
			rrs[i].last = now;
			return;
		}
	if (nrr < KF_ARRAY_LEN(rrs))
		rrs[nrr++] = (struct rr){ user_id, now };
}

static struct excl *excl_of(int64_t conv_id, int make)
{
	for (size_t i = 0; i < nexcl; i++)
		if (excls[i].conv_id == conv_id)
			return &excls[i];
	if (!make)
		return NULL;
	if (nexcl == MAXPEND)   /* full: the oldest entry goes (its chat only loses fairness) */
		memmove(excls, excls + 1, (--nexcl) * sizeof(excls[0]));
	memset(&excls[nexcl], 0, sizeof(excls[0]));
	excls[nexcl].conv_id = conv_id;
	return &excls[nexcl++];
}

static int excluded(int64_t conv_id, int64_t user_id)
{
	struct excl *e = excl_of(conv_id, 0);
	for (int i = 0; e && i < e->n; i++)
		if (e->users[i] == user_id)
			return 1;
	return 0;
}

static void exclude(int64_t conv_id, int64_t user_id)
{
	struct excl *e = excl_of(conv_id, 1);
	if (!e || excluded(conv_id, user_id))
		return;
	if (e->n == (int)KF_ARRAY_LEN(e->users))   /* everyone declined: start the round again */
		e->n = 0;
	e->users[e->n++] = user_id;
	e->since = time_now_ms();
}

void route_prefer(int64_t conv_id, int64_t agent_id)
{
	if (agent_id <= 0)
		return;
	if (npref == MAXPEND)   /* full: the oldest wish goes */
		memmove(prefs, prefs + 1, (--npref) * sizeof(prefs[0]));
	prefs[npref++] = (struct pref){ conv_id, agent_id };
}

static int64_t preferred(int64_t conv_id)
{
	for (size_t i = 0; i < npref; i++)
		if (prefs[i].conv_id == conv_id)
			return prefs[i].agent_id;
	return 0;
}

/* Forgets a chat that no longer waits (taken or closed). */
void route_forget(int64_t conv_id)
{
	for (size_t i = 0; i < nexcl; i++)
		if (excls[i].conv_id == conv_id)
			excls[i--] = excls[--nexcl];
	for (size_t i = 0; i < npref; i++)
		if (prefs[i].conv_id == conv_id)
			prefs[i--] = prefs[--npref];
	for (size_t i = 0; i < nqpos; i++)
		if (qposs[i].conv_id == conv_id)
			qposs[i--] = qposs[--nqpos];
}

/* Whether agent x may be given chats of the site / department: one who can open the site's
 * chats (admin or site member) and, for a department, one of its members. Both are checked:
 * an agent taken off a site may still be listed in its departments. */
static int eligible(struct app *a, struct aconn *x, int64_t site_id, int64_t dept_id)
{
	if (!x->admin && store_site_is_member(a->st, site_id, x->user_id) != 0)
		return 0;
	return dept_id <= 0 || store_dept_is_member(a->st, dept_id, x->user_id) == 0;
}

/* The connected agents who may take a chat of the site/department, one entry per person. */
static size_t candidates(struct app *a, int64_t site_id, int64_t dept_id, int64_t conv_id, struct route_agent *out,
			 size_t max)
{
	size_t n = 0;
	for (struct aconn *x = hub_agents(); x && n < max; x = x->next) {
		if (!x->hello || hub_agent_find(x->user_id) != x || !eligible(a, x, site_id, dept_id))
			continue;
		int64_t load = 0;
		store_route_load(a->st, x->user_id, &load);
		out[n++] = (struct route_agent){ .user_id = x->user_id, .online = strcmp(x->status, "online") == 0,
						 .active = (int)load, .max = x->max_chats, .last_assigned = rr_last(x->user_id),
						 .excluded = conv_id && excluded(conv_id, x->user_id) };
	}
	return n;
}

int route_agent_free(struct app *a, int64_t site_id, int64_t department_id)
{
	struct route_agent ag[64];
	size_t n = candidates(a, site_id, department_id, 0, ag, KF_ARRAY_LEN(ag));
	return route_pick(ag, n, ROUTE_LEAST_BUSY, 0) >= 0;
}

int route_available(struct app *a, int64_t site_id, int64_t department_id)
{
	struct store_site s;
	if (store_site_get(a->st, site_id, &s) != 0 || !chat_site_open(&s, time_now_ms()))
		return 0;
	for (struct aconn *x = hub_agents(); x; x = x->next)
		if (x->hello && strcmp(x->status, "online") == 0 && eligible(a, x, site_id, department_id))
			return 1;
	return 0;
}

static void arm(struct app *a, int64_t due);

static void offer(struct app *a, const struct store_route_item *it, int64_t user_id, int timeout_s, int transfer)
{
	int64_t now = time_now_ms();
	if (store_route_offer(a->st, it->id, user_id, now) != 0)
		return;
	arm(a, now + (int64_t)timeout_s * 1000);
	rr_touch(user_id, now);
	for (struct aconn *x = hub_agents(); x; x = x->next)
		if (x->hello && x->user_id == user_id)
			hub_send(x->ws, json_pack("{s:s,s:I,s:I,s:b}", "type", "offer", "conversation_id", (json_int_t)it->id,
						  "expires_at", (json_int_t)(now + (int64_t)timeout_s * 1000), "transfer",
						  transfer));
	hub_conversation_changed(a, it->id, 0);
}

static void dept_settings(struct app *a, int64_t dept_id, enum route_rule *rule, int *timeout_s)
{
	struct store_dept d;
	*rule = ROUTE_LEAST_BUSY;
	*timeout_s = ROUTE_OFFER_TIMEOUT_S;
	if (dept_id > 0 && store_dept_get(a->st, dept_id, &d) == 0) {
		*rule = strcmp(d.rule, "round_robin") == 0 ? ROUTE_ROUND_ROBIN : ROUTE_LEAST_BUSY;
		*timeout_s = d.offer_timeout > 0 ? d.offer_timeout : ROUTE_OFFER_TIMEOUT_S;
	}
}

/* Everyone with room let this chat go, and one offer's time has passed since the last of
 * them did: the round starts again (forgetting the exclusions) rather than strand the chat. */
static int round_over(int64_t conv_id, const struct route_agent *ag, size_t n, int timeout_s)
{
	struct excl *e = excl_of(conv_id, 0);
	int any = 0;
	if (!e || time_now_ms() - e->since < (int64_t)timeout_s * 1000)
		return 0;
	for (size_t k = 0; k < n; k++)
		any |= ag[k].excluded && ag[k].online && ag[k].active < ag[k].max;
	if (any)
		e->n = 0;
	return any;
}

/* When the chat's round may start again (see round_over). */
static int64_t round_due(struct app *a, const struct store_route_item *it)
{
	enum route_rule rule;
	int timeout_s;
	struct excl *e = excl_of(it->id, 0);
	dept_settings(a, it->department_id, &rule, &timeout_s);
	return (e ? e->since : time_now_ms()) + (int64_t)timeout_s * 1000;
}

/* Offers a waiting chat to the agent the rules pick: 1 when offered; 0 when it must wait
 * although someone has room (they let it time out); -1 when nobody of its group has room. */
static int try_offer(struct app *a, const struct store_route_item *it)
{
	struct route_agent ag[64];
	enum route_rule rule;
	int timeout_s;
	dept_settings(a, it->department_id, &rule, &timeout_s);
	size_t n = candidates(a, it->site_id, it->department_id, it->id, ag, KF_ARRAY_LEN(ag));
	int64_t prev = preferred(it->id);
	if (!prev)
		store_route_previous_agent(a->st, it->visitor_id, it->id, &prev);
	int i = route_pick(ag, n, rule, prev);
	if (i < 0 && round_over(it->id, ag, n, timeout_s)) {
		for (size_t k = 0; k < n; k++)
			ag[k].excluded = 0;
		i = route_pick(ag, n, rule, prev);
	}
	if (i >= 0) {
		offer(a, it, ag[i].user_id, timeout_s, 0);
		return 1;
	}
	for (size_t k = 0; k < n; k++)
		if (ag[k].online && ag[k].active < ag[k].max)
			return 0;
	return -1;
}

/* An offer nobody answered (or whose agent left) goes back; a transfer stays with its owner. */
static void expire_offer(struct app *a, const struct store_route_item *it, const char *why)
{
	struct store_conv c;
	if (strcmp(why, "timeout") == 0)   /* an agent who reloads the console gets it again */
		exclude(it->id, it->offered_to);
	store_route_clear_offer(a->st, it->id);
	if (strcmp(it->status, "active") == 0 && store_conv_get(a->st, it->id, &c) == 0) {
		char text[200];
		snprintf(text, sizeof(text), "转接未被接受（%s）/ transfer not accepted (%s)", why, why);
		chat_system_message(a, &c, "note", text);
	}
	for (struct aconn *x = hub_agents(); x; x = x->next)   /* every tab of the agent */
		if (x->hello && x->user_id == it->offered_to)
			hub_send(x->ws, json_pack("{s:s,s:I,s:s}", "type", "offer_expired", "conversation_id",
						  (json_int_t)it->id, "reason", why));
	hub_conversation_changed(a, it->id, 0);
}

/* 1: the agent is gone, 2: the offer timed out, 0: it stands (until *due, ms). */
static int offer_stale(struct app *a, const struct store_route_item *it, int64_t now, int64_t *due)
{
	enum route_rule rule;
	int timeout_s;
	struct aconn *x = hub_agent_find(it->offered_to);
	dept_settings(a, it->department_id, &rule, &timeout_s);
	*due = it->offered_at + (int64_t)timeout_s * 1000;
	if (!x)
		return 1;
	return now >= *due ? 2 : 0;
}

struct pending { struct store_route_item it[MAXPEND]; size_t n; };

static int collect(void *ud, const struct store_route_item *it)
{
	struct pending *p = ud;
	p->it[p->n++] = *it;
	return p->n == MAXPEND;   /* the oldest MAXPEND are enough: the rest wait for a later pass */
}

/* The site's typical wait, cached for 10 s per site: a moving queue asks for it once per
 * visitor whose position changes. */
static int64_t typical_wait(struct app *a, int64_t site_id)
{
	static struct { int64_t site, value, at; } cache[16];
	int64_t now = time_now_ms();
	size_t slot = (size_t)((uint64_t)site_id % KF_ARRAY_LEN(cache));
	if (cache[slot].site != site_id || now - cache[slot].at > 10000) {
		cache[slot].value = 0;
		store_route_typical_wait(a->st, site_id, &cache[slot].value);
		cache[slot].site = site_id;
		cache[slot].at = now;
	}
	return cache[slot].value > 0 ? cache[slot].value : 60;
}

static void tell_position(struct app *a, const struct store_route_item *it, int pos)
{
	struct qpos *q = NULL;
	for (size_t i = 0; i < nqpos; i++)
		if (qposs[i].conv_id == it->id)
			q = &qposs[i];
	if (q && q->pos == pos)
		return;
	if (!q) {
		if (nqpos == MAXPEND)   /* full: forgetting the oldest only sends its position again */
			memmove(qposs, qposs + 1, (--nqpos) * sizeof(qposs[0]));
		q = &qposs[nqpos++];
		q->conv_id = it->id;
	}
	if (q)
		q->pos = pos;
	int64_t typical = typical_wait(a, it->site_id);
	json_t *ev = json_pack("{s:s,s:I,s:i,s:I}", "type", "queue", "conversation_id", (json_int_t)it->id, "position",
			       pos, "estimated_wait", (json_int_t)(pos ? typical * pos : 0));
	hub_to_visitor(it->visitor_id, ev);
	json_decref(ev);
}

/* Queue positions count waiting chats of the same site and department, oldest first. */
static void positions(struct app *a, struct pending *p, const unsigned char *queued)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->it[i].status, "waiting") != 0)
			continue;
		int pos = 0;
		if (queued[i]) {
			pos = 1;
			for (size_t j = 0; j < i; j++)
				pos += queued[j] && p->it[j].site_id == p->it[i].site_id &&
				       p->it[j].department_id == p->it[i].department_id;
		}
		tell_position(a, &p->it[i], pos);
	}
}

/* Routing runs on events (a chat arrives, a place frees); the timer only wakes it for the
 * next deadline: an offer running out, or a declined chat whose round may start again. A
 * steady queue costs nothing between events. */
static struct app *tick_app;
static int64_t tick_due;   /* ms the timer fires at; 0: not armed */

static void on_tick(uv_timer_t *t)
{
	KF_UNUSED(t);
	tick_due = 0;
	route_drain(tick_app);
}

static void start_tick(struct app *a)
{
	if (tick_on)
		return;
	tick_app = a;
	uv_timer_init(a->loop, &tick);
	tick_on = 1;
}

static void arm(struct app *a, int64_t due)
{
	start_tick(a);
	if (tick_due && tick_due <= due)
		return;
	int64_t wait = due - time_now_ms();
	tick_due = due;
	uv_timer_start(&tick, on_tick, (uint64_t)(wait > 50 ? wait : 50), 0);
}

void route_drain(struct app *a)
{
	static struct pending p;
	static int busy;
	unsigned char queued[MAXPEND];
	if (busy)   /* drain -> message -> drain: the outer pass sees everything */
		return;
	busy = 1;
	start_tick(a);
	p.n = 0;
	store_route_pending(a->st, collect, &p);
	int64_t now = time_now_ms();
	struct { int64_t site_id, dept_id; } full[64];   /* groups found with no room in this pass */
	size_t nfull = 0;
	for (size_t i = 0; i < p.n; i++) {
		struct store_route_item *it = &p.it[i];
		queued[i] = 0;
		if (it->offered_to) {
			int64_t due;
			int stale = offer_stale(a, it, now, &due);
			if (!stale) {
				arm(a, due);
				continue;
			}
			expire_offer(a, it, stale == 1 ? "offline" : "timeout");
			it->offered_to = 0;
		}
		if (strcmp(it->status, "waiting") != 0)
			continue;
		int skip = 0;
		for (size_t k = 0; k < nfull && !skip; k++)
			skip = full[k].site_id == it->site_id && full[k].dept_id == it->department_id;
		int r = skip ? -1 : try_offer(a, it);
		if (r == -1 && !skip && nfull < KF_ARRAY_LEN(full)) {
			full[nfull].site_id = it->site_id;
			full[nfull++].dept_id = it->department_id;
		}
		queued[i] = r != 1;
		if (r == 0)   /* someone has room but let it go: look again when the round may restart */
			arm(a, round_due(a, it));
	}
	positions(a, &p, queued);
	busy = 0;
}

void route_decline(struct app *a, int64_t conv_id, int64_t user_id)
{
	struct store_conv c;
	exclude(conv_id, user_id);
	store_route_clear_offer(a->st, conv_id);
	if (store_conv_get(a->st, conv_id, &c) == 0 && strcmp(c.status, "active") == 0)
		chat_system_message(a, &c, "note", "转接被拒绝 / transfer declined");
	hub_conversation_changed(a, conv_id, 0);
	route_drain(a);
}

/* The transfer's internal note, as the sending agent's note. */
static void transfer_note(struct app *a, const struct store_conv *c, int64_t from_id, const char *from_name,
			  const char *to, const char *note)
{
	char text[2400];
	struct store_msg m;
	snprintf(text, sizeof(text), "转接给 / transfer to %s%s%s", to, *note ? ": " : "", note);
	memset(&m, 0, sizeof(m));
	m.conversation_id = c->id;
	snprintf(m.sender, sizeof(m.sender), "agent");
	m.sender_id = from_id;
	snprintf(m.kind, sizeof(m.kind), "note");
	snprintf(m.client_id, sizeof(m.client_id), "transfer-%lld", (long long)time_now_ms());
	utf8_copy(m.author, sizeof(m.author), from_name);
	m.body = text;
	chat_deliver(a, c, &m, NULL);
}

/* The department's agent the rule picks for c, the sender excluded; 0 when none. */
static int64_t dept_pick(struct app *a, const struct store_conv *c, int64_t dept_id, int64_t from_id, int *timeout_s)
{
	struct route_agent ag[64];
	enum route_rule rule;
	dept_settings(a, dept_id, &rule, timeout_s);
	size_t n = candidates(a, c->site_id, dept_id, c->id, ag, KF_ARRAY_LEN(ag));
	for (size_t k = 0; k < n; k++)   /* never back to the sender */
		ag[k].excluded |= ag[k].user_id == from_id;
	int i = route_pick(ag, n, rule, 0);
	return i < 0 ? 0 : ag[i].user_id;
}

const char *route_transfer(struct app *a, const struct store_conv *c, int64_t from_id, const char *from_name,
			   int64_t agent_id, int64_t department_id, const char *note)
{
	struct store_dept d;
	struct store_user u;
	int timeout_s = ROUTE_OFFER_TIMEOUT_S;
	int64_t target = agent_id;
	if (department_id && (store_dept_get(a->st, department_id, &d) != 0 || d.site_id != c->site_id))
		return "no such department on this conversation's site";
	if (department_id) {
		if (strcmp(c->status, "waiting") == 0) {   /* not taken yet: it simply routes again */
			store_route_set_department(a->st, c->id, department_id);
			store_route_clear_offer(a->st, c->id);
			transfer_note(a, c, from_id, from_name, d.name, note);
			route_drain(a);
			return NULL;
		}
		target = dept_pick(a, c, department_id, from_id, &timeout_s);
		if (!target)
			return "nobody in that department can take a chat now";
		store_route_set_department(a->st, c->id, department_id);   /* only once someone is found */
	} else {
		struct aconn *x = hub_agent_find(target);
		int64_t load = 0;
		if (target == from_id || !x || strcmp(x->status, "online") != 0 || !hub_agent_covers(x, c->site_id))
			return "that agent is not online for this site";
		if (store_route_load(a->st, target, &load) == 0 && load >= x->max_chats)
			return "that agent is at their limit of chats";
	}
	if (store_user_get(a->st, target, &u) != 0)
		return "no such agent";
	transfer_note(a, c, from_id, from_name, department_id ? d.name : u.name[0] ? u.name : u.email, note);
	if (strcmp(c->status, "active") == 0)
		chat_system_message(a, c, "event", "正在为您转接 / transferring you to a colleague");
	struct store_route_item it = { .id = c->id, .site_id = c->site_id, .visitor_id = c->visitor_id,
				       .department_id = department_id, .agent_id = c->agent_id };
	snprintf(it.status, sizeof(it.status), "%s", c->status);
	offer(a, &it, target, timeout_s, strcmp(c->status, "active") == 0);
	return NULL;
}

/* A new waiting chat: offered at once when nobody waits before it in its group, else it
 * queues behind them (the queue is served in order by route_drain). */
void route_conversation(struct app *a, int64_t conv_id)
{
	struct store_conv c;
	int64_t ahead = 0;
	start_tick(a);
	if (store_conv_get(a->st, conv_id, &c) != 0 || strcmp(c.status, "waiting") != 0 || c.offered_to)
		return;
	struct store_route_item it = { .id = c.id, .site_id = c.site_id, .visitor_id = c.visitor_id,
				       .department_id = c.department_id, .created_at = c.created_at };
	snprintf(it.status, sizeof(it.status), "%s", c.status);
	if (store_route_queue_ahead(a->st, c.site_id, c.department_id, c.created_at, c.id, &ahead) != 0)
		ahead = 0;
	if (ahead == 0 && try_offer(a, &it) == 1)
		return;
	tell_position(a, &it, (int)ahead + 1);
}

void route_shutdown(void)
{
	if (tick_on) {
		uv_timer_stop(&tick);
		uv_close((uv_handle_t *)&tick, NULL);
		tick_on = 0;
	}
	tick_due = 0;
	nrr = nexcl = npref = nqpos = 0;
}

int route_start_with_agent(struct app *a, int64_t site_id, int64_t visitor_id, int64_t agent_id, const char *text,
			   int64_t *conv_id)
{
	struct store_conv c;
	struct store_user u;
	if (store_user_get(a->st, agent_id, &u) != 0)
		return KF_ENOTFOUND;
	int64_t now = time_now_s();
	if (store_conv_open_for_visitor(a->st, visitor_id, &c) != 0) {
		memset(&c, 0, sizeof(c));
		c.site_id = site_id;
		c.visitor_id = visitor_id;
		c.agent_id = agent_id;
		snprintf(c.status, sizeof(c.status), "active");
		if (store_conv_create(a->st, &c) != 0)
			return KF_EIO;
	} else if (c.agent_id != agent_id || strcmp(c.status, "active") != 0) {
		if (store_conv_set_status(a->st, c.id, "active", agent_id, now) != 0)
			return KF_EIO;
		c.agent_id = agent_id;
		snprintf(c.status, sizeof(c.status), "active");
	}
	struct aconn *x = hub_agent_find(agent_id);
	route_forget(c.id);
	if (x)
		hub_watch(x, c.id);
	if (text && *text) {
		struct store_msg m;
		memset(&m, 0, sizeof(m));
		m.conversation_id = c.id;
		snprintf(m.sender, sizeof(m.sender), "agent");
		m.sender_id = agent_id;
		snprintf(m.kind, sizeof(m.kind), "text");
		snprintf(m.client_id, sizeof(m.client_id), "start-%lld", (long long)time_now_ms());
		utf8_copy(m.author, sizeof(m.author), u.name[0] ? u.name : u.email);
		m.body = text;
		/* The invitation is the agent's opening, not an answer: it must not stop the
		 * first-response clock the statistics read (first_reply_at is set when 0). */
		struct store_conv opening = c;
		opening.first_reply_at = 1;
		chat_deliver(a, &opening, &m, NULL);
	}
	hub_conversation_changed(a, c.id, 1);
	*conv_id = c.id;
	return 0;
}

int route_start_routed(struct app *a, int64_t site_id, int64_t visitor_id, int64_t department_id, const char *text,
		       int64_t *conv_id)
{
	struct store_conv c;
	if (store_conv_open_for_visitor(a->st, visitor_id, &c) != 0) {
		memset(&c, 0, sizeof(c));
		c.site_id = site_id;
		c.visitor_id = visitor_id;
		c.department_id = department_id;
		snprintf(c.status, sizeof(c.status), "%s", route_available(a, site_id, department_id) ? "waiting" : "offline");
		if (store_conv_create(a->st, &c) != 0)
			return KF_EIO;
	}
	if (text && *text)
		chat_system_message(a, &c, "text", text);
	hub_conversation_changed(a, c.id, 1);
	route_conversation(a, c.id);
	*conv_id = c.id;
	return 0;
}

