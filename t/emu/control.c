/* The test control API under /_emu/ (not Stripe's; no key needed, and
 * the emulator listens on loopback only): fault injection, the log of
 * received API requests, deliveries, paying a session without a browser,
 * disputing a payment, flushing deliveries and moving the clock.  See
 * README.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

static const char *const delivery_names[EMU_DELIVER_MAX] = {
	[EMU_DELIVER_NORMAL] = "normal",
	[EMU_DELIVER_DROP] = "drop",
	[EMU_DELIVER_DUPLICATE] = "duplicate",
	[EMU_DELIVER_REORDER] = "reorder",
	[EMU_DELIVER_DELAY] = "delay",
};

static void
bad(struct eresp *rp, const char *msg, const char *param)
{
	emu_reply_error(rp, 400, "invalid_request_error", NULL, param, "%s",
	    msg);
}

static int
parse_long(const char *s, long lo, long hi, long *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return 0;
	*v = strtol(s, &end, 10);
	return *end == '\0' && *v >= lo && *v <= hi;
}

static void
reply_faults(struct emu *e, struct eresp *rp)
{
	const struct emu_faults *f = &e->faults;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "api_status", f->api_status);
	cJSON_AddNumberToObject(o, "api_count", f->api_count);
	cJSON_AddNumberToObject(o, "api_hang_ms", (double)f->api_hang_ms);
	cJSON_AddStringToObject(o, "delivery", delivery_names[f->delivery]);
	cJSON_AddNumberToObject(o, "delivery_delay_ms",
	    (double)f->delivery_delay_ms);
	emu_reply_json(rp, 200, o);
	cJSON_Delete(o);
}

/* Applies one field of POST /_emu/faults; returns 0 or -1 (replied). */
static int
set_fault(struct emu_faults *f, const struct kv *kv, struct eresp *rp)
{
	long v;
	int i;

	if (strcmp(kv->key, "api_status") == 0) {
		if (!parse_long(kv->val, 0, 599, &v) || (v != 0 && v != 429 &&
		    v < 500))
			return bad(rp, "api_status is 429, 5xx or 0", kv->key), -1;
		f->api_status = (int)v;
		if (f->api_count == 0)
			f->api_count = 1;
	} else if (strcmp(kv->key, "api_count") == 0) {
		if (!parse_long(kv->val, 0, 1000000, &v))
			return bad(rp, "api_count is a count", kv->key), -1;
		f->api_count = (int)v;
	} else if (strcmp(kv->key, "api_hang_ms") == 0) {
		if (!parse_long(kv->val, 0, 600000, &v))
			return bad(rp, "api_hang_ms is 0..600000", kv->key), -1;
		f->api_hang_ms = v;
	} else if (strcmp(kv->key, "delivery_delay_ms") == 0) {
		if (!parse_long(kv->val, 0, 600000, &v))
			return bad(rp, "delivery_delay_ms is 0..600000",
			    kv->key), -1;
		f->delivery_delay_ms = v;
	} else if (strcmp(kv->key, "delivery") == 0) {
		for (i = 0; i < EMU_DELIVER_MAX; i++)
			if (strcmp(kv->val, delivery_names[i]) == 0)
				break;
		if (i == EMU_DELIVER_MAX)
			return bad(rp, "delivery is normal, drop, duplicate, "
			    "reorder or delay", kv->key), -1;
		f->delivery = (enum emu_delivery)i;
	} else
		return bad(rp, "unknown fault", kv->key), -1;
	return 0;
}

static void
ctl_faults(struct emu *e, const struct kvlist *form, struct eresp *rp)
{
	struct emu_faults f = e->faults;
	size_t i;

	for (i = 0; i < form->n; i++)
		if (set_fault(&f, &form->v[i], rp) != 0)
			return;
	if (e->faults.delivery == EMU_DELIVER_REORDER &&
	    f.delivery != EMU_DELIVER_REORDER) {
		emu_deliver_release(e);
		f.last_held_ms = 0;
	}
	e->faults = f;
	reply_faults(e, rp);
}

static void
ctl_reset(struct emu *e, struct eresp *rp)
{
	if (e->faults.delivery == EMU_DELIVER_REORDER)
		emu_deliver_release(e);
	memset(&e->faults, 0, sizeof(e->faults));
	reply_faults(e, rp);
}

