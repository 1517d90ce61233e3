/* Every table that holds rows about a person (a foreign key to users, or
 * a user_id column) is accounted for by the account deletion (deleted,
 * or kept for the books) and by "Download my data" (read, or left out on
 * purpose).  A migration that adds such a table (a wishlist, lesson
 * progress, certificates) fails here until lib/erasure.c and lib/export.c
 * say what becomes of its rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "erasure.h"
#include "export.h"

static int
listed(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static int
deleted(const char *name)
{
	for (const struct erasure_step *d = erasure_deleted; d->table != NULL;
	    d++)
		if (strcmp(d->table, name) == 0)
			return 1;
	return 0;
}

/* Calls check(name) for every table about a person; returns how many. */
static int
tables_about_people(struct db *db, void (*check)(const char *))
{
	struct db_stmt *st = db_prep(db, "SELECT m.name FROM sqlite_schema m "
	    "WHERE m.type = 'table' AND (EXISTS (SELECT 1 FROM "
	    "pragma_foreign_key_list(m.name) f WHERE f.\"table\" = 'users') "
	    "OR EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE "
	    "c.name IN ('user_id', 'actor_user_id')) OR m.name = 'users') "
	    "ORDER BY m.name");
	int n = 0;

	assert_non_null(st);
	while (db_next(st) == ERR_OK) {
		check(db_col_text(st, 0));
		n++;
	}
	db_done(st);
	return n;
}

static void
erasure_knows(const char *name)
{
	if (!deleted(name) && !listed(erasure_kept, name))
		fail_msg("table %s holds rows about a person: a deletion must "
		    "delete them (erasure_deleted in lib/erasure.c) or keep "
		    "them for the books (erasure_kept)", name);
	if (deleted(name) && listed(erasure_kept, name))
		fail_msg("table %s is both deleted and kept", name);
}

static void
export_knows(const char *name)
{
	if (!listed(export_read, name) && !listed(export_left_out, name))
		fail_msg("table %s holds rows about a person: \"Download my "
		    "data\" must read it (a part in lib/export.c, and "
		    "export_read) or say why not (export_left_out)", name);
}

static struct db *
migrated(void)
{
	struct db *db = db_open(":memory:");

	assert_non_null(db);
	assert_int_equal(db_migrate(db), ERR_OK);
	return db;
}

static void
every_table_about_a_person_is_deleted_or_kept(void **state)
{
	struct db *db = migrated();

	/* users, sessions, carts, orders, ... at least. */
	assert_true(tables_about_people(db, erasure_knows) >= 7);
	db_close(db);
}

static void
every_table_about_a_person_is_exported_or_left_out_on_purpose(void **state)
{
	struct db *db = migrated();

	assert_true(tables_about_people(db, export_knows) >= 7);
	db_close(db);
}

static void
the_lists_name_tables_that_exist(void **state)
{
	struct db *db = migrated();
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM sqlite_schema WHERE "
	    "type = 'table' AND name = ?");
	const char *const *lists[] = { erasure_kept, export_read,
	    export_left_out };

	for (const struct erasure_step *d = erasure_deleted; d->table != NULL;
	    d++) {
		db_bind_text(st, 1, d->table);
		if (db_next(st) != ERR_OK)
			fail_msg("erasure_deleted names %s: no such table",
			    d->table);
		db_done(st);
	}
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (const char *const *t = lists[i]; *t != NULL; t++) {
			db_bind_text(st, 1, *t);
			if (db_next(st) != ERR_OK)
				fail_msg("a list names %s: no such table", *t);
			db_done(st);
		}
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_table_about_a_person_is_deleted_or_kept),
		cmocka_unit_test(
		    every_table_about_a_person_is_exported_or_left_out_on_purpose),
		cmocka_unit_test(the_lists_name_tables_that_exist),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
