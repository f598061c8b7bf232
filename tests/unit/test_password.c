/* tests/unit/test_password.c - auth/password.c (argon2id via libsodium) and the role
 * helpers of auth.h. argon2id costs ~100 ms and 64 MiB a hash: this file makes one. */
#include "testutil.h"
#include "auth/auth.h"
#include "core/kf.h"
#include <sodium.h>

static char fresh[160];   /* one hash of PW, shared by the tests */
#define PW "correct horse battery staple"

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	memset(fresh, 0, sizeof(fresh));
	return password_hash(PW, fresh);
}

static void test_password_hash_is_argon2id_string(void **state)
{
	(void)state;
	assert_int_equal(strncmp(fresh, "$argon2id$", 10), 0);
	assert_true(strlen(fresh) < sizeof(fresh));
	assert_null(strstr(fresh, PW));
}

static void test_password_verify_right_password(void **state)
{
	(void)state;
	assert_int_equal(password_verify(PW, fresh), 0);
}

static void test_password_verify_wrong_password(void **state)
{
	(void)state;
	assert_int_equal(password_verify("correct horse battery stapl", fresh), KF_EDENIED);
	assert_int_equal(password_verify("", fresh), KF_EDENIED);
}

static void test_password_verify_garbage_hash(void **state)
{
	(void)state;
	assert_int_equal(password_verify(PW, ""), KF_EDENIED);
	assert_int_equal(password_verify(PW, "$argon2id$v=19$m=65536,t=2,p=1$bad"), KF_EDENIED);
	assert_int_equal(password_verify(PW, "plain text"), KF_EDENIED);
}

static void test_password_needs_rehash_false_for_fresh_hash(void **state)
{
	(void)state;
	assert_int_equal(password_needs_rehash(fresh), 0);
}

static void test_password_needs_rehash_true_for_weaker_params(void **state)
{
	(void)state;
	/* the cheapest argon2id settings: fast to make, and clearly not what we use */
	char weak[crypto_pwhash_STRBYTES];
	assert_int_equal(crypto_pwhash_str_alg(weak, PW, strlen(PW), crypto_pwhash_OPSLIMIT_MIN,
					       crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13), 0);
	assert_int_equal(password_verify(PW, weak), 0);   /* still verifies */
	assert_int_not_equal(password_needs_rehash(weak), 0);
	assert_int_not_equal(password_needs_rehash("garbage"), 0);
}

static void test_password_policy(void **state)
{
	(void)state;
	char big[1100];
	assert_non_null(password_check_policy(""));
	assert_non_null(password_check_policy("1234567"));
	assert_null(password_check_policy("12345678"));
	assert_null(password_check_policy("密码密码密码")); /* 18 bytes */
	memset(big, 'x', 1024);
	big[1024] = '\0';
	assert_null(password_check_policy(big));
	memset(big, 'x', 1025);
	big[1025] = '\0';
	assert_non_null(password_check_policy(big));
}

#define ALPHABET "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

static void test_password_generate_length_and_alphabet(void **state)
{
	(void)state;
	char pw[17];
	for (int i = 0; i < 200; i++) {
		memset(pw, 'X', sizeof(pw));
		password_generate(pw);
		assert_int_equal(pw[16], '\0');
		assert_int_equal(strlen(pw), 16);
		assert_int_equal(strspn(pw, ALPHABET), 16);
		assert_null(strpbrk(pw, "0O1lIo"));   /* no look-alikes */
		assert_null(password_check_policy(pw));
	}
}

static void test_password_generate_uses_whole_alphabet(void **state)
{
	(void)state;
	/* 16000 draws: each letter is expected ~285 times, so any missing one means a bias */
	int seen[256] = { 0 };
	char pw[17];
	for (int i = 0; i < 1000; i++) {
		password_generate(pw);
		for (int k = 0; k < 16; k++)
			seen[(unsigned char)pw[k]]++;
	}
	for (const char *a = ALPHABET; *a; a++)
		if (seen[(unsigned char)*a] == 0)
			fail_msg("letter %c never generated", *a);
}

static void test_password_generate_is_random(void **state)
{
	(void)state;
	char a[17], b[17];
	password_generate(a);
	password_generate(b);
	assert_string_not_equal(a, b);
}

static void test_auth_role_levels(void **state)
{
	(void)state;
	assert_int_equal(auth_role_level("admin"), ACCESS_ADMIN);
	assert_int_equal(auth_role_level("supervisor"), ACCESS_SUPERVISOR);
	assert_int_equal(auth_role_level("agent"), ACCESS_AGENT);
	assert_int_equal(auth_role_level("Admin"), -1);
	assert_int_equal(auth_role_level(""), -1);
	assert_int_equal(auth_role_level(NULL), -1);
	assert_true(ACCESS_ADMIN > ACCESS_SUPERVISOR && ACCESS_SUPERVISOR > ACCESS_AGENT);
	assert_true(auth_role_valid("agent"));
	assert_false(auth_role_valid("root"));
	assert_false(auth_role_valid(NULL));
}

static void test_auth_user_json_has_no_hash(void **state)
{
	(void)state;
	struct store_user u;
	memset(&u, 0, sizeof(u));
	u.id = 7;
	snprintf(u.email, sizeof(u.email), "a@example.com");
	snprintf(u.name, sizeof(u.name), "王小明");
	snprintf(u.role, sizeof(u.role), "agent");
	snprintf(u.pwhash, sizeof(u.pwhash), "%s", fresh);
	u.created_at = 1700000000;
	json_t *j = auth_user_json(&u);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "email")), "a@example.com");
	assert_string_equal(json_string_value(json_object_get(j, "name")), "王小明");
	assert_string_equal(json_string_value(json_object_get(j, "role")), "agent");
	assert_true(json_is_false(json_object_get(j, "disabled")));
	assert_null(json_object_get(j, "pwhash"));
	char *s = json_dumps(j, 0);
	assert_null(strstr(s, "argon2"));
	free(s);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_hash_is_argon2id_string),
		cmocka_unit_test(test_password_verify_right_password),
		cmocka_unit_test(test_password_verify_wrong_password),
		cmocka_unit_test(test_password_verify_garbage_hash),
		cmocka_unit_test(test_password_needs_rehash_false_for_fresh_hash),
		cmocka_unit_test(test_password_needs_rehash_true_for_weaker_params),
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_password_generate_length_and_alphabet),
		cmocka_unit_test(test_password_generate_uses_whole_alphabet),
		cmocka_unit_test(test_password_generate_is_random),
		cmocka_unit_test(test_auth_role_levels),
		cmocka_unit_test(test_auth_user_json_has_no_hash),
	};
	return cmocka_run_group_tests_name("password", tests, setup, NULL);
}
