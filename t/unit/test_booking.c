/* Booking live sessions (lib/cohort_bookings.c, lib/booking.c,
 * lib/calendar.c; issue 19): joining a cohort makes a booking row for
 * every step and books the steps offered in a single option; the wizard's
 * submission is applied whole or not at all (a full option names its
 * step, and the other choices of the submission are not kept); a session
 * within the cut-off can be neither chosen nor left; someone without a
 * place in a cohort of the course has no plan; the booked sessions come
 * out as calendar events, and the feed's token finds its student until a
 * new one replaces it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "booking.h"
#include "calendar.h"
#include "cohort_bookings.h"
#include "db.h"
#include "fixtures.h"

#define NOW 1800000000
#define WEEK (7 * 86400)

struct fx {
	struct fixture f;
	int64_t ann, bob, course, cohort;
	int64_t step[3];
	int64_t only, tue, thu, soon, later;	/* options */
};

static int64_t
insert(struct db *db, const char *sql, int64_t a1, int64_t a2, int64_t a3)
{
	struct db_stmt *st = db_prep(db, sql);
	int64_t id;

	assert_non_null(st);
	db_bind_int64(st, 1, a1);
	db_bind_int64(st, 2, a2);
	db_bind_int64(st, 3, a3);
	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	return id;
}

/* An option of step for the fixture's cohort starting at starts_at, an
 * hour and a half long, with capacity places. */
static int64_t
option(struct fx *x, const char *name, int64_t step, int64_t starts_at,
    int64_t capacity)
{
	struct db_stmt *st = db_prep(x->f.db, "INSERT INTO step_options "
	    "(cohort_id, step_id, name, weekday, start_minute, end_minute, "
	    "starts_at, ends_at, capacity, meeting_url, created_at, "
	    "updated_at) VALUES (?1, ?2, ?5, 2, 1080, 1170, ?3, ?3 + 5400, ?4, "
	    "'https://meet.example/' || ?5, 1, 1) RETURNING id");
	int64_t id;

	db_bind_int64(st, 1, x->cohort);
	db_bind_int64(st, 2, step);
	db_bind_int64(st, 3, starts_at);
	db_bind_int64(st, 4, capacity);
	db_bind_text(st, 5, name);
	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	return id;
}

static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "booking");
	struct db *db = x->f.db;

	x->ann = fixture_user(db, "ann@example.org", "Ann", ROLE_STUDENT);
	x->bob = fixture_user(db, "bob@example.org", "Bob", ROLE_STUDENT);
	x->course = fixture_course(db, "systems-design-cohort");
	/* A schedule of the test's own, not the demo's. */
	fixture_run(db, "DELETE FROM step_options WHERE cohort_id IN (SELECT "
	    "id FROM cohorts WHERE course_id = ?)", x->course, 0);
	fixture_run(db, "DELETE FROM cohorts WHERE course_id = ?", x->course,
	    0);
	fixture_run(db, "DELETE FROM course_steps WHERE course_id = ?",
	    x->course, 0);
	x->cohort = insert(db, "INSERT INTO cohorts (course_id, name, "
	    "starts_on, enroll_deadline, capacity, created_at, updated_at) "
	    "VALUES (?1, 'Spring', '2027-03-22', ?2, 10, 1, 1) RETURNING id",
	    x->course, NOW + WEEK, 0);
	for (int i = 0; i < 3; i++)
		x->step[i] = insert(db, "INSERT INTO course_steps (course_id, "
		    "position, label, title) VALUES (?1, ?2, 'Week ' || ?2, "
		    "'Topic ' || ?2) RETURNING id", x->course, i + 1, 0);
	x->only = option(x, "Only", x->step[0], NOW + 2 * WEEK, 5);
	x->tue = option(x, "Tuesday", x->step[1], NOW + 3 * WEEK, 5);
	x->thu = option(x, "Thursday", x->step[1], NOW + 3 * WEEK + 2 * 86400,
	    1);
	x->soon = option(x, "Soon", x->step[2], NOW + 3600, 5);
	x->later = option(x, "Later", x->step[2], NOW + 4 * WEEK, 5);
	*state = x;
	return 0;
}

