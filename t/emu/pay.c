/* What happens when a customer pays on the hosted page: the payment
 * intent (made at the first attempt, as Checkout does since 2022-08-01),
 * a charge that succeeds or fails, 3-D Secure, a dispute for the card
 * that makes one, the session completed or left open, and the events
 * Stripe sends for each step.  Also expiry, by the API and by the clock.
 * Callers hold emu->lock. */
#include <stdio.h>
#include <string.h>

#include "cards.h"
#include "emu.h"
#include "log.h"

struct pay {
	struct emu *e;		/* state */
	cJSON *s;		/* the session (owned) */
	cJSON *pi;		/* its payment intent (owned) or NULL */
	const struct emu_card *card;	/* the card used */
	char digits[20];	/* its number */
	const char *email;	/* customer's email for customer_details */
	char email_buf[256];	/* a copy of the customer's email */
};

static cJSON *
card_details(const struct pay *p, int64_t amount)
{
	cJSON *d = cJSON_CreateObject();

	if (d == NULL)
		return NULL;
	cJSON_AddStringToObject(d, "brand", p->card->brand);
	cJSON_AddStringToObject(d, "country", "US");
	cJSON_AddNumberToObject(d, "exp_month", 12);
	cJSON_AddNumberToObject(d, "exp_year", 2034);
	cJSON_AddStringToObject(d, "funding", "credit");
	cJSON_AddStringToObject(d, "last4", p->digits + strlen(p->digits) - 4);
	if (amount >= 0)
		cJSON_AddNumberToObject(d, "amount_authorized", (double)amount);
	return d;
}

/* Makes the session's payment intent at the first attempt. */
static enum err
ensure_pi(struct pay *p)
{
	const char *id = emu_jstr(p->s, "payment_intent");
	char pid[32], secret[80];
	cJSON *data;
	enum err err;

	if (id != NULL)
		return (p->pi = emu_store_get(p->e, KIND_PAYMENT_INTENT, id)) ?
		    ERR_OK : ERR_INTERNAL;
	if ((p->pi = emu_shape_new(SHAPE_PAYMENT_INTENT)) == NULL)
		return ERR_INTERNAL;
	emu_new_id(pid, sizeof(pid), "pi_", 24);
	emu_jset_str(p->pi, "id", pid);
	emu_jset_int(p->pi, "amount", emu_jint(p->s, "amount_total"));
	snprintf(secret, sizeof(secret), "%s_secret_", pid);
	emu_new_id(secret, sizeof(secret), secret, 25);
	emu_jset_str(p->pi, "client_secret", secret);
	emu_jset_int(p->pi, "created", emu_now(p->e));
	emu_jset_str(p->pi, "currency", emu_jstr(p->s, "currency"));
	emu_jset_str(p->pi, "customer", emu_jstr(p->s, "customer"));
	if ((data = emu_store_private_get(p->e, emu_jstr(p->s, "id"))) != NULL) {
		emu_metadata_merge(JGET(p->pi, "metadata"),
		    JGET(data, "metadata"));
		emu_jset_str(p->pi, "description", emu_jstr(data, "description"));
		emu_jset_str(p->pi, "receipt_email",
		    emu_jstr(data, "receipt_email"));
		cJSON_Delete(data);
	}
	emu_jset_str(p->s, "payment_intent", pid);
	if ((err = emu_store_insert(p->e, KIND_PAYMENT_INTENT, p->pi, NULL)) ||
	    (err = emu_store_update(p->e, KIND_SESSION, p->s)))
		return err;
	return emu_event_emit(p->e, "payment_intent.created", p->pi, NULL, NULL);
}

/* The charge's outcome as the card network gave it. */
static cJSON *
outcome(const struct pay *p, int ok)
{
	cJSON *out = cJSON_CreateObject();

	if (out == NULL)
		return NULL;
	cJSON_AddStringToObject(out, "network_status", ok ?
	    "approved_by_network" : "declined_by_network");
	if (ok)
		cJSON_AddNullToObject(out, "reason");
	else
		cJSON_AddStringToObject(out, "reason", p->card->decline_code ?
		    p->card->decline_code : p->card->code);
	cJSON_AddStringToObject(out, "risk_level", "normal");
	cJSON_AddNumberToObject(out, "risk_score", 20);
	cJSON_AddStringToObject(out, "seller_message", ok ? "Payment complete."
	    : "The bank did not return any further details with this "
	    "decline.");
	cJSON_AddStringToObject(out, "type", ok ? "authorized" :
	    "issuer_declined");
	return out;
}

