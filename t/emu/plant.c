/* Discrepancies a test plants between Stripe and a store, through the
 * control API: what happens when a Stripe account is used by hand, or a
 * webhook is lost.  POST /_emu/refund/<ch_ or pi_> makes a refund as
 * Stripe's dashboard does, and POST /_emu/amount/<cs_> changes what a paid
 * session charged.  Neither is told to any webhook endpoint (the refund's
 * events exist, their deliveries are dropped), so only the list calls show
 * them: reconciliation's business. */
#include <stdlib.h>
#include <string.h>

#include "emu.h"

/* Reads form[name] as an integer in [lo, hi]; returns 1 and sets *v,
 * 0 when absent, -1 when malformed. */
static int
form_int(const struct kvlist *form, const char *name, int64_t lo, int64_t hi,
    int64_t *v)
{
	const char *s = kv_get(form, name);
	char *end;
	long long n;

	if (s == NULL)
		return 0;
	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < lo || n > hi)
		return -1;
	*v = n;
	return 1;
}

/* The succeeded charge id names (a ch_..., or a pi_...'s latest charge);
 * NULL when there is none.  Caller frees. */
static cJSON *
paid_charge(struct emu *e, const char *id)
{
	cJSON *pi, *ch = NULL;

	if (emu_kind_of_id(id) == KIND_CHARGE)
		ch = emu_store_get(e, KIND_CHARGE, id);
	else if (emu_kind_of_id(id) == KIND_PAYMENT_INTENT &&
	    (pi = emu_store_get(e, KIND_PAYMENT_INTENT, id)) != NULL) {
		ch = emu_store_get(e, KIND_CHARGE, emu_jstr(pi, "latest_charge"));
		cJSON_Delete(pi);
	}
	if (ch != NULL && (emu_jstr(ch, "status") == NULL ||
	    strcmp(emu_jstr(ch, "status"), "succeeded") != 0)) {
		cJSON_Delete(ch);
		ch = NULL;
	}
	return ch;
}

/* Commits (or rolls back after err) and answers obj, or the error. */
static void
finish(struct emu *e, enum err err, const cJSON *obj, struct eresp *rp)
{
	if (err == ERR_OK)
		err = db_commit(e->db);
	if (err != ERR_OK) {
		db_rollback(e->db);
		emu_reply_error(rp, 500, "api_error", NULL, NULL,
		    "The emulator could not save the change.");
		return;
	}
	emu_reply_json(rp, 200, obj);
}

/* What is left of ch to refund, or form's amount of it; 0, or -1 after
 * replying 409 (disputed, nothing left) or 400 (a bad amount). */
static int
refund_amount(const cJSON *ch, const struct kvlist *form, int64_t *amount,
    struct eresp *rp)
{
	int64_t left = emu_jint(ch, "amount") - emu_jint(ch, "amount_refunded");

	*amount = left;
	if (left <= 0 || cJSON_IsTrue(JGET(ch, "disputed"))) {
		emu_reply_error(rp, 409, "invalid_request_error", NULL, "id",
		    "%s is disputed or already refunded.", emu_jstr(ch, "id"));
		return -1;
	}
	if (form_int(form, "amount", 1, left, amount) < 0) {
		emu_reply_error(rp, 400, "invalid_request_error", NULL,
		    "amount", "amount is 1..%lld", (long long)left);
		return -1;
	}
	return 0;
}

void
emu_plant_refund(struct emu *e, const char *id, const struct kvlist *form,
    struct eresp *rp)
{
	cJSON *ch, *re = NULL;
	int64_t amount;
	enum err err;

	if ((ch = paid_charge(e, id)) == NULL) {
		emu_reply_error(rp, 404, "invalid_request_error",
		    "resource_missing", "id", "No succeeded charge for '%s'",
		    id);
		return;
	}
	if (refund_amount(ch, form, &amount, rp) != 0) {
		cJSON_Delete(ch);
		return;
	}
	if ((err = db_begin(e->db)) == ERR_OK) {
		e->silent = 1;
		err = emu_refund_apply(e, ch, amount, NULL, NULL, NULL, &re);
		e->silent = 0;
	}
	finish(e, err, re, rp);
	cJSON_Delete(ch);
	cJSON_Delete(re);
}

/* Sets the amount members of o named in keys (NULL-terminated) to v. */
static void
set_amounts(cJSON *o, const char *const *keys, int64_t v)
{
	for (; *keys != NULL; keys++)
		emu_jset_int(o, *keys, v);
}

void
emu_plant_amount(struct emu *e, const char *cs_id, const struct kvlist *form,
    struct eresp *rp)
{
	static const char *const pi_keys[] = { "amount", "amount_received",
	    NULL };
	static const char *const ch_keys[] = { "amount", "amount_captured",
	    NULL };
	cJSON *s, *pi = NULL, *ch = NULL;
	int64_t amount;
	enum err err;

	if ((s = emu_store_get(e, KIND_SESSION, cs_id)) == NULL) {
		emu_reply_error(rp, 404, "invalid_request_error",
		    "resource_missing", "session", "No such checkout.session: "
		    "'%s'", cs_id);
		return;
	}
	if (form_int(form, "amount", 1, 99999999, &amount) != 1) {
		emu_reply_error(rp, 400, "invalid_request_error", NULL,
		    "amount", "amount is 1..99999999");
		goto out;
	}
	pi = emu_store_get(e, KIND_PAYMENT_INTENT, emu_jstr(s,
	    "payment_intent"));
	ch = pi != NULL ? emu_store_get(e, KIND_CHARGE, emu_jstr(pi,
	    "latest_charge")) : NULL;
	if (ch == NULL || emu_jint(ch, "amount_refunded") > amount) {
		emu_reply_error(rp, 409, "invalid_request_error", NULL, NULL,
		    "%s has no charge that can take that amount.", cs_id);
		goto out;
	}
	emu_jset_int(s, "amount_subtotal", emu_jint(s, "amount_subtotal") +
	    amount - emu_jint(s, "amount_total"));
	emu_jset_int(s, "amount_total", amount);
	set_amounts(pi, pi_keys, amount);
	set_amounts(ch, ch_keys, amount);
	if ((err = db_begin(e->db)) == ERR_OK &&
	    (err = emu_store_update(e, KIND_SESSION, s)) == ERR_OK &&
	    (err = emu_store_update(e, KIND_PAYMENT_INTENT, pi)) == ERR_OK)
		err = emu_store_update(e, KIND_CHARGE, ch);
	finish(e, err, s, rp);
out:
	cJSON_Delete(s);
	cJSON_Delete(pi);
	cJSON_Delete(ch);
}
