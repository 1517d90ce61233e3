/* The wishlist: courses a student keeps for later.  A course the student
 * already holds (access.h) cannot be added, nor one off sale; buying or
 * enrolling takes it off the list (lib/fulfil.c, lib/enrollment.c).
 * "Move to cart" puts it in the cart and off the list. */
#ifndef ENROLL_WISHLIST_H
#define ENROLL_WISHLIST_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "cart_items.h"
#include "catalog.h"
#include "err.h"

struct db;

#define WISHLIST_MAX 100	/* courses one list holds */

enum wishlist_add_result {
	WISHLIST_ADDED,		/* on the list now */
	WISHLIST_ALREADY,	/* it was already */
	WISHLIST_OWNED,		/* the student holds the course */
	WISHLIST_NOT_ON_SALE,	/* inactive course */
	WISHLIST_FULL,		/* WISHLIST_MAX reached */
	WISHLIST_ADD_MAX
};

/* Returns the plain-words message for r, for the next page. */
const char *wishlist_add_message(enum wishlist_add_result r);

/* Adds course_id to user_id's wishlist at now.  ERR_NOTFOUND when there
 * is no such course; otherwise *res says what happened. */
enum err wishlist_add(struct db *db, int64_t user_id, int64_t course_id,
    int64_t now, enum wishlist_add_result *res);

/* Takes course_id off the list; *removed is 1 when it was on it. */
enum err wishlist_remove(struct db *db, int64_t user_id, int64_t course_id,
    int *removed);

/* Sets *has to 1 when course_id is on user_id's list. */
enum err wishlist_has(struct db *db, int64_t user_id, int64_t course_id,
    int *has);

/* Lists user_id's wishlist, newest first, into *out (arena). */
enum err wishlist_list(struct db *db, struct arena *a, int64_t user_id,
    struct course **out, size_t *n);

/* Puts course_id in user_id's cart and, when it is there, off the list.
 * *res is what the cart said (CART_ADDED, CART_ALREADY_IN, CART_OWNED,
 * ...); ERR_NOTFOUND when the course is not on the list. */
enum err wishlist_move_to_cart(struct db *db, int64_t user_id,
    int64_t course_id, enum cart_add_result *res);

#endif
