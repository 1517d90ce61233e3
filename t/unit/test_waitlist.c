/* The waitlist of a full cohort (lib/waitlist.c, issue 19): joining is
 * refused unless the cohort is full and enrolling; a released place is
 * offered, in the releasing transaction, to the first waiting only, with
 * a place held and a mail; checkout claims the offer as its reservation;
 * an offer not taken runs out in the sweep and goes to the next in line,
 * once however often the sweep runs; leaving while offered passes the
 * place on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cohort_place.h"
#include "db.h"
#include "fixtures.h"
#include "waitlist.h"

#define NOW 1800000000

struct fx {
	struct fixture f;
	int64_t ann, bob, cyd, dan;
	int64_t course, cohort, ann_place;
};

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

/* A cohort of one place, taken by Ann; open until NOW + 100. */
static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "waitlist");
	struct db *db = x->f.db;
	enum cohort_refusal why;

	x->course = fixture_course(db, "systems-design-cohort");
	x->ann = fixture_user(db, "ann@example.org", "Ann", ROLE_STUDENT);
	x->bob = fixture_user(db, "bob@example.org", "Bob", ROLE_STUDENT);
	x->cyd = fixture_user(db, "cyd@example.org", "Cyd", ROLE_STUDENT);
	x->dan = fixture_user(db, "dan@example.org", "Dan", ROLE_STUDENT);
	x->cohort = insert(db, "INSERT INTO cohorts (course_id, name, "
	    "starts_on, enroll_deadline, capacity, created_at, updated_at) "
	    "VALUES (?1, 'Tiny', '2027-03-22', ?2 + 100, 1, ?2, ?2) "
	    "RETURNING id", x->course, NOW);
	assert_int_equal(cohort_place_hold(db, x->cohort, x->ann, 0,
	    PLACE_TAKEN, 0, NOW, &x->ann_place, &why), ERR_OK);
	*state = x;
	return 0;
}

static int64_t
row_status_is(struct fx *x, int64_t user, const char *status)
{
	struct db_stmt *st = db_prep(x->f.db, "SELECT count(*) FROM "
	    "cohort_waitlist WHERE cohort_id = ? AND user_id = ? AND "
	    "status = ?");
	int64_t n;

	db_bind_int64(st, 1, x->cohort);
	db_bind_int64(st, 2, user);
	db_bind_text(st, 3, status);
	assert_int_equal(db_next(st), ERR_OK);
	n = db_col_int64(st, 0);
	db_done(st);
	return n;
}

static int64_t
offered_places(struct fx *x, int64_t user)
{
	return fixture_int(x->f.db, "SELECT count(*) FROM cohort_places WHERE "
	    "cohort_id = ? AND user_id = ? AND status = 'offered'", x->cohort,
	    user);
}

static int64_t
offer_mails(struct fx *x, int64_t user)
{
	return fixture_int(x->f.db, "SELECT count(*) FROM outbox o JOIN users "
	    "u ON u.email = o.to_addr WHERE u.id = ? AND o.body LIKE "
	    "'%a place in Tiny (%) is yours until %/courses/"
	    "systems-design-cohort%' AND ? = 0", user, 0);
}

static void
join(struct fx *x, int64_t user)
{
	enum waitlist_refusal why;

	assert_int_equal(waitlist_join(x->f.db, x->cohort, user, NOW, &why),
	    ERR_OK);
}

/* Releases Ann's place as an expiry or a move does: in a transaction. */
static void
release_ann(struct fx *x)
{
	assert_int_equal(db_begin(x->f.db), ERR_OK);
	assert_int_equal(cohort_place_release(x->f.db, x->ann_place, NOW + 5),
	    ERR_OK);
	assert_int_equal(db_commit(x->f.db), ERR_OK);
}

