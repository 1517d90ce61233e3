/* Orders: created pending at checkout with their amounts frozen (items at
 * the prices of that moment, the coupon's discount, the total) and the
 * coupon reservation, all in one transaction; then paid, expired, failed,
 * cancelled or refunded.  Fulfilment lives in fulfil.h. */
#ifndef ENROLL_ORDER_H
#define ENROLL_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "coupon.h"
#include "err.h"

struct db;

enum order_status {
	ORDER_PENDING, ORDER_PAID, ORDER_FAILED, ORDER_EXPIRED,
	ORDER_CANCELLED, ORDER_REFUNDED, ORDER_PARTIALLY_REFUNDED,
	ORDER_DISPUTED,		/* a chargeback: Stripe took the money back */
	ORDER_STATUS_MAX
};

struct order_item {
	int64_t course_id;	/* courses.id */
	const char *title;	/* title at checkout */
	const char *slug;	/* for links */
	int64_t unit_amount;	/* price at checkout, minor units */
	int64_t quantity;	/* 1, or a team order's seats */
	int64_t discount;	/* this line's share of the discount */
	int64_t cohort_id;	/* the cohort a cohort course is for, 0 */
	const char *cohort_name;/* its name, or NULL */
};

struct order {
	int64_t id;		/* orders.id */
	const char *number;	/* ORD-YYYYMMDD-XXXXXX */
	int64_t user_id;	/* buyer */
	int64_t team_id;	/* bought for this team's seats, 0: for the
				   buyer */
	enum order_status status; /* life-cycle state */
	const char *currency;	/* lower-case ISO code */
	int64_t subtotal;	/* sum of items */
	int64_t discount;	/* coupon discount */
	int64_t total;		/* subtotal - discount */
	int64_t coupon_id;	/* 0: none */
	const char *coupon_code;/* NULL: none */
	int64_t attempt;	/* checkout attempts made (idempotency keys) */
	const char *session_id;	/* Stripe Checkout Session, or NULL */
	const char *session_url;/* its hosted page, or NULL */
	const char *payment_intent; /* or NULL */
	int64_t expires_at;	/* when the session (and reservations) lapse */
	int64_t refunded;	/* amount refunded so far */
	int needs_review;	/* flagged for an admin */
	const char *review_reason; /* why */
	int64_t paid_at;	/* 0 until paid */
	int64_t created_at;	/* unix seconds */
	const char *receipt_url;/* Stripe's receipt of the charge, or NULL */
	struct order_item *items; /* nitems lines, arena memory */
	size_t nitems;
};

/* Returns "pending", "paid", ... and a label for people ("Paid"). */
const char *order_status_name(enum order_status s);
const char *order_status_label(enum order_status s);

/* What a checkout asks for: the user's cart. */
struct order_request {
	int64_t user_id;	/* buyer */
	const int64_t *course_ids; /* cart contents */
	size_t ncourses;	/* 1.. */
	const char *coupon_code;/* or NULL */
	int64_t now;		/* unix seconds */
	int64_t expires_at;	/* when the checkout lapses (and the places
				   it holds: set once, lib/order_places.c) */
};

/* What a checkout for a team adds (cart_team.h). */
struct order_team {
	int64_t team_id;	/* the buyer manages it */
	const int64_t *seats;	/* seats of each course of the request */
};

/* Why order_create refused, for the cart page. */
struct order_refusal {
	enum coupon_verdict coupon;	/* COUPON_OK unless the coupon failed */
	int64_t course_id;		/* a course that cannot be bought, 0 */
	int64_t pending_order_id;	/* the user's checkout already under
					   way (a second tab), 0 */
	const char *message;		/* plain words, static */
};

/* Creates a pending order for rq in one transaction: loads and prices the
 * courses (active, one currency, not already owned unless bought for a
 * team, whose seats the buyer must still manage: ERR_FORBIDDEN with
 * why->message otherwise), applies (per seat, cart_team.h) and reserves
 * the coupon (its limits counted with other reservations, so concurrent
 * checkouts never exceed them).  ERR_CONFLICT with *why filled when the cart
 * cannot be bought as it is, or when the user has a pending order already
 * (why->pending_order_id: a concurrent checkout made it; the caller retires
 * or resumes that one first).  *o lives in the arena. */
enum err order_create(struct db *db, struct arena *a,
    const struct order_request *rq, struct order *o, struct order_refusal *why);

/* The same for team (NULL: for the buyer, as order_create). */
enum err order_create_for(struct db *db, struct arena *a,
    const struct order_request *rq, const struct order_team *team,
    struct order *o, struct order_refusal *why);

