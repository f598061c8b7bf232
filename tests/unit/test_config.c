/* tests/unit/test_config.c - app/config.c: defaults, kefu.conf (INI), the environment
 * and HOST:PORT splitting. */
#include "testutil.h"
#include "app/config.h"
#include "core/kf.h"
#include "core/log.h"

static char dir[512], path[600];

static int setup(void **state)
{
	(void)state;
	log_set_level_name("error");
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/kefu.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	return 0;
}

/* ---- config_split_listen ---- */

static void split_ok(const char *in, const char *host, int port)
{
	char h[64] = "unset";
	int p = -1;
	if (config_split_listen(in, h, sizeof(h), &p) != 0)
		fail_msg("%s was refused", in);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

static void split_bad(const char *in)
{
	char h[64] = "unset";
	int p = -1;
	if (config_split_listen(in, h, sizeof(h), &p) != KF_EINVAL)
		fail_msg("%s was accepted as host %s port %d", in, h, p);
	assert_int_equal(p, -1);
}

static void test_split_listen_ipv4_and_names(void **state)
{
	(void)state;
	split_ok("127.0.0.1:8080", "127.0.0.1", 8080);
	split_ok("0.0.0.0:80", "0.0.0.0", 80);
	split_ok("localhost:0", "localhost", 0);
	split_ok("kefu.example.com:65535", "kefu.example.com", 65535);
}

static void test_split_listen_ipv6_brackets(void **state)
{
	(void)state;
	split_ok("[::1]:8080", "::1", 8080);
	split_ok("[::]:443", "::", 443);
	split_ok("[fe80::1%eth0]:9000", "fe80::1%eth0", 9000);
	split_ok("[2001:db8::42]:1", "2001:db8::42", 1);
}

static void test_split_listen_rejects_bad(void **state)
{
	(void)state;
	split_bad("");
	split_bad("8080");
	split_bad("localhost");
	split_bad(":8080");            /* empty host */
	split_bad("host:");            /* empty port */
	split_bad("host:http");
	split_bad("host:80x");
	split_bad("host: 80");
	split_bad("host:-1");
	split_bad("host:65536");
	split_bad("host:99999999999999999999");
	split_bad("[::1]8080");        /* no colon after the bracket */
	split_bad("[::1]");
	split_bad("[::1");
	split_bad("[::1]:");
	split_bad("[]:80");
	split_bad("[::1]:80:90");
}

static void test_split_listen_host_must_fit(void **state)
{
	(void)state;
	char h[8];
	int p = -1;
	assert_int_equal(config_split_listen("1234567:1", h, sizeof(h), &p), 0);
	assert_string_equal(h, "1234567");
	assert_int_equal(config_split_listen("12345678:1", h, sizeof(h), &p), KF_EINVAL);
	assert_int_equal(config_split_listen("[1234:5678]:1", h, sizeof(h), &p), KF_EINVAL);
}

/* ---- defaults ---- */

static void test_defaults_match_contract(void **state)
{
	(void)state;
	struct config c;
	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_string_equal(c.data_dir, "./data");
	assert_string_equal(c.log_level, "info");
	assert_string_equal(c.trusted_proxies, "127.0.0.1, ::1");
	assert_int_equal(c.lim.max_header_bytes, 16384);
	assert_int_equal(c.lim.max_url_bytes, 4096);
	assert_int_equal(c.lim.max_body_bytes, 1048576);
	assert_int_equal(c.lim.max_upload_bytes, 26214400);
	assert_int_equal(c.lim.ws_max_frame_bytes, 65536);
	assert_int_equal(c.lim.ws_max_message_bytes, 262144);
	assert_int_equal(c.lim.idle_timeout_ms, 60000);
	assert_int_equal(c.lim.request_timeout_ms, 30000);
	assert_int_equal(c.lim.max_conns_per_ip, 256);
	assert_int_equal(c.lim.max_conns, 19000);
	assert_int_equal(c.lim.shutdown_timeout_ms, 10000);
	assert_int_equal(c.login_per_min, 10);
	assert_int_equal(c.session_ttl_h, 168);
	assert_int_equal(c.secure_cookie, -1);
}

/* ---- config_load_file ---- */

static void test_load_missing_file_keeps_defaults(void **state)
{
	(void)state;
	struct config c, d;
	config_defaults(&c);
	config_defaults(&d);
	char missing[700];
	snprintf(missing, sizeof(missing), "%s/does-not-exist.conf", dir);
	assert_int_equal(config_load_file(&c, missing), 0);
	assert_memory_equal(&c, &d, sizeof(c));
}

static void test_load_file_sets_limits_and_sections(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	tu_write_file(path,
		      "# a comment\n"
		      "[server]\n"
		      "listen = [::1]:9090\n"
		      "log_level = debug\n"
		      "trusted_proxies = 10.0.0.1, 10.0.0.2\n"
		      "\n"
		      "[limits]\n"
		      "max_header_bytes = 2048\n"
		      "max_url_bytes=512\n"
		      "max_body_bytes = 4096\n"
		      "max_upload_bytes = 65536\n"
		      "ws_max_frame_bytes = 1000\n"
		      "ws_max_message_bytes = 2000\n"
		      "idle_timeout_ms = 1500\n"
		      "request_timeout_ms = 2500\n"
		      "max_conns_per_ip = 4\n"
		      "max_conns = 50\n"
		      "login_attempts_per_min = 3\n"
		      "shutdown_timeout_ms = 700\n"
		      "[session]\n"
		      "ttl_hours = 24\n"
		      "secure_cookie = on\n");
	assert_int_equal(config_load_file(&c, path), 0);
	assert_string_equal(c.listen, "[::1]:9090");
	assert_string_equal(c.log_level, "debug");
	assert_string_equal(c.trusted_proxies, "10.0.0.1, 10.0.0.2");
	assert_int_equal(c.lim.max_header_bytes, 2048);
	assert_int_equal(c.lim.max_url_bytes, 512);
	assert_int_equal(c.lim.max_body_bytes, 4096);
	assert_int_equal(c.lim.max_upload_bytes, 65536);
	assert_int_equal(c.lim.ws_max_frame_bytes, 1000);
	assert_int_equal(c.lim.ws_max_message_bytes, 2000);
	assert_int_equal(c.lim.idle_timeout_ms, 1500);
	assert_int_equal(c.lim.request_timeout_ms, 2500);
	assert_int_equal(c.lim.max_conns_per_ip, 4);
	assert_int_equal(c.lim.max_conns, 50);
	assert_int_equal(c.lim.shutdown_timeout_ms, 700);
	assert_int_equal(c.login_per_min, 3);
	assert_int_equal(c.session_ttl_h, 24);
	assert_int_equal(c.secure_cookie, 1);
	/* what the file does not name keeps its default */
	assert_string_equal(c.data_dir, "./data");
}

static void test_load_contract_sample_with_inline_comments(void **state)
{
	(void)state;
	/* The sample from docs/contract.md, inline "; comments" included. */
	struct config c;
	config_defaults(&c);
	tu_write_file(path,
		      "[server]\n"
		      "listen = 127.0.0.1:8081\n"
		      "log_level = warn\n"
		      "trusted_proxies = 127.0.0.1, ::1     ; X-Forwarded-For is believed only from these peers\n"
		      "[limits]\n"
		      "max_header_bytes = 16000             ; request line + headers -> 431 header_too_large\n"
		      "max_url_bytes = 4000                 ; -> 414 uri_too_long\n"
		      "login_attempts_per_min = 7           ; per IP and per e-mail -> 429 rate_limited (Retry-After)\n"
		      "[session]\n"
		      "ttl_hours = 100\n"
		      "secure_cookie = auto                 ; auto: Secure when X-Forwarded-Proto: https from a trusted proxy\n");
	assert_int_equal(config_load_file(&c, path), 0);
	assert_string_equal(c.listen, "127.0.0.1:8081");
	assert_string_equal(c.trusted_proxies, "127.0.0.1, ::1");
	assert_int_equal(c.lim.max_header_bytes, 16000);
	assert_int_equal(c.lim.max_url_bytes, 4000);
	assert_int_equal(c.login_per_min, 7);
	assert_int_equal(c.session_ttl_h, 100);
	assert_int_equal(c.secure_cookie, -1);
}

static void test_load_secure_cookie_values(void **state)
{
	(void)state;
	static const struct { const char *v; int want; } cases[] = {
		{ "auto", -1 }, { "on", 1 }, { "true", 1 }, { "off", 0 }, { "false", 0 },
	};
	for (size_t i = 0; i < KF_ARRAY_LEN(cases); i++) {
		struct config c;
		char text[128];
		config_defaults(&c);
		snprintf(text, sizeof(text), "[session]\nsecure_cookie = %s\n", cases[i].v);
		tu_write_file(path, text);
		assert_int_equal(config_load_file(&c, path), 0);
		assert_int_equal(c.secure_cookie, cases[i].want);
	}
}

static void test_load_ignores_unknown_keys_and_sections(void **state)
{
	(void)state;
	struct config c, d;
	config_defaults(&c);
	config_defaults(&d);
	tu_write_file(path,
		      "[server]\nfuture_option = 1\n"
		      "[plugins]\nanything = goes\n"
		      "[session]\ncolour = blue\n");
	assert_int_equal(config_load_file(&c, path), 0);
	assert_memory_equal(&c, &d, sizeof(c));
}

static void test_load_ignores_unknown_key_in_limits(void **state)
{
	(void)state;
	/* A limit this version does not know (say, from a newer kefu.conf) is ignored
	 * like unknown keys elsewhere, while the known ones still apply. */
	struct config c;
	config_defaults(&c);
	tu_write_file(path, "[limits]\nmax_widgets = 12\nmax_url_bytes = 999\n");
	assert_int_equal(config_load_file(&c, path), 0);
	assert_int_equal(c.lim.max_url_bytes, 999);
}

static void load_bad(const char *text)
{
	struct config c;
	config_defaults(&c);
	tu_write_file(path, text);
	tu_quiet(1);   /* the bad line is logged */
	int rc = config_load_file(&c, path);
	tu_quiet(0);
	if (rc != KF_EINVAL)
		fail_msg("accepted: %s", text);
}

static void test_load_rejects_bad_numbers(void **state)
{
	(void)state;
	load_bad("[limits]\nmax_body_bytes = abc\n");
	load_bad("[limits]\nmax_body_bytes = -5\n");
	load_bad("[limits]\nmax_body_bytes = 0\n");
	load_bad("[limits]\nmax_body_bytes = 1.5\n");
	load_bad("[limits]\nmax_body_bytes = 10k\n");
	load_bad("[limits]\nmax_body_bytes = 0x100\n");
	load_bad("[limits]\nmax_body_bytes =\n");
	load_bad("[limits]\nmax_body_bytes = 99999999999999999999999\n");
	load_bad("[limits]\nidle_timeout_ms = soon\n");
	load_bad("[limits]\nlogin_attempts_per_min = many\n");
	load_bad("[limits]\nlogin_attempts_per_min = -1\n");
	load_bad("[session]\nttl_hours = 0\n");
	load_bad("[session]\nttl_hours = forever\n");
}

static void test_load_rejects_unsigned_overflow(void **state)
{
	(void)state;
	/* 4294967297 does not fit the unsigned fields; it must not wrap to 1. */
	load_bad("[limits]\nmax_conns_per_ip = 4294967297\n");
	load_bad("[limits]\nidle_timeout_ms = 4294967296\n");
	load_bad("[session]\nttl_hours = 4294967296\n");
}

static void test_load_rejects_broken_ini(void **state)
{
	(void)state;
	load_bad("[limits\nmax_body_bytes = 10\n");
	load_bad("[limits]\nthis line has no equals sign\n");
}

static void test_load_env_overrides(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	setenv("KEFU_LISTEN", "0.0.0.0:9999", 1);
	setenv("KEFU_DATA", "/var/lib/kefu", 1);
	setenv("KEFU_LOG_LEVEL", "", 1);   /* empty is ignored */
	config_load_env(&c);
	unsetenv("KEFU_LISTEN");
	unsetenv("KEFU_DATA");
	unsetenv("KEFU_LOG_LEVEL");
	assert_string_equal(c.listen, "0.0.0.0:9999");
	assert_string_equal(c.data_dir, "/var/lib/kefu");
	assert_string_equal(c.log_level, "info");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_listen_ipv4_and_names),
		cmocka_unit_test(test_split_listen_ipv6_brackets),
		cmocka_unit_test(test_split_listen_rejects_bad),
		cmocka_unit_test(test_split_listen_host_must_fit),
		cmocka_unit_test(test_defaults_match_contract),
		cmocka_unit_test(test_load_missing_file_keeps_defaults),
		cmocka_unit_test(test_load_file_sets_limits_and_sections),
		cmocka_unit_test(test_load_contract_sample_with_inline_comments),
		cmocka_unit_test(test_load_secure_cookie_values),
		cmocka_unit_test(test_load_ignores_unknown_keys_and_sections),
		cmocka_unit_test(test_load_ignores_unknown_key_in_limits),
		cmocka_unit_test(test_load_rejects_bad_numbers),
		cmocka_unit_test(test_load_rejects_unsigned_overflow),
		cmocka_unit_test(test_load_rejects_broken_ini),
		cmocka_unit_test(test_load_env_overrides),
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
