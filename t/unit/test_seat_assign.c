/* Seats given to a list (lib/seat_bulk.c) and to one address
 * (lib/seat_assign.c): a typed list and a CSV file read into addresses,
 * invalid and repeated ones marked; the preview classifies each address
 * (a member: access now; another address: an invitation; already has the
 * course; already holds a seat; beyond the free seats) and changes
 * nothing; the confirmation gives exactly that in one transaction with
 * one audit row, and never more than the free seats even when another
 * manager took one in between; a plain member changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "db.h"
#include "fixtures.h"
#include "seat.h"
#include "seat_assign.h"
#include "seat_bulk.h"
#include "team.h"

#define NOW 1800000000
#define BASE "https://school.example"

struct fx {
	struct fixture f;
	int64_t owner, member, buyer, plain, team, course;
};

static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "seat-assign");
	struct db *db = x->f.db;

	x->owner = fixture_user(db, "owner@example.org", "Olga",
	    ROLE_STUDENT);
	x->member = fixture_user(db, "member@example.org", "Max",
	    ROLE_STUDENT);
	x->buyer = fixture_user(db, "buyer@example.org", "Bea", ROLE_STUDENT);
	x->plain = fixture_user(db, "plain@example.org", "Pia", ROLE_STUDENT);
	assert_int_equal(team_create(db, x->owner, "Acme", NOW, &x->team),
	    ERR_OK);
	x->course = fixture_course(db, "c-programming-fundamentals");
	fixture_run(db, "INSERT INTO team_members (team_id, user_id, role, "
	    "joined_at) VALUES (?1, ?2, 'member', 1)", x->team, x->member);
	fixture_run(db, "INSERT INTO team_members (team_id, user_id, role, "
	    "joined_at) VALUES (?1, ?2, 'member', 1)", x->team, x->plain);
	fixture_run(db, "INSERT INTO enrollments (user_id, course_id, source, "
	    "granted_at) VALUES (?1, ?2, 'purchase', 1)", x->buyer, x->course);
	assert_int_equal(seat_add(db, x->team, x->course, 3, NOW), ERR_OK);
	*state = x;
	return 0;
}

/* The outcomes of b as letters, one per row: G given, I invited, C has
 * the course, H holds, B bad, D duplicate, N none left. */
static const char *
letters(struct arena *a, const struct seat_bulk *b)
{
	static const char l[SEAT_OUTCOME_MAX] = "GICHBDN";
	char *s = arena_alloc(a, b->n + 1);

	for (size_t i = 0; i < b->n; i++)
		s[i] = l[b->v[i].outcome];
	s[b->n] = '\0';
	return s;
}

/* Everything a giving could change, as one number per table. */
static int64_t
changes(struct fx *x)
{
	return fixture_int(x->f.db, "SELECT (SELECT count(*) FROM "
	    "seat_assignments) * 1000000 + (SELECT count(*) FROM outbox) * "
	    "10000 + (SELECT count(*) FROM audit_log) * 100 + (SELECT held "
	    "FROM team_seats WHERE team_id = ?1 AND course_id = ?2)", x->team,
	    x->course);
}

static void
a_typed_list_is_split_normalised_and_checked(void **state)
{
	struct fx *x = *state;
	struct seat_bulk b;

	assert_int_equal(seat_bulk_text(x->f.a, " A@Example.org ,b@example.org;"
	    "\r\nnot an address\n\n ; a@example.org\nc@example.org", &b),
	    ERR_OK);
	assert_int_equal(b.n, 5);
	assert_string_equal(b.v[0].address, "a@example.org");
	assert_string_equal(letters(x->f.a, &b), "IIBDI");
	assert_string_equal(b.v[2].address, "not an address");
	assert_string_equal(seat_bulk_list(x->f.a, &b),
	    "a@example.org,b@example.org,c@example.org");
}

static void
more_than_the_limit_is_refused(void **state)
{
	struct fx *x = *state;
	struct seat_bulk b;
	size_t n = SEAT_BULK_MAX + 1, len = 0;
	char *s = arena_alloc(x->f.a, n * 24 + 1);

	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "p%zu@example.org\n", i);
	assert_int_equal(seat_bulk_text(x->f.a, s, &b), ERR_TOOLARGE);
	assert_int_equal(b.n, n);
	s[len - strlen("p5000@example.org\n")] = '\0';
	assert_int_equal(seat_bulk_text(x->f.a, s, &b), ERR_OK);
	assert_int_equal(b.n, SEAT_BULK_MAX);
}

