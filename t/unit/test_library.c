/* The student's library (lib/library.c) over a seeded database: each
 * enrollment gets one status, the one its access implies (refunded,
 * disputed and revoked ones are "refunded"; a completion outranks an
 * expiry); the summary counts what is open now; filters keep the order;
 * "continue learning" puts the most recently active course first, then
 * the newest never started, and never offers a closed or completed one;
 * recent completions are newest first; what was spent is paid money less
 * refunds; one student's scan holds nothing of another's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "db.h"
#include "fixtures.h"
#include "library.h"
#include "seed.h"
#include "user.h"

#define NOW 1800000000
#define DAY 86400

struct fx {
	struct fixture t;	/* first: database and arena, fixtures.h */
	int64_t ann, bob;	/* two students */
};

/* Runs sql with ?1..?4 bound to a..d. */
static void
run(struct fx *f, const char *sql, int64_t a, int64_t b, int64_t c,
    int64_t d)
{
	struct db_stmt *st = db_prep(f->t.db, sql);

	db_bind_int64(st, 1, a);
	db_bind_int64(st, 2, b);
	db_bind_int64(st, 3, c);
	db_bind_int64(st, 4, d);
	assert_int_equal(db_run(st), ERR_OK);
}

/* Enrolls user in course, granted at, revoked or not, with the order
 * behind it (0: none; an order makes it revoked). */
static void
enroll(struct fx *f, int64_t user, int64_t course, int64_t at, int revoked,
    int64_t order)
{
	if (order == 0)
		run(f, "INSERT INTO enrollments (user_id, course_id, source, "
		    "granted_at, status) VALUES (?1, ?2, 'purchase', ?3, "
		    "CASE ?4 WHEN 1 THEN 'revoked' ELSE 'active' END)", user,
		    course, at, revoked);
	else
		run(f, "INSERT INTO enrollments (user_id, course_id, source, "
		    "granted_at, status, order_id) VALUES (?1, ?2, 'purchase', "
		    "?3, 'revoked', ?4)", user, course, at, order);
}

static void
progress(struct fx *f, int64_t user, int64_t course, int64_t activity,
    int64_t completed)
{
	run(f, "INSERT INTO course_progress (user_id, course_id, "
	    "last_activity_at, completed_at) VALUES (?1, ?2, ?3, "
	    "nullif(?4, 0))", user, course, activity, completed);
}

/* Courses of the seed by id: 1 C (self-paced), 2 SQL (self-paced),
 * 4 web security (self-paced, 365 days), 5 systems design (cohort),
 * 7 technical docs (workshop), 8 testing (self-paced), 10 payments
 * (self-paced). */
static int
setup(void **state)
{
	struct fx *f = fixture_new(sizeof(*f), "library");

	f->ann = fixture_user(f->t.db, "ann@example.org", "Ann", ROLE_STUDENT);
	f->bob = fixture_user(f->t.db, "bob@example.org", "Bob", ROLE_STUDENT);
	run(f, "INSERT INTO orders (id, number, user_id, status, currency, "
	    "subtotal_amount, discount_amount, total_amount, refunded_amount) "
	    "VALUES (1, 'ORD-A', ?1, 'refunded', 'usd', 12900, 0, 12900, 12900), "
	    "(2, 'ORD-B', ?1, 'disputed', 'usd', 4900, 0, 4900, 0), "
	    "(3, 'ORD-C', ?1, 'paid', 'usd', 9800, 980, 8820, 0), "
	    "(4, 'ORD-D', ?1, 'partially_refunded', 'usd', 5900, 0, 5900, 1000), "
	    "(5, 'ORD-E', ?2, 'paid', 'usd', 3900, 0, 3900, 0)", f->ann,
	    f->bob, 0, 0);
	/* Ann's, newest enrollment first but the expired one, oldest: */
	enroll(f, f->ann, 2, NOW - 1, 0, 0);		/* not started */
	enroll(f, f->ann, 5, NOW - 2, 0, 0);		/* cohort, active */
	progress(f, f->ann, 5, NOW - 50, 0);
	enroll(f, f->ann, 8, NOW - 3, 0, 0);		/* completed */
	progress(f, f->ann, 8, NOW - 10, NOW - 10);
	enroll(f, f->ann, 10, NOW - 4, 0, 1);		/* refunded */
	progress(f, f->ann, 10, NOW - 5, 0);
	enroll(f, f->ann, 4, NOW - 400 * DAY, 0, 0);	/* expired */
	progress(f, f->ann, 4, NOW - 390 * DAY, 0);
	enroll(f, f->ann, 7, NOW - 6, 0, 0);		/* workshop, active */
	progress(f, f->ann, 7, NOW - 20, 0);
	enroll(f, f->ann, 1, NOW - 7, 0, 2);		/* disputed, completed */
	progress(f, f->ann, 1, NOW - 100, NOW - 100);
	/* Bob, whose data Ann never sees: */
	enroll(f, f->bob, 3, NOW - 1, 0, 0);
	progress(f, f->bob, 3, NOW - 1, NOW - 1);
	*state = f;
	return 0;
}

