/* urlencoded and Cookie parsing.  A first pass counts the pairs so the
 * result is one arena array; a second decodes each pair in place. */
#include <string.h>

#include "form.h"

const struct form_limits form_limits_default = {
	.max_fields = 256,
	.max_key = 128,
	.max_val = 64 * 1024,
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
url_decode(struct arena *a, const char *s, size_t n, int plus, size_t *outlen)
{
	char *out, *p;
	size_t i;
	int hi, lo;

	if ((out = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	for (p = out, i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3)
				return NULL;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return NULL;
			*p++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '\0') {
			return NULL;
		} else if (plus && s[i] == '+') {
			*p++ = ' ';
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	if (outlen != NULL)
		*outlen = (size_t)(p - out);
	return out;
}

/* Counts the non-empty segments split by sep in the n bytes at s. */
static size_t
count_segments(const char *s, size_t n, char sep)
{
	size_t i, count = 0, len = 0;

	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == sep) {
			count += len > 0;
			len = 0;
		} else
			len++;
	}
	return count;
}

enum err
form_parse(struct arena *a, const char *s, size_t n,
    const struct form_limits *lim, struct kvlist *out)
{
	size_t count, i, start, seglen, klen, vlen;
	const char *seg, *eq;
	struct kv *kv;

	out->v = NULL;
	out->n = 0;
	if (s == NULL || n == 0)
		return ERR_OK;
	if ((count = count_segments(s, n, '&')) > lim->max_fields)
		return ERR_TOOLARGE;
	if ((out->v = arena_alloc(a, (count ? count : 1) * sizeof(*kv))) == NULL)
		return ERR_INTERNAL;
	for (start = 0, i = 0; i <= n; i++) {
		if (i < n && s[i] != '&')
			continue;
		seg = s + start;
		seglen = i - start;
		start = i + 1;
		if (seglen == 0)
			continue;
		eq = memchr(seg, '=', seglen);
		klen = eq != NULL ? (size_t)(eq - seg) : seglen;
		if (klen == 0)
			return ERR_INVALID;
		kv = &out->v[out->n];
		if ((kv->key = url_decode(a, seg, klen, 1, &vlen)) == NULL)
			return ERR_INVALID;
		if (vlen > lim->max_key)
			return ERR_TOOLARGE;
		if (eq != NULL)
			kv->val = url_decode(a, eq + 1, seglen - klen - 1, 1,
			    &kv->vlen);
		else
			kv->val = url_decode(a, "", 0, 1, &kv->vlen);
		if (kv->val == NULL)
			return ERR_INVALID;
		if (kv->vlen > lim->max_val)
			return ERR_TOOLARGE;
		out->n++;
	}
	return ERR_OK;
}

enum err
cookie_parse(struct arena *a, const char *s, const struct form_limits *lim,
    struct kvlist *out)
{
	size_t n, count, i, start, seglen, klen;
	const char *seg, *eq;
	struct kv *kv;

	out->v = NULL;
	out->n = 0;
	if (s == NULL || (n = strlen(s)) == 0)
		return ERR_OK;
	if ((count = count_segments(s, n, ';')) > lim->max_fields)
		return ERR_TOOLARGE;
	if ((out->v = arena_alloc(a, (count ? count : 1) * sizeof(*kv))) == NULL)
		return ERR_INTERNAL;
	for (start = 0, i = 0; i <= n; i++) {
		if (i < n && s[i] != ';')
			continue;
		seg = s + start;
		seglen = i - start;
		start = i + 1;
		while (seglen > 0 && (*seg == ' ' || *seg == '\t')) {
			seg++;
			seglen--;
		}
		if (seglen == 0 || (eq = memchr(seg, '=', seglen)) == NULL)
			continue;
		klen = (size_t)(eq - seg);
		if (klen == 0 || klen > lim->max_key ||
		    seglen - klen - 1 > lim->max_val)
			continue;
		kv = &out->v[out->n];
		kv->key = arena_strndup(a, seg, klen);
		kv->val = arena_strndup(a, eq + 1, seglen - klen - 1);
		if (kv->key == NULL || kv->val == NULL)
			return ERR_INTERNAL;
		kv->vlen = seglen - klen - 1;
		out->n++;
	}
	return ERR_OK;
}

const char *
kv_get(const struct kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].val;
	return NULL;
}

size_t
kv_count(const struct kvlist *l, const char *key)
{
	size_t i, count = 0;

	for (i = 0; i < l->n; i++)
		count += strcmp(l->v[i].key, key) == 0;
	return count;
}
