/* tests/unit/test_ticket.c - the ticket core (ticket/ticket.c) against a real database in a
 * temporary directory: the enumerations, [#N] in subjects (a pure function), tags cleaning,
 * the status-page token (only its hash stored, the right token opens, a wrong one does not),
 * validation naming the field, history rows (none for an unchanged value), status moves on
 * replies, e-mail threading (by Message-ID, by [#N] only for the requester) and a duplicate
 * inbound Message-ID filed once; hooks run in the order added. */
#include "testutil.h"
#include "app/app.h"
#include "core/kf.h"
#include "search/search.h"
#include "store/store.h"
#include "store/store_ticket.h"
#include "ticket/ticket.h"
#include "ticket/ticket_int.h"

static char dir[512];
static struct app app;
static int64_t site_id;
static int created_calls, status_calls;
static char last_old_status[16];

static void on_created(struct app *a, const struct ticket *t)
{
	(void)a;
	(void)t;
	created_calls++;
}

static void on_status(struct app *a, const struct ticket *t, const char *old)
{
	(void)a;
	(void)t;
	status_calls++;
	snprintf(last_old_status, sizeof(last_old_status), "%s", old);
}

static int setup(void **state)
{
	(void)state;
	char p[600];
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(app.cfg.data_dir, sizeof(app.cfg.data_dir), "%s", dir);
	snprintf(p, sizeof(p), "%s/kefu.db", dir);
	if (search_init() || store_open(p, &app.st) || store_migrate(app.st, NULL))
		return -1;
	struct store_site s;
	memset(&s, 0, sizeof(s));
	snprintf(s.key, sizeof(s.key), "unit-site");
	snprintf(s.name, sizeof(s.name), "Unit");
	s.max_file_bytes = 1 << 20;
	if (store_site_create(app.st, &s))
		return -1;
	site_id = s.id;
	struct ticket_hooks h = { .on_created = on_created, .on_status = on_status };
	ticket_hooks_add(&h);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(app.st);
	tu_rmtree(dir);
	return 0;
}

static struct ticket_new base(const char *subject)
{
	struct ticket_new n;
	memset(&n, 0, sizeof(n));
	n.site_id = site_id;
	n.subject = subject;
	n.channel = "email";
	n.actor = "customer";
	n.requester_email = "Buyer@Example.com";
	n.body = "hello";
	return n;
}

static void test_enums(void **state)
{
	(void)state;
	assert_true(ticket_enum_ok(ticket_channels, "email"));
	assert_true(ticket_enum_ok(ticket_statuses, "pending"));
	assert_true(ticket_enum_ok(ticket_types, "repair"));
	assert_true(ticket_enum_ok(ticket_priorities, "urgent"));
	assert_false(ticket_enum_ok(ticket_statuses, "done"));
	assert_false(ticket_enum_ok(ticket_statuses, "Open"));   /* exact, as stored */
	assert_false(ticket_enum_ok(ticket_channels, ""));
	assert_false(ticket_enum_ok(ticket_channels, NULL));
}

static void test_subject_number(void **state)
{
	(void)state;
	int64_t n = 0;
	assert_int_equal(ticket_subject_number("Re: [#1001] 退货", &n), 0);
	assert_int_equal(n, 1001);
	assert_int_equal(ticket_subject_number("[#x] then [#42]", &n), 0);
	assert_int_equal(n, 42);
	assert_int_equal(ticket_subject_number("#1001 no brackets", &n), KF_ENOTFOUND);
	assert_int_equal(ticket_subject_number("[#] [#12 ] [#0]", &n), KF_ENOTFOUND);
	assert_int_equal(ticket_subject_number("[#99999999999999999999]", &n), KF_ENOTFOUND);
	assert_int_equal(ticket_subject_number(NULL, &n), KF_ENOTFOUND);
}

