/* What lib/db.c asks of an engine.  db.c owns what both share (choosing the
 * engine, the statement cache, the migration driver); db_sqlite.c and
 * db_pg.c each fill one table of these functions and are the only files
 * that include sqlite3.h or libpq-fe.h.  Not for use outside lib/db*.c. */
#ifndef ENROLL_DB_BACKEND_H
#define ENROLL_DB_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct cache_slot {
	const char *sql;	/* key: address of the literal, NULL if free */
	struct db_stmt *stmt;	/* the engine's statement, owned by the cache */
};

/* The part of a connection both engines share; each engine's own struct
 * starts with it. */
struct db {
	const struct db_ops *ops;
	struct cache_slot *slots;/* open-addressing table */
	size_t nslots;		/* power of two */
	size_t used;		/* occupied slots */
	uint64_t *busy_count;	/* shared counter of busy waits, or NULL */
};

/* Likewise for a statement. */
struct db_stmt {
	const struct db_ops *ops;
};

struct db_ops {
	enum db_kind kind;
	/* The prefix of this engine's migrations among embedded_sql
	 * ("" for SQLite's sql/NNN_*.sql, "pg/" for sql/pg/NNN_*.sql). */
	const char *migrations;
	/* Returns a connection (caller frees with close) or NULL, logged. */
	struct db *(*open)(const char *target);
	void (*close)(struct db *db);
	/* Compiles sql; NULL (logged) when it does not.  Freed by finalize. */
	struct db_stmt *(*prepare)(struct db *db, const char *sql);
	void (*finalize)(struct db_stmt *st);
	void (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
	void (*bind_textn)(struct db_stmt *st, int idx, const char *s,
	    size_t n);
	void (*bind_null)(struct db_stmt *st, int idx);
	enum err (*next)(struct db_stmt *st);
	enum err (*run)(struct db_stmt *st);
	void (*done)(struct db_stmt *st);
	int64_t (*col_int64)(struct db_stmt *st, int col);
	int (*col_is_null)(struct db_stmt *st, int col);
	const char *(*col_text)(struct db_stmt *st, int col);
	size_t (*col_bytes)(struct db_stmt *st, int col);
	int (*col_count)(struct db_stmt *st);
	const char *(*col_name)(struct db_stmt *st, int col);
	enum err (*exec)(struct db *db, const char *sql);
	enum err (*begin)(struct db *db);
	enum err (*commit)(struct db *db);
	void (*rollback)(struct db *db);
	int (*in_transaction)(struct db *db);
	int (*changes)(struct db *db);
	void (*watch)(struct db *db, db_watch_fn fn, void *arg);
	int (*schema_version)(struct db *db);
	/* Applies one migration file and records version, atomically. */
	enum err (*migration_apply)(struct db *db, const char *name,
	    const char *sql, int version);
	/* Held around a whole migration run, so that several hosts migrating
	 * at once apply each file once; NULL when the engine needs none. */
	enum err (*migration_lock)(struct db *db, int lock);
	enum err (*backup_to)(struct db *db, const char *path);
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

#endif
