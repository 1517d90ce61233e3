/* Building URLs: the one place that percent-encodes the parts of a link,
 * so no handler glues query strings together by hand. */
#ifndef ENROLL_URL_H
#define ENROLL_URL_H

#include "arena.h"

/* Returns path followed by "?k=v&..." for each pair of the NULL-terminated
 * list pairs (key, value, key, value, ..., NULL); pairs whose value is NULL
 * or "" are left out.  Keys and values are percent-encoded; path is used as
 * given (it must come from a route, not from input).  Arena memory; NULL
 * when out of memory. */
char *url_query(struct arena *a, const char *path, const char *const *pairs);

/* Returns prefix followed by the percent-encoded segment (e.g. "/courses/"
 * + slug).  Arena memory; NULL when out of memory. */
char *url_segment(struct arena *a, const char *prefix, const char *segment);

#endif
