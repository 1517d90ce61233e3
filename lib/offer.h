/* The right button: what a course offers the visitor looking at it, the
 * same on catalog cards, course pages, the cart, the wishlist and the
 * closed page, decided here once from access.h, the visitor's cart and
 * wishlist: Continue learning (they hold it), In your cart, Enroll free,
 * Add to cart, or nothing when it is off sale; and whether it is on their
 * wishlist. */
#ifndef ENROLL_OFFER_H
#define ENROLL_OFFER_H

#include <stdint.h>

#include "catalog.h"
#include "err.h"

struct db;

enum offer {
	OFFER_CONTINUE,		/* the visitor holds it: Continue learning */
	OFFER_IN_CART,		/* In your cart */
	OFFER_ENROLL_FREE,	/* free: Enroll free */
	OFFER_ADD_TO_CART,	/* Add to cart */
	OFFER_CHOOSE_COHORT,	/* a cohort course: Choose a cohort (its
				   page lists them, each with its button) */
	OFFER_NOT_ON_SALE,	/* off sale: no button */
	OFFER_MAX
};

/* Who is looking: found once per page. */
struct offer_viewer {
	int64_t user_id;	/* 0: a guest */
	int64_t cart_id;	/* the visitor's cart; 0: none */
};

struct course_offer {
	enum offer offer;	/* the button */
	int wishlisted;		/* on the visitor's wishlist */
	int may_wishlist;	/* a student who may add it to the list */
};

/* Fills *v for the visitor (user_id 0 and guest_id for a guest). */
enum err offer_viewer(struct db *db, int64_t user_id, const char *guest_id,
    struct offer_viewer *v);

/* Decides what course c offers viewer v at now. */
enum err offer_of(struct db *db, const struct offer_viewer *v,
    const struct course *c, int64_t now, struct course_offer *out);

/* Returns "continue", "in_cart", ... and the button's words. */
const char *offer_name(enum offer o);
const char *offer_label(enum offer o);

#endif
