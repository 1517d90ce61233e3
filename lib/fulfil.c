/* Fulfilment and refunds (see fulfil.h).  Every step is a statement in the
 * caller's transaction, guarded by the order's status, so a redelivered
 * event, a reloaded success page or a crash between steps can never grant
 * twice or half: the transaction commits all of it or none.  The order
 * only ever moves the way Stripe's money does: paid, then partly refunded,
 * disputed or refunded; never back to paid. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "enrollment.h"
#include "fulfil.h"
#include "fulfil_cohort.h"
#include "fulfil_seats.h"
#include "log.h"
#include "mail.h"
#include "money.h"
#include "order.h"
#include "order_places.h"
#include "receipt.h"
#include "report.h"
#include "stripe.h"

static const char *const outcomes[FULFIL_OUTCOME_MAX] = {
	[FULFIL_GRANTED] = "granted",
	[FULFIL_ALREADY] = "already-fulfilled",
	[FULFIL_NOT_PAID] = "not-paid",
	[FULFIL_CLOSED] = "closed",
	[FULFIL_MISMATCH] = "amount-mismatch",
	[FULFIL_SUPERSEDED] = "superseded-session",
	[FULFIL_SUPERSEDED_SETTLED] = "superseded-settled",
	[FULFIL_PARTIAL] = "partially-refunded",
	[FULFIL_REFUNDED] = "refunded",
	[FULFIL_DISPUTED] = "disputed",
	[FULFIL_COHORT_FULL] = "cohort-full",
	[FULFIL_UNKNOWN] = "unknown-order",
};

const char *
fulfil_outcome_name(enum fulfil_outcome o)
{
	return (unsigned)o < FULFIL_OUTCOME_MAX ? outcomes[o] : "?";
}

void
fulfil_payment_from(struct payment *p, const struct stripe_session *ss,
    int64_t order_id)
{
	*p = (struct payment){ .session_id = ss->id,
	    .session_status = ss->status,
	    .payment_status = ss->payment_status,
	    .amount_total = ss->amount_total, .currency = ss->currency,
	    .payment_intent = ss->payment_intent[0] != '\0' ?
	    ss->payment_intent : NULL,
	    .amount_refunded = ss->amount_refunded,
	    .disputed = ss->disputed, .order_id = order_id,
	    .receipt_url = ss->receipt_url,
	    .charge_id = ss->charge[0] != '\0' ? ss->charge : NULL };
}

struct order_row {
	int64_t user_id;	/* buyer */
	int64_t team_id;	/* the team of a team order, 0 */
	char status[24];	/* orders.status */
	char number[32];	/* ORD-... */
	char currency[8];	/* lower-case */
	char session[256];	/* current session id, "" when none */
	int64_t total;		/* minor units */
	int64_t refunded;	/* refunded_amount so far */
};

static enum err
load_order_row(struct db *db, int64_t id, struct order_row *r)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT user_id, status, number, currency, "
	    "coalesce(stripe_session_id, ''), total_amount, refunded_amount, "
	    "coalesce(team_id, 0) FROM orders WHERE id = ?");
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
		r->refunded = db_col_int64(st, 6);
		r->team_id = db_col_int64(st, 7);
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
	/* The lines as the receipt page shows them (lib/receipt.c), or the
	 * seats a team order bought. */
	if ((e = r->team_id != 0 ? fulfil_seats_mail_text(db, order_id,
	    base_url, &body) : receipt_mail_text(db, order_id, base_url,
	    &body)) != ERR_OK)
		goto out;
	buf_printf(&body, "\nYour receipt: %s/payment/order/%lld\n",
	    base_url, (long long)order_id);
	if (r->team_id == 0)
		buf_printf(&body, "Your courses: %s/account/my-courses\n",
		    base_url);
	if (r->team_id == 0 && (e = fulfil_cohort_mail_text(db, order_id,
	    base_url, &body)) != ERR_OK)
		goto out;
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

