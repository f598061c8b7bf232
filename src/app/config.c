/* app/config.c - configuration (see config.h). The INI reader is inih. */
#include "app/config.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
	snprintf(c->data_dir, sizeof(c->data_dir), "./data");
	snprintf(c->log_level, sizeof(c->log_level), "info");
	snprintf(c->trusted_proxies, sizeof(c->trusted_proxies), "127.0.0.1, ::1");
	http_limits_default(&c->lim);
	c->login_per_min = 10;
	c->chat_msgs_per_10s = 20;
	c->session_ttl_h = 168;
	c->secure_cookie = -1;
	c->pageview_days = 90;
	c->sla_tick_ms = 30000;
	c->track_per_min = 1200;
	c->track_new_per_min = 30;
	c->presence_max = 20000;
	c->mail_max_bytes = 25u * 1024 * 1024;
	c->mail_retry_s = 30;
}

static int num(const char *v, unsigned long long *out)
{
	int64_t n;
	if (parse_i64(v, strlen(v), &n) || n < 0)
		return 0;
	*out = (unsigned long long)n;
	return 1;
}

struct limit_key { const char *name; size_t off; int is_size; };
#define LS(f) { #f, offsetof(struct http_limits, f), 1 }
#define LU(f) { #f, offsetof(struct http_limits, f), 0 }
static const struct limit_key limit_keys[] = {
	LS(max_header_bytes), LS(max_url_bytes), LS(max_body_bytes), LS(max_upload_bytes),
	LS(ws_max_frame_bytes), LS(ws_max_message_bytes), LU(idle_timeout_ms), LU(request_timeout_ms),
	LU(shutdown_timeout_ms), LU(ws_ping_ms), LU(max_conns_per_ip), LU(max_conns), LU(max_headers),
};

static int set_limit(struct config *c, const char *name, const char *value)
{
	unsigned long long v;
	if (strcmp(name, "login_attempts_per_min") == 0)
		return num(value, &v) && v > 0 && v <= UINT_MAX ? (c->login_per_min = (unsigned)v, 1) : 0;
	if (strcmp(name, "chat_msgs_per_10s") == 0)
		return num(value, &v) && v > 0 && v <= 1000000 ? (c->chat_msgs_per_10s = (unsigned)v, 1) : 0;
	for (size_t i = 0; i < KF_ARRAY_LEN(limit_keys); i++) {
		if (strcmp(name, limit_keys[i].name) != 0)
			continue;
		if (!num(value, &v) || v == 0 || (!limit_keys[i].is_size && v > UINT_MAX))
			return 0;
		char *p = (char *)&c->lim + limit_keys[i].off;
		if (limit_keys[i].is_size)
			*(size_t *)p = (size_t)v;
		else
			*(unsigned *)p = (unsigned)v;
		return 1;
	}
	log_warn("kefu.conf: unknown setting [limits] %s (ignored)", name);
	return 1;
}

