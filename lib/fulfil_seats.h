/* A team order's seats (issue 18): what fulfilment and refunds do to a
 * team's seats instead of enrolling or un-enrolling the buyer.  Every
 * function is one step of the caller's transaction (the payment, the
 * refund, the event) and writes the audit row of each seat it revokes.
 *
 * When seats go back:
 *   - an admin's refund of n seats of an item (refund_open) revokes the
 *     assignments the admin chose and removes the n seats when the refund
 *     is recorded (pending), so nobody assigns them while Stripe is asked;
 *     a refund Stripe refuses gives the seats back (fulfil_seats_restore),
 *     and those revoked stay revoked;
 *   - Stripe taking all the money back with no admin's choice (a refund
 *     made in Stripe's dashboard, a dispute) removes every seat of the
 *     order not refunded yet: free seats first, then the newest
 *     assignments are revoked (fulfil_seats_take_back), and the order is
 *     flagged for review naming how many. */
#ifndef ENROLL_FULFIL_SEATS_H
#define ENROLL_FULFIL_SEATS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

/* Adds each item's seats of paid order order_id to team_id. */
enum err fulfil_seats_grant(struct db *db, int64_t order_id, int64_t team_id,
    int64_t now);

/* Removes every seat of order_id not refunded yet from team_id, revoking
 * the newest assignments where too few are free: *removed counts the
 * seats, *revoked the assignments. */
enum err fulfil_seats_take_back(struct db *db, int64_t order_id,
    int64_t team_id, int64_t now, int64_t *removed, int64_t *revoked);

/* One person who holds a seat of a team's course (active or invited). */
struct seat_holder {
	int64_t id;		/* seat_assignments.id */
	const char *name;	/* the account's name, "" for an invitation */
	const char *email;	/* lower-case */
	const char *status;	/* "active" or "invited" */
	int64_t since;		/* created_at */
};

/* Sets *out (arena, *n entries, newest first) to who holds team_id's
 * seats of course_id, and *idle to the seats nobody holds. */
enum err fulfil_seats_holders(struct db *db, struct arena *a,
    int64_t team_id, int64_t course_id, struct seat_holder **out, size_t *n,
    int64_t *idle);

/* An admin's refund of n seats of order item item_id (team_id's seats of
 * course_id): revokes the chosen assignments (by actor), then removes
 * the n seats and counts them refunded on the item.  ERR_NOTFOUND when a
 * chosen one is not a live assignment of these seats; ERR_CONFLICT when,
 * even so, fewer than n are free (nothing is done: the caller rolls
 * back). */
enum err fulfil_seats_refund(struct db *db, int64_t team_id,
    int64_t course_id, int64_t item_id, int64_t n, const int64_t *revoke,
    size_t nrevoke, int64_t actor, const char *why, int64_t now);

/* Stripe refused refund_id: the seats it removed come back to the team
 * and off its items' refunded seats. */
enum err fulfil_seats_restore(struct db *db, int64_t refund_id, int64_t now);

struct buf;

/* Appends to out the paid mail's lines of team order order_id: which
 * team, how many seats of what at what price, the total, and the link to
 * the team's seats page under base_url. */
enum err fulfil_seats_mail_text(struct db *db, int64_t order_id,
    const char *base_url, struct buf *out);

#endif
