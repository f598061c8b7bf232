/* ticket/forms.h - online forms (在线表单, issue 7 point 3): an admin defines a form's fields per
 * site; visitors fill it in at /f/<id> (a hosted page that also works in an <iframe> and in the
 * widget); each accepted submission becomes a ticket through ticket.h. The files:
 *   forms.c         the admin's REST API and the field definitions' rules (forms__fields_check)
 *   forms_page.c    the hosted page in zh-CN / zh-TW / en, the widget's list of a site's forms
 *   forms_submit.c  a submission: spam checks, validation, the ticket, files, order, e-mail
 * docs/tickets.md "## Online forms" is the manual. */
#ifndef KF_TICKET_FORMS_H
#define KF_TICKET_FORMS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct http_server;
struct http_req;

#define FORMS_PER_SITE 100
#define FORM_MAX_FIELDS 30
#define FORM_MAX_OPTIONS 50
#define FORM_MAX_FILES 3                     /* per submission */
#define FORM_MAX_FILE_BYTES (5 * 1024 * 1024)
#define FORM_MIN_SECONDS 3                   /* a human takes longer than this to fill a form */
#define FORM_MAX_SECONDS (24 * 3600)         /* a page older than this is reloaded first */
#define FORM_SUBMITS 5                       /* accepted submissions per IP ... */
#define FORM_FAILS 30                        /* ... and refused ones (a guessing bound) ... */
#define FORM_WINDOW_S 600                    /* ... in any 10 minutes */

/* Registration (main.c): every route of the three files. shutdown frees the rate limiters. */
void ticket_forms_register(struct http_server *s);
void ticket_forms_shutdown(void);
/* The site's active forms as the widget lists them, [{id, name, title, url}] (a new
 * reference), or NULL when they could not be read. Used by GET /api/v1/forms/public and by
 * the widget's config (chat/routes.c), so the widget needs no request of its own for them. */
json_t *ticket_forms_public(struct app *a, int64_t site_id);

/* ---- shared by the three files ---- */
/* The field definitions j (a JSON array) checked and normalised (defaults filled in, unknown
 * members refused) into *out (a new reference): 0, or KF_EINVAL with err naming the field
 * ("fields[2].key: ..."). */
int forms__fields_check(const json_t *j, json_t **out, char *err, size_t errsz);
/* The signed time stamp the page carries: "<unix s>.<32 hex of a MAC over form id and time>". */
void forms__stamp(struct app *a, int64_t form_id, int64_t t, char out[64]);
/* 0 with *t when stamp is the app's for form_id, else KF_EINVAL. */
int forms__stamp_check(struct app *a, int64_t form_id, const char *stamp, int64_t *t);
/* The visitor's language: lang when it is one of zh-CN zh-TW en, else the first of
 * Accept-Language that maps to one, else zh-CN. Returns 0 (zh-CN), 1 (zh-TW) or 2 (en). */
int forms__lang(struct http_req *r, const char *lang);
extern const char *const forms__langs[3];
/* 422 {"error":{"code":"invalid_field","message":msg,"field"}}, field being msg up to its
 * first ':' (the member or form field at fault, for the console and the page to point at). */
void forms__invalid(struct http_req *r, const char *msg);
/* Each file's routes (forms_page.c, forms_submit.c). */
void forms__page_register(struct http_server *s);
void forms__submit_register(struct http_server *s);
void forms__submit_shutdown(void);

#endif
