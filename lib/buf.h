/* A growable byte buffer, always NUL-terminated after its length so that
 * data can be used as a C string.  Owned by whoever declares it; freed with
 * buf_free().  A zeroed struct buf is a valid empty buffer. */
#ifndef ENROLL_BUF_H
#define ENROLL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;	/* heap bytes, NUL after len; NULL while empty */
	size_t len;	/* bytes used */
	size_t cap;	/* bytes allocated */
	int oom;	/* set once an allocation failed; later appends no-op */
};

/* Each returns 0, or -1 when memory ran out (and sets b->oom). */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Appends s with &, <, >, ", ' replaced by entities (HTML text and
 * attribute context alike). */
int buf_html_escape(struct buf *b, const char *s, size_t n);

/* Appends s percent-encoded for a URL path segment or query value
 * (everything but unreserved characters is encoded). */
int buf_url_escape(struct buf *b, const char *s, size_t n);

/* Empties b but keeps its memory for reuse. */
void buf_reset(struct buf *b);

/* Frees b's memory; b is then a valid empty buffer.  NULL is a no-op. */
void buf_free(struct buf *b);

/* Hands b's data to the caller (who frees it with free()) and empties b.
 * Returns "" duplicated when b is empty; NULL when memory ran out. */
char *buf_steal(struct buf *b);

#endif
