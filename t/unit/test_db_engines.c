/* lib/db's promises, checked on both engines: SQLite always (a file in a
 * temporary folder), PostgreSQL when ENROLL_TEST_PG names a cluster started
 * by t/pg.sh (make test's second pass runs this file there too).  The same
 * statements, the same answers: parameters written ?, ?N and :name; text,
 * integers and NULL in and out; a comparison read as 1 or 0; a constraint
 * is ERR_CONFLICT and the transaction goes on; db_changes; a statement that
 * failed to prepare inside a transaction leaves it usable; and two
 * connections' write transactions take turns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"

/* The engine under test: its ENROLL_DB target. */
static char target[4096];

/* A new empty database on the engine named by kind; returns 0 or skips. */
static int
new_target(enum db_kind kind)
{
	const char *cluster = getenv("ENROLL_TEST_PG");
	char cmd[4096], dir[64];
	FILE *p;

	if (kind == DB_SQLITE) {
		snprintf(dir, sizeof(dir), "/tmp/enroll-dbe-%ld-XXXXXX",
		    (long)getpid());
		if (mkdtemp(dir) == NULL)
			return -1;
		snprintf(target, sizeof(target), "%s/t.db", dir);
		return 0;
	}
	if (cluster == NULL || *cluster == '\0')
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/t/pg.sh createdb '%s' dbe_%ld_%ld",
	    getenv("ENROLL_TOP") != NULL ? getenv("ENROLL_TOP") : ".",
	    cluster, (long)getpid(), (long)time(NULL) % 100000 + random() %
	    1000);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(target, sizeof(target), p) == NULL) {
		pclose(p);
		return -1;
	}
	target[strcspn(target, "\n")] = '\0';
	return pclose(p) == 0 ? 0 : -1;
}

static struct db *
open_fresh(void **state, enum db_kind kind)
{
	struct db *db;

	if (new_target(kind) != 0) {
		skip();
		return NULL;
	}
	assert_non_null(db = db_open(target));
	assert_int_equal(db_kind(db), kind);
	assert_int_equal(db_exec(db, "CREATE TABLE t (id BIGINT PRIMARY KEY, "
	    "name TEXT NOT NULL UNIQUE, n BIGINT)"), ERR_OK);
	(void)state;
	return db;
}

static void
values_in_and_out(enum db_kind kind)
{
	struct db *db = open_fresh(NULL, kind);
	struct db_stmt *st;

	st = db_prep(db, "INSERT INTO t (id, name, n) VALUES (?, ?, ?)");
	db_bind_int64(st, 1, 1);
	db_bind_text(st, 2, "ada");
	db_bind_null(st, 3);
	assert_int_equal(db_run(st), ERR_OK);
	assert_int_equal(db_changes(db), 1);
	/* ?N reused, :name, and a parameter only IS NULL types. */
	st = db_prep(db, "INSERT INTO t (id, name, n) VALUES (?1 + 1, ?2 || "
	    "'!', ?1 * 1000)");
	db_bind_int64(st, 1, 2);
	db_bind_text(st, 2, "bob");
	assert_int_equal(db_run(st), ERR_OK);
	st = db_prep(db, "SELECT id, name, n, n IS NULL, id = :want "
	    "FROM t WHERE (:name IS NULL OR name = :name) ORDER BY id");
	db_bind_int64(st, 1, 3);
	db_bind_null(st, 2);
	assert_int_equal(db_next(st), ERR_OK);
	assert_int_equal(db_col_int64(st, 0), 1);
	assert_string_equal(db_col_text(st, 1), "ada");
	assert_true(db_col_is_null(st, 2));
	assert_string_equal(db_col_text(st, 2), "");
	assert_int_equal(db_col_int64(st, 3), 1);	/* a comparison: 1 */
	assert_string_equal(db_col_text(st, 3), "1");
	assert_int_equal(db_col_int64(st, 4), 0);
	assert_int_equal(db_next(st), ERR_OK);
	assert_int_equal(db_col_int64(st, 0), 3);
	assert_string_equal(db_col_text(st, 1), "bob!");
	assert_int_equal(db_col_int64(st, 2), 2000);
	assert_int_equal(db_col_int64(st, 4), 1);
	assert_int_equal(db_col_count(st), 5);
	assert_string_equal(db_col_name(st, 1), "name");
	assert_int_equal(db_next(st), ERR_NOTFOUND);
	db_done(st);
	/* The same cached statement, other values. */
	st = db_prep(db, "SELECT id, name, n, n IS NULL, id = :want "
	    "FROM t WHERE (:name IS NULL OR name = :name) ORDER BY id");
	db_bind_int64(st, 1, 1);
	db_bind_text(st, 2, "ada");
	assert_int_equal(db_next(st), ERR_OK);
	assert_int_equal(db_col_int64(st, 4), 1);
	assert_int_equal(db_next(st), ERR_NOTFOUND);
	db_done(st);
	/* A ? inside quotes or a comment is text, not a parameter. */
	st = db_prep(db, "SELECT 'it''s ?' || :x || ?1 -- not ?2\n");
	db_bind_text(st, 1, "z");
	assert_int_equal(db_next(st), ERR_OK);
	assert_string_equal(db_col_text(st, 0), "it's ?zz");
	db_done(st);
	db_close(db);
}

