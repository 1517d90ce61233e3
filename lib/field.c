/* Validators for declared fields (see field.h).  Each normalises into the
 * request arena; a value that fails is kept only as raw text for echoing
 * back into the form with an error next to it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "field.h"
#include "form.h"
#include "http.h"

/* Trims ASCII space at both ends into an arena copy. */
static char *
trimmed(struct arena *a, const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(a, s, n);
}

/* Rejects control characters (and DEL); newlines are allowed when multi. */
static int
text_ok(char *s, int multi)
{
	char *r, *w;

	for (r = w = s; *r != '\0'; r++) {
		unsigned char c = (unsigned char)*r;

		if (multi && c == '\r' && r[1] == '\n')
			continue;	/* \r\n becomes \n */
		if (c == 0x7f || (c < 0x20 && !(multi && (c == '\n' ||
		    c == '\t'))))
			return 0;
		*w++ = *r;
	}
	*w = '\0';
	return 1;
}

static int
charset_ok(const char *s, const char *extra)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

static int
email_ok(char *s)
{
	char *at = strchr(s, '@'), *p;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' ||
	    s[strlen(s) - 1] == '.')
		return 0;
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || strchr("<>()[]\\,;:\"", *p))
			return 0;
		*p = (char)tolower((unsigned char)*p);
	}
	return 1;
}

static int
int_ok(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9' || strlen(s) > 18)
		return 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < 0)
		return 0;
	*out = v;
	return 1;
}

static int
date_ok(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 10 || (end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
	    *end != '\0')
		return 0;
	*out = (int64_t)timegm(&tm);
	return 1;
}

