/* ticket/ticket_int.h - what the ticket core's own files (ticket.c, routes.c) share; the other
 * parts use ticket.h only. */
#ifndef KF_TICKET_TICKET_INT_H
#define KF_TICKET_TICKET_INT_H
#include <jansson.h>
#include "ticket/ticket.h"

struct store_ticket_row;

/* The ticket as the console's list and the live frame show it (no workflow facts, no token). */
json_t *ticket_summary_json(const struct store_ticket_row *r);
/* Every field of the ticket (the detail view): the summary and the rest. */
json_t *ticket_full_json(const struct store_ticket_row *r);
/* Tells the agents covering the ticket's site: {"type":"ticket","ticket":{summary}}. */
void ticket_live(struct app *a, int64_t id);
/* Rebuilds the ticket's search row from its subject and messages (the first ~64 KB). */
void ticket_reindex(struct app *a, int64_t id);
/* 0 when ticket_set would take value for field of t (changed or not), else KF_EINVAL: lets a
 * PATCH of several fields refuse them all before changing any. */
int ticket_field_check(struct app *a, const struct ticket *t, const char *field, const char *value);
/* An attachment's name (no path, no control characters or quotes; "file" when empty) and its
 * content type (type/subtype of safe characters, lowercased; application/octet-stream otherwise),
 * as every way in (upload, e-mail, form) keeps them. */
void ticket_att_clean_name(const char *in, char *out, size_t outsz);
void ticket_att_clean_type(const char *in, char *out, size_t outsz);
/* Cuts tags (space-separated words) to single spaces, at most outsz - 1 bytes on word ends. */
void ticket_tags_clean(const char *in, char *out, size_t outsz);

#endif
