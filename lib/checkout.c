/* Checkout orchestration (see checkout.h).  Database steps are short
 * transactions in order.c; Stripe calls happen between them, never inside
 * one, so a slow Stripe never holds the write lock. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cart_items.h"
#include "cart_team.h"
#include "checkout.h"
#include "db.h"
#include "fulfil_cohort.h"
#include "install.h"
#include "log.h"
#include "order.h"
#include "order_places.h"
#include "stripe.h"

/* Returns an idempotency key "<install>-<what>-<ref>-<n>" in the arena.
 * It starts with the install id so that no other store on the account,
 * nor this store with a new database, can ever send the same key; ref
 * names the object by what is never reused (an order's number). */
static char *
idem_key(struct arena *a, const char *install, const char *what,
    const char *ref, int64_t n)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s-%s-%s-%lld", install, what, ref,
	    (long long)n);
	return arena_strdup(a, buf);
}

static void
log_stripe(const char *what, int64_t order_id, const struct stripe_error *se)
{
	char msg[1400];

	log_error(NULL, "order %lld: %s: %s", (long long)order_id, what,
	    stripe_error_format(se, msg, sizeof(msg)));
}

/* A Stripe call of checkout failed: logged with Stripe's request id, and
 * out->refused set when Stripe answered and said no (a 4xx, such as an
 * idempotency_error), which is not a network failure. */
static enum err
stripe_failed(struct checkout_outcome *out, const char *what,
    int64_t order_id, enum err e, const struct stripe_error *se)
{
	log_stripe(what, order_id, se);
	if (e == ERR_INVALID || e == ERR_CONFLICT || e == ERR_NOTFOUND)
		out->refused = 1;
	return ERR_UPSTREAM;
}

/* The user's Stripe customer, created once and remembered. */
static enum err
customer_for(struct db *db, struct stripe *s, struct arena *a,
    const struct checkout_buyer *b, const char *install, const char **id,
    struct checkout_outcome *out)
{
	struct stripe_customer_params p = { b->email, b->name, b->user_id,
	    install };
	struct stripe_customer c;
	struct stripe_error se;
	struct db_stmt *st;
	char ref[24];
	enum err e;

	st = db_prep(db, "SELECT customer_id FROM stripe_customers "
	    "WHERE user_id = ?");
	db_bind_int64(st, 1, b->user_id);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_text_dup(a, st, 0);
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	snprintf(ref, sizeof(ref), "%lld", (long long)b->user_id);
	e = stripe_customer_create(s, &p, idem_key(a, install, "customer-user",
	    ref, 1), &c, &se);
	if (e != ERR_OK)
		return stripe_failed(out, "customer create", 0, e, &se);
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

