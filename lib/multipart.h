/* Parser of multipart/form-data bodies (RFC 7578), the one way a browser
 * uploads a file.  The body is untrusted: the boundary is taken from the
 * Content-Type, and the parser refuses what is malformed (ERR_INVALID: a
 * missing boundary, a part without its headers' end, a body that ends
 * before the closing boundary) and what is too much (ERR_TOOLARGE: the
 * body, the number of parts, a part's headers).  Parts point into the
 * body (no copy); names and file names are copied into the arena. */
#ifndef ENROLL_MULTIPART_H
#define ENROLL_MULTIPART_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

struct multipart_limits {
	size_t max_body;	/* whole body in bytes */
	size_t max_parts;	/* parts in the body */
	size_t max_header;	/* one part's header block in bytes */
};

/* Limits of the upload routes: one file of at most 2 MiB with a few text
 * fields around it. */
extern const struct multipart_limits multipart_limits_default;

struct multipart_part {
	const char *name;	/* form field name, arena, never NULL */
	const char *filename;	/* file name as sent (arena), or NULL for a
				   text field */
	const char *type;	/* Content-Type of the part (arena), or "" */
	const char *data;	/* the part's bytes, inside the body */
	size_t len;		/* bytes at data */
};

struct multipart {
	struct multipart_part *v; /* parts in body order, arena memory */
	size_t n;		/* number of parts */
};

/* Copies the boundary parameter of content_type ("multipart/form-data;
 * boundary=xyz", quoted or not) into the arena: *boundary.  ERR_INVALID
 * when content_type is not multipart/form-data or has no usable boundary
 * (1..70 characters). */
enum err multipart_boundary(struct arena *a, const char *content_type,
    const char **boundary);

/* Parses the n bytes at body, delimited by boundary, into *out.  Returns
 * ERR_OK, ERR_INVALID, ERR_TOOLARGE or ERR_INTERNAL (no memory). */
enum err multipart_parse(struct arena *a, const char *boundary,
    const char *body, size_t n, const struct multipart_limits *lim,
    struct multipart *out);

/* Returns 1 when content_type is multipart/form-data. */
int multipart_is_type(const char *content_type);

#endif