/* user becomes a student of the cohort, as a paid place makes them. */
static void
enroll(struct fx *x, int64_t user)
{
	int64_t booked;

	fixture_run(x->f.db, "INSERT INTO enrollments (user_id, course_id, "
	    "source, cohort_id) SELECT ?1, course_id, 'admin', id FROM "
	    "cohorts WHERE id = ?2", user, x->cohort);
	assert_int_equal(cohort_bookings_open(x->f.db, user, x->cohort, NOW,
	    &booked),
	    ERR_OK);
	assert_int_equal(booked, 1);
}

static int64_t
option_of(struct fx *x, int64_t user, int64_t step)
{
	return fixture_int(x->f.db, "SELECT coalesce(option_id, 0) FROM "
	    "step_bookings WHERE user_id = ? AND step_id = ?", user, step);
}

static int64_t
booked(struct fx *x, int64_t opt)
{
	return fixture_int(x->f.db, "SELECT booked FROM step_options WHERE "
	    "id = ?", opt, 0);
}

static void
joining_books_the_single_option_steps(void **state)
{
	struct fx *x = *state;
	struct booking_plan p;

	enroll(x, x->ann);
	assert_int_equal(option_of(x, x->ann, x->step[0]), x->only);
	assert_int_equal(option_of(x, x->ann, x->step[1]), 0);
	assert_int_equal(booked(x, x->only), 1);
	assert_int_equal(booking_plan_load(x->f.db, x->f.a, x->ann, x->course,
	    NOW, &p), ERR_OK);
	assert_string_equal(p.cohort_name, "Spring");
	assert_int_equal(p.nsteps, 3);
	assert_int_equal(p.steps[0].noptions, 1);
	assert_int_equal(p.steps[1].noptions, 2);
	/* The meeting link is shown for the booked option only. */
	assert_string_equal(p.steps[0].options[0].meeting_url,
	    "https://meet.example/Only");
	assert_string_equal(p.steps[1].options[0].meeting_url, "");
	assert_true(p.steps[2].options[0].closed);
	/* Bob has no place: no plan. */
	assert_int_equal(booking_plan_load(x->f.db, x->f.a, x->bob, x->course,
	    NOW, &p), ERR_NOTFOUND);
}

static void
a_submission_is_applied_whole_or_not_at_all(void **state)
{
	struct fx *x = *state;
	struct booking_problem pr;
	char text[300];
	int64_t both[2], one;
	size_t changed;

	enroll(x, x->ann);
	enroll(x, x->bob);
	one = x->thu;
	assert_int_equal(booking_apply(x->f.db, x->f.a, x->bob, x->course,
	    &one, 1, NOW, &pr, &changed), ERR_OK);
	assert_int_equal(changed, 1);
	/* Thursday is now full: Ann's later option for week 3 is not kept
	 * either. */
	both[0] = x->later;
	both[1] = x->thu;
	assert_int_equal(booking_apply(x->f.db, x->f.a, x->ann, x->course,
	    both, 2, NOW, &pr, &changed), ERR_CONFLICT);
	assert_int_equal(pr.why, BOOKING_FULL);
	booking_problem_text(&pr, text, sizeof(text));
	assert_string_equal(text, "Week 2: Thursday has no place left. "
	    "Choose another option, or book this step later.");
	assert_int_equal(option_of(x, x->ann, x->step[2]), 0);
	assert_int_equal(booked(x, x->later), 0);
	/* With Tuesday instead, both are booked. */
	both[1] = x->tue;
	assert_int_equal(booking_apply(x->f.db, x->f.a, x->ann, x->course,
	    both, 2, NOW, &pr, &changed), ERR_OK);
	assert_int_equal(changed, 2);
	assert_int_equal(option_of(x, x->ann, x->step[1]), x->tue);
	/* Bob moves to Tuesday: Thursday's place is free again. */
	one = x->tue;
	assert_int_equal(booking_apply(x->f.db, x->f.a, x->bob, x->course,
	    &one, 1, NOW, &pr, &changed), ERR_OK);
	assert_int_equal(booked(x, x->thu), 0);
	assert_int_equal(booked(x, x->tue), 2);
	/* Two options for one step, or another cohort's: refused. */
	both[0] = x->tue;
	both[1] = x->thu;
	assert_int_equal(booking_apply(x->f.db, x->f.a, x->ann, x->course,
	    both, 2, NOW, &pr, &changed), ERR_CONFLICT);
	assert_int_equal(pr.why, BOOKING_UNKNOWN);
}

