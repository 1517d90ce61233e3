/* Health for an operator's monitoring (GET /healthz): whether the database
 * can be written and has the schema this program needs, how much mail
 * waits and for how long, and when Stripe last reached the webhook.  No
 * secret is in it. */
#ifndef ENROLL_HEALTH_H
#define ENROLL_HEALTH_H

#include <stdint.h>

#include "buf.h"
#include "err.h"

struct db;

struct health {
	int writable;		/* a write to the database committed */
	int schema;		/* PRAGMA user_version */
	int schema_expected;	/* what this program's migrations make */
	int64_t outbox_pending;	/* mails not yet sent */
	int64_t outbox_oldest_age; /* seconds the oldest has waited, 0: none */
	int64_t last_event_at;	/* when the newest Stripe event arrived,
				   0: never */
};

/* Fills h at time now.  A database that cannot be written is reported in
 * h->writable, not as an error; ERR_OK unless even reading failed. */
enum err health_check(struct db *db, int64_t now, struct health *h);

/* Returns 1 when h is fit to serve: writable and on its schema. */
int health_ok(const struct health *h);

/* Writes, in Prometheus' text format, what the database knows: webhook
 * events by outcome, orders by status and the mail waiting. */
enum err health_write_metrics(struct db *db, struct buf *out);

#endif