static void
a_csv_file_gives_its_email_column(void **state)
{
	struct fx *x = *state;
	static const char with_header[] = "Name,EMAIL,note\r\n"
	    "\"Doe, Jane\",jane@example.org,\"said \"\"hi\"\"\"\r\n"
	    "Joe,joe@example.org,\r\n,,\r\nBad,nope,x";
	static const char first_column[] = "Address\nann@example.org\n"
	    "bob@example.org,extra\n";
	static const char no_header[] = "ann@example.org\nbob@example.org";
	struct seat_bulk b;

	assert_int_equal(seat_bulk_csv(x->f.a, with_header,
	    strlen(with_header), &b), ERR_OK);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.v[0].address, "jane@example.org");
	assert_string_equal(b.v[1].address, "joe@example.org");
	assert_string_equal(letters(x->f.a, &b), "IIB");
	assert_int_equal(seat_bulk_csv(x->f.a, first_column,
	    strlen(first_column), &b), ERR_OK);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.v[1].address, "bob@example.org");
	assert_int_equal(seat_bulk_csv(x->f.a, no_header, strlen(no_header),
	    &b), ERR_OK);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.v[0].address, "ann@example.org");
}

static void
the_preview_classifies_and_changes_nothing(void **state)
{
	struct fx *x = *state;
	struct seat_bulk b;
	enum seat_outcome o;
	int64_t before;

	/* An address already invited holds a seat: 2 of 3 stay free. */
	assert_int_equal(seat_assign(x->f.db, x->owner, x->team, x->course,
	    "held@example.org", BASE, NOW, &o), ERR_OK);
	assert_int_equal(o, SEAT_INVITED);
	before = changes(x);
	assert_int_equal(seat_bulk_text(x->f.a, "member@example.org,"
	    "buyer@example.org,held@example.org,new1@example.org,bad,"
	    "new2@example.org,NEW1@example.org", &b), ERR_OK);
	assert_int_equal(seat_bulk_preview(x->f.db, x->owner, x->team,
	    x->course, NOW, &b), ERR_OK);
	assert_string_equal(letters(x->f.a, &b), "GCHIBND");
	assert_int_equal(b.free, 2);
	assert_int_equal(b.count[SEAT_GIVEN] + b.count[SEAT_INVITED], 2);
	assert_int_equal(b.count[SEAT_NONE_LEFT], 1);
	assert_int_equal(changes(x), before);
}

static void
the_confirmation_gives_exactly_that_in_one_transaction(void **state)
{
	struct fx *x = *state;
	struct seat_bulk b;
	int64_t audits;

	audits = fixture_int(x->f.db, "SELECT count(*) FROM audit_log", 0, 0);
	assert_int_equal(seat_bulk_text(x->f.a, "member@example.org,"
	    "buyer@example.org,new1@example.org,new2@example.org,"
	    "new3@example.org", &b), ERR_OK);
	assert_int_equal(seat_bulk_preview(x->f.db, x->owner, x->team,
	    x->course, NOW, &b), ERR_OK);
	assert_string_equal(letters(x->f.a, &b), "GCIIN");
	assert_int_equal(seat_bulk_text(x->f.a, seat_bulk_list(x->f.a, &b),
	    &b), ERR_OK);
	assert_int_equal(seat_bulk_assign(x->f.db, x->owner, x->team,
	    x->course, BASE, NOW, &b), ERR_OK);
	assert_string_equal(letters(x->f.a, &b), "GCIIN");
	assert_int_equal(fixture_int(x->f.db, "SELECT seats * 10 + held FROM "
	    "team_seats WHERE team_id = ?1 AND course_id = ?2", x->team,
	    x->course), 33);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "seat_assignments WHERE status = 'invited' AND token_hash IS NOT "
	    "NULL AND expires_at = ?1", NOW + TEAM_INVITE_TTL, 0), 2);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "enrollments WHERE user_id = ?1 AND source = 'seat' AND seat_id "
	    "IS NOT NULL AND status = 'active'", x->member, 0), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM outbox "
	    "WHERE to_addr IN ('member@example.org', 'new1@example.org', "
	    "'new2@example.org')", 0, 0), 3);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM audit_log",
	    0, 0), audits + 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'seat.bulk' AND detail NOT LIKE '%@%'", 0, 0), 1);
}