/* Validates one value; fills fv->s and fv->i and returns 1 when valid. */
static int
validate(struct arena *a, struct fieldval *fv, const char *raw)
{
	size_t max = fv->spec->max ? fv->spec->max : 200;
	char *v, *p;

	if (fv->spec->kind == F_PASSWORD) {
		fv->s = raw;
		return strlen(raw) <= max;
	}
	if ((v = trimmed(a, raw)) == NULL || strlen(v) > max)
		return 0;
	fv->s = v;
	/* An empty input (a search box left blank, a select's "All" option)
	 * is no input, whatever its kind: the caller makes it absent. */
	if (*v == '\0')
		return 1;
	switch (fv->spec->kind) {
	case F_LINE:
		return text_ok(v, 0);
	case F_TEXT:
		return text_ok(v, 1);
	case F_INT:
		return int_ok(v, &fv->i);
	case F_EMAIL:
		return email_ok(v);
	case F_SLUG:
		return charset_ok(v, "-") && strspn(v,
		    "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(v);
	case F_CODE:
		for (p = v; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
		return charset_ok(v, "-_");
	case F_TOKEN:
		return charset_ok(v, "-_");
	case F_BOOL:
		fv->i = strcmp(v, "1") == 0 || strcmp(v, "on") == 0 ||
		    strcmp(v, "true") == 0;
		return 1;
	case F_DATE:
		return date_ok(v, &fv->i);
	default:
		return 0;
	}
}

/* Validates every value of a checkbox list (F_IDS, F_WORDS) from src into
 * fv; returns 1 when all are valid and there are at most spec->max. */
static int
validate_list(struct arena *a, struct fieldval *fv, const struct kvlist *src)
{
	size_t max = fv->spec->max ? fv->spec->max : 200, i, n = 0;
	int64_t *ids;
	const char **words;
	const char *v;

	if ((n = kv_count(src, fv->spec->name)) > max)
		return 0;
	ids = arena_alloc(a, n * sizeof(*ids) + 1);
	words = arena_alloc(a, n * sizeof(*words) + 1);
	if (ids == NULL || words == NULL)
		return 0;
	fv->ids = ids;
	fv->words = words;
	for (i = 0; i < src->n; i++) {
		if (strcmp(src->v[i].key, fv->spec->name) != 0)
			continue;
		v = src->v[i].val;
		if (fv->spec->kind == F_IDS && (!int_ok(v, &ids[fv->n]) ||
		    ids[fv->n] == 0))
			return 0;
		if (fv->spec->kind == F_WORDS && (strlen(v) > 40 ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
		    strlen(v) || *v == '\0'))
			return 0;
		words[fv->n++] = v;
	}
	return 1;
}

enum err
fields_validate(struct req *rq, const struct field *specs,
    const struct kvlist *src)
{
	size_t n = 0, i;
	struct fieldval *fv;

	rq->fields = NULL;
	rq->nfields = 0;
	if (specs == NULL)
		return ERR_OK;
	while (specs[n].name != NULL)
		n++;
	if (n == 0)
		return ERR_OK;
	if ((rq->fields = arena_alloc(rq->arena, n * sizeof(*fv))) == NULL)
		return ERR_INTERNAL;
	rq->nfields = n;
	for (i = 0; i < n; i++) {
		fv = &rq->fields[i];
		fv->spec = &specs[i];
		fv->ids = NULL;
		fv->words = NULL;
		fv->n = 0;
		fv->raw = kv_get(src, specs[i].name);
		if (fv->raw == NULL) {
			/* An unticked checkbox is simply false. */
			fv->state = specs[i].kind == F_BOOL ? FV_OK : FV_ABSENT;
			continue;
		}
		if (specs[i].kind == F_IDS || specs[i].kind == F_WORDS) {
			fv->state = validate_list(rq->arena, fv, src) ? FV_OK :
			    FV_BAD;
			fv->s = fv->raw;
			continue;
		}
		if (kv_count(src, specs[i].name) > 1) {
			fv->state = FV_BAD;
			continue;
		}
		fv->state = validate(rq->arena, fv, fv->raw) ? FV_OK : FV_BAD;
		if (fv->state == FV_OK && fv->s[0] == '\0' &&
		    specs[i].kind != F_PASSWORD)
			fv->state = FV_ABSENT;	/* an empty input is no input */
	}
	return ERR_OK;
}

static const struct fieldval *
lookup(const struct req *rq, const char *name)
{
	size_t i;

	for (i = 0; i < rq->nfields; i++)
		if (strcmp(rq->fields[i].spec->name, name) == 0)
			return &rq->fields[i];
	return NULL;
}

const char *
field_str(const struct req *rq, const char *name)
{
	const struct fieldval *fv = lookup(rq, name);

	return fv != NULL && fv->state == FV_OK ? fv->s : NULL;
}

int
field_int(const struct req *rq, const char *name, int64_t *out)
{
	const struct fieldval *fv = lookup(rq, name);

	if (fv == NULL || fv->state != FV_OK)
		return 0;
	*out = fv->i;
	return 1;
}

size_t
field_ids(const struct req *rq, const char *name, const int64_t **out)
{
	const struct fieldval *fv = lookup(rq, name);

	*out = NULL;
	if (fv == NULL || fv->state != FV_OK || fv->spec->kind != F_IDS)
		return 0;
	*out = fv->ids;
	return fv->n;
}

size_t
field_words(const struct req *rq, const char *name, const char *const **out)
{
	const struct fieldval *fv = lookup(rq, name);

	*out = NULL;
	if (fv == NULL || fv->state != FV_OK || fv->spec->kind != F_WORDS)
		return 0;
	*out = fv->words;
	return fv->n;
}

int
field_bad(const struct req *rq, const char *name)
{
	const struct fieldval *fv = lookup(rq, name);

	return fv != NULL && fv->state == FV_BAD;
}

const char *
field_raw(const struct req *rq, const char *name)
{
	const struct fieldval *fv = lookup(rq, name);

	return fv != NULL ? fv->raw : NULL;
}

enum err
field_page(const struct req *rq, int64_t *page)
{
	*page = 1;
	if (field_bad(rq, "page"))
		return ERR_INVALID;
	if (field_int(rq, "page", page) && *page < 1)
		*page = 1;
	return ERR_OK;
}
