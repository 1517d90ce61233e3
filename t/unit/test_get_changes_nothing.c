/* No GET changes state: walks every GET route of every program's route
 * table (cgi-bin/apps.h) as a guest, a student and an admin, each with
 * the query its route declares filled in and without it, and watches every
 * row the worker's connection changes (db_watch).  Only the session's
 * last_seen, the throttle's counters and the last lesson a student opened
 * may move; anything else, such as the cancel link that once cancelled a
 * checkout for whoever followed it from another site, fails with the route
 * and the table.  Routes added
 * later are walked without touching this file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "apps.h"
#include "arena.h"
#include "cart_items.h"
#include "db.h"
#include "harness.h"
#include "order.h"
#include "seat.h"
#include "session.h"
#include "team.h"
#include "user.h"

/* What a request changed that it may not. */
struct watch {
	int64_t last_seen_bit;	/* sessions.last_seen's bit in "changed" */
	uint64_t opened_bits;	/* course_progress's last lesson opened and
				   when: the bits a lesson page may change */
	char first[200];	/* the first forbidden change, for the message */
	int forbidden;		/* forbidden changes seen */
	int touched;		/* allowed last_seen updates seen */
	int opened;		/* allowed "last lesson opened" writes seen */
};

/* Tables a GET may write: the throttle's counters. */
static const char *const throttle_tables[] = { "login_attempts", NULL };

static void
on_change(void *arg, const char *table, enum db_change op, uint64_t changed)
{
	static const char *const ops[DB_CHANGE_MAX] = { "insert into",
	    "update of", "delete from" };
	struct watch *w = arg;

	for (const char *const *t = throttle_tables; *t != NULL; t++)
		if (strcmp(table, *t) == 0)
			return;
	if (strcmp(table, "sessions") == 0 && op == DB_UPDATE &&
	    changed == (uint64_t)w->last_seen_bit) {
		w->touched++;
		return;
	}
	/* Opening a lesson remembers it, so "Continue" finds it: a new
	 * course_progress row, or an update of only those two columns. */
	if (strcmp(table, "course_progress") == 0 && (op == DB_INSERT ||
	    (op == DB_UPDATE && (changed & ~w->opened_bits) == 0))) {
		w->opened++;
		return;
	}
	if (w->forbidden++ == 0)
		snprintf(w->first, sizeof(w->first), "%s %s", ops[op], table);
}

/* Returns the bit of column name in table's rows, as db_watch counts. */
static int64_t
column_bit(struct db *db, const char *table, const char *name)
{
	struct db_stmt *st = db_prep(db, "SELECT cid FROM pragma_table_info(?) "
	    "WHERE name = ?");
	int64_t cid;

	db_bind_text(st, 1, table);
	db_bind_text(st, 2, name);
	assert_int_equal(db_next(st), ERR_OK);
	cid = db_col_int64(st, 0);
	db_done(st);
	return (int64_t)1 << cid;
}

/* The people of the walk and what they have: a student with a course in
 * the cart and a pending checkout (which a cancel link would close) and
 * enrolled in the free course (whose lessons remember being opened), and
 * an admin. */
struct people {
	char guest[128];	/* cookie header of a guest */
	char student[256];	/* of the student */
	char admin[256];	/* of the admin */
};

static void
cookies_for(struct db *db, int64_t user_id, const char *guest, char *out,
    size_t size)
{
	char token[SESSION_TOKEN_HEX + 1];

	assert_int_equal(session_create(db, user_id, (int64_t)time(NULL),
	    token, NULL), ERR_OK);
	snprintf(out, size, "%s; %s=%s", guest, SESSION_COOKIE, token);
}

