/* kb/identity.c - who the shop says its visitor is. The shop's server signs its customer's
 * id with the site's identity secret (sig = hex HMAC-SHA256, key = the 64-character secret
 * as text, so PHP's hash_hmac and Node's createHmac work with the string as shown); members-
 * only articles (and later the CRM) trust a customer id only with a valid signature.
 * The comparison is constant-time; the secret never leaves the server except to admins. */
#include "kb/kb.h"
#include "app/app.h"
#include "store/store_kb.h"
#include <sodium.h>
#include <string.h>

/* 1..128 printable ASCII characters: what a shop's customer ids look like, and nothing that
 * could smuggle a line break or a NUL into logs or headers. */
static int customer_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n < 1 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x20 || (unsigned char)id[i] > 0x7e)
			return 0;
	return 1;
}

/* HMAC-SHA256(secret, customer_id) into mac; 0, or -1 without a secret. */
static int identity_mac(struct app *a, int64_t site_id, const char *customer_id,
			unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	char secret[65];
	if (store_kb_identity_secret(a->st, site_id, secret) != 0)
		return -1;
	crypto_auth_hmacsha256_state h;
	crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)customer_id, strlen(customer_id));
	crypto_auth_hmacsha256_final(&h, mac);
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

int kb_identity_sign(struct app *a, int64_t site_id, const char *customer_id, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	if (!customer_id_ok(customer_id) || identity_mac(a, site_id, customer_id, mac) != 0)
		return -1;
	sodium_bin2hex(out, 65, mac, sizeof(mac));
	return 0;
}

int kb_identity_valid(struct app *a, int64_t site_id, const char *customer_id, const char *sig)
{
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	size_t got_len = 0;
	if (!customer_id || !sig || !customer_id_ok(customer_id) || strlen(sig) != 2 * sizeof(got))
		return 0;
	if (sodium_hex2bin(got, sizeof(got), sig, strlen(sig), NULL, &got_len, NULL) != 0 || got_len != sizeof(got))
		return 0;
	if (identity_mac(a, site_id, customer_id, want) != 0)
		return 0;
	int ok = sodium_memcmp(want, got, sizeof(want)) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
