/* Orders: creation with frozen amounts and coupon reservation, look-ups,
 * the session bookkeeping of checkout, and the side exits (expired, failed,
 * cancelled) that release reservations.  Multi-step changes run in one
 * BEGIN IMMEDIATE transaction, which also serialises concurrent checkouts
 * competing for a coupon's last use. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "access.h"
#include "cart_team.h"
#include "db.h"
#include "money.h"
#include "order.h"
#include "order_places.h"
#include "report.h"

static const struct {
	const char *name;	/* orders.status */
	const char *label;	/* shown to people */
} statuses[ORDER_STATUS_MAX] = {
	[ORDER_PENDING] = { "pending", "Awaiting payment" },
	[ORDER_PAID] = { "paid", "Paid" },
	[ORDER_FAILED] = { "failed", "Payment failed" },
	[ORDER_EXPIRED] = { "expired", "Expired" },
	[ORDER_CANCELLED] = { "cancelled", "Cancelled" },
	[ORDER_REFUNDED] = { "refunded", "Refunded" },
	[ORDER_PARTIALLY_REFUNDED] = { "partially_refunded",
	    "Partially refunded" },
	[ORDER_DISPUTED] = { "disputed", "Disputed" },
};

const char *
order_status_name(enum order_status s)
{
	return (unsigned)s < ORDER_STATUS_MAX ? statuses[s].name : "";
}

const char *
order_status_label(enum order_status s)
{
	return (unsigned)s < ORDER_STATUS_MAX ? statuses[s].label : "";
}

static enum order_status
status_of(const char *name)
{
	for (int i = 0; i < ORDER_STATUS_MAX; i++)
		if (strcmp(statuses[i].name, name) == 0)
			return (enum order_status)i;
	return ORDER_PENDING;
}

/* Writes "ORD-YYYYMMDD-XXXXXX" (20 bytes and NUL) for time now. */
static void
order_number(char out[21], int64_t now)
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	time_t t = (time_t)now;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "ORD-%Y%m%d-", &tm);
	for (int i = 0; i < 6; i++)
		out[13 + i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[19] = '\0';
}

/* Prices one course of the cart into line/item; refuses what cannot be
 * bought.  Returns ERR_CONFLICT with why filled, or a database error. */
static enum err
price_course(struct db *db, struct arena *a, const struct order_request *rq,
    const struct order_team *team, const int64_t *cohort_ids, size_t i,
    struct price_line *line,
    struct order_item *item, const char **currency,
    struct order_refusal *why)
{
	int64_t course_id = rq->course_ids[i];
	struct db_stmt *st;
	struct access acc;
	enum err e;

	e = access_check(db, rq->user_id, course_id, rq->now, &acc);
	st = db_prep(db, "SELECT c.title, c.slug, c.course_type, "
	    "c.price_amount, c.currency, c.is_active FROM courses c "
	    "WHERE c.id = ?1");
	db_bind_int64(st, 1, course_id);
	if (e != ERR_OK || (e = db_next(st)) != ERR_OK) {
		db_done(st);
		if (e != ERR_NOTFOUND)
			return e;
		why->course_id = course_id;
		why->message = "A course in your cart no longer exists; it "
		    "has been removed.";
		return ERR_CONFLICT;
	}
	item->course_id = line->course_id = course_id;
	item->title = db_col_text_dup(a, st, 0);
	item->slug = db_col_text_dup(a, st, 1);
	line->course_type = db_col_text_dup(a, st, 2);
	/* line: one seat, for the coupon (cart_team.h) */
	item->unit_amount = line->amount = db_col_int64(st, 3);
	item->quantity = team != NULL ? team->seats[i] : 1;
	item->cohort_id = cohort_ids != NULL ? cohort_ids[i] : 0;
	if (*currency == NULL)
		*currency = db_col_text_dup(a, st, 4);
	else if (strcmp(*currency, db_col_text(st, 4)) != 0)
		why->message = "Courses priced in different currencies must "
		    "be bought separately.";
	if (!db_col_int64(st, 5))
		why->message = "A course in your cart is no longer on sale.";
	db_done(st);
	/* A team's seats of a course the buyer has are for others. */
	if (team == NULL && access_owned(&acc))
		why->message = "You already have access to a course in your "
		    "cart.";
	if (item->quantity < 1 || item->quantity > CART_SEATS_MAX)
		why->message = "Seats are from 1 to 1000 per course.";
	/* A cohort course is bought for one cohort, by one person. */
	if (line->course_type != NULL && strcmp(line->course_type,
	    "cohort") == 0 && (item->cohort_id == 0 || team != NULL))
		why->message = team != NULL ? "A cohort course is bought for "
		    "yourself: take it out of a team's cart." : "Choose a "
		    "cohort on the course's page before checking out.";
	if (item->title == NULL || item->slug == NULL ||
	    line->course_type == NULL || *currency == NULL)
		return ERR_INTERNAL;
	if (why->message != NULL) {
		why->course_id = course_id;
		return ERR_CONFLICT;
	}
	return ERR_OK;
}

