/* GET /v1/events (newest first, filtered by created[gt|gte|lt|lte] or an
 * exact created, type with '*' wildcards, or types[]) and GET
 * /v1/events/{id}.  pending_webhooks is read from the deliveries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

/* Turns "checkout.session.*" into a LIKE pattern (arena). */
static char *
like_pattern(struct arena *a, const char *type)
{
	char *out = arena_alloc(a, strlen(type) * 2 + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (; *type != '\0'; type++) {
		if (*type == '*') {
			*o++ = '%';
			continue;
		}
		if (*type == '%' || *type == '_' || *type == '\\')
			*o++ = '\\';
		*o++ = *type;
	}
	*o = '\0';
	return out;
}

void
emu_event_list(struct emu_call *c)
{
	struct emu_list_q q;
	const char *type = emu_param_str(c->params, "type");
	const cJSON *types = JGET(c->params, "types");
	char *tj = NULL;
	cJSON *list = NULL, *ev;
	enum err err;

	if (emu_api_list_params(c, &q) != 0)
		return;
	if (type != NULL && types != NULL) {
		emu_reply_error(c->rp, 400, "invalid_request_error", NULL,
		    "types", "You may pass either `type` or `types`, but not "
		    "both.");
		return;
	}
	emu_list_created(c->params, &q);
	if (type != NULL)
		q.type_like = like_pattern(c->rq->a, type);
	if (types != NULL && (tj = cJSON_PrintUnformatted(types)) != NULL)
		q.types_json = tj;
	err = emu_store_list(c->emu, KIND_EVENT, &q, "/v1/events", &list);
	cJSON_free(tj);
	if (err == ERR_OK)
		cJSON_ArrayForEach(ev, JGET(list, "data"))
			emu_event_fix_pending(c->emu, ev);
	emu_api_reply_list(c, err, list, "event");
}

void
emu_event_get(struct emu_call *c)
{
	cJSON *ev = emu_store_get(c->emu, KIND_EVENT, c->id);

	if (ev == NULL) {
		emu_api_missing(c, "event", "id", c->id);
		return;
	}
	emu_event_fix_pending(c->emu, ev);
	emu_api_reply(c, ev);
}
