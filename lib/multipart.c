/* multipart/form-data (see multipart.h).  One pass over the body: find a
 * delimiter line, read the part's header block (bounded), then search for
 * the next delimiter, which ends the part's data.  A body without its
 * closing delimiter is truncated and refused, so a cut upload never
 * stores half a file. */
#include <string.h>
#include <strings.h>

#include "multipart.h"

#define BOUNDARY_MAX 70		/* RFC 2046 */

const struct multipart_limits multipart_limits_default = {
	.max_body = 2 * 1024 * 1024 + 64 * 1024,
	.max_parts = 16,
	.max_header = 1024,
};

int
multipart_is_type(const char *content_type)
{
	return content_type != NULL && strncasecmp(content_type,
	    "multipart/form-data", 19) == 0 && (content_type[19] == '\0' ||
	    content_type[19] == ';' || content_type[19] == ' ');
}

/* Boundary characters of RFC 2046 (bchars), space excepted at the end. */
static int
bchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("'()+_,-./:=? ", c) != NULL;
}

enum err
multipart_boundary(struct arena *a, const char *content_type,
    const char **boundary)
{
	const char *p, *end;
	size_t n;

	*boundary = NULL;
	if (!multipart_is_type(content_type) ||
	    (p = strcasestr(content_type, "boundary=")) == NULL)
		return ERR_INVALID;
	p += 9;
	if (*p == '"') {
		if ((end = strchr(++p, '"')) == NULL)
			return ERR_INVALID;
	} else
		end = p + strcspn(p, "; \t");
	n = (size_t)(end - p);
	if (n == 0 || n > BOUNDARY_MAX || p[n - 1] == ' ')
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++)
		if (!bchar(p[i]))
			return ERR_INVALID;
	*boundary = arena_strndup(a, p, n);
	return *boundary != NULL ? ERR_OK : ERR_INTERNAL;
}

/* Returns the value of parameter key (name, filename) in a
 * Content-Disposition header value of n bytes, in the arena, or NULL when
 * absent; *bad is set when it is malformed. */
static char *
disposition_param(struct arena *a, const char *v, size_t n,
    const char *key, int *bad)
{
	const char *p = v, *end = v + n, *s;
	size_t kl = strlen(key);

	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) > kl && strncasecmp(p, key, kl) == 0 &&
		    p[kl] == '=') {
			p += kl + 1;
			if (p < end && *p == '"') {
				s = ++p;
				while (p < end && *p != '"')
					p++;
				if (p == end) {
					*bad = 1;
					return NULL;
				}
				return arena_strndup(a, s, (size_t)(p - s));
			}
			s = p;
			while (p < end && *p != ';')
				p++;
			return arena_strndup(a, s, (size_t)(p - s));
		}
		/* Skip this parameter, minding quotes. */
		while (p < end && *p != ';') {
			if (*p++ == '"') {
				while (p < end && *p != '"')
					p++;
				if (p == end) {
					*bad = 1;
					return NULL;
				}
				p++;
			}
		}
	}
	return NULL;
}

/* Reads the header block h (n bytes, CRLF-separated lines) into part. */
static enum err
part_headers(struct arena *a, const char *h, size_t n,
    struct multipart_part *part)
{
	const char *line = h, *end = h + n, *eol, *v;
	int bad = 0, disposition = 0;

	if (memchr(h, '\0', n) != NULL)
		return ERR_INVALID;
	while (line < end) {
		if ((eol = memmem(line, (size_t)(end - line), "\r\n", 2)) == NULL)
			eol = end;
		if ((v = memchr(line, ':', (size_t)(eol - line))) == NULL)
			return ERR_INVALID;
		for (v++; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		if ((size_t)(eol - line) >= 20 &&
		    strncasecmp(line, "Content-Disposition:", 20) == 0) {
			if ((size_t)(eol - v) < 9 ||
			    strncasecmp(v, "form-data", 9) != 0 || disposition++)
				return ERR_INVALID;
			part->name = disposition_param(a, v + 9,
			    (size_t)(eol - v - 9), "name", &bad);
			part->filename = disposition_param(a, v + 9,
			    (size_t)(eol - v - 9), "filename", &bad);
		} else if ((size_t)(eol - line) >= 13 &&
		    strncasecmp(line, "Content-Type:", 13) == 0) {
			if ((part->type = arena_strndup(a, v,
			    (size_t)(eol - v))) == NULL)
				return ERR_INTERNAL;
		}
		line = eol + 2;
	}
	if (bad || part->name == NULL || *part->name == '\0')
		return ERR_INVALID;
	return ERR_OK;
}

/* Parses one part starting at p (just after a delimiter and its CRLF);
 * sets *next to the delimiter that ends it. */
static enum err
part_parse(struct arena *a, const char *p, const char *end,
    const char *delim, size_t dl, const struct multipart_limits *lim,
    struct multipart_part *part, const char **next)
{
	const char *hend, *dend;
	size_t room = (size_t)(end - p);
	enum err e;

	hend = memmem(p, room < lim->max_header + 4 ? room :
	    lim->max_header + 4, "\r\n\r\n", 4);
	if (hend == NULL)
		return room >= lim->max_header + 4 ? ERR_TOOLARGE : ERR_INVALID;
	*part = (struct multipart_part){ NULL, NULL, "", NULL, 0 };
	if ((e = part_headers(a, p, (size_t)(hend - p), part)) != ERR_OK)
		return e;
	part->data = hend + 4;
	/* The data ends at CRLF + delimiter (dl counts the CRLF). */
	if ((dend = memmem(part->data, (size_t)(end - part->data), delim,
	    dl)) == NULL)
		return ERR_INVALID;
	part->len = (size_t)(dend - part->data);
	*next = dend + dl;
	return ERR_OK;
}

enum err
multipart_parse(struct arena *a, const char *boundary, const char *body,
    size_t n, const struct multipart_limits *lim, struct multipart *out)
{
	const char *p, *end = body + n;
	char *delim;
	size_t bl = strlen(boundary), dl = bl + 4;
	enum err e;

	out->v = NULL;
	out->n = 0;
	if (n > lim->max_body)
		return ERR_TOOLARGE;
	if (bl == 0 || bl > BOUNDARY_MAX ||
	    (delim = arena_printf(a, "\r\n--%s", boundary)) == NULL ||
	    (out->v = arena_alloc(a, lim->max_parts * sizeof(*out->v))) ==
	    NULL)
		return bl == 0 || bl > BOUNDARY_MAX ? ERR_INVALID : ERR_INTERNAL;
	/* The first delimiter opens the body (no preamble from browsers). */
	if (n < dl - 2 || memcmp(body, delim + 2, dl - 2) != 0)
		return ERR_INVALID;
	p = body + dl - 2;
	for (;;) {
		/* After a delimiter: "--" closes the body, CRLF opens a part. */
		if (end - p >= 2 && memcmp(p, "--", 2) == 0)
			return ERR_OK;
		if (end - p < 2 || memcmp(p, "\r\n", 2) != 0)
			return ERR_INVALID;
		if (out->n == lim->max_parts)
			return ERR_TOOLARGE;
		if ((e = part_parse(a, p + 2, end, delim, dl, lim,
		    &out->v[out->n], &p)) != ERR_OK)
			return e;
		out->n++;
	}
}
