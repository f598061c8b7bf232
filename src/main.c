/* main.c - the kefu command: wiring only. Parses the command line, loads the
 * configuration, opens the store and runs the server or an admin command. */
#include "app/demo.h"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat.h"
#include "kb/kb.h"
#include "crm/crm.h"
#include "ticket/ticket.h"
#include "ticket/forms.h"
#include "ticket/sla.h"
#include "ticket/workflow.h"
#include "ticket/ticket_mail.h"
#include "track/track.h"
#include "search/search.h"
#include "mail/mail.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "http/http.h"
#include "store/store_kb_search.h"
#include "store/store.h"
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#ifndef KEFU_VERSION
#define KEFU_VERSION "0.1.0"
#endif

struct opts {
	const char *listen, *data, *log_level, *role, *name, *greeting;
	const char *site, *map, *currency;   /* kefu import */
	const char *mailbox;                 /* kefu mail-in */
	int preview;
	const char *args[4];
	int nargs;
};

struct command {
	const char *name, *usage, *help;
	int (*run)(struct opts *o, struct config *c);
};

static int cmd_serve(struct opts *o, struct config *c);
static int cmd_migrate(struct opts *o, struct config *c);
static int cmd_backup(struct opts *o, struct config *c);
static int cmd_user(struct opts *o, struct config *c);
static int cmd_version(struct opts *o, struct config *c);
static int cmd_site(struct opts *o, struct config *c);
static int cmd_demo_seed(struct opts *o, struct config *c);
static int cmd_import(struct opts *o, struct config *c);
static int cmd_crm(struct opts *o, struct config *c);
static int cmd_mail_in(struct opts *o, struct config *c);
static const struct command *find_command(const char *name);

static const struct command commands[] = {
	{ "serve", "kefu serve [--listen HOST:PORT] [--data DIR] [--log-level LEVEL]",
	  "Runs the server. The database and uploads live in DIR (default ./data, or $KEFU_DATA);\n"
	  "settings come from DIR/kefu.conf, then $KEFU_LISTEN / $KEFU_LOG_LEVEL, then flags.\n"
	  "SIGTERM or SIGINT shuts down gracefully.", cmd_serve },
	{ "migrate", "kefu migrate [--data DIR]",
	  "Applies pending database migrations (serve does this at start too).", cmd_migrate },
	{ "backup", "kefu backup FILE [--data DIR]",
	  "Writes a consistent copy of the database to FILE, safe while the server runs.", cmd_backup },
	{ "user", "kefu user add [--role admin|supervisor|agent] [--name NAME] EMAIL\n"
		  "       kefu user list\n       kefu user passwd EMAIL",
	  "Manages console users. For add and passwd the password is the first line of\n"
	  "standard input when it is not a terminal; otherwise one is generated and printed.", cmd_user },
	{ "site", "kefu site add [--greeting TEXT] [--preview] NAME\n       kefu site list",
	  "Manages chat sites. add creates a site whose members are all current users and prints\n"
	  "its key and embed snippet; --preview lets agents see what visitors type.", cmd_site },
	{ "demo-seed", "kefu demo-seed [--data DIR]",
	  "Gives the first site the demo's departments, an invitation rule and a month of\n"
	  "traffic and chats (make demo runs it once).", cmd_demo_seed },
	{ "import", "kefu import orders [--site ID] [--map NAME=COLUMN,...] [--currency CNY] FILE.csv",
	  "Imports a shop's orders from CSV into site ID (default 1), idempotently: a row already\n"
	  "imported unchanged is counted as unchanged. --map names the columns (number, customer,\n"
	  "name, placed_at, total, status, email, phone, currency, items) and maps statuses\n"
	  "(status.canceled=cancelled); see docs/crm.md. Rejected rows are listed with their line.", cmd_import },
	{ "crm", "kefu crm recompute [--site ID] [--data DIR]",
	  "Recomputes the RFM scores and tiers of site ID (default 1) from its orders now, as the\n"
	  "nightly run does; prints customers, tier changes and milliseconds (for cron).", cmd_crm },
	{ "mail-in", "kefu mail-in [--data DIR] [--site ID | --mailbox ADDRESS]",
	  "Files one e-mail read from standard input as a ticket or a reply (a local MTA's pipe).\n"
	  "Without --mailbox, the To address picks the mailbox, else site ID (default 1).\n"
	  "Exit status: 0 filed or ignored (auto-reply), 65 rejected (too big, malformed),\n"
	  "75 temporary failure (try again).", cmd_mail_in },
	{ "version", "kefu version", "Prints the version.", cmd_version },
};

