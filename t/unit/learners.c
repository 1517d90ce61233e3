/* The learning unit tests' fixture (see learners.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "learners.h"

int64_t
learners_int(struct fx *f, const char *sql, int64_t a1, int64_t a2)
{
	struct db_stmt *st = db_prep(f->t.db, sql);
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
	struct db_stmt *st = db_prep(f->t.db, sql);

	db_bind_int64(st, 1, a1);
	db_bind_int64(st, 2, a2);
	assert_int_equal(db_run(st), ERR_OK);
}

int
learners_setup(void **state)
{
	struct fx *f = fixture_new(sizeof(*f), "progress");

	f->ann = fixture_user(f->t.db, "ann@example.org", "Ann Learner",
	    ROLE_STUDENT);
	f->bob = fixture_user(f->t.db, "bob@example.org", "Bob", ROLE_STUDENT);
	f->course = fixture_course(f->t.db, "testing-in-practice");
	learners_run(f, "INSERT INTO enrollments (user_id, course_id, source, "
	    "granted_at) VALUES (?1, ?2, 'purchase', 1700000000)", f->ann,
	    f->course);
	learners_run(f, "INSERT INTO enrollments (user_id, course_id, source, "
	    "granted_at) VALUES (?1, ?2, 'admin', 1700000000)", f->bob,
	    f->course);
	*state = f;
	return 0;
}
