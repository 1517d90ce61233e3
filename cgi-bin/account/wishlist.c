/* account: the wishlist: the list with each course's button, adding a
 * course (from its page), removing one, and moving one to the cart. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "offer.h"
#include "session.h"
#include "url.h"
#include "user.h"
#include "view.h"
#include "wishlist.h"

#define WISHLIST_PAGE "/account/wishlist"

/* GET /account/wishlist */
enum err
h_wishlist(struct req *rq, struct resp *rs)
{
	struct course_offer of;
	struct offer_viewer v;
	struct course *cs;
	size_t n;
	cJSON *ctx, *arr, *o;
	enum err e;

	if ((e = wishlist_list(rq->w->db, rq->arena, rq->user->id, &cs,
	    &n)) != ERR_OK || (e = offer_viewer(rq->w->db, rq->user->id, NULL,
	    &v)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (arr = cJSON_AddArrayToObject(ctx, "courses")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((e = offer_of(rq->w->db, &v, &cs[i], (int64_t)time(NULL),
		    &of)) != ERR_OK)
			return e;
		if ((o = view_course(rq->arena, &cs[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		if ((e = view_offer(rq->arena, o, &cs[i], &of)) != ERR_OK)
			return e;
	}
	rs->tmpl = "account/wishlist.html";
	return ERR_OK;
}

/* POST /account/wishlist/add/<id>: back to the course's page. */
enum err
h_wishlist_add(struct req *rq, struct resp *rs)
{
	enum wishlist_add_result r;
	struct course c;
	enum err e;

	if ((e = catalog_get_by_id(rq->w->db, rq->arena, rq->id, &c)) !=
	    ERR_OK || (e = wishlist_add(rq->w->db, rq->user->id, c.id,
	    (int64_t)time(NULL), &r)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, url_segment(rq->arena,
	    "/courses/", c.slug), wishlist_add_message(r));
}

/* POST /account/wishlist/remove/<id>: next (a same-site page), or the
 * wishlist. */
enum err
h_wishlist_remove(struct req *rq, struct resp *rs)
{
	int removed;
	enum err e;

	if ((e = wishlist_remove(rq->w->db, rq->user->id, rq->id, &removed)) !=
	    ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, req_safe_next(field_str(rq,
	    "next"), WISHLIST_PAGE), removed ? "Removed from your wishlist." :
	    "That course was not on your wishlist.");
}

/* POST /account/wishlist/move-to-cart/<id>: to the cart. */
enum err
h_wishlist_move(struct req *rq, struct resp *rs)
{
	enum cart_add_result r;
	enum err e;

	e = wishlist_move_to_cart(rq->w->db, rq->user->id, rq->id, &r);
	if (e == ERR_NOTFOUND)
		return resp_flash_redirect(rq, rs, WISHLIST_PAGE, "That course "
		    "is not on your wishlist.");
	if (e != ERR_OK)
		return e;
	if (r != CART_ADDED && r != CART_ALREADY_IN)
		return resp_flash_redirect(rq, rs, WISHLIST_PAGE,
		    cart_add_message(r));
	return resp_flash_redirect(rq, rs, "/payment/cart", r == CART_ADDED ?
	    "Moved from your wishlist to your cart." : cart_add_message(r));
}