static void
ctl_requests(struct emu *e, const struct kvlist *q, struct eresp *rp)
{
	struct db_stmt *st;
	const char *since = kv_get(q, "since");
	cJSON *a = cJSON_CreateArray(), *o;

	st = db_prep(e->db, "SELECT seq, method, path, query, body,"
	    " idempotency_key, stripe_version, status, request_id, replayed"
	    " FROM requests WHERE seq > ? ORDER BY seq");
	if (a == NULL || st == NULL) {
		cJSON_Delete(a);
		emu_reply_text(rp, 500, "text/plain", "database error\n");
		return;
	}
	db_bind_int64(st, 1, since != NULL ? atoll(since) : 0);
	while (db_next(st) == ERR_OK) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "seq", (double)db_col_int64(st, 0));
		cJSON_AddStringToObject(o, "method", db_col_text(st, 1));
		cJSON_AddStringToObject(o, "path", db_col_text(st, 2));
		cJSON_AddStringToObject(o, "query", db_col_text(st, 3));
		cJSON_AddStringToObject(o, "body", db_col_text(st, 4));
		emu_jset_str(o, "idempotency_key", db_col_is_null(st, 5) ?
		    NULL : db_col_text(st, 5));
		emu_jset_str(o, "stripe_version", db_col_is_null(st, 6) ?
		    NULL : db_col_text(st, 6));
		cJSON_AddNumberToObject(o, "status", (double)db_col_int64(st, 7));
		cJSON_AddStringToObject(o, "request_id", db_col_text(st, 8));
		cJSON_AddBoolToObject(o, "replayed", db_col_int64(st, 9) != 0);
		cJSON_AddItemToArray(a, o);
	}
	db_done(st);
	emu_reply_json(rp, 200, a);
	cJSON_Delete(a);
}

static void
ctl_deliveries(struct emu *e, struct eresp *rp)
{
	struct db_stmt *st;
	cJSON *a = cJSON_CreateArray(), *o;

	st = db_prep(e->db, "SELECT d.seq, d.event_id, v.type, d.copy,"
	    " d.state, d.attempts, d.last_status, d.last_error,"
	    " d.endpoint_id, d.url"
	    " FROM deliveries d JOIN events v ON v.id = d.event_id"
	    " ORDER BY d.seq");
	if (a == NULL || st == NULL) {
		cJSON_Delete(a);
		emu_reply_text(rp, 500, "text/plain", "database error\n");
		return;
	}
	while (db_next(st) == ERR_OK) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "seq", (double)db_col_int64(st, 0));
		cJSON_AddStringToObject(o, "event_id", db_col_text(st, 1));
		cJSON_AddStringToObject(o, "type", db_col_text(st, 2));
		cJSON_AddNumberToObject(o, "copy", (double)db_col_int64(st, 3));
		cJSON_AddStringToObject(o, "state", db_col_text(st, 4));
		cJSON_AddNumberToObject(o, "attempts",
		    (double)db_col_int64(st, 5));
		cJSON_AddNumberToObject(o, "last_status",
		    (double)db_col_int64(st, 6));
		emu_jset_str(o, "last_error", db_col_is_null(st, 7) ? NULL :
		    db_col_text(st, 7));
		emu_jset_str(o, "endpoint_id", db_col_is_null(st, 8) ? NULL :
		    db_col_text(st, 8));
		emu_jset_str(o, "url", db_col_is_null(st, 9) ? NULL :
		    db_col_text(st, 9));
		cJSON_AddItemToArray(a, o);
	}
	db_done(st);
	emu_reply_json(rp, 200, a);
	cJSON_Delete(a);
}

static int
pay_status(enum emu_pay o)
{
	switch (o) {
	case PAY_SUCCEEDED:
	case PAY_REQUIRES_ACTION:
		return 200;
	case PAY_DECLINED:
	case PAY_AUTH_FAILED:
		return 402;
	case PAY_INCORRECT_NUMBER:
		return 400;
	case PAY_NOT_FOUND:
		return 404;
	case PAY_NOT_OPEN:
	case PAY_NO_AUTH_PENDING:
		return 409;
	default:
		return 500;
	}
}

static void
ctl_pay(struct emu *e, struct ereq *rq, const char *cs_id,
    const struct kvlist *form, struct eresp *rp)
{
	const char *auth = kv_get(form, "auth"), *card = kv_get(form, "card");
	struct emu_pay_result res = { 0 };
	cJSON *s;
	char *hdr;

	if (auth != NULL && strcmp(auth, "complete") != 0 &&
	    strcmp(auth, "fail") != 0)
	{
		bad(rp, "auth is complete or fail", "auth");
		return;
	}
	if (auth == NULL && card == NULL) {
		bad(rp, "card is required", "card");
		return;
	}
	if (auth != NULL)
		emu_pay_authenticate(e, cs_id, strcmp(auth, "complete") == 0,
		    &res);
	else {
		/* silent=1: the payment's events are never delivered, as
		 * when every webhook of it was lost. */
		e->silent = kv_get(form, "silent") != NULL &&
		    strcmp(kv_get(form, "silent"), "1") == 0;
		emu_pay_card(e, cs_id, card, kv_get(form, "email"), &res);
		e->silent = 0;
	}
	if ((s = emu_store_get(e, KIND_SESSION, cs_id)) == NULL) {
		emu_reply_error(rp, 404, "invalid_request_error",
		    "resource_missing", "session", "No such checkout.session: "
		    "'%s'", cs_id);
		return;
	}
	emu_reply_json(rp, pay_status(res.outcome), s);
	cJSON_Delete(s);
	hdr = arena_alloc(rq->a, 200);
	if (hdr != NULL) {
		snprintf(hdr, 200, "%s%s%s%s%s",
		    emu_pay_outcome_str(res.outcome),
		    res.code ? "; code=" : "", res.code ? res.code : "",
		    res.decline_code ? "; decline_code=" : "",
		    res.decline_code ? res.decline_code : "");
		rp->outcome = hdr;
	}
}

