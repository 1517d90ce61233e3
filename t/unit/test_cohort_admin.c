/* The admin's cohort courses (lib/step_admin.c, cohort_admin.c,
 * option_admin.c, cohort_roster.c, cohort_move.c, cohort_bookings.c) on a
 * migrated, seeded database in Europe/Paris: sessions computed on their
 * own day across the change of hour, moved with the start day or the
 * step's week and refused in the skipped hour with nothing changed; the
 * capacity never below the places held; deletions refused while used;
 * single-session steps booked on a move, a full one left to choose; a
 * full target refused; the roster by key and as CSV; one audit row per
 * change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "cohort_admin.h"
#include "cohort_bookings.h"
#include "cohort_move.h"
#include "cohort_roster.h"
#include "db.h"
#include "fixtures.h"
#include "option_admin.h"
#include "session_when.h"
#include "step_admin.h"
#include "tz.h"
#include "user.h"

#define NOW 1800000000
/* Tuesday 23 March 2027 18:00 in Paris (UTC+1), and 30 March (UTC+2). */
#define TUE_W1 1805821200
#define TUE_W2 1806422400

struct fx {
	struct fixture t;	/* first: database and arena, fixtures.h */
	int64_t admin, ann, bob;
	int64_t course, s1, s2;	/* a cohort course and its two steps */
	int64_t spring;		/* its cohort from 2027-03-22, 2 places */
	int64_t tue1, tue2;	/* Tuesday 18:00-19:30 in weeks 1 and 2 */
};

static int64_t
count(struct fx *x, const char *sql, int64_t a1)
{
	return fixture_int(x->t.db, sql, a1, 0);
}

static int64_t
audits(struct fx *x)
{
	return count(x, "SELECT count(*) FROM audit_log", 0);
}

static int64_t
option(struct fx *x, int64_t cohort, int64_t step, int weekday, int start,
    int64_t capacity, enum err want)
{
	struct option_edit f = { step, "Session", weekday, start, start + 90,
	    capacity, "" };
	enum option_field bad;
	int64_t id = 0;

	assert_int_equal(option_admin_add(x->t.db, x->admin, cohort, &f, NOW,
	    &id, &bad), want);
	return id;
}

static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "cohort-admin");
	struct cohort_edit c = { "Spring", "2027-03-22", 1805000000, 2, 1 };
	enum cohort_field bad;

	assert_int_equal(tz_set("Europe/Paris"), ERR_OK);
	x->admin = fixture_user(x->t.db, "boss@example.org", "Boss",
	    ROLE_ADMIN);
	x->ann = fixture_user(x->t.db, "ann@example.org", "Ann", ROLE_STUDENT);
	x->bob = fixture_user(x->t.db, "bob@example.org", "Bob", ROLE_STUDENT);
	fixture_run(x->t.db, "INSERT INTO courses (slug, title, course_type, "
	    "price_amount) VALUES ('kiln', 'Kiln', 'cohort', 100)", 0, 0);
	x->course = fixture_course(x->t.db, "kiln");
	assert_int_equal(step_admin_add(x->t.db, x->admin, x->course, "Week 1",
	    "Clay", NOW, &x->s1), ERR_OK);
	assert_int_equal(step_admin_add(x->t.db, x->admin, x->course, "Week 2",
	    "Glaze", NOW, &x->s2), ERR_OK);
	assert_int_equal(cohort_admin_create(x->t.db, x->admin, x->course, &c,
	    NOW, &x->spring, &bad), ERR_OK);
	x->tue1 = option(x, x->spring, x->s1, 2, 18 * 60, 1, ERR_OK);
	x->tue2 = option(x, x->spring, x->s2, 2, 18 * 60, 5, ERR_OK);
	*state = x;
	return 0;
}

static void
form_values_read_and_written(void **state)
{
	char out[6], when[SESSION_WHEN_MAX];

	(void)state;
	assert_int_equal(tz_set("Europe/Paris"), ERR_OK);
	assert_int_equal(option_minutes_parse("18:30"), 1110);
	assert_int_equal(option_minutes_parse("00:00"), 0);
	assert_int_equal(option_minutes_parse("24:00"), -1);
	assert_int_equal(option_minutes_parse("9:30"), -1);
	assert_int_equal(option_minutes_parse("09:30x"), -1);
	option_minutes_format(545, out);
	assert_string_equal(out, "09:05");
	assert_true(option_url_valid(""));
	assert_true(option_url_valid("https://meet.example.org/abc?x=1"));
	assert_false(option_url_valid("http://meet.example.org/"));
	assert_false(option_url_valid("https://"));
	assert_false(option_url_valid("https://a b.org/"));
	assert_false(option_url_valid("javascript:alert(1)"));
	session_when(TUE_W2, TUE_W2 + 5400, when);
	assert_string_equal(when, "Tue 30 Mar 2027, 18:00\xe2\x80\x93"
	    "19:30 Europe/Paris");
}