/* A charge of the payment intent's amount, succeeded or failed. */
static cJSON *
make_charge(struct pay *p, int ok)
{
	cJSON *ch = emu_shape_new(SHAPE_CHARGE), *pmd;
	int64_t amount = emu_jint(p->pi, "amount");
	char id[40], url[400];

	if (ch == NULL)
		return NULL;
	emu_new_id(id, sizeof(id), "ch_", 24);
	emu_jset_str(ch, "id", id);
	emu_jset_int(ch, "amount", amount);
	emu_jset_int(ch, "amount_captured", ok ? amount : 0);
	emu_jset_str(JGET(ch, "billing_details"), "email", p->email);
	emu_jset_int(ch, "created", emu_now(p->e));
	emu_jset_str(ch, "currency", emu_jstr(p->pi, "currency"));
	emu_jset_str(ch, "customer", emu_jstr(p->pi, "customer"));
	emu_jset_str(ch, "description", emu_jstr(p->pi, "description"));
	emu_jset(ch, "metadata", cJSON_Duplicate(JGET(p->pi, "metadata"), 1));
	emu_jset_str(ch, "payment_intent", emu_jstr(p->pi, "id"));
	emu_new_id(id, sizeof(id), "pm_", 24);
	emu_jset_str(ch, "payment_method", id);
	pmd = JGET(JGET(ch, "payment_method_details"), "card");
	emu_jset_str(pmd, "brand", p->card->brand);
	emu_jset_str(pmd, "network", p->card->brand);
	emu_jset_str(pmd, "last4", p->digits + strlen(p->digits) - 4);
	emu_jset_int(pmd, "amount_authorized", ok ? amount : 0);
	emu_jset_str(ch, "receipt_email", emu_jstr(p->pi, "receipt_email"));
	snprintf(url, sizeof(url), "%s/receipts/%s", p->e->public_url,
	    emu_jstr(ch, "id"));
	emu_jset_str(ch, "receipt_url", url);
	snprintf(url, sizeof(url), "/v1/charges/%s/refunds", emu_jstr(ch, "id"));
	emu_jset_str(JGET(ch, "refunds"), "url", url);
	if (ok) {
		emu_new_id(id, sizeof(id), "txn_", 24);
		emu_jset_str(ch, "balance_transaction", id);
	}
	emu_jset(ch, "outcome", outcome(p, ok));
	if (!ok) {
		emu_jset_str(ch, "failure_code", p->card->code);
		emu_jset_str(ch, "failure_message", p->card->message);
		emu_jset_bool(ch, "paid", 0);
		emu_jset_bool(ch, "captured", 0);
		emu_jset_str(ch, "status", "failed");
	}
	return ch;
}

static cJSON *
customer_details(struct pay *p)
{
	cJSON *d = cJSON_CreateObject(), *a;

	if (d == NULL)
		return NULL;
	a = cJSON_AddObjectToObject(d, "address");
	cJSON_AddNullToObject(a, "city");
	cJSON_AddStringToObject(a, "country", "US");
	cJSON_AddNullToObject(a, "line1");
	cJSON_AddNullToObject(a, "line2");
	cJSON_AddStringToObject(a, "postal_code", "10001");
	cJSON_AddNullToObject(a, "state");
	cJSON_AddStringToObject(d, "email", p->email);
	cJSON_AddNullToObject(d, "name");
	cJSON_AddNullToObject(d, "phone");
	cJSON_AddStringToObject(d, "tax_exempt", "none");
	cJSON_AddArrayToObject(d, "tax_ids");
	return d;
}