static int on_ini(void *ud, const char *section, const char *name, const char *value)
{
	struct config *c = ud;
	unsigned long long v;
	if (strcmp(section, "server") == 0) {
		if (strcmp(name, "listen") == 0)
			return snprintf(c->listen, sizeof(c->listen), "%s", value) > 0;
		if (strcmp(name, "log_level") == 0)
			return snprintf(c->log_level, sizeof(c->log_level), "%s", value) > 0;
		if (strcmp(name, "trusted_proxies") == 0)
			return snprintf(c->trusted_proxies, sizeof(c->trusted_proxies), "%s", value) >= 0;
	} else if (strcmp(section, "limits") == 0) {
		return set_limit(c, name, value);
	} else if (strcmp(section, "track") == 0) {
		if (strcmp(name, "geoip") == 0)
			return snprintf(c->geoip, sizeof(c->geoip), "%s", value) >= 0;
		if (strcmp(name, "pageview_days") == 0)
			return num(value, &v) && v > 0 && v <= 3650 ? (c->pageview_days = (unsigned)v, 1) : 0;
		if (strcmp(name, "reports_per_min") == 0)
			return num(value, &v) && v > 0 && v <= 10000000 ? (c->track_per_min = (unsigned)v, 1) : 0;
		if (strcmp(name, "new_visitors_per_min") == 0)
			return num(value, &v) && v > 0 && v <= 10000000 ? (c->track_new_per_min = (unsigned)v, 1) : 0;
		if (strcmp(name, "presence_max") == 0)   /* ~1.6 KB an entry at worst */
			return num(value, &v) && v > 0 && v <= 10000000 ? (c->presence_max = (unsigned)v, 1) : 0;
	} else if (strcmp(section, "tickets") == 0) {
		/* tests set a short tick so a due-at-creation SLA breaches within a second */
		if (strcmp(name, "sla_tick_ms") == 0)
			return num(value, &v) && v >= 100 && v <= 3600000 ? (c->sla_tick_ms = (unsigned)v, 1) : 0;
		if (strcmp(name, "public_url") == 0)   /* links in survey mails: no trailing slash */
			return (strncmp(value, "http://", 7) == 0 || strncmp(value, "https://", 8) == 0) && !strpbrk(value, " \"<>") &&
			       snprintf(c->public_url, sizeof(c->public_url), "%s", value) < (int)sizeof(c->public_url);
	} else if (strcmp(section, "demo") == 0) {
		/* only `make demo` turns this on: it lets anyone be a demo customer on /demo */
		if (strcmp(name, "sign_customers") == 0)
			return strcmp(value, "on") == 0 ? (c->demo_sign = 1) : strcmp(value, "off") == 0 ? (c->demo_sign = 0, 1) : 0;
	} else if (strcmp(section, "mail") == 0) {
		if (strcmp(name, "max_bytes") == 0)   /* 1 KB .. 1 GB */
			return num(value, &v) && v >= 1024 && v <= (1ull << 30) ? (c->mail_max_bytes = (size_t)v, 1) : 0;
		if (strcmp(name, "retry_seconds") == 0)
			return num(value, &v) && v > 0 && v <= 86400 ? (c->mail_retry_s = (unsigned)v, 1) : 0;
	} else if (strcmp(section, "session") == 0) {
		if (strcmp(name, "ttl_hours") == 0)   /* at most ten years */
			return num(value, &v) && v > 0 && v <= 87600 ? (c->session_ttl_h = (unsigned)v, 1) : 0;
		if (strcmp(name, "secure_cookie") == 0) {
			if (strcmp(value, "auto") == 0)
				c->secure_cookie = -1;
			else if (strcmp(value, "on") == 0 || strcmp(value, "true") == 0)
				c->secure_cookie = 1;
			else if (strcmp(value, "off") == 0 || strcmp(value, "false") == 0)
				c->secure_cookie = 0;
			else
				return 0;
			return 1;
		}
	}
	log_warn("kefu.conf: unknown setting [%s] %s (ignored)", section, name);
	return 1;
}

int config_load_file(struct config *c, const char *path)
{
	if (access(path, F_OK) != 0)
		return 0;
	int line = ini_parse(path, on_ini, c);
	if (line != 0) {
		log_error("%s: error on line %d", path, line);
		return KF_EINVAL;
	}
	return 0;
}

void config_load_env(struct config *c)
{
	const char *v;
	if ((v = getenv("KEFU_LISTEN")) && *v)
		snprintf(c->listen, sizeof(c->listen), "%s", v);
	if ((v = getenv("KEFU_DATA")) && *v)
		snprintf(c->data_dir, sizeof(c->data_dir), "%s", v);
	if ((v = getenv("KEFU_LOG_LEVEL")) && *v)
		snprintf(c->log_level, sizeof(c->log_level), "%s", v);
	if ((v = getenv("KEFU_GEOIP")) && *v)
		snprintf(c->geoip, sizeof(c->geoip), "%s", v);
}

int config_split_listen(const char *listen, char *host, size_t hostsz, int *port)
{
	const char *colon;
	const char *h = listen;
	size_t hl;
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (!end || end[1] != ':')
			return KF_EINVAL;
		h = listen + 1;
		hl = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return KF_EINVAL;
		hl = (size_t)(colon - listen);
	}
	int64_t p;
	if (hl == 0 || hl >= hostsz || parse_i64(colon + 1, strlen(colon + 1), &p) || p < 0 || p > 65535)
		return KF_EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (int)p;
	return 0;
}
