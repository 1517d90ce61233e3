/* The fixture the unit tests of domain code share: a seeded temporary
 * database with an arena, and the rows most of them start from (users,
 * courses by slug).  A test's struct fx has a struct fixture as its first
 * member, so fixture_new and fixture_teardown serve every one. */
#ifndef ENROLL_T_FIXTURES_H
#define ENROLL_T_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "user.h"

struct arena;
struct db;

struct fixture {
	char path[64];		/* the database file */
	struct db *db;		/* open on it, migrated and seeded */
	struct arena *a;	/* for what the functions under test return */
};

/* Allocates size zeroed bytes (a struct whose first member is a struct
 * fixture) and opens that fixture: a seeded database
 * /tmp/enroll-<prefix>-XXXXXX and a new arena.  Fails the test on any
 * error.  Freed by fixture_teardown. */
void *fixture_new(size_t size, const char *prefix);

/* cmocka teardown of what fixture_new made (*state): closes and removes
 * the database, frees the arena and the struct. */
int fixture_teardown(void **state);

/* Creates a user with role and the tests' password; returns its id. */
int64_t fixture_user(struct db *db, const char *email, const char *name,
    enum user_role role);

/* The id of the seeded course slug; fails the test when there is none. */
int64_t fixture_course(struct db *db, const char *slug);

/* The first column of sql's first row, bound with a1 and a2 (NULL: 0,
 * no row: -1). */
int64_t fixture_int(struct db *db, const char *sql, int64_t a1, int64_t a2);

/* Runs sql bound with a1 and a2; fails the test when it fails. */
void fixture_run(struct db *db, const char *sql, int64_t a1, int64_t a2);

#endif