/* Counts one redemption of the session's coupon. */
static enum err
redeem_coupon(struct pay *p)
{
	const char *id = emu_jstr(cJSON_GetArrayItem(JGET(p->s, "discounts"),
	    0), "coupon");
	cJSON *co;
	enum err err;

	if (id == NULL || (co = emu_store_get(p->e, KIND_COUPON, id)) == NULL)
		return ERR_OK;
	emu_jset_int(co, "times_redeemed", emu_jint(co, "times_redeemed") + 1);
	err = emu_store_update(p->e, KIND_COUPON, co);
	cJSON_Delete(co);
	return err;
}

/* Completes the session: paid, or without payment when the total is 0. */
static enum err
complete(struct pay *p)
{
	enum err err;

	emu_jset(p->s, "customer_details", customer_details(p));
	emu_jset_str(p->s, "status", "complete");
	if (p->pi != NULL)
		emu_jset_str(p->s, "payment_status", "paid");
	emu_jset_str(p->s, "url", NULL);
	if ((err = emu_store_update(p->e, KIND_SESSION, p->s)) != ERR_OK ||
	    (err = redeem_coupon(p)) != ERR_OK)
		return err;
	return emu_event_emit(p->e, "checkout.session.completed", p->s, NULL,
	    NULL);
}

static enum err
succeed(struct pay *p)
{
	cJSON *ch = make_charge(p, 1);
	enum err err;

	if (ch == NULL)
		return ERR_INTERNAL;
	if ((err = emu_store_insert(p->e, KIND_CHARGE, ch, NULL)) ||
	    (err = emu_event_emit(p->e, "charge.succeeded", ch, NULL, NULL))) {
		cJSON_Delete(ch);
		return err;
	}
	emu_jset_int(p->pi, "amount_received", emu_jint(p->pi, "amount"));
	emu_jset_str(p->pi, "latest_charge", emu_jstr(ch, "id"));
	emu_jset_str(p->pi, "payment_method", emu_jstr(ch, "payment_method"));
	emu_jset(p->pi, "last_payment_error", cJSON_CreateNull());
	emu_jset(p->pi, "next_action", cJSON_CreateNull());
	emu_jset_str(p->pi, "status", "succeeded");
	cJSON_Delete(ch);
	if ((err = emu_store_update(p->e, KIND_PAYMENT_INTENT, p->pi)) ||
	    (err = emu_event_emit(p->e, "payment_intent.succeeded", p->pi, NULL,
	    NULL)))
		return err;
	return complete(p);
}

/* The 0259 card: its bank disputes the payment that just succeeded, so
 * the dispute's event comes after the payment's. */
static enum err
dispute(struct pay *p)
{
	cJSON *dp;
	enum err err;

	err = emu_dispute_open(p->e, emu_jstr(p->pi, "id"), &dp);
	cJSON_Delete(dp);
	return err;
}

/* last_payment_error of a failed attempt. */
static cJSON *
payment_error(struct pay *p, const char *charge, const char *type,
    const char *code, const char *decline_code, const char *message)
{
	cJSON *e = cJSON_CreateObject(), *pm;
	char url[128], id[32];

	if (e == NULL)
		return NULL;
	if (charge != NULL)
		cJSON_AddStringToObject(e, "charge", charge);
	cJSON_AddStringToObject(e, "code", code);
	if (decline_code != NULL)
		cJSON_AddStringToObject(e, "decline_code", decline_code);
	snprintf(url, sizeof(url), "https://stripe.com/docs/error-codes/%s",
	    code);
	cJSON_AddStringToObject(e, "doc_url", url);
	cJSON_AddStringToObject(e, "message", message);
	pm = cJSON_AddObjectToObject(e, "payment_method");
	emu_new_id(id, sizeof(id), "pm_", 24);
	cJSON_AddStringToObject(pm, "id", id);
	cJSON_AddStringToObject(pm, "object", "payment_method");
	cJSON_AddItemToObject(pm, "card", card_details(p, -1));
	cJSON_AddNumberToObject(pm, "created", (double)emu_now(p->e));
	cJSON_AddStringToObject(pm, "type", "card");
	cJSON_AddStringToObject(e, "type", type);
	return e;
}

