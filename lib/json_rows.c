/* Rows of a query as JSON objects (see json_rows.h).  cJSON memory comes
 * from the request arena in workers; the objects belong to their parent. */
#include <cjson/cJSON.h>

#include "db.h"
#include "json_rows.h"

/* Adds the money object {amount, currency} of columns i and i + 1. */
static int
add_money(cJSON *o, const char *name, struct db_stmt *st, int i)
{
	cJSON *m = cJSON_AddObjectToObject(o, name);

	return m != NULL && cJSON_AddNumberToObject(m, "amount",
	    (double)db_col_int64(st, i)) != NULL &&
	    cJSON_AddStringToObject(m, "currency", db_col_text(st, i + 1)) !=
	    NULL;
}

/* Adds the current row of st to o; returns 0 when out of memory. */
static int
add_row(struct db_stmt *st, const char *const *cols, cJSON *o)
{
	int i = 0;

	for (; *cols != NULL; cols++, i++) {
		const char *name = *cols + 1;
		int ok = 0;

		switch (**cols) {
		case '#':
			ok = cJSON_AddNumberToObject(o, name,
			    (double)db_col_int64(st, i)) != NULL;
			break;
		case '?':
			ok = cJSON_AddBoolToObject(o, name,
			    db_col_int64(st, i) != 0) != NULL;
			break;
		case '%':
			ok = add_money(o, name, st, i++);
			break;
		default:
			ok = cJSON_AddStringToObject(o, name,
			    db_col_text(st, i)) != NULL;
			break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

enum err
json_rows_add(struct db_stmt *st, const char *const *cols, cJSON *array,
    int limit, int *more)
{
	cJSON *o;
	int n = 0;
	enum err e;

	if (more != NULL)
		*more = 0;
	while ((e = db_next(st)) == ERR_OK) {
		if (limit >= 0 && n == limit) {
			if (more != NULL)
				*more = 1;
			break;
		}
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(array, o) || !add_row(st, cols, o)) {
			e = ERR_INTERNAL;
			break;
		}
		n++;
	}
	db_done(st);
	return e == ERR_NOTFOUND || e == ERR_OK ? ERR_OK : e;
}

enum err
json_row_into(struct db_stmt *st, const char *const *cols, cJSON *obj)
{
	enum err e;

	if ((e = db_next(st)) == ERR_OK && !add_row(st, cols, obj))
		e = ERR_INTERNAL;
	db_done(st);
	return e;
}
