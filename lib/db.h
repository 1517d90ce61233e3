/* The database, SQLite or PostgreSQL behind one interface (lib/db.c
 * chooses; db_sqlite.c and db_pg.c are the only files that speak to either
 * library).  A connection is opened per worker; statements are prepared
 * once and cached by their SQL text's address (always pass a string
 * literal), so a hot path never re-parses SQL.  Parameters are written
 * ? or ?N in both engines.  Errors map to enum err: a busy database, a
 * lock wait past 5 s or a serialization failure is ERR_BUSY (503, clients
 * retry), a constraint is ERR_CONFLICT.
 *
 * Usage:
 *	struct db_stmt *st = db_prep(db, "SELECT title FROM courses WHERE id = ?");
 *	if (st == NULL) return ERR_INTERNAL;
 *	db_bind_int64(st, 1, id);
 *	while ((e = db_next(st)) == ERR_OK)
 *		use(db_col_text(st, 0));
 *	db_done(st);			// always: resets and clears bindings
 *	if (e != ERR_NOTFOUND) return e;	// ERR_NOTFOUND ends the rows
 *
 * A NULL statement (db_prep failed and logged why) is accepted by every
 * function below: binds do nothing, db_next and db_run return
 * ERR_INTERNAL, db_done does nothing.  So a prepare-bind-run sequence
 * needs one error check, on db_run's result.
 */
#ifndef ENROLL_DB_H
#define ENROLL_DB_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;
struct db_stmt;

/* The engine behind a connection: ENROLL_DB holding a path (or unset) is
 * SQLite, "postgresql://..." or "postgres://..." is PostgreSQL.  A module
 * whose statement must differ between the two (full-text search) keeps
 * both forms side by side and picks by db_kind. */
enum db_kind { DB_SQLITE, DB_POSTGRES };
enum db_kind db_kind(const struct db *db);

/* Opens target: a PostgreSQL connection URI (postgresql://...), or else
 * the SQLite file at that path, created if needed (":memory:" works).
 * Returns NULL and logs on failure.  Caller frees with db_close(). */
struct db *db_open(const char *target);

/* Returns 1 when target (ENROLL_DB) names a PostgreSQL server. */
int db_target_is_postgres(const char *target);

/* Writes target as it may be shown in a message or log into out (size
 * bytes): a PostgreSQL URL's password masked as ***. */
void db_target_shown(const char *target, char *out, size_t size);

/* Finalizes every cached statement and closes.  NULL is a no-op. */
void db_close(struct db *db);

/* Returns the cached statement for sql (prepared on first use), or NULL
 * after logging when sql does not compile.  sql must be a string that
 * outlives db (a literal): it is the cache key.  The statement belongs to
 * db; release it after use with db_done(). */
struct db_stmt *db_prep(struct db *db, const char *sql);

/* Binds parameter idx (1-based).  Text is copied. */
void db_bind_int64(struct db_stmt *st, int idx, int64_t v);
void db_bind_text(struct db_stmt *st, int idx, const char *s);
void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n);
void db_bind_null(struct db_stmt *st, int idx);
/* Binds s, or NULL when s is NULL. */
void db_bind_text_or_null(struct db_stmt *st, int idx, const char *s);

/* Steps: ERR_OK when a row is ready, ERR_NOTFOUND when there are no more,
 * ERR_BUSY / ERR_CONFLICT / ERR_INTERNAL on failure (logged). */
enum err db_next(struct db_stmt *st);

/* Runs a statement that returns no rows to completion: ERR_OK, ERR_BUSY,
 * ERR_CONFLICT (constraint) or ERR_INTERNAL.  Resets it (no db_done
 * needed). */
enum err db_run(struct db_stmt *st);

/* Resets st and clears its bindings so the cache can hand it out again. */
void db_done(struct db_stmt *st);

/* Column getters for the current row (0-based). */
int64_t db_col_int64(struct db_stmt *st, int col);
int db_col_is_null(struct db_stmt *st, int col);
/* Returns the text of col; "" for NULL.  Valid until the next step. */
const char *db_col_text(struct db_stmt *st, int col);
/* Returns a copy of col's text in the arena; NULL for SQL NULL. */
char *db_col_text_dup(struct arena *a, struct db_stmt *st, int col);
/* The number of columns of st's rows, and the name of col (owned by st). */
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int col);

/* Transactions.  db_begin takes the write lock at once, so a transaction
 * never fails half-way on a lock upgrade and write transactions take turns,
 * on every host: SQLite's BEGIN IMMEDIATE, and on PostgreSQL one
 * transaction-scoped advisory lock (db_pg.c says why).  A statement that
 * changes rows outside a transaction takes the same turn. */
enum err db_begin(struct db *db);
enum err db_commit(struct db *db);
/* Starts a read-only transaction whose reads all see one moment (SQLite's
 * deferred BEGIN; REPEATABLE READ on PostgreSQL, where each statement
 * would otherwise see the latest commits).  End it with db_rollback. */
enum err db_begin_read(struct db *db);
/* Rolls back if a transaction is open; safe to call on any exit path. */
void db_rollback(struct db *db);

/* Runs one or more statements of trusted, constant SQL (migrations, pragmas)
 * that take no parameters. */
enum err db_exec(struct db *db, const char *sql);

/* Rows changed by the last statement that changes rows.  (A new row's id
 * comes back through INSERT ... RETURNING id, on both engines.) */
int db_changes(struct db *db);

/* What a watched row change is. */
enum db_change { DB_INSERT, DB_UPDATE, DB_DELETE, DB_CHANGE_MAX };

/* Called before each row change: the table, the kind of change and, for
 * an update, a bitmask of the columns whose value changes (column i is
 * bit i; columns past 63 all set bit 63). */
typedef void (*db_watch_fn)(void *arg, const char *table, enum db_change op,
    uint64_t changed);

/* Calls fn(arg, ...) before every row change that db makes, so a test can
 * tell what a request changed, column by column; fn NULL stops.  (SQLite's
 * preupdate hook: not on the hot path, nothing is watched by default.) */
void db_watch(struct db *db, db_watch_fn fn, void *arg);

/* Applies the embedded migrations that are newer than the database's
 * version (sql/NNN_*.sql on SQLite, recorded in PRAGMA user_version;
 * sql/pg/NNN_*.sql on PostgreSQL, recorded in schema_migrations), each in
 * its own transaction.  Returns ERR_OK when the schema is current;
 * ERR_CONFLICT (logged) when the database is newer than this program. */
enum err db_migrate(struct db *db);

/* Returns the schema version (0 for an empty database), or -1 on error. */
int db_schema_version(struct db *db);

/* Makes every busy wait of db add one to *counter (shared memory that
 * outlives db; NULL stops counting). */
void db_count_busy(struct db *db, uint64_t *counter);

/* Returns the schema version the migrations compiled in make. */
int db_schema_latest(void);

/* Writes a consistent copy of db, while others keep writing, to the new
 * file path (which must not exist), in rollback-journal mode so that it is
 * one self-contained file. */
enum err db_backup_to(struct db *db, const char *path);

/* Checks the database file at path: ERR_OK with *version set when
 * SQLite's integrity_check passes; ERR_INVALID when it does not or the
 * file is no database; ERR_NOTFOUND when it cannot be read. */
enum err db_check_file(const char *path, int *version);

/* Replaces the database at to with a copy of from.  ERR_CONFLICT, and
 * nothing changed, when any program has it open. */
enum err db_restore(const char *from, const char *to);

#endif