static void test_tags_clean(void **state)
{
	(void)state;
	char out[32], small[16];
	ticket_tags_clean("  vip,,退款\t urgent ", out, sizeof(out));
	assert_string_equal(out, "vip 退款 urgent");
	ticket_tags_clean("aaaaaaaa bbbbbbbb", small, sizeof(small));
	assert_string_equal(small, "aaaaaaaa");   /* whole words only */
	ticket_tags_clean("aaaaaaaa bbbbbbbb", out, sizeof(out));
	assert_string_equal(out, "aaaaaaaa bbbbbbbb");
	ticket_tags_clean(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_create_and_token(void **state)
{
	(void)state;
	struct ticket_new n = base("Where is my parcel?");
	char tok[TICKET_TOKEN_LEN + 1], again[TICKET_TOKEN_LEN + 1], err[160];
	int64_t gen = -1;
	int64_t id;
	int before = created_calls;
	assert_int_equal(ticket_create(&app, &n, &id, tok, err, sizeof(err)), 0);
	assert_int_equal(created_calls, before + 1);
	assert_int_equal(strlen(tok), TICKET_TOKEN_LEN);
	assert_true(ticket_token_ok(&app, id, tok));
	/* nothing of the token is kept: it is made again, the same, from the id and token_gen */
	assert_int_equal(store_ticket_token_gen(app.st, id, &gen), 0);
	assert_int_equal(gen, 0);
	assert_int_equal(ticket_status_token(&app, id, again), 0);
	assert_string_equal(again, tok);
	assert_int_equal(ticket_status_token(&app, id + 1000, again), KF_ENOTFOUND);
	char other[TICKET_TOKEN_LEN + 1];   /* another ticket's token differs */
	int64_t id2;
	assert_int_equal(ticket_create(&app, &n, &id2, other, err, sizeof(err)), 0);
	assert_string_not_equal(other, tok);
	assert_false(ticket_token_ok(&app, id2, tok));
	char wrong[TICKET_TOKEN_LEN + 1];
	memcpy(wrong, tok, sizeof(wrong));
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	assert_false(ticket_token_ok(&app, id, wrong));
	assert_false(ticket_token_ok(&app, id, ""));
	assert_false(ticket_token_ok(&app, id + 1000, tok));
	struct ticket t;
	assert_int_equal(ticket_get(&app, id, &t), 0);
	assert_string_equal(t.status, "new");
	assert_string_equal(t.type, "question");
	assert_string_equal(t.requester_email, "buyer@example.com");
}

static void test_validation_names_field(void **state)
{
	(void)state;
	char err[160];
	int64_t id;
	struct ticket_new n = base("");
	assert_int_equal(ticket_create(&app, &n, &id, NULL, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "subject"));
	n = base("x");
	n.channel = "fax";
	assert_int_equal(ticket_create(&app, &n, &id, NULL, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "channel"));
	n = base("x");
	n.priority = "asap";
	assert_int_equal(ticket_create(&app, &n, &id, NULL, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "priority"));
	n = base("x");
	n.workflow = "[1]";
	assert_int_equal(ticket_create(&app, &n, &id, NULL, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "workflow"));
	n = base("x");
	n.site_id = 9999;
	assert_int_equal(ticket_create(&app, &n, &id, NULL, err, sizeof(err)), KF_EINVAL);
	assert_non_null(strstr(err, "site_id"));
}

static int count_events(void *ud, const struct store_ticket_event *e)
{
	(void)e;
	(*(int *)ud)++;
	return 0;
}

static int events_of(int64_t id)
{
	int n = 0;
	store_ticket_event_each(app.st, id, count_events, &n);
	return n;
}

static void test_history_and_status(void **state)
{
	(void)state;
	struct ticket_new n = base("history");
	int64_t id, mid;
	char err[160];
	assert_int_equal(ticket_create(&app, &n, &id, NULL, err, sizeof(err)), 0);
	assert_int_equal(events_of(id), 1);   /* created */
	assert_int_equal(ticket_set(&app, id, "priority", "high", "agent", 1), 0);
	assert_int_equal(events_of(id), 2);
	assert_int_equal(ticket_set(&app, id, "priority", "high", "agent", 1), 0);
	assert_int_equal(events_of(id), 2);   /* unchanged: nothing written */
	assert_int_equal(ticket_set(&app, id, "priority", "asap", "agent", 1), KF_EINVAL);
	assert_int_equal(ticket_set(&app, id, "channel", "web", "agent", 1), KF_EINVAL);
	assert_int_equal(ticket_set(&app, id, "assignee", "424242", "agent", 1), KF_EINVAL);   /* no such agent */

	struct ticket_msg_new m = { .ticket_id = id, .kind = "public", .author_kind = "agent", .body = "on it" };
	int st0 = status_calls;
	assert_int_equal(ticket_add_message(&app, &m, &mid), 0);
	struct ticket t;
	assert_int_equal(ticket_get(&app, id, &t), 0);
	assert_string_equal(t.status, "open");   /* the first agent reply opens it */
	assert_true(t.first_response_at > 0);
	assert_int_equal(status_calls, st0 + 1);
	assert_string_equal(last_old_status, "new");
	assert_int_equal(ticket_set(&app, id, "status", "resolved", "agent", 1), 0);
	assert_int_equal(ticket_get(&app, id, &t), 0);
	assert_true(t.resolved_at > 0);
	struct ticket_msg_new c = { .ticket_id = id, .kind = "public", .author_kind = "customer", .body = "still broken" };
	assert_int_equal(ticket_add_message(&app, &c, &mid), 0);
	assert_int_equal(ticket_get(&app, id, &t), 0);
	assert_string_equal(t.status, "open");   /* the customer's reply reopens it */
	assert_int_equal(t.resolved_at, 0);
	assert_int_equal(ticket_set_workflow(&app, id, "{\"step\":1}", "system", 0), 0);
	assert_int_equal(ticket_set_workflow(&app, id, "not json", "system", 0), KF_EINVAL);
	assert_int_equal(ticket_event(&app, id, "sla", "", "breached", "system", 0), 0);
	assert_int_equal(ticket_event(&app, id, "sla", "", "x", "robot", 0), KF_EINVAL);
}

static void test_threading(void **state)
{
	(void)state;
	struct ticket_new n = base("threading");
	int64_t id, found = 0, mid;
	char err[160], subj[64];
	n.message_id = "abc@mail.example.com";
	assert_int_equal(ticket_create(&app, &n, &id, NULL, err, sizeof(err)), 0);
	assert_int_equal(ticket_create(&app, &n, &found, NULL, err, sizeof(err)), KF_EEXIST);   /* filed once */
	const char *refs[] = {"unknown@x", "abc@mail.example.com"};
	assert_int_equal(ticket_find_thread(&app, site_id, refs, 2, "anything", "someone@else.com", &found), 0);
	assert_int_equal(found, id);
	assert_int_equal(ticket_find_thread(&app, site_id + 1, refs, 2, "x", "x@y.z", &found), KF_ENOTFOUND);
	snprintf(subj, sizeof(subj), "Re: [#%lld] threading", (long long)id);
	found = 0;
	assert_int_equal(ticket_find_thread(&app, site_id, NULL, 0, subj, "BUYER@example.com", &found), 0);
	assert_int_equal(found, id);
	assert_int_equal(ticket_find_thread(&app, site_id, NULL, 0, subj, "stranger@example.com", &found), KF_ENOTFOUND);
	struct ticket_msg_new m = { .ticket_id = id, .kind = "public", .author_kind = "customer", .body = "again",
				    .message_id = "def@mail.example.com" };
	assert_int_equal(ticket_add_message(&app, &m, &mid), 0);
	assert_int_equal(ticket_add_message(&app, &m, &mid), KF_EEXIST);
	int64_t att;
	assert_int_equal(ticket_add_attachment(&app, id, mid, "../x/收据.pdf", "Application/PDF; name=x", "%PDF", 4, &att), 0);
	struct store_ticket_att a;
	assert_int_equal(store_ticket_att_get(app.st, att, &a), 0);
	assert_string_equal(a.name, "收据.pdf");
	assert_string_equal(a.content_type, "application/pdf");
	assert_int_equal(a.size, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_subject_number),
		cmocka_unit_test(test_tags_clean),
		cmocka_unit_test(test_create_and_token),
		cmocka_unit_test(test_validation_names_field),
		cmocka_unit_test(test_history_and_status),
		cmocka_unit_test(test_threading),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