	if (o->nitems != c->n || o->team_id != c->team_id ||
	    (o->coupon_code == NULL) !=
	    (c->coupon_code == NULL || c->discount == 0))
		return 0;
	if (o->coupon_code != NULL &&
	    strcasecmp(o->coupon_code, c->coupon_code) != 0)
		return 0;
	for (i = 0; i < o->nitems; i++) {
		for (j = 0; j < c->n; j++)
			if (o->items[i].course_id == c->lines[j].course.id &&
			    o->items[i].unit_amount ==
			    c->lines[j].course.price_amount &&
			    o->items[i].quantity == c->lines[j].seats &&
			    o->items[i].cohort_id == c->lines[j].cohort_id)
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
    const struct order *o, const char *base_url, int64_t now, int *paid)
{
	char install[INSTALL_ID_SIZE];
	struct stripe_session ss;
	struct stripe_error se;
	struct payment p;
	enum fulfil_outcome fo;
	int changed;
	enum err e;

	*paid = 0;
	if (o->session_id != NULL) {
		if ((e = install_id(db, install)) != ERR_OK)
			return e;
		e = stripe_checkout_expire(s, o->session_id, idem_key(a,
		    install, "expire", o->session_id, 1), &ss, &se);
		stripe_session_free(&ss);
		if (e == ERR_INVALID || e == ERR_CONFLICT) {
			/* Not open any more: paid, or already expired? */
			if ((e = stripe_checkout_retrieve(s, o->session_id, &ss,
			    &se)) != ERR_OK) {
				log_stripe("retrieve", o->id, &se);
				return ERR_UPSTREAM;
			}
			if (strcmp(ss.payment_status, "paid") == 0) {
				fulfil_payment_from(&p, &ss, o->id);
				e = fulfil_payment(db, &p, base_url, now, &fo);
				if (e == ERR_OK && fo == FULFIL_COHORT_FULL)
					e = fulfil_cohort_refund(db, s, o->id,
					    p.session_id, p.payment_intent);
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

void
checkout_cancel_token(const unsigned char key[32], int64_t order_id,
    char out[CHECKOUT_TOKEN_HEX + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char msg[48];

	snprintf(msg, sizeof(msg), "checkout-cancel:%lld", (long long)order_id);
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, strlen(msg),
	    key);
	sodium_bin2hex(out, CHECKOUT_TOKEN_HEX + 1, mac, sizeof(mac));
}

int
checkout_cancel_token_ok(const unsigned char key[32], int64_t order_id,
    const char *token)
{
	char want[CHECKOUT_TOKEN_HEX + 1];

	if (token == NULL || strlen(token) != CHECKOUT_TOKEN_HEX)
		return 0;
	checkout_cancel_token(key, order_id, want);
	return sodium_memcmp(want, token, CHECKOUT_TOKEN_HEX) == 0;
}

/* Creates the Stripe side of a pending order and records the session; its
 * cancel_url carries the order's cancel token under key. */
static enum err
open_session(struct db *db, struct stripe *s, struct arena *a,
    const struct checkout_buyer *b, const struct order *o,
    const char *base_url, const unsigned char key[32], int64_t now,
    struct checkout_outcome *out)
{
	char token[CHECKOUT_TOKEN_HEX + 1];
	struct stripe_line_item *items;
	struct stripe_checkout_params p;
	struct stripe_coupon_params cp;
	struct stripe_coupon coupon;
	struct stripe_session ss;
	struct stripe_error se;
	struct stripe_owner owner;
	const char *customer, *success, *cancel;
	char ref[32], name[48], url[800], install[INSTALL_ID_SIZE];
	int64_t attempt;
	int places;
	enum err e;

	if ((e = order_places_any(db, o->id, &places)) != ERR_OK ||
	    (e = install_id(db, install)) != ERR_OK ||
	    (e = customer_for(db, s, a, b, install, &customer, out)) != ERR_OK)
		return e;
	owner = (struct stripe_owner){ install, o->id, o->number };
	memset(&p, 0, sizeof(p));
	if (o->discount > 0) {
		/* The code itself, so Stripe's page and receipt say
		 * "WELCOME10" (a coupon name is at most 40 characters). */
		snprintf(name, sizeof(name), "%.40s", o->coupon_code);
		cp = (struct stripe_coupon_params){ o->discount, o->currency,
		    name, owner };
		if ((e = stripe_coupon_create(s, &cp, idem_key(a, install,
		    "coupon", o->number, 1), &coupon, &se)) != ERR_OK)
			return stripe_failed(out, "coupon create", o->id, e,
			    &se);
		p.coupon = arena_strdup(a, coupon.id);
	}
	if ((items = arena_alloc(a, o->nitems * sizeof(*items))) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < o->nitems; i++)
		items[i] = (struct stripe_line_item){ o->items[i].title,
		    o->items[i].unit_amount, o->currency, o->items[i].quantity };
	/* The order is found by its session (checkout_sessions) and
	 * metadata[order_id], never by this: for a team order it names the
	 * team, as Stripe's dashboard shows it. */
	if (o->team_id != 0)
		snprintf(ref, sizeof(ref), "team_%lld", (long long)o->team_id);
	else
		snprintf(ref, sizeof(ref), "%lld", (long long)o->id);
	snprintf(url, sizeof(url), "%s/payment/checkout/success?"
	    "session_id={CHECKOUT_SESSION_ID}", base_url);
	success = arena_strdup(a, url);
	checkout_cancel_token(key, o->id, token);
	snprintf(url, sizeof(url), "%s/payment/checkout/cancel?order=%lld&"
	    "token=%s", base_url, (long long)o->id, token);
	cancel = arena_strdup(a, url);
	if (success == NULL || cancel == NULL)
		return ERR_INTERNAL;
	p.customer = customer;
	p.client_reference_id = ref;
	p.owner = owner;
	p.items = items;
	p.nitems = o->nitems;
	/* A session never outlives the places its order holds (set once,
	 * when the order was made: checkout_start makes a new order rather
	 * than resume one whose places lapse too soon for Stripe). */
	p.expires_at = places && o->expires_at > 0 ? o->expires_at :
	    now + CHECKOUT_MINUTES * 60;
	p.success_url = success;
	p.cancel_url = cancel;
	if ((e = order_next_attempt(db, o->id, &attempt)) != ERR_OK)
		return e;
	e = stripe_checkout_create(s, &p, idem_key(a, install, "checkout",
	    o->number, attempt), &ss, &se);
	if (e != ERR_OK)
		return stripe_failed(out, "checkout create", o->id, e, &se);
	e = order_set_session(db, o->id, attempt, ss.id, ss.url, ss.expires_at,
	    now);
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

/* Expires at Stripe the open sessions of orders whose cohort place
 * lapsed (order_places_lapsed), so that nobody pays for a place no longer
 * theirs; each order is cancelled (or fulfilled, when it turns out paid:
 * a payment for a cohort now full is refunded there).  A session's
 * expiry equals its places' (open_session), so this catches places given
 * back early: a waitlist offer that lapses first, an admin's release.  A
 * failure is logged and tried again at the next checkout. */
static void
expire_lapsed(struct db *db, struct stripe *s, struct arena *a,
    const char *base_url, int64_t now)
{
	int64_t ids[8];
	struct order o;
	size_t n;
	int paid;

	if (s == NULL || order_places_lapsed(db, now, ids, 8, &n) != ERR_OK)
		return;
	for (size_t i = 0; i < n; i++)
		if (order_load(db, a, ids[i], 0, &o) != ERR_OK ||
		    retire_order(db, s, a, &o, base_url, now, &paid) != ERR_OK)
			log_error(NULL, "order %lld: its cohort place lapsed; "
			    "its session could not be expired yet",
			    (long long)ids[i]);
}

/* Whether a pending order without a session may get one now: an order
 * holding cohort places only while they last long enough for a session
 * (Stripe's 30 minutes and a margin), since a place is never extended;
 * otherwise a new order holds places afresh. */
static enum err
resumable(struct db *db, const struct order *o, int64_t now, int *resume)
{
	int places;
	enum err e;

	if ((e = order_places_any(db, o->id, &places)) != ERR_OK)
		return e;
	*resume = !places || o->expires_at >= now + 31 * 60;
	return ERR_OK;
}

enum err
checkout_start(struct db *db, struct stripe *s, struct arena *a,
    const struct checkout_buyer *b, const char *base_url,
    const unsigned char key[32], int64_t now, struct checkout_outcome *out)
{
	struct order_request rq;
	struct order_team team;
	struct order_refusal why;
	struct order pending, o;
	struct cart c;
	enum fulfil_outcome fo;
	int expired, paid, manages = 1, resume = 1;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = order_expire_stale(db, now, &expired)) != ERR_OK ||
	    (e = cart_load(db, a, b->user_id, NULL, NULL, now, &c)) != ERR_OK)
		return e;
	expire_lapsed(db, s, a, base_url, now);
	if (c.n == 0) {
		out->message = "Your cart is empty.";
		return ERR_CONFLICT;
	}
	/* Before anything changes (order_create checks again under its
	 * lock): a cart for a team the buyer no longer manages is refused. */
	if (c.team_id != 0 && (e = cart_team_manages(db, c.team_id,
	    b->user_id, &manages)) != ERR_OK)
		return e;
	if (!manages) {
		out->message = "You no longer manage the team this cart is "
		    "for. Nothing was bought; choose again whom you buy for "
		    "on your cart.";
		return ERR_FORBIDDEN;
	}
	e = order_find_pending(db, a, b->user_id, &pending);
	if (e == ERR_OK && order_matches_cart(&pending, &c)) {
		out->order_id = pending.id;
		if (pending.session_url != NULL &&
		    pending.expires_at > now + 60)
			return (out->redirect = pending.session_url) ? ERR_OK :
			    ERR_INTERNAL;
		if (pending.session_id == NULL && s != NULL &&
		    (e = resumable(db, &pending, now, &resume)) != ERR_OK)
			return e;
		if (pending.session_id == NULL && s != NULL && resume)
			return open_session(db, s, a, b, &pending, base_url,
			    key, now, out);
	}
	if (e == ERR_OK) {
		if (s == NULL && pending.session_id != NULL)
			return ERR_UPSTREAM;
		if ((e = retire_order(db, s, a, &pending, base_url, now,
		    &paid)) != ERR_OK)
			return e;
		if (paid) {
			out->message = "Your earlier checkout was paid just now.";
			return order_page(a, pending.id, out);
		}
	} else if (e != ERR_NOTFOUND)
		return e;
	rq = (struct order_request){ b->user_id, cart_course_ids(a, &c), c.n,
	    c.coupon_code, now, now + CHECKOUT_MINUTES * 60 };
	team = (struct order_team){ c.team_id, cart_seats(a, &c) };
	if ((e = order_create_cohorts(db, a, &rq, c.team_id != 0 ? &team :
	    NULL, cart_cohort_ids(a, &c), &o, &why)) != ERR_OK) {
		out->message = why.message;
		return e;
	}
	out->order_id = o.id;
	if (o.total == 0) {
		if ((e = fulfil_free_order(db, o.id, base_url, now, &fo)) !=
		    ERR_OK)
			return e;
		return order_page(a, o.id, out);
	}
	if (s == NULL)
		return ERR_UPSTREAM;
	return open_session(db, s, a, b, &o, base_url, key, now, out);
}

enum err
checkout_confirm(struct db *db, struct stripe *s, struct arena *a,
    int64_t user_id, const char *session_id, const char *base_url,
    int64_t now, int64_t *order_id, enum fulfil_outcome *outcome)
{
	struct stripe_session ss;
	struct stripe_error se;
	struct order o;
	struct payment p;
	int paid;
	enum err e;

	*order_id = 0;
	*outcome = FULFIL_NOT_PAID;
	/* The session must be one we made for this user's order. */
	if ((e = order_find_by_session(db, a, session_id, &o)) != ERR_OK)
		return e;
	if (o.user_id != user_id)
		return ERR_NOTFOUND;
	*order_id = o.id;
	paid = o.status == ORDER_PAID || o.status == ORDER_REFUNDED ||
	    o.status == ORDER_PARTIALLY_REFUNDED || o.status == ORDER_DISPUTED;
	if (s == NULL && !paid)
		return ERR_UPSTREAM;
	if (s == NULL || (e = stripe_checkout_retrieve(s, session_id, &ss,
	    &se)) != ERR_OK) {
		if (s != NULL)
			log_stripe("retrieve on success page", o.id, &se);
		/* A reload of a paid order's page still shows it. */
		*outcome = paid ? FULFIL_ALREADY : FULFIL_NOT_PAID;
		return paid ? ERR_OK : ERR_UPSTREAM;
	}
	/* The order is the one this store made the session for. */
	fulfil_payment_from(&p, &ss, o.id);
	e = fulfil_payment(db, &p, base_url, now, outcome);
	if (e == ERR_OK && *outcome == FULFIL_COHORT_FULL)
		e = fulfil_cohort_refund(db, s, o.id, p.session_id,
		    p.payment_intent);
	stripe_session_free(&ss);
	/* A reload says what the order is, not only that nothing changed. */
	if (e == ERR_OK && *outcome == FULFIL_ALREADY)
		*outcome = o.status == ORDER_REFUNDED ? FULFIL_REFUNDED :
		    o.status == ORDER_DISPUTED ? FULFIL_DISPUTED :
		    o.status == ORDER_PARTIALLY_REFUNDED ? FULFIL_PARTIAL :
		    FULFIL_ALREADY;
	return e;
}

enum err
checkout_cancel(struct db *db, struct stripe *s, struct arena *a,
    int64_t user_id, int64_t order_id, const char *base_url, int64_t now,
    int *paid, int *changed)
{
	struct order o;
	enum err e;

	*paid = *changed = 0;
	if ((e = order_find_pending(db, a, user_id, &o)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	if (o.id != order_id)
		return ERR_OK;
	if (s == NULL && o.session_id != NULL)
		return ERR_UPSTREAM;
	*changed = 1;
	return retire_order(db, s, a, &o, base_url, now, paid);
}
