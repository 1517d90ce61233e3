/* The unit tests' shared database fixture (see fixtures.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "arena.h"
#include "db.h"
#include "fixtures.h"
#include "tmpdb.h"

void *
fixture_new(size_t size, const char *prefix)
{
	struct fixture *t;

	assert_true(size >= sizeof(*t));
	assert_non_null(t = calloc(1, size));
	t->db = tmpdb_open(t->path, prefix, 1);
	assert_non_null(t->a = arena_new());
	return t;
}

int
fixture_teardown(void **state)
{
	struct fixture *t = *state;

	tmpdb_close(t->db, t->path);
	arena_free(t->a);
	free(t);
	return 0;
}

int64_t
fixture_user(struct db *db, const char *email, const char *name,
    enum user_role role)
{
	int64_t id;

	assert_int_equal(user_create(db, email, name, "correct horse battery",
	    role, &id), ERR_OK);
	return id;
}

int64_t
fixture_course(struct db *db, const char *slug)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM courses WHERE "
	    "slug = ?");
	int64_t id;

	db_bind_text(st, 1, slug);
	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	return id;
}

int64_t
fixture_int(struct db *db, const char *sql, int64_t a1, int64_t a2)
{
	struct db_stmt *st = db_prep(db, sql);
	int64_t v = -1;

	db_bind_int64(st, 1, a1);
	db_bind_int64(st, 2, a2);
	if (db_next(st) == ERR_OK)
		v = db_col_is_null(st, 0) ? 0 : db_col_int64(st, 0);
	db_done(st);
	return v;
}

void
fixture_run(struct db *db, const char *sql, int64_t a1, int64_t a2)
{
	struct db_stmt *st = db_prep(db, sql);

	db_bind_int64(st, 1, a1);
	db_bind_int64(st, 2, a2);
	assert_int_equal(db_run(st), ERR_OK);
}
