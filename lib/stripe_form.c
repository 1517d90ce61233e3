/* Stripe form encoding (see stripe_form.h for the exact byte rules).  The
 * t/stripe_client.t test compares this output with stripe-node's own
 * encoder, so a change on either side shows. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stripe_form.h"

static int
sform_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~' || c == '[' || c == ']';
}

int
sform_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, start = 0;
	unsigned char c;
	char esc[3];

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (sform_plain(c))
			continue;
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		if (buf_append(b, s + start, i - start) == -1 ||
		    buf_append(b, esc, sizeof(esc)) == -1)
			return -1;
		start = i + 1;
	}
	return buf_append(b, s + start, n - start);
}

int
sform_add(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return b->oom ? -1 : 0;
	if (b->len > 0 && buf_putc(b, '&') == -1)
		return -1;
	if (sform_escape(b, key, strlen(key)) == -1 || buf_putc(b, '=') == -1)
		return -1;
	return sform_escape(b, value, strlen(value));
}

int
sform_addf(struct buf *b, const char *key, const char *fmt, ...)
{
	struct buf v = { 0 };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(&v, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = sform_add(b, key, v.data != NULL ? v.data : "");
	else
		b->oom = 1;
	buf_free(&v);
	return rc;
}

int
sform_add_int64(struct buf *b, const char *key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return sform_add(b, key, num);
}

int
sform_addk(struct buf *b, const char *value, const char *keyfmt, ...)
{
	struct buf k = { 0 };
	va_list ap;
	int rc;

	va_start(ap, keyfmt);
	rc = buf_vprintf(&k, keyfmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = sform_add(b, k.data != NULL ? k.data : "", value);
	else
		b->oom = 1;
	buf_free(&k);
	return rc;
}
