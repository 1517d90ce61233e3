/* How an order's lines read, the same on the order page and in the
 * confirmation mail: each course with its price, its share of the
 * discount and what was paid for it, then the subtotal, the discount with
 * the coupon's code and the total paid.  An order without a discount
 * shows no discount anywhere. */
#ifndef ENROLL_RECEIPT_H
#define ENROLL_RECEIPT_H

#include <stdint.h>

#include "buf.h"
#include "err.h"

struct db;
struct order;
struct order_item;

struct receipt_line {
	int64_t price;		/* unit price x quantity, minor units */
	int64_t discount;	/* the line's share of the order's discount */
	int64_t paid;		/* price - discount */
};

/* Fills *out for it.  ERR_INVALID when the amounts overflow or the
 * discount exceeds the price (a broken order row). */
enum err receipt_line(const struct order_item *it, struct receipt_line *out);

/* Appends o's lines and totals to out as plain text, each course followed
 * by its address under base_url.  ERR_INVALID as receipt_line;
 * ERR_INTERNAL when memory ran out. */
enum err receipt_text(const struct order *o, const char *base_url,
    struct buf *out);

/* Loads order order_id (in the caller's transaction, if one is open) and
 * appends receipt_text() of it: the body of the confirmation mail. */
enum err receipt_mail_text(struct db *db, int64_t order_id,
    const char *base_url, struct buf *out);

#endif