void
fulfil_refund_mail_key(char *out, size_t n, int64_t order_id,
    int64_t refunded_total)
{
	snprintf(out, n, "order-refund-%lld-%lld", (long long)order_id,
	    (long long)refunded_total);
}

/* Queues the refund mail for the order's refunded total (amount): the
 * standard text, or body when the caller wrote one. */
static enum err
queue_refund_mail(struct db *db, int64_t order_id, const struct order_row *r,
    int64_t amount, const char *body_text, const char *base_url)
{
	struct buf body = { 0 }, subj = { 0 };
	char to[MAIL_ADDR_MAX], name[MAIL_NAME_MAX], key[64];
	enum err e;

	if ((e = mail_recipient(db, r->user_id, to, name)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	if (body_text != NULL)
		buf_printf(&body, "%s", body_text);
	else {
		buf_printf(&body, "Hello %s,\n\nwe have refunded ", name);
		money_format(&body, amount, r->currency);
		buf_printf(&body, " of your order %s. It reaches your card in "
		    "a few days.\n\nThe order: %s/payment/order/%lld\n",
		    r->number, base_url, (long long)order_id);
	}
	fulfil_refund_mail_key(key, sizeof(key), order_id, amount);
	buf_printf(&subj, "Refund for your order %s", r->number);
	e = body.oom || subj.oom ? ERR_INTERNAL :
	    mail_queue(db, key, to, subj.data, body.data);
	buf_free(&body);
	buf_free(&subj);
	return e;
}

/* The coupon redeemed, and the buyer's cart emptied of what was bought
 * (its coupon too when nothing is left). */
static enum err
redeem_and_empty_cart(struct db *db, int64_t order_id,
    const struct order_row *r, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE coupon_redemptions SET status = 'redeemed', "
	    "updated_at = ? WHERE order_id = ?");
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, order_id);
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
	return db_run(st);
}

/* A team order's grant: the team's seats instead of the buyer's
 * enrollments (fulfil_seats.h); the buyer's wishlist stays theirs. */
static enum err
grant_seats(struct db *db, int64_t order_id, const struct order_row *r,
    const char *base_url, int64_t now)
{
	enum err e;

	if ((e = fulfil_seats_grant(db, order_id, r->team_id, now)) !=
	    ERR_OK || (e = redeem_and_empty_cart(db, order_id, r, now)) !=
	    ERR_OK)
		return e;
	return queue_paid_mail(db, order_id, r, base_url);
}

/* The grant itself: order paid, enrollments (or a team order's seats),
 * redemption, cart and wishlist emptied of what was bought, mail
 * queued. */
