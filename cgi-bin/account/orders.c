/* account: the student's orders, a receipt or what became of an unpaid
 * order, and continuing or dropping an unpaid one. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "cart_items.h"
#include "checkout.h"
#include "order.h"
#include "server.h"
#include "session.h"
#include "user.h"
#include "view.h"

#define ORDERS_PER_PAGE 20

/* Adds to ctx, for the orders page under filter f: "show" (the filter's
 * name) and, for the default list, "hidden": how many unfinished
 * checkouts it leaves out. */
static enum err
orders_filter_ctx(struct req *rq, cJSON *ctx, enum order_filter f)
{
	int64_t hidden = 0;
	enum err e;

	cJSON_AddStringToObject(ctx, "show", order_filter_name(f));
	if (f == ORDERS_SETTLED && (e = order_count(rq->w->db, rq->user->id,
	    ORDERS_UNFINISHED, &hidden)) != ERR_OK)
		return e;
	cJSON_AddNumberToObject(ctx, "hidden", (double)hidden);
	return ERR_OK;
}

/* GET /payment/orders?show=: the user's orders, newest first; paid and
 * refunded ones unless show asks for the unfinished or all. */
enum err
h_orders(struct req *rq, struct resp *rs)
{
	const char *show = field_str(rq, "show");
	const char *filters[] = { "show", show, NULL };
	enum order_filter f = ORDERS_SETTLED;
	struct order *os;
	int64_t page;
	size_t n;
	int more;
	cJSON *ctx, *arr, *o;
	enum err e;

	if (field_bad(rq, "show") || (show != NULL &&
	    !order_filter_of(show, &f)) || field_page(rq, &page) != ERR_OK) {
		rs->message = "There is no such list of orders. Choose one "
		    "from the list.";
		return ERR_INVALID;
	}
	if ((e = order_list(rq->w->db, rq->arena, rq->user->id, f, page,
	    ORDERS_PER_PAGE, &os, &n, &more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (arr = cJSON_AddArrayToObject(ctx, "orders")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = view_order(rq->arena, &os[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	if ((e = orders_filter_ctx(rq, ctx, f)) != ERR_OK ||
	    (e = view_pager(rq->arena, ctx, "/payment/orders", filters, page,
	    more)) != ERR_OK)
		return e;
	rs->tmpl = "payment/orders.html";
	return ERR_OK;
}

/* Returns "/payment/order/<id>" in the arena (NULL on OOM). */
static const char *
order_page(struct req *rq, int64_t id)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "/payment/order/%lld", (long long)id);
	return arena_strdup(rq->arena, buf);
}

/* POST /payment/order/<id>/continue: an unpaid order goes on: to Stripe's
 * page while its checkout is open, else its courses go back into the
 * cart, from where the student checks out again. */
enum err
h_order_continue(struct req *rq, struct resp *rs)
{
	enum cart_add_result refused;
	struct order o;
	size_t added;
	enum err e;

	if ((e = order_load(rq->w->db, rq->arena, rq->id, rq->user->id, &o)) !=
	    ERR_OK)
		return e;
	if (order_status_settled(o.status))
		return resp_flash_redirect(rq, rs, order_page(rq, o.id),
		    "This order is paid: there is nothing to continue.");
	if (order_payable(&o, (int64_t)time(NULL)))
		return resp_redirect(rs, o.session_url);
	if ((e = cart_take_order(rq->w->db, &o, &added, &refused)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/cart",
	    refused != CART_ADD_MAX ? cart_add_message(refused) :
	    "The order's courses are in your cart again: check out when you "
	    "are ready.");
}

/* POST /payment/order/<id>/drop: the student no longer wants an unpaid
 * order: an open checkout is closed at Stripe and cancelled (so it cannot
 * be paid later), and the order's courses leave the cart. */
enum err
h_order_drop(struct req *rq, struct resp *rs)
{
	struct order o;
	int paid = 0, changed, removed;
	enum err e;

	if ((e = order_load(rq->w->db, rq->arena, rq->id, rq->user->id, &o)) !=
	    ERR_OK)
		return e;
	if (order_status_settled(o.status))
		return resp_flash_redirect(rq, rs, order_page(rq, o.id),
		    "A paid order cannot be dropped. For a refund, write to us "
		    "with its number.");
	if (o.status == ORDER_PENDING) {
		e = checkout_cancel(rq->w->db, worker_stripe(rq->w), rq->arena,
		    rq->user->id, o.id, rq->w->cfg.base_url, time(NULL), &paid,
		    &changed);
		if (e == ERR_UPSTREAM)
			rs->message = "We could not reach the payment service to "
			    "close your checkout. Nothing was charged; please "
			    "try again in a minute.";
		if (e != ERR_OK)
			return e;
		if (paid)
			return resp_flash_redirect(rq, rs, order_page(rq, o.id),
			    "Your payment had already gone through: this is "
			    "your receipt.");
	}
	if ((e = cart_drop_order(rq->w->db, &o, &removed)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/orders", "The order is "
	    "dropped: nothing was charged, and its courses are out of your "
	    "cart.");
}

/* GET /payment/order/<id>: the receipt of a paid order, or what became
 * of an unpaid one; anyone else's order is a 404. */
enum err
h_order(struct req *rq, struct resp *rs)
{
	struct order o;
	cJSON *ctx, *v;
	enum err e;

	if ((e = order_load(rq->w->db, rq->arena, rq->id, rq->user->id, &o)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (v = view_order(rq->arena, &o)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddItemToObject(ctx, "order", v);
	rs->tmpl = "payment/order.html";
	return ERR_OK;
}

const struct field orders_fields[] = {
	{ "show", F_TOKEN, 20 },
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};

