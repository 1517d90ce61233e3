/* Reconciliation with Stripe (see reconcile_report.h).  Stripe's side:
 * every charge created from RECON_MARGIN before the period to RECON_MARGIN
 * after it, kept when its metadata names this install and it took the
 * money, plus the charges of the refunds made in the period.  The store's
 * side: the order each charge names (by payment intent, else by the
 * order id in its metadata), and every order paid in the period.  The
 * network calls come first; the database is only read here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "db.h"
#include "install.h"
#include "order.h"
#include "reconcile_report.h"
#include "stripe_list.h"

/* An order as reconciliation compares it. */
struct recon_order {
	int64_t id;
	char number[64];
	char status[24];
	char currency[16];
	int64_t total;
	int64_t refunded;
	int64_t paid_at;	/* 0: never paid */
	char payment_intent[STRIPE_ID_SIZE]; /* "" when none */
};

static const char *const what[RECON_KIND_MAX] = {
	[RECON_NOT_IN_STORE] = "Paid in Stripe, not in the store: the store "
	    "never heard of this payment (its webhook was lost).",
	[RECON_NO_ORDER] = "Paid in Stripe for an order this store does not "
	    "have.",
	[RECON_NOT_IN_STRIPE] = "Paid in the store, but Stripe has no payment "
	    "for it.",
	[RECON_AMOUNT] = "The amounts differ: Stripe charged another amount "
	    "than the order's total.",
	[RECON_REFUND_MISSING] = "Refunded in Stripe, but the store does not "
	    "know of the refund.",
	[RECON_REFUND_EXTRA] = "The store counts more refunded than Stripe "
	    "has refunded.",
	[RECON_DISPUTE_MISSING] = "Disputed in Stripe (a chargeback), but the "
	    "store does not know.",
};

const char *
recon_kind_what(enum recon_kind k)
{
	return (unsigned)k < RECON_KIND_MAX ? what[k] : "";
}

const char *
recon_kind_advice(enum recon_kind k, int safe)
{
	switch (k) {
	case RECON_NOT_IN_STORE:
		return safe ? "Apply marks the order paid as Stripe says, "
		    "grants its courses and mails the receipt." :
		    "Look at the payment in Stripe's dashboard: the amount "
		    "differs from the order's, so refund it there or settle "
		    "the difference with the buyer.";
	case RECON_NO_ORDER:
		return "Find the order in a backup of the store, or refund the "
		    "payment in Stripe's dashboard.";
	case RECON_NOT_IN_STRIPE:
		return "Look the order up in Stripe's dashboard by its number. "
		    "If no money came, revoke its courses and tell the buyer.";
	case RECON_AMOUNT:
		return "Check the payment in Stripe's dashboard: refund what "
		    "was charged too much, or ask the buyer for what is "
		    "missing, and note it on the order.";
	case RECON_REFUND_MISSING:
		return safe ? "Apply records the refund as Stripe says: the "
		    "order becomes (partly) refunded, and a full refund ends "
		    "access to its courses." :
		    "Settle the amount first (see the other line), then "
		    "record the refund.";
	case RECON_REFUND_EXTRA:
		return "Check the refunds in Stripe's dashboard; if one never "
		    "reached Stripe, make it again from the order's page.";
	case RECON_DISPUTE_MISSING:
		return "Apply records the dispute as Stripe says: access to the "
		    "courses ends until the dispute is decided. Answer it in "
		    "Stripe's dashboard.";
	default:
		return "";
	}
}

