/* store/store_form.h - storage of online forms (在线表单, issue 7): the forms of a site and their
 * counters. What a field definition may say and who may see a form is ticket/forms.c; this file
 * only reads and writes rows. Conventions as store.h: 0 or a negative KF_E* code; strings cut to
 * fit (the caller checks lengths first). */
#ifndef KF_STORE_STORE_FORM_H
#define KF_STORE_STORE_FORM_H
#include <stddef.h>
#include <stdint.h>

struct store;

#define STORE_FORM_NAME 201
#define STORE_FORM_TITLE 201
#define STORE_FORM_INTRO 2001
#define STORE_FORM_SUCCESS 1001
#define STORE_FORM_FIELDS 32768        /* the field definitions as JSON text */

struct store_form {
	int64_t id, site_id;
	char name[STORE_FORM_NAME];
	char ticket_type[12];               /* question complaint return repair other */
	int64_t department_id;              /* 0 = none */
	char fields[STORE_FORM_FIELDS];     /* JSON array */
	char title[STORE_FORM_TITLE], intro[STORE_FORM_INTRO], success_message[STORE_FORM_SUCCESS];
	int active;
	int64_t submissions, spam;          /* read-only: counters kept by store_form_count */
	int64_t created_at, updated_at;
};
int store_form_create(struct store *st, struct store_form *f);       /* sets f->id */
int store_form_update(struct store *st, const struct store_form *f);  /* all but counters and created_at */
int store_form_delete(struct store *st, int64_t id);                  /* KF_ENOTFOUND */
int store_form_get(struct store *st, int64_t id, struct store_form *out);
int store_form_count_site(struct store *st, int64_t site_id, int64_t *n);
/* The site's forms, oldest first; active_only skips inactive ones. A nonzero cb return stops. */
int store_form_each(struct store *st, int64_t site_id, int active_only,
		    int (*cb)(void *ud, const struct store_form *f), void *ud);
/* Adds one to the form's submissions (spam = 0) or spam counter. */
int store_form_count(struct store *st, int64_t id, int spam);

#endif
