/* Stripe events: a notification that something of ours may have changed,
 * never the truth itself.  Stripe sends every endpoint of an account every
 * event of that account, in any order, so each event is first traced to a
 * Checkout Session this store made (by its list of sessions, or by the
 * install id in the session's metadata); events about anything else are
 * recorded as "not-ours" and change nothing.  For ours, the session is
 * read again from the API (with its payment intent's latest charge) and
 * the order brought to that state (fulfil.h), in the same transaction that
 * records the event id, so a redelivery changes nothing.  Used by the
 * webhook and by `enrollctl reconcile`. */
#ifndef ENROLL_EVENTS_H
#define ENROLL_EVENTS_H

#include <stdint.h>

#include "err.h"
#include "stripe.h"

struct db;

/* What handling an event needs. */
struct events_ctx {
	struct db *db;		/* the store's database */
	struct stripe *stripe;	/* the API client, or NULL (no key): events
				   about our payments then fail ERR_UPSTREAM */
	const char *base_url;	/* for links in mail */
	int livemode;		/* the configured key's mode: 1 sk_live_ */
	const char *request_id;	/* for log lines, or NULL */
};

struct event_result {
	int duplicate;		/* the event id was already recorded */
	const char *outcome;	/* what was done, static text */
	int64_t order_id;	/* the order it concerned, 0: none */
};

/* Traces ev, reads its session from Stripe when it is ours, and records
 * and applies it in one transaction; a superseded session's payment is
 * then refunded at Stripe.  ERR_BUSY when the database is locked and
 * ERR_UPSTREAM when Stripe could not be asked (answer 5xx so Stripe
 * retries); ERR_OK otherwise, also for events that are not ours or that
 * we do not act on (recorded and acknowledged). */
enum err events_handle(const struct events_ctx *c,
    const struct stripe_event *ev, struct event_result *res);

/* Returns 1 when a secret key is a live-mode one (sk_live_, rk_live_). */
int events_key_is_live(const char *secret_key);

/* Returns the creation time of the newest recorded event, 0 when none:
 * where `enrollctl reconcile` resumes. */
enum err events_last_created(struct db *db, int64_t *created);

/* Lists Stripe's events since shortly before the newest one recorded and
 * handles, oldest first, those the webhook missed (the others are
 * duplicates and change nothing).  *seen and *applied count them. */
enum err events_reconcile(const struct events_ctx *c, int *seen,
    int *applied);

#endif
