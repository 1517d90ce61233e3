/* Reading validated parameters.  Every decoded value is a string, as it
 * came in the form; the validator already checked that integers parse. */
#include <stdlib.h>
#include <string.h>

#include "emu.h"

const char *
emu_param_str(const cJSON *p, const char *name)
{
	return cJSON_GetStringValue(JGET(p, name));
}

int
emu_param_int(const cJSON *p, const char *name, int64_t *v)
{
	const char *s = emu_param_str(p, name);
	char *end;

	if (s == NULL || *s == '\0')
		return 0;
	*v = strtoll(s, &end, 10);
	return *end == '\0';
}

void
emu_metadata_merge(cJSON *dst, const cJSON *src)
{
	const cJSON *c;

	if (cJSON_IsString(src) && src->valuestring[0] == '\0') {
		while (dst->child != NULL)
			cJSON_Delete(cJSON_DetachItemViaPointer(dst, dst->child));
		return;
	}
	cJSON_ArrayForEach(c, src) {
		if (!cJSON_IsString(c) || c->string == NULL)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(dst, c->string);
		if (c->valuestring[0] != '\0')
			cJSON_AddStringToObject(dst, c->string, c->valuestring);
	}
}
