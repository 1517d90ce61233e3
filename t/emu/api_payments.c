/* GET /v1/payment_intents/{intent}, POST /v1/refunds and GET
 * /v1/refunds/{refund}.  A refund takes all or part of what is left of a
 * succeeded charge, found by payment_intent or charge; asking for more is
 * Stripe's amount_too_large, and a charged-back (disputed) charge cannot
 * be refunded.  Each refund emits charge.refunded (with the charge's new
 * amount_refunded) and refund.created. */
#include <stdio.h>
#include <string.h>

#include "emu.h"

void
emu_pi_get(struct emu_call *c)
{
	emu_api_get(c, KIND_PAYMENT_INTENT, "intent");
}

void
emu_refund_get(struct emu_call *c)
{
	emu_api_get(c, KIND_REFUND, "refund");
}

/* Formats minor units as Stripe's messages do: "$12.50". */
static void
money(char *out, size_t cap, int64_t v, const char *cur)
{
	const char *sym = strcmp(cur, "usd") == 0 ? "$" :
	    strcmp(cur, "eur") == 0 ? "\xe2\x82\xac" :
	    strcmp(cur, "gbp") == 0 ? "\xc2\xa3" : NULL;

	if (sym != NULL)
		snprintf(out, cap, "%s%lld.%02lld", sym, (long long)(v / 100),
		    (long long)(v % 100));
	else
		snprintf(out, cap, "%lld.%02lld %s", (long long)(v / 100),
		    (long long)(v % 100), cur);
}

/* Finds the charge to refund; NULL after replying. */
static cJSON *
find_charge(struct emu_call *c)
{
	const char *pi_id = emu_param_str(c->params, "payment_intent");
	const char *ch_id = emu_param_str(c->params, "charge");
	cJSON *pi = NULL, *ch;

	if (pi_id != NULL && ch_id != NULL) {
		emu_reply_error(c->rp, 400, "invalid_request_error", NULL,
		    "charge", "You may only specify one of these parameters: "
		    "charge, payment_intent.");
		return NULL;
	}
	if (pi_id == NULL && ch_id == NULL) {
		emu_reply_error(c->rp, 400, "invalid_request_error",
		    "parameter_missing", NULL, "One of the following params "
		    "should be provided for this request: payment_intent or "
		    "charge.");
		return NULL;
	}
	if (pi_id != NULL) {
		if ((pi = emu_store_get(c->emu, KIND_PAYMENT_INTENT, pi_id)) ==
		    NULL) {
			emu_api_missing(c, "payment_intent", "payment_intent",
			    pi_id);
			return NULL;
		}
		ch_id = emu_jstr(pi, "latest_charge");
	}
	ch = ch_id != NULL ? emu_store_get(c->emu, KIND_CHARGE, ch_id) : NULL;
	if (ch == NULL && pi == NULL)
		emu_api_missing(c, "charge", "charge", ch_id);
	else if (ch == NULL || strcmp(emu_jstr(ch, "status"), "succeeded")) {
		emu_reply_error(c->rp, 400, "invalid_request_error", NULL,
		    pi != NULL ? "payment_intent" : "charge", "This %s does not "
		    "have a successful charge to refund.", pi != NULL ?
		    "PaymentIntent" : "charge");
		cJSON_Delete(ch);
		ch = NULL;
	}
	cJSON_Delete(pi);
	return ch;
}

/* The money of a disputed charge went back through the card network:
 * Stripe refuses to refund it again.  Returns 0, or -1 after replying. */
static int
check_disputed(struct emu_call *c, const cJSON *ch)
{
	if (!cJSON_IsTrue(JGET(ch, "disputed")))
		return 0;
	emu_reply_error(c->rp, 400, "invalid_request_error", "charge_disputed",
	    NULL, "Charge %s has been charged back; cannot issue a refund.",
	    emu_jstr(ch, "id"));
	return -1;
}