static size_t
scan(struct fx *f, int64_t user, struct library_entry **e)
{
	size_t n;

	assert_int_equal(library_scan(f->t.db, f->t.a, user, NOW, e, &n),
	    ERR_OK);
	return n;
}

static void
each_enrollment_has_the_status_its_access_implies(void **state)
{
	static const int64_t courses[] = { 2, 5, 8, 10, 7, 1, 4 };
	static const enum library_status want[] = { LIBRARY_ACTIVE,
	    LIBRARY_ACTIVE, LIBRARY_COMPLETED, LIBRARY_REFUNDED,
	    LIBRARY_ACTIVE, LIBRARY_REFUNDED, LIBRARY_EXPIRED };
	struct fx *f = *state;
	struct library_entry *e;
	size_t n = scan(f, f->ann, &e);

	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(e[i].course.id, courses[i]);
		assert_int_equal(e[i].status, want[i]);
	}
	assert_int_equal(e[3].access.reason, ACCESS_REFUNDED);
	assert_int_equal(e[5].access.reason, ACCESS_DISPUTED);
	assert_int_equal(e[6].access.reason, ACCESS_EXPIRED);
	assert_int_equal(e[1].type, COURSE_COHORT);
	assert_int_equal(e[4].type, COURSE_WORKSHOP);
	assert_string_equal(library_status_name(LIBRARY_REFUNDED), "refunded");
}

static void
summary_counts_what_is_open_now(void **state)
{
	struct fx *f = *state;
	struct library_entry *e;
	struct library_summary s;
	size_t n = scan(f, f->ann, &e);

	library_summarise(e, n, &s);
	assert_int_equal(s.enrolled, 4);	/* 2, 5, 8, 7 */
	assert_int_equal(s.in_progress, 2);	/* 5, 7 */
	assert_int_equal(s.completed, 1);	/* 8; 1 is voided */
	assert_int_equal(s.by_type[COURSE_SELF_PACED].enrolled, 2);
	assert_int_equal(s.by_type[COURSE_SELF_PACED].completed, 1);
	assert_int_equal(s.by_type[COURSE_COHORT].enrolled, 1);
	assert_int_equal(s.by_type[COURSE_WORKSHOP].enrolled, 1);
	assert_int_equal(s.by_type[COURSE_WORKSHOP].completed, 0);
}

static void
filters_keep_the_order(void **state)
{
	struct fx *f = *state;
	struct library_entry *e;
	size_t n = scan(f, f->ann, &e);

	n = library_filter(e, n, COURSE_SELF_PACED, LIBRARY_STATUS_MAX);
	assert_int_equal(n, 5);
	assert_int_equal(e[0].course.id, 2);
	assert_int_equal(e[4].course.id, 4);
	n = library_filter(e, n, COURSE_SELF_PACED, LIBRARY_REFUNDED);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].course.id, 10);
	assert_int_equal(e[1].course.id, 1);
	n = scan(f, f->ann, &e);
	assert_int_equal(library_filter(e, n, COURSE_TYPE_MAX,
	    LIBRARY_ACTIVE), 3);
	n = scan(f, f->ann, &e);
	assert_int_equal(library_filter(e, n, COURSE_WORKSHOP,
	    LIBRARY_COMPLETED), 0);
}

static void
continue_offers_open_courses_latest_activity_first(void **state)
{
	struct fx *f = *state;
	struct library_entry *e;
	size_t idx[3], done[5], k, n = scan(f, f->ann, &e);

	k = library_continue(e, n, idx, 3);
	assert_int_equal(k, 3);
	assert_int_equal(e[idx[0]].course.id, 7);	/* active 20 s ago */
	assert_int_equal(e[idx[1]].course.id, 5);	/* 50 s ago */
	assert_int_equal(e[idx[2]].course.id, 2);	/* never started */
	k = library_continue(e, n, idx, 1);
	assert_int_equal(k, 1);
	assert_int_equal(e[idx[0]].course.id, 7);
	k = library_recent_completions(e, n, done, 5);
	assert_int_equal(k, 1);
	assert_int_equal(e[done[0]].course.id, 8);
}

static void
spent_is_paid_money_less_refunds(void **state)
{
	struct fx *f = *state;
	char cur[4][4];
	int64_t amount[4];
	size_t n;

	assert_int_equal(library_spent(f->t.db, f->ann, cur, amount, 4, &n),
	    ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(cur[0], "usd");
	assert_int_equal(amount[0], 8820 + 5900 - 1000);
}

static void
a_scan_holds_one_student_only(void **state)
{
	struct fx *f = *state;
	struct library_entry *e;
	size_t n = scan(f, f->bob, &e);

	assert_int_equal(n, 1);
	assert_int_equal(e[0].course.id, 3);
	n = scan(f, f->ann, &e);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(e[i].course.id, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fixture_teardown)
		T(each_enrollment_has_the_status_its_access_implies),
		T(summary_counts_what_is_open_now),
		T(filters_keep_the_order),
		T(continue_offers_open_courses_latest_activity_first),
		T(spent_is_paid_money_less_refunds),
		T(a_scan_holds_one_student_only),
#undef T
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
