/* Disputes, as Stripe's test card 4000 0000 0000 0259 makes them: once
 * the payment has succeeded, the card's bank opens a fraud chargeback on
 * the charge.  The charge becomes disputed, the dispute is stored and
 * charge.dispute.created carries it.  POST /_emu/dispute opens one the
 * same way on any paid charge, for tests whose dispute comes later.
 * Stripe opens at most one dispute per charge (disputes_charge index). */
#include <string.h>

#include "emu.h"

#define EVIDENCE_DAYS 7		/* due_by: a week to answer, as test mode */

/* Sets *ch to the charge id names: a ch_..., or a pi_...'s latest charge.
 * Returns ERR_OK, ERR_NOTFOUND (no such object) or ERR_CONFLICT (an
 * intent that has no charge).  Caller frees *ch with cJSON_Delete(). */
static enum err
find_charge(struct emu *e, const char *id, cJSON **ch)
{
	enum emu_kind k = emu_kind_of_id(id);
	cJSON *pi;

	*ch = NULL;
	if (k == KIND_CHARGE)
		return (*ch = emu_store_get(e, k, id)) != NULL ? ERR_OK :
		    ERR_NOTFOUND;
	if (k != KIND_PAYMENT_INTENT || (pi = emu_store_get(e, k, id)) == NULL)
		return ERR_NOTFOUND;
	*ch = emu_store_get(e, KIND_CHARGE, emu_jstr(pi, "latest_charge"));
	cJSON_Delete(pi);
	return *ch != NULL ? ERR_OK : ERR_CONFLICT;
}

/* A new dispute of the whole charge.  Caller frees; NULL when out of
 * memory. */
static cJSON *
make_dispute(struct emu *e, const cJSON *ch)
{
	cJSON *dp = emu_shape_new(SHAPE_DISPUTE), *card;
	const char *brand;
	char id[40];

	if (dp == NULL)
		return NULL;
	emu_new_id(id, sizeof(id), "dp_", 24);
	emu_jset_str(dp, "id", id);
	emu_jset_int(dp, "amount", emu_jint(ch, "amount"));
	emu_jset_str(dp, "charge", emu_jstr(ch, "id"));
	emu_jset_int(dp, "created", emu_now(e));
	emu_jset_str(dp, "currency", emu_jstr(ch, "currency"));
	emu_jset_int(JGET(dp, "evidence_details"), "due_by",
	    emu_now(e) + EVIDENCE_DAYS * 86400);
	emu_jset_str(dp, "payment_intent", emu_jstr(ch, "payment_intent"));
	brand = emu_jstr(JGET(JGET(ch, "payment_method_details"), "card"),
	    "brand");
	card = JGET(JGET(dp, "payment_method_details"), "card");
	if (brand != NULL) {
		emu_jset_str(card, "brand", brand);
		emu_jset_str(card, "network", brand);
	}
	/* Visa's reason code for "card absent fraud". */
	if (brand != NULL && strcmp(brand, "visa") == 0)
		emu_jset_str(card, "network_reason_code", "10.4");
	emu_jset_str(dp, "reason", "fraudulent");
	return dp;
}

enum err
emu_dispute_open(struct emu *e, const char *id, cJSON **out)
{
	cJSON *ch, *dp = NULL;
	enum err err;

	*out = NULL;
	if ((err = find_charge(e, id, &ch)) != ERR_OK)
		return err;
	if (emu_jstr(ch, "status") == NULL ||
	    strcmp(emu_jstr(ch, "status"), "succeeded") != 0 ||
	    cJSON_IsTrue(JGET(ch, "disputed"))) {
		err = ERR_CONFLICT;
		goto out;
	}
	if ((dp = make_dispute(e, ch)) == NULL) {
		err = ERR_INTERNAL;
		goto out;
	}
	emu_jset_bool(ch, "disputed", 1);
	if ((err = emu_store_insert(e, KIND_DISPUTE, dp, NULL)) != ERR_OK ||
	    (err = emu_store_update(e, KIND_CHARGE, ch)) != ERR_OK ||
	    (err = emu_event_emit(e, "charge.dispute.created", dp, NULL,
	    NULL)) != ERR_OK)
		goto out;
	*out = dp;
	dp = NULL;
out:
	cJSON_Delete(ch);
	cJSON_Delete(dp);
	return err;
}