static void
join_is_refused_unless_full_and_enrolling(void **state)
{
	struct fx *x = *state;
	enum waitlist_refusal why;

	join(x, x->bob);
	assert_int_equal(waitlist_join(x->f.db, x->cohort, x->bob, NOW, &why),
	    ERR_CONFLICT);
	assert_int_equal(why, WAITLIST_ALREADY);
	fixture_run(x->f.db, "INSERT INTO enrollments (user_id, course_id, "
	    "source) VALUES (?, ?, 'admin')", x->cyd, x->course);
	assert_int_equal(waitlist_join(x->f.db, x->cohort, x->cyd, NOW, &why),
	    ERR_CONFLICT);
	assert_int_equal(why, WAITLIST_HAS_COURSE);
	assert_int_equal(waitlist_join(x->f.db, x->cohort, x->dan, NOW + 100,
	    &why), ERR_CONFLICT);
	assert_int_equal(why, WAITLIST_PAST_DEADLINE);
	assert_string_equal(waitlist_refusal_message(why),
	    "Enrollment in this cohort has closed.");
	fixture_run(x->f.db, "UPDATE cohorts SET capacity = 2 WHERE id = ? "
	    "AND ? = 0", x->cohort, 0);
	assert_int_equal(waitlist_join(x->f.db, x->cohort, x->dan, NOW, &why),
	    ERR_CONFLICT);
	assert_int_equal(why, WAITLIST_NOT_FULL);
	fixture_run(x->f.db, "UPDATE cohorts SET is_active = 0, capacity = 1 "
	    "WHERE id = ? AND ? = 0", x->cohort, 0);
	assert_int_equal(waitlist_join(x->f.db, x->cohort, x->dan, NOW, &why),
	    ERR_CONFLICT);
	assert_int_equal(why, WAITLIST_INACTIVE);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "cohort_waitlist WHERE cohort_id = ? AND ? = 0", x->cohort, 0), 1);
}

static void
waitlist_offer_next_offers_the_first_waiting_only(void **state)
{
	struct fx *x = *state;
	int64_t until = NOW + 5 + WAITLIST_OFFER_TTL;

	join(x, x->bob);
	join(x, x->cyd);
	/* Nothing free: nothing offered. */
	assert_int_equal(waitlist_offer_next(x->f.db, x->cohort, NOW), ERR_OK);
	assert_int_equal(offered_places(x, x->bob), 0);
	release_ann(x);
	assert_int_equal(offered_places(x, x->bob), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT expires_at FROM "
	    "cohort_places WHERE user_id = ? AND status = 'offered' AND ? = 0",
	    x->bob, 0), until);
	assert_int_equal(row_status_is(x, x->bob, "offered"), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT offer_expires_at FROM "
	    "cohort_waitlist WHERE user_id = ? AND ? = 0", x->bob, 0), until);
	assert_int_equal(offer_mails(x, x->bob), 1);
	/* The place is Bob's: the cohort is full again, Cyd waits. */
	assert_int_equal(fixture_int(x->f.db, "SELECT held FROM cohorts "
	    "WHERE id = ? AND ? = 0", x->cohort, 0), 1);
	assert_int_equal(row_status_is(x, x->cyd, "waiting"), 1);
	assert_int_equal(offered_places(x, x->cyd), 0);
	assert_int_equal(offer_mails(x, x->cyd), 0);
}

