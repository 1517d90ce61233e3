/* URL building with percent-encoding of every variable part. */
#include <string.h>

#include "buf.h"
#include "url.h"

static char *
finish(struct arena *a, struct buf *b)
{
	char *s = b->oom ? NULL : arena_strndup(a, b->data ? b->data : "",
	    b->len);

	buf_free(b);
	return s;
}

char *
url_query(struct arena *a, const char *path, const char *const *pairs)
{
	struct buf b = { 0 };
	char sep = '?';

	buf_puts(&b, path);
	for (; pairs[0] != NULL; pairs += 2) {
		if (pairs[1] == NULL || pairs[1][0] == '\0')
			continue;
		buf_putc(&b, sep);
		buf_url_escape(&b, pairs[0], strlen(pairs[0]));
		buf_putc(&b, '=');
		buf_url_escape(&b, pairs[1], strlen(pairs[1]));
		sep = '&';
	}
	return finish(a, &b);
}

char *
url_segment(struct arena *a, const char *prefix, const char *segment)
{
	struct buf b = { 0 };

	buf_puts(&b, prefix);
	buf_url_escape(&b, segment, strlen(segment));
	return finish(a, &b);
}
