/* Validation of Stripe's form parameters against the OpenAPI schema, and
 * their decoding into nested cJSON.  Each key "a[b][0][c]" is split into
 * segments and walked down the schema (properties, additionalProperties,
 * array items, any anyOf branch, $ref followed); an unmatched segment is
 * "parameter_unknown", a leaf is checked for type, enum, maxLength and
 * empty strings.  After all keys, "required" is checked on the tree. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

#define MAXSEG 12		/* deeper keys are refused */
#define MAXKEY 512		/* longer keys are refused */

enum vres { V_OK, V_UNKNOWN, V_BAD };

struct vctx {
	const cJSON *spec;	/* for $ref */
	const char *key;	/* the key as sent */
	const char *val;	/* its value */
	char *seg[MAXSEG];	/* segments, into keybuf */
	size_t n;		/* segments */
	char kinds[MAXSEG];	/* container of seg i: 'o' object, 'a' array */
	char keybuf[MAXKEY + 1];/* split copy of key */
	struct emu_verr bad;	/* best V_BAD so far */
	int bad_rank;		/* 0 none, 1 container branch, 2 scalar */
	struct emu_verr *err;	/* where the final error goes */
};

static const cJSON *
resolve(const cJSON *spec, const cJSON *s)
{
	const char *ref;
	int hops;

	for (hops = 0; s != NULL && hops < 16; hops++) {
		ref = cJSON_GetStringValue(JGET(s, "$ref"));
		if (ref == NULL)
			return s;
		if (strncmp(ref, "#/components/schemas/", 21) != 0)
			return NULL;
		s = JGET(JGET(JGET(spec, "components"), "schemas"), ref + 21);
	}
	return NULL;
}

static const char *
type_of(const cJSON *s)
{
	const char *t = cJSON_GetStringValue(JGET(s, "type"));

	if (t == NULL && JGET(s, "properties") != NULL)
		return "object";
	return t != NULL ? t : "";
}

static void set_errv(struct emu_verr *, const char *, const char *,
    const char *, va_list) __attribute__((format(printf, 4, 0)));
