/* Temporary test databases (see tmpdb.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "seed.h"
#include "tmpdb.h"

struct db *
tmpdb_open(char path[64], const char *prefix, int seed)
{
	struct db *db;
	int fd, seeded;

	snprintf(path, 64, "/tmp/enroll-%s-XXXXXX", prefix);
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_non_null(db = db_open(path));
	assert_int_equal(db_migrate(db), ERR_OK);
	if (seed)
		assert_int_equal(seed_demo(db, &seeded), ERR_OK);
	return db;
}

void
tmpdb_close(struct db *db, const char *path)
{
	static const char *const sides[] = { "", "-wal", "-shm", "-metrics" };
	char p[96];

	db_close(db);
	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sides[i]);
		unlink(p);
	}
}
