/* The admin's orders (see admin_orders.h).  The list's order is (needs
 * review first, then newest first): it is read as two runs, the flagged
 * orders then the others, each an equality on needs_review followed by a
 * range on the key (created_at, id), so each run walks one index of
 * migration 013 backwards and stops after a page.  Which index depends on
 * the narrowest filter given (the "driver": a search's order, the buyer,
 * the status, the coupon, or none); the other filters are checked on the
 * rows the driver yields.  A search is exact (an order number, an email,
 * a Stripe id), never a LIKE '%x%' scan. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admin_orders.h"
#include "arena.h"
#include "audit.h"
#include "db.h"
#include "order.h"

/* The columns of a row and the checks of every filter; ?1 status, ?2 from,
 * ?3 coupon, ?4 course, ?5 needs_review, ?6/?7 the key before which the
 * page starts (also the "to" date's bound: one upper bound on created_at,
 * so the index range ends there), ?8 the limit, ?9 the driver's value. */
#define LIST_COLS "SELECT o.id, o.number, CASE WHEN u.deleted_at IS NULL " \
	"THEN u.email ELSE '' END, o.status, o.currency, o.total_amount, " \
	"o.refunded_amount, o.needs_review, o.review_reason, o.created_at " \
	"FROM orders o JOIN users u ON u.id = o.user_id "
#define LIST_CHECKS " AND o.needs_review = ?5 " \
	"AND (o.created_at, o.id) < (?6, ?7) AND o.created_at >= ?2 " \
	"AND (?1 IS NULL OR o.status = ?1) " \
	"AND (?3 = 0 OR o.coupon_id = ?3) " \
	"AND (?4 = 0 OR EXISTS (SELECT 1 FROM order_items oi WHERE " \
	"oi.order_id = o.id AND oi.course_id = ?4)) " \
	"ORDER BY o.created_at DESC, o.id DESC LIMIT ?8"

enum driver { BY_NONE, BY_ORDER, BY_USER, BY_STATUS, BY_COUPON, DRIVER_MAX };

static const char *const list_sql[DRIVER_MAX] = {
	[BY_NONE] = LIST_COLS "WHERE ?9 = 0" LIST_CHECKS,
	[BY_ORDER] = LIST_COLS "WHERE o.id = ?9" LIST_CHECKS,
	[BY_USER] = LIST_COLS "WHERE o.user_id = ?9" LIST_CHECKS,
	[BY_STATUS] = LIST_COLS "WHERE o.status = ?1 AND ?9 = 0" LIST_CHECKS,
	[BY_COUPON] = LIST_COLS "WHERE o.coupon_id = ?3 AND ?9 = 0"
	    LIST_CHECKS,
};