/* The attempt failed: the intent waits for another payment method. */
static enum err
fail_pi(struct pay *p, cJSON *lpe)
{
	enum err err;

	emu_jset(p->pi, "last_payment_error", lpe);
	emu_jset(p->pi, "next_action", cJSON_CreateNull());
	emu_jset(p->pi, "payment_method", cJSON_CreateNull());
	emu_jset_str(p->pi, "status", "requires_payment_method");
	if ((err = emu_store_update(p->e, KIND_PAYMENT_INTENT, p->pi)))
		return err;
	return emu_event_emit(p->e, "payment_intent.payment_failed", p->pi,
	    NULL, NULL);
}

static enum err
decline(struct pay *p)
{
	cJSON *ch = make_charge(p, 0);
	enum err err;

	if (ch == NULL)
		return ERR_INTERNAL;
	if ((err = emu_store_insert(p->e, KIND_CHARGE, ch, NULL)) ||
	    (err = emu_event_emit(p->e, "charge.failed", ch, NULL, NULL))) {
		cJSON_Delete(ch);
		return err;
	}
	emu_jset_str(p->pi, "latest_charge", emu_jstr(ch, "id"));
	err = fail_pi(p, payment_error(p, emu_jstr(ch, "id"), "card_error",
	    p->card->code, p->card->decline_code, p->card->message));
	cJSON_Delete(ch);
	return err;
}

static enum err
require_action(struct pay *p)
{
	struct db_stmt *st;
	cJSON *na, *r;
	char url[400], id[32];
	enum err err;

	st = db_prep(p->e->db, "INSERT OR REPLACE INTO auth_pending"
	    " (session_id, card) VALUES (?, ?)");
	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, emu_jstr(p->s, "id"));
	db_bind_text(st, 2, p->digits);
	if ((err = db_run(st)) != ERR_OK)
		return err;
	na = cJSON_CreateObject();
	cJSON_AddStringToObject(na, "type", "redirect_to_url");
	r = cJSON_AddObjectToObject(na, "redirect_to_url");
	snprintf(url, sizeof(url), "%s/c/pay/%s", p->e->public_url,
	    emu_jstr(p->s, "id"));
	cJSON_AddStringToObject(r, "return_url", url);
	snprintf(url, sizeof(url), "%s/c/pay/%s/authenticate",
	    p->e->public_url, emu_jstr(p->s, "id"));
	cJSON_AddStringToObject(r, "url", url);
	emu_jset(p->pi, "next_action", na);
	emu_new_id(id, sizeof(id), "pm_", 24);
	emu_jset_str(p->pi, "payment_method", id);
	emu_jset_str(p->pi, "status", "requires_action");
	if ((err = emu_store_update(p->e, KIND_PAYMENT_INTENT, p->pi)))
		return err;
	return emu_event_emit(p->e, "payment_intent.requires_action", p->pi,
	    NULL, NULL);
}

static void
result(struct emu_pay_result *res, enum emu_pay o, const char *code,
    const char *decline_code, const char *message)
{
	res->outcome = o;
	res->code = code;
	res->decline_code = decline_code;
	res->message = message;
}

/* Loads the session and checks it takes payment; fills res otherwise. */
static int
load_open(struct pay *p, const char *cs_id, struct emu_pay_result *res)
{
	cJSON *cu;

	if ((p->s = emu_store_get(p->e, KIND_SESSION, cs_id)) == NULL) {
		result(res, PAY_NOT_FOUND, NULL, NULL,
		    "No such checkout session.");
		return -1;
	}
	if (strcmp(emu_jstr(p->s, "status"), "open") == 0 &&
	    emu_jint(p->s, "expires_at") <= emu_now(p->e))
		emu_session_expire_locked(p->e, p->s, NULL);
	if (strcmp(emu_jstr(p->s, "status"), "open") != 0) {
		result(res, PAY_NOT_OPEN, NULL, NULL, strcmp(emu_jstr(p->s,
		    "status"), "complete") == 0 ? "This checkout session is "
		    "already complete." : "This checkout session has expired.");
		return -1;
	}
	if (p->email == NULL || *p->email == '\0')
		p->email = emu_jstr(p->s, "customer_email");
	if ((p->email == NULL || *p->email == '\0') &&
	    (cu = emu_store_get(p->e, KIND_CUSTOMER,
	    emu_jstr(p->s, "customer"))) != NULL) {
		snprintf(p->email_buf, sizeof(p->email_buf), "%s",
		    emu_jstr(cu, "email") ? emu_jstr(cu, "email") : "");
		p->email = p->email_buf;
		cJSON_Delete(cu);
	}
	if (p->email == NULL || *p->email == '\0')
		p->email = "customer@example.com";
	return 0;
}

