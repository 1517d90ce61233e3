/* The admin's team queries (lib/team_admin.c), the seat utilisation
 * report (lib/seat_report.c) and a team's progress (lib/team_progress.c):
 * search by the beginning of the name or of a word of it, each order
 * paged by key with nothing lost or repeated, a team's members,
 * assignments and orders, the report's figures against counts made here
 * from the rows, its CSV with a formula neutralised, and the progress of
 * members who did nothing, opened a lesson, or completed the course. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "db.h"
#include "fixtures.h"
#include "progress.h"
#include "seat.h"
#include "seat_report.h"
#include "team.h"
#include "team_admin.h"
#include "team_progress.h"

#define NOW 1800000000

struct fx {
	struct fixture f;
	int64_t owner, course, git;
};

static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "tadmin");

	x->owner = fixture_user(x->f.db, "owner@example.org", "Olga Owner",
	    ROLE_STUDENT);
	x->course = fixture_course(x->f.db, "sql-for-analysts");
	x->git = fixture_course(x->f.db, "intro-to-git");
	*state = x;
	return 0;
}

static int64_t
team_new(struct fx *x, const char *name)
{
	int64_t id;

	assert_int_equal(team_create(x->f.db, x->owner, name, NOW, &id),
	    ERR_OK);
	return id;
}

/* Makes user a member of team (as an accepted invitation would). */
static void
join(struct fx *x, int64_t team, int64_t user)
{
	fixture_run(x->f.db, "INSERT INTO team_members (team_id, user_id, "
	    "role, joined_at) VALUES (?, ?, 'member', 1)", team, user);
}

/* A seat of course held by an assignment of status for user (0: an
 * invitation to nobody yet) with, when active, its enrollment. */
static int64_t
assign(struct fx *x, int64_t team, int64_t course, int64_t user,
    const char *email, const char *status)
{
	struct db_stmt *st;
	int64_t id;

	assert_int_equal(seat_take(x->f.db, team, course, NOW), ERR_OK);
	st = db_prep(x->f.db, "INSERT INTO seat_assignments (team_id, "
	    "course_id, user_id, email, status, created_at, accepted_at) "
	    "VALUES (?, ?, ?, ?, ?, 1, 2) RETURNING id");
	db_bind_int64(st, 1, team);
	db_bind_int64(st, 2, course);
	if (user != 0)
		db_bind_int64(st, 3, user);
	else
		db_bind_null(st, 3);
	db_bind_text(st, 4, email);
	db_bind_text(st, 5, status);
	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	if (strcmp(status, "active") == 0)
		fixture_run(x->f.db, "INSERT INTO enrollments (user_id, "
		    "course_id, source, seat_id) VALUES (?1, (SELECT course_id "
		    "FROM seat_assignments WHERE id = ?2), 'seat', ?2)", user,
		    id);
	return id;
}

/* Walks every page of q, checking ids are new; returns the count. */
static size_t
walk(struct fx *x, struct team_admin_query q, int64_t *ids, size_t cap)
{
	struct team_admin_row *v;
	size_t n, total = 0;
	int more;

	do {
		assert_int_equal(team_admin_list(x->f.db, x->f.a, &q, &v, &n,
		    &more), ERR_OK);
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; k < total; k++)
				assert_true(ids[k] != v[i].id);
			assert_true(total < cap);
			ids[total++] = v[i].id;
		}
		if (n > 0) {
			q.after_id = v[n - 1].id;
			q.after_name = v[n - 1].name;
			q.after_seats = v[n - 1].seats;
		}
	} while (more);
	return total;
}

