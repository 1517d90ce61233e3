/* Fulfilment and refunds (see fulfil.h).  Every step is a statement in the
 * caller's transaction, guarded by the order's status, so a redelivered
 * event, a reloaded success page or a crash between steps can never grant
 * twice or half: the transaction commits all of it or none. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "enrollment.h"
#include "fulfil.h"
#include "log.h"
#include "mail.h"
#include "money.h"
#include "order.h"
#include "receipt.h"

static const char *const outcomes[FULFIL_OUTCOME_MAX] = {
	[FULFIL_GRANTED] = "granted",
	[FULFIL_ALREADY] = "already-fulfilled",
	[FULFIL_NOT_PAID] = "not-paid",
	[FULFIL_MISMATCH] = "amount-mismatch",
	[FULFIL_SUPERSEDED] = "superseded-session",
	[FULFIL_UNKNOWN] = "unknown-order",
};

const char *
fulfil_outcome_name(enum fulfil_outcome o)
{
	return (unsigned)o < FULFIL_OUTCOME_MAX ? outcomes[o] : "?";
}

struct order_row {
	int64_t user_id;	/* buyer */
	char status[24];	/* orders.status */
	char number[32];	/* ORD-... */
	char currency[8];	/* lower-case */
	char session[256];	/* current session id, "" when none */
	int64_t total;		/* minor units */
};

static enum err
load_order_row(struct db *db, int64_t id, struct order_row *r)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT user_id, status, number, currency, "
	    "coalesce(stripe_session_id, ''), total_amount FROM orders "
	    "WHERE id = ?");
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK) {
		r->user_id = db_col_int64(st, 0);
		snprintf(r->status, sizeof(r->status), "%s", db_col_text(st, 1));
		snprintf(r->number, sizeof(r->number), "%s", db_col_text(st, 2));
		snprintf(r->currency, sizeof(r->currency), "%s",
		    db_col_text(st, 3));
		snprintf(r->session, sizeof(r->session), "%s",
		    db_col_text(st, 4));
		r->total = db_col_int64(st, 5);
	}
	db_done(st);
	return e;
}

/* Queues the order confirmation (a receipt with a link to each course),
 * keyed by the order so that it is queued once whoever fulfils. */
