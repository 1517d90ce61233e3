/* Checkout: from the user's cart to a Stripe Checkout Session, keeping the
 * rule that an order has at most one open session.  A checkout of the same
 * cart reuses the pending order (and its session while it is open); a
 * changed cart first expires the old session at Stripe and cancels the old
 * order.  A $0 order is fulfilled at once, without Stripe.  Every Stripe
 * POST carries an idempotency key made from the order, so a retried click
 * never creates a second payable session. */
#ifndef ENROLL_CHECKOUT_H
#define ENROLL_CHECKOUT_H

#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "fulfil.h"

struct db;
struct stripe;

/* Minutes a Checkout Session stays payable (Stripe needs 30 or more:
 * never exactly 30, so clock skew cannot make it refuse). */
#define CHECKOUT_MINUTES 32

struct checkout_buyer {
	int64_t user_id;	/* users.id */
	const char *email;	/* for the Stripe customer */
	const char *name;	/* likewise */
	const char *guest_id;	/* unused by checkout; kept for symmetry */
};

struct checkout_outcome {
	const char *redirect;	/* where the browser goes next (arena) */
	const char *message;	/* plain words when refused (static) */
	int64_t order_id;	/* the order, 0 when none was made */
	int refused;		/* with ERR_UPSTREAM: Stripe answered and
				   refused (a 4xx): the payment could not be
				   started; 0: Stripe could not be reached */
};

/* Hex characters of the token in an order's cancel link. */
#define CHECKOUT_TOKEN_HEX 64

/* Starts (or resumes) the checkout of buyer's cart.  ERR_OK with
 * out->redirect set; ERR_CONFLICT with out->message when the cart cannot be
 * bought as it is; ERR_UPSTREAM when Stripe failed (the order stays
 * pending and a retry resumes it).  key is the server secret that signs
 * the session's cancel link (checkout_cancel_token). */
enum err checkout_start(struct db *db, struct stripe *s, struct arena *a,
    const struct checkout_buyer *buyer, const char *base_url,
    const unsigned char key[32], int64_t now, struct checkout_outcome *out);

/* Writes to out the token of order_id's cancel link: the hex HMAC-SHA256
 * under key of "checkout-cancel:<id>".  Only this store can make it, so a
 * link from another site cannot cancel anyone's checkout. */
void checkout_cancel_token(const unsigned char key[32], int64_t order_id,
    char out[CHECKOUT_TOKEN_HEX + 1]);

/* Returns 1 when token is order_id's cancel token (constant-time). */
int checkout_cancel_token_ok(const unsigned char key[32], int64_t order_id,
    const char *token);

/* The success page's work: checks that session_id is one this store made
 * for an order of user_id, retrieves it from Stripe and brings the order
 * to its state (fulfil.h).  *order_id gets
 * the order; *outcome what fulfilment did (FULFIL_NOT_PAID: still
 * processing).  ERR_NOTFOUND when the session is not this user's. */
enum err checkout_confirm(struct db *db, struct stripe *s, struct arena *a,
    int64_t user_id, const char *session_id, const char *base_url,
    int64_t now, int64_t *order_id, enum fulfil_outcome *outcome);

/* The cancel page's work: expires the open session of order_id, when it
 * is user_id's pending order, at Stripe and cancels the order (releasing
 * reservations); the cart is kept.  Any other order is left alone (ERR_OK,
 * *changed 0).  A session that turns out to be paid is fulfilled instead
 * (*paid 1). */
enum err checkout_cancel(struct db *db, struct stripe *s, struct arena *a,
    int64_t user_id, int64_t order_id, const char *base_url, int64_t now,
    int *paid, int *changed);

#endif
