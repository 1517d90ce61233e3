/* Every row of a statement into an array (or its one row into one
 * element): the loop each list function
 * wrote for itself (step, grow the array, read the row, finish). */
#ifndef ENROLL_DB_ROWS_H
#define ENROLL_DB_ROWS_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

struct db_stmt;

/* Fills the zeroed element elem from the current row of st; strings go
 * into a.  Returns ERR_OK or ERR_INTERNAL. */
typedef enum err db_row_fn(struct arena *a, struct db_stmt *st, void *elem);

/* Steps st (bound by the caller) to its end, appending one element of
 * size bytes per row to the array *out (*n elements; both start empty
 * here), filled by row; then releases st.  The array belongs to a.
 * Returns ERR_OK, or the first error of a step or a row. */
enum err db_rows(struct db_stmt *st, struct arena *a, db_row_fn *row,
    size_t size, void **out, size_t *n);

/* Steps st (bound by the caller) once and fills elem from its row by row;
 * then releases st.  ERR_NOTFOUND when there is no row. */
enum err db_row(struct db_stmt *st, struct arena *a, db_row_fn *row,
    void *elem);

#endif