/* Applies rq's coupon to the lines: sets *discount and c (id 0: none). */
static enum err
apply_coupon(struct db *db, struct arena *a, const struct order_request *rq,
    const char *currency, struct price_line *lines, const int64_t *seats,
    size_t n, struct coupon *c, int64_t *discount, struct order_refusal *why)
{
	int64_t total, mine;
	enum err e;

	*discount = 0;
	c->id = 0;
	if (rq->coupon_code == NULL)
		return ERR_OK;
	if ((e = coupon_load(db, a, rq->coupon_code, c)) == ERR_NOTFOUND) {
		why->coupon = COUPON_UNKNOWN;
		goto refused;
	}
	if (e != ERR_OK ||
	    (e = coupon_usage(db, c->id, rq->user_id, 0, &total, &mine)) !=
	    ERR_OK)
		return e;
	why->coupon = cart_coupon_per_seat(c, rq->now, total, mine, currency,
	    lines, seats, n, discount);
	if (why->coupon == COUPON_OK)
		return ERR_OK;
refused:
	why->message = coupon_verdict_message(why->coupon);
	c->id = 0;
	return ERR_CONFLICT;
}

static enum err
insert_order(struct db *db, const struct order_request *rq, struct order *o,
    char number[21])
{
	/* o->team_id: 0, or the team of order_create_for */
	struct db_stmt *st;
	enum err e = ERR_CONFLICT;

	st = db_prep(db, "INSERT INTO orders (number, user_id, currency, "
	    "subtotal_amount, discount_amount, total_amount, coupon_id, "
	    "coupon_code, expires_at, created_at, updated_at, team_id) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	/* A clash of random order numbers is rare; try a few. */
	for (int tries = 0; tries < 5 && e == ERR_CONFLICT; tries++) {
		order_number(number, rq->now);
		db_bind_text(st, 1, number);
		db_bind_int64(st, 2, rq->user_id);
		db_bind_text(st, 3, o->currency);
		db_bind_int64(st, 4, o->subtotal);
		db_bind_int64(st, 5, o->discount);
		db_bind_int64(st, 6, o->total);
		if (o->coupon_id != 0)
			db_bind_int64(st, 7, o->coupon_id);
		else
			db_bind_null(st, 7);
		db_bind_text_or_null(st, 8, o->coupon_code);
		db_bind_int64(st, 9, rq->expires_at);
		db_bind_int64(st, 10, rq->now);
		db_bind_int64(st, 11, rq->now);
		if (o->team_id != 0)
			db_bind_int64(st, 12, o->team_id);
		else
			db_bind_null(st, 12);
		e = db_run(st);
	}
	if (e == ERR_OK)
		o->id = db_last_id(db);
	return e;
}

static enum err
insert_items_and_reservation(struct db *db, const struct order_request *rq,
    const struct order *o)
{
	struct db_stmt *st;
	enum err e;

	for (size_t i = 0; i < o->nitems; i++) {
		st = db_prep(db, "INSERT INTO order_items (order_id, course_id, "
		    "title, unit_amount, quantity, discount_amount, cohort_id) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?)");
		if (st == NULL)
			return ERR_INTERNAL;
		db_bind_int64(st, 1, o->id);
		db_bind_int64(st, 2, o->items[i].course_id);
		db_bind_text(st, 3, o->items[i].title);
		db_bind_int64(st, 4, o->items[i].unit_amount);
		db_bind_int64(st, 5, o->items[i].quantity);
		db_bind_int64(st, 6, o->items[i].discount);
		if (o->items[i].cohort_id != 0)
			db_bind_int64(st, 7, o->items[i].cohort_id);
		else
			db_bind_null(st, 7);
		if ((e = db_run(st)) != ERR_OK)
			return e;
	}
	if (o->coupon_id == 0)
		return ERR_OK;
	st = db_prep(db, "INSERT INTO coupon_redemptions (coupon_id, user_id, "
	    "order_id, status, amount) VALUES (?, ?, ?, 'reserved', ?)");
	db_bind_int64(st, 1, o->coupon_id);
	db_bind_int64(st, 2, rq->user_id);
	db_bind_int64(st, 3, o->id);
	db_bind_int64(st, 4, o->discount);
	return db_run(st);
}

static enum err
pending_of(struct db *db, int64_t user_id, int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	*id = 0;
	st = db_prep(db, "SELECT id FROM orders WHERE user_id = ? AND "
	    "status = 'pending' LIMIT 1");
	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
order_create(struct db *db, struct arena *a, const struct order_request *rq,
    struct order *o, struct order_refusal *why)
{
	return order_create_for(db, a, rq, NULL, o, why);
}

enum err
order_create_for(struct db *db, struct arena *a,
    const struct order_request *rq, const struct order_team *team,
    struct order *o, struct order_refusal *why)
{
	return order_create_cohorts(db, a, rq, team, NULL, o, why);
}

enum err
order_create_cohorts(struct db *db, struct arena *a,
    const struct order_request *rq, const struct order_team *team,
    const int64_t *cohort_ids, struct order *o, struct order_refusal *why)
{
	struct price_line *lines;
	struct coupon c;
	int64_t *seats, amount;
	char *number;
	int manages = 1;
	enum err e;
	size_t i;

	memset(o, 0, sizeof(*o));
	memset(why, 0, sizeof(*why));
	if (rq->ncourses == 0) {
		why->message = "Your cart is empty.";
		return ERR_CONFLICT;
	}
	lines = arena_alloc(a, rq->ncourses * sizeof(*lines));
	o->items = arena_alloc(a, rq->ncourses * sizeof(*o->items));
	number = arena_alloc(a, 21);
	seats = arena_alloc(a, rq->ncourses * sizeof(*seats));
	if (lines == NULL || o->items == NULL || number == NULL ||
	    seats == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	/* Under the write lock: a second tab's checkout that got here first
	 * has its pending order, and one checkout at a time is the rule. */
	if ((e = pending_of(db, rq->user_id, &why->pending_order_id)) != ERR_OK)
		goto out;
	if (why->pending_order_id != 0) {
		why->message = "Your checkout is already under way in another "
		    "window. Finish it there, or try again in a minute.";
		e = ERR_CONFLICT;
		goto out;
	}
	/* Under the same lock: the buyer still manages the team. */
	if (team != NULL && (e = cart_team_manages(db, team->team_id,
	    rq->user_id, &manages)) != ERR_OK)
		goto out;
	if (!manages) {
		why->message = "You no longer manage the team this cart is "
		    "for: choose again whom you buy for.";
		e = ERR_FORBIDDEN;
		goto out;
	}
	for (i = 0; i < rq->ncourses; i++) {
		e = price_course(db, a, rq, team, cohort_ids, i, &lines[i],
		    &o->items[i],
		    &o->currency, why);
		if (e != ERR_OK)
			goto out;
		seats[i] = o->items[i].quantity;
		if (money_mul(lines[i].amount, seats[i], &amount) != ERR_OK ||
		    money_add(o->subtotal, amount, &o->subtotal) != ERR_OK) {
			e = ERR_INVALID;
			goto out;
		}
	}
	o->nitems = rq->ncourses;
	if ((e = apply_coupon(db, a, rq, o->currency, lines, seats, o->nitems,
	    &c, &o->discount, why)) != ERR_OK)
		goto out;
	for (i = 0; i < o->nitems; i++)
		o->items[i].discount = lines[i].discount;
	o->coupon_id = c.id;
	o->coupon_code = c.id != 0 ? c.code : NULL;
	o->total = o->subtotal - o->discount;
	o->user_id = rq->user_id;
	o->team_id = team != NULL ? team->team_id : 0;
	o->status = ORDER_PENDING;
	o->expires_at = rq->expires_at;
	o->created_at = rq->now;
	/* The cohorts' places are held in this transaction: under the
	 * write lock, of concurrent checkouts for a cohort's last place one
	 * gets it and the others are refused with nothing written. */
	if ((e = insert_order(db, rq, o, number)) != ERR_OK ||
	    (e = insert_items_and_reservation(db, rq, o)) != ERR_OK ||
	    (e = order_places_hold(db, o, rq->expires_at, rq->now,
	    &why->message)) != ERR_OK ||
	    (e = report_order_changed(db, o->id)) != ERR_OK)
		goto out;
	o->number = number;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}

#define ORDER_COLS "id, number, user_id, status, currency, subtotal_amount, " \
	"discount_amount, total_amount, coalesce(coupon_id, 0), coupon_code, " \
	"checkout_attempt, stripe_session_id, stripe_session_url, " \
	"stripe_payment_intent, coalesce(expires_at, 0), refunded_amount, " \
	"needs_review, review_reason, coalesce(paid_at, 0), created_at, " \
	"receipt_url, coalesce(team_id, 0)"

static void
order_from_row(struct arena *a, struct db_stmt *st, struct order *o)
{
	memset(o, 0, sizeof(*o));
	o->id = db_col_int64(st, 0);
	o->number = db_col_text_dup(a, st, 1);
	o->user_id = db_col_int64(st, 2);
	o->status = status_of(db_col_text(st, 3));
	o->currency = db_col_text_dup(a, st, 4);
	o->subtotal = db_col_int64(st, 5);
	o->discount = db_col_int64(st, 6);
	o->total = db_col_int64(st, 7);
	o->coupon_id = db_col_int64(st, 8);
	o->coupon_code = db_col_text_dup(a, st, 9);
	o->attempt = db_col_int64(st, 10);
	o->session_id = db_col_text_dup(a, st, 11);
	o->session_url = db_col_text_dup(a, st, 12);
	o->payment_intent = db_col_text_dup(a, st, 13);
	o->expires_at = db_col_int64(st, 14);
	o->refunded = db_col_int64(st, 15);
	o->needs_review = (int)db_col_int64(st, 16);
	o->review_reason = db_col_text_dup(a, st, 17);
	o->paid_at = db_col_int64(st, 18);
	o->created_at = db_col_int64(st, 19);
	o->receipt_url = db_col_text_dup(a, st, 20);
	o->team_id = db_col_int64(st, 21);
}

static enum err
load_items(struct db *db, struct arena *a, struct order *o)
{
	struct db_stmt *st;
	struct order_item *it;
	enum err e;
	size_t cap = 0;

	st = db_prep(db, "SELECT count(*) FROM order_items WHERE order_id = ?");
	db_bind_int64(st, 1, o->id);
	if ((e = db_next(st)) == ERR_OK)
		cap = (size_t)db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e;
	if ((o->items = arena_alloc(a, (cap + 1) * sizeof(*it))) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT i.course_id, i.title, c.slug, i.unit_amount, "
	    "i.quantity, i.discount_amount, coalesce(i.cohort_id, 0), h.name "
	    "FROM order_items i JOIN courses c ON c.id = i.course_id LEFT JOIN "
	    "cohorts h ON h.id = i.cohort_id WHERE i.order_id = ? ORDER BY "
	    "i.id");
	db_bind_int64(st, 1, o->id);
	while ((e = db_next(st)) == ERR_OK && o->nitems < cap) {
		it = &o->items[o->nitems++];
		it->course_id = db_col_int64(st, 0);
		it->title = db_col_text_dup(a, st, 1);
		it->slug = db_col_text_dup(a, st, 2);
		it->unit_amount = db_col_int64(st, 3);
		it->quantity = db_col_int64(st, 4);
		it->discount = db_col_int64(st, 5);
		it->cohort_id = db_col_int64(st, 6);
		it->cohort_name = db_col_text_dup(a, st, 7);
	}
	db_done(st);
	return e == ERR_NOTFOUND || e == ERR_OK ? ERR_OK : e;
}

enum err
order_load(struct db *db, struct arena *a, int64_t id, int64_t user_id,
    struct order *o)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT " ORDER_COLS " FROM orders WHERE id = ?1 "
	    "AND (?2 = 0 OR user_id = ?2)");
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_next(st)) == ERR_OK)
		order_from_row(a, st, o);
	db_done(st);
	return e == ERR_OK ? load_items(db, a, o) : e;
}

