/* The admin's orders: the list (filters, search, orders needing review
 * first, a page at a time by key) and everything one order's page shows
 * (items with their frozen prices, Stripe's ids and events, the mail
 * sent, the audit trail), and marking a flagged order reviewed.  Each
 * filter drives an index of migration 013 whose columns end in the list's
 * key, so a page reads about one page of index entries whatever the
 * number of orders (see admin_orders.c). */
#ifndef ENROLL_ADMIN_ORDERS_H
#define ENROLL_ADMIN_ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define ADMIN_ORDERS_PAGE 50	/* orders on one page */

/* Where a page starts: after this order in the list's order. */
struct admin_orders_key {
	int review;		/* 1: among the orders needing review */
	int64_t created_at;	/* of the last order shown */
	int64_t id;		/* of the last order shown */
};

struct admin_orders_filter {
	const char *status;	/* orders.status, or NULL */
	int64_t from;		/* created at or after (UTC seconds), 0 */
	int64_t to;		/* created before, 0: no end */
	int64_t course_id;	/* has an item of this course, 0: any */
	int64_t coupon_id;	/* used this coupon, 0: any */
	int review_only;	/* only orders needing review */
	const char *q;		/* an order number, an email, or a Stripe id
				   (cs_, pi_, ch_), or NULL */
	const struct admin_orders_key *after; /* NULL: the first page */
};

struct admin_order_row {
	int64_t id;		/* orders.id */
	const char *number;	/* ORD-... */
	const char *email;	/* the buyer's, "" once deleted */
	const char *status;	/* orders.status */
	const char *currency;	/* lower-case */
	int64_t total;		/* minor units */
	int64_t refunded;	/* minor units */
	int needs_review;	/* flagged */
	const char *review_reason; /* why, "" */
	int64_t created_at;	/* unix seconds */
};

/* Lists a page of the orders f shows into *out (arena) and *n; *more is 1
 * when another page follows, whose key is that of the last row. */
enum err admin_orders_list(struct db *db, struct arena *a,
    const struct admin_orders_filter *f, struct admin_order_row **out,
    size_t *n, int *more);

/* Returns 1 when s names an order status ("paid", ...). */
int admin_orders_status_known(const char *s);

/* Returns the words for status s ("Partially refunded"), or s itself. */
const char *admin_orders_status_label(const char *s);

/* Finds the course of a slug, the coupon of a code: *id, 0 when none. */
enum err admin_orders_course_of(struct db *db, const char *slug, int64_t *id);
enum err admin_orders_coupon_of(struct db *db, const char *code, int64_t *id);

/* One line of an order, as frozen at checkout. */
struct admin_order_item {
	int64_t id;		/* order_items.id */
	int64_t course_id;	/* courses.id */
	const char *title;	/* title at checkout */
	int64_t unit_amount;	/* price at checkout */
	int64_t quantity;	/* 1 for a course */
	int64_t discount;	/* its share of the discount */
	int64_t net;		/* unit_amount * quantity - discount */
	int64_t refunded;	/* refunded of it by the store's refunds */
	const char *access;	/* the buyer's enrollment from this order:
				   "active", "revoked", or "" */
};

struct admin_order_event {
	const char *event_id;	/* evt_... */
	const char *type;	/* charge.refunded, ... */
	int64_t created;	/* Stripe's time */
	int64_t received_at;	/* ours */
	const char *outcome;	/* what it did */
};

struct admin_order_mail {
	const char *subject;	/* as sent */
	const char *to;		/* address */
	const char *status;	/* pending, sent, failed */
	int64_t created_at;	/* queued */
	int64_t sent_at;	/* 0 until sent */
};

/* An order with all its page shows; arena memory throughout. */
struct admin_order {
	int64_t id;		/* orders.id */
	const char *number;	/* ORD-... */
	int64_t user_id;	/* buyer */
	const char *email;	/* the buyer's, "" once deleted */
	const char *name;	/* the buyer's */
	const char *status;	/* orders.status */
	const char *currency;	/* lower-case */
	int64_t subtotal, discount, total; /* frozen at checkout */
	int64_t refunded;	/* refunded in all (Stripe's figure) */
	int64_t disputed;	/* taken back by a dispute */
	const char *coupon_code;/* "" when none */
	int needs_review;	/* flagged */
	const char *review_reason; /* why, "" */
	int64_t created_at, paid_at; /* unix seconds, 0 */
	const char *session_id;	/* current Checkout Session, "" */
	const char *payment_intent; /* "", pi_... */
	const char *charge_id;	/* "", ch_... */
	const char *receipt_url;/* Stripe's receipt, "" */
	struct admin_order_item *items; size_t nitems;
	const char **sessions; size_t nsessions; /* every session made */
	struct admin_order_event *events; size_t nevents;
	struct admin_order_mail *mails; size_t nmails;
};

/* Loads order id with everything above.  ERR_NOTFOUND when none. */
enum err admin_order_load(struct db *db, struct arena *a, int64_t id,
    struct admin_order *o);

/* Marks a flagged order reviewed with the admin's note, and writes the
 * audit row, in one transaction.  ERR_CONFLICT when it is not flagged
 * (reviewed already), ERR_NOTFOUND when there is no such order. */
enum err admin_order_mark_reviewed(struct db *db, int64_t id, int64_t actor,
    const char *note, int64_t now);

#endif
