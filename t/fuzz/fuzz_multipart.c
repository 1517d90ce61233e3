/* libFuzzer target for multipart/form-data bodies: the input's first line
 * is the Content-Type (its boundary), the rest the body.  Both go through
 * multipart_boundary and multipart_parse, then through req_init as a POST,
 * which files the parts into the form and the files.  Every part found
 * must lie inside the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char *nl = memchr(data, '\n', size), *boundary, *body;
	char *ctype, *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x", NULL,
	    NULL };
	struct multipart mp;
	struct req rq;
	size_t hl, bl, i;

	if (a == NULL || nl == NULL)
		goto out;
	hl = (size_t)(nl - (const char *)data);
	body = nl + 1;
	bl = size - hl - 1;
	if ((ctype = arena_alloc(a, hl + 14)) == NULL)
		goto out;
	memcpy(ctype, "CONTENT_TYPE=", 13);
	memcpy(ctype + 13, data, hl);
	ctype[13 + hl] = '\0';	/* a NUL inside ends the header */
	if (multipart_boundary(a, ctype + 13, &boundary) == ERR_OK &&
	    multipart_parse(a, boundary, body, bl, &multipart_limits_default,
	    &mp) == ERR_OK)
		for (i = 0; i < mp.n; i++)
			if (mp.v[i].data < body || mp.v[i].data + mp.v[i].len >
			    body + bl || mp.v[i].name == NULL)
				abort();
	env[2] = ctype;
	req_init(&rq, a, env, body, bl);
out:
	arena_free(a);
	return 0;
}
