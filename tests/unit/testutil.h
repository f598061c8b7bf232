/* tests/unit/testutil.h - small helpers shared by the unit tests: cmocka includes,
 * temporary directories and files. Header-only (static inline), because the Makefile
 * builds each tests/unit/test_*.c on its own against the library objects. */
#ifndef KF_TESTS_TESTUTIL_H
#define KF_TESTS_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"

/* Makes a fresh directory under $TMPDIR (or /tmp) into out; aborts the test run on failure. */
static inline void tu_mkdtemp(char *out, size_t outsz)
{
	const char *t = getenv("TMPDIR");
	snprintf(out, outsz, "%s/kefu-unit-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(out)) {
		perror("mkdtemp");
		abort();
	}
}

static inline int tu__rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes a directory tree (what tu_mkdtemp made). */
static inline void tu_rmtree(const char *dir)
{
	nftw(dir, tu__rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes s to path, replacing it. */
static inline void tu_write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, strlen(s), f), strlen(s));
	assert_int_equal(fclose(f), 0);
}

/* Silences the log (1) or restores it (0), around calls whose error lines are expected. */
static inline void tu_quiet(int on)
{
	static enum log_level saved;
	if (on) {
		saved = log__level;
		log__level = (enum log_level)(LOG_ERROR + 1);
	} else {
		log__level = saved;
	}
}

/* Lower-case hex of n bytes into out (2n+1 bytes). */
static inline void tu_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

#endif
