/* A team's seat counters (lib/seat.c): seats are added and topped up,
 * taken one at a time up to what was bought and never beyond, given back
 * by a revocation (which ends the enrollment it gave and nothing else),
 * and removed by a refund only while that many are free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "fixtures.h"
#include "seat.h"
#include "team.h"

#define NOW 1800000000

struct fx {
	struct fixture f;
	int64_t owner, member, team, course;
};

static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "seat");

	x->owner = fixture_user(x->f.db, "owner@example.org", "Olga",
	    ROLE_STUDENT);
	x->member = fixture_user(x->f.db, "member@example.org", "Max",
	    ROLE_STUDENT);
	assert_int_equal(team_create(x->f.db, x->owner, "Acme", NOW,
	    &x->team), ERR_OK);
	x->course = fixture_course(x->f.db, "intro-to-git");
	*state = x;
	return 0;
}

/* seats and held of the team's course, as "seats/held" in a number:
 * seats * 1000 + held. */
static int64_t
counts(struct fx *x)
{
	return fixture_int(x->f.db, "SELECT seats * 1000 + held FROM "
	    "team_seats WHERE team_id = ? AND course_id = ?", x->team,
	    x->course);
}

/* An active assignment of the course to user, with its enrollment, as
 * lib's assignment would make it once seat_take held the seat. */
static int64_t
assign(struct fx *x, int64_t user, const char *email)
{
	struct db_stmt *st;
	int64_t id;

	st = db_prep(x->f.db, "INSERT INTO seat_assignments (team_id, "
	    "course_id, user_id, email, status, created_at, accepted_at) "
	    "VALUES (?, ?, ?, ?, 'active', 1, 1) RETURNING id");
	db_bind_int64(st, 1, x->team);
	db_bind_int64(st, 2, x->course);
	db_bind_int64(st, 3, user);
	db_bind_text(st, 4, email);
	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	fixture_run(x->f.db, "INSERT INTO enrollments (user_id, course_id, "
	    "source, seat_id) VALUES (?, (SELECT course_id FROM "
	    "seat_assignments WHERE id = ?2), 'seat', ?2)", user, id);
	return id;
}

static void
seats_are_taken_up_to_what_was_bought(void **state)
{
	struct fx *x = *state;
	struct db *db = x->f.db;

	assert_int_equal(seat_take(db, x->team, x->course, NOW),
	    ERR_NOTFOUND);
	assert_int_equal(seat_add(db, x->team, x->course, 2, NOW), ERR_OK);
	assert_int_equal(seat_add(db, x->team, x->course, 1, NOW), ERR_OK);
	assert_int_equal(counts(x), 3000);
	for (int i = 0; i < 3; i++)
		assert_int_equal(seat_take(db, x->team, x->course, NOW),
		    ERR_OK);
	assert_int_equal(seat_take(db, x->team, x->course, NOW),
	    ERR_CONFLICT);
	assert_int_equal(counts(x), 3003);
	assert_int_equal(seat_add(db, x->team, x->course, 0, NOW),
	    ERR_INVALID);
}

static void
revoking_frees_the_seat_and_ends_its_access(void **state)
{
	struct fx *x = *state;
	struct db *db = x->f.db;
	int64_t id, n;

	assert_int_equal(seat_add(db, x->team, x->course, 1, NOW), ERR_OK);
	assert_int_equal(seat_take(db, x->team, x->course, NOW), ERR_OK);
	id = assign(x, x->member, "member@example.org");
	/* Another team's id does not reach it. */
	assert_int_equal(seat_revoke(db, x->team + 1, id, x->owner, NOW),
	    ERR_NOTFOUND);
	assert_int_equal(seat_revoke(db, x->team, id, x->owner, NOW), ERR_OK);
	assert_int_equal(counts(x), 1000);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM enrollments "
	    "WHERE user_id = ? AND status = 'revoked' AND revoked_at = ?",
	    x->member, NOW), 1);
	assert_int_equal(fixture_int(db, "SELECT revoked_by FROM "
	    "seat_assignments WHERE id = ?", id, 0), x->owner);
	/* Twice is not found, and frees nothing more. */
	assert_int_equal(seat_revoke(db, x->team, id, x->owner, NOW),
	    ERR_NOTFOUND);
	assert_int_equal(counts(x), 1000);
	/* A member leaving gives back what they hold, and only that. */
	assert_int_equal(seat_take(db, x->team, x->course, NOW), ERR_OK);
	fixture_run(db, "DELETE FROM enrollments WHERE user_id = ?",
	    x->member, 0);
	assign(x, x->member, "member@example.org");
	assert_int_equal(seat_revoke_member(db, x->team, x->member, 0, NOW,
	    &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(counts(x), 1000);
	assert_int_equal(seat_revoke_member(db, x->team, x->owner, 0, NOW,
	    &n), ERR_OK);
	assert_int_equal(n, 0);
}

static void
a_refund_removes_only_free_seats(void **state)
{
	struct fx *x = *state;
	struct db *db = x->f.db;

	assert_int_equal(seat_add(db, x->team, x->course, 3, NOW), ERR_OK);
	assert_int_equal(seat_take(db, x->team, x->course, NOW), ERR_OK);
	assert_int_equal(seat_take(db, x->team, x->course, NOW), ERR_OK);
	assert_int_equal(seat_remove(db, x->team, x->course, 2, NOW),
	    ERR_CONFLICT);
	assert_int_equal(counts(x), 3002);
	assert_int_equal(seat_remove(db, x->team, x->course, 1, NOW), ERR_OK);
	assert_int_equal(counts(x), 2002);
	/* The schema holds the line even against a hand-written update. */
	assert_int_not_equal(db_run(db_prep(db, "UPDATE team_seats SET "
	    "held = seats + 1")), ERR_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    seats_are_taken_up_to_what_was_bought, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    revoking_frees_the_seat_and_ends_its_access, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_refund_removes_only_free_seats, setup, fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
