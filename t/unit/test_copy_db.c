/* copy-db between two SQLite stores (lib/copy_db.c; t/copy_db.t moves a
 * store to PostgreSQL and back): the demo store arrives with every row,
 * the course rows' lesson counts as they were (not counted again by the
 * triggers), its triggers and title search working; a set-up target's
 * secret is replaced by the source's; a target holding data and a source
 * at an older schema are refused, the target unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "copy_db.h"
#include "db.h"
#include "tmpdb.h"

/* The first column of the one row of sql (a literal) on db, as text in a. */
static char *
text_of(struct db *db, struct arena *a, const char *sql)
{
	struct db_stmt *st = db_prep(db, sql);
	char *v;

	assert_int_equal(db_next(st), ERR_OK);
	v = db_col_text_dup(a, st, 0);
	db_done(st);
	return v;
}

static int64_t
int_of(struct db *db, const char *sql)
{
	struct db_stmt *st = db_prep(db, sql);
	int64_t v;

	assert_int_equal(db_next(st), ERR_OK);
	v = db_col_int64(st, 0);
	db_done(st);
	return v;
}

/* A path for a new database file (not there yet). */
static void
new_path(char path[64])
{
	int fd;

	snprintf(path, 64, "/tmp/enroll-copydb-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	unlink(path);
}

static void
count_table(void *arg, const char *table, int64_t rows, int money)
{
	int *n = arg;

	(*n)++;
}

/* What the demo store's courses and lessons say, as one text. */
#define COURSE_FIGURES "SELECT group_concat(id || ':' || lesson_count || " \
	"':' || total_minutes || ':' || coalesce(description_html, '-'), " \
	"',') FROM (SELECT * FROM courses ORDER BY id)"

static void
copies_the_demo_store(void **state)
{
	char from_path[64], to_path[64], why[600];
	struct arena *a = arena_new();
	struct copy_db_total total;
	struct db *from = tmpdb_open(from_path, "copydb", 1), *to;
	int lines = 0;

	new_path(to_path);
	assert_non_null(to = db_open(to_path));
	assert_int_equal(copy_db(from, to, a, count_table, &lines, &total,
	    why, sizeof(why)), ERR_OK);
	assert_int_equal(db_schema_version(to), db_schema_latest());
	assert_true(total.tables > 40);
	assert_int_equal(lines, (int)total.tables);
	assert_int_equal(int_of(to, "SELECT count(*) FROM lessons"), 45);
	assert_string_equal(text_of(to, a, COURSE_FIGURES),
	    text_of(from, a, COURSE_FIGURES));
	assert_string_equal(text_of(to, a, "SELECT value FROM settings "
	    "WHERE key = 'secret'"), text_of(from, a, "SELECT value FROM "
	    "settings WHERE key = 'secret'"));
	/* The title index is rebuilt and the triggers are back. */
	assert_int_equal(int_of(to, "SELECT count(*) FROM courses_fts WHERE "
	    "courses_fts MATCH 'programming'"), int_of(from, "SELECT count(*) "
	    "FROM courses_fts WHERE courses_fts MATCH 'programming'"));
	assert_int_equal(int_of(to, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'trigger'"), int_of(from, "SELECT count(*) FROM "
	    "sqlite_master WHERE type = 'trigger'"));
	assert_int_equal(db_run(db_prep(to, "INSERT INTO lessons (course_id, "
	    "position, title, duration_minutes) SELECT min(id), 99, 'Extra', "
	    "7 FROM courses")), ERR_OK);
	assert_int_equal(int_of(to, "SELECT lesson_count FROM courses ORDER "
	    "BY id LIMIT 1"), int_of(from, "SELECT lesson_count FROM courses "
	    "ORDER BY id LIMIT 1") + 1);
	tmpdb_close(from, from_path);
	tmpdb_close(to, to_path);
	arena_free(a);
}

static void
refuses_a_target_holding_data(void **state)
{
	char from_path[64], to_path[64], why[600];
	struct arena *a = arena_new();
	struct copy_db_total total;
	struct db *from = tmpdb_open(from_path, "copydb", 1);
	struct db *to = tmpdb_open(to_path, "copydb", 0);
	char *secret;

	assert_int_equal(db_run(db_prep(to, "INSERT INTO users (email, name, "
	    "password_hash) VALUES ('a@example.org', 'A', '$argon2id$x')")),
	    ERR_OK);
	secret = text_of(to, a, "SELECT value FROM settings WHERE key = "
	    "'secret'");
	assert_int_equal(copy_db(from, to, a, NULL, NULL, &total, why,
	    sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "already holds data (users: 1 rows)"));
	assert_int_equal(int_of(to, "SELECT count(*) FROM courses"), 0);
	assert_string_equal(text_of(to, a, "SELECT value FROM settings WHERE "
	    "key = 'secret'"), secret);
	assert_int_equal(total.rows, 0);
	tmpdb_close(from, from_path);
	tmpdb_close(to, to_path);
	arena_free(a);
}

static void
replaces_a_set_up_targets_secret(void **state)
{
	char from_path[64], to_path[64], why[600];
	struct arena *a = arena_new();
	struct copy_db_total total;
	struct db *from = tmpdb_open(from_path, "copydb", 1);
	struct db *to = tmpdb_open(to_path, "copydb", 0);

	assert_string_not_equal(text_of(to, a, "SELECT value FROM settings "
	    "WHERE key = 'secret'"), text_of(from, a, "SELECT value FROM "
	    "settings WHERE key = 'secret'"));
	assert_int_equal(copy_db(from, to, a, NULL, NULL, &total, why,
	    sizeof(why)), ERR_OK);
	assert_string_equal(text_of(to, a, "SELECT value FROM settings "
	    "WHERE key = 'secret'"), text_of(from, a, "SELECT value FROM "
	    "settings WHERE key = 'secret'"));
	assert_int_equal(int_of(to, "SELECT count(*) FROM settings"),
	    int_of(from, "SELECT count(*) FROM settings"));
	tmpdb_close(from, from_path);
	tmpdb_close(to, to_path);
	arena_free(a);
}

static void
refuses_a_source_at_an_older_schema(void **state)
{
	char from_path[64], to_path[64], why[600];
	struct arena *a = arena_new();
	struct copy_db_total total;
	struct db *from, *to;

	new_path(from_path);
	new_path(to_path);
	assert_non_null(from = db_open(from_path));
	assert_int_equal(db_exec(from, "CREATE TABLE courses (id INTEGER "
	    "PRIMARY KEY); PRAGMA user_version = 3"), ERR_OK);
	assert_non_null(to = db_open(to_path));
	assert_int_equal(copy_db(from, to, a, NULL, NULL, &total, why,
	    sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "schema version 3"));
	assert_non_null(strstr(why, "run 'enrollctl migrate' on it first"));
	assert_int_equal(db_schema_version(to), 0);
	tmpdb_close(from, from_path);
	tmpdb_close(to, to_path);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copies_the_demo_store),
		cmocka_unit_test(refuses_a_target_holding_data),
		cmocka_unit_test(replaces_a_set_up_targets_secret),
		cmocka_unit_test(refuses_a_source_at_an_older_schema),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
