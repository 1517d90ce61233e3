/* Growable byte buffer used for response bodies, template output and
 * encoded Stripe requests.  Grows by doubling; keeps a NUL terminator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int
buf_grow(struct buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (need < b->len || need == (size_t)-1)
		goto oom;
	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need + 1) {
		if (cap > ((size_t)-1) / 2)
			goto oom;
		cap *= 2;
	}
	if ((p = realloc(b->data, cap)) == NULL)
		goto oom;
	b->data = p;
	b->cap = cap;
	return 0;
oom:
	b->oom = 1;
	return -1;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	/* Most appends fit: test that here and call buf_grow only when not. */
	if ((b->oom || b->cap - b->len <= n) && buf_grow(b, b->len + n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || buf_grow(b, b->len + (size_t)n) == -1)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

/* For each byte, its entity in html_entities when HTML escaping replaces
 * it, else 0: one load per byte of the many escaped on every page. */
static const unsigned char html_special[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};

static const struct {
	const char *text;	/* the entity */
	size_t len;		/* its length */
} html_entities[] = {
	{ "", 0 }, { "&amp;", 5 }, { "&lt;", 4 }, { "&gt;", 4 },
	{ "&quot;", 6 }, { "&#39;", 5 },
};

int
buf_html_escape(struct buf *b, const char *s, size_t n)
{
	size_t i, start = 0;
	unsigned char k;

	for (i = 0; i < n; i++) {
		if ((k = html_special[(unsigned char)s[i]]) == 0)
			continue;
		if (buf_append(b, s + start, i - start) == -1 ||
		    buf_append(b, html_entities[k].text,
		    html_entities[k].len) == -1)
			return -1;
		start = i + 1;
	}
	return buf_append(b, s + start, n - start);
}

static int
url_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

int
buf_url_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, start = 0;
	unsigned char c;
	char enc[3];

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (url_unreserved(c))
			continue;
		enc[0] = '%';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		if (buf_append(b, s + start, i - start) == -1 ||
		    buf_append(b, enc, 3) == -1)
			return -1;
		start = i + 1;
	}
	return start == n ? 0 : buf_append(b, s + start, n - start);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}

char *
buf_steal(struct buf *b)
{
	char *p;

	if (b->oom)
		return NULL;
	if (b->data == NULL)
		return strdup("");
	p = b->data;
	memset(b, 0, sizeof(*b));
	return p;
}