enum err
order_find_by_session(struct db *db, struct arena *a, const char *session_id,
    struct order *o)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT " ORDER_COLS " FROM orders WHERE id = "
	    "(SELECT order_id FROM checkout_sessions WHERE session_id = ?)");
	db_bind_text(st, 1, session_id);
	if ((e = db_next(st)) == ERR_OK)
		order_from_row(a, st, o);
	db_done(st);
	return e == ERR_OK ? load_items(db, a, o) : e;
}

enum err
order_of_session(struct db *db, const char *session_id, int64_t *order_id)
{
	struct db_stmt *st = db_prep(db, "SELECT order_id FROM "
	    "checkout_sessions WHERE session_id = ?");
	enum err e;

	db_bind_text(st, 1, session_id);
	if ((e = db_next(st)) == ERR_OK)
		*order_id = db_col_int64(st, 0);
	db_done(st);
	return e;
}

enum err
order_session_of_payment(struct db *db, const char *payment_intent,
    char *session_id, size_t size, int64_t *order_id)
{
	struct db_stmt *st = db_prep(db, "SELECT session_id, order_id FROM "
	    "checkout_sessions WHERE payment_intent = ?");
	enum err e;

	db_bind_text(st, 1, payment_intent);
	if ((e = db_next(st)) == ERR_OK) {
		snprintf(session_id, size, "%s", db_col_text(st, 0));
		*order_id = db_col_int64(st, 1);
	}
	db_done(st);
	return e;
}

