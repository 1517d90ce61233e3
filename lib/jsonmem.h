/* Where cJSON's memory comes from in a worker.  A page's template context
 * is hundreds of small cJSON nodes built and dropped within one request;
 * taking them from the request arena (and making their free a no-op)
 * removes most of a page's malloc and free calls.  Outside a request, or
 * in programs that never call jsonmem_init(), cJSON uses malloc. */
#ifndef ENROLL_JSONMEM_H
#define ENROLL_JSONMEM_H

#include "arena.h"

/* Installs the hooks (once per process, before any cJSON use). */
void jsonmem_init(void);

/* Makes cJSON allocate from a until jsonmem_use_arena(NULL).  Every cJSON
 * value made meanwhile must be deleted, or dropped, before a is reset. */
void jsonmem_use_arena(struct arena *a);

#endif
