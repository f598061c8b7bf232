/* store/migrations.h - the SQL migrations compiled into the binary.
 * Generated into build/gen/migrations.c from src/store/migrations/NNN_name.sql. */
#ifndef KF_STORE_MIGRATIONS_H
#define KF_STORE_MIGRATIONS_H
#include <stddef.h>

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration kf_migrations[];
extern const size_t kf_migrations_count;

#endif
