/* Counts for the admin home (see overview.h): one statement, two small
 * table scans; the admin home is not a hot path. */
#include <string.h>

#include "db.h"
#include "overview.h"

enum err
overview_counts(struct db *db, struct overview *o)
{
	struct db_stmt *st;
	enum err e;

	memset(o, 0, sizeof(*o));
	if ((st = db_prep(db, "SELECT (SELECT count(*) FROM users WHERE "
	    "deleted_at IS NULL), "
	    "(SELECT count(*) FROM users WHERE role = 'admin' AND "
	    "deleted_at IS NULL), "
	    "(SELECT count(*) FROM courses), "
	    "(SELECT count(*) FROM courses WHERE is_active = 1)")) == NULL)
		return ERR_INTERNAL;
	if ((e = db_next(st)) == ERR_OK) {
		o->users = db_col_int64(st, 0);
		o->admins = db_col_int64(st, 1);
		o->courses = db_col_int64(st, 2);
		o->active_courses = db_col_int64(st, 3);
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}
