/* checkout: Stripe Checkout sessions, the success and cancel pages, and
 * direct enrollment in free courses.  The work is in lib/checkout.c; these
 * handlers only choose the page or the redirect. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "apps.h"
#include "catalog.h"
#include "checkout.h"
#include "enrollment.h"
#include "order.h"
#include "server.h"
#include "session.h"
#include "url.h"

static const char upstream_message[] = "We could not reach the payment "
    "service. Nothing was charged and your cart is kept; please try again "
    "in a minute.";

/* Stripe answered and refused to start it: no network failure. */
static const char refused_message[] = "The payment could not be started. "
    "Nothing was charged and your cart is kept. Please try again later; if "
    "it keeps happening, tell us and we will look into it.";

/* POST /payment/checkout: to Stripe's page, or to the order when free. */
static enum err
h_checkout(struct req *rq, struct resp *rs)
{
	struct checkout_buyer b = { rq->user->id, rq->user->email,
	    rq->user->name, NULL };
	struct checkout_outcome out;
	enum err e;

	e = checkout_start(rq->w->db, worker_stripe(rq->w), rq->arena, &b,
	    rq->w->cfg.base_url, rq->w->secret, time(NULL), &out);
	if (e == ERR_CONFLICT && out.message != NULL)
		return resp_flash_redirect(rq, rs, "/payment/cart", out.message);
	if (e == ERR_UPSTREAM)
		rs->message = out.refused ? refused_message : upstream_message;
	if (e == ERR_FORBIDDEN)
		rs->message = out.message;
	if (e != ERR_OK)
		return e;
	if (out.message != NULL)
		return resp_flash_redirect(rq, rs, out.redirect, out.message);
	return resp_redirect(rs, out.redirect);
}

/* GET /payment/checkout/success?session_id=...: fulfils from the session
 * Stripe reports (the webhook may not have arrived yet), then shows the
 * order; a payment still processing says so instead of "not bought". */
static enum err
h_success(struct req *rq, struct resp *rs)
{
	const char *sid = field_str(rq, "session_id");
	struct order o = { 0 };
	enum fulfil_outcome fo;
	int64_t order_id;
	char where[64];
	cJSON *ctx;
	enum err e;

	if (sid == NULL)
		return ERR_NOTFOUND;
	e = checkout_confirm(rq->w->db, worker_stripe(rq->w), rq->arena,
	    rq->user->id, sid, rq->w->cfg.base_url, time(NULL), &order_id,
	    &fo);
	if (e == ERR_UPSTREAM)
		rs->message = "We could not ask the payment service about your "
		    "payment just now. If you paid, your access arrives in a "
		    "moment; reload this page.";
	if (e != ERR_OK)
		return e;
	snprintf(where, sizeof(where), "/payment/order/%lld",
	    (long long)order_id);
	if ((fo == FULFIL_GRANTED || fo == FULFIL_ALREADY) &&
	    (e = order_load(rq->w->db, rq->arena, order_id, rq->user->id,
	    &o)) != ERR_OK)
		return e;
	switch (fo) {
	case FULFIL_GRANTED:
	case FULFIL_ALREADY:
		return resp_flash_redirect(rq, rs, arena_strdup(rq->arena,
		    where), o.team_id != 0 ? "Payment received: the seats "
		    "are your team's now. Hand them out from the team's "
		    "seats page." : "Payment received: your courses are "
		    "ready.");
	case FULFIL_PARTIAL:
		return resp_flash_redirect(rq, rs, arena_strdup(rq->arena,
		    where), "Payment received: your courses are ready. Part "
		    "of it has been refunded.");
	case FULFIL_REFUNDED:
	case FULFIL_DISPUTED:
		return resp_flash_redirect(rq, rs, arena_strdup(rq->arena,
		    where), "This payment has been refunded or disputed, so "
		    "the order gives no access.");
	case FULFIL_COHORT_FULL:
		return resp_flash_redirect(rq, rs, arena_strdup(rq->arena,
		    where), "The cohort filled before your payment arrived; "
		    "we have refunded you. The refund reaches your card in a "
		    "few days.");
	case FULFIL_MISMATCH:
	case FULFIL_SUPERSEDED:
	case FULFIL_SUPERSEDED_SETTLED:
		return resp_flash_redirect(rq, rs, arena_strdup(rq->arena,
		    where), "We received a payment that needs a check by our "
		    "team before access is granted. We will write to you.");
	default:
		break;
	}
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddStringToObject(ctx, "order_url", where);
	cJSON_AddStringToObject(ctx, "session_id", sid);
	rs->tmpl = "checkout/processing.html";
	return ERR_OK;
}

