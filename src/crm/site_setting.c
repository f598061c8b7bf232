/* crm/site_setting.c - a site's JSON setting in the settings table under "<name>.<site id>":
 * what the custom fields (crm/fields.c) and the tier and segment names (crm/names.c) keep,
 * each a small document edited as a whole by an admin. */
#include "crm/crm_int.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>

static void key_of(const char *name, int64_t site_id, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s.%lld", name, (long long)site_id);
}

json_t *crm_site_setting_load(struct app *a, const char *name, int64_t site_id, size_t max)
{
	char key[64], *v = xmalloc(max);
	json_t *j = NULL;
	key_of(name, site_id, key, sizeof(key));
	if (store_setting_get(a->st, key, v, max) == 0)
		j = json_loads(v, 0, NULL);
	free(v);
	return j;
}

int crm_site_setting_save(struct app *a, const char *name, int64_t site_id, const json_t *j, size_t max)
{
	char key[64], *text = json_dumps(j, JSON_COMPACT);
	key_of(name, site_id, key, sizeof(key));
	int rc = text && strlen(text) < max ? store_setting_set(a->st, key, text) : KF_ETOOBIG;
	free(text);
	return rc;
}