/* Finds the one id a query gives (bound to text); 0 when none. */
static enum err
lookup_id(struct db *db, const char *sql, const char *text, int64_t *id)
{
	struct db_stmt *st = db_prep(db, sql);
	enum err e;

	db_bind_text(st, 1, text);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

int
admin_orders_status_known(const char *s)
{
	for (int i = 0; i < ORDER_STATUS_MAX; i++)
		if (strcmp(s, order_status_name((enum order_status)i)) == 0)
			return 1;
	return 0;
}

const char *
admin_orders_status_label(const char *s)
{
	for (int i = 0; i < ORDER_STATUS_MAX; i++)
		if (strcmp(s, order_status_name((enum order_status)i)) == 0)
			return order_status_label((enum order_status)i);
	return s;
}

enum err
admin_orders_course_of(struct db *db, const char *slug, int64_t *id)
{
	*id = 0;
	return lookup_id(db, "SELECT id FROM courses WHERE slug = ?", slug, id);
}

enum err
admin_orders_coupon_of(struct db *db, const char *code, int64_t *id)
{
	*id = 0;
	return lookup_id(db, "SELECT id FROM coupons WHERE code = ?", code, id);
}

/* Reads the search q into a driver and its value; *none when it can find
 * nothing (an unknown number, email or id). */
static enum err
search_driver(struct db *db, struct arena *a, const char *q,
    enum driver *d, int64_t *value)
{
	char *upper;

	*value = 0;
	if (strchr(q, '@') != NULL) {
		*d = BY_USER;
		return lookup_id(db, "SELECT id FROM users WHERE email = lower(?)",
		    q, value);
	}
	*d = BY_ORDER;
	if (strncmp(q, "cs_", 3) == 0)
		return lookup_id(db, "SELECT order_id FROM checkout_sessions "
		    "WHERE session_id = ?", q, value);
	if (strncmp(q, "pi_", 3) == 0) {
		enum err e = lookup_id(db, "SELECT id FROM orders WHERE "
		    "stripe_payment_intent = ?", q, value);

		if (e != ERR_OK || *value != 0)
			return e;
		return lookup_id(db, "SELECT order_id FROM checkout_sessions "
		    "WHERE payment_intent = ?", q, value);
	}
	if (strncmp(q, "ch_", 3) == 0)
		return lookup_id(db, "SELECT id FROM orders WHERE "
		    "stripe_charge_id = ?", q, value);
	if ((upper = arena_strdup(a, q)) == NULL)
		return ERR_INTERNAL;
	for (char *p = upper; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return lookup_id(db, "SELECT id FROM orders WHERE number = ?", upper,
	    value);
}

/* Appends to v the rows of one run (needs_review = review) after key. */
static enum err
list_run(struct db *db, struct arena *a, const struct admin_orders_filter *f,
    enum driver d, int64_t value, int review, const struct admin_orders_key *k,
    struct admin_order_row *v, size_t *n, int *more)
{
	struct db_stmt *st = db_prep(db, list_sql[d]);
	int64_t at = INT64_MAX, id = INT64_MAX;
	enum err e;

	if (k != NULL) {
		at = k->created_at;
		id = k->id;
	}
	/* Before the "to" date's end: (created_at, id) < (to, 0). */
	if (f->to > 0 && at >= f->to) {
		at = f->to;
		id = 0;
	}
	db_bind_text_or_null(st, 1, f->status);
	db_bind_int64(st, 2, f->from);
	db_bind_int64(st, 3, f->coupon_id);
	db_bind_int64(st, 4, f->course_id);
	db_bind_int64(st, 5, review);
	db_bind_int64(st, 6, at);
	db_bind_int64(st, 7, id);
	db_bind_int64(st, 8, (int64_t)(ADMIN_ORDERS_PAGE + 1 - *n));
	db_bind_int64(st, 9, value);
	while ((e = db_next(st)) == ERR_OK) {
		struct admin_order_row *r = &v[*n];

		if (*n == ADMIN_ORDERS_PAGE) {
			*more = 1;
			continue;
		}
		*r = (struct admin_order_row){ .id = db_col_int64(st, 0),
		    .number = db_col_text_dup(a, st, 1),
		    .email = db_col_text_dup(a, st, 2),
		    .status = db_col_text_dup(a, st, 3),
		    .currency = db_col_text_dup(a, st, 4),
		    .total = db_col_int64(st, 5),
		    .refunded = db_col_int64(st, 6),
		    .needs_review = db_col_int64(st, 7) != 0,
		    .review_reason = db_col_text_dup(a, st, 8),
		    .created_at = db_col_int64(st, 9) };
		if (r->number == NULL || r->email == NULL || r->status ==
		    NULL || r->currency == NULL || r->review_reason == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		(*n)++;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
admin_orders_list(struct db *db, struct arena *a,
    const struct admin_orders_filter *f, struct admin_order_row **out,
    size_t *n, int *more)
{
	const struct admin_orders_key *k = f->after;
	enum driver d = BY_NONE;
	int64_t value = 0;
	enum err e;

	*n = 0;
	*more = 0;
	if ((*out = arena_alloc(a, (ADMIN_ORDERS_PAGE + 1) * sizeof(**out))) ==
	    NULL)
		return ERR_INTERNAL;
	if (f->q != NULL) {
		if ((e = search_driver(db, a, f->q, &d, &value)) != ERR_OK)
			return e;
		if (value == 0)
			return ERR_OK;	/* nothing has that number or id */
	} else if (f->status != NULL)
		d = BY_STATUS;
	else if (f->coupon_id > 0)
		d = BY_COUPON;
	/* The flagged run first, unless the page starts after it. */
	if (k == NULL || k->review) {
		if ((e = list_run(db, a, f, d, value, 1, k, *out, n, more)) !=
		    ERR_OK)
			return e;
		k = NULL;
	}
	if (f->review_only || *more)
		return ERR_OK;
	return list_run(db, a, f, d, value, 0, k, *out, n, more);
}

/* The order's own row and its buyer. */
static enum err
load_head(struct db *db, struct arena *a, int64_t id, struct admin_order *o)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT o.number, o.user_id, CASE WHEN u.deleted_at "
	    "IS NULL THEN u.email ELSE '' END, u.name, o.status, o.currency, "
	    "o.subtotal_amount, o.discount_amount, o.total_amount, "
	    "o.refunded_amount, o.disputed_amount, coalesce(o.coupon_code, ''), "
	    "o.needs_review, o.review_reason, o.created_at, "
	    "coalesce(o.paid_at, 0), coalesce(o.stripe_session_id, ''), "
	    "coalesce(o.stripe_payment_intent, ''), "
	    "coalesce(o.stripe_charge_id, ''), coalesce(o.receipt_url, '') "
	    "FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = ?");
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK) {
		*o = (struct admin_order){ .id = id,
		    .number = db_col_text_dup(a, st, 0),
		    .user_id = db_col_int64(st, 1),
		    .email = db_col_text_dup(a, st, 2),
		    .name = db_col_text_dup(a, st, 3),
		    .status = db_col_text_dup(a, st, 4),
		    .currency = db_col_text_dup(a, st, 5),
		    .subtotal = db_col_int64(st, 6),
		    .discount = db_col_int64(st, 7),
		    .total = db_col_int64(st, 8),
		    .refunded = db_col_int64(st, 9),
		    .disputed = db_col_int64(st, 10),
		    .coupon_code = db_col_text_dup(a, st, 11),
		    .needs_review = db_col_int64(st, 12) != 0,
		    .review_reason = db_col_text_dup(a, st, 13),
		    .created_at = db_col_int64(st, 14),
		    .paid_at = db_col_int64(st, 15),
		    .session_id = db_col_text_dup(a, st, 16),
		    .payment_intent = db_col_text_dup(a, st, 17),
		    .charge_id = db_col_text_dup(a, st, 18),
		    .receipt_url = db_col_text_dup(a, st, 19) };
		if (o->number == NULL || o->email == NULL || o->name == NULL ||
		    o->status == NULL || o->currency == NULL ||
		    o->coupon_code == NULL || o->review_reason == NULL ||
		    o->session_id == NULL || o->payment_intent == NULL ||
		    o->charge_id == NULL || o->receipt_url == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e;
}

static enum err
load_items(struct db *db, struct arena *a, struct admin_order *o)
{
	struct admin_order_item *it;
	struct db_stmt *st;
	size_t cap = 0;
	enum err e;

	st = db_prep(db, "SELECT oi.id, oi.course_id, oi.title, "
	    "oi.unit_amount, oi.quantity, oi.discount_amount, "
	    "oi.refunded_amount, coalesce(en.status, '') FROM order_items oi "
	    "LEFT JOIN enrollments en ON en.user_id = ?2 AND "
	    "en.course_id = oi.course_id AND en.order_id = oi.order_id "
	    "WHERE oi.order_id = ?1 ORDER BY oi.id");
	db_bind_int64(st, 1, o->id);
	db_bind_int64(st, 2, o->user_id);
	while ((e = db_next(st)) == ERR_OK) {
		if ((it = arena_push(a, (void **)&o->items, &o->nitems,
		    &cap, sizeof(*it))) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		*it = (struct admin_order_item){ .id = db_col_int64(st, 0),
		    .course_id = db_col_int64(st, 1),
		    .title = db_col_text_dup(a, st, 2),
		    .unit_amount = db_col_int64(st, 3),
		    .quantity = db_col_int64(st, 4),
		    .discount = db_col_int64(st, 5),
		    .refunded = db_col_int64(st, 6),
		    .access = db_col_text_dup(a, st, 7) };
		it->net = it->unit_amount * it->quantity - it->discount;
		if (it->title == NULL || it->access == NULL) {
			e = ERR_INTERNAL;
			break;
		}
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

static enum err
load_sessions(struct db *db, struct arena *a, struct admin_order *o)
{
	struct db_stmt *st;
	const char **slot;
	size_t cap = 0;
	enum err e;

	st = db_prep(db, "SELECT session_id FROM checkout_sessions WHERE "
	    "order_id = ? ORDER BY attempt, session_id");
	db_bind_int64(st, 1, o->id);
	while ((e = db_next(st)) == ERR_OK) {
		if ((slot = arena_push(a, (void **)&o->sessions, &o->nsessions,
		    &cap, sizeof(*slot))) == NULL ||
		    (*slot = db_col_text_dup(a, st, 0)) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

static enum err
load_events(struct db *db, struct arena *a, struct admin_order *o)
{
	struct admin_order_event *ev;
	struct db_stmt *st;
	size_t cap = 0;
	enum err e;

	st = db_prep(db, "SELECT event_id, type, created, received_at, "
	    "outcome FROM stripe_events WHERE order_id = ? "
	    "ORDER BY created, id");
	db_bind_int64(st, 1, o->id);
	while ((e = db_next(st)) == ERR_OK) {
		if ((ev = arena_push(a, (void **)&o->events, &o->nevents,
		    &cap, sizeof(*ev))) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		*ev = (struct admin_order_event){
		    .event_id = db_col_text_dup(a, st, 0),
		    .type = db_col_text_dup(a, st, 1),
		    .created = db_col_int64(st, 2),
		    .received_at = db_col_int64(st, 3),
		    .outcome = db_col_text_dup(a, st, 4) };
		if (ev->event_id == NULL || ev->type == NULL ||
		    ev->outcome == NULL) {
			e = ERR_INTERNAL;
			break;
		}
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* The order's mail: its confirmation and its refunds, found by their
 * dedupe keys ("order-paid-<id>", "order-refund-<id>-<total>") on the
 * outbox's unique index. */
static enum err
load_mails(struct db *db, struct arena *a, struct admin_order *o)
{
	char paid[48], from[48], to[48];
	struct admin_order_mail *m;
	struct db_stmt *st;
	size_t cap = 0;
	enum err e;

	snprintf(paid, sizeof(paid), "order-paid-%lld", (long long)o->id);
	snprintf(from, sizeof(from), "order-refund-%lld-", (long long)o->id);
	snprintf(to, sizeof(to), "order-refund-%lld.", (long long)o->id);
	st = db_prep(db, "SELECT subject, to_addr, status, created_at, "
	    "coalesce(sent_at, 0) FROM outbox WHERE dedupe_key = ?1 OR "
	    "(dedupe_key >= ?2 AND dedupe_key < ?3) ORDER BY id");
	db_bind_text(st, 1, paid);
	db_bind_text(st, 2, from);
	db_bind_text(st, 3, to);
	while ((e = db_next(st)) == ERR_OK) {
		if ((m = arena_push(a, (void **)&o->mails, &o->nmails,
		    &cap, sizeof(*m))) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		*m = (struct admin_order_mail){
		    .subject = db_col_text_dup(a, st, 0),
		    .to = db_col_text_dup(a, st, 1),
		    .status = db_col_text_dup(a, st, 2),
		    .created_at = db_col_int64(st, 3),
		    .sent_at = db_col_int64(st, 4) };
		if (m->subject == NULL || m->to == NULL || m->status == NULL) {
			e = ERR_INTERNAL;
			break;
		}
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
admin_order_load(struct db *db, struct arena *a, int64_t id,
    struct admin_order *o)
{
	enum err e;

	if ((e = load_head(db, a, id, o)) != ERR_OK ||
	    (e = load_items(db, a, o)) != ERR_OK ||
	    (e = load_sessions(db, a, o)) != ERR_OK ||
	    (e = load_events(db, a, o)) != ERR_OK)
		return e;
	return load_mails(db, a, o);
}

/* The audit row of a review: the flag and its reason before, cleared and
 * the note after. */
static enum err
audit_review(struct db *db, int64_t id, int64_t actor, const char *reason,
    const char *note, int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX];
	cJSON *before = cJSON_CreateObject(), *after = cJSON_CreateObject();
	enum err e = ERR_INTERNAL;

	audit_subject(subject, "order", id);
	if (before != NULL && after != NULL &&
	    cJSON_AddBoolToObject(before, "needs_review", 1) != NULL &&
	    cJSON_AddStringToObject(before, "review_reason", reason) != NULL &&
	    cJSON_AddBoolToObject(after, "needs_review", 0) != NULL &&
	    cJSON_AddStringToObject(after, "review_note", note) != NULL)
		e = audit_write(db, actor, "order.review", subject, before,
		    after, note, now);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return e;
}

enum err
admin_order_mark_reviewed(struct db *db, int64_t id, int64_t actor,
    const char *note, int64_t now)
{
	struct db_stmt *st;
	char reason[1024] = "";
	int flagged = 0;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT needs_review, review_reason FROM orders "
	    "WHERE id = ?");
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK) {
		flagged = db_col_int64(st, 0) != 0;
		snprintf(reason, sizeof(reason), "%s", db_col_text(st, 1));
	}
	db_done(st);
	if (e != ERR_OK)
		goto out;
	if (!flagged) {
		e = ERR_CONFLICT;
		goto out;
	}
	st = db_prep(db, "UPDATE orders SET needs_review = 0, updated_at = ? "
	    "WHERE id = ? AND needs_review = 1");
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, id);
	if ((e = db_run(st)) != ERR_OK ||
	    (e = audit_review(db, id, actor, reason, note, now)) != ERR_OK)
		goto out;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}
