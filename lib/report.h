/* The daily summary behind the reports (sql/015_reports.sql): per local
 * day of the school's time zone and per currency, the orders paid that
 * day and their money net of every refund since, by order, by course and
 * by coupon.  A day is always recomputed whole from the orders, never
 * adjusted by a difference, so the summary equals a recomputation: every
 * change to an order's money calls report_order_changed() in the same
 * transaction (lib/fulfil.c), and report_rebuild() recomputes every day.
 *
 * Refunds: order_items.refunded_amount holds what refunds the store made
 * returned of each item; the rest of orders.refunded_amount (refunds made
 * in Stripe's dashboard) is shared out over the order's items in
 * proportion to what of each was still unrefunded (report_share). */
#ifndef ENROLL_REPORT_H
#define ENROLL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct db;

/* Recomputes the summary of the local days of order order_id, inside
 * the caller's open transaction: the checkouts of the day it was made
 * and, once it is paid, the money of the day it was paid.  Called when an
 * order is made (lib/order.c) and whenever its money changes
 * (lib/fulfil.c). */
enum err report_order_changed(struct db *db, int64_t order_id);

/* Recomputes the local day holding UTC second t (orders paid and made
 * on it), in the caller's transaction. */
enum err report_day_recompute(struct db *db, int64_t t);

/* Recomputes every day, in a transaction of its own (BEGIN IMMEDIATE:
 * SQLite's single writer keeps the orders still while it reads them),
 * and records the zone it was built in.  *days (may be NULL) gets the
 * number of days that hold paid orders. */
enum err report_rebuild(struct db *db, int64_t *days);

/* Sets *stale to 1 when the summary was built in another time zone than
 * the process's (tz_name()) or never built, else 0. */
enum err report_stale(struct db *db, int *stale);

/* Shares unattributed out over n items in proportion to weights (each
 * >= 0), into shares, so that the shares sum to exactly unattributed
 * (when the weights sum to more than 0; otherwise all shares are 0).
 * Item i gets floor(u * W(i) / W) - floor(u * W(i-1) / W), where W(i) is
 * the sum of the first i+1 weights: exact, and the same for whoever
 * computes it. */
void report_share(int64_t unattributed, const int64_t *weights, size_t n,
    int64_t *shares);

/* The YYYYMMDD of the local day holding UTC second t. */
int64_t report_day_key(int64_t t);

/* The UTC second at which local day key (YYYYMMDD) begins. */
int64_t report_day_start(int64_t key);

/* The day key n days after key (n may be negative), local calendar. */
int64_t report_day_add(int64_t key, int n);

#endif
