/* The admin's list of people (see people.h): one indexed range scan on
 * users' primary key and one index lookup of orders per row. */
#include <string.h>

#include "db.h"
#include "people.h"

enum err
people_list(struct db *db, struct arena *a, int64_t before,
    struct person **out, size_t *n, int *more)
{
	struct person *v;
	struct db_stmt *st;
	enum err e;

	*n = 0;
	*more = 0;
	if ((v = *out = arena_alloc(a, PEOPLE_PAGE * sizeof(*v))) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT u.id, u.email, u.name, u.role = 'admin', "
	    "coalesce(u.email_verified_at, 0), u.created_at, "
	    "coalesce(u.deleted_at, 0), (SELECT count(*) FROM orders o "
	    "WHERE o.user_id = u.id) FROM users u WHERE u.id < ? "
	    "ORDER BY u.id DESC LIMIT ?");
	db_bind_int64(st, 1, before > 0 ? before : INT64_MAX);
	db_bind_int64(st, 2, PEOPLE_PAGE + 1);
	while ((e = db_next(st)) == ERR_OK) {
		if (*n == PEOPLE_PAGE) {
			*more = 1;
			continue;
		}
		v[*n] = (struct person){ db_col_int64(st, 0),
		    db_col_text_dup(a, st, 1), db_col_text_dup(a, st, 2),
		    (int)db_col_int64(st, 3), db_col_int64(st, 4),
		    db_col_int64(st, 5), db_col_int64(st, 6),
		    db_col_int64(st, 7) };
		if (v[*n].email == NULL || v[*n].name == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		if (v[*n].deleted_at != 0)
			v[*n].email = v[*n].name = "";
		(*n)++;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}