/* GET /payment/checkout/cancel?order=&token=: Stripe sends the buyer here
 * with a GET.  With the order's cancel token (checkout_cancel_token: only
 * this store makes it, and only Stripe's cancel_url carries it) the open
 * session is expired at Stripe so it cannot be paid later, the order is
 * cancelled and its reservations released; the cart stays.  Without it,
 * as from a link on another site, nothing changes. */
static enum err
h_cancel(struct req *rq, struct resp *rs)
{
	int64_t order_id = 0;
	int paid, changed;
	enum err e;

	if (!field_int(rq, "order", &order_id) ||
	    !checkout_cancel_token_ok(rq->w->secret, order_id,
	    field_str(rq, "token")))
		return resp_flash_redirect(rq, rs, "/payment/cart", "Nothing "
		    "was cancelled: this link is not one we made for your "
		    "checkout. Your cart is kept.");
	e = checkout_cancel(rq->w->db, worker_stripe(rq->w), rq->arena,
	    rq->user->id, order_id, rq->w->cfg.base_url, time(NULL), &paid,
	    &changed);
	if (e == ERR_UPSTREAM)
		rs->message = upstream_message;
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, paid ? "/payment/orders" :
	    "/payment/cart", paid ? "Your payment had already gone through: "
	    "see your order." : "Checkout cancelled. Your cart is kept.");
}

/* POST /courses/<slug>/enroll: a free course, no cart, no Stripe. */
static enum err
h_enroll_free(struct req *rq, struct resp *rs)
{
	enum enroll_free_result r;
	struct course c;
	const char *page;
	enum err e;

	if ((e = catalog_get(rq->w->db, rq->arena, rq->slug, &c)) != ERR_OK)
		return e;
	if ((e = enrollment_free(rq->w->db, rq->user->id, c.id,
	    rq->w->cfg.base_url, &r)) != ERR_OK)
		return e;
	page = url_segment(rq->arena, "/courses/", c.slug);
	switch (r) {
	case ENROLL_FREE_OK:
		return resp_flash_redirect(rq, rs, "/account/my-courses",
		    "You are enrolled. Enjoy the course!");
	case ENROLL_FREE_ALREADY:
		return resp_flash_redirect(rq, rs, "/account/my-courses",
		    "You are already enrolled in that course.");
	case ENROLL_FREE_NOT_FREE:
		return resp_flash_redirect(rq, rs, page, "This course is not "
		    "free: add it to your cart to buy it.");
	default:
		return resp_flash_redirect(rq, rs, page,
		    "This course is not open for enrolment.");
	}
}

static const struct field success_fields[] = {
	{ "session_id", F_TOKEN, 255 },
	{ NULL, 0, 0 },
};

static const struct field cancel_fields[] = {
	{ "order", F_INT, 15 },
	{ "token", F_TOKEN, CHECKOUT_TOKEN_HEX },
	{ NULL, 0, 0 },
};

static const struct route routes[] = {
	{ METHOD_POST, "/payment/checkout", h_checkout, R_LOGIN, NULL },
	{ METHOD_GET, "/payment/checkout/success", h_success, R_LOGIN,
	    success_fields },
	{ METHOD_GET, "/payment/checkout/cancel", h_cancel, R_LOGIN,
	    cancel_fields },
	{ METHOD_POST, "/courses/<slug>/enroll", h_enroll_free, R_LOGIN, NULL },
};

const struct app checkout_app = { "checkout", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &checkout_app);
}
#endif
