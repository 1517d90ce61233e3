/* The admin's people: the last admin who can log in is never demoted (a
 * disabled admin does not count); an admin cannot disable themselves;
 * disabling ends the sessions and refuses the right password with its own
 * result; the search finds addresses and names by their beginning,
 * whatever the case, and takes % and _ literally; an extension is the
 * later of its own end and the grant's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "access.h"
#include "arena.h"
#include "db.h"
#include "fixtures.h"
#include "people.h"
#include "person_change.h"
#include "session.h"
#include "tmpdb.h"
#include "user.h"

#define NOW 1800000000

/* Inserts an account (no usable password) and returns its id. */
static int64_t
account(struct db *db, const char *email, const char *name, const char *role)
{
	struct db_stmt *st = db_prep(db, "INSERT INTO users (email, name, "
	    "password_hash, role) VALUES (?, ?, '$argon2id$x', ?) "
	    "RETURNING id");
	int64_t id = 0;

	db_bind_text(st, 1, email);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, role);
	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	return id;
}

static int64_t
count(struct db *db, const char *sql_literal_count, int64_t arg)
{
	return fixture_int(db, sql_literal_count, arg, 0);
}

static void
last_admin_is_never_demoted(void **state)
{
	char path[64];
	struct db *db = tmpdb_open(path, "people", 0);
	int64_t a = account(db, "a@example.org", "Ann", "admin");
	int64_t b = account(db, "b@example.org", "Bob", "student");
	int64_t n;

	(void)state;
	assert_int_equal(person_set_role(db, a, a, 0, NOW), ERR_CONFLICT);
	assert_int_equal(person_set_role(db, a, b, 1, NOW), ERR_OK);
	assert_int_equal(person_admins_count(db, &n), ERR_OK);
	assert_int_equal(n, 2);
	/* Bob disabled: Ann is again the last admin who can log in. */
	assert_int_equal(person_set_disabled(db, a, b, 1, NOW), ERR_OK);
	assert_int_equal(person_set_role(db, b, a, 0, NOW), ERR_CONFLICT);
	/* Demoting the disabled admin leaves Ann: allowed. */
	assert_int_equal(person_set_role(db, a, b, 0, NOW), ERR_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM users WHERE "
	    "role = 'admin' AND id >= ?", 0), 1);
	/* promote, disable, demote: three audit rows; refusals none. */
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE "
	    "subject = 'user:' || ?", b), 3);
	assert_int_equal(person_set_role(db, a, 999, 1, NOW), ERR_NOTFOUND);
	tmpdb_close(db, path);
}

static void
disabling_ends_sessions_and_login(void **state)
{
	char path[64], token[SESSION_TOKEN_HEX + 1];
	struct db *db = tmpdb_open(path, "people", 0);
	int64_t a = account(db, "a@example.org", "Ann", "admin"), b, sid;
	enum auth_result r;
	int64_t id;

	(void)state;
	assert_int_equal(user_create(db, "b@example.org", "Bob",
	    "correct horse battery", ROLE_STUDENT, &b), ERR_OK);
	assert_int_equal(session_create(db, b, NOW, token, &sid), ERR_OK);
	assert_int_equal(session_create(db, b, NOW, token, &sid), ERR_OK);
	assert_int_equal(person_set_disabled(db, a, a, 1, NOW),
	    ERR_FORBIDDEN);
	assert_int_equal(person_set_disabled(db, a, b, 1, NOW), ERR_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM sessions WHERE "
	    "user_id = ?", b), 0);
	assert_int_equal(user_authenticate(db, "b@example.org",
	    "correct horse battery", "127.0.0.1", NOW, &r, &id), ERR_OK);
	assert_int_equal(r, AUTH_DISABLED);
	assert_int_equal(user_authenticate(db, "b@example.org", "wrong one",
	    "127.0.0.1", NOW, &r, &id), ERR_OK);
	assert_int_equal(r, AUTH_BAD);
	assert_int_equal(person_set_disabled(db, a, b, 0, NOW), ERR_OK);
	assert_int_equal(user_authenticate(db, "b@example.org",
	    "correct horse battery", "127.0.0.1", NOW, &r, &id), ERR_OK);
	assert_int_equal(r, AUTH_OK);
	tmpdb_close(db, path);
}

/* Runs a search and returns how many it found; the first's name in
 * *first. */
static size_t
search(struct db *db, struct arena *a, const char *q, enum people_sort s,
    const char **first)
{
	struct people_query pq = { .q = q, .sort = s };
	struct person *v;
	size_t n;
	int more;

	assert_int_equal(people_list(db, a, &pq, &v, &n, &more), ERR_OK);
	*first = n > 0 ? v[0].name : "";
	return n;
}

static void
search_finds_beginnings_whatever_the_case(void **state)
{
	char path[64];
	struct db *db = tmpdb_open(path, "people", 0);
	struct arena *a = arena_new();
	const char *first;

	(void)state;
	account(db, "zoe@example.org", "Zoe Quill", "student");
	account(db, "quentin@example.org", "Quentin Blake", "student");
	account(db, "x_y@example.org", "Xavier", "student");
	account(db, "xzy@example.org", "Xenia", "student");
	assert_int_equal(search(db, a, "ZOE@", PEOPLE_NEWEST, &first), 1);
	assert_string_equal(first, "Zoe Quill");
	assert_int_equal(search(db, a, "qu", PEOPLE_NAME, &first), 1);
	assert_string_equal(first, "Quentin Blake");
	assert_int_equal(search(db, a, "x_", PEOPLE_NEWEST, &first), 1);
	assert_string_equal(first, "Xavier");
	assert_int_equal(search(db, a, "%", PEOPLE_NEWEST, &first), 0);
	assert_int_equal(search(db, a, "x", PEOPLE_NAME, &first), 2);
	assert_string_equal(first, "Xavier");
	assert_int_equal(search(db, a, "", PEOPLE_OLDEST, &first), 4);
	assert_string_equal(first, "Zoe Quill");
	/* By name: an address alone that begins so counts too. */
	account(db, "ann@example.org", "Zed Ann", "student");
	account(db, "bell@example.org", "Anna Bell", "student");
	assert_int_equal(search(db, a, "ann", PEOPLE_NAME, &first), 2);
	assert_string_equal(first, "Anna Bell");
	arena_free(a);
	tmpdb_close(db, path);
}