static void usage(FILE *f)
{
	fprintf(f, "kefu %s - self-hosted customer service and CRM\n\nUsage:\n", KEFU_VERSION);
	for (size_t i = 0; i < KF_ARRAY_LEN(commands); i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "  kefu help COMMAND\n\nCommon options: --data DIR, --log-level debug|info|warn|error\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < KF_ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (strcmp(a, "--listen") == 0) slot = &o->listen;
		else if (strcmp(a, "--data") == 0) slot = &o->data;
		else if (strcmp(a, "--log-level") == 0) slot = &o->log_level;
		else if (strcmp(a, "--role") == 0) slot = &o->role;
		else if (strcmp(a, "--name") == 0) slot = &o->name;
		else if (strcmp(a, "--greeting") == 0) slot = &o->greeting;
		else if (strcmp(a, "--site") == 0) slot = &o->site;
		else if (strcmp(a, "--map") == 0) slot = &o->map;
		else if (strcmp(a, "--currency") == 0) slot = &o->currency;
		else if (strcmp(a, "--mailbox") == 0) slot = &o->mailbox;
		else if (strcmp(a, "--preview") == 0) { o->preview = 1; continue; }
		if (slot) {
			if (i + 1 >= argc) {
				fprintf(stderr, "kefu: %s needs a value\n", a);
				return 2;
			}
			*slot = argv[++i];
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "kefu: unknown option %s\n", a);
			return 2;
		} else if (o->nargs < 4) {
			o->args[o->nargs++] = a;
		} else {
			fprintf(stderr, "kefu: too many arguments\n");
			return 2;
		}
	}
	return 0;
}

static int load_config(struct opts *o, struct config *c)
{
	config_defaults(c);
	config_load_env(c);   /* KEFU_DATA decides where kefu.conf is */
	if (o->data)
		snprintf(c->data_dir, sizeof(c->data_dir), "%s", o->data);
	char path[1100];
	snprintf(path, sizeof(path), "%s/kefu.conf", c->data_dir);
	char keep[sizeof(c->data_dir)];
	memcpy(keep, c->data_dir, sizeof(keep));
	if (config_load_file(c, path))
		return 1;
	config_load_env(c);   /* the environment beats the file */
	memcpy(c->data_dir, keep, sizeof(keep));
	if (o->listen)
		snprintf(c->listen, sizeof(c->listen), "%s", o->listen);
	if (o->log_level)
		snprintf(c->log_level, sizeof(c->log_level), "%s", o->log_level);
	if (log_set_level_name(c->log_level)) {
		fprintf(stderr, "kefu: unknown log level %s\n", c->log_level);
		return 2;
	}
	return 0;
}

/* Opens DIR/kefu.db and applies migrations. With create, a missing DIR and database
 * are made; without, a wrong --data is an error rather than a fresh empty database. */
static int open_store(struct config *c, struct store **st, int create)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/kefu.db", c->data_dir);
	if (!create && access(path, F_OK) != 0) {
		fprintf(stderr, "kefu: no database at %s (check --data or KEFU_DATA)\n", path);
		return 1;
	}
	if (mkdir(c->data_dir, 0700) != 0 && errno != EEXIST) {
		log_error("cannot create %s: %s", c->data_dir, strerror(errno));
		return 1;
	}
	if (store_open(path, st) != 0)
		return 1;
	if (store_migrate(*st, NULL) != 0) {
		store_close(*st);
		*st = NULL;
		return 1;
	}
	return 0;
}

/* ---- serve ---- */

static struct app app;
static uv_signal_t sig_term, sig_int;
static uv_timer_t maint_timer;

