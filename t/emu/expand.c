/* expand[]: replaces an id field by the object it names, following dotted
 * paths ("payment_intent.latest_charge", "data.customer" in lists), as
 * Stripe does for expandable fields.  A checkout session's line_items,
 * which is not a field until expanded, is filled from its items. */
#include <stdio.h>
#include <string.h>

#include "emu.h"

static int expand_path(struct emu *e, cJSON *obj, const char *path);

/* Expands name (one segment) in obj, then rest; returns 0 or -1. */
static int
expand_field(struct emu *e, cJSON *obj, const char *name, const char *rest)
{
	cJSON *f, *x;
	enum emu_kind k;
	struct emu_list_q q = { .limit = 100 };
	char url[128];

	if (strcmp(name, "line_items") == 0 &&
	    strcmp(emu_jstr(obj, "object") ? emu_jstr(obj, "object") : "",
	    "checkout.session") == 0 && emu_jstr(obj, "id") != NULL) {
		q.session_id = emu_jstr(obj, "id");
		snprintf(url, sizeof(url), "/v1/checkout/sessions/%s/line_items",
		    q.session_id);
		if (emu_store_list(e, KIND_ITEM, &q, url, &x) != ERR_OK)
			return -1;
		emu_jset(obj, "line_items", x);
		return rest != NULL ? expand_path(e, x, rest) : 0;
	}
	if (strcmp(name, "id") == 0 || (f = JGET(obj, name)) == NULL)
		return -1;
	if (cJSON_IsNull(f))
		return 0;
	if (cJSON_IsString(f)) {
		if ((k = emu_kind_of_id(f->valuestring)) == KIND_MAX ||
		    (x = emu_store_get(e, k, f->valuestring)) == NULL)
			return -1;
		emu_jset(obj, name, x);
		f = x;
	}
	if (!cJSON_IsObject(f))
		return -1;
	return rest != NULL ? expand_path(e, f, rest) : 0;
}

static int
expand_path(struct emu *e, cJSON *obj, const char *path)
{
	char name[64];
	const char *dot = strchr(path, '.');
	size_t n = dot != NULL ? (size_t)(dot - path) : strlen(path);
	cJSON *c;

	if (n == 0 || n >= sizeof(name))
		return -1;
	memcpy(name, path, n);
	name[n] = '\0';
	if (strcmp(name, "data") == 0 && cJSON_IsArray(JGET(obj, "data")) &&
	    dot != NULL) {
		cJSON_ArrayForEach(c, JGET(obj, "data"))
			if (expand_path(e, c, dot + 1) != 0)
				return -1;
		return 0;
	}
	return expand_field(e, obj, name, dot != NULL ? dot + 1 : NULL);
}

int
emu_expand(struct emu *e, cJSON *obj, const cJSON *expand, const char **bad)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, expand) {
		if (!cJSON_IsString(x) || expand_path(e, obj, x->valuestring)) {
			*bad = cJSON_IsString(x) ? x->valuestring : "?";
			return -1;
		}
	}
	return 0;
}