static void
the_cut_off_closes_a_session(void **state)
{
	struct fx *x = *state;
	struct booking_problem pr;
	size_t changed;
	int64_t one = x->soon;

	enroll(x, x->ann);
	/* It starts within the day: it cannot be chosen. */
	assert_int_equal(booking_apply(x->f.db, x->f.a, x->ann, x->course,
	    &one, 1, NOW, &pr, &changed), ERR_CONFLICT);
	assert_int_equal(pr.why, BOOKING_CLOSED);
	/* Booked a week ahead, it cannot be left the day before. */
	one = x->tue;
	assert_int_equal(booking_apply(x->f.db, x->f.a, x->ann, x->course,
	    &one, 1, NOW, &pr, &changed), ERR_OK);
	one = x->thu;
	assert_int_equal(booking_apply(x->f.db, x->f.a, x->ann, x->course,
	    &one, 1, NOW + 3 * WEEK - 3600, &pr, &changed), ERR_CONFLICT);
	assert_int_equal(pr.why, BOOKING_CLOSED);
	assert_int_equal(option_of(x, x->ann, x->step[1]), x->tue);
}

static void
booked_sessions_are_calendar_events(void **state)
{
	struct fx *x = *state;
	char token[LINK_TOKEN_HEX + 1], old[LINK_TOKEN_HEX + 1], url[100];
	struct booking_problem pr;
	struct ical_event *ev;
	int64_t one = x->tue, who = 0;
	size_t n, changed;

	enroll(x, x->ann);
	assert_int_equal(booking_apply(x->f.db, x->f.a, x->ann, x->course,
	    &one, 1, NOW, &pr, &changed), ERR_OK);
	assert_int_equal(calendar_events(x->f.db, x->f.a, x->ann, 0,
	    "https://school.example", &ev, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].starts_at, NOW + 2 * WEEK);
	assert_string_equal(ev[0].summary, "Systems Design Cohort, Week 1: "
	    "Topic 1");
	assert_string_equal(ev[1].location, "https://meet.example/Tuesday");
	assert_non_null(strstr(ev[1].uid, "@school.example"));
	snprintf(url, sizeof(url), "https://school.example/account/courses/"
	    "%lld/book", (long long)x->course);
	assert_string_equal(ev[1].url, url);
	/* Bob cannot read Ann's booking. */
	assert_int_equal(calendar_events(x->f.db, x->f.a, x->bob,
	    fixture_int(x->f.db, "SELECT id FROM step_bookings WHERE user_id "
	    "= ? AND option_id IS NOT NULL LIMIT 1", x->ann, 0),
	    "https://school.example", &ev, &n), ERR_NOTFOUND);
	/* The feed's token finds Ann until a new one replaces it. */
	assert_int_equal(calendar_feed_new(x->f.db, x->ann, NOW, old),
	    ERR_OK);
	assert_int_equal(calendar_feed_user(x->f.db, old, &who), ERR_OK);
	assert_int_equal(who, x->ann);
	assert_int_equal(calendar_feed_new(x->f.db, x->ann, NOW, token),
	    ERR_OK);
	assert_int_equal(calendar_feed_user(x->f.db, old, &who),
	    ERR_NOTFOUND);
	assert_int_equal(calendar_feed_user(x->f.db, token, &who), ERR_OK);
	assert_int_equal(calendar_feed_revoke(x->f.db, x->ann), ERR_OK);
	assert_int_equal(calendar_feed_user(x->f.db, token, &who),
	    ERR_NOTFOUND);
	assert_int_equal(calendar_feed_user(x->f.db, "../etc", &who),
	    ERR_NOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    joining_books_the_single_option_steps, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_submission_is_applied_whole_or_not_at_all, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(the_cut_off_closes_a_session,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    booked_sessions_are_calendar_events, setup,
		    fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