static enum err
grant(struct db *db, int64_t order_id, const struct order_row *r,
    const char *payment_intent, const char *base_url, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE orders SET status = 'paid', paid_at = ?1, "
	    "updated_at = ?1, stripe_payment_intent = "
	    "coalesce(?2, stripe_payment_intent) WHERE id = ?3 AND status IN "
	    "('pending', 'failed', 'expired')");
	db_bind_int64(st, 1, now);
	db_bind_text_or_null(st, 2, payment_intent);
	db_bind_int64(st, 3, order_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) != 1)
		return ERR_CONFLICT;
	if ((e = report_order_changed(db, order_id)) != ERR_OK)
		return e;
	if (r->team_id != 0)
		return grant_seats(db, order_id, r, base_url, now);
	/* One enrollment per (user, course): a revoked or expired one comes
	 * back, its access counted from this payment (checkout refuses a
	 * course the buyer still has access to: see access.h). */
	st = db_prep(db, "INSERT INTO enrollments (user_id, course_id, "
	    "order_id, source, granted_at, cohort_id) SELECT ?1, course_id, "
	    "?2, 'purchase', ?3, cohort_id FROM order_items WHERE order_id = "
	    "?2 ON CONFLICT (user_id, course_id) DO UPDATE SET status = "
	    "'active', order_id = excluded.order_id, source = 'purchase', "
	    "revoked_at = NULL, granted_at = excluded.granted_at, cohort_id = "
	    "excluded.cohort_id");
	db_bind_int64(st, 1, r->user_id);
	db_bind_int64(st, 2, order_id);
	db_bind_int64(st, 3, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if ((e = fulfil_cohort_bookings(db, order_id, r->user_id, now)) !=
	    ERR_OK || (e = redeem_and_empty_cart(db, order_id, r, now)) !=
	    ERR_OK)
		return e;
	/* What is bought is no longer wished for. */
	st = db_prep(db, "DELETE FROM wishlist WHERE user_id = ?1 AND course_id "
	    "IN (SELECT course_id FROM order_items WHERE order_id = ?2)");
	db_bind_int64(st, 1, r->user_id);
	db_bind_int64(st, 2, order_id);
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

/* Where Stripe's money for a paid session stands, least severe first:
 * the order's status never moves to a less severe one. */
enum held {
	HELD_PAID,		/* all of it */
	HELD_PARTIAL,		/* part was refunded */
	HELD_DISPUTED,		/* taken back in a chargeback */
	HELD_REFUNDED,		/* all of it refunded */
	HELD_MAX
};

static const char *const held_status[HELD_MAX] = {
	[HELD_PAID] = "paid", [HELD_PARTIAL] = "partially_refunded",
	[HELD_DISPUTED] = "disputed", [HELD_REFUNDED] = "refunded",
};

static enum held
held_of(const struct payment *p)
{
	if (p->amount_total > 0 && p->amount_refunded >= p->amount_total)
		return HELD_REFUNDED;
	if (p->disputed)
		return HELD_DISPUTED;
	return p->amount_refunded > 0 ? HELD_PARTIAL : HELD_PAID;
}

/* The held state an order's status records; HELD_MAX when the order was
 * never paid (pending, failed, expired, cancelled). */
static enum held
held_of_status(const char *status)
{
	for (int h = 0; h < HELD_MAX; h++)
		if (strcmp(held_status[h], status) == 0)
			return (enum held)h;
	return HELD_MAX;
}

static enum err
revoke_access(struct db *db, int64_t order_id, int64_t now)
{
	struct db_stmt *st = db_prep(db, "UPDATE enrollments SET status = "
	    "'revoked', revoked_at = ? WHERE order_id = ? AND "
	    "status = 'active'");

	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, order_id);
	return db_run(st);
}

/* Stripe took all of a team order's money back: its seats go, and when
 * that revoked someone's seat the order says so for review. */
static enum err
take_back_seats(struct db *db, int64_t order_id, int64_t team_id,
    int64_t now)
{
	char reason[200];
	int64_t removed, revoked;
	enum err e;

	if ((e = fulfil_seats_take_back(db, order_id, team_id, now, &removed,
	    &revoked)) != ERR_OK || removed == 0)
		return e;
	snprintf(reason, sizeof(reason), "Stripe took the money back: the "
	    "team lost this order's %lld seat%s, and %lld assigned seat%s "
	    "revoked (the newest)", (long long)removed, removed == 1 ? "" :
	    "s", (long long)revoked, revoked == 1 ? " was" : "s were");
	return order_flag(db, order_id, reason);
}

static enum fulfil_outcome
outcome_of(enum held h)
{
	static const enum fulfil_outcome o[HELD_MAX] = {
		[HELD_PAID] = FULFIL_ALREADY, [HELD_PARTIAL] = FULFIL_PARTIAL,
		[HELD_DISPUTED] = FULFIL_DISPUTED,
		[HELD_REFUNDED] = FULFIL_REFUNDED,
	};

	return o[h];
}

/* What the store's own refunds of the order (made by an admin,
 * lib/refund.c) say of refunded: *covered when those pending or succeeded
 * account for it (the admin chose which access ends: nothing to review),
 * *pending when one still waits for Stripe's answer (recording that
 * answer mails the student, naming the courses that closed). */
