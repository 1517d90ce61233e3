/* Small helpers to set and read members of Stripe objects in place: a
 * replaced member keeps its position, so objects keep the fixture order. */
#include <math.h>

#include "emu.h"

void
emu_jset(cJSON *o, const char *k, cJSON *v)
{
	if (v == NULL)
		return;
	if (JGET(o, k) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(o, k, v);
	else
		cJSON_AddItemToObject(o, k, v);
}

void
emu_jset_str(cJSON *o, const char *k, const char *s)
{
	emu_jset(o, k, s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull());
}

void
emu_jset_int(cJSON *o, const char *k, int64_t v)
{
	emu_jset(o, k, cJSON_CreateNumber((double)v));
}

void
emu_jset_bool(cJSON *o, const char *k, int b)
{
	emu_jset(o, k, cJSON_CreateBool(b));
}

const char *
emu_jstr(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(JGET(o, k));
}

int64_t
emu_jint(const cJSON *o, const char *k)
{
	const cJSON *v = JGET(o, k);

	return cJSON_IsNumber(v) ? (int64_t)llround(v->valuedouble) : 0;
}
