/* Applying Stripe events: each event's effects commit in the same
 * transaction that records its id, so a redelivery (or the reconcile job
 * finding it again) changes nothing.  Used by the webhook program and by
 * `enrollctl reconcile`. */
#ifndef ENROLL_EVENTS_H
#define ENROLL_EVENTS_H

#include <stdint.h>

#include "err.h"
#include "stripe.h"

struct db;

struct event_result {
	int duplicate;		/* the event id was already recorded */
	const char *outcome;	/* what was done, static text */
	int64_t order_id;	/* the order it concerned, 0: none */
	char refund_payment_intent[STRIPE_ID_SIZE]; /* after commit, refund
				   this payment (a superseded session was paid),
				   "" when nothing is due */
};

/* Records ev and applies its effects in one transaction.  ERR_BUSY when
 * the database is locked (answer 5xx so Stripe retries); ERR_OK otherwise,
 * also for events we do not act on (stored and acknowledged). */
enum err events_apply(struct db *db, const struct stripe_event *ev,
    const char *base_url, struct event_result *res);

/* Returns the creation time of the newest recorded event, 0 when none:
 * where `enrollctl reconcile` resumes. */
enum err events_last_created(struct db *db, int64_t *created);

/* Lists Stripe's events since shortly before the newest one recorded and
 * applies, oldest first, those the webhook missed (the others are
 * duplicates and change nothing).  *seen and *applied count them. */
enum err events_reconcile(struct db *db, struct stripe *s,
    const char *base_url, int *seen, int *applied);

#endif
