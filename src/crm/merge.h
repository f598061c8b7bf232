/* crm/merge.h - merging two customers with undo (crm/merge.c) and the agent-confirmed link of
 * a visitor to a customer (crm/confirm.c), issue 6; docs/crm.md "Merging customers" and
 * "Agent-confirmed identity". Storage: store/store_merge.h. */
#ifndef KF_CRM_MERGE_H
#define KF_CRM_MERGE_H
#include <jansson.h>
#include <stdint.h>

struct http_server;
struct store;
struct store_visitor;

/* Registration (crm_register): POST /api/v1/customers/:id/merge, POST
 * /api/v1/customer-merges/:id/undo, GET /api/v1/customers/:id/merges. */
void crm_merge_register(struct http_server *s);
/* POST and DELETE /api/v1/visitors/:id/customer. */
void crm_confirm_register(struct http_server *s);

/* The site's customers whose e-mail or phone equals what visitor v left (e-mail lowercased,
 * phones by their digits), at most CRM_CANDIDATES: [{id, name, external_id, matched}]. */
#define CRM_CANDIDATES 5
json_t *crm_confirm_candidates(struct store *st, const struct store_visitor *v);
/* The visitor's link as {source, confirmed_by, confirmed_at}, or null without one. */
json_t *crm_confirm_link_json(struct store *st, int64_t visitor_id);

#endif
