/* What `enrollctl copy-db` needs to know of a store's schema, read from
 * the engine's own catalog (SQLite's sqlite_master and pragmas,
 * PostgreSQL's information_schema and pg_constraint): its tables with
 * their columns, primary keys and the tables their foreign keys name,
 * and on SQLite the triggers and FTS5 indexes that the copy sets aside. */
#ifndef ENROLL_COPY_DB_CATALOG_H
#define ENROLL_COPY_DB_CATALOG_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

struct db;

struct copy_column {
	const char *name;
	int integer;		/* an integer type (money is summed) */
	int identity;		/* PostgreSQL: an identity column */
};

struct copy_table {
	const char *name;
	struct copy_column *cols;
	size_t ncols;
	const char **pk;	/* primary key columns, in key order */
	size_t npk;
	const char **parents;	/* tables its foreign keys name, not itself */
	size_t nparents;
};

/* A trigger as created (SQLite), to drop and create again. */
struct copy_trigger {
	const char *name;
	const char *sql;
};

struct copy_catalog {
	struct copy_table *tables;	/* sorted by name */
	size_t ntables;
	struct copy_trigger *triggers;	/* SQLite only */
	size_t ntriggers;
	const char **fts;		/* SQLite: external-content FTS5 tables */
	size_t nfts;
};

/* Reads db's catalog into *cat: the tables of the store (SQLite:
 * sqlite_master's tables but its own and the FTS5 tables with their
 * shadow tables; PostgreSQL: the current schema's base tables but
 * schema_migrations).  Everything belongs to a.  Returns ERR_OK,
 * ERR_INVALID (why set) when a name is not a plain identifier, or the
 * error of a query. */
enum err copy_catalog_read(struct db *db, struct arena *a,
    struct copy_catalog *cat, char *why, size_t whysize);

/* The table of cat named name, or NULL. */
const struct copy_table *copy_catalog_table(const struct copy_catalog *cat,
    const char *name);

/* Puts the tables of cat in order parents first (by their foreign keys)
 * into order (ntables pointers, from a).  ERR_INVALID (why set) when the
 * keys form a cycle. */
enum err copy_catalog_order(const struct copy_catalog *cat, struct arena *a,
    const struct copy_table ***order, char *why, size_t whysize);

#endif
