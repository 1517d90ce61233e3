/* Fulfilment: the one idempotent function that brings an order to the
 * state of its payment at Stripe, called by the webhook (inside the
 * transaction that records the event), by the success page and by
 * reconcile.  Its input is always what the API says now (the session with
 * its payment intent's latest charge), never what an event said, since
 * Stripe delivers events in any order: a refund can arrive before the
 * completion it refunds.  Access exists exactly while Stripe holds the
 * money: paid (or partly refunded) grants, refunded or disputed revokes. */
#ifndef ENROLL_FULFIL_H
#define ENROLL_FULFIL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct db;
struct stripe_session;

/* What Stripe says about one Checkout Session of ours. */
struct payment {
	const char *session_id;	/* "cs_..." */
	const char *session_status; /* open, complete, expired */
	const char *payment_status; /* "paid", "unpaid", ... */
	int64_t amount_total;	/* minor units charged */
	const char *currency;	/* lower-case */
	const char *payment_intent; /* "pi_..." or NULL */
	int64_t amount_refunded; /* of the charge, cumulative */
	int disputed;		/* the charge is disputed */
	int64_t order_id;	/* our order the session was made for */
	int failed;		/* Stripe said the async payment failed */
	const char *receipt_url; /* the charge's receipt page, or NULL */
	const char *charge_id;	/* the charge ("ch_..."), or NULL */
};

/* Fills p from session ss (retrieved with its charge expanded) for our
 * order order_id.  p points into ss: keep ss until p is used. */
void fulfil_payment_from(struct payment *p, const struct stripe_session *ss,
    int64_t order_id);

enum fulfil_outcome {
	FULFIL_GRANTED,		/* this call granted access */
	FULFIL_ALREADY,		/* the order already had this state */
	FULFIL_NOT_PAID,	/* payment_status is not paid (yet) */
	FULFIL_CLOSED,		/* unpaid and expired or failed: order closed */
	FULFIL_MISMATCH,	/* amount or currency differ: flagged, nothing
				   granted */
	FULFIL_SUPERSEDED,	/* paid a session the order no longer uses, or
				   an order that was closed: refund it */
	FULFIL_SUPERSEDED_SETTLED, /* the same, already refunded or disputed
				   at Stripe: nothing due */
	FULFIL_PARTIAL,		/* part of the payment refunded: recorded */
	FULFIL_REFUNDED,	/* all of it refunded: no access */
	FULFIL_DISPUTED,	/* disputed: no access until an admin decides */
	FULFIL_COHORT_FULL,	/* paid for a cohort place no longer held
				   and none free: recorded refunded, nothing
				   granted; the caller refunds at Stripe
				   (fulfil_cohort.h) */
	FULFIL_UNKNOWN,		/* no such order */
	FULFIL_OUTCOME_MAX
};

/* Returns a short name of o for logs and stripe_events.outcome. */
const char *fulfil_outcome_name(enum fulfil_outcome o);

/* Brings order p->order_id to p's state inside the caller's open
 * transaction.  base_url is used for links in mail; now is unix time. */
enum err fulfil_in_tx(struct db *db, const struct payment *p,
    const char *base_url, int64_t now, enum fulfil_outcome *out);

/* The same in a transaction of its own. */
enum err fulfil_payment(struct db *db, const struct payment *p,
    const char *base_url, int64_t now, enum fulfil_outcome *out);

/* Applies refund refund_id that the store made itself (lib/refund.c,
 * already marked succeeded), inside the caller's open transaction: the
 * refunded amount of each item it covers and the end of the access those
 * items gave (an amount refund covers none: access stays), then the
 * order's refunded_amount and status brought to refunded_total (partially
 * refunded, or refunded with all access ended when nothing is left) with
 * the refund mail, by the same steps and mail key as a charge.refunded
 * event, so whichever of the two comes second changes nothing.  A refund
 * the store made was decided by an admin: it does not flag the order for
 * review.  mail_body is the student's mail (queued once per refunded
 * total), or NULL for the standard one. */
enum err fulfil_refund_in_tx(struct db *db, int64_t order_id,
    int64_t refund_id, int64_t refunded_total, const char *mail_body,
    const char *base_url, int64_t now, enum fulfil_outcome *out);

/* The dedupe key of the refund mail for order_id once refunded_total is
 * refunded, written into out (n bytes). */
void fulfil_refund_mail_key(char *out, size_t n, int64_t order_id,
    int64_t refunded_total);

/* Fulfils a pending order whose total is zero (free courses, a 100%
 * coupon) without Stripe, in its own transaction. */
enum err fulfil_free_order(struct db *db, int64_t order_id,
    const char *base_url, int64_t now, enum fulfil_outcome *out);

#endif