/* Commits or rolls back the transaction by res's outcome. */
static void
finish(struct pay *p, enum err err, struct emu_pay_result *res)
{
	if (err != ERR_OK || db_commit(p->e->db) != ERR_OK) {
		db_rollback(p->e->db);
		result(res, PAY_ERROR, NULL, NULL, "The emulator could not save "
		    "the payment.");
	}
	pthread_cond_broadcast(&p->e->wake);
	cJSON_Delete(p->s);
	cJSON_Delete(p->pi);
}

void
emu_pay_card(struct emu *e, const char *cs_id, const char *card,
    const char *email, struct emu_pay_result *res)
{
	struct pay p = { .e = e, .email = email };
	enum err err = ERR_OK;

	if (db_begin(e->db) != ERR_OK) {
		result(res, PAY_ERROR, NULL, NULL, "The emulator is busy.");
		return;
	}
	if (load_open(&p, cs_id, res) != 0)
		goto out;
	if (emu_jint(p.s, "amount_total") == 0) {
		result(res, PAY_SUCCEEDED, NULL, NULL, "Complete.");
		err = complete(&p);
		goto out;
	}
	if ((p.card = emu_card_find(card, p.digits)) == NULL) {
		result(res, PAY_INCORRECT_NUMBER, "incorrect_number", NULL,
		    "Your card number is incorrect.");
		goto out;
	}
	if ((err = ensure_pi(&p)) != ERR_OK)
		goto out;
	switch (p.card->kind) {
	case CARD_PAYS:
		result(res, PAY_SUCCEEDED, NULL, NULL, "Payment complete.");
		err = succeed(&p);
		break;
	case CARD_DISPUTES:
		result(res, PAY_SUCCEEDED, NULL, NULL, "Payment complete.");
		if ((err = succeed(&p)) == ERR_OK)
			err = dispute(&p);
		break;
	case CARD_DECLINES:
		result(res, PAY_DECLINED, p.card->code, p.card->decline_code,
		    p.card->message);
		err = decline(&p);
		break;
	case CARD_AUTHENTICATES:
		result(res, PAY_REQUIRES_ACTION, NULL, NULL, "Your bank asks "
		    "you to confirm this payment.");
		err = require_action(&p);
		break;
	}
out:
	finish(&p, err, res);
}

