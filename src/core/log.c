/* core/log.c - stderr logger (see log.h). One fprintf per line keeps lines whole
 * when worker threads log at the same time as the loop. */
#include "log.h"
#include "kf.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum log_level log__level = LOG_INFO;

static const char *names[] = { "debug", "info", "warn", "error" };

int log_set_level_name(const char *name)
{
	for (size_t i = 0; i < KF_ARRAY_LEN(names); i++) {
		if (strcmp(name, names[i]) == 0) {
			log__level = (enum log_level)i;
			return 0;
		}
	}
	return KF_EINVAL;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[2048], ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (lvl < log__level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s.%03ldZ %s %s\n", ts, now.tv_nsec / 1000000L, names[lvl], line);
}
