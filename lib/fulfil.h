/* Fulfilment: the one idempotent function that turns a paid Checkout
 * Session into access, called by the webhook (inside the transaction that
 * records the event) and by the success page (in its own).  Whichever runs
 * first grants; the other finds the order paid and changes nothing.  Also
 * the refund side: a full refund ends the access the order gave. */
#ifndef ENROLL_FULFIL_H
#define ENROLL_FULFIL_H

#include <stdint.h>

#include "err.h"

struct db;

/* What Stripe says about a Checkout Session. */
struct payment {
	const char *session_id;	/* "cs_..." */
	const char *payment_status; /* "paid", "unpaid", ... */
	int64_t amount_total;	/* minor units charged */
	const char *currency;	/* lower-case */
	const char *payment_intent; /* "pi_..." or NULL */
	int64_t order_id;	/* metadata.order_id */
};

enum fulfil_outcome {
	FULFIL_GRANTED,		/* this call granted access */
	FULFIL_ALREADY,		/* the order was already paid: nothing done */
	FULFIL_NOT_PAID,	/* payment_status is not paid (yet) */
	FULFIL_MISMATCH,	/* amount or currency differ: flagged, nothing
				   granted */
	FULFIL_SUPERSEDED,	/* paid a session the order no longer uses, or
				   an order that was closed: refund it */
	FULFIL_UNKNOWN,		/* no such order */
	FULFIL_OUTCOME_MAX
};

/* Returns a short name of o for logs and stripe_events.outcome. */
const char *fulfil_outcome_name(enum fulfil_outcome o);

/* Fulfils from p inside the caller's open transaction.  base_url is used
 * for links in the confirmation mail. */
enum err fulfil_in_tx(struct db *db, const struct payment *p,
    const char *base_url, enum fulfil_outcome *out);

/* The same in a transaction of its own. */
enum err fulfil_payment(struct db *db, const struct payment *p,
    const char *base_url, enum fulfil_outcome *out);

/* Fulfils a pending order whose total is zero (free courses, a 100%
 * coupon) without Stripe, in its own transaction. */
enum err fulfil_free_order(struct db *db, int64_t order_id,
    const char *base_url, enum fulfil_outcome *out);

/* Applies Stripe's refund state of a payment inside the caller's
 * transaction: amount_refunded (cumulative) of the order paid through
 * payment_intent.  All of it refunds the order and revokes the access it
 * granted; part of it records the amount and flags the order.  *order_id
 * gets the order (0: none of ours). */
enum err fulfil_refund_in_tx(struct db *db, const char *payment_intent,
    int64_t amount_refunded, const char *base_url, int64_t *order_id);

#endif
