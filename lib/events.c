/* Stripe events (see events.h): trace, ask the API, apply.  The network
 * calls happen before the transaction opens, so a slow Stripe never holds
 * the write lock; the event id is inserted inside it, so two deliveries of
 * one event racing each other apply it once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "events.h"
#include "fulfil.h"
#include "fulfil_cohort.h"
#include "install.h"
#include "log.h"
#include "order.h"

/* Which object an event is about, for tracing it to a session. */
enum subject {
	SUBJECT_SESSION,	/* data.object is a Checkout Session */
	SUBJECT_PAYMENT_INTENT,	/* data.object is a PaymentIntent */
	SUBJECT_PAYMENT,	/* a charge, refund or dispute: has
				   payment_intent */
	SUBJECT_MAX
};

/* The event types the store acts on; every other type is recorded only. */
static const struct {
	const char *type;	/* Stripe's event type */
	enum subject subject;	/* what data.object is */
	int failed;		/* the async payment failed: close the order */
} handled[] = {
	{ "checkout.session.completed", SUBJECT_SESSION, 0 },
	{ "checkout.session.async_payment_succeeded", SUBJECT_SESSION, 0 },
	{ "checkout.session.async_payment_failed", SUBJECT_SESSION, 1 },
	{ "checkout.session.expired", SUBJECT_SESSION, 0 },
	{ "payment_intent.succeeded", SUBJECT_PAYMENT_INTENT, 0 },
	{ "payment_intent.payment_failed", SUBJECT_PAYMENT_INTENT, 0 },
	{ "payment_intent.canceled", SUBJECT_PAYMENT_INTENT, 0 },
	{ "charge.refunded", SUBJECT_PAYMENT, 0 },
	{ "charge.refund.updated", SUBJECT_PAYMENT, 0 },
	{ "refund.created", SUBJECT_PAYMENT, 0 },
	{ "refund.updated", SUBJECT_PAYMENT, 0 },
	{ "charge.dispute.created", SUBJECT_PAYMENT, 0 },
	{ "charge.dispute.closed", SUBJECT_PAYMENT, 0 },
	{ "charge.dispute.funds_withdrawn", SUBJECT_PAYMENT, 0 },
	{ "charge.dispute.funds_reinstated", SUBJECT_PAYMENT, 0 },
};

/* Where an event led: a session of ours, or nothing of ours. */
struct trace {
	int ours;		/* the session is this store's */
	char session_id[STRIPE_ID_SIZE]; /* "cs_..." when ours */
	int64_t order_id;	/* the order it was made for */
	int listed;		/* in checkout_sessions (made and recorded
				   by us): only such a payment is refunded */
	const char *why;	/* outcome when not ours (static) */
};

static const char *
json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *
json_meta(const cJSON *o, const char *key)
{
	return json_str(cJSON_GetObjectItemCaseSensitive(o, "metadata"), key);
}

int
events_key_is_live(const char *key)
{
	return key != NULL && (strncmp(key, "sk_live_", 8) == 0 ||
	    strncmp(key, "rk_live_", 8) == 0);
}

/* Records ev with outcome in a transaction of its own (nothing else
 * changes): events that are not ours or that we do not act on. */
static enum err
record_only(struct db *db, const struct stripe_event *ev, const char *outcome,
    struct event_result *res)
{
	struct db_stmt *st;
	enum err e;

	res->outcome = outcome;
	st = db_prep(db, "INSERT INTO stripe_events (event_id, type, created, "
	    "received_at, outcome) VALUES (?, ?, ?, ?, ?) "
	    "ON CONFLICT (event_id) DO NOTHING");
	db_bind_text(st, 1, ev->id);
	db_bind_text(st, 2, ev->type);
	db_bind_int64(st, 3, ev->created);
	db_bind_int64(st, 4, (int64_t)time(NULL));
	db_bind_text(st, 5, outcome);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) == 0) {
		res->duplicate = 1;
		res->outcome = "duplicate";
	}
	return ERR_OK;
}

static enum err
already_recorded(struct db *db, const char *event_id, int *yes)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM stripe_events "
	    "WHERE event_id = ?");
	enum err e;

	db_bind_text(st, 1, event_id);
	e = db_next(st);
	db_done(st);
	*yes = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Decides whether session_id (with the metadata it carries) is ours. */
