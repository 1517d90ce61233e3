/* Checkout orchestration (see checkout.h).  Database steps are short
 * transactions in order.c; Stripe calls happen between them, never inside
 * one, so a slow Stripe never holds the write lock. */
#include <stdio.h>
#include <string.h>

#include "cart_items.h"
#include "checkout.h"
#include "db.h"
#include "log.h"
#include "order.h"
#include "stripe.h"

/* Returns "<what>-<id>" style idempotency keys in the arena. */
static char *
idem_key(struct arena *a, const char *what, int64_t id, int64_t attempt)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "enroll-%s-%lld-%lld", what, (long long)id,
	    (long long)attempt);
	return arena_strdup(a, buf);
}

static void
log_stripe(const char *what, int64_t order_id, const struct stripe_error *se)
{
	char msg[1400];

	log_error(NULL, "order %lld: %s: %s", (long long)order_id, what,
	    stripe_error_format(se, msg, sizeof(msg)));
}

/* The user's Stripe customer, created once and remembered. */
static enum err
customer_for(struct db *db, struct stripe *s, struct arena *a,
    const struct checkout_buyer *b, const char **id)
{
	struct stripe_customer_params p = { b->email, b->name, b->user_id };
	struct stripe_customer c;
	struct stripe_error se;
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT customer_id FROM stripe_customers "
	    "WHERE user_id = ?");
	db_bind_int64(st, 1, b->user_id);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_text_dup(a, st, 0);
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	e = stripe_customer_create(s, &p, idem_key(a, "customer-user",
	    b->user_id, 1), &c, &se);
	if (e != ERR_OK) {
		log_stripe("customer create", 0, &se);
		return ERR_UPSTREAM;
	}
	st = db_prep(db, "INSERT INTO stripe_customers (user_id, customer_id) "
	    "VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING");
	db_bind_int64(st, 1, b->user_id);
	db_bind_text(st, 2, c.id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	*id = arena_strdup(a, c.id);
	return ERR_OK;
}

/* Whether order o is for exactly the cart c (same courses, same coupon). */
static int
order_matches_cart(const struct order *o, const struct cart *c)
{
	size_t i, j;

	if (o->nitems != c->n || (o->coupon_code == NULL) !=
	    (c->coupon_code == NULL || c->discount == 0))
		return 0;
	if (o->coupon_code != NULL &&
	    strcasecmp(o->coupon_code, c->coupon_code) != 0)
		return 0;
	for (i = 0; i < o->nitems; i++) {
		for (j = 0; j < c->n; j++)
			if (o->items[i].course_id == c->lines[j].course.id &&
			    o->items[i].unit_amount ==
			    c->lines[j].course.price_amount)
				break;
		if (j == c->n)
			return 0;
	}
	return 1;
}

/* Closes a pending order whose session must not stay payable: expires the
 * session at Stripe first.  *paid is set when it turns out the session was
 * paid meanwhile (then it is fulfilled, not cancelled). */
static enum err
retire_order(struct db *db, struct stripe *s, struct arena *a,
    const struct order *o, const char *base_url, int *paid)
{
	struct stripe_session ss;
	struct stripe_error se;
	struct payment p;
	enum fulfil_outcome fo;
	int changed;
	enum err e;

	*paid = 0;
	if (o->session_id != NULL) {
		e = stripe_checkout_expire(s, o->session_id, idem_key(a,
		    "expire-order", o->id, o->attempt), &ss, &se);
		stripe_session_free(&ss);
		if (e == ERR_INVALID || e == ERR_CONFLICT) {
			/* Not open any more: paid, or already expired? */
			if ((e = stripe_checkout_retrieve(s, o->session_id, &ss,
			    &se)) != ERR_OK) {
				log_stripe("retrieve", o->id, &se);
				return ERR_UPSTREAM;
			}
			if (strcmp(ss.payment_status, "paid") == 0) {
				p = (struct payment){ ss.id, ss.payment_status,
				    ss.amount_total, ss.currency,
				    ss.payment_intent[0] ? ss.payment_intent :
				    NULL, o->id };
				e = fulfil_payment(db, &p, base_url, &fo);
				stripe_session_free(&ss);
				*paid = 1;
				return e;
			}
			stripe_session_free(&ss);
		} else if (e != ERR_OK) {
			log_stripe("expire", o->id, &se);
			return ERR_UPSTREAM;
		}
	}
	return order_close(db, o->id, ORDER_CANCELLED, 0, &changed);
}