static void
teams_are_found_by_a_word_and_paged_in_each_order(void **state)
{
	struct fx *x = *state;
	struct team_admin_query q = { .sort = TEAM_SORT_NAME };
	struct team_admin_row *v;
	int64_t ids[200], acme, seats_id = 0;
	char name[64];
	size_t n;
	int more;

	for (int i = 0; i < 120; i++) {
		snprintf(name, sizeof(name), "Team %03d %s", i, i % 2 ?
		    "Blue" : "Red");
		team_new(x, name);
	}
	acme = team_new(x, "Acme 50%_Sales");
	/* Seats make an order of their own: 3 teams with 7, 5 and 5. */
	assert_int_equal(seat_add(x->f.db, 5, x->course, 7, NOW), ERR_OK);
	assert_int_equal(seat_add(x->f.db, 9, x->course, 5, NOW), ERR_OK);
	assert_int_equal(seat_add(x->f.db, 11, x->git, 5, NOW), ERR_OK);
	for (int s = 0; s < TEAM_SORT_MAX; s++) {
		q = (struct team_admin_query){ .sort = s };
		assert_int_equal(walk(x, q, ids, 200), 121);
		if (s == TEAM_SORT_NEWEST)
			assert_int_equal(ids[0], acme);
		if (s == TEAM_SORT_SEATS) {
			assert_int_equal(ids[0], 5);
			assert_int_equal(ids[1], 11);	/* id desc at 5 */
			assert_int_equal(ids[2], 9);
			seats_id = ids[3];
		}
		if (s == TEAM_SORT_NAME)
			assert_int_equal(ids[0], acme);
	}
	assert_int_equal(seats_id, acme);	/* no seats: newest first */
	/* "blue" begins a word of 60 names, whatever the case. */
	q = (struct team_admin_query){ .q = "bLuE", .sort = TEAM_SORT_NAME };
	assert_int_equal(walk(x, q, ids, 200), 60);
	/* "lue" begins none; "team 01" begins 10 names. */
	q.q = "lue";
	assert_int_equal(walk(x, q, ids, 200), 0);
	q.q = "team 01";
	assert_int_equal(walk(x, q, ids, 200), 10);
	/* A wildcard is a character: "50%_" finds Acme only. */
	q = (struct team_admin_query){ .q = "50%_", .sort = TEAM_SORT_NEWEST };
	assert_int_equal(team_admin_list(x->f.db, x->f.a, &q, &v, &n, &more),
	    ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, acme);
	assert_string_equal(v[0].owner_email, "owner@example.org");
	assert_int_equal(v[0].members, 1);
	q.q = "%";
	assert_int_equal(team_admin_list(x->f.db, x->f.a, &q, &v, &n, &more),
	    ERR_OK);
	assert_int_equal(n, 0);
}

static void
a_team_page_lists_members_assignments_and_orders(void **state)
{
	struct fx *x = *state;
	int64_t team = team_new(x, "Acme"), max, ann, a1, a2, a3;
	struct team_admin_row t;
	struct team_admin_member *m;
	struct team_admin_assignment *s;
	struct team_admin_order *o;
	size_t n;
	int more;

	max = fixture_user(x->f.db, "max@example.org", "Max", ROLE_STUDENT);
	ann = fixture_user(x->f.db, "ann@example.org", "Ann", ROLE_STUDENT);
	join(x, team, max);
	join(x, team, ann);
	assert_int_equal(seat_add(x->f.db, team, x->course, 3, NOW), ERR_OK);
	a1 = assign(x, team, x->course, max, "max@example.org", "active");
	a2 = assign(x, team, x->course, 0, "new@example.org", "invited");
	a3 = assign(x, team, x->course, ann, "ann@example.org", "active");
	assert_int_equal(seat_revoke(x->f.db, team, a3, x->owner, NOW + 5),
	    ERR_OK);
	fixture_run(x->f.db, "INSERT INTO orders (number, user_id, status, "
	    "currency, subtotal_amount, total_amount, team_id, created_at) "
	    "VALUES ('T-1', ?1, 'paid', 'usd', 3000, 3000, ?2, 10)",
	    x->owner, team);
	fixture_run(x->f.db, "INSERT INTO order_items (order_id, course_id, "
	    "title, unit_amount, quantity) SELECT id, ?2, 'SQL', 1000, 3 "
	    "FROM orders WHERE number = 'T-1' AND ?1 > 0", 1, x->course);
	fixture_run(x->f.db, "INSERT INTO orders (number, user_id, status, "
	    "currency, subtotal_amount, total_amount, created_at) VALUES "
	    "('MINE', ?1, 'paid', 'usd', 10, 10, ?2)", x->owner, 11);

	assert_int_equal(team_admin_load(x->f.db, x->f.a, team, &t), ERR_OK);
	assert_int_equal(t.members, 3);
	assert_int_equal(t.seats, 3);
	assert_int_equal(t.held, 2);
	assert_int_equal(team_admin_load(x->f.db, x->f.a, team + 1, &t),
	    ERR_NOTFOUND);
	assert_int_equal(team_admin_members(x->f.db, x->f.a, team, 0, &m, &n,
	    &more), ERR_OK);
	assert_int_equal(n, 3);
	assert_string_equal(m[0].role, "owner");
	assert_string_equal(m[1].email, "max@example.org");
	assert_string_equal(m[2].role, "member");
	assert_int_equal(team_admin_members(x->f.db, x->f.a, team, max, &m,
	    &n, &more), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].user_id, ann);

	assert_int_equal(team_admin_assignments(x->f.db, x->f.a, team, 0, &s,
	    &n, &more), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(s[0].id, a3);
	assert_string_equal(s[0].status, "revoked");
	assert_int_equal(s[0].since, NOW + 5);
	assert_int_equal(s[1].id, a2);
	assert_int_equal(s[1].user_id, 0);
	assert_string_equal(s[1].email, "new@example.org");
	assert_int_equal(s[2].id, a1);
	assert_string_equal(s[2].name, "Max");
	assert_int_equal(s[2].since, 2);
	assert_int_equal(team_admin_assignments(x->f.db, x->f.a, team, a2, &s,
	    &n, &more), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].id, a1);

	assert_int_equal(team_admin_orders(x->f.db, x->f.a, team, 0, &o, &n,
	    &more), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].number, "T-1");
	assert_int_equal(o[0].seats, 3);
	assert_int_equal(o[0].total, 3000);
}

