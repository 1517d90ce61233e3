/* A team's pages are its members' alone: walks the account program's
 * route table (never a hand-picked list) and sends every route under
 * /account/teams/<id> each method it takes, naming a team the sender is
 * not in, with the sender's own valid CSRF token and the route's declared
 * fields.  Every answer is 404, as if the team did not exist, and no row
 * changes.  A plain member of the team (not a manager) gets no further
 * with any POST but leaving: a 4xx (403 for the managers' changes, 400
 * for a sample field a form would never send), and no row changes.  Routes
 * added later (seats, billing, progress) are walked without touching this
 * file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "apps.h"
#include "db.h"
#include "harness.h"
#include "seat.h"
#include "session.h"
#include "team.h"
#include "user.h"

#define PREFIX "/account/teams/<id>"

static const char guest_cookie[] =
    "enroll_guest=0123456789abcdef0123456789abcdef";

static void
on_change(void *arg, const char *table, enum db_change op, uint64_t cols)
{
	int *changes = arg;

	(void)table;
	(void)op;
	(void)cols;
	(*changes)++;
}

/* A browser of user_id: the guest cookie and a new session. */
static void
browser_of(struct harness *h, int64_t user_id, char *out, size_t size)
{
	char token[SESSION_TOKEN_HEX + 1];

	assert_int_equal(session_create(h->w.db, user_id, (int64_t)time(NULL),
	    token, NULL), ERR_OK);
	snprintf(out, size, "%s; %s=%s", guest_cookie, SESSION_COOKIE, token);
}

/* Sends method to pattern with team_id for <id> as cookies; returns how
 * many rows changed. */
static int
send(struct harness *h, const struct route *r, const char *method,
    int64_t team_id, const char *cookies)
{
	char path[512], fields[1024], uri[1600], body[1400];
	int changes = 0;

	snprintf(path, sizeof(path), "/account/teams/%lld%s",
	    (long long)team_id, r->pattern + strlen(PREFIX));
	harness_fields_fill(r->fields, fields, sizeof(fields));
	harness_token_for(h, cookies, h->csrf, sizeof(h->csrf));
	snprintf(h->cookies, sizeof(h->cookies), "%s", cookies);
	if (strcmp(method, "POST") == 0) {
		snprintf(body, sizeof(body), "%s%scsrf_token=%s", fields,
		    fields[0] ? "&" : "", h->csrf);
		snprintf(uri, sizeof(uri), "%s", path);
	} else
		snprintf(uri, sizeof(uri), "%s%s%s", path, fields[0] ? "?" :
		    "", fields);
	db_watch(h->w.db, on_change, &changes);
	harness_request(h, method, uri, strcmp(method, "POST") == 0 ? body :
	    NULL);
	db_watch(h->w.db, NULL, NULL);
	return changes;
}

/* Makes user_id a plain member of team_id. */
static void
join(struct db *db, int64_t team_id, int64_t user_id)
{
	struct db_stmt *st = db_prep(db, "INSERT INTO team_members (team_id, "
	    "user_id, role, joined_at) VALUES (?, ?, 'member', 1)");

	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, user_id);
	assert_int_equal(db_run(st), ERR_OK);
}

static int64_t
intro_to_git(struct db *db)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM courses WHERE "
	    "slug = 'intro-to-git'");
	int64_t id;

	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	return id;
}

static void
another_teams_pages_are_not_found(void **state)
{
	struct harness h;
	char outsider[1024], member[1024];
	int64_t owner, other, plain, mine, theirs, course;
	size_t walked = 0;

	(void)state;
	harness_open(&h, &account_app, 1);
	assert_int_equal(user_create(h.w.db, "owner@example.org", "Olga",
	    "owner-password-123", ROLE_STUDENT, &owner), ERR_OK);
	assert_int_equal(user_create(h.w.db, "other@example.org", "Otto",
	    "other-password-123", ROLE_STUDENT, &other), ERR_OK);
	assert_int_equal(user_create(h.w.db, "plain@example.org", "Paul",
	    "plain-password-123", ROLE_STUDENT, &plain), ERR_OK);
	assert_int_equal(team_create(h.w.db, owner, "Acme", 1, &theirs),
	    ERR_OK);
	/* The outsider manages a team of their own: being a manager
	 * somewhere opens nothing elsewhere. */
	assert_int_equal(team_create(h.w.db, other, "Other", 1, &mine),
	    ERR_OK);
	join(h.w.db, theirs, plain);
	course = intro_to_git(h.w.db);
	/* Seats to aim at, so a route that reached them would change a
	 * row. */
	assert_int_equal(seat_add(h.w.db, theirs, course, 3, 1), ERR_OK);
	browser_of(&h, other, outsider, sizeof(outsider));
	browser_of(&h, plain, member, sizeof(member));

	for (size_t i = 0; i < account_app.nroutes; i++) {
		const struct route *r = &account_app.routes[i];
		const char *method = r->method == METHOD_POST ? "POST" : "GET";
		int changed;

		if (strncmp(r->pattern, PREFIX, strlen(PREFIX)) != 0)
			continue;
		changed = send(&h, r, method, theirs, outsider);
		if (h.rs.status != 404 || changed != 0)
			fail_msg("%s %s as an outsider: %d, %d rows changed",
			    method, r->pattern, h.rs.status, changed);
		if (r->method == METHOD_POST &&
		    strstr(r->pattern, "/leave") == NULL) {
			changed = send(&h, r, method, theirs, member);
			if (h.rs.status < 400 || h.rs.status > 499 ||
			    changed != 0)
				fail_msg("POST %s as a plain member: %d, %d "
				    "rows changed", r->pattern, h.rs.status,
				    changed);
		}
		walked++;
	}
	harness_close(&h);
	printf("# %zu team routes walked\n", walked);
	assert_true(walked >= 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(another_teams_pages_are_not_found),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