/* Creates the Stripe side of a pending order and records the session. */
static enum err
open_session(struct db *db, struct stripe *s, struct arena *a,
    const struct checkout_buyer *b, const struct order *o,
    const char *base_url, int64_t now, struct checkout_outcome *out)
{
	struct stripe_line_item *items;
	struct stripe_checkout_params p;
	struct stripe_coupon_params cp;
	struct stripe_coupon coupon;
	struct stripe_session ss;
	struct stripe_error se;
	const char *customer, *success, *cancel;
	char ref[32], name[48], url[600];
	int64_t attempt;
	enum err e;

	if ((e = customer_for(db, s, a, b, &customer)) != ERR_OK)
		return e;
	memset(&p, 0, sizeof(p));
	if (o->discount > 0) {
		snprintf(name, sizeof(name), "Coupon %.33s", o->coupon_code);
		cp = (struct stripe_coupon_params){ o->discount, o->currency,
		    name, o->id };
		if (stripe_coupon_create(s, &cp, idem_key(a, "coupon-order",
		    o->id, 1), &coupon, &se) != ERR_OK) {
			log_stripe("coupon create", o->id, &se);
			return ERR_UPSTREAM;
		}
		p.coupon = arena_strdup(a, coupon.id);
	}
	if ((items = arena_alloc(a, o->nitems * sizeof(*items))) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < o->nitems; i++)
		items[i] = (struct stripe_line_item){ o->items[i].title,
		    o->items[i].unit_amount, o->currency, o->items[i].quantity };
	snprintf(ref, sizeof(ref), "%lld", (long long)o->id);
	snprintf(url, sizeof(url), "%s/payment/checkout/success?"
	    "session_id={CHECKOUT_SESSION_ID}", base_url);
	success = arena_strdup(a, url);
	snprintf(url, sizeof(url), "%s/payment/checkout/cancel", base_url);
	cancel = arena_strdup(a, url);
	if (success == NULL || cancel == NULL)
		return ERR_INTERNAL;
	p.customer = customer;
	p.client_reference_id = ref;
	p.order_id = o->id;
	p.items = items;
	p.nitems = o->nitems;
	p.expires_at = now + CHECKOUT_MINUTES * 60;
	p.success_url = success;
	p.cancel_url = cancel;
	if ((e = order_next_attempt(db, o->id, &attempt)) != ERR_OK)
		return e;
	e = stripe_checkout_create(s, &p, idem_key(a, "checkout-order", o->id,
	    attempt), &ss, &se);
	if (e != ERR_OK) {
		log_stripe("checkout create", o->id, &se);
		return ERR_UPSTREAM;
	}
	e = order_set_session(db, o->id, ss.id, ss.url, ss.expires_at);
	out->redirect = ss.url != NULL ? arena_strdup(a, ss.url) : NULL;
	stripe_session_free(&ss);
	if (e == ERR_OK && out->redirect == NULL)
		e = ERR_UPSTREAM;
	return e;
}

static enum err
order_page(struct arena *a, int64_t id, struct checkout_outcome *out)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "/payment/order/%lld", (long long)id);
	out->order_id = id;
	return (out->redirect = arena_strdup(a, buf)) ? ERR_OK : ERR_INTERNAL;
}