static void
conflict_keeps_transaction(enum db_kind kind)
{
	struct db *db = open_fresh(NULL, kind);
	struct db_stmt *st;

	assert_int_equal(db_begin(db), ERR_OK);
	st = db_prep(db, "INSERT INTO t (id, name) VALUES (?1, ?2)");
	db_bind_int64(st, 1, 1);
	db_bind_text(st, 2, "ada");
	assert_int_equal(db_run(st), ERR_OK);
	db_bind_int64(st, 1, 2);
	db_bind_text(st, 2, "ada");	/* UNIQUE */
	assert_int_equal(db_run(st), ERR_CONFLICT);
	/* SQL that does not compile fails alone, inside the transaction
	 * (SQLite at db_prep, PostgreSQL when it first runs). */
	assert_int_equal(db_run(db_prep(db, "SELEC nothing")), ERR_INTERNAL);
	db_bind_int64(st, 1, 3);
	db_bind_text(st, 2, "eve");
	assert_int_equal(db_run(st), ERR_OK);
	st = db_prep(db, "UPDATE t SET n = 7 WHERE id > ?");
	db_bind_int64(st, 1, 0);
	assert_int_equal(db_run(st), ERR_OK);
	assert_int_equal(db_changes(db), 2);
	assert_int_equal(db_commit(db), ERR_OK);
	st = db_prep(db, "SELECT count(*), sum(n) FROM t");
	assert_int_equal(db_next(st), ERR_OK);
	assert_int_equal(db_col_int64(st, 0), 2);
	assert_int_equal(db_col_int64(st, 1), 14);
	db_done(st);
	/* A rolled-back transaction leaves nothing. */
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(db_exec(db, "DELETE FROM t"), ERR_OK);
	db_rollback(db);
	st = db_prep(db, "SELECT count(*) FROM t");
	assert_int_equal(db_next(st), ERR_OK);
	assert_int_equal(db_col_int64(st, 0), 2);
	db_done(st);
	db_close(db);
}

/* A child holds a write transaction for a moment; the parent's
 * db_begin waits for it and then reads what it committed, as a
 * read-check-write transaction on another host would. */
static void
writers_take_turns(enum db_kind kind)
{
	struct db *db = open_fresh(NULL, kind);
	struct db_stmt *st;
	int fds[2], status;
	char c;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	db_close(db);
	if ((pid = fork()) == 0) {
		struct db *other = db_open(target);

		if (other == NULL || db_begin(other) != ERR_OK ||
		    db_exec(other, "INSERT INTO t (id, name, n) "
		    "VALUES (1, 'first', 1)") != ERR_OK)
			_exit(1);
		(void)write(fds[1], "x", 1);
		usleep(300 * 1000);
		_exit(db_commit(other) == ERR_OK ? 0 : 1);
	}
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_non_null(db = db_open(target));
	assert_int_equal(db_begin(db), ERR_OK);	/* waits for the child */
	st = db_prep(db, "SELECT count(*) FROM t");
	assert_int_equal(db_next(st), ERR_OK);
	assert_int_equal(db_col_int64(st, 0), 1);
	db_done(st);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fds[0]);
	close(fds[1]);
	db_close(db);
}

static void sqlite_values(void **s) { (void)s; values_in_and_out(DB_SQLITE); }
static void pg_values(void **s) { (void)s; values_in_and_out(DB_POSTGRES); }
static void sqlite_conflict(void **s) { (void)s; conflict_keeps_transaction(DB_SQLITE); }
static void pg_conflict(void **s) { (void)s; conflict_keeps_transaction(DB_POSTGRES); }
static void sqlite_turns(void **s) { (void)s; writers_take_turns(DB_SQLITE); }
static void pg_turns(void **s) { (void)s; writers_take_turns(DB_POSTGRES); }

int
main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		cmocka_unit_test(sqlite_values),
		cmocka_unit_test(sqlite_conflict),
		cmocka_unit_test(sqlite_turns),
	};
	const struct CMUnitTest both_tests[] = {
		cmocka_unit_test(sqlite_values),
		cmocka_unit_test(pg_values),
		cmocka_unit_test(sqlite_conflict),
		cmocka_unit_test(pg_conflict),
		cmocka_unit_test(sqlite_turns),
		cmocka_unit_test(pg_turns),
	};
	const char *pg = getenv("ENROLL_TEST_PG");
	char cmd[64];
	int failed;

	srandom((unsigned)getpid());
	cmocka_set_message_output(CM_OUTPUT_TAP);
	/* PostgreSQL's half runs in make test's PostgreSQL pass. */
	failed = pg != NULL && *pg != '\0' ?
	    cmocka_run_group_tests(both_tests, NULL, NULL) :
	    cmocka_run_group_tests(sqlite_tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf /tmp/enroll-dbe-%ld-*",
	    (long)getpid());
	(void)system(cmd);
	return failed;
}
