/* POST /v1/customers, GET, POST and DELETE /v1/customers/{customer}.
 * The emulator keeps the fields a store sets (email, name, description,
 * phone, address, metadata); other documented parameters are accepted and
 * not modelled.  Create, update and delete emit customer.created, updated
 * and deleted.  A deleted customer is kept as Stripe shows it afterwards,
 * {"id", "object": "customer", "deleted": true}: a GET answers that, a
 * second DELETE or an update answers resource_missing. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "emu.h"

static const char *const simple[] = { "email", "name", "description",
	"phone", NULL };
static const char *const address[] = { "city", "country", "line1", "line2",
	"postal_code", "state", NULL };

/* Copies the given fields of p into cu; "" sets null.  Old values of
 * changed fields go to prev when it is not NULL. */
static void
apply(cJSON *cu, const cJSON *p, cJSON *prev)
{
	const cJSON *addr = JGET(p, "address"), *v;
	cJSON *to;
	size_t i;

	for (i = 0; simple[i] != NULL; i++) {
		if ((v = JGET(p, simple[i])) == NULL || !cJSON_IsString(v))
			continue;
		if (prev != NULL)
			emu_jset(prev, simple[i],
			    cJSON_Duplicate(JGET(cu, simple[i]), 1));
		emu_jset_str(cu, simple[i], v->valuestring[0] != '\0' ?
		    v->valuestring : NULL);
	}
	if (JGET(p, "metadata") != NULL) {
		if (prev != NULL)
			emu_jset(prev, "metadata",
			    cJSON_Duplicate(JGET(cu, "metadata"), 1));
		emu_metadata_merge(JGET(cu, "metadata"), JGET(p, "metadata"));
	}
	if (cJSON_IsObject(addr)) {
		if (prev != NULL)
			emu_jset(prev, "address",
			    cJSON_Duplicate(JGET(cu, "address"), 1));
		if (!cJSON_IsObject(to = JGET(cu, "address"))) {
			emu_jset(cu, "address", cJSON_CreateObject());
			to = JGET(cu, "address");
		}
		for (i = 0; address[i] != NULL && to != NULL; i++)
			if ((v = JGET(addr, address[i])) != NULL)
				emu_jset_str(to, address[i], v->valuestring);
	}
}

void
emu_customer_create(struct emu_call *c)
{
	cJSON *cu = emu_shape_new(SHAPE_CUSTOMER);
	char id[32], prefix[12];

	if (cu == NULL) {
		emu_api_fail(c);
		return;
	}
	emu_new_id(id, sizeof(id), "cus_", 14);
	emu_jset_str(cu, "id", id);
	emu_jset_int(cu, "created", emu_now(c->emu));
	snprintf(prefix, sizeof(prefix), "%08X", randombytes_random());
	emu_jset_str(cu, "invoice_prefix", prefix);
	apply(cu, c->params, NULL);
	if (emu_store_insert(c->emu, KIND_CUSTOMER, cu, NULL) != ERR_OK ||
	    emu_event_emit(c->emu, "customer.created", cu, NULL,
	    &c->cause) != ERR_OK) {
		cJSON_Delete(cu);
		emu_api_fail(c);
		return;
	}
	emu_api_reply(c, cu);
}

void
emu_customer_get(struct emu_call *c)
{
	emu_api_get(c, KIND_CUSTOMER, "id");
}

void
emu_customer_update(struct emu_call *c)
{
	cJSON *cu = emu_store_get(c->emu, KIND_CUSTOMER, c->id);
	cJSON *prev = cJSON_CreateObject();

	if (cu == NULL || cJSON_IsTrue(JGET(cu, "deleted"))) {
		cJSON_Delete(cu);
		cJSON_Delete(prev);
		emu_api_missing(c, "customer", "id", c->id);
		return;
	}
	apply(cu, c->params, prev);
	if (prev == NULL || emu_store_update(c->emu, KIND_CUSTOMER, cu) !=
	    ERR_OK || (prev->child != NULL && emu_event_emit(c->emu,
	    "customer.updated", cu, prev, &c->cause) != ERR_OK)) {
		cJSON_Delete(cu);
		cJSON_Delete(prev);
		emu_api_fail(c);
		return;
	}
	cJSON_Delete(prev);
	emu_api_reply(c, cu);
}

void
emu_customer_delete(struct emu_call *c)
{
	cJSON *cu = emu_store_get(c->emu, KIND_CUSTOMER, c->id), *gone;

	if (cu == NULL || cJSON_IsTrue(JGET(cu, "deleted"))) {
		cJSON_Delete(cu);
		emu_api_missing(c, "customer", "id", c->id);
		return;
	}
	if ((gone = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(gone, "id", c->id) == NULL ||
	    cJSON_AddStringToObject(gone, "object", "customer") == NULL ||
	    cJSON_AddTrueToObject(gone, "deleted") == NULL ||
	    emu_store_update(c->emu, KIND_CUSTOMER, gone) != ERR_OK ||
	    emu_event_emit(c->emu, "customer.deleted", cu, NULL, &c->cause) !=
	    ERR_OK) {
		cJSON_Delete(cu);
		cJSON_Delete(gone);
		emu_api_fail(c);
		return;
	}
	cJSON_Delete(cu);
	emu_api_reply(c, gone);
}
