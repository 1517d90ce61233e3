/* The list calls reconciliation needs: GET /v1/payment_intents, GET
 * /v1/charges and GET /v1/refunds, newest first, with Stripe's list shape
 * and paging (limit, starting_after, ending_before) and the filters the
 * spec gives each: created (exact or [gt|gte|lt|lte]), customer,
 * payment_intent, charge.  Parameters the spec does not list were already
 * refused by the validator. */
#include "emu.h"

/* Reads the paging and created filters, then answers the list of kind k
 * at url, whose objects are called what in a "No such" error. */
static void
list(struct emu_call *c, enum emu_kind k, const char *url, const char *what)
{
	struct emu_list_q q;
	cJSON *l = NULL;
	enum err err;

	if (emu_api_list_params(c, &q) != 0)
		return;
	emu_list_created(c->params, &q);
	q.customer = emu_param_str(c->params, "customer");
	q.payment_intent = emu_param_str(c->params, "payment_intent");
	q.charge = emu_param_str(c->params, "charge");
	err = emu_store_list(c->emu, k, &q, url, &l);
	emu_api_reply_list(c, err, l, what);
}

void
emu_pi_list(struct emu_call *c)
{
	list(c, KIND_PAYMENT_INTENT, "/v1/payment_intents", "payment_intent");
}

void
emu_charge_list(struct emu_call *c)
{
	list(c, KIND_CHARGE, "/v1/charges", "charge");
}

void
emu_refund_list(struct emu_call *c)
{
	list(c, KIND_REFUND, "/v1/refunds", "refund");
}
