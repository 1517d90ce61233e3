/* The right button (see offer.h).  A guest's access needs no query: a
 * guest has no enrollment, so the course row already holds the facts
 * access_decide() reads. */
#include <string.h>

#include "access.h"
#include "cart_items.h"
#include "db.h"
#include "offer.h"
#include "wishlist.h"

static const struct {
	const char *name;	/* for templates */
	const char *label;	/* on the button */
} offers[OFFER_MAX] = {
	[OFFER_CONTINUE] = { "continue", "Continue learning" },
	[OFFER_IN_CART] = { "in_cart", "In your cart" },
	[OFFER_ENROLL_FREE] = { "enroll_free", "Enroll free" },
	[OFFER_ADD_TO_CART] = { "add_to_cart", "Add to cart" },
	[OFFER_CHOOSE_COHORT] = { "choose_cohort", "Choose a cohort" },
	[OFFER_NOT_ON_SALE] = { "not_on_sale", "Not on sale" },
};

const char *
offer_name(enum offer o)
{
	return (unsigned)o < OFFER_MAX ? offers[o].name : "";
}

const char *
offer_label(enum offer o)
{
	return (unsigned)o < OFFER_MAX ? offers[o].label : "";
}

enum err
offer_viewer(struct db *db, int64_t user_id, const char *guest_id,
    struct offer_viewer *v)
{
	v->user_id = user_id;
	return cart_id_of(db, user_id, guest_id, &v->cart_id);
}

/* Sets *in when course_id is in cart_id. */
static enum err
in_cart(struct db *db, int64_t cart_id, int64_t course_id, int *in)
{
	struct db_stmt *st;
	enum err e;

	*in = 0;
	if (cart_id == 0)
		return ERR_OK;
	st = db_prep(db, "SELECT 1 FROM cart_items WHERE cart_id = ? AND "
	    "course_id = ?");
	db_bind_int64(st, 1, cart_id);
	db_bind_int64(st, 2, course_id);
	e = db_next(st);
	db_done(st);
	*in = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* The visitor's access to c. */
static enum err
access_of(struct db *db, const struct offer_viewer *v,
    const struct course *c, int64_t now, struct access *acc)
{
	struct access_facts guest = { .price_amount = c->price_amount,
	    .is_active = c->is_active };

	if (v->user_id > 0)
		return access_check(db, v->user_id, c->id, now, acc);
	access_decide(&guest, now, acc);
	return ERR_OK;
}

enum err
offer_of(struct db *db, const struct offer_viewer *v, const struct course *c,
    int64_t now, struct course_offer *out)
{
	struct access acc;
	int cart;
	enum err e;

	out->wishlisted = out->may_wishlist = 0;
	if ((e = access_of(db, v, c, now, &acc)) != ERR_OK)
		return e;
	if (access_owned(&acc)) {
		out->offer = OFFER_CONTINUE;
		return ERR_OK;
	}
	if ((e = in_cart(db, v->cart_id, c->id, &cart)) != ERR_OK)
		return e;
	out->offer = cart ? OFFER_IN_CART : !c->is_active ? OFFER_NOT_ON_SALE :
	    c->price_amount == 0 ? OFFER_ENROLL_FREE :
	    strcmp(c->type, "cohort") == 0 ? OFFER_CHOOSE_COHORT :
	    OFFER_ADD_TO_CART;
	if (v->user_id <= 0)
		return ERR_OK;
	if ((e = wishlist_has(db, v->user_id, c->id, &out->wishlisted)) !=
	    ERR_OK)
		return e;
	out->may_wishlist = !out->wishlisted && c->is_active;
	return ERR_OK;
}