static void
sessions_stay_at_local_time_across_the_change_of_hour(void **state)
{
	struct fx *x = *state;

	assert_int_equal(count(x, "SELECT starts_at FROM step_options WHERE "
	    "id = ?", x->tue1), TUE_W1);
	assert_int_equal(count(x, "SELECT starts_at FROM step_options WHERE "
	    "id = ?", x->tue2), TUE_W2);
	assert_int_equal(count(x, "SELECT ends_at FROM step_options WHERE "
	    "id = ?", x->tue2), TUE_W2 + 5400);
	/* Sunday of week 1 is 28 March: 02:30 does not exist. */
	option(x, x->spring, x->s1, 7, 150, 5, ERR_INVALID);
	assert_int_equal(count(x, "SELECT count(*) FROM step_options WHERE "
	    "cohort_id = ?", x->spring), 2);
}

static void
start_day_moves_sessions_or_changes_nothing(void **state)
{
	struct fx *x = *state;
	struct cohort_edit f = { "Spring", "2027-03-15", 1805000000, 2, 1 };
	enum cohort_field bad;
	int64_t moved, before, night;

	/* Sunday of week 2 at 02:30: 4 April, then 28 March. */
	night = option(x, x->spring, x->s2, 7, 150, 5, ERR_OK);
	before = audits(x);
	assert_int_equal(cohort_admin_update(x->t.db, x->admin, x->spring, &f,
	    NOW, &bad, &moved), ERR_INVALID);
	assert_int_equal(bad, COHORT_F_STARTS_ON);
	assert_int_equal(moved, 0);
	assert_int_equal(count(x, "SELECT count(*) FROM cohorts WHERE "
	    "starts_on = '2027-03-22' AND id = ?", x->spring), 1);
	assert_int_equal(count(x, "SELECT starts_at FROM step_options WHERE "
	    "id = ?", x->tue2), TUE_W2);
	assert_int_equal(audits(x), before);
	assert_int_equal(option_admin_delete(x->t.db, x->admin, night, NOW,
	    &moved), ERR_OK);
	assert_int_equal(cohort_admin_update(x->t.db, x->admin, x->spring, &f,
	    NOW, &bad, &moved), ERR_OK);
	assert_int_equal(moved, 2);
	/* Week 2 from 15 March is the week of 22 March: winter time. */
	assert_int_equal(count(x, "SELECT starts_at FROM step_options WHERE "
	    "id = ?", x->tue2), TUE_W1);
	assert_int_equal(audits(x), before + 2);
}

static void
capacity_never_below_places_held(void **state)
{
	struct fx *x = *state;
	struct cohort_edit f = { "Spring", "2027-03-22", 1805000000, 1, 1 };
	enum cohort_refusal why;
	enum cohort_field bad;
	int64_t place, before;

	assert_int_equal(cohort_place_hold(x->t.db, x->spring, x->ann, 0,
	    PLACE_TAKEN, 0, NOW, &place, &why), ERR_OK);
	assert_int_equal(cohort_place_hold(x->t.db, x->spring, x->bob, 0,
	    PLACE_RESERVED, NOW + 60, NOW, &place, &why), ERR_OK);
	before = audits(x);
	assert_int_equal(cohort_admin_update(x->t.db, x->admin, x->spring, &f,
	    NOW, &bad, NULL), ERR_CONFLICT);
	assert_int_equal(bad, COHORT_F_CAPACITY);
	assert_int_equal(count(x, "SELECT capacity FROM cohorts WHERE id = ?",
	    x->spring), 2);
	assert_int_equal(audits(x), before);
	f.capacity = 2;
	f.name = "Spring 2027";
	assert_int_equal(cohort_admin_update(x->t.db, x->admin, x->spring, &f,
	    NOW, &bad, NULL), ERR_OK);
	assert_int_equal(audits(x), before + 1);
	/* Used: never deleted. */
	assert_int_equal(cohort_admin_delete(x->t.db, x->admin, x->spring, NOW,
	    &place), ERR_CONFLICT);
}