static void
a_paid_offer_ends_the_row_as_enrolled(void **state)
{
	struct fx *x = *state;
	enum cohort_refusal why;
	int64_t place, other;
	int n;

	join(x, x->bob);
	join(x, x->cyd);
	release_ann(x);
	/* A plain hold refuses Bob: he holds the offered place, which his
	 * checkout's order takes (lib/order_places.c). */
	assert_int_equal(cohort_place_hold(x->f.db, x->cohort, x->bob, 0,
	    PLACE_RESERVED, NOW + 1800, NOW + 10, &other, &why),
	    ERR_CONFLICT);
	assert_int_equal(why, COHORT_OPEN);
	place = fixture_int(x->f.db, "SELECT id FROM cohort_places WHERE "
	    "user_id = ? AND status = 'offered' AND ? = 0", x->bob, 0);
	assert_true(place > 0);
	/* Paid for: the place is taken and his row ends. */
	assert_int_equal(cohort_place_take(x->f.db, place, NOW + 20), ERR_OK);
	assert_int_equal(waitlist_enrolled(x->f.db, x->cohort, x->bob),
	    ERR_OK);
	assert_int_equal(row_status_is(x, x->bob, "enrolled"), 1);
	assert_int_equal(row_status_is(x, x->cyd, "waiting"), 1);
	/* Someone never on the waitlist: nothing to end, no error. */
	assert_int_equal(waitlist_enrolled(x->f.db, x->cohort, x->ann),
	    ERR_OK);
	/* The sweep leaves a paid offer alone. */
	assert_int_equal(waitlist_expire_offers(x->f.db, NOW +
	    2 * WAITLIST_OFFER_TTL, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(fixture_int(x->f.db, "SELECT held FROM cohorts "
	    "WHERE id = ? AND ? = 0", x->cohort, 0), 1);
}

static void
sweep_expires_an_offer_once_and_offers_the_next(void **state)
{
	struct fx *x = *state;
	int64_t until = NOW + 5 + WAITLIST_OFFER_TTL;
	int n;

	join(x, x->bob);
	join(x, x->cyd);
	join(x, x->dan);
	release_ann(x);
	/* Not yet due. */
	assert_int_equal(waitlist_expire_offers(x->f.db, until - 1, &n),
	    ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(row_status_is(x, x->bob, "offered"), 1);
	assert_int_equal(waitlist_expire_offers(x->f.db, until, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(row_status_is(x, x->bob, "expired"), 1);
	assert_int_equal(offered_places(x, x->bob), 0);
	assert_int_equal(row_status_is(x, x->cyd, "offered"), 1);
	assert_int_equal(offered_places(x, x->cyd), 1);
	assert_int_equal(offer_mails(x, x->cyd), 1);
	assert_int_equal(row_status_is(x, x->dan, "waiting"), 1);
	/* Run again (a second timer, a retry): nothing more changes. */
	assert_int_equal(waitlist_expire_offers(x->f.db, until, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(row_status_is(x, x->cyd, "offered"), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT held FROM cohorts "
	    "WHERE id = ? AND ? = 0", x->cohort, 0), 1);
	/* Cyd leaves while offered: Dan gets the place. */
	assert_int_equal(waitlist_leave(x->f.db, x->cohort, x->cyd, until + 1),
	    ERR_OK);
	assert_int_equal(row_status_is(x, x->cyd, "left"), 1);
	assert_int_equal(offered_places(x, x->cyd), 0);
	assert_int_equal(offered_places(x, x->dan), 1);
	assert_int_equal(waitlist_leave(x->f.db, x->cohort, x->cyd, until + 1),
	    ERR_NOTFOUND);
	/* Dan's offer runs out with nobody left: the place is free. */
	assert_int_equal(waitlist_expire_offers(x->f.db, until + 1 +
	    WAITLIST_OFFER_TTL, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT held FROM cohorts "
	    "WHERE id = ? AND ? = 0", x->cohort, 0), 0);
}

static void
a_waiting_student_with_a_checkout_is_passed_over(void **state)
{
	struct fx *x = *state;
	enum cohort_refusal why;
	int64_t p;

	join(x, x->bob);
	join(x, x->cyd);
	/* Bob holds a live place already (taken by hand after he joined):
	 * the freed place goes to Cyd, Bob keeps his row. */
	fixture_run(x->f.db, "UPDATE cohorts SET capacity = 2 WHERE id = ? "
	    "AND ? = 0", x->cohort, 0);
	assert_int_equal(cohort_place_hold(x->f.db, x->cohort, x->bob, 0,
	    PLACE_TAKEN, 0, NOW, &p, &why), ERR_OK);
	release_ann(x);
	assert_int_equal(offered_places(x, x->cyd), 1);
	assert_int_equal(row_status_is(x, x->bob, "waiting"), 1);
}

static void
a_waiting_student_who_enrolled_meanwhile_is_closed(void **state)
{
	struct fx *x = *state;

	join(x, x->bob);
	join(x, x->cyd);
	/* Bob got the course another way (an admin's grant). */
	fixture_run(x->f.db, "INSERT INTO enrollments (user_id, course_id, "
	    "source) VALUES (?, ?, 'admin')", x->bob, x->course);
	release_ann(x);
	assert_int_equal(row_status_is(x, x->bob, "enrolled"), 1);
	assert_int_equal(offered_places(x, x->bob), 0);
	assert_int_equal(offered_places(x, x->cyd), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    join_is_refused_unless_full_and_enrolling, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    waitlist_offer_next_offers_the_first_waiting_only, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_paid_offer_ends_the_row_as_enrolled,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    sweep_expires_an_offer_once_and_offers_the_next, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_waiting_student_with_a_checkout_is_passed_over, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_waiting_student_who_enrolled_meanwhile_is_closed, setup,
		    fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
