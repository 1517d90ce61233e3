/* The daily summary (see report.h): a local day is recomputed whole from
 * the orders paid in it.  Order-level and coupon figures are one
 * aggregate each; figures by course are summed here, order by order, since
 * a refund with no per-item record is shared out over the order's items
 * first.  A day holds a few hundred orders even in a large store, so a
 * recomputation costs about a millisecond. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "report.h"
#include "tz.h"

int64_t
report_day_key(int64_t t)
{
	time_t secs = (time_t)t;
	struct tm tm;

	if (localtime_r(&secs, &tm) == NULL)
		return 0;
	return (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
}

int64_t
report_day_start(int64_t key)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(key / 10000) - 1900;
	tm.tm_mon = (int)(key / 100 % 100) - 1;
	tm.tm_mday = (int)(key % 100);
	tm.tm_isdst = -1;
	/* A day whose midnight the clocks skip starts at the first instant
	 * after the gap, where mktime moves the missing time. */
	return (int64_t)mktime(&tm);
}

int64_t
report_day_add(int64_t key, int n)
{
	struct tm tm;
	time_t t;

	/* Calendar arithmetic at UTC noon: no zone's clock change moves it
	 * to another date. */
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(key / 10000) - 1900;
	tm.tm_mon = (int)(key / 100 % 100) - 1;
	tm.tm_mday = (int)(key % 100) + n;
	tm.tm_hour = 12;
	t = timegm(&tm);
	if (gmtime_r(&t, &tm) == NULL)
		return key;
	return (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
}

void
report_share(int64_t unattributed, const int64_t *weights, size_t n,
    int64_t *shares)
{
	__int128 total = 0, cum = 0, prev = 0, upto;
	size_t i;

	for (i = 0; i < n; i++)
		total += weights[i] > 0 ? weights[i] : 0;
	for (i = 0; i < n; i++) {
		cum += weights[i] > 0 ? weights[i] : 0;
		upto = total > 0 ? (__int128)unattributed * cum / total : 0;
		shares[i] = (int64_t)(upto - prev);
		prev = upto;
	}
}

/* One course's figures of a day in one currency. */
struct course_acc {
	char currency[4];	/* lower-case code */
	int64_t course_id;	/* courses.id */
	int64_t enrollments;	/* places sold: a student's item, or a
				   team item's seats not refunded, when
				   the item is not refunded in full */
	int64_t gross;		/* item amounts after discount */
	int64_t refunded;	/* their share of the refunds */
};

/* One item of the order being summed. */
struct item {
	int64_t course_id;	/* courses.id */
	int64_t amount;		/* unit * quantity - discount */
	int64_t refunded;	/* order_items.refunded_amount */
	int64_t places;		/* quantity - refunded_seats: 1 for a
				   student's item */
};

/* The day's course figures and the order being read. */
struct course_sum {
	struct course_acc *acc;	/* malloc'd, grown; freed by course_sum_free */
	size_t nacc, capacc;	/* used, allocated */
	struct item *items;	/* the current order's items, malloc'd */
	size_t nitems, capitems;/* used, allocated */
	int64_t *w, *share;	/* per item: weight and share, malloc'd */
	char currency[4];	/* the current order's currency */
	int64_t order_refunded;	/* its refunded_amount */
};

static void
course_sum_free(struct course_sum *s)
{
	free(s->acc);
	free(s->items);
	free(s->w);
	free(s->share);
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap * 2 : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static struct course_acc *
course_acc_of(struct course_sum *s, const char *currency, int64_t course_id)
{
	struct course_acc *a;
	size_t i;

	for (i = 0; i < s->nacc; i++)
		if (s->acc[i].course_id == course_id &&
		    strcmp(s->acc[i].currency, currency) == 0)
			return &s->acc[i];
	if (grow((void **)&s->acc, &s->capacc, s->nacc + 1,
	    sizeof(*s->acc)) != 0)
		return NULL;
	a = &s->acc[s->nacc++];
	memset(a, 0, sizeof(*a));
	memcpy(a->currency, currency, 3);
	a->course_id = course_id;
	return a;
}

/* Adds the buffered order's items to the day's figures. */
static enum err
order_flush(struct course_sum *s)
{
	int64_t attributed = 0, refunded;
	struct course_acc *a;
	size_t i;

	if (s->nitems == 0)
		return ERR_OK;
	for (i = 0; i < s->nitems; i++) {
		attributed += s->items[i].refunded;
		s->w[i] = s->items[i].amount - s->items[i].refunded;
	}
	report_share(s->order_refunded > attributed ? s->order_refunded -
	    attributed : 0, s->w, s->nitems, s->share);
	for (i = 0; i < s->nitems; i++) {
		if ((a = course_acc_of(s, s->currency,
		    s->items[i].course_id)) == NULL)
			return ERR_INTERNAL;
		refunded = s->items[i].refunded + s->share[i];
		a->gross += s->items[i].amount;
		a->refunded += refunded;
		if (s->items[i].amount == 0 || refunded < s->items[i].amount)
			a->enrollments += s->items[i].places;
	}
	s->nitems = 0;
	return ERR_OK;
}

static enum err
course_sum_item(struct course_sum *s, struct db_stmt *st)
{
	size_t cap = s->capitems;
	int64_t *p;

	if (grow((void **)&s->items, &s->capitems, s->nitems + 1,
	    sizeof(*s->items)) != 0)
		return ERR_INTERNAL;
	/* w and share follow items' capacity. */
	if (cap != s->capitems) {
		if ((p = realloc(s->w, s->capitems * sizeof(*p))) == NULL)
			return ERR_INTERNAL;
		s->w = p;
		if ((p = realloc(s->share, s->capitems * sizeof(*p))) == NULL)
			return ERR_INTERNAL;
		s->share = p;
	}
	s->items[s->nitems++] = (struct item){ db_col_int64(st, 3),
	    db_col_int64(st, 4), db_col_int64(st, 5), db_col_int64(st, 6) };
	return ERR_OK;
}

/* Sums the items of the orders paid in [from, to) into s. */
static enum err
course_sum_read(struct db *db, int64_t from, int64_t to,
    struct course_sum *s)
{
	struct db_stmt *st;
	int64_t order = 0;
	enum err e;

	st = db_prep(db, "SELECT o.id, o.currency, o.refunded_amount, "
	    "i.course_id, i.unit_amount * i.quantity - i.discount_amount, "
	    "i.refunded_amount, i.quantity - i.refunded_seats FROM orders o "
	    "JOIN order_items i ON i.order_id = o.id WHERE o.paid_at >= ?1 AND "
	    "o.paid_at < ?2 ORDER BY o.id, i.id");
	db_bind_int64(st, 1, from);
	db_bind_int64(st, 2, to);
	while ((e = db_next(st)) == ERR_OK) {
		if (db_col_int64(st, 0) != order) {
			if ((e = order_flush(s)) != ERR_OK)
				break;
			order = db_col_int64(st, 0);
			memcpy(s->currency, db_col_text(st, 1), 3);
			s->currency[3] = '\0';
			s->order_refunded = db_col_int64(st, 2);
		}
		if ((e = course_sum_item(s, st)) != ERR_OK)
			break;
	}
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	return order_flush(s);
}

static enum err
course_days_write(struct db *db, int64_t key, const struct course_sum *s)
{
	struct db_stmt *st;
	enum err e;

	for (size_t i = 0; i < s->nacc; i++) {
		st = db_prep(db, "INSERT INTO report_course_days (day, "
		    "currency, course_id, enrollments, gross, refunded) "
		    "VALUES (?, ?, ?, ?, ?, ?)");
		db_bind_int64(st, 1, key);
		db_bind_text(st, 2, s->acc[i].currency);
		db_bind_int64(st, 3, s->acc[i].course_id);
		db_bind_int64(st, 4, s->acc[i].enrollments);
		db_bind_int64(st, 5, s->acc[i].gross);
		db_bind_int64(st, 6, s->acc[i].refunded);
		if ((e = db_run(st)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Runs sql (a literal: db_prep's cache key) with ?1 bound to key, the
 * day or month it clears or sums. */
static enum err
run_keyed(struct db *db, const char *sql, int64_t key)
{
	struct db_stmt *st = db_prep(db, sql);

	db_bind_int64(st, 1, key);
	return db_run(st);
}

static enum err
day_clear(struct db *db, int64_t key)
{
	enum err e;

	if ((e = run_keyed(db, "DELETE FROM report_days WHERE day = ?",
	    key)) != ERR_OK || (e = run_keyed(db, "DELETE FROM "
	    "report_course_days WHERE day = ?", key)) != ERR_OK)
		return e;
	return run_keyed(db, "DELETE FROM report_coupon_days WHERE day = ?",
	    key);
}

/* The order-level and coupon rows of day key, orders paid in [from, to). */
static enum err
day_orders_write(struct db *db, int64_t key, int64_t from, int64_t to)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "INSERT INTO report_days (day, currency, orders, "
	    "refunded_orders, gross, refunded, discount) SELECT ?1, currency, "
	    "count(*), sum(CASE WHEN refunded_amount > 0 THEN 1 ELSE 0 END), "
	    "sum(total_amount), sum(refunded_amount), sum(discount_amount) "
	    "FROM orders WHERE paid_at >= ?2 AND paid_at < ?3 "
	    "GROUP BY currency");
	db_bind_int64(st, 1, key);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	/* An order refunded in full gave no discount in the end. */
	st = db_prep(db, "INSERT INTO report_coupon_days (day, currency, code, "
	    "uses, discount) SELECT ?1, currency, coupon_code, count(*), "
	    "sum(discount_amount) FROM orders WHERE paid_at >= ?2 AND "
	    "paid_at < ?3 AND coupon_code IS NOT NULL AND NOT (total_amount "
	    "> 0 AND refunded_amount >= total_amount) "
	    "GROUP BY currency, coupon_code");
	db_bind_int64(st, 1, key);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	return db_run(st);
}

/* The month of day key, summed from its days (money and courses). */
static enum err
month_recompute(struct db *db, int64_t key)
{
	int64_t month = key / 100;
	enum err e;

	if ((e = run_keyed(db, "DELETE FROM report_months WHERE month = ?",
	    month)) != ERR_OK ||
	    (e = run_keyed(db, "INSERT INTO report_months (month, currency, "
	    "orders, refunded_orders, gross, refunded, discount) SELECT "
	    "CAST(?1 AS BIGINT), currency, sum(orders), sum(refunded_orders), "
	    "sum(gross), sum(refunded), sum(discount) FROM report_days WHERE "
	    "day > ?1 * 100 AND day < (?1 + 1) * 100 GROUP BY currency",
	    month)) != ERR_OK ||
	    (e = run_keyed(db, "DELETE FROM report_course_months WHERE "
	    "month = ?", month)) != ERR_OK)
		return e;
	return run_keyed(db, "INSERT INTO report_course_months (month, "
	    "currency, course_id, enrollments, gross, refunded) SELECT "
	    "CAST(?1 AS BIGINT), currency, course_id, sum(enrollments), "
	    "sum(gross), sum(refunded) "
	    "FROM report_course_days WHERE day > ?1 * 100 AND "
	    "day < (?1 + 1) * 100 GROUP BY currency, course_id", month);
}

/* The money of the orders paid on the local day holding t. */
static enum err
paid_day_recompute(struct db *db, int64_t t)
{
	int64_t key = report_day_key(t);
	int64_t from = report_day_start(key);
	int64_t to = report_day_start(report_day_add(key, 1));
	struct course_sum s;
	enum err e;

	if ((e = day_clear(db, key)) != ERR_OK ||
	    (e = day_orders_write(db, key, from, to)) != ERR_OK)
		return e;
	memset(&s, 0, sizeof(s));
	if ((e = course_sum_read(db, from, to, &s)) == ERR_OK)
		e = course_days_write(db, key, &s);
	course_sum_free(&s);
	return e != ERR_OK ? e : month_recompute(db, key);
}

/* The checkouts started on the local day holding t, and of them paid:
 * one count over the day's orders (an index range). */
static enum err
checkout_day_recompute(struct db *db, int64_t t)
{
	int64_t key = report_day_key(t);
	struct db_stmt *st;
	enum err e;

	if ((e = run_keyed(db, "DELETE FROM report_checkout_days WHERE "
	    "day = ?", key)) != ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO report_checkout_days (day, started, "
	    "paid) SELECT ?1, count(*), count(paid_at) FROM orders WHERE "
	    "created_at >= ?2 AND created_at < ?3 HAVING count(*) > 0");
	db_bind_int64(st, 1, key);
	db_bind_int64(st, 2, report_day_start(key));
	db_bind_int64(st, 3, report_day_start(report_day_add(key, 1)));
	return db_run(st);
}

enum err
report_day_recompute(struct db *db, int64_t t)
{
	enum err e;

	if ((e = paid_day_recompute(db, t)) != ERR_OK)
		return e;
	return checkout_day_recompute(db, t);
}

enum err
report_order_changed(struct db *db, int64_t order_id)
{
	struct db_stmt *st;
	int64_t created = 0, paid_at = 0;
	int paid = 0;
	enum err e;

	st = db_prep(db, "SELECT created_at, paid_at FROM orders WHERE id = ?");
	db_bind_int64(st, 1, order_id);
	if ((e = db_next(st)) == ERR_OK) {
		created = db_col_int64(st, 0);
		paid = !db_col_is_null(st, 1);
		paid_at = db_col_int64(st, 1);
	}
	db_done(st);
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	if ((e = checkout_day_recompute(db, created)) != ERR_OK)
		return e;
	return paid ? paid_day_recompute(db, paid_at) : ERR_OK;
}

static enum err
rebuild_in_tx(struct db *db, int64_t *days)
{
	struct db_stmt *st;
	int64_t first = 0, last = 0, key;
	enum err e;

	if ((e = db_run(db_prep(db, "DELETE FROM report_checkout_days"))) !=
	    ERR_OK ||
	    (e = db_run(db_prep(db, "DELETE FROM report_days"))) != ERR_OK ||
	    (e = db_run(db_prep(db, "DELETE FROM report_months"))) != ERR_OK ||
	    (e = db_run(db_prep(db, "DELETE FROM report_course_months"))) !=
	    ERR_OK ||
	    (e = db_run(db_prep(db, "DELETE FROM report_course_days"))) !=
	    ERR_OK ||
	    (e = db_run(db_prep(db, "DELETE FROM report_coupon_days"))) !=
	    ERR_OK)
		return e;
	/* An order is paid after it is made: the days of orders made span
	 * those of orders paid, but for one paid since the last was made. */
	st = db_prep(db, "SELECT min(created_at), max(created_at), "
	    "max(paid_at) FROM orders");
	if ((e = db_next(st)) == ERR_OK && !db_col_is_null(st, 0)) {
		first = report_day_key(db_col_int64(st, 0));
		last = report_day_key(db_col_int64(st, 1));
		if (report_day_key(db_col_int64(st, 2)) > last)
			last = report_day_key(db_col_int64(st, 2));
	}
	db_done(st);
	if (e != ERR_OK)
		return e;
	for (key = first; first != 0 && key <= last;
	    key = report_day_add(key, 1))
		if ((e = report_day_recompute(db, report_day_start(key))) !=
		    ERR_OK)
			return e;
	st = db_prep(db, "INSERT INTO report_state (id, zone) VALUES (1, ?) "
	    "ON CONFLICT (id) DO UPDATE SET zone = excluded.zone");
	db_bind_text(st, 1, tz_name());
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT count(DISTINCT day) FROM report_days");
	if ((e = db_next(st)) == ERR_OK && days != NULL)
		*days = db_col_int64(st, 0);
	db_done(st);
	return e;
}

enum err
report_rebuild(struct db *db, int64_t *days)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = rebuild_in_tx(db, days)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
report_stale(struct db *db, int *stale)
{
	struct db_stmt *st;
	enum err e;

	*stale = 1;
	st = db_prep(db, "SELECT zone FROM report_state WHERE id = 1");
	if ((e = db_next(st)) == ERR_OK)
		*stale = strcmp(db_col_text(st, 0), tz_name()) != 0;
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}
