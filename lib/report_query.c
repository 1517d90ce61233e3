/* Reading the reports (see report_query.h): a handful of grouped reads of
 * the daily summary, each over at most a few hundred rows, however many
 * orders the store holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "report.h"
#include "report_query.h"

void
report_key_format(int64_t key, char out[REPORT_KEY_MAX])
{
	if (key > 999999)
		snprintf(out, REPORT_KEY_MAX, "%04lld-%02lld-%02lld",
		    (long long)(key / 10000), (long long)(key / 100 % 100),
		    (long long)(key % 100));
	else
		snprintf(out, REPORT_KEY_MAX, "%04lld-%02lld",
		    (long long)(key / 100), (long long)(key % 100));
}

int64_t
report_net(const struct report_total *t)
{
	return t->gross - t->refunded;
}

int64_t
report_average(const struct report_total *t)
{
	int64_t net = report_net(t);

	if (t->orders <= 0)
		return 0;
	return net >= 0 ? (net + t->orders / 2) / t->orders :
	    -((-net + t->orders / 2) / t->orders);
}

int64_t
report_permille(int64_t part, int64_t whole)
{
	if (whole <= 0)
		return 0;
	return (int64_t)(((__int128)part * 1000 + whole / 2) / whole);
}

static void
currency_of(char out[4], struct db_stmt *st, int col)
{
	memcpy(out, db_col_text(st, col), 3);
	out[3] = '\0';
}

/* Reads rows of (key, currency, orders, refunded_orders, gross,
 * refunded, discount) from st into *out. */
