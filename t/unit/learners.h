/* A migrated, seeded database on a temporary file with two students
 * enrolled in testing-in-practice (3 lessons): the fixture of the
 * learning unit tests (progress, certificates). */
#ifndef ENROLL_T_LEARNERS_H
#define ENROLL_T_LEARNERS_H

#include <stdint.h>

#include "fixtures.h"

#define NOW 1800000000

struct fx {
	struct fixture t;	/* first: database and arena, fixtures.h */
	int64_t ann, bob;	/* two students */
	int64_t course;		/* testing-in-practice: 3 lessons */
};

/* The first column of sql's first row, bound with a1 and a2 (NULL: 0,
 * no row: -1). */
int64_t learners_int(struct fx *f, const char *sql, int64_t a1, int64_t a2);

/* Runs sql bound with a1 and a2; fails the test when it fails. */
void learners_run(struct fx *f, const char *sql, int64_t a1, int64_t a2);

/* cmocka setup: *state is a struct fx, freed by fixture_teardown. */
int learners_setup(void **state);

#endif