static void
deletions_refused_while_used(void **state)
{
	struct fx *x = *state;
	int64_t course, options, bookings, cohort, s3;

	assert_int_equal(step_admin_delete(x->t.db, x->admin, x->s1, NOW,
	    &course, &options, &bookings), ERR_CONFLICT);
	assert_int_equal(options, 1);
	assert_int_equal(bookings, 0);
	assert_int_equal(cohort_bookings_rows(x->t.db, x->ann, x->spring, NOW),
	    ERR_OK);
	assert_int_equal(cohort_option_book(x->t.db, x->ann, x->tue1, NOW),
	    ERR_OK);
	assert_int_equal(option_admin_delete(x->t.db, x->admin, x->tue1, NOW,
	    &cohort), ERR_CONFLICT);
	assert_int_equal(count(x, "SELECT booked FROM step_options WHERE "
	    "id = ?", x->tue1), 1);
	/* An unused last step goes; the others keep 1..n. */
	assert_int_equal(step_admin_add(x->t.db, x->admin, x->course, "Extra",
	    "Extra", NOW, &s3), ERR_OK);
	assert_int_equal(step_admin_delete(x->t.db, x->admin, s3, NOW, &course,
	    &options, &bookings), ERR_OK);
	assert_int_equal(count(x, "SELECT max(position) FROM course_steps "
	    "WHERE course_id = ?", x->course), 2);
}

static void
moving_a_step_moves_its_sessions(void **state)
{
	struct fx *x = *state;

	assert_int_equal(step_admin_move(x->t.db, x->admin, x->s1, 1, NOW),
	    ERR_INVALID);
	assert_int_equal(step_admin_move(x->t.db, x->admin, x->s2, 1, NOW),
	    ERR_OK);
	assert_int_equal(count(x, "SELECT starts_at FROM step_options WHERE "
	    "id = ?", x->tue2), TUE_W1);
	assert_int_equal(count(x, "SELECT starts_at FROM step_options WHERE "
	    "id = ?", x->tue1), TUE_W2);
	assert_int_equal(count(x, "SELECT position FROM course_steps WHERE "
	    "id = ?", x->s2), 1);
}

/* Enrolls user in cohort as a payment would: a place taken, rows open. */
static int64_t
enroll(struct fx *x, int64_t user, int64_t cohort)
{
	enum cohort_refusal why;
	int64_t place;

	assert_int_equal(cohort_place_hold(x->t.db, cohort, user, 0,
	    PLACE_TAKEN, 0, NOW, &place, &why), ERR_OK);
	fixture_run(x->t.db, "INSERT INTO enrollments (user_id, course_id, "
	    "source, cohort_id) SELECT ?1, course_id, 'admin', id FROM cohorts "
	    "WHERE id = ?2", user, cohort);
	assert_int_equal(cohort_bookings_open(x->t.db, user, cohort, NOW,
	    NULL), ERR_OK);
	return fixture_int(x->t.db, "SELECT id FROM enrollments WHERE user_id "
	    "= ? AND cohort_id = ?", user, cohort);
}