/* Opens a dispute on a paid charge (ch_... or pi_...) in its own
 * transaction; answers the dispute, 404 or 409. */
static void
ctl_dispute(struct emu *e, const char *id, struct eresp *rp)
{
	cJSON *dp = NULL;
	enum err err;

	if ((err = db_begin(e->db)) == ERR_OK &&
	    (err = emu_dispute_open(e, id, &dp)) == ERR_OK)
		err = db_commit(e->db);
	if (err != ERR_OK)
		db_rollback(e->db);
	if (err == ERR_OK)
		emu_reply_json(rp, 200, dp);
	else if (err == ERR_NOTFOUND)
		emu_reply_error(rp, 404, "invalid_request_error",
		    "resource_missing", "id", "No such charge or payment "
		    "intent: '%s'", id);
	else if (err == ERR_CONFLICT)
		emu_reply_error(rp, 409, "invalid_request_error", NULL, "id",
		    "%s has no succeeded charge that is not disputed yet.",
		    id);
	else
		emu_reply_error(rp, 500, "api_error", NULL, NULL,
		    "The emulator could not save the dispute.");
	cJSON_Delete(dp);
}

/* Releases held and delayed deliveries, then waits (lock released) until
 * every due one has been attempted, for at most 10 s. */
static void
ctl_flush(struct emu *e, struct eresp *rp)
{
	int64_t due = 0;
	cJSON *o;
	int i;

	emu_deliver_release(e);
	for (i = 0; i < 500; i++) {
		if ((due = emu_deliver_due(e)) <= 0)
			break;
		pthread_mutex_unlock(&e->lock);
		emu_sleep_ms(e, 20);
		pthread_mutex_lock(&e->lock);
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "due", (double)due);
	emu_reply_json(rp, 200, o);
	cJSON_Delete(o);
}

static void
ctl_advance(struct emu *e, const struct kvlist *form, struct eresp *rp)
{
	long s;
	cJSON *o;

	if (!parse_long(kv_get(form, "seconds"), 0, 400L * 86400, &s)) {
		bad(rp, "seconds is 0..34560000", "seconds");
		return;
	}
	e->clock_offset += s;
	emu_pay_sweep(e);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "now", (double)emu_now(e));
	emu_reply_json(rp, 200, o);
	cJSON_Delete(o);
}

static void
dispatch(struct emu *e, struct ereq *rq, const struct kvlist *form,
    const struct kvlist *q, struct eresp *rp)
{
	const char *p = rq->path + strlen("/_emu/");
	int post = strcmp(rq->method, "POST") == 0;

	if (post && strcmp(p, "faults") == 0)
		ctl_faults(e, form, rp);
	else if (post && strcmp(p, "reset-faults") == 0)
		ctl_reset(e, rp);
	else if (!post && strcmp(p, "requests") == 0)
		ctl_requests(e, q, rp);
	else if (!post && strcmp(p, "deliveries") == 0)
		ctl_deliveries(e, rp);
	else if (post && strncmp(p, "pay/", 4) == 0 && p[4] != '\0')
		ctl_pay(e, rq, p + 4, form, rp);
	else if (post && strncmp(p, "dispute/", 8) == 0 && p[8] != '\0')
		ctl_dispute(e, p + 8, rp);
	else if (post && strncmp(p, "refund/", 7) == 0 && p[7] != '\0')
		emu_plant_refund(e, p + 7, form, rp);
	else if (post && strncmp(p, "amount/", 7) == 0 && p[7] != '\0')
		emu_plant_amount(e, p + 7, form, rp);
	else if (post && strcmp(p, "deliver-pending") == 0)
		ctl_flush(e, rp);
	else if (post && strcmp(p, "advance-clock") == 0)
		ctl_advance(e, form, rp);
	else if (!post && strcmp(p, "health") == 0)
		emu_reply_text(rp, 200, "text/plain", "ok\n");
	else
		emu_reply_error(rp, 404, "invalid_request_error", NULL, NULL,
		    "Unrecognized control URL (%s: %s).", rq->method, rq->path);
}

void
emu_control_handle(struct emu *e, struct ereq *rq, struct eresp *rp)
{
	struct kvlist form, q;

	if (form_parse(rq->a, rq->body, rq->body_len, &form_limits_default,
	    &form) != ERR_OK || form_parse(rq->a, rq->query, strlen(rq->query),
	    &form_limits_default, &q) != ERR_OK) {
		bad(rp, "malformed form", NULL);
		return;
	}
	pthread_mutex_lock(&e->lock);
	dispatch(e, rq, &form, &q, rp);
	pthread_cond_broadcast(&e->wake);
	pthread_mutex_unlock(&e->lock);
}