static enum err
queue_paid_mail(struct db *db, int64_t order_id, const struct order_row *r,
    const char *base_url)
{
	struct buf body = { 0 }, key = { 0 }, subj = { 0 };
	char to[MAIL_ADDR_MAX], name[MAIL_NAME_MAX];
	enum err e;

	if ((e = mail_recipient(db, r->user_id, to, name)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	buf_printf(&body, "Hello %s,\n\nthank you for your order %s.\n\n",
	    name, r->number);
	/* The lines as the receipt page shows them (lib/receipt.c). */
	if ((e = receipt_mail_text(db, order_id, base_url, &body)) != ERR_OK)
		goto out;
	buf_printf(&body, "\nYour receipt: %s/payment/order/%lld\n"
	    "Your courses: %s/account/my-courses\n", base_url,
	    (long long)order_id, base_url);
	buf_printf(&key, "order-paid-%lld", (long long)order_id);
	buf_printf(&subj, "Your order %s is confirmed", r->number);
	if (body.oom || key.oom || subj.oom)
		goto oom;
	e = mail_queue(db, key.data, to, subj.data, body.data);
	goto out;
oom:
	e = ERR_INTERNAL;
out:
	buf_free(&body);
	buf_free(&key);
	buf_free(&subj);
	return e;
}

/* One welcome mail per course the order gives access to. */
static enum err
queue_welcomes(struct db *db, int64_t order_id, int64_t user_id,
    const char *base_url)
{
	struct db_stmt *st;
	int64_t courses[64];
	size_t n = 0;
	enum err e;

	st = db_prep(db, "SELECT course_id FROM order_items WHERE order_id = ? "
	    "ORDER BY id LIMIT 64");
	db_bind_int64(st, 1, order_id);
	while ((e = db_next(st)) == ERR_OK)
		courses[n++] = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	for (size_t i = 0; i < n; i++)
		if ((e = enrollment_queue_welcome(db, user_id, courses[i],
		    base_url)) != ERR_OK)
			return e;
	return ERR_OK;
}

/* The grant itself: order paid, enrollments, redemption, cart emptied of
 * what was bought, mail queued. */
static enum err
grant(struct db *db, int64_t order_id, const struct order_row *r,
    const char *payment_intent, const char *base_url)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE orders SET status = 'paid', paid_at = "
	    "unixepoch(), updated_at = unixepoch(), stripe_payment_intent = "
	    "coalesce(?, stripe_payment_intent) WHERE id = ? AND status IN "
	    "('pending', 'failed', 'expired')");
	db_bind_text_or_null(st, 1, payment_intent);
	db_bind_int64(st, 2, order_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) != 1)
		return ERR_CONFLICT;
	/* One enrollment per (user, course): a revoked one comes back. */
	st = db_prep(db, "INSERT INTO enrollments (user_id, course_id, "
	    "order_id, source) SELECT ?1, course_id, ?2, 'purchase' FROM "
	    "order_items WHERE order_id = ?2 ON CONFLICT (user_id, course_id) "
	    "DO UPDATE SET status = 'active', order_id = excluded.order_id, "
	    "source = 'purchase', revoked_at = NULL, granted_at = unixepoch() "
	    "WHERE enrollments.status = 'revoked'");
	db_bind_int64(st, 1, r->user_id);
	db_bind_int64(st, 2, order_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE coupon_redemptions SET status = 'redeemed', "
	    "updated_at = unixepoch() WHERE order_id = ?");
	db_bind_int64(st, 1, order_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "DELETE FROM cart_items WHERE cart_id IN (SELECT id "
	    "FROM carts WHERE user_id = ?1) AND course_id IN (SELECT course_id "
	    "FROM order_items WHERE order_id = ?2)");
	db_bind_int64(st, 1, r->user_id);
	db_bind_int64(st, 2, order_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE carts SET coupon_code = NULL WHERE user_id = ? "
	    "AND NOT EXISTS (SELECT 1 FROM cart_items WHERE cart_id = carts.id)");
	db_bind_int64(st, 1, r->user_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if ((e = queue_paid_mail(db, order_id, r, base_url)) != ERR_OK)
		return e;
	return queue_welcomes(db, order_id, r->user_id, base_url);
}

/* Records the payment intent of a payment we will not honour as is. */
static enum err
note_payment(struct db *db, int64_t order_id, const char *payment_intent,
    const char *reason)
{
	struct db_stmt *st;
	enum err e;

	if ((e = order_flag(db, order_id, reason)) != ERR_OK ||
	    payment_intent == NULL)
		return e;
	st = db_prep(db, "UPDATE orders SET stripe_payment_intent = ? "
	    "WHERE id = ? AND stripe_payment_intent IS NULL");
	db_bind_text(st, 1, payment_intent);
	db_bind_int64(st, 2, order_id);
	return db_run(st);
}

enum err
fulfil_in_tx(struct db *db, const struct payment *p, const char *base_url,
    enum fulfil_outcome *out)
{
	struct order_row r;
	enum err e;

	*out = FULFIL_UNKNOWN;
	if ((e = load_order_row(db, p->order_id, &r)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	if (strcmp(r.status, "paid") == 0 || strcmp(r.status, "refunded") == 0
	    || strcmp(r.status, "partially_refunded") == 0) {
		*out = strcmp(r.session, p->session_id) == 0 ?
		    FULFIL_ALREADY : FULFIL_SUPERSEDED;
		return ERR_OK;
	}
	if (strcmp(p->payment_status, "paid") != 0) {
		*out = FULFIL_NOT_PAID;
		return ERR_OK;
	}
	/* An expired order whose own session was paid is honoured: Stripe
	 * took the payment before the session lapsed, and only our lazy
	 * expiry got there first.  A cancelled order was replaced. */
	if (strcmp(r.session, p->session_id) != 0 ||
	    strcmp(r.status, "cancelled") == 0) {
		*out = FULFIL_SUPERSEDED;
		return order_flag(db, p->order_id, "payment received for a "
		    "checkout session the order no longer uses; refund due");
	}
	if (p->amount_total != r.total ||
	    strcmp(p->currency, r.currency) != 0) {
		*out = FULFIL_MISMATCH;
		log_error(NULL, "order %lld: Stripe charged %lld %s, order is "
		    "%lld %s; nothing granted", (long long)p->order_id,
		    (long long)p->amount_total, p->currency,
		    (long long)r.total, r.currency);
		return note_payment(db, p->order_id, p->payment_intent,
		    "Stripe's amount or currency differs from the order");
	}
	if ((e = grant(db, p->order_id, &r, p->payment_intent, base_url)) !=
	    ERR_OK)
		return e;
	*out = FULFIL_GRANTED;
	return ERR_OK;
}

enum err
fulfil_payment(struct db *db, const struct payment *p, const char *base_url,
    enum fulfil_outcome *out)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = fulfil_in_tx(db, p, base_url, out)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
fulfil_free_order(struct db *db, int64_t order_id, const char *base_url,
    enum fulfil_outcome *out)
{
	struct order_row r;
	enum err e;

	*out = FULFIL_UNKNOWN;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = load_order_row(db, order_id, &r)) != ERR_OK)
		goto out;
	if (r.total != 0 || strcmp(r.status, "pending") != 0) {
		*out = r.total != 0 ? FULFIL_MISMATCH : FULFIL_ALREADY;
		e = ERR_CONFLICT;
		goto out;
	}
	if ((e = grant(db, order_id, &r, NULL, base_url)) != ERR_OK)
		goto out;
	*out = FULFIL_GRANTED;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}