/* The same with cohort_ids: each course's cohort (0: none; NULL: no
 * cohort), a place of which is held for the order in the same
 * transaction (order_places.h): when a cohort has none, ERR_CONFLICT with
 * why->message and nothing written. */
enum err order_create_cohorts(struct db *db, struct arena *a,
    const struct order_request *rq, const struct order_team *team,
    const int64_t *cohort_ids, struct order *o, struct order_refusal *why);

/* Loads order id with its items into *o (arena).  user_id > 0 restricts to
 * that user's orders (ERR_NOTFOUND for anyone else's). */
enum err order_load(struct db *db, struct arena *a, int64_t id,
    int64_t user_id, struct order *o);

/* Finds the order that a Checkout Session was created for (its current
 * session or an earlier one).  ERR_NOTFOUND when it is not ours. */
enum err order_find_by_session(struct db *db, struct arena *a,
    const char *session_id, struct order *o);

/* Returns the user's newest pending order (ERR_NOTFOUND when none). */
enum err order_find_pending(struct db *db, struct arena *a, int64_t user_id,
    struct order *o);

/* Starts checkout attempt n+1 of a pending order: increments and returns
 * the attempt number used in idempotency keys. */
enum err order_next_attempt(struct db *db, int64_t order_id, int64_t *attempt);

/* Records the Checkout Session created for attempt of an order: always in
 * the order's list of sessions (checkout_sessions: a payment of it can be
 * refunded later), and as the current session when the order is still
 * pending (else ERR_CONFLICT).  One transaction; a repeat is harmless. */
enum err order_set_session(struct db *db, int64_t order_id, int64_t attempt,
    const char *session_id, const char *url, int64_t expires_at,
    int64_t now);

/* Finds the order that a Checkout Session was created for, by this
 * store's list of sessions: *order_id, or ERR_NOTFOUND (not ours). */
enum err order_of_session(struct db *db, const char *session_id,
    int64_t *order_id);

/* Finds the session of ours that payment_intent paid: *session_id (size
 * STRIPE_ID_SIZE) and *order_id, or ERR_NOTFOUND (not known yet). */
enum err order_session_of_payment(struct db *db, const char *payment_intent,
    char *session_id, size_t size, int64_t *order_id);

/* Ends a pending order as ORDER_EXPIRED, ORDER_FAILED or ORDER_CANCELLED and
 * releases its coupon reservation and its cohort places.  Does nothing (ERR_OK, *changed 0) when
 * the order is no longer pending.  Runs inside the caller's transaction
 * when in_tx, else in its own. */
enum err order_close(struct db *db, int64_t order_id, enum order_status to,
    int in_tx, int *changed);

/* Releases the coupon reservation that order_id held while unpaid, in the
 * caller's transaction (a redeemed coupon stays redeemed). */
enum err order_release_coupon(struct db *db, int64_t order_id, int64_t now);

/* Seconds after its session's expiry that a pending order is closed by
 * order_expire_stale() when Stripe's expiry event did not arrive. */
#define ORDER_EXPIRY_GRACE 600

/* Ends every pending order whose expires_at passed more than
 * ORDER_EXPIRY_GRACE before now, releasing reservations.  *n gets how
 * many. */
enum err order_expire_stale(struct db *db, int64_t now, int *n);

/* Which of a user's orders a listing shows. */
enum order_filter {
	ORDERS_SETTLED,		/* paid, partially refunded, refunded */
	ORDERS_UNFINISHED,	/* pending, failed, expired, cancelled */
	ORDERS_ALL,
	ORDER_FILTER_MAX
};

/* Returns the filter's name in URLs ("", "unfinished", "all"), and finds
 * the filter of a name (0 when there is none). */
const char *order_filter_name(enum order_filter f);
int order_filter_of(const char *name, enum order_filter *f);

/* Whether an order of status s was paid: its page is a receipt. */
int order_status_settled(enum order_status s);

/* Whether o's Stripe page can still be paid at time now: pending, with a
 * session that has a minute or more left. */
int order_payable(const struct order *o, int64_t now);

/* Lists the user's orders that filter f shows, newest first: page
 * (1-based) of per_page into *out (arena, without items), *has_more when
 * another page follows. */
enum err order_list(struct db *db, struct arena *a, int64_t user_id,
    enum order_filter f, int64_t page, int per_page, struct order **out,
    size_t *n, int *has_more);

/* Sets *n to how many of the user's orders filter f shows. */
enum err order_count(struct db *db, int64_t user_id, enum order_filter f,
    int64_t *n);

/* Flags an order for an admin, with the reason (in the caller's
 * transaction when one is open). */
enum err order_flag(struct db *db, int64_t order_id, const char *reason);

#endif
