/* bench/mail-parse.c - times ticket/mime.c's mime_parse over the .eml files of a directory, all
 * read into memory first (parsing only: no store, no disk). Prints one JSON line per run set:
 * messages, bytes, best-of-RUNS seconds, messages/s and MB/s.
 * Usage: mail-parse DIR [runs] [label] */
#include "ticket/mime.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct msg {
	char *p;
	size_t n;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int slurp(const char *path, struct msg *m)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	m->p = malloc((size_t)n + 1);
	m->n = m->p ? fread(m->p, 1, (size_t)n, f) : 0;
	fclose(f);
	return m->p ? 0 : -1;
}

static size_t load(const char *dir, struct msg **out, size_t *bytes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, cap = 0;
	*out = NULL;
	*bytes = 0;
	while (d && (e = readdir(d))) {
		char path[4096];
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".eml") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			*out = realloc(*out, cap * sizeof(**out));
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (slurp(path, &(*out)[n]) == 0)
			*bytes += (*out)[n++].n;
	}
	if (d)
		closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	struct msg *m;
	size_t bytes, bad = 0;
	int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
	if (argc < 2) {
		fprintf(stderr, "usage: mail-parse DIR [runs] [label]\n");
		return 2;
	}
	size_t n = load(argv[1], &m, &bytes);
	if (!n) {
		fprintf(stderr, "mail-parse: no .eml files in %s\n", argv[1]);
		return 1;
	}
	mime_global_init();
	double best = 1e9;
	struct mime_msg *pm = malloc(sizeof(*pm));
	for (int r = 0; r < (runs > 0 ? runs : 1); r++) {
		double t0 = now_s();
		for (size_t i = 0; i < n; i++) {
			char err[200];
			if (mime_parse(m[i].p, m[i].n, 25u << 20, pm, err, sizeof(err)) != 0) {
				bad++;
				continue;
			}
			mime_msg_free(pm);
		}
		double t = now_s() - t0;
		best = t < best ? t : best;
	}
	printf("{\"label\":\"%s\",\"messages\":%zu,\"bytes\":%zu,\"failed\":%zu,\"seconds\":%.4f,\"msgs_per_s\":%.0f,"
	       "\"mb_per_s\":%.1f}\n",
	       argc > 3 ? argv[3] : "all", n, bytes, bad, best, (double)n / best, (double)bytes / 1048576.0 / best);
	for (size_t i = 0; i < n; i++)
		free(m[i].p);
	free(m);
	free(pm);
	return 0;
}