enum err
order_find_pending(struct db *db, struct arena *a, int64_t user_id,
    struct order *o)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT " ORDER_COLS " FROM orders WHERE user_id = ? "
	    "AND status = 'pending' ORDER BY id DESC LIMIT 1");
	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK)
		order_from_row(a, st, o);
	db_done(st);
	return e == ERR_OK ? load_items(db, a, o) : e;
}

enum err
order_next_attempt(struct db *db, int64_t order_id, int64_t *attempt)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE orders SET checkout_attempt = "
	    "checkout_attempt + 1, updated_at = ?2 WHERE id = ?1 AND "
	    "status = 'pending' RETURNING checkout_attempt");
	db_bind_int64(st, 1, order_id);
	db_bind_int64(st, 2, (int64_t)time(NULL));
	if ((e = db_next(st)) == ERR_OK)
		*attempt = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_CONFLICT : e;
}

enum err
order_set_session(struct db *db, int64_t order_id, int64_t attempt,
    const char *session_id, const char *url, int64_t expires_at,
    int64_t now)
{
	struct db_stmt *st;
	int current;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO checkout_sessions (session_id, order_id, "
	    "attempt, created_at) VALUES (?, ?, ?, ?) "
	    "ON CONFLICT (session_id) DO NOTHING");
	db_bind_text(st, 1, session_id);
	db_bind_int64(st, 2, order_id);
	db_bind_int64(st, 3, attempt);
	db_bind_int64(st, 4, now);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	st = db_prep(db, "UPDATE orders SET stripe_session_id = ?, "
	    "stripe_session_url = ?, expires_at = ?, updated_at = ? "
	    "WHERE id = ? AND status = 'pending'");
	db_bind_text(st, 1, session_id);
	db_bind_text_or_null(st, 2, url);
	db_bind_int64(st, 3, expires_at);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, order_id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	current = db_changes(db) == 1;
	/* The session is kept in the list even when the order moved on. */
	if ((e = db_commit(db)) != ERR_OK)
		return e;
	return current ? ERR_OK : ERR_CONFLICT;
out:
	db_rollback(db);
	return e;
}

