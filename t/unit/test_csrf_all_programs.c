/* CSRF for every program: walks the route table of each program in
 * cgi-bin/apps.h and, for every POST route that expects a token, posts
 * without one, with a wrong one and with the token of another identity,
 * as a guest and as a logged-in admin.  Each must be a 403 that changes
 * no row of any table; the right token must get past the check.  Routes
 * added later are covered without touching this file. */
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
#include "session.h"
#include "user.h"

#define MAX_TABLES 128
#define EXPIRED_TEXT "This form has expired"

/* Rows of every table, by name. */
struct snapshot {
	char name[MAX_TABLES][64];	/* table names, sorted */
	int64_t rows[MAX_TABLES];	/* rows in each */
	int64_t bytes[MAX_TABLES];	/* payload bytes in each */
	size_t n;			/* tables */
};

/* Counts the rows of every table with SQLite's dbstat table (leaf cells
 * of a table's b-tree are its rows), so no SQL is built from names and a
 * table added by a later migration is counted too. */
static void
snapshot_take(struct db *db, struct snapshot *s)
{
	struct db_stmt *st = db_prep(db, "SELECT m.name, "
	    "(SELECT coalesce(sum(d.ncell), 0) FROM dbstat d "
	    "WHERE d.name = m.name AND d.pagetype = 'leaf'), "
	    "(SELECT coalesce(sum(d.payload), 0) FROM dbstat d "
	    "WHERE d.name = m.name) "
	    "FROM sqlite_schema m WHERE m.type = 'table' ORDER BY m.name");

	assert_non_null(st);
	memset(s, 0, sizeof(*s));
	while (db_next(st) == ERR_OK) {
		assert_true(s->n < MAX_TABLES);
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s",
		    db_col_text(st, 0));
		s->rows[s->n] = db_col_int64(st, 1);
		s->bytes[s->n] = db_col_int64(st, 2);
		s->n++;
	}
	db_done(st);
}

static void
snapshot_same(const struct snapshot *a, const struct snapshot *b,
    const char *what)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->name[i], b->name[i]);
		if (a->rows[i] != b->rows[i] || a->bytes[i] != b->bytes[i])
			fail_msg("%s changed table %s: %lld rows before, %lld "
			    "after", what, a->name[i], (long long)a->rows[i],
			    (long long)b->rows[i]);
	}
}

/* Posts body + csrf to path with cookies; expects a 403 for CSRF. */
static void
post_refused(struct harness *h, const char *cookies, const char *path,
    const char *body, const char *csrf, const char *what)
{
	char full[2048];

	snprintf(full, sizeof(full), "%s%s%s", body, csrf ? "&csrf_token=" :
	    "", csrf ? csrf : "");
	snprintf(h->cookies, sizeof(h->cookies), "%s", cookies);
	harness_request(h, "POST", path, full);
	if (h->rs.status != 403 || h->rs.body.data == NULL ||
	    strstr(h->rs.body.data, EXPIRED_TEXT) == NULL)
		fail_msg("POST %s %s: status %d, not the CSRF 403", path, what,
		    h->rs.status);
}

/* Checks one POST route as the browser holding cookies; other is a token
 * valid for another identity.  Returns after the positive control. */
static void
check_route(struct harness *h, const struct route *r, const char *cookies,
    const char *other, const char *who)
{
	static const char zeros[] =
	    "0000000000000000000000000000000000000000000000000000000000000000";
	char path[512], body[1024], good[128], what[128];
	struct snapshot before, after;

	harness_path_fill(r->pattern, path, sizeof(path));
	harness_fields_fill(r->fields, body, sizeof(body));
	harness_token_for(h, cookies, good, sizeof(good));
	assert_string_not_equal(good, other);

	snapshot_take(h->w.db, &before);
	snprintf(what, sizeof(what), "as %s without a token", who);
	post_refused(h, cookies, path, body, NULL, what);
	snprintf(what, sizeof(what), "as %s with a wrong token", who);
	post_refused(h, cookies, path, body, zeros, what);
	snprintf(what, sizeof(what), "as %s with an empty token", who);
	post_refused(h, cookies, path, body, "", what);
	snprintf(what, sizeof(what), "as %s with another identity's token", who);
	post_refused(h, cookies, path, body, other, what);
	snapshot_take(h->w.db, &after);
	snapshot_same(&before, &after, path);

	/* The right token passes the check (the handler then does as it
	 * likes), so the 403s above were the CSRF check's. */
	if (r->flags & R_NOSESSION)
		return;
	snprintf(body + strlen(body), sizeof(body) - strlen(body),
	    "%scsrf_token=%s", body[0] ? "&" : "", good);
	snprintf(h->cookies, sizeof(h->cookies), "%s", cookies);
	harness_request(h, "POST", path, body);
	if (h->rs.body.data != NULL && strstr(h->rs.body.data, EXPIRED_TEXT))
		fail_msg("POST %s as %s with the right token was refused",
		    path, who);
}