static enum err
trace_session(const struct events_ctx *c, const char *install,
    const char *session_id, const char *meta_install, int64_t meta_order,
    struct trace *t)
{
	enum err e;

	snprintf(t->session_id, sizeof(t->session_id), "%s", session_id);
	e = order_of_session(c->db, session_id, &t->order_id);
	if (e == ERR_OK) {
		t->ours = t->listed = 1;
		return ERR_OK;
	}
	if (e != ERR_NOTFOUND)
		return e;
	/* Made by this store but never recorded (a crash right after
	 * Stripe answered): ours, but no refund without the record. */
	if (meta_install != NULL && strcmp(meta_install, install) == 0 &&
	    meta_order > 0) {
		t->ours = 1;
		t->order_id = meta_order;
		return ERR_OK;
	}
	t->why = "not-ours";
	return ERR_OK;
}

/* Finds the session a payment intent paid: by our list, else by asking
 * Stripe (a refund or dispute can come before the completion event). */
static enum err
trace_payment_intent(const struct events_ctx *c, const char *install,
    const char *pi, struct trace *t)
{
	struct stripe_session_filter f = { .payment_intent = pi, .limit = 1 };
	struct stripe_session_list l;
	struct stripe_error se;
	char msg[1400];
	enum err e;

	e = order_session_of_payment(c->db, pi, t->session_id,
	    sizeof(t->session_id), &t->order_id);
	if (e == ERR_OK) {
		t->ours = t->listed = 1;
		return ERR_OK;
	}
	if (e != ERR_NOTFOUND)
		return e;
	if (c->stripe == NULL)
		return ERR_UPSTREAM;
	if ((e = stripe_checkout_list(c->stripe, &f, &l, &se)) != ERR_OK) {
		log_error(c->request_id, "events: sessions of %s: %s", pi,
		    stripe_error_format(&se, msg, sizeof(msg)));
		stripe_session_list_free(&l);
		return ERR_UPSTREAM;
	}
	if (l.n == 0)
		t->why = "not-ours";
	else
		e = trace_session(c, install, l.v[0].id, l.v[0].install_id,
		    l.v[0].order_id, t);
	stripe_session_list_free(&l);
	return e;
}

/* Traces ev's data.object to a session of ours, or says why not. */
static enum err
trace_event(const struct events_ctx *c, const char *install,
    const struct stripe_event *ev, enum subject subject, struct trace *t)
{
	const cJSON *o = ev->object;
	const char *id = json_str(o, "id"), *pi, *mi;

	memset(t, 0, sizeof(*t));
	if (subject == SUBJECT_SESSION) {
		struct stripe_session ss;
		enum err e;

		if (id == NULL || stripe_session_parse(o, &ss) != ERR_OK) {
			t->why = "not-ours";	/* not a session we could make */
			return ERR_OK;
		}
		e = trace_session(c, install, id, ss.install_id, ss.order_id,
		    t);
		stripe_session_free(&ss);
		return e;
	}
	pi = subject == SUBJECT_PAYMENT_INTENT ? id :
	    json_str(o, "payment_intent");
	if (pi == NULL) {
		t->why = "not-ours";	/* no payment intent: not Checkout's */
		return ERR_OK;
	}
	/* Our payment intents carry the install id: another's says so. */
	mi = subject == SUBJECT_PAYMENT_INTENT ? json_meta(o,
	    STRIPE_META_INSTALL) : NULL;
	if (mi != NULL && strcmp(mi, install) != 0) {
		t->why = "not-ours";
		return ERR_OK;
	}
	return trace_payment_intent(c, install, pi, t);
}

/* Inserts the event, brings the order to p's state and records the
 * outcome, all in one transaction. */
static enum err
apply(const struct events_ctx *c, const struct stripe_event *ev,
    const struct payment *p, enum fulfil_outcome *fo,
    struct event_result *res)
{
	struct db_stmt *st;
	enum err e;

