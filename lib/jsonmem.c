/* cJSON allocation hooks (see jsonmem.h).  Each block carries a one-byte
 * tag in a 16-byte header (keeping cJSON's alignment) saying who owns it,
 * so a value made with malloc before a request and freed during one (or
 * the reverse) goes back to the right place.  The worker serves one
 * request at a time, so the current arena is one per process: the only
 * mutable file-level state in lib/, and set only by server.c. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "jsonmem.h"

#define HDR 16
#define TAG_ARENA 'A'
#define TAG_HEAP 'M'

static struct arena *current;	/* the request's arena, or NULL */

static void *
jm_malloc(size_t n)
{
	unsigned char *p;

	if (n > (size_t)-1 - HDR)
		return NULL;
	if (current != NULL) {
		if ((p = arena_alloc(current, n + HDR)) == NULL)
			return NULL;
		p[0] = TAG_ARENA;
		return p + HDR;
	}
	if ((p = malloc(n + HDR)) == NULL)
		return NULL;
	p[0] = TAG_HEAP;
	return p + HDR;
}

static void
jm_free(void *q)
{
	unsigned char *p;

	if (q == NULL)
		return;
	p = (unsigned char *)q - HDR;
	if (p[0] == TAG_HEAP)
		free(p);
	/* Arena blocks go with the arena at the end of the request. */
}

void
jsonmem_init(void)
{
	cJSON_Hooks hooks = { jm_malloc, jm_free };

	cJSON_InitHooks(&hooks);
}

void
jsonmem_use_arena(struct arena *a)
{
	current = a;
}