/* Decides the amount; returns 0, or -1 after replying. */
static int
refund_amount(struct emu_call *c, const cJSON *ch, int64_t *amount)
{
	int64_t left = emu_jint(ch, "amount") - emu_jint(ch, "amount_refunded");
	const char *cur = emu_jstr(ch, "currency");
	char a[48], b[48];

	if (left <= 0) {
		emu_reply_error(c->rp, 400, "invalid_request_error",
		    "charge_already_refunded", NULL, "Charge %s has already "
		    "been refunded.", emu_jstr(ch, "id"));
		return -1;
	}
	if (!emu_param_int(c->params, "amount", amount)) {
		*amount = left;
		return 0;
	}
	if (*amount <= 0) {
		emu_reply_error(c->rp, 400, "invalid_request_error", NULL,
		    "amount", "Invalid positive integer");
		return -1;
	}
	if (*amount > left) {
		money(a, sizeof(a), *amount, cur);
		money(b, sizeof(b), left, cur);
		emu_reply_error(c->rp, 400, "invalid_request_error",
		    "amount_too_large", "amount", "Refund amount (%s) is greater "
		    "than unrefunded amount on charge (%s)", a, b);
		return -1;
	}
	return 0;
}

/* A new refund of amount from charge ch.  Caller frees; NULL when out of
 * memory. */
static cJSON *
make_refund(struct emu *e, const cJSON *ch, int64_t amount,
    const char *reason, const cJSON *metadata)
{
	cJSON *re = emu_shape_new(SHAPE_REFUND);
	char id[40];

	if (re == NULL)
		return NULL;
	emu_new_id(id, sizeof(id), "re_", 24);
	emu_jset_str(re, "id", id);
	emu_jset_int(re, "amount", amount);
	emu_new_id(id, sizeof(id), "txn_", 24);
	emu_jset_str(re, "balance_transaction", id);
	emu_jset_str(re, "charge", emu_jstr(ch, "id"));
	emu_jset_int(re, "created", emu_now(e));
	emu_jset_str(re, "currency", emu_jstr(ch, "currency"));
	emu_jset_str(re, "payment_intent", emu_jstr(ch, "payment_intent"));
	emu_jset_str(re, "reason", reason);
	emu_jset_str(re, "customer", emu_jstr(ch, "customer"));
	emu_metadata_merge(JGET(re, "metadata"), metadata);
	return re;
}

/* Adds the refund to the charge; prev gets the changed fields. */
static void
charge_refunded(cJSON *ch, const cJSON *re, cJSON *prev)
{
	int64_t done = emu_jint(ch, "amount_refunded") + emu_jint(re, "amount");
	cJSON *list = JGET(ch, "refunds");

	emu_jset_int(prev, "amount_refunded", emu_jint(ch, "amount_refunded"));
	emu_jset_int(ch, "amount_refunded", done);
	if (done == emu_jint(ch, "amount")) {
		emu_jset_bool(prev, "refunded", 0);
		emu_jset_bool(ch, "refunded", 1);
	}
	if (cJSON_IsArray(JGET(list, "data"))) {
		emu_jset(prev, "refunds", cJSON_Duplicate(list, 1));
		cJSON_InsertItemInArray(JGET(list, "data"), 0,
		    cJSON_Duplicate(re, 1));
		emu_jset_int(list, "total_count",
		    cJSON_GetArraySize(JGET(list, "data")));
	}
}

enum err
emu_refund_apply(struct emu *e, cJSON *ch, int64_t amount, const char *reason,
    const cJSON *metadata, const struct emu_cause *cause, cJSON **out)
{
	cJSON *re, *prev;
	enum err err = ERR_INTERNAL;

	*out = NULL;
	if ((re = make_refund(e, ch, amount, reason, metadata)) == NULL ||
	    (prev = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(re);
		return ERR_INTERNAL;
	}
	charge_refunded(ch, re, prev);
	if ((err = emu_store_insert(e, KIND_REFUND, re, NULL)) == ERR_OK &&
	    (err = emu_store_update(e, KIND_CHARGE, ch)) == ERR_OK &&
	    (err = emu_event_emit(e, "charge.refunded", ch, prev, cause)) ==
	    ERR_OK)
		err = emu_event_emit(e, "refund.created", re, NULL, cause);
	cJSON_Delete(prev);
	if (err != ERR_OK) {
		cJSON_Delete(re);
		return err;
	}
	*out = re;
	return ERR_OK;
}

void
emu_refund_create(struct emu_call *c)
{
	cJSON *ch, *re = NULL;
	int64_t amount;

	if ((ch = find_charge(c)) == NULL)
		return;
	if (check_disputed(c, ch) != 0 || refund_amount(c, ch, &amount) != 0)
		goto out;
	if (emu_refund_apply(c->emu, ch, amount, emu_param_str(c->params,
	    "reason"), JGET(c->params, "metadata"), &c->cause, &re) !=
	    ERR_OK) {
		emu_api_fail(c);
		goto out;
	}
	emu_api_reply(c, re);
out:
	cJSON_Delete(ch);
}
