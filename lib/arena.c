/* Bump allocator over a list of blocks.  Requests allocate many small
 * strings and free them all at once, so a bump pointer with one reset per
 * request is both the fastest and the least error-prone owner. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_BLOCK (16 * 1024)
#define ARENA_ALIGN 16

struct block {
	struct block *next;	/* older block */
	size_t size;		/* usable bytes in data */
	size_t used;		/* bytes handed out */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
	struct block *head;	/* newest block, allocation happens here */
};

static struct block *
block_new(size_t size)
{
	struct block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	if ((b = malloc(sizeof(*b) + size)) == NULL)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *
arena_new(void)
{
	struct arena *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if ((a->head = block_new(ARENA_BLOCK)) == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b = a->head;
	size_t off, want;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	off = (b->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (off > b->size || n > b->size - off) {
		want = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
		if ((b = block_new(want)) == NULL)
			return NULL;
		b->next = a->head;
		a->head = b;
		off = 0;
	}
	b->used = off + n;
	memset(b->data + off, 0, n);
	return b->data + off;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX || (p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

void
arena_reset(struct arena *a)
{
	struct block *b, *next;

	/* Keep the oldest block: it is the standard size. */
	for (b = a->head; b->next != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = b;
	b->used = 0;
}

void
arena_free(struct arena *a)
{
	struct block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void *
arena_push(struct arena *a, void **v, size_t *n, size_t *cap, size_t size)
{
	void *grown;

	if (*n == *cap) {
		*cap = *cap == 0 ? 8 : 2 * *cap;
		if ((grown = arena_alloc(a, *cap * size)) == NULL)
			return NULL;
		if (*n > 0)
			memcpy(grown, *v, *n * size);
		*v = grown;
	}
	return (char *)*v + (*n)++ * size;
}