enum err
checkout_start(struct db *db, struct stripe *s, struct arena *a,
    const struct checkout_buyer *b, const char *base_url, int64_t now,
    struct checkout_outcome *out)
{
	struct order_request rq;
	struct order_refusal why;
	struct order pending, o;
	struct cart c;
	enum fulfil_outcome fo;
	int expired, paid;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = order_expire_stale(db, now, &expired)) != ERR_OK ||
	    (e = cart_load(db, a, b->user_id, NULL, NULL, now, &c)) != ERR_OK)
		return e;
	if (c.n == 0) {
		out->message = "Your cart is empty.";
		return ERR_CONFLICT;
	}
	e = order_find_pending(db, a, b->user_id, &pending);
	if (e == ERR_OK && order_matches_cart(&pending, &c)) {
		out->order_id = pending.id;
		if (pending.session_url != NULL &&
		    pending.expires_at > now + 60)
			return (out->redirect = pending.session_url) ? ERR_OK :
			    ERR_INTERNAL;
		if (pending.session_id == NULL && s != NULL)
			return open_session(db, s, a, b, &pending, base_url,
			    now, out);
	}
	if (e == ERR_OK) {
		if (s == NULL && pending.session_id != NULL)
			return ERR_UPSTREAM;
		if ((e = retire_order(db, s, a, &pending, base_url, &paid)) !=
		    ERR_OK)
			return e;
		if (paid) {
			out->message = "Your earlier checkout was paid just now.";
			return order_page(a, pending.id, out);
		}
	} else if (e != ERR_NOTFOUND)
		return e;
	rq = (struct order_request){ b->user_id, cart_course_ids(a, &c), c.n,
	    c.coupon_code, now, now + CHECKOUT_MINUTES * 60 };
	if ((e = order_create(db, a, &rq, &o, &why)) != ERR_OK) {
		out->message = why.message;
		return e;
	}
	out->order_id = o.id;
	if (o.total == 0) {
		if ((e = fulfil_free_order(db, o.id, base_url, &fo)) != ERR_OK)
			return e;
		return order_page(a, o.id, out);
	}
	if (s == NULL)
		return ERR_UPSTREAM;
	return open_session(db, s, a, b, &o, base_url, now, out);
}

enum err
checkout_confirm(struct db *db, struct stripe *s, struct arena *a,
    int64_t user_id, const char *session_id, const char *base_url,
    int64_t *order_id, enum fulfil_outcome *outcome)
{
	struct stripe_session ss;
	struct stripe_error se;
	struct order o;
	struct payment p;
	enum err e;

	*order_id = 0;
	*outcome = FULFIL_NOT_PAID;
	/* The session must be one we made for this user's order. */
	if ((e = order_find_by_session(db, a, session_id, &o)) != ERR_OK)
		return e;
	if (o.user_id != user_id)
		return ERR_NOTFOUND;
	*order_id = o.id;
	if (o.status == ORDER_PAID || o.status == ORDER_REFUNDED ||
	    o.status == ORDER_PARTIALLY_REFUNDED) {
		*outcome = FULFIL_ALREADY;
		return ERR_OK;
	}
	if (s == NULL)
		return ERR_UPSTREAM;
	if ((e = stripe_checkout_retrieve(s, session_id, &ss, &se)) != ERR_OK) {
		log_stripe("retrieve on success page", o.id, &se);
		return ERR_UPSTREAM;
	}
	p = (struct payment){ ss.id, ss.payment_status, ss.amount_total,
	    ss.currency, ss.payment_intent[0] ? ss.payment_intent : NULL,
	    ss.order_id };
	if (ss.order_id != o.id)
		e = ERR_NOTFOUND;
	else
		e = fulfil_payment(db, &p, base_url, outcome);
	stripe_session_free(&ss);
	return e;
}

enum err
checkout_cancel(struct db *db, struct stripe *s, struct arena *a,
    int64_t user_id, const char *base_url, int *paid)
{
	struct order o;
	enum err e;

	*paid = 0;
	if ((e = order_find_pending(db, a, user_id, &o)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	if (s == NULL && o.session_id != NULL)
		return ERR_UPSTREAM;
	return retire_order(db, s, a, &o, base_url, paid);
}
