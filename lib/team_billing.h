/* A team's billing (issue 18): the orders its owner and managers paid
 * for the team's seats, newest first, a page at a time by key, each with
 * its seats per course. */
#ifndef ENROLL_TEAM_BILLING_H
#define ENROLL_TEAM_BILLING_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

struct team_bill_item {
	const char *title;	/* the course, as bought */
	int64_t seats;		/* bought */
	int64_t refunded_seats;	/* taken back by refunds */
};

struct team_bill {
	int64_t id;		/* orders.id */
	const char *number;	/* ORD-... */
	int64_t created_at;	/* unix seconds (the key of the list) */
	int64_t paid_at;	/* 0 when never paid */
	int64_t buyer_id;	/* users.id of the buyer */
	const char *buyer;	/* the buyer's name, or email */
	const char *status;	/* orders.status */
	const char *currency;	/* lower-case */
	int64_t total;		/* minor units */
	int64_t refunded;	/* minor units */
	const char *receipt_url;/* Stripe's receipt, "" when none */
	struct team_bill_item *items; /* nitems (arena) */
	size_t nitems;
};

/* Where a page starts: after the order (before_at, before_id) of the
 * previous page, or at the newest when before_id is 0. */
struct team_bill_page {
	int64_t before_at;	/* created_at of the last order shown */
	int64_t before_id;	/* its id; 0: the first page */
	int per_page;		/* 1..100 */
};

/* Sets *out (arena, *n entries) to team_id's paid orders (paid, partly
 * or wholly refunded, disputed) after pg, newest first, with their items;
 * *more when another page follows. */
enum err team_bills(struct db *db, struct arena *a, int64_t team_id,
    const struct team_bill_page *pg, struct team_bill **out, size_t *n,
    int *more);

#endif
