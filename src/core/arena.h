/* core/arena.h - a bump allocator for things that die together (a request, a message).
 * Memory comes in chunks; arena_release frees them all at once. Nothing is freed singly. */
#ifndef KF_CORE_ARENA_H
#define KF_CORE_ARENA_H
#include <stddef.h>

struct arena_chunk;
struct arena {
	struct arena_chunk *head;   /* private */
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);           /* 16-byte aligned, never NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

#endif
