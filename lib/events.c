/* Stripe event effects (see events.h).  One function per event family;
 * each runs inside the transaction opened by events_apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "events.h"
#include "fulfil.h"
#include "log.h"
#include "order.h"

static const char *
json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t
json_int(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* checkout.session.completed and .async_payment_succeeded */
static enum err
on_session_paid(struct db *db, const struct stripe_event *ev,
    const char *base_url, struct event_result *res)
{
	struct stripe_session s;
	struct payment p;
	enum fulfil_outcome o;
	enum err e;

	if (stripe_session_parse(ev->object, &s) != ERR_OK) {
		res->outcome = "malformed-session";
		return ERR_OK;
	}
	p.session_id = s.id;
	p.payment_status = s.payment_status;
	p.amount_total = s.amount_total;
	p.currency = s.currency;
	p.payment_intent = s.payment_intent[0] != '\0' ? s.payment_intent :
	    NULL;
	p.order_id = s.order_id;
	res->order_id = s.order_id;
	e = fulfil_in_tx(db, &p, base_url, &o);
	if (e == ERR_OK && o == FULFIL_SUPERSEDED && p.payment_intent != NULL)
		snprintf(res->refund_payment_intent,
		    sizeof(res->refund_payment_intent), "%s", p.payment_intent);
	if (e == ERR_OK && o == FULFIL_UNKNOWN)
		res->order_id = 0;	/* not one of ours */
	res->outcome = fulfil_outcome_name(o);
	stripe_session_free(&s);
	return e;
}

/* checkout.session.expired and .async_payment_failed: close the order if
 * this session is still the order's current one. */
static enum err
on_session_closed(struct db *db, const struct stripe_event *ev,
    enum order_status to, struct event_result *res)
{
	struct db_stmt *st;
	const char *id = json_str(ev->object, "id");
	int changed = 0;
	enum err e;

	res->outcome = "no-order";
	if (id == NULL)
		return ERR_OK;
	st = db_prep(db, "SELECT id FROM orders WHERE stripe_session_id = ?");
	db_bind_text(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		res->order_id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	if ((e = order_close(db, res->order_id, to, 1, &changed)) != ERR_OK)
		return e;
	res->outcome = changed ? order_status_name(to) : "order-not-pending";
	return ERR_OK;
}

/* charge.refunded: the cumulative amount refunded of a payment. */
static enum err
on_charge_refunded(struct db *db, const struct stripe_event *ev,
    const char *base_url, struct event_result *res)
{
	const char *pi = json_str(ev->object, "payment_intent");
	enum err e;

	res->outcome = "no-order";
	if (pi == NULL)
		return ERR_OK;
	e = fulfil_refund_in_tx(db, pi, json_int(ev->object, "amount_refunded"),
	    base_url, &res->order_id);
	if (e == ERR_OK && res->order_id != 0)
		res->outcome = "refund-recorded";
	return e;
}

/* charge.dispute.created: a chargeback; an admin must answer it. */
static enum err
on_dispute(struct db *db, const struct stripe_event *ev,
    struct event_result *res)
{
	struct db_stmt *st;
	const char *pi = json_str(ev->object, "payment_intent");
	enum err e;

	res->outcome = "no-order";
	if (pi == NULL)
		return ERR_OK;
	st = db_prep(db, "SELECT id FROM orders WHERE stripe_payment_intent = ?");
	db_bind_text(st, 1, pi);
	if ((e = db_next(st)) == ERR_OK)
		res->order_id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	res->outcome = "flagged-dispute";
	return order_flag(db, res->order_id, "the payment is disputed");
}

static enum err
dispatch(struct db *db, const struct stripe_event *ev, const char *base_url,
    struct event_result *res)
{
	const char *t = ev->type;