/* Takes the card of a pending 3-D Secure step; 0, or -1 when none. */
static int
take_pending(struct pay *p)
{
	struct db_stmt *st;
	char card[20];
	int found = 0;

	st = db_prep(p->e->db, "SELECT card FROM auth_pending WHERE"
	    " session_id = ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, emu_jstr(p->s, "id"));
	if (db_next(st) == ERR_OK) {
		snprintf(card, sizeof(card), "%s", db_col_text(st, 0));
		found = 1;
	}
	db_done(st);
	st = db_prep(p->e->db, "DELETE FROM auth_pending WHERE session_id = ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, emu_jstr(p->s, "id"));
	if (db_run(st) != ERR_OK || !found)
		return -1;
	p->card = emu_card_find(card, p->digits);
	return p->card != NULL ? 0 : -1;
}

void
emu_pay_authenticate(struct emu *e, const char *cs_id, int ok,
    struct emu_pay_result *res)
{
	struct pay p = { .e = e };
	enum err err = ERR_OK;

	if (db_begin(e->db) != ERR_OK) {
		result(res, PAY_ERROR, NULL, NULL, "The emulator is busy.");
		return;
	}
	if (load_open(&p, cs_id, res) != 0)
		goto out;
	if (take_pending(&p) != 0 || (err = ensure_pi(&p)) != ERR_OK) {
		result(res, PAY_NO_AUTH_PENDING, NULL, NULL, "No payment is "
		    "waiting for authentication.");
		goto out;
	}
	if (ok) {
		result(res, PAY_SUCCEEDED, NULL, NULL, "Payment complete.");
		err = succeed(&p);
	} else {
		result(res, PAY_AUTH_FAILED,
		    "payment_intent_authentication_failure", NULL, "We are "
		    "unable to authenticate your payment method. Please choose "
		    "a different payment method and try again.");
		err = fail_pi(&p, payment_error(&p, NULL,
		    "invalid_request_error", res->code, NULL, res->message));
	}
out:
	finish(&p, err, res);
}

enum err
emu_session_expire_locked(struct emu *e, cJSON *s,
    const struct emu_cause *cause)
{
	cJSON *pi = emu_store_get(e, KIND_PAYMENT_INTENT,
	    emu_jstr(s, "payment_intent"));
	const char *st = pi != NULL ? emu_jstr(pi, "status") : NULL;
	struct db_stmt *del;
	enum err err = ERR_OK;

	emu_jset_str(s, "status", "expired");
	emu_jset_str(s, "url", NULL);
	if ((err = emu_store_update(e, KIND_SESSION, s)) != ERR_OK)
		goto out;
	if (st != NULL && strcmp(st, "succeeded") != 0 &&
	    strcmp(st, "canceled") != 0) {
		emu_jset_int(pi, "canceled_at", emu_now(e));
		emu_jset_str(pi, "cancellation_reason", "abandoned");
		emu_jset(pi, "next_action", cJSON_CreateNull());
		emu_jset_str(pi, "status", "canceled");
		if ((err = emu_store_update(e, KIND_PAYMENT_INTENT, pi)) ||
		    (err = emu_event_emit(e, "payment_intent.canceled", pi, NULL,
		    cause)))
			goto out;
	}
	if ((del = db_prep(e->db, "DELETE FROM auth_pending WHERE"
	    " session_id = ?")) == NULL) {
		err = ERR_INTERNAL;
		goto out;
	}
	db_bind_text(del, 1, emu_jstr(s, "id"));
	if ((err = db_run(del)) != ERR_OK)
		goto out;
	err = emu_event_emit(e, "checkout.session.expired", s, NULL, cause);
out:
	cJSON_Delete(pi);
	return err;
}

void
emu_pay_sweep(struct emu *e)
{
	struct db_stmt *st;
	cJSON *ids = cJSON_CreateArray(), *id, *s;
	enum err err = ERR_OK;

	if (ids == NULL)
		return;
	st = db_prep(e->db, "SELECT id FROM checkout_sessions"
	    " WHERE status = 'open' AND expires_at <= ?");
	if (st == NULL) {
		cJSON_Delete(ids);
		return;
	}
	db_bind_int64(st, 1, emu_now(e));
	while (db_next(st) == ERR_OK)
		cJSON_AddItemToArray(ids, cJSON_CreateString(db_col_text(st, 0)));
	db_done(st);
	if (ids->child == NULL || db_begin(e->db) != ERR_OK) {
		cJSON_Delete(ids);
		return;
	}
	cJSON_ArrayForEach(id, ids) {
		if ((s = emu_store_get(e, KIND_SESSION, id->valuestring)) == NULL)
			continue;
		err = emu_session_expire_locked(e, s, NULL);
		cJSON_Delete(s);
		if (err != ERR_OK)
			break;
	}
	if (err != ERR_OK || db_commit(e->db) != ERR_OK) {
		db_rollback(e->db);
		log_error(NULL, "emu: could not expire sessions");
	}
	pthread_cond_broadcast(&e->wake);
	cJSON_Delete(ids);
}

const char *
emu_pay_outcome_str(enum emu_pay o)
{
	static const char *const names[PAY_MAX] = {
		[PAY_SUCCEEDED] = "succeeded",
		[PAY_DECLINED] = "declined",
		[PAY_REQUIRES_ACTION] = "requires_action",
		[PAY_AUTH_FAILED] = "authentication_failed",
		[PAY_INCORRECT_NUMBER] = "incorrect_number",
		[PAY_NOT_OPEN] = "not_open",
		[PAY_NOT_FOUND] = "not_found",
		[PAY_NO_AUTH_PENDING] = "no_authentication_pending",
		[PAY_ERROR] = "error",
	};

	return (unsigned)o < PAY_MAX ? names[o] : "error";
}
