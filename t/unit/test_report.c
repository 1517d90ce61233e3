/* The reports: the daily summary equals a recomputation from the orders
 * after every change fulfilment makes (paid, refunded in Stripe's
 * dashboard, refunded by the store item by item), days split at the
 * school's midnight across a daylight-saving change, refunds without a
 * per-item record shared exactly, and the SVG bar chart's geometry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "fixtures.h"
#include "fulfil.h"
#include "order.h"
#include "report.h"
#include "report_chart.h"
#include "report_query.h"
#include "tz.h"
#include "user.h"

#define BASE "http://shop.test"

struct fx {
	struct fixture t;	/* first: database and arena, fixtures.h */
	int64_t user;		/* the buyer */
	int64_t c_prog;		/* c-programming-fundamentals, 49.00 */
	int64_t c_sql;		/* sql-for-analysts, 39.00 */
	int sessions;		/* checkout sessions made, for their ids */
};

static int
setup(void **state)
{
	struct fx *f = fixture_new(sizeof(*f), "report");

	assert_int_equal(tz_set("America/New_York"), ERR_OK);
	f->user = fixture_user(f->t.db, "ann@example.org", "Ann", ROLE_STUDENT);
	f->c_prog = fixture_course(f->t.db, "c-programming-fundamentals");
	f->c_sql = fixture_course(f->t.db, "sql-for-analysts");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture_teardown(state);
	assert_int_equal(tz_set("UTC"), ERR_OK);
	return 0;
}

/* What Stripe says of order id's session: paid, refunded so far. */
static struct payment
stripe_says(int64_t id, const char *session, int64_t total, int64_t refunded)
{
	return (struct payment){ .session_id = session,
	    .session_status = "complete", .payment_status = "paid",
	    .amount_total = total, .currency = "usd",
	    .payment_intent = NULL, .amount_refunded = refunded,
	    .order_id = id };
}

/* An order of courses made at paid - 600 and paid at paid, through the
 * store's own functions; its total in *total. */
static int64_t
buy(struct fx *f, const int64_t *courses, size_t n, int64_t paid,
    int64_t *total, const char **session)
{
	struct order_refusal why;
	struct order_request rq = { f->user, courses, n, NULL, paid - 600,
	    paid + 1320 };
	struct order o;
	struct payment p;
	enum fulfil_outcome out;
	char *sid = arena_printf(f->t.a, "cs_%d", ++f->sessions);

	assert_int_equal(order_create(f->t.db, f->t.a, &rq, &o, &why), ERR_OK);
	assert_int_equal(order_set_session(f->t.db, o.id, 1, sid, "https://x/",
	    paid + 1320, paid - 600), ERR_OK);
	p = stripe_says(o.id, sid, o.total, 0);
	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, paid, &out), ERR_OK);
	assert_int_equal(out, FULFIL_GRANTED);
	*total = o.total;
	*session = sid;
	/* The buyer may buy the same course again in another order. */
	assert_int_equal(db_run(db_prep(f->t.db, "DELETE FROM enrollments")),
	    ERR_OK);
	return o.id;
}

/* Stripe refunds `refunded` of order id in all (its dashboard). */
static void
refund(struct fx *f, int64_t id, const char *session, int64_t total,
    int64_t refunded, int64_t now)
{
	struct payment p = stripe_says(id, session, total, refunded);
	enum fulfil_outcome out;

	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, now, &out), ERR_OK);
}

/* Every row of the summary, in order, as text. */
static char *
snapshot(struct fx *f)
{
	static const char *const sql[] = {
		"SELECT day || ' ' || currency || ' ' || orders || ' ' || "
		"refunded_orders || ' ' || gross || ' ' || refunded || ' ' || "
		"discount FROM report_days ORDER BY day, currency",
		"SELECT month || ' ' || currency || ' ' || orders || ' ' || "
		"gross || ' ' || refunded FROM report_months ORDER BY month, "
		"currency",
		"SELECT day || ' ' || currency || ' ' || course_id || ' ' || "
		"enrollments || ' ' || gross || ' ' || refunded FROM "
		"report_course_days ORDER BY day, currency, course_id",
		"SELECT month || ' ' || currency || ' ' || course_id || ' ' || "
		"enrollments || ' ' || gross || ' ' || refunded FROM "
		"report_course_months ORDER BY month, currency, course_id",
		"SELECT day || ' ' || currency || ' ' || code || ' ' || uses || "
		"' ' || discount FROM report_coupon_days ORDER BY day, currency, "
		"code",
		"SELECT day || ' ' || started || ' ' || paid FROM "
		"report_checkout_days ORDER BY day",
	};
	struct buf b = { 0 };
	struct db_stmt *st;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		st = db_prep(f->t.db, sql[i]);
		while (db_next(st) == ERR_OK)
			buf_printf(&b, "%s\n", db_col_text(st, 0));
		db_done(st);
		buf_puts(&b, "--\n");
	}
	assert_false(b.oom);
	return b.data;
}

