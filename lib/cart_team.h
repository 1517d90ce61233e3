/* A cart bought for a team (issue 18): the buyer, an owner or manager of
 * the team, chooses "for me" or one team on the cart page; a team cart's
 * lines carry a number of seats (1..CART_SEATS_MAX), and a coupon applies
 * per seat: its rules are worked out on one seat of each line (a percent
 * or an amount off, a cap, a minimum) and each line's share is multiplied
 * by its seats.  The order still counts as one use of the coupon. */
#ifndef ENROLL_CART_TEAM_H
#define ENROLL_CART_TEAM_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "coupon.h"
#include "err.h"

struct db;

#define CART_SEATS_MAX 1000	/* seats of one line (schema's CHECK) */

/* A team the buyer may buy for. */
struct cart_team {
	int64_t id;		/* teams.id */
	const char *name;	/* arena */
};

/* Sets *yes to 1 when user_id is an owner or a manager of team_id. */
enum err cart_team_manages(struct db *db, int64_t team_id, int64_t user_id,
    int *yes);

/* Sets *out (arena, *n entries) to the teams user_id owns or manages,
 * by name. */
enum err cart_team_choices(struct db *db, struct arena *a, int64_t user_id,
    struct cart_team **out, size_t *n);

/* Buys user_id's cart for team_id (0: for user_id), making the cart
 * when they have none: ERR_FORBIDDEN when they do not manage it (nothing
 * changes).  Back to "me", every line is one seat again. */
enum err cart_buy_for(struct db *db, int64_t user_id, int64_t team_id,
    int64_t now);

/* Sets the seats of course_id in user_id's team cart to n: ERR_INVALID
 * unless 1 <= n <= CART_SEATS_MAX, ERR_CONFLICT when the cart is not for
 * a team, ERR_NOTFOUND when the course is not in it. */
enum err cart_set_seats(struct db *db, int64_t user_id, int64_t course_id,
    int64_t n, int64_t now);

/* coupon_apply (coupon.h) per seat: lines[i].amount is one seat's price
 * of line i, seats[i] its seats.  On COUPON_OK each lines[i].discount is
 * the whole line's share (one seat's share times seats[i]) and
 * *discount their sum. */
enum coupon_verdict cart_coupon_per_seat(const struct coupon *c,
    int64_t now, int64_t uses_total, int64_t uses_user,
    const char *currency, struct price_line *lines, const int64_t *seats,
    size_t n, int64_t *discount);

#endif
