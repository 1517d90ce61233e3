/* Coupons: the rules that decide whether a code applies to a cart and how
 * much it takes off.  The rules themselves (coupon_apply) are a pure
 * function of the coupon, the clock, the usage counts and the priced lines,
 * so every rule is tested without a database; coupon_load and coupon_usage
 * fetch what they need.  Usage counts reservations held by pending
 * checkouts as well as redemptions. */
#ifndef ENROLL_COUPON_H
#define ENROLL_COUPON_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

enum coupon_kind { COUPON_PERCENTAGE, COUPON_FIXED };

struct coupon {
	int64_t id;		/* coupons.id */
	const char *code;	/* upper-case code */
	const char *description;/* shown to the buyer, may be "" */
	enum coupon_kind kind;	/* percentage or fixed amount */
	int64_t percent_off;	/* 1..100 for percentage */
	int64_t amount_off;	/* minor units for fixed */
	const char *currency;	/* currency of amount_off and the limits */
	int64_t max_discount;	/* cap on a percentage discount, 0: none */
	int64_t min_purchase;	/* cart subtotal needed, 0: none */
	int64_t max_uses;	/* in total, 0: unlimited */
	int64_t max_uses_per_user; /* per user, 0: unlimited */
	int64_t valid_from;	/* unix seconds, 0: always */
	int64_t valid_until;	/* unix seconds (exclusive), 0: forever */
	int is_active;		/* switched on by an admin */
	const char **types;	/* course types it is restricted to */
	size_t ntypes;		/* 0: any type */
	int64_t *courses;	/* course ids it is restricted to */
	size_t ncourses;	/* 0: any course */
};

/* One priced line of a cart or order. */
struct price_line {
	int64_t course_id;	/* courses.id */
	const char *course_type;/* its type, for type restrictions */
	int64_t amount;		/* line total in minor units */
	int64_t discount;	/* out: this line's share of the discount */
};

enum coupon_verdict {
	COUPON_OK,
	COUPON_UNKNOWN,		/* no such code */
	COUPON_INACTIVE,	/* switched off */
	COUPON_NOT_YET,		/* before valid_from */
	COUPON_EXPIRED,		/* at or after valid_until */
	COUPON_USED_UP,		/* max_uses reached (reservations count) */
	COUPON_USER_LIMIT,	/* max_uses_per_user reached */
	COUPON_MIN_PURCHASE,	/* subtotal below min_purchase */
	COUPON_NO_MATCH,	/* no item of the cart qualifies */
	COUPON_CURRENCY,	/* the cart is in another currency */
	COUPON_VERDICT_MAX
};

/* Returns the plain-words reason for v, for the cart page. */
const char *coupon_verdict_message(enum coupon_verdict v);

/* Decides whether c applies at time now, given uses_total and uses_user
 * (reserved + redeemed, the current order excluded), to the n lines in
 * currency.  On COUPON_OK sets *discount (0 < discount <= the qualifying
 * amount, capped) and each line's share (shares sum to *discount; the
 * remainder of rounding goes to the largest lines). */
enum coupon_verdict coupon_apply(const struct coupon *c, int64_t now,
    int64_t uses_total, int64_t uses_user, const char *currency,
    struct price_line *lines, size_t n, int64_t *discount);

/* Loads the coupon with code (case-insensitive) and its restrictions into
 * *c (strings and arrays in the arena).  ERR_NOTFOUND when there is none. */
enum err coupon_load(struct db *db, struct arena *a, const char *code,
    struct coupon *c);

/* Counts the reserved and redeemed uses of coupon_id in total and by
 * user_id, leaving out the reservation of exclude_order_id (0: none). */
enum err coupon_usage(struct db *db, int64_t coupon_id, int64_t user_id,
    int64_t exclude_order_id, int64_t *total, int64_t *by_user);

#endif