static void
assert_summary_exact(struct fx *f)
{
	char *kept = snapshot(f), *again;

	assert_int_equal(report_rebuild(f->t.db, NULL), ERR_OK);
	again = snapshot(f);
	assert_string_equal(kept, again);
	free(kept);
	free(again);
}

static int64_t
one(struct fx *f, const char *sql, int64_t a, int64_t b)
{
	return fixture_int(f->t.db, sql, a, b);
}

/* What report_course_days holds of course on day: refunded, enrollments. */
static int64_t
course_refunded(struct fx *f, int64_t day, int64_t course)
{
	return one(f, "SELECT refunded FROM report_course_days WHERE day = ? "
	    "AND course_id = ?", day, course);
}

static int64_t
course_enrollments(struct fx *f, int64_t day, int64_t course)
{
	return one(f, "SELECT enrollments FROM report_course_days WHERE "
	    "day = ? AND course_id = ?", day, course);
}

static void
summary_splits_days_at_local_midnight(void **state)
{
	struct fx *f = *state;
	int64_t midnight, total_a, total_b, total_c;
	const char *sa, *sb, *sc;

	/* 2026-03-08, New York: the clocks skip 02:00 to 03:00. */
	assert_int_equal(tz_parse_local("2026-03-08", &midnight), ERR_OK);
	assert_int_equal(midnight, 1772946000);	/* 05:00 UTC */
	buy(f, &f->c_prog, 1, midnight - 30, &total_a, &sa);
	buy(f, &f->c_sql, 1, midnight + 30, &total_b, &sb);
	/* 23:30 that night is 23 hours of clock after midnight, the same
	 * local day; 00:10 the next is another. */
	buy(f, &f->c_sql, 1, midnight + 22 * 3600 + 1800, &total_c, &sc);
	buy(f, &f->c_prog, 1, midnight + 23 * 3600 + 600, &total_c, &sc);
	assert_int_equal(report_day_start(20260309) - report_day_start(20260308),
	    23 * 3600);
	assert_int_equal(one(f, "SELECT gross FROM report_days WHERE day = ? "
	    "AND currency = 'usd' AND 0 = ?", 20260307, 0), total_a);
	assert_int_equal(one(f, "SELECT gross FROM report_days WHERE day = ? "
	    "AND currency = 'usd' AND 0 = ?", 20260308, 0), 3900 + 3900);
	assert_int_equal(one(f, "SELECT orders FROM report_days WHERE day = ? "
	    "AND 0 = ?", 20260309, 0), 1);
	/* Checkouts are counted on the day the order was made (10 minutes
	 * before it was paid): all four, each paid. */
	assert_int_equal(one(f, "SELECT sum(started) FROM report_checkout_days "
	    "WHERE day >= ? AND day <= ?", 20260307, 20260309), 4);
	assert_int_equal(one(f, "SELECT sum(paid) FROM report_checkout_days "
	    "WHERE day >= ? AND day <= ?", 20260307, 20260309), 4);
	assert_int_equal(one(f, "SELECT gross FROM report_months WHERE month = "
	    "? AND 0 = ?", 202603, 0), 4900 + 3900 + 3900 + 4900);
	assert_summary_exact(f);
}

