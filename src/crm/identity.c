/* crm/identity.c - a visitor becomes a known customer when the shop's site says so with a
 * signature: the widget's hello carries customer = {id, sig}, sig = hex HMAC-SHA256 of the id
 * under the site's identity secret (kb_identity_valid, the members-only articles' rule).
 * An unsigned or forged claim is never trusted: it links nothing and the link a previous
 * hello made stops being active, so a shared browser does not keep showing someone's orders. */
#include "crm/crm.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "kb/kb.h"
#include "store/store_crm.h"
#include <stdlib.h>
#include <string.h>

/* The site's customer with external id ext, created (empty profile) when new. */
static int customer_for(struct app *a, int64_t site_id, const char *ext, struct store_customer *c)
{
	int rc = store_customer_by_external(a->st, site_id, ext, c);
	if (rc != KF_ENOTFOUND)
		return rc;
	memset(c, 0, sizeof(*c));
	c->site_id = site_id;
	utf8_copy(c->external_id, sizeof(c->external_id), ext);
	c->created_at = c->updated_at = time_now_s();
	rc = store_customer_create(a->st, c);
	return rc == KF_EEXIST ? store_customer_by_external(a->st, site_id, ext, c) : rc;
}

int crm_identify(struct app *a, int64_t site_id, int64_t visitor_id, json_t *claim, json_t **out)
{
	*out = json_null();
	const char *id = json_get_str(claim, "id"), *sig = json_get_str(claim, "sig");
	if (!claim || json_is_null(claim)) {
		store_customer_unlink_active(a->st, visitor_id);
		return 0;
	}
	if (!kb_identity_valid(a, site_id, id, sig)) {
		store_customer_unlink_active(a->st, visitor_id);
		return KF_EDENIED;
	}
	struct store_customer *c = xmalloc(sizeof(*c));
	int rc = customer_for(a, site_id, id, c);
	if (rc == 0)
		rc = store_customer_link(a->st, c->id, visitor_id, time_now_s());
	if (rc == 0)
		*out = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)c->id, "external_id", c->external_id, "name", c->name);
	else
		log_warn("crm: could not link visitor %lld to customer %s", (long long)visitor_id, id);
	free(c);
	return rc;
}
