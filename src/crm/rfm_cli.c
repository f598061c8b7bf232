/* crm/rfm_cli.c - `kefu crm recompute`: the nightly RFM/tier recompute of one site run by hand
 * or from cron, without a server (crm_rfm_recompute on a plain database connection). The
 * benchmark bench/crm-scale.sh times it; shops use it after a bulk import so the CRM page's
 * tiers do not wait for the nightly run. */
#include "crm/crm.h"
#include "app/app.h"
#include "core/alloc.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int crm_rfm_cli(struct store *st, int64_t site_id)
{
	struct store_site *site = xmalloc(sizeof(*site));
	int found = store_site_get(st, site_id, site) == 0;
	free(site);
	if (!found) {
		fprintf(stderr, "kefu: no site %lld (see kefu site list)\n", (long long)site_id);
		return 2;
	}
	/* crm_rfm_recompute reads only a->st: the CLI has no server, loop or config to give it. */
	struct app a;
	struct crm_rfm_report rep;
	memset(&a, 0, sizeof(a));
	a.st = st;
	if (crm_rfm_recompute(&a, site_id, &rep)) {
		fprintf(stderr, "kefu: the recompute of site %lld failed (nothing was written)\n", (long long)site_id);
		return 1;
	}
	printf("customers %lld, changed %lld, ms %lld\n", (long long)rep.customers, (long long)rep.changed,
	       (long long)rep.ms);
	return 0;
}