static void
dashboard_refund_is_shared_over_items(void **state)
{
	struct fx *f = *state;
	int64_t both[2] = { f->c_prog, f->c_sql }, total, id, t;
	const char *s;

	assert_int_equal(tz_parse_local("2026-06-10T12:00", &t), ERR_OK);
	id = buy(f, both, 2, t, &total, &s);
	assert_int_equal(total, 4900 + 3900);
	refund(f, id, s, total, 1000, t + 86400 * 3);
	/* 1000 over 4900 and 3900: floor(1000 * 4900 / 8800) = 556, and
	 * the rest, 444. */
	assert_int_equal(course_refunded(f, 20260610, f->c_prog), 556);
	assert_int_equal(course_refunded(f, 20260610, f->c_sql), 444);
	assert_int_equal(one(f, "SELECT refunded FROM report_days WHERE day = "
	    "? AND 0 = ?", 20260610, 0), 1000);
	assert_int_equal(one(f, "SELECT refunded_orders FROM report_days "
	    "WHERE day = ? AND 0 = ?", 20260610, 0), 1);
	assert_summary_exact(f);
	/* All of it: no enrollment left. */
	refund(f, id, s, total, total, t + 86400 * 4);
	assert_int_equal(one(f, "SELECT sum(enrollments) FROM "
	    "report_course_days WHERE day = ? AND 0 = ?", 20260610, 0), 0);
	assert_int_equal(one(f, "SELECT sum(refunded) FROM report_course_days "
	    "WHERE day = ? AND 0 = ?", 20260610, 0), total);
	assert_summary_exact(f);
}

static void
store_refund_of_one_item_counts_on_that_item(void **state)
{
	struct fx *f = *state;
	int64_t both[2] = { f->c_prog, f->c_sql }, total, id, t;
	struct db_stmt *st;
	const char *s;

	assert_int_equal(tz_parse_local("2026-06-11T09:00", &t), ERR_OK);
	id = buy(f, both, 2, t, &total, &s);
	/* The store refunds the SQL course: its record first, then Stripe's
	 * charge says 3900 refunded (as the refund path does). */
	st = db_prep(f->t.db, "UPDATE order_items SET refunded_amount = 3900 "
	    "WHERE order_id = ? AND course_id = ?");
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, f->c_sql);
	assert_int_equal(db_run(st), ERR_OK);
	refund(f, id, s, total, 3900, t + 60);
	assert_int_equal(course_refunded(f, 20260611, f->c_sql), 3900);
	assert_int_equal(course_enrollments(f, 20260611, f->c_sql), 0);
	assert_int_equal(course_refunded(f, 20260611, f->c_prog), 0);
	assert_int_equal(course_enrollments(f, 20260611, f->c_prog), 1);
	assert_summary_exact(f);
}

static void
unpaid_checkout_counts_as_started(void **state)
{
	struct fx *f = *state;
	struct order_refusal why;
	struct order o;
	int64_t t;
	struct order_request rq = { f->user, &f->c_prog, 1, NULL, 0, 0 };

	assert_int_equal(tz_parse_local("2026-06-12T10:00", &t), ERR_OK);
	rq.now = t;
	rq.expires_at = t + 1920;
	assert_int_equal(order_create(f->t.db, f->t.a, &rq, &o, &why), ERR_OK);
	assert_int_equal(one(f, "SELECT started FROM report_checkout_days "
	    "WHERE day = ? AND 0 = ?", 20260612, 0), 1);
	assert_int_equal(one(f, "SELECT paid FROM report_checkout_days "
	    "WHERE day = ? AND 0 = ?", 20260612, 0), 0);
	assert_int_equal(one(f, "SELECT count(*) FROM report_days WHERE "
	    "day = ? AND 0 = ?", 20260612, 0), 0);
	assert_summary_exact(f);
}

/* A 90-day period reads whole months from the month table and the days
 * of the months it starts and ends in: an order on each edge, one in a
 * whole month, one a day too early. */