/* 1,200 of 2,400 people match: a common term, so each page comes from the
 * window next to the key (the last from the index ranges); together the
 * pages are every match once, newest first, and by name in order. */
static void
search_pages_follow_on_by_key(void **state)
{
	char path[64];
	struct db *db = tmpdb_open(path, "people", 0);
	struct arena *a = arena_new();
	struct people_query pq = { .q = "pat", .sort = PEOPLE_NEWEST };
	struct person *v;
	int64_t last = INT64_MAX;
	size_t n, i, seen = 0;
	int more;

	(void)state;
	assert_int_equal(db_exec(db, "WITH RECURSIVE k(i) AS (SELECT 0 "
	    "UNION ALL SELECT i + 1 FROM k WHERE i < 2399) INSERT INTO users "
	    "(email, name, password_hash) SELECT 'p' || i || '@example.org', "
	    "CASE i % 2 WHEN 0 THEN 'Pat ' ELSE 'Quinn ' END || i, "
	    "'$argon2id$x' FROM k ORDER BY i"), ERR_OK);
	do {
		assert_int_equal(people_list(db, a, &pq, &v, &n, &more),
		    ERR_OK);
		for (i = 0; i < n; i++, seen++) {
			assert_true(strncmp(v[i].name, "Pat ", 4) == 0);
			assert_true(v[i].id < last);
			last = v[i].id;
		}
		assert_int_equal(more, seen < 1200);
		pq.after_id = last;
	} while (more);
	assert_int_equal(seen, 1200);
	/* The same by name, the key being the last name and id shown. */
	pq = (struct people_query){ .q = "pat", .sort = PEOPLE_NAME };
	seen = 0;
	do {
		assert_int_equal(people_list(db, a, &pq, &v, &n, &more),
		    ERR_OK);
		for (i = 0; i < n; i++, seen++) {
			assert_true(strncmp(v[i].name, "Pat ", 4) == 0);
			assert_true(pq.after_name == NULL ||
			    strcmp(v[i].name, pq.after_name) > 0);
			pq.after_name = v[i].name;
			pq.after_id = v[i].id;
		}
	} while (more);
	assert_int_equal(seen, 1200);
	arena_free(a);
	tmpdb_close(db, path);
}

/* By name, a page may end on a deleted account (shown without its name):
 * the next page still follows on from it. */
static void
name_pages_follow_a_deleted_account(void **state)
{
	char path[64];
	struct db *db = tmpdb_open(path, "people", 0);
	struct arena *a = arena_new();
	struct people_query pq = { .sort = PEOPLE_NAME };
	struct person *v;
	size_t n, seen = 0;
	int more;

	(void)state;
	assert_int_equal(db_exec(db, "WITH RECURSIVE k(i) AS (SELECT 0 "
	    "UNION ALL SELECT i + 1 FROM k WHERE i < 58) INSERT INTO users "
	    "(email, name, password_hash, deleted_at) SELECT 'k' || i || "
	    "'@example.org', CASE WHEN i < 49 THEN printf('Aaa %02d', i) "
	    "WHEN i = 49 THEN 'Deleted user' ELSE 'Zed ' || i END, "
	    "'$argon2id$x', CASE WHEN i = 49 THEN 1 END FROM k"), ERR_OK);
	do {
		assert_int_equal(people_list(db, a, &pq, &v, &n, &more),
		    ERR_OK);
		seen += n;
		if (seen == PEOPLE_PAGE)
			assert_string_equal(v[n - 1].name, "");
		pq.after_id = v[n - 1].id;
		pq.after_name = v[n - 1].key_name;
	} while (more);
	assert_int_equal(seen, 59);
	arena_free(a);
	tmpdb_close(db, path);
}

static void
an_extension_is_the_later_end(void **state)
{
	struct access_facts f = { .price_amount = 100, .is_active = 1,
	    .access_days = 10, .enrolled = 1, .status = "active",
	    .source = "admin", .granted_at = NOW, .order_status = "" };
	struct access acc;

	(void)state;
	f.expires_at = NOW + 20 * 86400;
	access_decide(&f, NOW + 15 * 86400, &acc);
	assert_int_equal(acc.reason, ACCESS_ENROLLED);
	assert_int_equal(acc.expires_at, NOW + 20 * 86400);
	f.expires_at = NOW + 5 * 86400;	/* earlier: the grant's end holds */
	access_decide(&f, NOW + 8 * 86400, &acc);
	assert_int_equal(acc.reason, ACCESS_ENROLLED);
	assert_int_equal(acc.expires_at, NOW + 10 * 86400);
	access_decide(&f, NOW + 10 * 86400, &acc);
	assert_int_equal(acc.reason, ACCESS_EXPIRED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(last_admin_is_never_demoted),
		cmocka_unit_test(disabling_ends_sessions_and_login),
		cmocka_unit_test(search_finds_beginnings_whatever_the_case),
		cmocka_unit_test(search_pages_follow_on_by_key),
		cmocka_unit_test(name_pages_follow_a_deleted_account),
		cmocka_unit_test(an_extension_is_the_later_end),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
