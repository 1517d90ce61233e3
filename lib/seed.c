/* Demo catalog loading from the embedded sql/seed_demo.sql; the lesson
 * bodies and descriptions it loads are then rendered (lib/content.c). */
#include <string.h>
#include <time.h>

#include "content.h"
#include "db.h"
#include "embedded.h"
#include "seed.h"
#include "seed_cohorts.h"

enum err
seed_demo(struct db *db, int *seeded)
{
	struct db_stmt *st;
	const char *sql = NULL;
	enum err e;
	int64_t courses;

	*seeded = 0;
	for (size_t i = 0; i < embedded_sql_count; i++)
		if (strcmp(embedded_sql[i].name, "seed_demo.sql") == 0)
			sql = embedded_sql[i].data;
	if (sql == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((st = db_prep(db, "SELECT count(*) FROM courses")) == NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	e = db_next(st);
	courses = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK || courses > 0)
		goto out;
	if ((e = db_exec(db, sql)) != ERR_OK ||
	    (e = seed_cohorts(db, (int64_t)time(NULL))) != ERR_OK)
		goto out;
	if ((e = db_commit(db)) != ERR_OK)
		return e;
	*seeded = 1;
	return content_render_stale(db, NULL);
out:
	db_rollback(db);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}
