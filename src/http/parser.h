/* http/parser.h - the only door to the HTTP/1.1 parsing library.
 * Kefu uses Node's http-parser (frozen upstream); llhttp has the same callback model,
 * so swapping it touches only parser.c. Callbacks return 0 to go on, nonzero to stop
 * with HP_ECALLBACK. on_complete may call hp_pause() to stop after one message. */
#ifndef KF_HTTP_PARSER_H
#define KF_HTTP_PARSER_H
#include <stddef.h>
#include <stdint.h>

struct hp;

struct hp_info {
	int method;              /* enum req_method, or 0 for a method Kefu does not route */
	const char *method_name;
	int major, minor;
	int keep_alive;
	int upgrade;
	int64_t content_length;  /* -1 when absent (chunked or no body) */
};

struct hp_callbacks {
	int (*on_begin)(void *ud);
	int (*on_url)(void *ud, const char *p, size_t n);
	int (*on_header_field)(void *ud, const char *p, size_t n);
	int (*on_header_value)(void *ud, const char *p, size_t n);
	int (*on_headers_complete)(void *ud, const struct hp_info *info);
	int (*on_body)(void *ud, const char *p, size_t n);
	int (*on_complete)(void *ud, const struct hp_info *info);
};

enum hp_status { HP_OK = 0, HP_PAUSED = 1, HP_ECALLBACK = 2, HP_EPARSE = 3 };

struct hp *hp_new(const struct hp_callbacks *cb, void *ud);
void hp_free(struct hp *p);
/* Parses up to n bytes; returns how many were consumed and sets *st. After HP_PAUSED,
 * call hp_pause(p, 0) before feeding the rest. After an error the parser is dead. */
size_t hp_execute(struct hp *p, const char *data, size_t n, enum hp_status *st);
void hp_pause(struct hp *p, int paused);
/* A short name of the last parse error, e.g. "HPE_INVALID_METHOD". */
const char *hp_error_name(const struct hp *p);
/* 1 when the message just completed was an upgrade (the rest of the stream is not HTTP). */
int hp_is_upgrade(const struct hp *p);

#endif