static void
a_seat_taken_meanwhile_is_never_given_twice(void **state)
{
	struct fx *x = *state;
	struct seat_bulk b;
	enum seat_outcome o;

	assert_int_equal(seat_bulk_text(x->f.a, "new1@example.org,"
	    "new2@example.org,new3@example.org", &b), ERR_OK);
	assert_int_equal(seat_bulk_preview(x->f.db, x->owner, x->team,
	    x->course, NOW, &b), ERR_OK);
	assert_string_equal(letters(x->f.a, &b), "III");
	/* Another manager gives a seat between preview and confirmation. */
	assert_int_equal(seat_assign(x->f.db, x->owner, x->team, x->course,
	    "other@example.org", BASE, NOW, &o), ERR_OK);
	assert_int_equal(seat_bulk_assign(x->f.db, x->owner, x->team,
	    x->course, BASE, NOW, &b), ERR_OK);
	assert_string_equal(letters(x->f.a, &b), "IIN");
	assert_int_equal(fixture_int(x->f.db, "SELECT held FROM team_seats "
	    "WHERE team_id = ?1 AND course_id = ?2", x->team, x->course), 3);
	/* With no seat left at all, a list changes nothing. */
	assert_int_equal(seat_bulk_text(x->f.a, "late@example.org", &b),
	    ERR_OK);
	assert_int_equal(seat_assign(x->f.db, x->owner, x->team, x->course,
	    "one-more@example.org", BASE, NOW, &o), ERR_OK);
	assert_int_equal(o, SEAT_NONE_LEFT);
	int64_t before = changes(x);
	assert_int_equal(seat_bulk_assign(x->f.db, x->owner, x->team,
	    x->course, BASE, NOW, &b), ERR_OK);
	assert_string_equal(letters(x->f.a, &b), "N");
	assert_int_equal(changes(x), before);
}

static void
a_plain_member_or_an_outsider_changes_nothing(void **state)
{
	struct fx *x = *state;
	struct seat_bulk b;
	enum seat_outcome o;
	int64_t before = changes(x);
	int64_t out = fixture_user(x->f.db, "out@example.org", "Ursula",
	    ROLE_STUDENT);

	assert_int_equal(seat_bulk_text(x->f.a, "new1@example.org", &b),
	    ERR_OK);
	assert_int_equal(seat_bulk_assign(x->f.db, x->plain, x->team,
	    x->course, BASE, NOW, &b), ERR_FORBIDDEN);
	assert_int_equal(seat_bulk_assign(x->f.db, out, x->team, x->course,
	    BASE, NOW, &b), ERR_NOTFOUND);
	assert_int_equal(seat_assign(x->f.db, x->plain, x->team, x->course,
	    "new1@example.org", BASE, NOW, &o), ERR_FORBIDDEN);
	assert_int_equal(changes(x), before);
}

static void
accepting_and_revoking(void **state)
{
	struct fx *x = *state;
	struct seat_invite v;
	enum seat_outcome o;
	int64_t id, newbie;
	int already;

	/* The token lives only in the mail: read it back from there. */
	assert_int_equal(seat_assign(x->f.db, x->owner, x->team, x->course,
	    "newbie@example.org", BASE, NOW, &o), ERR_OK);
	char token[65] = "";
	struct db_stmt *st = db_prep(x->f.db, "SELECT body FROM outbox WHERE "
	    "to_addr = 'newbie@example.org'");
	assert_int_equal(db_next(st), ERR_OK);
	const char *p = strstr(db_col_text(st, 0), "token=");
	assert_non_null(p);
	memcpy(token, p + 6, 64);
	db_done(st);
	newbie = fixture_user(x->f.db, "newbie@example.org", "Nina",
	    ROLE_STUDENT);
	assert_int_equal(seat_invite_check(x->f.db, x->f.a, token,
	    NOW + TEAM_INVITE_TTL, &v), ERR_NOTFOUND);
	assert_int_equal(seat_invite_accept(x->f.db, x->f.a, token, newbie,
	    NOW + 1, &v, &already), ERR_OK);
	assert_int_equal(already, 0);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "team_members WHERE team_id = ?1 AND user_id = ?2 AND role = "
	    "'member'", x->team, newbie), 1);
	assert_int_equal(seat_invite_accept(x->f.db, x->f.a, token, newbie,
	    NOW + 2, &v, &already), ERR_NOTFOUND);
	id = v.id;
	assert_int_equal(seat_assign_revoke(x->f.db, x->member, x->team, id,
	    NOW + 3), ERR_FORBIDDEN);
	assert_int_equal(seat_assign_revoke(x->f.db, x->owner, x->team, id,
	    NOW + 3), ERR_OK);
	assert_int_equal(seat_assign_revoke(x->f.db, x->owner, x->team, id,
	    NOW + 4), ERR_NOTFOUND);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "enrollments WHERE user_id = ?1 AND status = 'revoked'", newbie,
	    0), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT held FROM team_seats "
	    "WHERE team_id = ?1 AND course_id = ?2", x->team, x->course), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    a_typed_list_is_split_normalised_and_checked, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(more_than_the_limit_is_refused,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_csv_file_gives_its_email_column, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    the_preview_classifies_and_changes_nothing, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    the_confirmation_gives_exactly_that_in_one_transaction,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_seat_taken_meanwhile_is_never_given_twice, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_plain_member_or_an_outsider_changes_nothing, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(accepting_and_revoking, setup,
		    fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
