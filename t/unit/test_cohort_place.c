/* Places in a cohort and in a session option (lib/cohort_place.c, issue
 * 19 groundwork): a cohort gives places up to its capacity and then says
 * it is full, says why when inactive or past its deadline (an offer to
 * the waitlist still holds past it), gives a released place to the next
 * buyer, and never two live places to one person; an option is booked up
 * to its capacity, and moving a booking frees the old option's place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cohort_place.h"
#include "db.h"
#include "fixtures.h"

#define NOW 1800000000

struct fx {
	struct fixture f;
	int64_t ann, bob, cyd;
	int64_t cohort, step, small, big;
};

/* The first column of sql's only row (RETURNING id). */
static int64_t
insert(struct db *db, const char *sql, int64_t a1, int64_t a2)
{
	struct db_stmt *st = db_prep(db, sql);
	int64_t id;

	assert_non_null(st);
	db_bind_int64(st, 1, a1);
	db_bind_int64(st, 2, a2);
	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	return id;
}

static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "cohort");
	struct db *db = x->f.db;
	int64_t course = fixture_course(db, "systems-design-cohort");

	x->ann = fixture_user(db, "ann@example.org", "Ann", ROLE_STUDENT);
	x->bob = fixture_user(db, "bob@example.org", "Bob", ROLE_STUDENT);
	x->cyd = fixture_user(db, "cyd@example.org", "Cyd", ROLE_STUDENT);
	/* Two places, enrollment open until NOW + 100. */
	x->cohort = insert(db, "INSERT INTO cohorts (course_id, name, "
	    "starts_on, enroll_deadline, capacity, created_at, updated_at) "
	    "VALUES (?1, 'Spring', '2027-03-22', ?2 + 100, 2, ?2, ?2) "
	    "RETURNING id", course, NOW);
	/* After the demo's own steps of the course. */
	x->step = insert(db, "INSERT INTO course_steps (course_id, position, "
	    "label, title) SELECT ?1, coalesce(max(position), 0) + ?2, "
	    "'Week 1', 'Requirements' FROM course_steps WHERE course_id = ?1 "
	    "RETURNING id", course, 1);
	x->small = insert(db, "INSERT INTO step_options (cohort_id, step_id, "
	    "name, weekday, start_minute, end_minute, starts_at, ends_at, "
	    "capacity, created_at, updated_at) VALUES (?1, ?2, 'Tuesday "
	    "evening', 2, 1080, 1170, 1805821200, 1805826600, 1, 1, 1) "
	    "RETURNING id", x->cohort, x->step);
	x->big = insert(db, "INSERT INTO step_options (cohort_id, step_id, "
	    "name, weekday, start_minute, end_minute, starts_at, ends_at, "
	    "capacity, created_at, updated_at) VALUES (?1, ?2, 'Thursday "
	    "morning', 4, 540, 630, 1805958000, 1805963400, 5, 1, 1) "
	    "RETURNING id", x->cohort, x->step);
	*state = x;
	return 0;
}

static int64_t
held(struct fx *x)
{
	return fixture_int(x->f.db, "SELECT held FROM cohorts WHERE id = ?",
	    x->cohort, 0);
}

static enum err
hold(struct fx *x, int64_t user, enum cohort_place_status s, int64_t now,
    int64_t *place, enum cohort_refusal *why)
{
	return cohort_place_hold(x->f.db, x->cohort, user, 0, s, now + 1800,
	    now, place, why);
}

