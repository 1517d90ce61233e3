/* Reading Stripe's JSON answers: the strict field readers stripe.c's
 * parsers use, shared with the other stripe_*.c files of the client (not
 * meant for anyone else).  Each returns -1 when a member has the wrong
 * type or does not fit, so a malformed answer is refused, never
 * truncated. */
#ifndef ENROLL_STRIPE_JSON_H
#define ENROLL_STRIPE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

/* Copies string member key of o into dst (n bytes); absent or null gives
 * "".  -1 for another type or a string that does not fit. */
int j_str(const cJSON *o, const char *key, char *dst, size_t n);
/* Sets *out to integer member key, or dflt when absent or null. */
int j_int(const cJSON *o, const char *key, int64_t *out, int64_t dflt);
/* Sets *out from boolean member key (absent or null: 0). */
int j_bool(const cJSON *o, const char *key, int *out);
/* 1 when o is an object whose "object" member, if any, is want. */
int j_is(const cJSON *o, const char *want);
/* metadata[key] of o as one of our ids (a positive decimal), else 0. */
int64_t j_meta_id(const cJSON *o, const char *key);
/* Copies metadata[key] of o into dst; "" when absent or too long. */
void j_meta_str(const cJSON *o, const char *key, char *dst, size_t n);
/* Checks a list object: *data its array of *n items, *has_more.
 * ERR_INVALID when j is not a list. */
enum err list_open(const cJSON *j, const cJSON **data, size_t *n,
    int *has_more);

#endif