static void
moves_between_cohorts_and_sessions(void **state)
{
	struct fx *x = *state;
	struct cohort_edit c = { "Autumn", "2027-10-04", 1820000000, 1, 1 };
	enum cohort_field bad;
	enum cohort_refusal why;
	int64_t autumn, single, a2, b2, ann_e, bob_e, before, booked;

	assert_int_equal(cohort_admin_create(x->t.db, x->admin, x->course, &c,
	    NOW, &autumn, &bad), ERR_OK);
	single = option(x, autumn, x->s1, 1, 18 * 60, 1, ERR_OK);
	a2 = option(x, autumn, x->s2, 3, 18 * 60, 4, ERR_OK);
	b2 = option(x, autumn, x->s2, 5, 18 * 60, 4, ERR_OK);
	/* Both of Spring's steps have one session: Ann gets both, Bob the
	 * second only (the first has one place). */
	ann_e = enroll(x, x->ann, x->spring);
	bob_e = enroll(x, x->bob, x->spring);
	assert_int_equal(count(x, "SELECT count(*) FROM step_bookings WHERE "
	    "user_id = ? AND option_id IS NULL", x->bob), 1);
	assert_int_equal(cohort_bookings_open(x->t.db, x->bob, x->spring, NOW,
	    &booked), ERR_OK);
	assert_int_equal(booked, 0);	/* still full */
	/* Bob onto Ann's full session: refused, nothing changed. */
	before = audits(x);
	assert_int_equal(cohort_move_option(x->t.db, x->admin, bob_e, x->tue1,
	    NOW), ERR_CONFLICT);
	assert_int_equal(cohort_move_option(x->t.db, x->admin, bob_e, a2, NOW),
	    ERR_INVALID);
	assert_int_equal(audits(x), before);

	assert_int_equal(cohort_move_student(x->t.db, x->admin, ann_e, autumn,
	    NOW, &why), ERR_OK);
	assert_int_equal(count(x, "SELECT held FROM cohorts WHERE id = ?",
	    x->spring), 1);
	assert_int_equal(count(x, "SELECT held FROM cohorts WHERE id = ?",
	    autumn), 1);
	assert_int_equal(count(x, "SELECT booked FROM step_options WHERE "
	    "id = ?", x->tue1), 0);
	assert_int_equal(count(x, "SELECT booked FROM step_options WHERE "
	    "id = ?", x->tue2), 1);
	assert_int_equal(count(x, "SELECT booked FROM step_options WHERE "
	    "id = ?", single), 1);
	assert_int_equal(fixture_int(x->t.db, "SELECT count(*) FROM "
	    "step_bookings WHERE user_id = ? AND cohort_id = ?", x->ann,
	    x->spring), 0);
	assert_int_equal(fixture_int(x->t.db, "SELECT count(*) FROM "
	    "step_bookings WHERE user_id = ? AND cohort_id = ? AND option_id "
	    "IS NULL", x->ann, autumn), 1);
	assert_int_equal(audits(x), before + 1);
	/* Autumn is full now: Bob stays. */
	assert_int_equal(cohort_move_student(x->t.db, x->admin, bob_e, autumn,
	    NOW, &why), ERR_CONFLICT);
	assert_int_equal(why, COHORT_FULL);
	assert_int_equal(cohort_move_student(x->t.db, x->admin, bob_e,
	    x->spring, NOW, &why), ERR_INVALID);
	assert_int_equal(audits(x), before + 1);
	/* Ann between Autumn's two sessions of step 2. */
	assert_int_equal(cohort_move_option(x->t.db, x->admin, ann_e, a2, NOW),
	    ERR_OK);
	assert_int_equal(cohort_move_option(x->t.db, x->admin, ann_e, b2, NOW),
	    ERR_OK);
	assert_int_equal(count(x, "SELECT booked FROM step_options WHERE "
	    "id = ?", a2), 0);
	assert_int_equal(count(x, "SELECT booked FROM step_options WHERE "
	    "id = ?", b2), 1);
}

static void
roster_by_key_and_as_csv(void **state)
{
	struct fx *x = *state;
	struct roster_student *v;
	struct buf out = { 0 };
	size_t n;
	int more;

	enroll(x, x->ann, x->spring);
	enroll(x, x->bob, x->spring);
	assert_int_equal(cohort_roster_page(x->t.db, x->t.a, x->spring, 0, 1,
	    &v, &n, &more), ERR_OK);
	assert_int_equal(n, 1);
	assert_true(more);
	assert_string_equal(v[0].name, "Ann");
	assert_int_equal(v[0].nsteps, 2);
	assert_int_equal(v[0].steps[0].option_id, x->tue1);
	assert_int_equal(cohort_roster_page(x->t.db, x->t.a, x->spring,
	    v[0].enrollment_id, 1, &v, &n, &more), ERR_OK);
	assert_int_equal(n, 1);
	assert_false(more);
	assert_string_equal(v[0].name, "Bob");
	assert_int_equal(v[0].steps[0].option_id, 0);	/* it was full */
	assert_int_equal(cohort_roster_csv(x->t.db, x->spring, &out), ERR_OK);
	assert_non_null(strstr(out.data, "name,email,joined,Week 1,Week 2\r\n"));
	assert_non_null(strstr(out.data, ",\"Session, Tue 23 Mar 2027, "
	    "18:00\xe2\x80\x93" "19:30 Europe/Paris\",\"Session, Tue 30 Mar "
	    "2027, 18:00"));
	assert_non_null(strstr(out.data, "Bob,bob@example.org,"));
	assert_non_null(strstr(out.data, ",not booked,"));
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(form_values_read_and_written),
		cmocka_unit_test_setup_teardown(
		    sessions_stay_at_local_time_across_the_change_of_hour,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    start_day_moves_sessions_or_changes_nothing, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    capacity_never_below_places_held, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(deletions_refused_while_used,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    moving_a_step_moves_its_sessions, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    moves_between_cohorts_and_sessions, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(roster_by_key_and_as_csv,
		    setup, fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