	if ((e = db_begin(c->db)) != ERR_OK)
		return e;
	if ((e = record_only(c->db, ev, "", res)) != ERR_OK)
		goto out;
	if (res->duplicate) {
		db_rollback(c->db);
		return ERR_OK;
	}
	if ((e = fulfil_in_tx(c->db, p, c->base_url, (int64_t)time(NULL),
	    fo)) != ERR_OK)
		goto out;
	res->outcome = fulfil_outcome_name(*fo);
	res->order_id = *fo == FULFIL_UNKNOWN ? 0 : p->order_id;
	st = db_prep(c->db, "UPDATE stripe_events SET outcome = ?, "
	    "order_id = ? WHERE event_id = ?");
	db_bind_text(st, 1, res->outcome);
	if (res->order_id > 0)
		db_bind_int64(st, 2, res->order_id);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, ev->id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	return db_commit(c->db);
out:
	db_rollback(c->db);
	return e;
}

/* A session of ours that the order no longer uses was paid: give the
 * money back.  A failure is logged and the order stays flagged; the next
 * event or reconcile tries again with the same idempotency key. */
static void
refund_superseded(const struct events_ctx *c, const char *install,
    const struct stripe_session *ss, int64_t order_id)
{
	struct stripe_refund_params p = { .payment_intent = ss->payment_intent,
	    .reason = "duplicate" };
	struct stripe_refund out;
	struct stripe_error se;
	struct db_stmt *st;
	char key[320], msg[1400], number[64] = "";

	st = db_prep(c->db, "SELECT number FROM orders WHERE id = ?");
	db_bind_int64(st, 1, order_id);
	if (db_next(st) == ERR_OK)
		snprintf(number, sizeof(number), "%s", db_col_text(st, 0));
	db_done(st);
	p.owner = (struct stripe_owner){ install, order_id,
	    number[0] != '\0' ? number : NULL };
	snprintf(key, sizeof(key), "%s-refund-superseded-%s", install, ss->id);
	if (stripe_refund_create(c->stripe, &p, key, &out, &se) != ERR_OK) {
		log_error(c->request_id, "order %lld: refund of superseded "
		    "payment %s failed: %s; the order stays flagged",
		    (long long)order_id, ss->payment_intent,
		    stripe_error_format(&se, msg, sizeof(msg)));
		return;
	}
	log_info(c->request_id, "order %lld: refunded superseded payment %s "
	    "of session %s (%s)", (long long)order_id, ss->payment_intent,
	    ss->id, out.id);
}

/* The event is about session t of ours: read it and apply its state. */
static enum err
handle_ours(const struct events_ctx *c, const char *install,
    const struct stripe_event *ev, const struct trace *t, int failed,
    struct event_result *res)
{
	struct stripe_session ss;
	struct stripe_error se;
	struct payment p;
	enum fulfil_outcome fo = FULFIL_UNKNOWN;
	char msg[1400];
	enum err e;

	if (c->stripe == NULL)
		return ERR_UPSTREAM;
	if (stripe_checkout_retrieve(c->stripe, t->session_id, &ss, &se) !=
	    ERR_OK) {
		log_error(c->request_id, "events: %s: session %s: %s", ev->id,
		    t->session_id, stripe_error_format(&se, msg, sizeof(msg)));
		stripe_session_free(&ss);
		return ERR_UPSTREAM;
	}
	fulfil_payment_from(&p, &ss, t->order_id);
	p.failed = failed;
	e = apply(c, ev, &p, &fo, res);
	if (e == ERR_OK && !res->duplicate && fo == FULFIL_SUPERSEDED &&
	    t->listed && ss.payment_intent[0] != '\0')
		refund_superseded(c, install, &ss, t->order_id);
	/* A cohort that filled before the payment (fulfil_cohort.h). */
	if (e == ERR_OK && !res->duplicate && fo == FULFIL_COHORT_FULL)
		e = fulfil_cohort_refund(c->db, c->stripe, t->order_id, ss.id,
		    ss.payment_intent[0] != '\0' ? ss.payment_intent : NULL);
	stripe_session_free(&ss);
	return e;
}

enum err
events_handle(const struct events_ctx *c, const struct stripe_event *ev,
    struct event_result *res)
{
	char install[INSTALL_ID_SIZE];
	struct trace t;
	size_t i;
	int seen;
	enum err e;

