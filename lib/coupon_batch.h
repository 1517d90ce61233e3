/* Batches of single-use coupon codes for a partner or an event: N codes
 * sharing one rule set, each an ordinary coupon with max_uses 1, a common
 * prefix and a random suffix (libsodium) of characters nobody misreads
 * (no 0/O, 1/I/L).  The batch is made in one transaction with one audit
 * row, and downloads as CSV: each code and whether it was used. */
#ifndef ENROLL_COUPON_BATCH_H
#define ENROLL_COUPON_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "coupon.h"
#include "err.h"

struct db;
struct buf;

#define COUPON_BATCH_MAX 1000	/* codes in one batch at most */
#define COUPON_PREFIX_MAX 20	/* prefix length; the code adds 9 */
#define COUPON_BATCH_PAGE 50	/* batches on one page of their list */

struct coupon_batch {
	int64_t id;		/* coupon_batches.id */
	const char *name;	/* who or what it is for, arena */
	const char *prefix;	/* upper case, arena */
	int64_t size;		/* codes made */
	int64_t created_at;	/* UTC seconds */
	int64_t redeemed;	/* codes used by paid orders */
	int64_t reserved;	/* codes held by pending checkouts */
	int64_t first_id;	/* one of its coupons, to show the rules */
};

/* Makes a batch of size codes "<prefix>-XXXXXXXX" with the rules of c
 * (its code and max_uses are ignored: each code is used once) and one
 * audit row by actor; sets *id.  ERR_INVALID for a size out of 1..
 * COUPON_BATCH_MAX or a prefix that is not [A-Z0-9_-]{1,20}. */
enum err coupon_batch_create(struct db *db, int64_t actor, const char *name,
    const char *prefix, int64_t size, const struct coupon *c, int64_t now,
    int64_t *id);

/* Lists up to COUPON_BATCH_PAGE batches with ids below before (0: from
 * the newest) into *out (arena); *more is 1 when older ones follow. */
enum err coupon_batch_list(struct db *db, struct arena *a, int64_t before,
    struct coupon_batch **out, size_t *n, int *more);

/* Loads batch id into *b (arena).  ERR_NOTFOUND when there is none. */
enum err coupon_batch_get(struct db *db, struct arena *a, int64_t id,
    struct coupon_batch *b);

/* Appends batch id as CSV to out: a header, then one record per code in
 * code order: code, batch name, used ("yes", "reserved" while a checkout
 * holds it, "no") and active ("yes"/"no"). */
enum err coupon_batch_csv(struct db *db, int64_t id, struct buf *out);

#endif