static void on_stopped(struct http_server *s)
{
	KF_UNUSED(s);
	log_info("all connections closed");
	chat_shutdown();
	track_shutdown();
	kb_search_shutdown();
	crm_shutdown();
	ticket_shutdown();
	ticket_sla_shutdown();
	ticket_forms_shutdown();
	wf_shutdown();
	ticket_mail_shutdown();
	kb_views_shutdown();   /* writes the views counted since the last flush */
	uv_close((uv_handle_t *)&sig_term, NULL);
	uv_close((uv_handle_t *)&sig_int, NULL);
	uv_close((uv_handle_t *)&maint_timer, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
	KF_UNUSED(h);
	if (app.srv && !uv_is_closing((uv_handle_t *)&maint_timer)) {
		log_info("signal %d: shutting down (deadline %u ms)", signum, app.cfg.lim.shutdown_timeout_ms);
		uv_timer_stop(&maint_timer);
		http_server_shutdown(app.srv, on_stopped);
	}
}

static void on_maintain(uv_timer_t *t)
{
	int64_t pruned = 0;
	KF_UNUSED(t);
	if (store_chat_prune(app.st, time_now_s(), &pruned) == 0 && pruned)
		log_info("retention: deleted %lld closed conversations", (long long)pruned);
	track_maintain(&app);
	/* the search log feeds the editor's report of the last weeks; a year is plenty */
	store_kb_search_prune(app.st, time_now_s() - 365 * 86400);
	crm_loyalty_maintain(&app);   /* expires due points; levels once a day */
	crm_rfm_maintain(&app);   /* RFM scores and tiers of every site, once a day */
	store_maintain(app.st, time_now_s());
}

static int cmd_serve(struct opts *o, struct config *c)
{
	char host[128];
	int port, bound;
	if (o->nargs) {
		fprintf(stderr, "usage: %s\n", commands[0].usage);
		return 2;
	}
	if (config_split_listen(c->listen, host, sizeof(host), &port)) {
		fprintf(stderr, "kefu: bad listen address %s (want HOST:PORT)\n", c->listen);
		return 2;
	}
	app.cfg = *c;
	snprintf(app.db_path, sizeof(app.db_path), "%s/kefu.db", c->data_dir);
	snprintf(app.upload_dir, sizeof(app.upload_dir), "%s/uploads", c->data_dir);
	if (open_store(c, &app.st, 1))
		return 1;
	uint64_t t0 = time_mono_ns();
	if (search_init() != 0) {
		store_close(app.st);
		return 1;
	}
	log_info("search tables ready in %.1f ms", (double)(time_mono_ns() - t0) / 1e6);
	mkdir(app.upload_dir, 0700);
	app.login_ip = ratelimit_new(c->login_per_min, 60);
	app.login_email = ratelimit_new(c->login_per_min, 60);

	uv_loop_t *loop = uv_default_loop();
	/* A peer that resets mid-write must cost an EPIPE on that socket, not the process. */
	signal(SIGPIPE, SIG_IGN);
	app.loop = loop;
	app.srv = http_server_new(loop, &c->lim);
	http_server_set_userdata(app.srv, &app);
	http_server_set_authorize(app.srv, auth_authorize);
	http_server_set_upload_dir(app.srv, app.upload_dir);
	if (http_server_set_trusted_proxies(app.srv, c->trusted_proxies))
		log_warn("trusted_proxies: too many entries, some ignored");
	system_register(app.srv);
	auth_register(app.srv);
	chat_register(app.srv);
	track_register(app.srv);
	settings_register(app.srv);
	kb_bot_register(app.srv);
	kb_register(app.srv);        /* the knowledge base's REST API */
	kb_search_register(app.srv);  /* search (help centre, widget, agents) and the editor's report */
	kb_help_register(app.srv);   /* the help centre at /help/<site> */
	crm_register(app.srv);       /* customers, orders, order lookup (docs/crm.md) */
	ticket_sla_register(app.srv);   /* SLAs, CSAT, follow-ups, the report (before the core's /tickets/:id) */
	ticket_register(app.srv);    /* tickets: the core's REST API (docs/tickets.md) */
	ticket_forms_register(app.srv);   /* online forms: /f/<id>, their admin API, submissions */
	ticket_mail_register(app.srv);   /* ticket e-mail: mailboxes, outbox, rejects */
	wf_register(app.srv);        /* after-sales: returns, repairs, the status page /t/<id> */
	ticket_init(&app);           /* tickets: the core, then each part's hooks */
	ticket_sla_init(&app);       /* SLA due times, the breach timer, CSAT and follow-up hooks */
	ticket_mail_init(&app);      /* e-mailed replies (the outbox sender) and IMAP polling */
	if (http_server_listen(app.srv, host, port, &bound) != 0) {
		store_close(app.st);
		return 1;
	}
	/* the bound port (--listen HOST:0) for links in e-mails without [tickets] public_url */
	snprintf(app.cfg.listen, sizeof(app.cfg.listen), strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, bound);
	uv_signal_init(loop, &sig_term);
	uv_signal_init(loop, &sig_int);
	uv_signal_start(&sig_term, on_signal, SIGTERM);
	uv_signal_start(&sig_int, on_signal, SIGINT);
	uv_timer_init(loop, &maint_timer);
	uv_timer_start(&maint_timer, on_maintain, 60000, 300000);
	log_info("kefu %s listening on http://%s%s%s:%d (data %s)", KEFU_VERSION, strchr(host, ':') ? "[" : "", host,
		 strchr(host, ':') ? "]" : "", bound, c->data_dir);

	uv_run(loop, UV_RUN_DEFAULT);   /* returns once every handle and queued job is done */

	http_server_free(app.srv);
	ratelimit_free(app.login_ip);
	ratelimit_free(app.login_email);
	store_close(app.st);
	uv_loop_close(loop);
	log_info("stopped cleanly");
	return 0;
}

/* ---- admin commands ---- */

static int cmd_migrate(struct opts *o, struct config *c)
{
	struct store *st;
	int applied = 0, version = 0;
	KF_UNUSED(o);
	if (mkdir(c->data_dir, 0700) != 0 && errno != EEXIST)
		return 1;
	char path[1100];
	snprintf(path, sizeof(path), "%s/kefu.db", c->data_dir);
	if (store_open(path, &st) || store_migrate(st, &applied)) {
		store_close(st);
		return 1;
	}
	store_schema_version(st, &version);
	printf("applied %d migration(s); schema version %d\n", applied, version);
	store_close(st);
	return 0;
}

static int cmd_backup(struct opts *o, struct config *c)
{
	if (o->nargs != 1) {
		fprintf(stderr, "usage: kefu backup FILE [--data DIR]\n");
		return 2;
	}
	char path[1100];
	snprintf(path, sizeof(path), "%s/kefu.db", c->data_dir);
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "kefu: no database at %s\n", path);
		return 1;
	}
	if (store_backup(path, o->args[0]) != 0)
		return 1;
	printf("backup written to %s\n", o->args[0]);
	return 0;
}

