/* Fulfilment of cohort orders (issue 19): what grant() adds for an
 * order's cohort items, and what becomes of a payment for a cohort that
 * filled before it arrived (its place lapsed and was taken meanwhile):
 * nothing is granted, the order is recorded refunded with a mail saying
 * why, in the fulfilment's transaction; then, after it commits,
 * fulfil_cohort_refund() gives the money back at Stripe (an idempotency
 * key per session, so the webhook and the success page refund once).
 * The order is flagged only when that refund fails. */
#ifndef ENROLL_FULFIL_COHORT_H
#define ENROLL_FULFIL_COHORT_H

#include <stdint.h>

#include "buf.h"
#include "err.h"

struct db;
struct stripe;

/* In grant's transaction: the buyer's booking rows for each cohort of
 * order_id (single-option steps booked, cohort_bookings.h). */
enum err fulfil_cohort_bookings(struct db *db, int64_t order_id,
    int64_t user_id, int64_t now);

/* Appends to body a "Book your sessions" line with the booking wizard's
 * address for each cohort course of order_id. */
enum err fulfil_cohort_mail_text(struct db *db, int64_t order_id,
    const char *base_url, struct buf *body);

/* The mail's text when cohort (its name) filled before the payment of
 * order number arrived: written into body. */
void fulfil_cohort_full_text(struct buf *body, const char *name,
    const char *number, const char *cohort, const char *base_url,
    int64_t order_id);

/* After the fulfilment that said FULFIL_COHORT_FULL committed: refunds
 * payment_intent (session_id's payment of order_id) at Stripe in full.
 * A failure is logged and flags the order for an admin. */
enum err fulfil_cohort_refund(struct db *db, struct stripe *s,
    int64_t order_id, const char *session_id, const char *payment_intent);

#endif
