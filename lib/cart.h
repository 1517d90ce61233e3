/* Carts: one per user, or per guest cookie before login.  This file holds
 * what accounts and every page's header need (merging a guest's cart at
 * login, the count of courses in a cart); cart_items.h has the cart
 * page's operations. */
#ifndef ENROLL_CART_H
#define ENROLL_CART_H

#include <stdint.h>

#include "err.h"

struct db;

/* Moves the items of guest_id's cart that user_id's cart lacks into the
 * user's cart (creating it), keeps the user's coupon or else takes the
 * guest's, and deletes the guest cart, all in one transaction.  No guest
 * cart (or guest_id NULL) is ERR_OK with nothing changed.  Returns ERR_OK,
 * ERR_BUSY or ERR_INTERNAL. */
enum err cart_merge_guest(struct db *db, const char *guest_id,
    int64_t user_id);

/* Sets *n to the number of courses in the visitor's cart: user_id's when
 * > 0, else guest_id's (NULL: none), for the header's cart link. */
enum err cart_count(struct db *db, int64_t user_id, const char *guest_id,
    int64_t *n);

#endif
