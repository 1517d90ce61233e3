/* Places in a cohort and in a session option (issue 19, migration 020):
 * the counters that keep both from being oversold, and the moves of a
 * place.  Every function is one step of the caller's transaction (a
 * checkout, a payment, an expiry, a booking) and leaves the audit row to
 * it.
 *
 * A place is held by one conditional UPDATE of cohorts.held (held <
 * capacity, the cohort active and its deadline not passed) and the
 * schema's CHECK (held <= capacity): of two buyers racing for the last
 * place one changes the row and the other is told ERR_CONFLICT, on SQLite
 * (one writer) as on PostgreSQL (a row lock).  Options count bookings the
 * same way in step_options.booked. */
#ifndef ENROLL_COHORT_PLACE_H
#define ENROLL_COHORT_PLACE_H

#include <stdint.h>

#include "err.h"

struct db;

enum cohort_place_status {
	PLACE_RESERVED,		/* a pending checkout's, until expires_at */
	PLACE_TAKEN,		/* paid for */
	PLACE_OFFERED,		/* to the first on the waitlist */
	PLACE_RELEASED,		/* given back */
	PLACE_STATUS_MAX
};

/* "reserved", "taken", "offered", "released". */
const char *cohort_place_status_name(enum cohort_place_status s);

/* Why a cohort gives no place, in plain words for the student. */
enum cohort_refusal {
	COHORT_OPEN,		/* it would: no refusal */
	COHORT_INACTIVE,	/* not taking students */
	COHORT_PAST_DEADLINE,	/* enrollment closed */
	COHORT_FULL,		/* every place held */
	COHORT_REFUSAL_MAX
};

/* A sentence saying why (the cohort named by the page around it). */
const char *cohort_refusal_message(enum cohort_refusal r);

/* Holds a place of cohort_id for user_id with status (reserved for
 * order_id until expires_at, or offered until expires_at, or taken) and
 * sets *place_id.  When no place is given, *why says why and the result is
 * ERR_CONFLICT (ERR_NOTFOUND when there is no such cohort); a live place
 * the person already holds in the cohort is ERR_CONFLICT with *why
 * COHORT_OPEN. */
enum err cohort_place_hold(struct db *db, int64_t cohort_id, int64_t user_id,
    int64_t order_id, enum cohort_place_status status, int64_t expires_at,
    int64_t now, int64_t *place_id, enum cohort_refusal *why);

/* Moves place_id from reserved or offered to taken (the payment came):
 * the place stays counted.  ERR_NOTFOUND when it is not live. */
enum err cohort_place_take(struct db *db, int64_t place_id, int64_t now);

/* Gives place_id back (expired, failed, refunded, moved): released, and
 * the cohort's count goes down; then the place is offered to the first on
 * the cohort's waitlist (waitlist_offer_next, in the same transaction).
 * ERR_NOTFOUND when it was not live. */
enum err cohort_place_release(struct db *db, int64_t place_id, int64_t now);

/* Sets *offered when user_id holds a live place offered to them in
 * cohort_id (a waitlist offer, lib/waitlist.h): such a person may enroll
 * in a cohort that looks full, and after its deadline. */
enum err cohort_place_offered(struct db *db, int64_t cohort_id,
    int64_t user_id, int *offered);

/* Books option_id for user_id's booking of its step (the row must exist:
 * made when the place was paid for), moving them from the option they had
 * (its count goes down) in the same step.  ERR_CONFLICT when the option
 * is full (nothing changes), ERR_NOTFOUND when the option is not of the
 * booking's cohort and step. */
enum err cohort_option_book(struct db *db, int64_t user_id, int64_t option_id,
    int64_t now);

#endif
