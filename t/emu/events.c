/* Events as Stripe records them: type, a full copy of the object as it is
 * now (data.object), what changed (data.previous_attributes), the request
 * that caused it, and one pending webhook per endpoint that takes its
 * type.  Each new event is queued for delivery to those endpoints in the
 * same transaction. */
#include "emu.h"

enum err
emu_event_emit(struct emu *e, const char *type, const cJSON *obj,
    const cJSON *prev, const struct emu_cause *cause)
{
	cJSON *ev, *data, *req;
	int64_t endpoints = emu_deliver_count(e, type);
	char id[32];
	enum err err;

	if (endpoints < 0 || (ev = emu_shape_new(SHAPE_EVENT)) == NULL)
		return ERR_INTERNAL;
	emu_new_id(id, sizeof(id), "evt_", 24);
	emu_jset_str(ev, "id", id);
	emu_jset_int(ev, "created", emu_now(e));
	data = JGET(ev, "data");
	emu_jset(data, "object", cJSON_Duplicate(obj, 1));
	if (prev != NULL)
		emu_jset(data, "previous_attributes", cJSON_Duplicate(prev, 1));
	emu_jset_int(ev, "pending_webhooks", endpoints);
	req = JGET(ev, "request");
	emu_jset_str(req, "id", cause != NULL ? cause->request_id : NULL);
	emu_jset_str(req, "idempotency_key",
	    cause != NULL ? cause->idem_key : NULL);
	emu_jset_str(ev, "type", type);
	err = emu_store_insert(e, KIND_EVENT, ev, NULL);
	cJSON_Delete(ev);
	if (err == ERR_OK && endpoints > 0)
		err = emu_deliver_enqueue(e, id, type);
	return err;
}

void
emu_event_fix_pending(struct emu *e, cJSON *ev)
{
	struct db_stmt *st;

	st = db_prep(e->db, "SELECT count(*) FROM deliveries"
	    " WHERE event_id = ? AND copy = 0 AND state IN ('pending', 'held')");
	if (st == NULL)
		return;
	db_bind_text(st, 1, emu_jstr(ev, "id"));
	if (db_next(st) == ERR_OK)
		emu_jset_int(ev, "pending_webhooks", db_col_int64(st, 0));
	db_done(st);
}
