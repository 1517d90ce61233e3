/* Per-request memory: everything parsed from a request and everything a
 * handler builds for its response is allocated here and released in one
 * arena_reset() after the response is written. */
#ifndef ENROLL_ARENA_H
#define ENROLL_ARENA_H

#include <stddef.h>

struct arena;

/* Returns a new arena, or NULL when out of memory; free with arena_free(). */
struct arena *arena_new(void);

/* Returns n zeroed bytes aligned for any type, owned by the arena; NULL
 * when out of memory. */
void *arena_alloc(struct arena *a, size_t n);

/* Returns a NUL-terminated copy of the n bytes at s, owned by the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* Returns a copy of the string s (NULL gives NULL), owned by the arena. */
char *arena_strdup(struct arena *a, const char *s);

/* Returns the printf-formatted string in the arena, or NULL when out of
 * memory. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Returns a new zeroed element at the end of the array *v (*n used, *cap
 * allocated, both 0 before the first) of elements of size bytes, and
 * counts it in *n; a full array moves to a block twice as large in the
 * arena.  NULL when out of memory (*n unchanged).  The arena owns the
 * array: the old block stays until the arena is reset. */
void *arena_push(struct arena *a, void **v, size_t *n, size_t *cap,
    size_t size);

/* Releases everything allocated, keeping the first block for reuse. */
void arena_reset(struct arena *a);

/* Frees the arena and all it holds.  NULL is a no-op. */
void arena_free(struct arena *a);

#endif