/* The password from stdin (first line) or a generated one, printed. */
static int read_password(char *out, size_t outsz, int *generated)
{
	*generated = 0;
	out[0] = '\0';
	if (!isatty(STDIN_FILENO) && fgets(out, (int)outsz, stdin))
		out[strcspn(out, "\r\n")] = '\0';
	if (!out[0]) {
		char pw[17];
		password_generate(pw);
		snprintf(out, outsz, "%s", pw);
		*generated = 1;
	}
	const char *why = password_check_policy(out);
	if (why) {
		fprintf(stderr, "kefu: %s\n", why);
		return 1;
	}
	return 0;
}

static int print_user(void *ud, const struct store_user *u)
{
	KF_UNUSED(ud);
	printf("%-6lld %-11s %-32s %s%s\n", (long long)u->id, u->role, u->email, u->name, u->disabled ? " (disabled)" : "");
	return 0;
}

static int user_add(struct store *st, struct opts *o)
{
	struct store_user u;
	char pw[1100];
	int gen;
	memset(&u, 0, sizeof(u));
	const char *role = o->role ? o->role : "agent";
	if (!auth_role_valid(role) || !strchr(o->args[1], '@')) {
		fprintf(stderr, "kefu: need a valid e-mail and a role of admin, supervisor or agent\n");
		return 2;
	}
	if (read_password(pw, sizeof(pw), &gen))
		return 1;
	snprintf(u.email, sizeof(u.email), "%s", o->args[1]);
	snprintf(u.name, sizeof(u.name), "%s", o->name ? o->name : "");
	snprintf(u.role, sizeof(u.role), "%s", role);
	if (password_hash(pw, u.pwhash))
		return 1;
	int rc = store_user_create(st, &u);
	if (rc == KF_EEXIST) {
		fprintf(stderr, "kefu: a user with e-mail %s exists\n", u.email);
		return 1;
	}
	if (rc)
		return 1;
	store_audit(st, 0, "cli", "user.created", u.email);
	printf("created %s %s (id %lld)\n", u.role, u.email, (long long)u.id);
	if (gen)
		printf("password: %s\n", pw);
	sodium_memzero(pw, sizeof(pw));
	return 0;
}