enum err
order_release_coupon(struct db *db, int64_t order_id, int64_t now)
{
	struct db_stmt *st = db_prep(db, "UPDATE coupon_redemptions SET "
	    "status = 'released', updated_at = ? WHERE order_id = ? AND "
	    "status = 'reserved'");

	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, order_id);
	return db_run(st);
}

static enum err
close_in_tx(struct db *db, int64_t order_id, enum order_status to,
    int *changed)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE orders SET status = ?1, updated_at = ?3 "
	    "WHERE id = ?2 AND status = 'pending'");
	db_bind_text(st, 1, order_status_name(to));
	db_bind_int64(st, 2, order_id);
	db_bind_int64(st, 3, (int64_t)time(NULL));
	if ((e = db_run(st)) != ERR_OK)
		return e;
	*changed = db_changes(db);
	if (!*changed)
		return ERR_OK;
	if ((e = order_places_release(db, order_id, (int64_t)time(NULL))) !=
	    ERR_OK)
		return e;
	return order_release_coupon(db, order_id, (int64_t)time(NULL));
}

enum err
order_close(struct db *db, int64_t order_id, enum order_status to, int in_tx,
    int *changed)
{
	enum err e;

	*changed = 0;
	if (to != ORDER_EXPIRED && to != ORDER_FAILED && to != ORDER_CANCELLED)
		return ERR_INVALID;
	if (in_tx)
		return close_in_tx(db, order_id, to, changed);
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = close_in_tx(db, order_id, to, changed)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
order_expire_stale(struct db *db, int64_t now, int *n)
{
	struct db_stmt *st;
	int64_t ids[64];
	size_t count = 0;
	int changed;
	enum err e;

	*n = 0;
	st = db_prep(db, "SELECT id FROM orders WHERE status = 'pending' "
	    "AND expires_at IS NOT NULL AND expires_at <= ? LIMIT 64");
	if (st == NULL)
		return ERR_INTERNAL;
	/* Stripe's own checkout.session.expired closes an order at once;
	 * this sweep only catches what that event missed, after a grace
	 * period in which a last-second payment can still arrive. */
	db_bind_int64(st, 1, now - ORDER_EXPIRY_GRACE);
	while ((e = db_next(st)) == ERR_OK)
		ids[count++] = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	for (size_t i = 0; i < count; i++) {
		if ((e = order_close(db, ids[i], ORDER_EXPIRED, 0, &changed)) !=
		    ERR_OK)
			return e;
		*n += changed;
	}
	return ERR_OK;
}

static const char *const filter_names[ORDER_FILTER_MAX] = {
	[ORDERS_SETTLED] = "",
	[ORDERS_UNFINISHED] = "unfinished",
	[ORDERS_ALL] = "all",
};

const char *
order_filter_name(enum order_filter f)
{
	return (unsigned)f < ORDER_FILTER_MAX ? filter_names[f] : "";
}

int
order_filter_of(const char *name, enum order_filter *f)
{
	for (int i = 0; i < ORDER_FILTER_MAX; i++)
		if (strcmp(filter_names[i], name) == 0) {
			*f = (enum order_filter)i;
			return 1;
		}
	return 0;
}

int
order_status_settled(enum order_status s)
{
	return s == ORDER_PAID || s == ORDER_PARTIALLY_REFUNDED ||
	    s == ORDER_REFUNDED || s == ORDER_DISPUTED;
}

int
order_payable(const struct order *o, int64_t now)
{
	return o->status == ORDER_PENDING && o->session_url != NULL &&
	    o->expires_at > now + 60;
}

/* The statuses each filter shows, with ?2 from filter_code(): one
 * statement for the three, so each is prepared once. */
#define FILTER_SQL "(?2 = 3 OR (?2 = 1 AND status IN ('paid', " \
	"'partially_refunded', 'refunded', 'disputed')) OR (?2 = 2 AND status IN " \
	"('pending', 'failed', 'expired', 'cancelled')))"

static int64_t
filter_code(enum order_filter f)
{
	return f == ORDERS_SETTLED ? 1 : f == ORDERS_UNFINISHED ? 2 : 3;
}

enum err
order_count(struct db *db, int64_t user_id, enum order_filter f, int64_t *n)
{
	struct db_stmt *st;
	enum err e;

	*n = 0;
	st = db_prep(db, "SELECT count(*) FROM orders WHERE user_id = ?1 AND "
	    FILTER_SQL);
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, filter_code(f));
	if ((e = db_next(st)) == ERR_OK)
		*n = db_col_int64(st, 0);
	db_done(st);
	return e;
}

