/* The cohort places of an order (issue 19): held with the order at
 * checkout, given back when it ends unpaid, taken when it is paid.  Every
 * function is one step of the caller's transaction.
 *
 * A place held at checkout expires when the order's Checkout Session
 * does (expires_at, set once: a retried checkout of the same order reuses
 * its place and never extends it; lib/checkout.c never opens a session
 * that outlives its places).  A payment that arrives for a place no
 * longer held gets a place again if one is free (order_places_claim),
 * else its money goes back (lib/fulfil_cohort.c). */
#ifndef ENROLL_ORDER_PLACES_H
#define ENROLL_ORDER_PLACES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct db;
struct order;

/* Holds a place (reserved until expires_at) in the cohort of each of o's
 * cohort items, for o's buyer.  A waitlist offer the buyer holds in the
 * cohort is used instead (keeping its own expiry).  ERR_CONFLICT with
 * *message (static, plain words) when a cohort gives no place: the caller
 * rolls back, so nothing is held. */
enum err order_places_hold(struct db *db, const struct order *o,
    int64_t expires_at, int64_t now, const char **message);

/* Gives back what order_id holds while unpaid: its reserved places are
 * released (the cohort's count goes down); a waitlist offer it used is
 * the student's again until the offer's own expiry. */
enum err order_places_release(struct db *db, int64_t order_id, int64_t now);

/* Releases every live place of order_id, taken ones too (a payment that
 * could not be honoured). */
enum err order_places_release_all(struct db *db, int64_t order_id,
    int64_t now);

/* order_id was refunded: the places of its cohort items (every one with
 * refund_id 0, else those refund_id covers) are given back with the
 * sessions their student booked, so others can take them (and the first
 * on a waitlist is offered one). */
enum err order_places_refunded(struct db *db, int64_t order_id,
    int64_t refund_id, int64_t now);

/* The payment of order_id came: each cohort item's place moves to taken;
 * one no longer held is held again when the cohort has room.  *full is 1
 * (and name, n bytes, the cohort's name) when a cohort had none: then the
 * order's places are all released and the caller must not grant. */
enum err order_places_claim(struct db *db, int64_t order_id, int64_t user_id,
    int64_t now, int *full, char *name, size_t n);

/* Finds pending orders with a Checkout Session whose cohort place has
 * lapsed: released (by an admin, or by SQL in a test), or a waitlist
 * offer past its expiry.  Their sessions must not stay payable
 * (lib/checkout.c expires them at Stripe).  Up to max ids into ids, *n
 * how many. */
enum err order_places_lapsed(struct db *db, int64_t now, int64_t *ids,
    size_t max, size_t *n);

/* Sets *has to 1 when order_id is for a cohort. */
enum err order_places_any(struct db *db, int64_t order_id, int *has);

#endif
