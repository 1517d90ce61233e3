/* Reconciliation with Stripe for a period: what Stripe holds of this
 * store (its charges, recognised by the install id in their metadata, and
 * the refunds made of them) matched with the orders both ways.  Each
 * mismatch is a line with what to do; those that are only a missed event
 * (the store is behind Stripe) can be applied: the order is brought to
 * Stripe's state as the webhook would have done (fulfil.h), with an audit
 * row.  Building the report only reads, here and at Stripe. */
#ifndef ENROLL_RECONCILE_REPORT_H
#define ENROLL_RECONCILE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fulfil.h"
#include "stripe.h"

struct db;

/* Stripe's charges are read from this long before the period to this
 * long after it, so a payment and the order it paid, a second apart
 * across midnight, still meet. */
#define RECON_MARGIN (24 * 60 * 60)

/* The longest period one report covers, in days. */
#define RECON_MAX_DAYS 92

enum recon_kind {
	RECON_NOT_IN_STORE,	/* paid in Stripe, the order is not paid */
	RECON_NO_ORDER,		/* paid in Stripe for an order we lack */
	RECON_NOT_IN_STRIPE,	/* paid in the store, no payment in Stripe */
	RECON_AMOUNT,		/* Stripe charged another amount */
	RECON_REFUND_MISSING,	/* Stripe refunded more than the store knows */
	RECON_REFUND_EXTRA,	/* the store counts more refunded than Stripe */
	RECON_DISPUTE_MISSING,	/* disputed in Stripe, not in the store */
	RECON_KIND_MAX
};

/* One mismatch.  Fixed arrays: nothing to free. */
struct recon_line {
	enum recon_kind kind;
	int safe;		/* Apply brings the store to Stripe's state */
	int64_t order_id;	/* 0: no such order here */
	char order_number[64];	/* ours, or Stripe's metadata; may be "" */
	char payment_intent[STRIPE_ID_SIZE]; /* "" when none */
	char currency[16];	/* lower-case */
	int64_t stripe_amount;	/* charged; -1 unknown */
	int64_t store_amount;	/* the order's total; -1 no order */
	int64_t stripe_refunded; /* -1 unknown */
	int64_t store_refunded;	/* -1 no order */
	int64_t when;		/* the charge's time, else the order's paid_at */
};

struct recon_report {
	struct recon_line *v;	/* n lines, by time; free with
				   recon_report_free */
	size_t n;
	size_t stripe_payments;	/* our payments Stripe made in the period */
	size_t stripe_refunds;	/* refunds of ours Stripe made in it */
	size_t store_orders;	/* orders the store has paid in it */
	int truncated;		/* Stripe had more than the page limit: the
				   period must be shorter to be sure */
};

void recon_report_free(struct recon_report *r);

/* Plain words for a line of kind k: what is wrong, and what to do. */
const char *recon_kind_what(enum recon_kind k);
const char *recon_kind_advice(enum recon_kind k, int safe);

/* Builds the report for [from, until) (UTC seconds) into out (free it
 * also after a failure).  ERR_UPSTREAM (se says why) when Stripe could
 * not be read; ERR_BUSY when the database is locked. */
enum err recon_build(struct db *db, struct stripe *s, int64_t from,
    int64_t until, struct recon_report *out, struct stripe_error *se);

/* What applying one payment did. */
struct recon_applied {
	int64_t order_id;
	char order_number[64];
	enum fulfil_outcome outcome;
	int changed;		/* the order changed (and an audit row says
				   how); 0: it was already in Stripe's state */
};

/* Brings the order that payment_intent paid to Stripe's state now, in one
 * transaction with an audit row (actor, "order.reconcile", before and
 * after) when anything changed; a repeat changes nothing.  ERR_NOTFOUND
 * when Stripe has no Checkout Session of ours for it or the order is not
 * here; ERR_UPSTREAM (se says why) when Stripe could not be read. */
enum err recon_apply(struct db *db, struct stripe *s,
    const char *payment_intent, int64_t actor, const char *base_url,
    int64_t now, struct recon_applied *out, struct stripe_error *se);

#endif
