/* Moving a school: every row of one store copied into another, SQLite to
 * PostgreSQL or back (`enrollctl copy-db FROM TO`).  The target is filled
 * in one transaction, parents before children, and committed only when
 * every table has as many rows as the source and every money column
 * (integer, named amount or *_amount) sums the same; else nothing of the
 * copy stays.  The source is read in one snapshot and never changed. */
#ifndef ENROLL_COPY_DB_H
#define ENROLL_COPY_DB_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

/* Called for each table once its checks passed, before the commit: its
 * rows, and how many money columns were found equal. */
typedef void copy_db_table_fn(void *arg, const char *table, int64_t rows,
    int money_columns);

/* What a committed copy moved. */
struct copy_db_total {
	size_t tables;
	int64_t rows;
};

/* Copies the store from into the store to.  from must be at the latest
 * schema version; to must hold no data (no rows but those setting up a
 * store makes: its settings and report state, which the source's
 * replace) and is migrated first when older.  The SQL naming tables is
 * built here into a, which must outlive both connections (it keys their
 * statement caches).  Returns ERR_OK when committed (*total set);
 * ERR_INVALID (from's schema, different tables, a failed check) or
 * ERR_CONFLICT (to holds data) with why, a plain sentence, set and
 * nothing of to changed; or the error of a statement (logged; why says
 * so).  Only a migration of an empty to may remain after a failure. */
enum err copy_db(struct db *from, struct db *to, struct arena *a,
    copy_db_table_fn *on_table, void *arg, struct copy_db_total *total,
    char *why, size_t whysize);

#endif
