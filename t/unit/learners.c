/* The learning unit tests' fixture (see learners.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "db.h"
#include "learners.h"
#include "seed.h"
#include "tmpdb.h"
#include "user.h"

int64_t
learners_int(struct fx *f, const char *sql, int64_t a1, int64_t a2)
{
	struct db_stmt *st = db_prep(f->db, sql);
	int64_t v = -1;

	db_bind_int64(st, 1, a1);
	db_bind_int64(st, 2, a2);
	if (db_next(st) == ERR_OK)
		v = db_col_is_null(st, 0) ? 0 : db_col_int64(st, 0);
	db_done(st);
	return v;
}

void
learners_run(struct fx *f, const char *sql, int64_t a1, int64_t a2)
{
	struct db_stmt *st = db_prep(f->db, sql);

	db_bind_int64(st, 1, a1);
	db_bind_int64(st, 2, a2);
	assert_int_equal(db_run(st), ERR_OK);
}

int
learners_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct db_stmt *st;

	assert_non_null(f);
	f->db = tmpdb_open(f->path, "progress", 1);
	assert_non_null(f->a = arena_new());
	assert_int_equal(user_create(f->db, "ann@example.org", "Ann Learner",
	    "correct horse battery", ROLE_STUDENT, &f->ann), ERR_OK);
	assert_int_equal(user_create(f->db, "bob@example.org", "Bob",
	    "correct horse battery", ROLE_STUDENT, &f->bob), ERR_OK);
	st = db_prep(f->db, "SELECT id FROM courses WHERE slug = "
	    "'testing-in-practice'");
	assert_int_equal(db_next(st), ERR_OK);
	f->course = db_col_int64(st, 0);
	db_done(st);
	learners_run(f, "INSERT INTO enrollments (user_id, course_id, source, "
	    "granted_at) VALUES (?1, ?2, 'purchase', 1700000000)", f->ann,
	    f->course);
	learners_run(f, "INSERT INTO enrollments (user_id, course_id, source, "
	    "granted_at) VALUES (?1, ?2, 'admin', 1700000000)", f->bob,
	    f->course);
	*state = f;
	return 0;
}

int
learners_teardown(void **state)
{
	struct fx *f = *state;

	tmpdb_close(f->db, f->path);
	arena_free(f->a);
	free(f);
	return 0;
}