static void
period_sums_edges_and_whole_months(void **state)
{
	struct fx *f = *state;
	int64_t t, total, now, sum = 0;
	struct report r;
	const char *s;
	size_t i;

	assert_int_equal(tz_parse_local("2026-12-04T15:00", &now), ERR_OK);
	assert_int_equal(tz_parse_local("2026-09-05T12:00", &t), ERR_OK);
	buy(f, &f->c_prog, 1, t, &total, &s);		/* before */
	assert_int_equal(tz_parse_local("2026-09-06T00:10", &t), ERR_OK);
	buy(f, &f->c_prog, 1, t, &total, &s);		/* first day */
	assert_int_equal(tz_parse_local("2026-10-15T12:00", &t), ERR_OK);
	buy(f, &f->c_sql, 1, t, &total, &s);		/* whole month */
	assert_int_equal(tz_parse_local("2026-12-04T09:00", &t), ERR_OK);
	buy(f, &f->c_sql, 1, t, &total, &s);		/* last day */
	assert_int_equal(report_load(f->t.db, f->t.a, 90, now, &r), ERR_OK);
	assert_int_equal(r.first, 20260906);
	assert_int_equal(r.last, 20261204);
	for (i = 0; i < r.ncourses; i++)
		sum += r.courses[i].gross;
	assert_int_equal(sum, 4900 + 3900 + 3900);
	assert_int_equal(r.ncourses, 2);
	/* Best net revenue first. */
	assert_int_equal(r.courses[0].course_id, f->c_sql);
	assert_int_equal(r.courses[0].enrollments, 2);
	assert_string_equal(r.courses[0].title, "SQL for Analysts");
	assert_int_equal(r.ntotals, 1);
	assert_int_equal(r.totals[0].orders, 3);
	assert_int_equal(r.started, 3);
	assert_int_equal(r.converted, 3);
	assert_int_equal(report_load(f->t.db, f->t.a, 7, now, &r), ERR_INVALID);
}

static void
share_is_exact_and_proportional(void **state)
{
	int64_t w[3] = { 4900, 3900, 0 }, s[3];
	int64_t w1[1] = { 7 }, s1[1];
	int64_t z[2] = { 0, 0 }, sz[2];

	(void)state;
	report_share(1000, w, 3, s);
	assert_int_equal(s[0], 556);
	assert_int_equal(s[1], 444);
	assert_int_equal(s[2], 0);
	report_share(5, w1, 1, s1);
	assert_int_equal(s1[0], 5);
	report_share(5, z, 2, sz);
	assert_int_equal(sz[0] + sz[1], 0);
	/* Three equal items share 100 as 33, 33, 34. */
	int64_t e[3] = { 10, 10, 10 };
	report_share(100, e, 3, s);
	assert_int_equal(s[0], 33);
	assert_int_equal(s[1], 33);
	assert_int_equal(s[2], 34);
}

static void
days_step_over_months_and_years(void **state)
{
	(void)state;
	assert_int_equal(report_day_add(20261231, 1), 20270101);
	assert_int_equal(report_day_add(20260301, -1), 20260228);
	assert_int_equal(report_day_add(20261204, -89), 20260906);
	assert_int_equal(tz_set("America/New_York"), ERR_OK);
	/* 2026-11-01 has 25 hours in New York. */
	assert_int_equal(report_day_start(20261102) - report_day_start(20261101),
	    25 * 3600);
	assert_int_equal(report_day_key(report_day_start(20261101) + 24 * 3600 +
	    1800), 20261101);
	assert_int_equal(tz_set("UTC"), ERR_OK);
}

static int64_t
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	assert_true(cJSON_IsNumber(v));
	return (int64_t)v->valuedouble;
}

static void
chart_bars_scale_to_the_tallest(void **state)
{
	struct chart_point p[4] = { { "a", 1000 }, { "b", 500 }, { "c", 0 },
	    { "d", 1 } };
	cJSON *c = report_chart("c1", "Net", "usd", p, 4), *bars, *b;

	(void)state;
	assert_non_null(c);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(c, "empty")));
	bars = cJSON_GetObjectItem(c, "bars");
	/* A day of 0 draws no bar. */
	assert_int_equal(cJSON_GetArraySize(bars), 3);
	b = cJSON_GetArrayItem(bars, 0);
	assert_int_equal(num(b, "h"), CHART_PLOT_H);
	assert_int_equal(num(b, "y"), CHART_TOP);
	assert_int_equal(num(cJSON_GetObjectItem(b, "value"), "amount"), 1000);
	b = cJSON_GetArrayItem(bars, 1);
	assert_int_equal(num(b, "h"), CHART_PLOT_H / 2);
	assert_int_equal(num(b, "y") + num(b, "h"), CHART_TOP + CHART_PLOT_H);
	/* 1 in 1000 is under one unit: still seen. */
	b = cJSON_GetArrayItem(bars, 2);
	assert_int_equal(num(b, "h"), 1);
	assert_string_equal(cJSON_GetObjectItem(b, "label")->valuestring, "d");
	/* Bars stay inside the plot, left to right, apart. */
	for (int i = 0; i < 3; i++) {
		b = cJSON_GetArrayItem(bars, i);
		assert_true(num(b, "x") >= CHART_LEFT);
		assert_true(num(b, "x") + num(b, "w") <= CHART_LEFT +
		    CHART_PLOT_W);
	}
	assert_true(num(cJSON_GetArrayItem(bars, 0), "x") +
	    num(cJSON_GetArrayItem(bars, 0), "w") <
	    num(cJSON_GetArrayItem(bars, 1), "x"));
	assert_int_equal(num(cJSON_GetObjectItem(c, "max"), "amount"), 1000);
	cJSON_Delete(c);
}

