/* The cart page's operations: what is in a visitor's cart, priced from the
 * database (never from a form), with its coupon re-checked on every look;
 * adding and removing courses; applying and removing a coupon.  A cart
 * belongs to a user (user_id > 0) or to a guest cookie (guest_id). */
#ifndef ENROLL_CART_ITEMS_H
#define ENROLL_CART_ITEMS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "catalog.h"
#include "coupon.h"
#include "err.h"

struct db;

struct cart_line {
	struct course course;	/* the course at today's price */
	int64_t seats;		/* 1, or a team cart's seats of it */
	int64_t amount;		/* price times seats */
	int64_t discount;	/* its share of the coupon's discount (all
				   its seats) */
	int64_t added_amount;	/* its price when it went into the cart, or
				   -1 when unknown */
	int64_t cohort_id;	/* the cohort chosen for a cohort course, 0 */
	const char *cohort_name;/* its name, or NULL */
};

struct cart {
	int64_t id;		/* carts.id, 0 when the visitor has none */
	int64_t team_id;	/* bought for this team (cart_team.h), 0: for
				   its owner */
	struct cart_line *lines;/* n lines, oldest first, arena memory */
	size_t n;		/* lines */
	const char *currency;	/* of the lines; "usd" when empty */
	int64_t subtotal;	/* sum of the lines' amounts */
	int64_t discount;	/* coupon discount, 0 when none applies */
	int64_t total;		/* subtotal - discount */
	const char *coupon_code;/* code stored on the cart, or NULL */
	enum coupon_verdict coupon_verdict; /* whether it applies now */
};

enum cart_add_result {
	CART_ADDED,		/* the course is now in the cart */
	CART_ALREADY_IN,	/* it was already there */
	CART_OWNED,		/* the user already has access */
	CART_NOT_ON_SALE,	/* inactive course */
	CART_FREE,		/* free courses are enrolled in, not bought */
	CART_FULL,		/* too many courses in one cart */
	CART_CHOOSE_COHORT,	/* a cohort course: chosen with its cohort */
	CART_ADD_MAX
};

/* Returns the plain-words message for r, for the next page. */
const char *cart_add_message(enum cart_add_result r);

/* Sets *id to the visitor's cart: user_id's when > 0, else guest_id's
 * (NULL: none); 0 when they have none. */
enum err cart_id_of(struct db *db, int64_t user_id, const char *guest_id,
    int64_t *id);

/* Loads and prices the visitor's cart at time now into *c (arena).  With
 * try_code the cart is priced as if that coupon were on it (to check a
 * code before storing it); NULL uses the stored one. */
enum err cart_load(struct db *db, struct arena *a, int64_t user_id,
    const char *guest_id, const char *try_code, int64_t now, struct cart *c);

/* Adds course_id to the visitor's cart (creating the cart).  ERR_NOTFOUND
 * when there is no such course; otherwise ERR_OK with *res saying what
 * happened (only CART_ADDED changed anything). */
enum err cart_add(struct db *db, int64_t user_id, const char *guest_id,
    int64_t course_id, enum cart_add_result *res);

/* Removes course_id; *removed is 1 when it was in the cart. */
enum err cart_remove(struct db *db, int64_t user_id, const char *guest_id,
    int64_t course_id, int *removed);

/* Stores code on the visitor's cart (NULL removes it).  The caller checks
 * the code first with cart_load's verdict. */
enum err cart_set_coupon(struct db *db, int64_t user_id,
    const char *guest_id, const char *code);

struct order;

/* "Check out again" from an unpaid order's page: puts the courses of o
 * back into its buyer's cart, and its coupon when the cart has none.
 * *added counts the courses added; *refused is the first reason one could
 * not be (owned by now, off sale), CART_ADD_MAX when none was refused. */
enum err cart_take_order(struct db *db, const struct order *o, size_t *added,
    enum cart_add_result *refused);

/* "Drop it": takes the courses of o out of its buyer's cart, and the
 * cart's coupon when nothing is left; *removed counts the courses. */
enum err cart_drop_order(struct db *db, const struct order *o, int *removed);

/* Returns the course ids of c in order (arena), for checkout. */
int64_t *cart_course_ids(struct arena *a, const struct cart *c);

/* Returns the cohort of each line of c in order (0: none; arena), for
 * checkout. */
int64_t *cart_cohort_ids(struct arena *a, const struct cart *c);

/* Puts course_id into the visitor's cart for cohort_id (cohort_offer.h
 * checks the cohort first), replacing the cohort of a line already
 * there.  *res as cart_add (CART_ALREADY_IN: that cohort already). */
enum err cart_add_cohort(struct db *db, int64_t user_id, const char *guest_id,
    int64_t course_id, int64_t cohort_id, enum cart_add_result *res);

/* Returns the seats of each line of c in order (arena), for checkout. */
int64_t *cart_seats(struct arena *a, const struct cart *c);

#endif
