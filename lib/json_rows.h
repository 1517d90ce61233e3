/* Rows of a query as the JSON a page renders, for the admin's read-only
 * lists (a person's orders, enrollments, sessions; the home page's
 * figures): the columns are named once, beside the SQL that selects them,
 * instead of one cJSON call per column per list. */
#ifndef ENROLL_JSON_ROWS_H
#define ENROLL_JSON_ROWS_H

#include "err.h"

struct db_stmt;
struct cJSON;

/* A column list is NULL-terminated; each name starts with its kind:
 *   "#id"     an integer             "$email"  text
 *   "?admin"  a boolean (0/1)        "%total"  money: this column's
 *                                     amount and the next one's currency
 * so { "#id", "%total", "$status", NULL } reads four columns. */

/* Adds each row of st (bound, unstepped) to array as an object, at most
 * limit rows (limit < 0: all); *more (may be NULL) is set to 1 when a row
 * was left over.  Finishes st whatever happens.  Returns ERR_OK, ERR_BUSY
 * or ERR_INTERNAL (out of memory).  The objects belong to array. */
enum err json_rows_add(struct db_stmt *st, const char *const *cols,
    struct cJSON *array, int limit, int *more);

/* Adds the first row of st to obj (its columns as obj's members) and
 * finishes st.  ERR_NOTFOUND when there is no row. */
enum err json_row_into(struct db_stmt *st, const char *const *cols,
    struct cJSON *obj);

#endif