static void
places_up_to_capacity_then_full(void **state)
{
	struct fx *x = *state;
	enum cohort_refusal why;
	int64_t a, b, c;

	assert_int_equal(hold(x, x->ann, PLACE_RESERVED, NOW, &a, &why),
	    ERR_OK);
	/* One live place per person. */
	assert_int_equal(hold(x, x->ann, PLACE_RESERVED, NOW, &c, &why),
	    ERR_CONFLICT);
	assert_int_equal(why, COHORT_OPEN);
	assert_int_equal(hold(x, x->bob, PLACE_TAKEN, NOW, &b, &why), ERR_OK);
	assert_int_equal(hold(x, x->cyd, PLACE_RESERVED, NOW, &c, &why),
	    ERR_CONFLICT);
	assert_int_equal(why, COHORT_FULL);
	assert_string_equal(cohort_refusal_message(why),
	    "This cohort is full.");
	assert_int_equal(held(x), 2);
	/* Ann's checkout expires: Cyd gets her place. */
	assert_int_equal(cohort_place_release(x->f.db, a, NOW), ERR_OK);
	assert_int_equal(cohort_place_release(x->f.db, a, NOW), ERR_NOTFOUND);
	assert_int_equal(held(x), 1);
	assert_int_equal(hold(x, x->cyd, PLACE_RESERVED, NOW, &c, &why),
	    ERR_OK);
	assert_int_equal(cohort_place_take(x->f.db, c, NOW), ERR_OK);
	assert_int_equal(cohort_place_take(x->f.db, c, NOW), ERR_NOTFOUND);
	assert_int_equal(held(x), 2);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "cohort_places WHERE cohort_id = ? AND status = 'taken' AND "
	    "expires_at IS NULL", x->cohort, 0), 2);
}

static void
closed_cohorts_say_why(void **state)
{
	struct fx *x = *state;
	enum cohort_refusal why;
	int64_t p;

	assert_int_equal(hold(x, x->ann, PLACE_RESERVED, NOW + 100, &p, &why),
	    ERR_CONFLICT);
	assert_int_equal(why, COHORT_PAST_DEADLINE);
	/* An offer made to the waitlist still holds after the deadline. */
	assert_int_equal(hold(x, x->ann, PLACE_OFFERED, NOW + 100, &p, &why),
	    ERR_OK);
	fixture_run(x->f.db, "UPDATE cohorts SET is_active = 0 WHERE id = ?",
	    x->cohort, 0);
	assert_int_equal(hold(x, x->bob, PLACE_RESERVED, NOW, &p, &why),
	    ERR_CONFLICT);
	assert_int_equal(why, COHORT_INACTIVE);
	assert_int_equal(held(x), 1);
}

/* Gives user a booking row for the step, as paying for the place does. */
static void
booking_row(struct fx *x, int64_t user)
{
	fixture_run(x->f.db, "INSERT INTO step_bookings (user_id, cohort_id, "
	    "step_id, changed_at) SELECT ?1, cohort_id, step_id, 1 FROM "
	    "step_options WHERE id = ?2", user, x->small);
}

static int64_t
booked(struct fx *x, int64_t option)
{
	return fixture_int(x->f.db, "SELECT booked FROM step_options WHERE "
	    "id = ?", option, 0);
}

static void
options_are_booked_up_to_capacity(void **state)
{
	struct fx *x = *state;

	/* Without a booking row (not a student of the cohort): no. */
	assert_int_equal(cohort_option_book(x->f.db, x->ann, x->small, NOW),
	    ERR_NOTFOUND);
	booking_row(x, x->ann);
	booking_row(x, x->bob);
	assert_int_equal(cohort_option_book(x->f.db, x->ann, x->small, NOW),
	    ERR_OK);
	/* Again: nothing more counted. */
	assert_int_equal(cohort_option_book(x->f.db, x->ann, x->small, NOW),
	    ERR_OK);
	assert_int_equal(booked(x, x->small), 1);
	assert_int_equal(cohort_option_book(x->f.db, x->bob, x->small, NOW),
	    ERR_CONFLICT);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "step_bookings WHERE user_id = ? AND option_id IS NULL", x->bob,
	    0), 1);
	/* Ann moves to Thursday: Tuesday's place is Bob's to take. */
	assert_int_equal(cohort_option_book(x->f.db, x->ann, x->big, NOW),
	    ERR_OK);
	assert_int_equal(booked(x, x->small), 0);
	assert_int_equal(booked(x, x->big), 1);
	assert_int_equal(cohort_option_book(x->f.db, x->bob, x->small, NOW),
	    ERR_OK);
	assert_int_equal(fixture_int(x->f.db, "SELECT option_id FROM "
	    "step_bookings WHERE user_id = ?", x->ann, 0), x->big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    places_up_to_capacity_then_full, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(closed_cohorts_say_why, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    options_are_booked_up_to_capacity, setup,
		    fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