void
recon_report_free(struct recon_report *r)
{
	if (r == NULL)
		return;
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Copies text column col into dst (n bytes); "" when NULL or too long. */
static void
col_copy(struct db_stmt *st, int col, char *dst, size_t n)
{
	const char *s = db_col_text(st, col);

	dst[0] = '\0';
	if (s != NULL && strlen(s) < n)
		memcpy(dst, s, strlen(s) + 1);
}

#define ORDER_COLS "id, number, status, currency, total_amount, " \
	"refunded_amount, coalesce(paid_at, 0), " \
	"coalesce(stripe_payment_intent, '')"

static void
order_read(struct db_stmt *st, struct recon_order *o)
{
	o->id = db_col_int64(st, 0);
	col_copy(st, 1, o->number, sizeof(o->number));
	col_copy(st, 2, o->status, sizeof(o->status));
	col_copy(st, 3, o->currency, sizeof(o->currency));
	o->total = db_col_int64(st, 4);
	o->refunded = db_col_int64(st, 5);
	o->paid_at = db_col_int64(st, 6);
	col_copy(st, 7, o->payment_intent, sizeof(o->payment_intent));
}

/* The order payment_intent paid (ours, or a session of ours it paid),
 * else the order metadata names (order_id > 0).  ERR_NOTFOUND: none. */
static enum err
order_of_charge(struct db *db, const char *pi, int64_t order_id,
    struct recon_order *o)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT " ORDER_COLS " FROM orders"
	    " WHERE stripe_payment_intent = ?1 OR id = ?2 OR id IN"
	    " (SELECT order_id FROM checkout_sessions WHERE payment_intent = ?1)"
	    " ORDER BY CASE WHEN stripe_payment_intent = ?1 THEN 0 ELSE 1 END,"
	    " id LIMIT 1");
	db_bind_text(st, 1, pi);
	db_bind_int64(st, 2, order_id);
	if ((e = db_next(st)) == ERR_OK)
		order_read(st, o);
	db_done(st);
	return e;
}

/* Orders the store took money for, of every state money leaves behind. */
static int
order_was_paid(const struct recon_order *o)
{
	static const char *const paid[] = { "paid", "partially_refunded",
	    "refunded", "disputed" };
	size_t i;

	for (i = 0; i < sizeof(paid) / sizeof(paid[0]); i++)
		if (strcmp(o->status, paid[i]) == 0)
			return 1;
	return 0;
}

/* A growing array of lines. */
static enum err
add(struct recon_report *r, size_t *cap, enum recon_kind k, int safe,
    const struct stripe_charge *c, const struct recon_order *o)
{
	struct recon_line *l;

	if (r->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;

		if ((l = realloc(r->v, ncap * sizeof(*l))) == NULL)
			return ERR_INTERNAL;
		r->v = l;
		*cap = ncap;
	}
	l = &r->v[r->n++];
	memset(l, 0, sizeof(*l));
	l->kind = k;
	l->safe = safe;
	l->stripe_amount = l->stripe_refunded = -1;
	l->store_amount = l->store_refunded = -1;
	if (c != NULL) {
		memcpy(l->payment_intent, c->payment_intent,
		    sizeof(l->payment_intent));
		memcpy(l->currency, c->currency, sizeof(l->currency));
		memcpy(l->order_number, c->order_number,
		    sizeof(l->order_number));
		l->stripe_amount = c->amount;
		l->stripe_refunded = c->amount_refunded;
		l->when = c->created;
	}
	if (o != NULL) {
		l->order_id = o->id;
		memcpy(l->order_number, o->number, sizeof(l->order_number));
		l->store_amount = o->total;
		l->store_refunded = o->refunded;
		if (c == NULL) {
			memcpy(l->currency, o->currency, sizeof(l->currency));
			memcpy(l->payment_intent, o->payment_intent,
			    sizeof(l->payment_intent));
			l->when = o->paid_at;
		}
	}
	return ERR_OK;
}

/* Compares one charge of ours with its order and adds what differs. */
static enum err
match_charge(struct recon_report *r, size_t *cap,
    const struct stripe_charge *c, const struct recon_order *o)
{
	int same;
	enum err e = ERR_OK;

	if (o == NULL)
		return add(r, cap, RECON_NO_ORDER, 0, c, NULL);
	same = c->amount == o->total && strcmp(c->currency, o->currency) == 0;
	if (!order_was_paid(o)) {
		if ((e = add(r, cap, RECON_NOT_IN_STORE, same, c, o)) != ERR_OK)
			return e;
		return same ? ERR_OK : add(r, cap, RECON_AMOUNT, 0, c, o);
	}
	if (!same && (e = add(r, cap, RECON_AMOUNT, 0, c, o)) != ERR_OK)
		return e;
	if (c->amount_refunded > o->refunded)
		e = add(r, cap, RECON_REFUND_MISSING, same, c, o);
	else if (c->amount_refunded < o->refunded)
		e = add(r, cap, RECON_REFUND_EXTRA, 0, c, o);
	if (e == ERR_OK && c->disputed && strcmp(o->status, "disputed") != 0)
		e = add(r, cap, RECON_DISPUTE_MISSING, 1, c, o);
	return e;
}