	if (strcmp(t, "checkout.session.completed") == 0 ||
	    strcmp(t, "checkout.session.async_payment_succeeded") == 0)
		return on_session_paid(db, ev, base_url, res);
	if (strcmp(t, "checkout.session.expired") == 0)
		return on_session_closed(db, ev, ORDER_EXPIRED, res);
	if (strcmp(t, "checkout.session.async_payment_failed") == 0)
		return on_session_closed(db, ev, ORDER_FAILED, res);
	if (strcmp(t, "charge.refunded") == 0)
		return on_charge_refunded(db, ev, base_url, res);
	if (strcmp(t, "charge.dispute.created") == 0)
		return on_dispute(db, ev, res);
	/* payment_intent.* tell what the session events tell again (a failed
	 * card leaves the session open for another try): recorded only. */
	if (strncmp(t, "payment_intent.", 15) == 0)
		res->outcome = "recorded";
	else
		res->outcome = "ignored";
	return ERR_OK;
}

enum err
events_apply(struct db *db, const struct stripe_event *ev,
    const char *base_url, struct event_result *res)
{
	struct db_stmt *st;
	enum err e;

	memset(res, 0, sizeof(*res));
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO stripe_events (event_id, type, created) "
	    "VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING");
	db_bind_text(st, 1, ev->id);
	db_bind_text(st, 2, ev->type);
	db_bind_int64(st, 3, ev->created);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	if (db_changes(db) == 0) {
		res->duplicate = 1;
		res->outcome = "duplicate";
		db_rollback(db);
		return ERR_OK;
	}
	if ((e = dispatch(db, ev, base_url, res)) != ERR_OK)
		goto out;
	st = db_prep(db, "UPDATE stripe_events SET outcome = ?, order_id = ? "
	    "WHERE event_id = ?");
	if (st == NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	db_bind_text(st, 1, res->outcome);
	if (res->order_id > 0)
		db_bind_int64(st, 2, res->order_id);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, ev->id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}

enum err
events_last_created(struct db *db, int64_t *created)
{
	struct db_stmt *st = db_prep(db, "SELECT coalesce(max(created), 0) "
	    "FROM stripe_events");
	enum err e;

	*created = 0;
	if ((e = db_next(st)) == ERR_OK)
		*created = db_col_int64(st, 0);
	db_done(st);
	return e;
}

/* The event types the store acts on or records. */
static const char *const reconciled_types[] = {
	"checkout.session.completed", "checkout.session.async_payment_succeeded",
	"checkout.session.async_payment_failed", "checkout.session.expired",
	"payment_intent.succeeded", "payment_intent.payment_failed",
	"payment_intent.canceled", "charge.refunded", "charge.dispute.created",
	NULL
};

/* Overlap with what was recorded, so events of the same second (or a
 * little out of order) are not skipped; duplicates are harmless. */
#define RECONCILE_OVERLAP 300

static enum err
apply_page(struct db *db, struct stripe_event_list *l, const char *base_url,
    int *applied)
{
	struct event_result res;
	enum err e;

	/* Stripe lists newest first: apply in the order they happened. */
	for (size_t i = l->n; i-- > 0;) {
		if ((e = events_apply(db, &l->v[i], base_url, &res)) != ERR_OK)
			return e;
		*applied += !res.duplicate;
	}
	return ERR_OK;
}

enum err
events_reconcile(struct db *db, struct stripe *s, const char *base_url,
    int *seen, int *applied)
{
	struct stripe_event_filter f = { .types = reconciled_types,
	    .limit = 100 };
	struct stripe_event_list *pages = NULL, *grown;
	struct stripe_error se;
	char last[STRIPE_ID_SIZE];
	size_t npages = 0;
	int64_t since;
	enum err e;

	*seen = *applied = 0;
	if ((e = events_last_created(db, &since)) != ERR_OK)
		return e;
	f.created_gt = since > RECONCILE_OVERLAP ? since - RECONCILE_OVERLAP : 0;
	/* Keep every page: the oldest events come last and go first. */
	for (;;) {
		if ((grown = realloc(pages, (npages + 1) * sizeof(*pages))) ==
		    NULL) {
			e = ERR_INTERNAL;
			goto out;
		}
		pages = grown;
		if ((e = stripe_event_list(s, &f, &pages[npages], &se)) !=
		    ERR_OK) {
			char msg[1400];

			log_error(NULL, "reconcile: %s", stripe_error_format(&se,
			    msg, sizeof(msg)));
			stripe_event_list_free(&pages[npages]);
			goto out;
		}
		*seen += (int)pages[npages].n;
		npages++;
		if (!pages[npages - 1].has_more || pages[npages - 1].n == 0)
			break;
		snprintf(last, sizeof(last), "%s",
		    pages[npages - 1].v[pages[npages - 1].n - 1].id);
		f.starting_after = last;
	}
	for (size_t i = npages; i-- > 0;)
		if ((e = apply_page(db, &pages[i], base_url, applied)) != ERR_OK)
			goto out;
out:
	for (size_t i = 0; i < npages; i++)
		stripe_event_list_free(&pages[i]);
	free(pages);
	return e;
}
