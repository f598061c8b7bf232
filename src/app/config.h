/* app/config.h - settings from defaults, DATA/kefu.conf, the environment and flags,
 * in that order (later wins). */
#ifndef KF_APP_CONFIG_H
#define KF_APP_CONFIG_H
#include "http/http.h"

struct config {
	char listen[128];            /* HOST:PORT */
	char data_dir[1024];
	char log_level[16];
	char trusted_proxies[512];
	struct http_limits lim;
	unsigned login_per_min;
	unsigned chat_msgs_per_10s;  /* per visitor socket */
	unsigned session_ttl_h;
	int secure_cookie;           /* -1 auto (from X-Forwarded-Proto), 0 never, 1 always */
	char geoip[1024];            /* [track] geoip: MaxMind DB file ("" = none) */
	unsigned pageview_days;      /* [track] pageview_days: raw page views kept */
	unsigned track_per_min;      /* [track] reports_per_min: tracking reports per IP */
	unsigned track_new_per_min;  /* [track] new_visitors_per_min: visitors a report may make, per IP */
	unsigned presence_max;       /* [track] presence_max: visitors kept in memory for the live list */
	int demo_sign;               /* [demo] sign_customers: /demo may sign in as a demo-NNN customer */
	unsigned sla_tick_ms;        /* [tickets] sla_tick_ms: how often SLA breaches are looked for */
	char public_url[256];        /* [tickets] public_url: scheme://host for links in e-mail ("" = http://listen) */
	size_t mail_max_bytes;       /* [mail] max_bytes: inbound mail over this is rejected (default 25 MB) */
	unsigned mail_retry_s;       /* [mail] retry_seconds: the outbox's first retry delay (30; then x4, x20 ...) */
};

void config_defaults(struct config *c);
/* Reads path (INI) if it exists. KF_EINVAL names the bad line in the log. */
int  config_load_file(struct config *c, const char *path);
void config_load_env(struct config *c);
/* Splits "host:port" ("[::1]:8080" for IPv6). */
int  config_split_listen(const char *listen, char *host, size_t hostsz, int *port);

#endif