static int user_passwd(struct store *st, struct opts *o)
{
	struct store_user u;
	char pw[1100], hash[160];
	int gen;
	if (store_user_by_email(st, o->args[1], &u) != 0) {
		fprintf(stderr, "kefu: no user %s\n", o->args[1]);
		return 1;
	}
	if (read_password(pw, sizeof(pw), &gen) || password_hash(pw, hash) ||
	    store_user_set_password(st, u.id, hash))
		return 1;
	store_session_delete_user(st, u.id, "");
	store_audit(st, u.id, "cli", "password.changed", "");
	printf("password changed for %s\n", u.email);
	if (gen)
		printf("password: %s\n", pw);
	sodium_memzero(pw, sizeof(pw));
	return 0;
}

static int cmd_user(struct opts *o, struct config *c)
{
	struct store *st = NULL;
	int rc;
	const char *sub = o->nargs ? o->args[0] : "";
	int want = strcmp(sub, "list") == 0 ? 1 : 2;
	if ((strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "passwd")) || o->nargs != want) {
		fprintf(stderr, "usage: %s\n", commands[3].usage);
		return 2;
	}
	if (open_store(c, &st, strcmp(sub, "add") == 0))
		return 1;
	if (strcmp(sub, "list") == 0)
		rc = store_user_each(st, print_user, NULL) ? 1 : 0;
	else if (strcmp(sub, "add") == 0)
		rc = user_add(st, o);
	else
		rc = user_passwd(st, o);
	store_close(st);
	return rc;
}

static int collect_user(void *ud, const struct store_user *u)
{
	int64_t *ids = ud;
	if (ids[0] < 255)
		ids[++ids[0]] = u->id;
	return 0;
}

static int print_site(void *ud, const struct store_site *s)
{
	KF_UNUSED(ud);
	printf("%-6lld %-24s %s\n", (long long)s->id, s->key, s->name);
	return 0;
}

static int cmd_site(struct opts *o, struct config *c)
{
	struct store *st = NULL;
	const char *sub = o->nargs ? o->args[0] : "";
	int add = strcmp(sub, "add") == 0;
	if (!(add && o->nargs == 2) && !(strcmp(sub, "list") == 0 && o->nargs == 1)) {
		fprintf(stderr, "usage: %s\n", find_command("site")->usage);
		return 2;
	}
	if (open_store(c, &st, 0))
		return 1;
	int rc = 0;
	if (!add) {
		rc = store_site_each(st, 0, print_site, NULL) ? 1 : 0;
		store_close(st);
		return rc;
	}
	struct store_site s;
	int64_t ids[256] = { 0 };
	char tok[64];
	memset(&s, 0, sizeof(s));
	token_new(tok, sizeof(tok));
	snprintf(s.key, sizeof(s.key), "s_%.20s", tok);
	utf8_copy(s.name, sizeof(s.name), o->args[1]);
	utf8_copy(s.greeting, sizeof(s.greeting), o->greeting ? o->greeting : "");
	snprintf(s.color, sizeof(s.color), "#1677ff");
	snprintf(s.languages, sizeof(s.languages), "zh-CN zh-TW en");
	s.preview = o->preview;
	s.auto_reply_delay = 30;
	s.max_file_bytes = 10 * 1024 * 1024;
	snprintf(s.file_types, sizeof(s.file_types), "image/ application/pdf text/plain application/zip");
	snprintf(s.auto_reply, sizeof(s.auto_reply), "%s", "客服马上就来，请稍候。An agent will be with you shortly.");
	snprintf(s.offline_message, sizeof(s.offline_message), "%s",
		 "客服暂时不在线，请留下您的问题和邮箱，我们会尽快回复。No agent is online: leave your question and e-mail, "
		 "we will answer soon.");
	if (store_site_create(st, &s) || store_user_each(st, collect_user, ids) ||
	    store_site_set_members(st, s.id, ids + 1, (size_t)ids[0])) {
		store_close(st);
		return 1;
	}
	printf("created site %s (id %lld, key %s)\nembed: <script async src=\"http://%s/widget.js\" data-site=\"%s\"></script>\n",
	       s.name, (long long)s.id, s.key, c->listen, s.key);
	store_close(st);
	return 0;
}