/* Charges sorted by payment intent, for the store's side. */
static int
by_pi(const void *a, const void *b)
{
	return strcmp(((const struct stripe_charge *)a)->payment_intent,
	    ((const struct stripe_charge *)b)->payment_intent);
}

static int
by_time(const void *a, const void *b)
{
	const struct recon_line *x = a, *y = b;

	return (x->when > y->when) - (x->when < y->when);
}

/* Keeps the charges of ours that took money; drops the rest. */
static void
keep_ours(struct stripe_charge_list *l, const char *install)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].install_id, install) == 0 &&
		    strcmp(l->v[i].status, "succeeded") == 0 &&
		    l->v[i].payment_intent[0] != '\0')
			l->v[n++] = l->v[i];
	l->n = n;
}

/* Finds the charge of pi in l (sorted by by_pi), or NULL. */
static const struct stripe_charge *
find_pi(const struct stripe_charge_list *l, const char *pi)
{
	struct stripe_charge key;

	if (pi[0] == '\0' || l->n == 0)
		return NULL;
	memcpy(key.payment_intent, pi, strnlen(pi, sizeof(key.payment_intent)
	    - 1) + 1);
	key.payment_intent[sizeof(key.payment_intent) - 1] = '\0';
	return bsearch(&key, l->v, l->n, sizeof(*l->v), by_pi);
}

/* Adds to ch the charges of refunds made in the period whose payment
 * was made before it (so the charge was not listed), when the store
 * knows the payment. */
static enum err
add_refunded_charges(struct db *db, struct stripe *s,
    struct stripe_charge_list *ch, const struct stripe_refund_list *rf,
    struct stripe_error *se)
{
	struct stripe_charge_list one;
	struct recon_order o;
	struct stripe_charge *grown;
	size_t i, k;
	enum err e;