static enum err
refunds_ours(struct db *db, int64_t order_id, int64_t refunded, int *covered,
    int *pending)
{
	struct db_stmt *st = db_prep(db, "SELECT coalesce(sum(amount), 0), "
	    "coalesce(sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) "
	    "FROM refunds WHERE order_id = ? AND status IN ('pending', "
	    "'succeeded')");
	enum err e;

	*covered = *pending = 0;
	db_bind_int64(st, 1, order_id);
	if ((e = db_next(st)) == ERR_OK) {
		*covered = db_col_int64(st, 0) >= refunded;
		*pending = db_col_int64(st, 1) > 0;
	}
	db_done(st);
	return e;
}

/* Moves an order that Stripe was paid for (status paid or later, or just
 * granted) to where the money now is: refunded amount, status, access,
 * flag and mail (mail_body, or the standard text when NULL).  *out is
 * FULFIL_ALREADY when nothing changed. */
static enum err
settle(struct db *db, int64_t order_id, const struct order_row *r,
    const struct payment *p, const char *mail_body, const char *base_url,
    int64_t now, enum fulfil_outcome *out)
{
	enum held was = held_of_status(r->status), h = held_of(p);
	int64_t refunded = p->amount_refunded > r->refunded ?
	    p->amount_refunded : r->refunded;
	int ours = 0, pending = 0;
	struct db_stmt *st;
	enum err e;

	if (was == HELD_MAX)
		was = HELD_PAID;
	if (h < was)
		h = was;
	*out = FULFIL_ALREADY;
	if (h == was && refunded == r->refunded)
		return ERR_OK;
	st = db_prep(db, "UPDATE orders SET status = ?, refunded_amount = ?, "
	    "disputed_amount = ?, updated_at = ? WHERE id = ?");
	db_bind_text(st, 1, held_status[h]);
	db_bind_int64(st, 2, refunded);
	db_bind_int64(st, 3, h == HELD_DISPUTED ? p->amount_total - refunded :
	    0);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, order_id);
	if ((e = db_run(st)) != ERR_OK ||
	    (e = report_order_changed(db, order_id)) != ERR_OK)
		return e;
	*out = outcome_of(h);
	if (h != was && h >= HELD_DISPUTED &&
	    (e = revoke_access(db, order_id, now)) != ERR_OK)
		return e;
	if (h != was && h >= HELD_DISPUTED && r->team_id != 0 &&
	    (e = take_back_seats(db, order_id, r->team_id, now)) != ERR_OK)
		return e;
	/* A refunded student's cohort place goes to someone else; a
	 * disputed one is kept until the dispute is decided. */
	if (h != was && h == HELD_REFUNDED &&
	    (e = order_places_refunded(db, order_id, 0, now)) != ERR_OK)
		return e;
	if (refunded > r->refunded && (e = refunds_ours(db, order_id, refunded,
	    &ours, &pending)) != ERR_OK)
		return e;
	if (h != was && h == HELD_PARTIAL && !ours && (e = order_flag(db,
	    order_id, "partially refunded: decide whether access stays")) !=
	    ERR_OK)
		return e;
	if (h != was && h == HELD_DISPUTED && (e = order_flag(db, order_id,
	    "the payment is disputed: Stripe has taken the money back until "
	    "the dispute is decided; access is suspended")) != ERR_OK)
		return e;
	/* The store's refund still waiting for Stripe's answer mails the
	 * student when the answer is recorded (fulfil_refund_in_tx). */
	if (refunded > r->refunded && !(mail_body == NULL && ours && pending))
		return queue_refund_mail(db, order_id, r, refunded, mail_body,
		    base_url);
	return ERR_OK;
}

/* An order not paid here whose session Stripe was paid for and has since
 * refunded or disputed: it ends in that state without ever granting, and
 * its coupon reservation is released. */