static void
people_make(struct harness *h, struct people *p)
{
	static const char guest[] = "enroll_guest=0123456789abcdef0123456789abcdef";
	struct arena *a = arena_new();
	struct order_request rq;
	struct order_refusal why;
	struct order o;
	struct db_stmt *st;
	enum cart_add_result added;
	int64_t student, admin, course;

	assert_non_null(a);
	assert_int_equal(user_create(h->w.db, "walk-student@example.org",
	    "Walk Student", "student-password-123", ROLE_STUDENT, &student),
	    ERR_OK);
	assert_int_equal(user_create(h->w.db, "walk-admin@example.org",
	    "Walk Admin", "admin-password-123", ROLE_ADMIN, &admin), ERR_OK);
	st = db_prep(h->w.db, "SELECT id FROM courses WHERE slug = "
	    "'c-programming-fundamentals'");
	assert_int_equal(db_next(st), ERR_OK);
	course = db_col_int64(st, 0);
	db_done(st);
	rq = (struct order_request){ student, &course, 1, NULL,
	    (int64_t)time(NULL), (int64_t)time(NULL) + 3600 };
	assert_int_equal(order_create(h->w.db, a, &rq, &o, &why), ERR_OK);
	assert_int_equal(o.id, 1);	/* the walk's <id> */
	assert_int_equal(cart_add(h->w.db, student, NULL, course, &added),
	    ERR_OK);
	st = db_prep(h->w.db, "INSERT INTO enrollments (user_id, course_id, "
	    "source, granted_at) SELECT ?1, id, 'free', ?2 FROM courses "
	    "WHERE slug = 'intro-to-git'");
	db_bind_int64(st, 1, student);
	db_bind_int64(st, 2, (int64_t)time(NULL));
	assert_int_equal(db_run(st), ERR_OK);
	/* Team 1, the walk's <id>, owned by the student, with a seat of the
	 * course held by them: its admin and progress pages render. */
	{
		int64_t team;

		assert_int_equal(team_create(h->w.db, student, "Walk Team",
		    (int64_t)time(NULL), &team), ERR_OK);
		assert_int_equal(team, 1);
		assert_int_equal(seat_add(h->w.db, team, course, 2,
		    (int64_t)time(NULL)), ERR_OK);
		assert_int_equal(seat_take(h->w.db, team, course,
		    (int64_t)time(NULL)), ERR_OK);
		st = db_prep(h->w.db, "INSERT INTO seat_assignments (team_id, "
		    "course_id, user_id, email, status, created_at) VALUES "
		    "(?1, ?2, ?3, 'walk-student@example.org', 'active', 1)");
		db_bind_int64(st, 1, team);
		db_bind_int64(st, 2, course);
		db_bind_int64(st, 3, student);
		assert_int_equal(db_run(st), ERR_OK);
	}
	snprintf(p->guest, sizeof(p->guest), "%s", guest);
	cookies_for(h->w.db, student, guest, p->student, sizeof(p->student));
	cookies_for(h->w.db, admin, guest, p->admin, sizeof(p->admin));
	/* Sessions last seen long ago, so that a GET does touch last_seen
	 * and the walk shows that this one change is allowed. */
	assert_int_equal(db_exec(h->w.db, "UPDATE sessions SET last_seen = "
	    "last_seen - 3600"), ERR_OK);
	arena_free(a);
}

/* GETs uri as the visitor with cookies; fails on a forbidden change. */
static void
get_watched(struct harness *h, struct watch *w, const char *cookies,
    const char *uri, const char *who)
{
	memset(w->first, 0, sizeof(w->first));
	w->forbidden = 0;
	snprintf(h->cookies, sizeof(h->cookies), "%s", cookies);
	db_watch(h->w.db, on_change, w);
	harness_request(h, "GET", uri, NULL);
	db_watch(h->w.db, NULL, NULL);
	if (w->forbidden > 0)
		fail_msg("GET %s as %s (status %d) made %d changes, the first "
		    "an %s", uri, who, h->rs.status, w->forbidden, w->first);
}

static void
watch_init(struct harness *h, struct watch *w)
{
	memset(w, 0, sizeof(*w));
	w->last_seen_bit = column_bit(h->w.db, "sessions", "last_seen");
	w->opened_bits = (uint64_t)column_bit(h->w.db, "course_progress",
	    "last_lesson_id") | (uint64_t)column_bit(h->w.db,
	    "course_progress", "last_activity_at");
}

