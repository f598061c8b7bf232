/* mail/mail.h - sending e-mail over SMTP with libcurl.
 * mail_send blocks (network): call it from a worker job. mail_send_async copies its
 * arguments, sends on the worker pool and logs the outcome. Messages are UTF-8 plain
 * text, base64-encoded, with an RFC 2047 subject. */
#ifndef KF_MAIL_MAIL_H
#define KF_MAIL_MAIL_H
#include <stddef.h>

struct mail_settings {
	char host[256], from[256], user[256], password[256];
	char tls[12];          /* "off", "starttls" or "on" (SMTPS) */
	int port;              /* 0: the scheme's default */
};

void mail_global_init(void);
int  mail_configured(const struct mail_settings *m);
/* 1 when addr looks like a deliverable address and holds no header-breaking bytes. */
int  mail_valid_address(const char *addr);
/* 0, or KF_EIO with a reason in err. */
int  mail_send(const struct mail_settings *m, const char *to, const char *subject, const char *text,
	       char *err, size_t errsz);
/* Sends a complete message (CRLF lines, headers included) from from_addr to to over m's
 * server (m->from is not used). Blocks; 0, KF_EINVAL, or KF_EIO with a reason in err. */
int  mail_send_raw(const struct mail_settings *m, const char *from_addr, const char *to, const char *raw, size_t len,
		   char *err, size_t errsz);
void mail_send_async(void *uv_loop, const struct mail_settings *m, const char *to, const char *subject,
		     const char *text);

#endif