/* Walks app's routes; returns how many POST routes it checked. */
static size_t
check_app(const struct app *app)
{
	static const char guest[] = "enroll_guest=0123456789abcdef0123456789abcdef";
	static const char other_guest[] =
	    "enroll_guest=fedcba9876543210fedcba9876543210";
	struct harness h;
	char admin[1024], token[SESSION_TOKEN_HEX + 1], other[128];
	int64_t admin_id;
	size_t checked = 0;

	harness_open(&h, app, 1);
	assert_int_equal(user_create(h.w.db, "csrf-admin@example.org", "Admin",
	    "admin-password-123", ROLE_ADMIN, &admin_id), ERR_OK);
	for (size_t i = 0; i < app->nroutes; i++) {
		const struct route *r = &app->routes[i];

		if (r->method != METHOD_POST || (r->flags & R_NOCSRF))
			continue;
		harness_token_for(&h, other_guest, other, sizeof(other));
		check_route(&h, r, guest, other, "a guest");
		/* Logged in: the token of the same browser as a guest is
		 * another identity's now. */
		assert_int_equal(session_create(h.w.db, admin_id,
		    (int64_t)time(NULL), token, NULL), ERR_OK);
		snprintf(admin, sizeof(admin), "%s; %s=%s", guest,
		    SESSION_COOKIE, token);
		harness_token_for(&h, guest, other, sizeof(other));
		check_route(&h, r, admin, other, "an admin");
		checked++;
	}
	harness_close(&h);
	printf("# %s: %zu POST routes checked\n", app->name, checked);
	return checked;
}

static void
dbstat_counts_rows_like_count_star(void **state)
{
	struct harness h;
	struct snapshot s;
	struct db_stmt *st;

	harness_open(&h, &cart_app, 1);
	snapshot_take(h.w.db, &s);
	assert_true(s.n > 5);
	st = db_prep(h.w.db, "SELECT count(*) FROM lessons");
	assert_int_equal(db_next(st), ERR_OK);
	for (size_t i = 0; i < s.n; i++)
		if (strcmp(s.name[i], "lessons") == 0)
			assert_int_equal(s.rows[i], db_col_int64(st, 0));
	db_done(st);
	harness_close(&h);
}

static void
every_post_of_cart_needs_its_csrf_token(void **state)
{
	check_app(&cart_app);
}

static void
every_post_of_checkout_needs_its_csrf_token(void **state)
{
	check_app(&checkout_app);
}

static void
every_post_of_webhook_needs_its_csrf_token(void **state)
{
	check_app(&webhook_app);
}

static void
every_post_of_account_needs_its_csrf_token(void **state)
{
	/* login, register, logout and three settings forms at least. */
	assert_true(check_app(&account_app) >= 6);
}

static void
every_post_of_admin_needs_its_csrf_token(void **state)
{
	check_app(&admin_app);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dbstat_counts_rows_like_count_star),
		cmocka_unit_test(every_post_of_cart_needs_its_csrf_token),
		cmocka_unit_test(every_post_of_checkout_needs_its_csrf_token),
		cmocka_unit_test(every_post_of_webhook_needs_its_csrf_token),
		cmocka_unit_test(every_post_of_account_needs_its_csrf_token),
		cmocka_unit_test(every_post_of_admin_needs_its_csrf_token),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