enum err
order_list(struct db *db, struct arena *a, int64_t user_id,
    enum order_filter f, int64_t page, int per_page, struct order **out,
    size_t *n, int *has_more)
{
	struct db_stmt *st;
	enum err e;

	*n = 0;
	*has_more = 0;
	if (page < 1)
		page = 1;
	if ((*out = arena_alloc(a, (size_t)per_page * sizeof(**out))) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT " ORDER_COLS " FROM orders WHERE user_id = ?1 "
	    "AND " FILTER_SQL " ORDER BY created_at DESC, id DESC "
	    "LIMIT ?3 OFFSET ?4");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, filter_code(f));
	db_bind_int64(st, 3, per_page + 1);
	db_bind_int64(st, 4, (page - 1) * per_page);
	while ((e = db_next(st)) == ERR_OK) {
		if (*n == (size_t)per_page) {
			*has_more = 1;
			continue;
		}
		order_from_row(a, st, &(*out)[(*n)++]);
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
order_flag(struct db *db, int64_t order_id, const char *reason)
{
	struct db_stmt *st;

	st = db_prep(db, "UPDATE orders SET needs_review = 1, review_reason = "
	    "CASE WHEN review_reason = '' THEN ?1 ELSE review_reason || '; ' "
	    "|| ?1 END, updated_at = ?3 WHERE id = ?2");
	db_bind_text(st, 1, reason);
	db_bind_int64(st, 2, order_id);
	db_bind_int64(st, 3, (int64_t)time(NULL));
	return db_run(st);
}