static enum err
read_totals(struct arena *a, struct db_stmt *st, struct report_total **out,
    size_t *n)
{
	struct report_total *t;
	size_t cap = 0;
	enum err e;

	*n = 0;
	while ((e = db_next(st)) == ERR_OK) {
		if ((t = arena_push(a, (void **)out, n, &cap,
		    sizeof(*t))) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		t->key = db_col_int64(st, 0);
		currency_of(t->currency, st, 1);
		t->orders = db_col_int64(st, 2);
		t->refunded_orders = db_col_int64(st, 3);
		t->gross = db_col_int64(st, 4);
		t->refunded = db_col_int64(st, 5);
		t->discount = db_col_int64(st, 6);
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

static enum err
load_totals(struct db *db, struct arena *a, struct report *r)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT 0, currency, sum(orders), "
	    "sum(refunded_orders), sum(gross), sum(refunded), sum(discount) "
	    "FROM report_days WHERE day >= ?1 AND day <= ?2 "
	    "GROUP BY currency ORDER BY currency");
	db_bind_int64(st, 1, r->first);
	db_bind_int64(st, 2, r->last);
	if ((e = read_totals(a, st, &r->totals, &r->ntotals)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT day, currency, orders, refunded_orders, "
	    "gross, refunded, discount FROM report_days WHERE day >= ?1 AND "
	    "day <= ?2 ORDER BY day, currency");
	db_bind_int64(st, 1, r->first);
	db_bind_int64(st, 2, r->last);
	if ((e = read_totals(a, st, &r->by_day, &r->nby_day)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT month, currency, orders, refunded_orders, "
	    "gross, refunded, discount FROM report_months WHERE month >= ?1 "
	    "AND month <= ?2 ORDER BY month, currency");
	db_bind_int64(st, 1, r->first_month);
	db_bind_int64(st, 2, r->last / 100);
	return read_totals(a, st, &r->by_month, &r->nby_month);
}

/* The slot of (currency, course_id) in r->courses, kept sorted by both,
 * added with zeros when new; NULL when out of memory. */
static struct report_course *
course_slot(struct arena *a, struct report *r, size_t *cap,
    const char *currency, int64_t course_id)
{
	size_t lo = 0, hi = r->ncourses, mid;
	struct report_course *c;
	int cmp;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = &r->courses[mid];
		cmp = strcmp(c->currency, currency);
		if (cmp == 0)
			cmp = c->course_id < course_id ? -1 :
			    c->course_id > course_id;
		if (cmp == 0)
			return c;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (arena_push(a, (void **)&r->courses, &r->ncourses, cap,
	    sizeof(*c)) == NULL)
		return NULL;
	memmove(&r->courses[lo + 1], &r->courses[lo],
	    (r->ncourses - 1 - lo) * sizeof(*c));
	c = &r->courses[lo];
	memset(c, 0, sizeof(*c));
	memcpy(c->currency, currency, 3);
	c->course_id = course_id;
	return c;
}

/* Best net revenue first, then currency and course. */
static int
course_cmp(const void *x, const void *y)
{
	const struct report_course *a = x, *b = y;
	int64_t na = a->gross - a->refunded, nb = b->gross - b->refunded;
	int c;

	if (na != nb)
		return na > nb ? -1 : 1;
	if ((c = strcmp(a->currency, b->currency)) != 0)
		return c;
	return a->course_id < b->course_id ? -1 : a->course_id > b->course_id;
}

static enum err
course_titles(struct db *db, struct arena *a, struct report *r)
{
	struct db_stmt *st;
	enum err e;

	for (size_t i = 0; i < r->ncourses; i++) {
		st = db_prep(db, "SELECT title FROM courses WHERE id = ?");
		db_bind_int64(st, 1, r->courses[i].course_id);
		e = db_next(st);
		r->courses[i].title = arena_strdup(a, e == ERR_OK ?
		    db_col_text(st, 0) : "");
		db_done(st);
		if (e != ERR_OK && e != ERR_NOTFOUND)
			return e;
		if (r->courses[i].title == NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Adds the rows (currency, course_id, enrollments, gross, refunded) of
 * st, bound to a range, into r->courses. */
static enum err
course_rows(struct arena *a, struct report *r, size_t *cap,
    struct db_stmt *st)
{
	struct report_course *c;
	char cur[4];
	enum err e;

	while ((e = db_next(st)) == ERR_OK) {
		currency_of(cur, st, 0);
		if ((c = course_slot(a, r, cap, cur, db_col_int64(st, 1))) ==
		    NULL) {
			e = ERR_INTERNAL;
			break;
		}
		c->enrollments += db_col_int64(st, 2);
		c->gross += db_col_int64(st, 3);
		c->refunded += db_col_int64(st, 4);
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

static enum err
course_days(struct db *db, struct arena *a, struct report *r, size_t *cap,
    int64_t from, int64_t to)
{
	struct db_stmt *st = db_prep(db, "SELECT currency, course_id, "
	    "enrollments, gross, refunded FROM report_course_days "
	    "WHERE day >= ?1 AND day <= ?2");

	db_bind_int64(st, 1, from);
	db_bind_int64(st, 2, to);
	return course_rows(a, r, cap, st);
}

static int64_t
month_next(int64_t m)
{
	return m % 100 == 12 ? m + 89 : m + 1;
}

/* Summed here rather than by GROUP BY: the whole months inside the
 * period from report_course_months, the days of the months it starts
 * and ends in from report_course_days, into a sorted array of the
 * period's courses. */
static enum err
load_courses(struct db *db, struct arena *a, struct report *r)
{
	int64_t m_first = r->first / 100, m_last = r->last / 100, m_from;
	struct db_stmt *st;
	size_t cap = 0;
	enum err e;

	r->ncourses = 0;
	if (m_first == m_last)
		e = course_days(db, a, r, &cap, r->first, r->last);
	else {
		m_from = r->first % 100 == 1 ? m_first : month_next(m_first);
		e = ERR_OK;
		if (m_from != m_first)
			e = course_days(db, a, r, &cap, r->first,
			    m_first * 100 + 31);
		if (e == ERR_OK)
			e = course_days(db, a, r, &cap, m_last * 100 + 1,
			    r->last);
		st = db_prep(db, "SELECT currency, course_id, enrollments, "
		    "gross, refunded FROM report_course_months "
		    "WHERE month >= ?1 AND month < ?2");
		db_bind_int64(st, 1, m_from);
		db_bind_int64(st, 2, m_last);
		if (e == ERR_OK)
			e = course_rows(a, r, &cap, st);
		else
			db_done(st);
	}
	if (e != ERR_OK)
		return e;
	if (r->ncourses > 1)
		qsort(r->courses, r->ncourses, sizeof(*r->courses), course_cmp);
	return course_titles(db, a, r);
}

/* The REPORT_TOP rows of courses with the most enrollments (ties: the
 * better net revenue, which is the order courses are in). */
static void
pick_top(struct report *r)
{
	size_t i, j, k;

	r->ntop = 0;
	for (i = 0; i < r->ncourses; i++) {
		for (j = 0; j < r->ntop && r->courses[r->top[j]].enrollments >=
		    r->courses[i].enrollments; j++)
			;
		if (j >= REPORT_TOP)
			continue;
		if (r->ntop < REPORT_TOP)
			r->ntop++;
		for (k = r->ntop - 1; k > j; k--)
			r->top[k] = r->top[k - 1];
		r->top[j] = i;
	}
}

static enum err
load_coupons(struct db *db, struct arena *a, struct report *r)
{
	struct report_coupon *c;
	struct db_stmt *st;
	size_t cap = 0;
	enum err e;

	st = db_prep(db, "SELECT currency, code, sum(uses), sum(discount) "
	    "FROM report_coupon_days WHERE day >= ?1 AND day <= ?2 "
	    "GROUP BY currency, code ORDER BY sum(uses) DESC, code, currency");
	db_bind_int64(st, 1, r->first);
	db_bind_int64(st, 2, r->last);
	r->ncoupons = 0;
	while ((e = db_next(st)) == ERR_OK) {
		if ((c = arena_push(a, (void **)&r->coupons, &r->ncoupons,
		    &cap, sizeof(*c))) == NULL ||
		    (c->code = arena_strdup(a, db_col_text(st, 1))) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		currency_of(c->currency, st, 0);
		c->uses = db_col_int64(st, 2);
		c->discount = db_col_int64(st, 3);
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Checkouts started in the period (every order is one) and how many of
 * them were paid, whenever that was. */
static enum err
load_conversion(struct db *db, struct report *r)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT coalesce(sum(started), 0), "
	    "coalesce(sum(paid), 0) FROM report_checkout_days "
	    "WHERE day >= ?1 AND day <= ?2");
	db_bind_int64(st, 1, r->first);
	db_bind_int64(st, 2, r->last);
	if ((e = db_next(st)) == ERR_OK) {
		r->started = db_col_int64(st, 0);
		r->converted = db_col_int64(st, 1);
	}
	db_done(st);
	return e;
}

/* Copies the rows of rows[0 .. n) in currency whose keys are keys[0 ..
 * nkeys) into out, zeros for the others. */
static void
series(const struct report_total *rows, size_t n, const char *currency,
    const int64_t *keys, size_t nkeys, struct report_total *out)
{
	size_t i, j = 0;

	for (i = 0; i < nkeys; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		memcpy(out[i].currency, currency, 3);
		out[i].key = keys[i];
		/* Both lists run oldest first. */
		while (j < n && rows[j].key < keys[i])
			j++;
		for (size_t k = j; k < n && rows[k].key == keys[i]; k++)
			if (strcmp(rows[k].currency, currency) == 0)
				out[i] = rows[k];
	}
}

void
report_series_days(const struct report *r, const char *currency,
    struct report_total *out)
{
	int64_t keys[REPORT_DAYS_MAX];
	size_t n = 0;

	for (int64_t k = r->first; k <= r->last && n < REPORT_DAYS_MAX;
	    k = report_day_add(k, 1))
		keys[n++] = k;
	series(r->by_day, r->nby_day, currency, keys, n, out);
}

void
report_series_months(const struct report *r, const char *currency,
    struct report_total *out)
{
	int64_t keys[REPORT_MONTHS], m = r->first_month;

	for (size_t i = 0; i < REPORT_MONTHS; i++) {
		keys[i] = m;
		m = month_next(m);
	}
	series(r->by_month, r->nby_month, currency, keys, REPORT_MONTHS, out);
}

size_t
report_currencies(const struct report *r, char out[REPORT_CURRENCIES][4])
{
	size_t n = 0, i, j;

	for (i = 0; i < r->nby_month; i++) {
		for (j = 0; j < n && strcmp(out[j], r->by_month[i].currency) <
		    0; j++)
			;
		if ((j < n && strcmp(out[j], r->by_month[i].currency) == 0) ||
		    n == REPORT_CURRENCIES)
			continue;
		memmove(out[j + 1], out[j], (n - j) * sizeof(out[0]));
		memcpy(out[j], r->by_month[i].currency, 4);
		n++;
	}
	return n;
}

enum err
report_load(struct db *db, struct arena *a, int days, int64_t now,
    struct report *r)
{
	int64_t month;
	enum err e;

	memset(r, 0, sizeof(*r));
	if (days != 30 && days != 90)
		return ERR_INVALID;
	r->days = days;
	r->last = report_day_key(now);
	r->first = report_day_add(r->last, 1 - days);
	r->from = report_day_start(r->first);
	month = r->last / 100;
	month -= REPORT_MONTHS - 1;
	if (month % 100 < 1 || month % 100 > 12)	/* into last year */
		month -= 88;
	r->first_month = month;
	if ((e = report_stale(db, &r->stale)) != ERR_OK ||
	    (e = load_totals(db, a, r)) != ERR_OK ||
	    (e = load_courses(db, a, r)) != ERR_OK ||
	    (e = load_coupons(db, a, r)) != ERR_OK)
		return e;
	pick_top(r);
	return load_conversion(db, r);
}