static void
chart_of_nothing_is_empty(void **state)
{
	struct chart_point zero[2] = { { "a", 0 }, { "b", 0 } };
	cJSON *c = report_chart("c2", "Net", "usd", NULL, 0);

	(void)state;
	assert_non_null(c);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "empty")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "bars")), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "labels")),
	    0);
	cJSON_Delete(c);
	c = report_chart("c3", "Net", "usd", zero, 2);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "empty")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "bars")), 0);
	cJSON_Delete(c);
}

static void
chart_of_one_day_is_one_centred_bar(void **state)
{
	struct chart_point one_day = { "2026-12-04", 4900 };
	cJSON *c = report_chart("c4", "Net", NULL, &one_day, 1), *b, *l;

	(void)state;
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "bars")), 1);
	b = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "bars"), 0);
	assert_int_equal(num(b, "h"), CHART_PLOT_H);
	assert_int_equal(num(b, "w"), CHART_BAR_MAX);
	assert_int_equal(num(b, "x"), CHART_LEFT + (CHART_PLOT_W -
	    CHART_BAR_MAX) / 2);
	/* Without a currency the value is a count. */
	assert_int_equal(num(b, "value"), 4900);
	l = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "labels"), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "labels")),
	    1);
	assert_string_equal(cJSON_GetObjectItem(l, "anchor")->valuestring,
	    "middle");
	assert_string_equal(cJSON_GetObjectItem(l, "text")->valuestring,
	    "2026-12-04");
	cJSON_Delete(c);
}

static void
chart_labels_stay_in_the_picture(void **state)
{
	struct chart_point p[90];
	cJSON *c, *labels, *l;
	int n;

	(void)state;
	for (int i = 0; i < 90; i++)
		p[i] = (struct chart_point){ "2026-01-01", i + 1 };
	c = report_chart("c5", "Net", "usd", p, 90);
	labels = cJSON_GetObjectItem(c, "labels");
	n = cJSON_GetArraySize(labels);
	assert_int_equal(n, CHART_LABELS);
	l = cJSON_GetArrayItem(labels, 0);
	assert_int_equal(num(l, "x"), CHART_LEFT);
	assert_string_equal(cJSON_GetObjectItem(l, "anchor")->valuestring,
	    "start");
	l = cJSON_GetArrayItem(labels, n - 1);
	assert_int_equal(num(l, "x"), CHART_LEFT + CHART_PLOT_W);
	assert_string_equal(cJSON_GetObjectItem(l, "anchor")->valuestring,
	    "end");
	cJSON_Delete(c);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(summary_splits_days_at_local_midnight),
		T(dashboard_refund_is_shared_over_items),
		T(store_refund_of_one_item_counts_on_that_item),
		T(unpaid_checkout_counts_as_started),
		T(period_sums_edges_and_whole_months),
		cmocka_unit_test(share_is_exact_and_proportional),
		cmocka_unit_test(days_step_over_months_and_years),
		cmocka_unit_test(chart_bars_scale_to_the_tallest),
		cmocka_unit_test(chart_of_nothing_is_empty),
		cmocka_unit_test(chart_of_one_day_is_one_centred_bar),
		cmocka_unit_test(chart_labels_stay_in_the_picture),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