	for (i = 0; i < rf->n; i++) {
		const char *pi = rf->v[i].payment_intent;
		int known = 0;

		for (k = 0; k < ch->n && !known; k++)
			known = strcmp(ch->v[k].payment_intent, pi) == 0;
		if (known || pi[0] == '\0')
			continue;
		if ((e = order_of_charge(db, pi, 0, &o)) == ERR_NOTFOUND)
			continue;
		if (e != ERR_OK)
			return e;
		e = stripe_charge_list(s, &(struct stripe_list_filter){
		    .payment_intent = pi, .limit = 10 }, &one, se);
		if (e == ERR_OK && one.n > 0) {
			grown = realloc(ch->v, (ch->n + one.n) * sizeof(*grown));
			if (grown == NULL)
				e = ERR_INTERNAL;
			else {
				memcpy(grown + ch->n, one.v, one.n *
				    sizeof(*grown));
				ch->v = grown;
				ch->n += one.n;
			}
		}
		stripe_charge_list_free(&one);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Whether a refund of rf in the period refunded pi. */
static int
refunded_in_period(const struct stripe_refund_list *rf, const char *pi)
{
	size_t i;

	for (i = 0; i < rf->n; i++)
		if (strcmp(rf->v[i].payment_intent, pi) == 0)
			return 1;
	return 0;
}

/* Stripe's side against the store's, then the store's paid orders of
 * the period against Stripe's. */
static enum err
match(struct db *db, int64_t from, int64_t until,
    struct stripe_charge_list *ch, const struct stripe_refund_list *rf,
    struct recon_report *r)
{
	struct recon_order o;
	struct db_stmt *st;
	size_t cap = 0, i;
	enum err e;

	for (i = 0; i < ch->n; i++) {
		const struct stripe_charge *c = &ch->v[i];
		int in = c->created >= from && c->created < until;
		int refunded = refunded_in_period(rf, c->payment_intent);

		e = order_of_charge(db, c->payment_intent, c->order_id, &o);
		if (e != ERR_OK && e != ERR_NOTFOUND)
			return e;
		r->stripe_payments += in;
		if (!in && !refunded && !(e == ERR_OK && o.paid_at >= from &&
		    o.paid_at < until))
			continue;
		if ((e = match_charge(r, &cap, c, e == ERR_OK ? &o : NULL)) !=
		    ERR_OK)
			return e;
	}
	for (i = 0; i < rf->n; i++)
		r->stripe_refunds += find_pi(ch, rf->v[i].payment_intent) !=
		    NULL;
	st = db_prep(db, "SELECT " ORDER_COLS " FROM orders"
	    " WHERE paid_at >= ? AND paid_at < ? AND total_amount > 0"
	    " ORDER BY paid_at, id");
	db_bind_int64(st, 1, from);
	db_bind_int64(st, 2, until);
	while ((e = db_next(st)) == ERR_OK) {
		order_read(st, &o);
		if (!order_was_paid(&o))
			continue;
		r->store_orders++;
		/* Cut short, Stripe's list proves no absence. */
		if (!r->truncated && find_pi(ch, o.payment_intent) == NULL &&
		    (e = add(r, &cap, RECON_NOT_IN_STRIPE, 0, NULL, &o)) !=
		    ERR_OK)
			break;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
recon_build(struct db *db, struct stripe *s, int64_t from, int64_t until,
    struct recon_report *out, struct stripe_error *se)
{
	struct stripe_list_filter cf = { .created_gte = from - RECON_MARGIN,
	    .created_lt = until + RECON_MARGIN };
	struct stripe_list_filter rff = { .created_gte = from,
	    .created_lt = until };
	struct stripe_charge_list ch = { 0 };
	struct stripe_refund_list rf = { 0 };
	char install[INSTALL_ID_SIZE];
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = install_id(db, install)) != ERR_OK)
		return e;
	if ((e = stripe_charges_all(s, &cf, 0, &ch, se)) != ERR_OK ||
	    (e = stripe_refunds_all(s, &rff, 0, &rf, se)) != ERR_OK)
		goto out;
	out->truncated = ch.has_more || rf.has_more;
	keep_ours(&ch, install);
	if ((e = add_refunded_charges(db, s, &ch, &rf, se)) != ERR_OK)
		goto out;
	keep_ours(&ch, install);
	if (ch.n > 0)
		qsort(ch.v, ch.n, sizeof(*ch.v), by_pi);
	if ((e = match(db, from, until, &ch, &rf, out)) == ERR_OK &&
	    out->n > 0)
		qsort(out->v, out->n, sizeof(*out->v), by_time);
out:
	stripe_charge_list_free(&ch);
	stripe_refund_list_free(&rf);
	return e;
}

/* The fields of order id that reconciliation may change, and how many of
 * its courses are open, as a JSON object (caller frees), or NULL. */
static cJSON *
order_state(struct db *db, int64_t id)
{
	struct db_stmt *st;
	cJSON *o = NULL;

	st = db_prep(db, "SELECT status, refunded_amount, disputed_amount,"
	    " needs_review, review_reason, coalesce(paid_at, 0),"
	    " coalesce(stripe_payment_intent, ''), (SELECT count(*)"
	    " FROM enrollments e WHERE e.order_id = orders.id"
	    " AND e.status = 'active') FROM orders WHERE id = ?");
	db_bind_int64(st, 1, id);
	if (db_next(st) == ERR_OK && (o = cJSON_CreateObject()) != NULL) {
		cJSON_AddStringToObject(o, "status", db_col_text(st, 0));
		cJSON_AddNumberToObject(o, "refunded_amount",
		    (double)db_col_int64(st, 1));
		cJSON_AddNumberToObject(o, "disputed_amount",
		    (double)db_col_int64(st, 2));
		cJSON_AddBoolToObject(o, "needs_review",
		    db_col_int64(st, 3) != 0);
		cJSON_AddStringToObject(o, "review_reason", db_col_text(st, 4));
		cJSON_AddNumberToObject(o, "paid_at",
		    (double)db_col_int64(st, 5));
		cJSON_AddStringToObject(o, "stripe_payment_intent",
		    db_col_text(st, 6));
		cJSON_AddNumberToObject(o, "active_enrollments",
		    (double)db_col_int64(st, 7));
	}
	db_done(st);
	return o;
}

/* Finds the session of ours that pi paid and the order it was for. */
static enum err
session_of(struct db *db, struct stripe *s, const char *install,
    const char *pi, char *sid, int64_t *order_id, struct stripe_error *se)
{
	struct stripe_session_filter f = { .payment_intent = pi, .limit = 1 };
	struct stripe_session_list l;
	enum err e;

	if ((e = stripe_checkout_list(s, &f, &l, se)) != ERR_OK)
		goto out;
	if (l.n == 0) {
		e = ERR_NOTFOUND;
		goto out;
	}
	memcpy(sid, l.v[0].id, STRIPE_ID_SIZE);
	if ((e = order_of_session(db, sid, order_id)) == ERR_NOTFOUND &&
	    strcmp(l.v[0].install_id, install) == 0 && l.v[0].order_id > 0) {
		*order_id = l.v[0].order_id;	/* made here, never recorded */
		e = ERR_OK;
	}
out:
	stripe_session_list_free(&l);
	return e;
}

/* Brings the order to p's state with an audit row of what changed, in
 * one transaction.  db_begin is BEGIN IMMEDIATE: the order is read and
 * written under SQLite's single writer lock, so a webhook applying the
 * same payment at once waits, then finds nothing left to do. */
static enum err
apply_tx(struct db *db, const struct payment *p, int64_t actor,
    const char *base_url, int64_t now, struct recon_applied *out)
{
	cJSON *before = NULL, *after = NULL;
	char subject[AUDIT_SUBJECT_MAX], detail[400];
	struct db_stmt *st;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT number FROM orders WHERE id = ?");
	db_bind_int64(st, 1, p->order_id);
	if ((e = db_next(st)) == ERR_OK)
		col_copy(st, 0, out->order_number, sizeof(out->order_number));
	db_done(st);
	if (e != ERR_OK || (before = order_state(db, p->order_id)) == NULL) {
		e = e != ERR_OK ? e : ERR_INTERNAL;
		goto out;
	}
	if ((e = fulfil_in_tx(db, p, base_url, now, &out->outcome)) != ERR_OK)
		goto out;
	if ((after = order_state(db, p->order_id)) == NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	out->changed = !cJSON_Compare(before, after, 1);
	if (out->changed) {
		audit_subject(subject, "order", p->order_id);
		snprintf(detail, sizeof(detail), "brought to Stripe's state "
		    "by reconciliation (payment %s): %s", p->payment_intent,
		    fulfil_outcome_name(out->outcome));
		if ((e = audit_write(db, actor, "order.reconcile", subject,
		    before, after, detail, now)) != ERR_OK)
			goto out;
	}
	e = db_commit(db);
out:
	if (e != ERR_OK)
		db_rollback(db);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return e;
}

enum err
recon_apply(struct db *db, struct stripe *s, const char *payment_intent,
    int64_t actor, const char *base_url, int64_t now,
    struct recon_applied *out, struct stripe_error *se)
{
	char install[INSTALL_ID_SIZE], sid[STRIPE_ID_SIZE];
	struct stripe_session ss = { 0 };
	struct payment p;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = install_id(db, install)) != ERR_OK ||
	    (e = session_of(db, s, install, payment_intent, sid,
	    &out->order_id, se)) != ERR_OK)
		return e;
	if ((e = stripe_checkout_retrieve(s, sid, &ss, se)) == ERR_OK) {
		fulfil_payment_from(&p, &ss, out->order_id);
		e = apply_tx(db, &p, actor, base_url, now, out);
	}
	stripe_session_free(&ss);
	return e;
}