static void set_err(struct emu_verr *, const char *, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));
static enum vres bad(struct vctx *, int, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static void
set_errv(struct emu_verr *err, const char *code, const char *param,
    const char *fmt, va_list ap)
{
	err->status = 400;
	err->code = code;
	snprintf(err->param, sizeof(err->param), "%s", param);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

static void
set_err(struct emu_verr *err, const char *code, const char *param,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_errv(err, code, param, fmt, ap);
	va_end(ap);
}

/* Records a V_BAD; scalar-branch errors win over container ones. */
static enum vres
bad(struct vctx *v, int rank, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (rank > v->bad_rank) {
		va_start(ap, fmt);
		set_errv(&v->bad, code, v->key, fmt, ap);
		va_end(ap);
		v->bad_rank = rank;
	}
	return V_BAD;
}

/* Splits key into segments: "a[b][]" is a, b, "".  Returns 0 or -1. */
static int
split_key(struct vctx *v)
{
	char *p, *close;

	if (strlen(v->key) > MAXKEY)
		return -1;
	memcpy(v->keybuf, v->key, strlen(v->key) + 1);
	p = v->keybuf;
	v->n = 0;
	v->seg[v->n++] = p;
	if ((p = strchr(p, '[')) == NULL)
		return v->keybuf[0] != '\0' && strchr(v->keybuf, ']') == NULL ?
		    0 : -1;
	if (p == v->keybuf)
		return -1;
	while (*p == '[') {
		*p++ = '\0';
		if ((close = strchr(p, ']')) == NULL || v->n == MAXSEG)
			return -1;
		*close = '\0';
		if (strchr(p, '[') != NULL)
			return -1;
		v->seg[v->n++] = p;
		p = close + 1;
	}
	return *p == '\0' ? 0 : -1;
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int
is_integer(const char *s)
{
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return 0;
	errno = 0;
	(void)strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static int
is_number(const char *s)
{
	char *end;
	double d;

	if (*s == '\0' || isspace((unsigned char)*s))
		return 0;
	d = strtod(s, &end);
	return *end == '\0' && isfinite(d);
}

static enum vres
empty(struct vctx *v, int rank)
{
	return bad(v, rank, "parameter_invalid_empty",
	    "You passed an empty string for '%s'. We assume empty values are "
	    "an attempt to unset a parameter; however '%s' cannot be unset. "
	    "You should remove '%s' from your request or supply a non-empty "
	    "value.", v->key, v->key, v->key);
}

static enum vres
leaf_enum(struct vctx *v, const cJSON *en)
{
	const cJSON *x;
	struct buf list = { 0 };
	int n = cJSON_GetArraySize(en), i = 0;
	enum vres r;

	cJSON_ArrayForEach(x, en)
		if (cJSON_IsString(x) && strcmp(x->valuestring, v->val) == 0)
			return V_OK;
	if (v->val[0] == '\0')
		return empty(v, 2);
	cJSON_ArrayForEach(x, en) {
		if (!cJSON_IsString(x))
			continue;
		if (i > 0)
			buf_puts(&list, n > 2 ? ", " : " ");
		if (i > 0 && i == n - 1)
			buf_puts(&list, "or ");
		buf_puts(&list, x->valuestring);
		i++;
	}
	r = bad(v, 2, NULL, "Invalid %s: must be one of %s", v->key,
	    list.data != NULL ? list.data : "");
	buf_free(&list);
	return r;
}

static enum vres
leaf_string(struct vctx *v, const cJSON *s)
{
	const cJSON *en = JGET(s, "enum"), *ml = JGET(s, "maxLength");
	const char *fmt = cJSON_GetStringValue(JGET(s, "format"));
	char lim[32];

	if (en != NULL)
		return leaf_enum(v, en);
	if (cJSON_IsNumber(ml) && utf8_chars(v->val) > (size_t)ml->valuedouble) {
		snprintf(lim, sizeof(lim), "%d", ml->valueint);
		return bad(v, 2, "parameter_invalid_string_too_long",
		    "Invalid %s: must be at most %s characters", v->key, lim);
	}
	if (fmt != NULL && strcmp(fmt, "decimal") == 0 && v->val[0] != '\0' &&
	    !is_number(v->val))
		return bad(v, 2, NULL, "Invalid decimal: %s", v->val);
	return V_OK;
}

static enum vres
leaf(struct vctx *v, const cJSON *s)
{
	const char *t = type_of(s);

	if (strcmp(t, "string") == 0)
		return leaf_string(v, s);
	if (strcmp(t, "integer") == 0) {
		if (v->val[0] == '\0')
			return empty(v, 2);
		return is_integer(v->val) ? V_OK : bad(v, 2,
		    "parameter_invalid_integer", "Invalid integer: %s",
		    v->val);
	}
	if (strcmp(t, "number") == 0) {
		if (v->val[0] == '\0')
			return empty(v, 2);
		return is_number(v->val) ? V_OK : bad(v, 2, NULL,
		    "Invalid decimal: %s", v->val);
	}
	if (strcmp(t, "boolean") == 0) {
		if (v->val[0] == '\0')
			return empty(v, 2);
		return strcmp(v->val, "true") == 0 ||
		    strcmp(v->val, "false") == 0 ? V_OK : bad(v, 2, NULL,
		    "Invalid boolean: %s", v->val);
	}
	if (strcmp(t, "object") == 0 || strcmp(t, "array") == 0) {
		if (v->val[0] == '\0')
			return empty(v, 1);
		return bad(v, 1, NULL, "Invalid %s", t);
	}
	return V_OK;		/* an untyped schema takes anything */
}

static int
is_index(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return 1;	/* "[]": append */
	if (n > 6)
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static enum vres
walk(struct vctx *v, const cJSON *schema, size_t i)
{
	const cJSON *s = resolve(v->spec, schema), *b, *child = NULL, *ap;
	const char *t;
	enum vres r, res = V_UNKNOWN;

	if (s == NULL)
		return V_UNKNOWN;
	if ((b = JGET(s, "anyOf")) != NULL) {
		cJSON_ArrayForEach(b, JGET(s, "anyOf")) {
			if ((r = walk(v, b, i)) == V_OK)
				return V_OK;
			if (r == V_BAD)
				res = V_BAD;
		}
		return res;
	}
	if (i == v->n)
		return leaf(v, s);
	t = type_of(s);
	if (strcmp(t, "object") == 0) {
		if (v->seg[i][0] == '\0')
			return V_UNKNOWN;
		child = JGET(JGET(s, "properties"), v->seg[i]);
		ap = JGET(s, "additionalProperties");
		if (child == NULL && cJSON_IsObject(ap))
			child = ap;
		if (child == NULL)
			return V_UNKNOWN;
		v->kinds[i] = 'o';
		return walk(v, child, i + 1);
	}
	if (strcmp(t, "array") == 0) {
		if (!is_index(v->seg[i]))
			return bad(v, 1, NULL, "Invalid array");
		v->kinds[i] = 'a';
		return walk(v, JGET(s, "items"), i + 1);
	}
	return V_UNKNOWN;
}

/* Adds the validated pair to the tree at root.  Returns 0, or -1 when
 * the key clashes with another (a value and a nested key at once). */
static int
insert(struct vctx *v, cJSON *root)
{
	cJSON *node = root, *child;
	char idx[24];
	const char *name;
	size_t i;

	for (i = 0; i < v->n; i++) {
		name = v->seg[i];
		if (v->kinds[i] == 'a' && name[0] == '\0') {
			snprintf(idx, sizeof(idx), "%d", cJSON_GetArraySize(node));
			name = idx;
		}
		child = JGET(node, name);
		if (i + 1 == v->n) {
			if (child != NULL && !cJSON_IsString(child))
				return -1;
			if (child != NULL)
				cJSON_DeleteItemFromObjectCaseSensitive(node, name);
			cJSON_AddItemToObject(node, name,
			    cJSON_CreateString(v->val));
			return 0;
		}
		if (child == NULL) {
			child = v->kinds[i + 1] == 'a' ? cJSON_CreateArray() :
			    cJSON_CreateObject();
			if (child == NULL)
				return -1;
			cJSON_AddItemToObject(node, name, child);
		} else if (v->kinds[i + 1] == 'a' ? !cJSON_IsArray(child) :
		    !cJSON_IsObject(child))
			return -1;
		node = child;
	}
	return 0;
}

static int
by_index(const void *a, const void *b)
{
	long long x = atoll((*(cJSON *const *)a)->string);
	long long y = atoll((*(cJSON *const *)b)->string);

	return (x > y) - (x < y);
}

/* Arrays were built with their indices as member names: order them by
 * index and drop the names.  Returns 0 or -1 (out of memory). */
static int
finish_arrays(cJSON *node)
{
	cJSON *c, **v;
	int n, i;

	cJSON_ArrayForEach(c, node)
		if ((cJSON_IsArray(c) || cJSON_IsObject(c)) &&
		    finish_arrays(c) != 0)
			return -1;
	if (!cJSON_IsArray(node) || (n = cJSON_GetArraySize(node)) == 0)
		return 0;
	if ((v = calloc((size_t)n, sizeof(*v))) == NULL)
		return -1;
	i = 0;
	cJSON_ArrayForEach(c, node)
		v[i++] = c;
	qsort(v, (size_t)n, sizeof(*v), by_index);
	for (i = 0; i < n; i++) {
		cJSON_DetachItemViaPointer(node, v[i]);
		cJSON_free(v[i]->string);
		v[i]->string = NULL;
		cJSON_AddItemToArray(node, v[i]);
	}
	free(v);
	return 0;
}

/* Picks the anyOf branch (or the schema itself) that fits node. */
static const cJSON *
branch_for(const cJSON *spec, const cJSON *schema, const cJSON *node)
{
	const cJSON *s = resolve(spec, schema), *b, *rb;
	const char *t;

	if (s == NULL || JGET(s, "anyOf") == NULL)
		return s;
	cJSON_ArrayForEach(b, JGET(s, "anyOf")) {
		rb = resolve(spec, b);
		t = type_of(rb);
		if ((cJSON_IsObject(node) && strcmp(t, "object") == 0) ||
		    (cJSON_IsArray(node) && strcmp(t, "array") == 0))
			return rb;
	}
	return NULL;
}

static int
check_required(const cJSON *spec, const cJSON *schema, const cJSON *node,
    const char *path, struct emu_verr *err)
{
	const cJSON *s = branch_for(spec, schema, node), *r, *c, *cs, *ap;
	char sub[256];
	int i = 0;

	if (s == NULL || cJSON_IsString(node))
		return 0;
	if (cJSON_IsArray(node)) {
		cJSON_ArrayForEach(c, node) {
			snprintf(sub, sizeof(sub), "%s[%d]", path, i++);
			if (check_required(spec, JGET(s, "items"), c, sub, err))
				return -1;
		}
		return 0;
	}
	cJSON_ArrayForEach(r, JGET(s, "required")) {
		if (!cJSON_IsString(r) || JGET(node, r->valuestring) != NULL)
			continue;
		snprintf(sub, sizeof(sub), path[0] ? "%s[%s]" : "%s%s", path,
		    r->valuestring);
		set_err(err, "parameter_missing", sub,
		    "Missing required param: %s.", sub);
		return -1;
	}
	ap = JGET(s, "additionalProperties");
	cJSON_ArrayForEach(c, node) {
		cs = JGET(JGET(s, "properties"), c->string);
		if (cs == NULL && cJSON_IsObject(ap))
			cs = ap;
		snprintf(sub, sizeof(sub), path[0] ? "%s[%s]" : "%s%s", path,
		    c->string);
		if (cs != NULL && check_required(spec, cs, c, sub, err))
			return -1;
	}
	return 0;
}

/* Stripe reads parameters as UTF-8 text. */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		n = (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 :
		    (*p & 0xF8) == 0xF0 ? 3 : -1;
		if (n < 0 || (n == 1 && *p < 0xC2) || (n == 3 && *p > 0xF4))
			return 0;
		for (p++; n > 0; n--, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

int
emu_validate(const cJSON *spec, const cJSON *schema,
    const struct kvlist *kv, cJSON **out, struct emu_verr *err)
{
	struct vctx *v;
	cJSON *root;
	size_t i;
	enum vres r;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	if ((v = calloc(1, sizeof(*v))) == NULL ||
	    (root = cJSON_CreateObject()) == NULL) {
		free(v);
		err->status = 500;
		snprintf(err->message, sizeof(err->message), "out of memory");
		return -1;
	}
	v->spec = spec;
	v->err = err;
	for (i = 0; i < kv->n; i++) {
		v->key = kv->v[i].key;
		v->val = kv->v[i].val;
		v->bad_rank = 0;
		if (!utf8_ok(v->key) || !utf8_ok(v->val)) {
			set_err(err, NULL, utf8_ok(v->key) ? v->key : "",
			    "Invalid request: parameters must be UTF-8 text.");
			goto fail;
		}
		r = split_key(v) == 0 ? walk(v, schema, 0) : V_UNKNOWN;
		if (r == V_BAD) {
			*err = v->bad;
			goto fail;
		}
		if (r == V_UNKNOWN) {
			set_err(err, "parameter_unknown", v->key,
			    "Received unknown parameter: %s", v->key);
			goto fail;
		}
		if (insert(v, root) != 0) {
			set_err(err, NULL, v->key,
			    "Invalid %s: the parameter is given twice with "
			    "different shapes", v->key);
			goto fail;
		}
	}
	if (finish_arrays(root) != 0 ||
	    check_required(spec, schema, root, "", err) != 0)
		goto fail;
	free(v);
	*out = root;
	return 0;
fail:
	if (err->status == 0) {
		err->status = 500;
		snprintf(err->message, sizeof(err->message), "out of memory");
	}
	free(v);
	cJSON_Delete(root);
	return -1;
}
