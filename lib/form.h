/* Parsers for the untrusted key=value formats of HTTP: urlencoded query
 * strings and bodies, and Cookie headers.  Both decode into arena memory and
 * never fail by crashing: malformed input is ERR_INVALID, too much of it is
 * ERR_TOOLARGE. */
#ifndef ENROLL_FORM_H
#define ENROLL_FORM_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

struct kv {
	const char *key;	/* decoded, NUL-terminated, never NULL */
	const char *val;	/* decoded, NUL-terminated, never NULL */
	size_t vlen;		/* strlen(val): NUL bytes are refused */
};

struct kvlist {
	struct kv *v;		/* pairs in input order, arena memory */
	size_t n;		/* number of pairs */
};

struct form_limits {
	size_t max_fields;	/* pairs beyond this: ERR_TOOLARGE */
	size_t max_key;		/* decoded key bytes beyond this: ERR_TOOLARGE */
	size_t max_val;		/* decoded value bytes beyond this: ERR_TOOLARGE */
};

/* Limits used for browser forms and query strings. */
extern const struct form_limits form_limits_default;

/* Parses "k=v&k2=v2" ('+' is a space, %XX decoded) from the n bytes at s.
 * Keys without '=' get an empty value; empty segments are skipped; a
 * repeated key is kept as one more pair (kv_get returns the first).
 * Refuses bad percent escapes, NUL bytes and keys that are empty.
 * Everything in *out lives in the arena. */
enum err form_parse(struct arena *a, const char *s, size_t n,
    const struct form_limits *lim, struct kvlist *out);

/* Parses a Cookie header "a=b; c=d".  Values are taken as sent (cookies we
 * set are URL-safe); pairs that are malformed are skipped, not fatal. */
enum err cookie_parse(struct arena *a, const char *s,
    const struct form_limits *lim, struct kvlist *out);

/* Returns the first value of key, or NULL. */
const char *kv_get(const struct kvlist *l, const char *key);

/* Returns how many pairs have this key. */
size_t kv_count(const struct kvlist *l, const char *key);

/* Decodes %XX (and '+' as space when plus is set) from n bytes at s into
 * an arena string; returns NULL for a bad escape, a NUL byte or no memory.
 * *outlen gets the decoded length when not NULL. */
char *url_decode(struct arena *a, const char *s, size_t n, int plus,
    size_t *outlen);

#endif