static enum err
settle_unpaid(struct db *db, int64_t order_id, const struct order_row *r,
    const struct payment *p, enum held h, const char *base_url, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE orders SET status = ?, refunded_amount = ?, "
	    "disputed_amount = ?, stripe_payment_intent = coalesce(?, "
	    "stripe_payment_intent), updated_at = ? WHERE id = ? AND status IN "
	    "('pending', 'failed', 'expired')");
	db_bind_text(st, 1, held_status[h]);
	db_bind_int64(st, 2, p->amount_refunded);
	db_bind_int64(st, 3, h == HELD_DISPUTED ? p->amount_total -
	    p->amount_refunded : 0);
	db_bind_text_or_null(st, 4, p->payment_intent);
	db_bind_int64(st, 5, now);
	db_bind_int64(st, 6, order_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) != 1)
		return ERR_CONFLICT;
	if ((e = report_order_changed(db, order_id)) != ERR_OK)
		return e;
	if ((e = order_release_coupon(db, order_id, now)) != ERR_OK ||
	    (e = order_places_release(db, order_id, now)) != ERR_OK)
		return e;
	if ((e = order_flag(db, order_id, h == HELD_DISPUTED ?
	    "the payment was disputed before it was confirmed here; no "
	    "access was given" : "the payment was refunded before it was "
	    "confirmed here; no access was given")) != ERR_OK)
		return e;
	if (p->amount_refunded > 0)
		return queue_refund_mail(db, order_id, r, p->amount_refunded,
		    NULL, base_url);
	return ERR_OK;
}

/* A paid session that is not the order's current one, or an order that
 * was cancelled: its money goes back (unless Stripe no longer holds it). */
static enum err
superseded(struct db *db, const struct payment *p, const struct order_row *r,
    enum fulfil_outcome *out)
{
	enum held h = held_of(p);

	if (h == HELD_REFUNDED || h == HELD_DISPUTED) {
		*out = FULFIL_SUPERSEDED_SETTLED;
		return ERR_OK;
	}
	*out = FULFIL_SUPERSEDED;
	if (held_of_status(r->status) != HELD_MAX)
		return ERR_OK;	/* paid through its current session */
	return order_flag(db, p->order_id, "payment received for a checkout "
	    "session the order no longer uses; it is refunded");
}

/* The session is not paid: an expired or failed current session closes
 * the pending order and releases its reservations. */
static enum err
unpaid(struct db *db, const struct payment *p, const struct order_row *r,
    enum fulfil_outcome *out)
{
	enum order_status to = ORDER_STATUS_MAX;
	int changed = 0;
	enum err e;

	*out = FULFIL_NOT_PAID;
	if (strcmp(r->session, p->session_id) != 0 ||
	    strcmp(r->status, "pending") != 0)
		return ERR_OK;
	if (p->session_status != NULL &&
	    strcmp(p->session_status, "expired") == 0)
		to = ORDER_EXPIRED;
	else if (p->failed)
		to = ORDER_FAILED;
	if (to == ORDER_STATUS_MAX)
		return ERR_OK;
	if ((e = order_close(db, p->order_id, to, 1, &changed)) != ERR_OK)
		return e;
	if (changed)
		*out = FULFIL_CLOSED;
	return ERR_OK;
}

/* Remembers which payment intent paid one of our sessions, so that its
 * refunds and disputes are traced without asking Stripe. */
static enum err
note_session_payment(struct db *db, const struct payment *p)
{
	struct db_stmt *st;

	if (p->payment_intent == NULL)
		return ERR_OK;
	st = db_prep(db, "UPDATE checkout_sessions SET payment_intent = ? "
	    "WHERE session_id = ? AND payment_intent IS NULL");
	db_bind_text(st, 1, p->payment_intent);
	db_bind_text(st, 2, p->session_id);
	return db_run(st);
}

/* Keeps Stripe's receipt of the charge that paid the order's own
 * session, for the student's billing page, and the charge's id, for the
 * admin's search. */