/* Walks app's GET routes; returns how many it walked. */
static size_t
walk_app(const struct app *app)
{
	const struct { const char *who; size_t off; } as[] = {
		{ "a guest", offsetof(struct people, guest) },
		{ "a student", offsetof(struct people, student) },
		{ "an admin", offsetof(struct people, admin) },
	};
	struct harness h;
	struct people p;
	struct watch w;
	char path[512], query[1024], uri[1600];
	size_t walked = 0;

	harness_open(&h, app, 1);
	people_make(&h, &p);
	watch_init(&h, &w);
	for (size_t i = 0; i < app->nroutes; i++) {
		const struct route *r = &app->routes[i];

		if (r->method != METHOD_GET)
			continue;
		harness_path_fill(r->pattern, path, sizeof(path));
		harness_fields_fill(r->fields, query, sizeof(query));
		snprintf(uri, sizeof(uri), "%s%s%s", path, query[0] ? "?" : "",
		    query);
		for (size_t k = 0; k < NELEM(as); k++) {
			const char *cookies = (const char *)&p + as[k].off;

			get_watched(&h, &w, cookies, path, as[k].who);
			get_watched(&h, &w, cookies, uri, as[k].who);
		}
		walked++;
	}
	/* The student's checkout is still open after every cancel link. */
	{
		struct db_stmt *st = db_prep(h.w.db, "SELECT status FROM orders "
		    "WHERE id = 1");

		assert_int_equal(db_next(st), ERR_OK);
		assert_string_equal(db_col_text(st, 0), "pending");
		db_done(st);
	}
	/* The student's and the admin's last_seen moved, as allowed. */
	if (walked > 0)
		assert_true(w.touched >= 2);
	harness_close(&h);
	printf("# %s: %zu GET routes walked as a guest, a student and an "
	    "admin\n", app->name, walked);
	return walked;
}

static void
a_watched_update_names_its_columns(void **state)
{
	struct harness h;
	struct watch w = { 0 };
	struct people p;

	harness_open(&h, &cart_app, 1);
	people_make(&h, &p);
	watch_init(&h, &w);
	db_watch(h.w.db, on_change, &w);
	assert_int_equal(db_exec(h.w.db, "UPDATE sessions SET last_seen = "
	    "last_seen + 1"), ERR_OK);
	assert_int_equal(w.forbidden, 0);
	assert_int_equal(w.touched, 2);
	assert_int_equal(db_exec(h.w.db, "UPDATE sessions SET expires_at = "
	    "expires_at + 1"), ERR_OK);
	assert_int_equal(w.forbidden, 2);
	assert_string_equal(w.first, "update of sessions");
	assert_int_equal(db_exec(h.w.db, "UPDATE orders SET status = "
	    "'expired' WHERE id = 1"), ERR_OK);
	assert_int_equal(w.forbidden, 3);
	db_watch(h.w.db, NULL, NULL);
	harness_close(&h);
}

static void
no_get_of_cart_changes_state(void **state)
{
	assert_true(walk_app(&cart_app) >= 3);
}

static void
no_get_of_checkout_changes_state(void **state)
{
	/* success and the cancel link. */
	assert_true(walk_app(&checkout_app) >= 2);
}

static void
no_get_of_webhook_changes_state(void **state)
{
	walk_app(&webhook_app);
}

static void
no_get_of_account_changes_state(void **state)
{
	assert_true(walk_app(&account_app) >= 6);
}

/* The student is enrolled in the walk's <slug> course, whose lesson <id>
 * 1 the walk opens among the rest; this opens lessons 1 and 2 on their own
 * (a new row, then an update), to show the allowance above is exercised
 * and is all that changes. */
static void
opening_a_lesson_changes_only_the_last_lesson_opened(void **state)
{
	struct harness h;
	struct people p;
	struct watch w;

	harness_open(&h, &account_app, 1);
	people_make(&h, &p);
	watch_init(&h, &w);
	get_watched(&h, &w, p.student, "/learn/intro-to-git/1", "a student");
	assert_int_equal(h.rs.status, 200);
	get_watched(&h, &w, p.student, "/learn/intro-to-git/2", "a student");
	assert_int_equal(h.rs.status, 200);
	assert_int_equal(w.opened, 2);
	harness_close(&h);
}

static void
no_get_of_admin_changes_state(void **state)
{
	assert_true(walk_app(&admin_app) >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_watched_update_names_its_columns),
		cmocka_unit_test(no_get_of_cart_changes_state),
		cmocka_unit_test(no_get_of_checkout_changes_state),
		cmocka_unit_test(no_get_of_webhook_changes_state),
		cmocka_unit_test(no_get_of_account_changes_state),
		cmocka_unit_test(no_get_of_admin_changes_state),
		cmocka_unit_test(
		    opening_a_lesson_changes_only_the_last_lesson_opened),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