static enum err
queue_refund_mail(struct db *db, int64_t order_id, const struct order_row *r,
    int64_t amount, const char *base_url)
{
	struct buf body = { 0 }, key = { 0 }, subj = { 0 };
	char to[MAIL_ADDR_MAX], name[MAIL_NAME_MAX];
	enum err e;

	if ((e = mail_recipient(db, r->user_id, to, name)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	buf_printf(&body, "Hello %s,\n\nwe have refunded ", name);
	money_format(&body, amount, r->currency);
	buf_printf(&body, " of your order %s. It reaches your card in a few "
	    "days.\n\nThe order: %s/payment/order/%lld\n", r->number, base_url,
	    (long long)order_id);
	buf_printf(&key, "order-refund-%lld-%lld", (long long)order_id,
	    (long long)amount);
	buf_printf(&subj, "Refund for your order %s", r->number);
	e = body.oom || key.oom || subj.oom ? ERR_INTERNAL :
	    mail_queue(db, key.data, to, subj.data, body.data);
	buf_free(&body);
	buf_free(&key);
	buf_free(&subj);
	return e;
}

enum err
fulfil_refund_in_tx(struct db *db, const char *payment_intent,
    int64_t amount_refunded, const char *base_url, int64_t *order_id)
{
	struct db_stmt *st;
	struct order_row r;
	int full;
	enum err e;

	*order_id = 0;
	st = db_prep(db, "SELECT id FROM orders WHERE stripe_payment_intent = ? "
	    "AND status IN ('paid', 'partially_refunded', 'refunded')");
	db_bind_text(st, 1, payment_intent);
	if ((e = db_next(st)) == ERR_OK)
		*order_id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	if ((e = load_order_row(db, *order_id, &r)) != ERR_OK)
		return e;
	full = amount_refunded >= r.total;
	/* Only a growing refunded amount changes anything: a redelivered or
	 * older event finds the order as it left it. */
	st = db_prep(db, "UPDATE orders SET refunded_amount = ?1, status = ?2, "
	    "updated_at = unixepoch() WHERE id = ?3 AND refunded_amount < ?1");
	db_bind_int64(st, 1, amount_refunded);
	db_bind_text(st, 2, full ? "refunded" : "partially_refunded");
	db_bind_int64(st, 3, *order_id);
	if ((e = db_run(st)) != ERR_OK || db_changes(db) == 0)
		return e;
	if (!full) {
		if ((e = order_flag(db, *order_id, "partially refunded: decide "
		    "whether access stays")) != ERR_OK)
			return e;
	} else {
		st = db_prep(db, "UPDATE enrollments SET status = 'revoked', "
		    "revoked_at = unixepoch() WHERE order_id = ? AND "
		    "status = 'active'");
		if (st == NULL)
			return ERR_INTERNAL;
		db_bind_int64(st, 1, *order_id);
		if ((e = db_run(st)) != ERR_OK)
			return e;
	}
	return queue_refund_mail(db, *order_id, &r, amount_refunded, base_url);
}