static enum err
note_receipt(struct db *db, const struct payment *p)
{
	struct db_stmt *st;
	enum err e;

	if (p->charge_id != NULL) {
		st = db_prep(db, "UPDATE orders SET stripe_charge_id = ?1 "
		    "WHERE id = ?2 AND (stripe_charge_id IS NULL OR "
		    "stripe_charge_id <> ?1)");
		db_bind_text(st, 1, p->charge_id);
		db_bind_int64(st, 2, p->order_id);
		if ((e = db_run(st)) != ERR_OK)
			return e;
	}
	if (p->receipt_url == NULL)
		return ERR_OK;
	st = db_prep(db, "UPDATE orders SET receipt_url = ?1 WHERE id = ?2 AND "
	    "(receipt_url IS NULL OR receipt_url <> ?1)");
	db_bind_text(st, 1, p->receipt_url);
	db_bind_int64(st, 2, p->order_id);
	return db_run(st);
}

/* The payment was for a cohort place no longer held, and the cohort has
 * none free (order_places_claim released what the order held): nothing
 * is granted; the order is recorded refunded, its coupon released, and
 * the student told why.  The money goes back at Stripe after the commit
 * (fulfil_cohort_refund); charge.refunded then finds nothing to change. */
static enum err
cohort_full(struct db *db, const struct payment *p, const struct order_row *r,
    const char *cohort, const char *base_url, int64_t now,
    enum fulfil_outcome *out)
{
	char to[MAIL_ADDR_MAX], name[MAIL_NAME_MAX];
	struct buf body = { 0 };
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE orders SET status = 'refunded', "
	    "refunded_amount = total_amount, stripe_payment_intent = "
	    "coalesce(?1, stripe_payment_intent), updated_at = ?2 WHERE id = "
	    "?3 AND status IN ('pending', 'failed', 'expired')");
	db_bind_text_or_null(st, 1, p->payment_intent);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, p->order_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) != 1)
		return ERR_CONFLICT;
	if ((e = report_order_changed(db, p->order_id)) != ERR_OK ||
	    (e = order_release_coupon(db, p->order_id, now)) != ERR_OK)
		return e;
	if ((e = mail_recipient(db, r->user_id, to, name)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	fulfil_cohort_full_text(&body, name, r->number, cohort, base_url,
	    p->order_id);
	e = body.oom ? ERR_INTERNAL : queue_refund_mail(db, p->order_id, r,
	    r->total, body.data, base_url);
	buf_free(&body);
	if (e == ERR_OK)
		*out = FULFIL_COHORT_FULL;
	return e;
}

enum err
fulfil_in_tx(struct db *db, const struct payment *p, const char *base_url,
    int64_t now, enum fulfil_outcome *out)
{
	struct order_row r;
	char cohort[104];
	enum held h;
	int full = 0;
	enum err e;

	*out = FULFIL_UNKNOWN;
	if ((e = load_order_row(db, p->order_id, &r)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	if ((e = note_session_payment(db, p)) != ERR_OK)
		return e;
	if (strcmp(p->payment_status, "paid") != 0)
		return unpaid(db, p, &r, out);
	/* An expired order whose own session was paid is honoured: Stripe
	 * took the payment before the session lapsed, and only our lazy
	 * expiry got there first.  A cancelled order was replaced. */
	if (strcmp(r.session, p->session_id) != 0 ||
	    strcmp(r.status, "cancelled") == 0)
		return superseded(db, p, &r, out);
	if ((e = note_receipt(db, p)) != ERR_OK)
		return e;
	if (held_of_status(r.status) != HELD_MAX)
		return settle(db, p->order_id, &r, p, NULL, base_url, now,
		    out);
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
	h = held_of(p);
	if (h == HELD_REFUNDED || h == HELD_DISPUTED) {
		*out = outcome_of(h);
		return settle_unpaid(db, p->order_id, &r, p, h, base_url, now);
	}
	if (r.team_id == 0 && (e = order_places_claim(db, p->order_id,
	    r.user_id, now, &full, cohort, sizeof(cohort))) != ERR_OK)
		return e;
	if (full)
		return cohort_full(db, p, &r, cohort, base_url, now, out);
	if ((e = grant(db, p->order_id, &r, p->payment_intent, base_url,
	    now)) != ERR_OK)
		return e;
	snprintf(r.status, sizeof(r.status), "paid");
	if ((e = settle(db, p->order_id, &r, p, NULL, base_url, now, out)) !=
	    ERR_OK)
		return e;
	if (*out == FULFIL_ALREADY)
		*out = FULFIL_GRANTED;
	return ERR_OK;
}

enum err
fulfil_payment(struct db *db, const struct payment *p, const char *base_url,
    int64_t now, enum fulfil_outcome *out)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = fulfil_in_tx(db, p, base_url, now, out)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

/* Gives refund_id's items back: their refunded amounts, and the end of
 * the access they gave. */
static enum err
refund_items(struct db *db, int64_t order_id, int64_t user_id,
    int64_t refund_id, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE order_items SET refunded_amount = "
	    "refunded_amount + (SELECT ri.amount FROM refund_items ri WHERE "
	    "ri.refund_id = ?1 AND ri.order_item_id = order_items.id) "
	    "WHERE id IN (SELECT order_item_id FROM refund_items WHERE "
	    "refund_id = ?1)");
	db_bind_int64(st, 1, refund_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE enrollments SET status = 'revoked', "
	    "revoked_at = ?1 WHERE order_id = ?2 AND user_id = ?3 AND "
	    "status = 'active' AND course_id IN (SELECT oi.course_id FROM "
	    "refund_items ri JOIN order_items oi ON oi.id = ri.order_item_id "
	    "WHERE ri.refund_id = ?4)");
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, order_id);
	db_bind_int64(st, 3, user_id);
	db_bind_int64(st, 4, refund_id);
	return db_run(st);
}

enum err
fulfil_refund_in_tx(struct db *db, int64_t order_id, int64_t refund_id,
    int64_t refunded_total, const char *mail_body, const char *base_url,
    int64_t now, enum fulfil_outcome *out)
{
	struct order_row r;
	struct payment p;
	enum err e;

	*out = FULFIL_UNKNOWN;
	if ((e = load_order_row(db, order_id, &r)) != ERR_OK)
		return e;
	if (held_of_status(r.status) == HELD_MAX)
		return ERR_CONFLICT;	/* never paid: nothing to refund */
	if ((e = order_places_refunded(db, order_id, refund_id, now)) !=
	    ERR_OK)
		return e;
	if ((e = refund_items(db, order_id, r.user_id, refund_id, now)) !=
	    ERR_OK)
		return e;
	/* What Stripe's charge now says, as a charge.refunded would. */
	p = (struct payment){ .session_id = r.session, .payment_status = "paid",
	    .amount_total = r.total, .currency = r.currency,
	    .amount_refunded = refunded_total, .order_id = order_id,
	    .disputed = strcmp(r.status, "disputed") == 0 };
	if ((e = settle(db, order_id, &r, &p, mail_body, base_url, now, out)) !=
	    ERR_OK)
		return e;
	/* When charge.refunded came first it left the mail to this step
	 * (settle): queue it; its key makes it once either way. */
	return queue_refund_mail(db, order_id, &r, refunded_total > r.refunded ?
	    refunded_total : r.refunded, mail_body, base_url);
}

enum err
fulfil_free_order(struct db *db, int64_t order_id, const char *base_url,
    int64_t now, enum fulfil_outcome *out)
{
	struct order_row r;
	char cohort[104];
	int full = 0;
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
	/* Held at checkout a moment ago: full only if it lapsed since. */
	if ((e = order_places_claim(db, order_id, r.user_id, now, &full,
	    cohort, sizeof(cohort))) != ERR_OK)
		goto out;
	if (full) {
		e = ERR_CONFLICT;
		goto out;
	}
	if ((e = grant(db, order_id, &r, NULL, base_url, now)) != ERR_OK)
		goto out;
	*out = FULFIL_GRANTED;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}