static void
the_report_adds_up_and_its_csv_neutralises_formulas(void **state)
{
	struct fx *x = *state;
	int64_t t1 = team_new(x, "=HYPERLINK(\"http://x\")"),
	    t2 = team_new(x, "Beta"), u;
	struct seat_report_query q = { .limit = 1 };
	struct seat_row *v;
	struct buf b = { 0 };
	size_t n;
	int more;

	assert_int_equal(seat_add(x->f.db, t1, x->course, 3, NOW), ERR_OK);
	assert_int_equal(seat_add(x->f.db, t1, x->git, 4, NOW), ERR_OK);
	assert_int_equal(seat_add(x->f.db, t2, x->course, 2, NOW), ERR_OK);
	u = fixture_user(x->f.db, "a@example.org", "A", ROLE_STUDENT);
	assign(x, t1, x->course, u, "a@example.org", "active");
	u = fixture_user(x->f.db, "b@example.org", "B", ROLE_STUDENT);
	assign(x, t1, x->course, u, "b@example.org", "active");
	assign(x, t1, x->course, 0, "c@example.org", "invited");
	assign(x, t2, x->course, 0, "d@example.org", "invited");

	/* One row a page, by course then team. */
	assert_int_equal(seat_report_rows(x->f.db, x->f.a, &q, &v, &n, &more),
	    ERR_OK);
	assert_int_equal(n, 1);
	assert_true(more);
	q.after_course = v[0].course_id;
	q.after_team = v[0].team_id;
	assert_int_equal(seat_report_rows(x->f.db, x->f.a, &q, &v, &n, &more),
	    ERR_OK);
	assert_int_equal(n, 1);

	q = (struct seat_report_query){ .course_id = x->course };
	assert_int_equal(seat_report_rows(x->f.db, x->f.a, &q, &v, &n, &more),
	    ERR_OK);
	assert_int_equal(n, 2);
	assert_false(more);
	assert_int_equal(v[0].team_id, t1);
	assert_int_equal(v[0].bought, 3);
	assert_int_equal(v[0].active, 2);
	assert_int_equal(v[0].invited, 1);
	assert_int_equal(v[0].free, 0);
	assert_int_equal(seat_report_permille(v[0].active, v[0].bought), 667);
	assert_int_equal(v[1].active, 0);
	assert_int_equal(v[1].free, 1);
	assert_int_equal(seat_report_permille(0, 0), -1);
	assert_int_equal(seat_report_permille(1, 8), 125);
	assert_int_equal(seat_report_permille(1, 16), 63);	/* 62.5 up */

	assert_int_equal(seat_report_totals(x->f.db, x->f.a, &q, &v, &n),
	    ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].teams, 2);
	assert_int_equal(v[0].bought, 5);
	assert_int_equal(v[0].active, 2);
	assert_int_equal(v[0].invited, 2);
	assert_int_equal(v[0].free, 1);
	q.course_id = 0;
	assert_int_equal(seat_report_totals(x->f.db, x->f.a, &q, &v, &n),
	    ERR_OK);
	assert_int_equal(n, 2);

	q.course_id = x->course;
	assert_int_equal(seat_report_csv(x->f.db, x->f.a, &q, &b), ERR_OK);
	assert_false(b.oom);
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, "team_id,team,course_id,course,bought,"
	    "active,invited,free,utilisation_percent\r\n"));
	assert_non_null(strstr(b.data, ",\"'=HYPERLINK(\"\"http://x\"\")\","));
	assert_non_null(strstr(b.data, ",3,2,1,0,66.7\r\n"));
	assert_non_null(strstr(b.data, ",Beta,"));
	assert_non_null(strstr(b.data, ",2,0,1,1,0.0\r\n"));
	buf_free(&b);
}

