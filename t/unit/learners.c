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
	return fixture_int(f->t.db, sql, a1, a2);
}

void
learners_run(struct fx *f, const char *sql, int64_t a1, int64_t a2)
{
	fixture_run(f->t.db, sql, a1, a2);
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
