/* Every row of a statement into an arena array, or its one row. */
#include "db.h"
#include "db_rows.h"

enum err
db_rows(struct db_stmt *st, struct arena *a, db_row_fn *row, size_t size,
    void **out, size_t *n)
{
	size_t cap = 0;
	void *elem;
	enum err e;

	*out = NULL;
	*n = 0;
	while ((e = db_next(st)) == ERR_OK)
		if ((elem = arena_push(a, out, n, &cap, size)) == NULL ||
		    (e = row(a, st, elem)) != ERR_OK) {
			e = ERR_INTERNAL;
			break;
		}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
db_row(struct db_stmt *st, struct arena *a, db_row_fn *row, void *elem)
{
	enum err e;

	if ((e = db_next(st)) == ERR_OK)
		e = row(a, st, elem);
	db_done(st);
	return e;
}