	memset(res, 0, sizeof(*res));
	if ((e = already_recorded(c->db, ev->id, &seen)) != ERR_OK)
		return e;
	if (seen) {
		res->duplicate = 1;
		res->outcome = "duplicate";
		return ERR_OK;
	}
	if (ev->livemode != c->livemode) {
		log_info(c->request_id, "events: %s is a %s-mode event and the "
		    "key is %s-mode: not ours", ev->id, ev->livemode ? "live" :
		    "test", c->livemode ? "live" : "test");
		return record_only(c->db, ev, "not-ours", res);
	}
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		if (strcmp(ev->type, handled[i].type) == 0)
			break;
	if (i == sizeof(handled) / sizeof(handled[0]))
		return record_only(c->db, ev, "ignored", res);
	if ((e = install_id(c->db, install)) != ERR_OK ||
	    (e = trace_event(c, install, ev, handled[i].subject, &t)) !=
	    ERR_OK)
		return e;
	if (!t.ours)
		return record_only(c->db, ev, t.why, res);
	return handle_ours(c, install, ev, &t, handled[i].failed, res);
}

enum err
events_last_created(struct db *db, int64_t *created)
{
	struct db_stmt *st = db_prep(db, "SELECT coalesce(max(created), 0) "
	    "FROM stripe_events");
	enum err e;

	*created = 0;
	if ((e = db_next(st)) == ERR_OK)
		*created = db_col_int64(st, 0);
	db_done(st);
	return e;
}

/* Overlap with what was recorded, so events of the same second (or a
 * little out of order) are not skipped; duplicates are harmless. */
#define RECONCILE_OVERLAP 300

/* Stripe's event list takes at most 20 types. */
#define RECONCILE_TYPES_MAX 20

static enum err
apply_page(const struct events_ctx *c, struct stripe_event_list *l,
    int *applied)
{
	struct event_result res;
	enum err e;

	/* Stripe lists newest first: handle them in the order they
	 * happened (not that it matters: each reads the API's state). */
	for (size_t i = l->n; i-- > 0;) {
		if ((e = events_handle(c, &l->v[i], &res)) != ERR_OK)
			return e;
		*applied += !res.duplicate;
	}
	return ERR_OK;
}

enum err
events_reconcile(const struct events_ctx *c, int *seen, int *applied)
{
	const char *types[RECONCILE_TYPES_MAX + 1];
	struct stripe_event_filter f = { .types = types, .limit = 100 };
	struct stripe_event_list *pages = NULL, *grown;
	struct stripe_error se;
	char last[STRIPE_ID_SIZE];
	size_t npages = 0, n = 0;
	int64_t since;
	enum err e;

	*seen = *applied = 0;
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]) &&
	    n < RECONCILE_TYPES_MAX; i++)
		types[n++] = handled[i].type;
	types[n] = NULL;
	if ((e = events_last_created(c->db, &since)) != ERR_OK)
		return e;
	f.created_gt = since > RECONCILE_OVERLAP ? since - RECONCILE_OVERLAP : 0;
	/* Keep every page: the oldest events come last and go first. */
	for (;;) {
		if ((grown = realloc(pages, (npages + 1) * sizeof(*pages))) ==
		    NULL) {
			e = ERR_INTERNAL;
			goto out;
		}
		pages = grown;
		if ((e = stripe_event_list(c->stripe, &f, &pages[npages],
		    &se)) != ERR_OK) {
			char msg[1400];

			log_error(NULL, "reconcile: %s", stripe_error_format(&se,
			    msg, sizeof(msg)));
			stripe_event_list_free(&pages[npages]);
			goto out;
		}
		*seen += (int)pages[npages].n;
		npages++;
		if (!pages[npages - 1].has_more || pages[npages - 1].n == 0)
			break;
		snprintf(last, sizeof(last), "%s",
		    pages[npages - 1].v[pages[npages - 1].n - 1].id);
		f.starting_after = last;
	}
	for (size_t i = npages; i-- > 0;)
		if ((e = apply_page(c, &pages[i], applied)) != ERR_OK)
			goto out;
out:
	for (size_t i = 0; i < npages; i++)
		stripe_event_list_free(&pages[i]);
	free(pages);
	return e;
}