static int cmd_demo_seed(struct opts *o, struct config *c)
{
	struct store *st = NULL;
	if (o->nargs) {
		fprintf(stderr, "usage: %s\n", find_command("demo-seed")->usage);
		return 2;
	}
	if (open_store(c, &st, 0))
		return 1;
	int rc = demo_seed(st);
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int cmd_import(struct opts *o, struct config *c)
{
	struct store *st = NULL;
	int64_t site_id = 1;
	if (o->nargs != 2 || strcmp(o->args[0], "orders") != 0 ||
	    (o->site && (parse_i64(o->site, strlen(o->site), &site_id) || site_id < 1))) {
		fprintf(stderr, "usage: %s\n", find_command("import")->usage);
		return 2;
	}
	if (open_store(c, &st, 0))
		return 1;
	int rc = crm_import_cli(st, site_id, o->map, o->currency, o->args[1]);
	store_close(st);
	return rc;
}

static int cmd_crm(struct opts *o, struct config *c)
{
	struct store *st = NULL;
	int64_t site_id = 1;
	if (o->nargs != 1 || strcmp(o->args[0], "recompute") != 0 ||
	    (o->site && (parse_i64(o->site, strlen(o->site), &site_id) || site_id < 1))) {
		fprintf(stderr, "usage: %s\n", find_command("crm")->usage);
		return 2;
	}
	if (open_store(c, &st, 0))
		return 1;
	int rc = crm_rfm_cli(st, site_id);
	store_close(st);
	return rc;
}

static int cmd_mail_in(struct opts *o, struct config *c)
{
	struct store *st = NULL;
	if (o->nargs || (o->site && o->mailbox)) {
		fprintf(stderr, "usage: %s\n", find_command("mail-in")->usage);
		return 2;
	}
	if (open_store(c, &st, 0))
		return 75;   /* EX_TEMPFAIL: the MTA keeps the mail and tries again */
	int rc = ticket_mail_in_cli(c, st, o->site, o->mailbox);
	store_close(st);
	return rc;
}

static int cmd_version(struct opts *o, struct config *c)
{
	KF_UNUSED(o);
	KF_UNUSED(c);
	printf("kefu %s (libuv %s, %s, libsodium %s)\n", KEFU_VERSION, uv_version_string(),
	       store_backend_version(), sodium_version_string());
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct config c;
	memset(&o, 0, sizeof(o));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		const struct command *cmd = argc > 2 ? find_command(argv[2]) : NULL;
		if (!cmd) {
			usage(argc > 2 ? stderr : stdout);
			return argc > 2 ? 2 : 0;
		}
		printf("usage: %s\n\n%s\n", cmd->usage, cmd->help);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(&o, &c);
	const struct command *cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "kefu: unknown command %s (see kefu --help)\n", argv[1]);
		return 2;
	}
	int rc = parse_opts(argc - 2, argv + 2, &o);
	if (rc)
		return rc;
	if ((rc = load_config(&o, &c)))
		return rc;
	mail_global_init();
	if (sodium_init() < 0) {
		fprintf(stderr, "kefu: libsodium failed to initialise\n");
		return 1;
	}
	/* One argon2id hash per core at a time (STACK.md); the pool is sized before first use. */
	if (!getenv("UV_THREADPOOL_SIZE")) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		char v[24];
		snprintf(v, sizeof(v), "%ld", n < 2 ? 2 : n > 64 ? 64 : n);
		setenv("UV_THREADPOOL_SIZE", v, 1);
	}
	return cmd->run(&o, &c);
}
