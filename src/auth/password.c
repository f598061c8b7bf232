/* auth/password.c - argon2id password hashing via libsodium (see auth.h). */
#include "auth/auth.h"
#include "core/kf.h"
#include <sodium.h>
#include <string.h>

int password_hash(const char *pw, char out[160])
{
	char h[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(h, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return KF_ENOMEM;
	_Static_assert(crypto_pwhash_STRBYTES <= 160, "hash buffer too small");
	memcpy(out, h, sizeof(h));
	return 0;
}

int password_verify(const char *pw, const char *hash)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 ? 0 : KF_EDENIED;
}

int password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
					      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

void password_generate(char out[17])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	for (int i = 0; i < 16; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[16] = '\0';
}

const char *password_check_policy(const char *pw)
{
	size_t n = strlen(pw);
	if (n < 8)
		return "the password must have at least 8 characters";
	if (n > 1024)
		return "the password is too long";
	return NULL;
}