static void
progress_shows_who_started_and_who_completed(void **state)
{
	struct fx *x = *state;
	int64_t team = team_new(x, "Acme"), opened, done, idle, outsider;
	int64_t lessons = fixture_int(x->f.db, "SELECT count(*) FROM lessons "
	    "WHERE course_id = ?", x->course, 0);
	struct team_progress_key key = { 0, NULL };
	struct team_progress_row *v;
	struct team_progress_course *c;
	struct mark_result mr;
	struct buf b = { 0 };
	size_t n;
	int more;

	assert_true(lessons >= 2);
	opened = fixture_user(x->f.db, "ben@example.org", "Ben", ROLE_STUDENT);
	done = fixture_user(x->f.db, "cat@example.org", "Cat", ROLE_STUDENT);
	idle = fixture_user(x->f.db, "dan@example.org", "Dan", ROLE_STUDENT);
	outsider = fixture_user(x->f.db, "eve@example.org", "Eve",
	    ROLE_STUDENT);
	join(x, team, opened);
	join(x, team, done);
	join(x, team, idle);
	assert_int_equal(seat_add(x->f.db, team, x->course, 4, NOW), ERR_OK);
	assign(x, team, x->course, opened, "ben@example.org", "active");
	assign(x, team, x->course, done, "cat@example.org", "active");
	assign(x, team, x->course, idle, "dan@example.org", "active");
	assign(x, team, x->course, 0, "new@example.org", "invited");
	assert_int_equal(progress_opened(x->f.db, opened, x->course,
	    fixture_int(x->f.db, "SELECT id FROM lessons WHERE course_id = ? "
	    "AND position = 1", x->course, 0), NOW), ERR_OK);
	for (int64_t p = 1; p <= lessons; p++)
		assert_int_equal(progress_mark(x->f.db, done, x->course, p, 1,
		    NOW + 60, &mr), ERR_OK);
	/* Progress in a course of no seat of the team is not shown. */
	fixture_run(x->f.db, "INSERT INTO enrollments (user_id, course_id, "
	    "source) VALUES (?, ?, 'free')", outsider, x->course);

	assert_int_equal(team_progress_page(x->f.db, x->f.a, team, &key, &v,
	    &n, &more), ERR_OK);
	assert_int_equal(n, 4);		/* Ben, Cat, Dan, Olga */
	assert_false(more);
	assert_string_equal(v[0].name, "Ben");
	assert_true(v[0].started);
	assert_false(v[0].completed);
	assert_int_equal(v[0].done, 0);
	assert_int_equal(v[0].last_activity, NOW);
	assert_string_equal(v[1].name, "Cat");
	assert_true(v[1].completed);
	assert_int_equal(v[1].done, lessons);
	assert_int_equal(v[1].lessons, lessons);
	assert_string_equal(v[2].name, "Dan");
	assert_false(v[2].started);
	assert_int_equal(v[2].last_activity, 0);
	assert_string_equal(v[3].name, "Olga Owner");
	assert_int_equal(v[3].course_id, 0);
	/* The page after Cat begins with Dan. */
	key = (struct team_progress_key){ done, "Cat" };
	assert_int_equal(team_progress_page(x->f.db, x->f.a, team, &key, &v,
	    &n, &more), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].user_id, idle);

	assert_int_equal(team_progress_courses(x->f.db, x->f.a, team, &c, &n),
	    ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].holders, 3);
	assert_int_equal(c[0].started, 2);
	assert_int_equal(c[0].completed, 1);

	assert_int_equal(team_progress_csv(x->f.db, x->f.a, team, &b), ERR_OK);
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, "Ben,ben@example.org,SQL"));
	assert_non_null(strstr(b.data, "Olga Owner,owner@example.org,,,0,0,,"
	    "\r\n"));
	buf_free(&b);
}

/* 250 members: pages of TEAM_PROGRESS_PAGE by name, none lost. */
static void
progress_pages_by_member(void **state)
{
	struct fx *x = *state;
	int64_t team = team_new(x, "Big");
	struct team_progress_key key = { 0, NULL };
	struct team_progress_row *v;
	size_t n, total = 0, pages = 0;
	int more;

	fixture_run(x->f.db, "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM k WHERE i < 249) INSERT INTO users (email, "
	    "name, password_hash) SELECT 'm' || i || '@example.org', "
	    "'Member ' || (i % 7), '$argon2id$x' FROM k WHERE ?1 = ?2", 1, 1);
	fixture_run(x->f.db, "INSERT INTO team_members (team_id, user_id, "
	    "role, joined_at) SELECT ?1, id, 'member', 1 FROM users WHERE "
	    "email LIKE 'm%@example.org' AND ?2 = 0", team, 0);
	do {
		assert_int_equal(team_progress_page(x->f.db, x->f.a, team,
		    &key, &v, &n, &more), ERR_OK);
		total += n;
		pages++;
		key.after_id = v[n - 1].user_id;
		key.after_name = v[n - 1].key_name;
	} while (more);
	assert_int_equal(total, 250);
	assert_int_equal(pages, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    teams_are_found_by_a_word_and_paged_in_each_order, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_team_page_lists_members_assignments_and_orders, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    the_report_adds_up_and_its_csv_neutralises_formulas, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    progress_shows_who_started_and_who_completed, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(progress_pages_by_member,
		    setup, fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
