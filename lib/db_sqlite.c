/* The SQLite engine behind lib/db.c: a connection per worker with WAL,
 * foreign keys and a short-polling busy wait; errors mapped to enum err
 * (SQLITE_BUSY is ERR_BUSY, a constraint ERR_CONFLICT); migrations
 * recorded in PRAGMA user_version; and the file-level backup, check and
 * restore that only a file database has. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Debian's SQLite is built with it; the declarations need the macro. */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>

#include "db.h"
#include "db_backend.h"
#include "log.h"

struct lite_db {
	struct db base;		/* first: a struct db * is a struct lite_db * */
	sqlite3 *conn;		/* the connection */
	db_watch_fn watch;	/* db_watch's callback, or NULL */
	void *watch_arg;	/* its argument */
};

struct lite_stmt {
	struct db_stmt base;
	sqlite3_stmt *s;
};

#define LDB(d) ((struct lite_db *)(void *)(d))
#define STMT(st) (((struct lite_stmt *)(void *)(st))->s)

static enum err
map_rc(sqlite3 *conn, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return ERR_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_error(NULL, "db: busy: %s", what);
		return ERR_BUSY;
	case SQLITE_CONSTRAINT:
		return ERR_CONFLICT;
	default:
		log_error(NULL, "db: %s: %s", what, sqlite3_errmsg(conn));
		return ERR_INTERNAL;
	}
}

/* Waits for another connection's write lock.  SQLite's own busy timeout
 * sleeps up to 100 ms between tries, which turns a few contended webhook
 * commits into long tails; a write here lasts a millisecond or two, so we
 * poll every 0.25-2 ms instead, for at most 5 s in all (then ERR_BUSY,
 * and Stripe retries). */
static int
busy_wait(void *arg, int tries)
{
	struct db *db = arg;
	long us = tries < 8 ? 250L << (tries / 3) : 2000;

	if (db != NULL && db->busy_count != NULL)
		__atomic_fetch_add(db->busy_count, 1, __ATOMIC_RELAXED);

	if ((long)tries * 2000 > 5 * 1000 * 1000 + 8 * 2000)
		return 0;
	usleep((useconds_t)us);
	return 1;
}

static enum err lite_exec(struct db *db, const char *sql);

static void lite_close(struct db *db);

static struct db *
lite_open(const char *path)
{
	struct lite_db *l;
	int rc;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	rc = sqlite3_open_v2(path, &l->conn, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error(NULL, "db: open %s: %s", path,
		    l->conn ? sqlite3_errmsg(l->conn) : "out of memory");
		goto fail;
	}
	sqlite3_busy_handler(l->conn, busy_wait, l);
	sqlite3_extended_result_codes(l->conn, 1);
	/* WAL lets readers run beside the one writer; NORMAL is durable
	 * across process crashes, FULL also across power loss: we want
	 * payment records to survive both. */
	if (lite_exec(&l->base, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA temp_store=MEMORY;") != ERR_OK)
		goto fail;
	return &l->base;
fail:
	lite_close(&l->base);
	return NULL;
}

static void
lite_close(struct db *db)
{
	sqlite3_close(LDB(db)->conn);
	free(db);
}

static struct db_stmt *
lite_prepare(struct db *db, const char *sql)
{
	struct lite_stmt *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->base.ops = &db_sqlite_ops;
	if (sqlite3_prepare_v3(LDB(db)->conn, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &st->s, NULL) != SQLITE_OK) {
		log_error(NULL, "db: prepare: %s: %s",
		    sqlite3_errmsg(LDB(db)->conn), sql);
		free(st);
		return NULL;
	}
	return &st->base;
}

static void
lite_finalize(struct db_stmt *st)
{
	sqlite3_finalize(STMT(st));
	free(st);
}

static void
lite_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(STMT(st), idx, v);
}

static void
lite_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n)
{
	sqlite3_bind_text64(STMT(st), idx, s, n, SQLITE_TRANSIENT,
	    SQLITE_UTF8);
}

static void
lite_bind_null(struct db_stmt *st, int idx)
{
	sqlite3_bind_null(STMT(st), idx);
}

static enum err
lite_next(struct db_stmt *st)
{
	int rc = sqlite3_step(STMT(st));

	if (rc == SQLITE_ROW)
		return ERR_OK;
	if (rc == SQLITE_DONE)
		return ERR_NOTFOUND;
	return map_rc(sqlite3_db_handle(STMT(st)), rc, sqlite3_sql(STMT(st)));
}

static void
lite_done(struct db_stmt *st)
{
	sqlite3_reset(STMT(st));
	sqlite3_clear_bindings(STMT(st));
}

static enum err
lite_run(struct db_stmt *st)
{
	int rc;
	enum err e;

	while ((rc = sqlite3_step(STMT(st))) == SQLITE_ROW)
		;
	e = map_rc(sqlite3_db_handle(STMT(st)), rc, sqlite3_sql(STMT(st)));
	lite_done(st);
	return e;
}

static int64_t
lite_col_int64(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(STMT(st), col);
}

static int
lite_col_is_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(STMT(st), col) == SQLITE_NULL;
}

static const char *
lite_col_text(struct db_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(STMT(st), col);

	return s != NULL ? (const char *)s : "";
}

static size_t
lite_col_bytes(struct db_stmt *st, int col)
{
	(void)sqlite3_column_text(STMT(st), col);
	return (size_t)sqlite3_column_bytes(STMT(st), col);
}

static int
lite_col_count(struct db_stmt *st)
{
	return sqlite3_column_count(STMT(st));
}

static const char *
lite_col_name(struct db_stmt *st, int col)
{
	const char *n = sqlite3_column_name(STMT(st), col);

	return n != NULL ? n : "";
}

static enum err
lite_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(LDB(db)->conn, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY &&
	    (rc & 0xff) != SQLITE_CONSTRAINT)
		log_error(NULL, "db: exec: %s", msg != NULL ? msg : "?");
	sqlite3_free(msg);
	if ((rc & 0xff) == SQLITE_BUSY)
		return ERR_BUSY;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return ERR_CONFLICT;
	return rc == SQLITE_OK ? ERR_OK : ERR_INTERNAL;
}

/* BEGIN IMMEDIATE takes the write lock at once, so a transaction never
 * fails half-way on a lock upgrade, and writers take turns. */
static enum err
lite_begin(struct db *db)
{
	return db_run(db_prep(db, "BEGIN IMMEDIATE"));
}

static void lite_rollback(struct db *db);

static enum err
lite_commit(struct db *db)
{
	enum err e = db_run(db_prep(db, "COMMIT"));

	if (e != ERR_OK)
		lite_rollback(db);
	return e;
}

static void
lite_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(LDB(db)->conn))
		lite_exec(db, "ROLLBACK");
}

static int
lite_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(LDB(db)->conn);
}

/* Returns 1 when two column values differ in type or content. */
static int
value_differs(sqlite3_value *a, sqlite3_value *b)
{
	int t = sqlite3_value_type(a), n;

	if (t != sqlite3_value_type(b))
		return 1;
	switch (t) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
		return sqlite3_value_int64(a) != sqlite3_value_int64(b);
	case SQLITE_FLOAT:
		return sqlite3_value_double(a) != sqlite3_value_double(b);
	default:
		n = sqlite3_value_bytes(a);
		return n != sqlite3_value_bytes(b) || (n > 0 &&
		    memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b),
		    (size_t)n) != 0);
	}
}

static void
preupdate(void *arg, sqlite3 *conn, int op, const char *schema,
    const char *table, sqlite3_int64 old_key, sqlite3_int64 new_key)
{
	struct lite_db *l = arg;
	sqlite3_value *o, *n;
	uint64_t changed = 0;
	int i, cols = sqlite3_preupdate_count(conn);

	if (op != SQLITE_UPDATE) {
		l->watch(l->watch_arg, table, op == SQLITE_INSERT ?
		    DB_INSERT : DB_DELETE, 0);
		return;
	}
	for (i = 0; i < cols; i++)
		if (sqlite3_preupdate_old(conn, i, &o) != SQLITE_OK ||
		    sqlite3_preupdate_new(conn, i, &n) != SQLITE_OK ||
		    value_differs(o, n))
			changed |= (uint64_t)1 << (i < 63 ? i : 63);
	if (old_key != new_key)
		changed |= 1;
	l->watch(l->watch_arg, table, DB_UPDATE, changed);
}

static void
lite_watch(struct db *db, db_watch_fn fn, void *arg)
{
	LDB(db)->watch = fn;
	LDB(db)->watch_arg = arg;
	sqlite3_preupdate_hook(LDB(db)->conn, fn != NULL ? preupdate : NULL,
	    db);
}

static int
lite_changes(struct db *db)
{
	return sqlite3_changes(LDB(db)->conn);
}

static int
lite_schema_version(struct db *db)
{
	struct db_stmt *st = db_prep(db, "PRAGMA user_version");
	int v = -1;

	if (st == NULL)
		return -1;
	if (db_next(st) == ERR_OK)
		v = (int)db_col_int64(st, 0);
	db_done(st);
	return v;
}

/* A migration that rebuilds a table (SQLite cannot alter a CHECK) starts
 * with this line: it runs with foreign keys off, as SQLite's documented
 * rebuild needs, and every key is checked before it commits. */
#define MIGRATION_REBUILDS "-- migrate: rebuilds tables"

/* Fails (ERR_CONFLICT) when a foreign key points nowhere. */
static enum err
foreign_keys_check(struct db *db)
{
	struct db_stmt *st = db_prep(db, "PRAGMA foreign_key_check");
	enum err e = db_next(st);

	db_done(st);
	if (e == ERR_OK) {
		log_error(NULL, "db: a migration left a broken foreign key");
		return ERR_CONFLICT;
	}
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Applies one migration file in one transaction and records version. */
static enum err
lite_migration_apply(struct db *db, const char *name, const char *sql,
    int version)
{
	char pragma[64];
	int rebuilds = strncmp(sql, MIGRATION_REBUILDS,
	    strlen(MIGRATION_REBUILDS)) == 0;
	enum err e;

	if (rebuilds && (e = lite_exec(db, "PRAGMA foreign_keys=OFF")) !=
	    ERR_OK)
		return e;
	if ((e = lite_exec(db, "BEGIN IMMEDIATE")) != ERR_OK)
		goto out;
	/* The version is a constant we computed, not input. */
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", version);
	if ((e = lite_exec(db, sql)) != ERR_OK ||
	    (rebuilds && (e = foreign_keys_check(db)) != ERR_OK) ||
	    (e = lite_exec(db, pragma)) != ERR_OK) {
		log_error(NULL, "db: migration %s failed", name);
		lite_rollback(db);
		goto out;
	}
	e = lite_exec(db, "COMMIT");
out:
	if (rebuilds && lite_exec(db, "PRAGMA foreign_keys=ON") != ERR_OK &&
	    e == ERR_OK)
		e = ERR_INTERNAL;
	return e;
}

/* ---- backups ---------------------------------------------------------- */

/* Copies every page of src into dst with SQLite's online backup, which
 * reads one consistent snapshot while writers carry on (WAL). */
static enum err
backup_pages(sqlite3 *dst, sqlite3 *src)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc, tries = 0;

	if (b == NULL) {
		log_error(NULL, "db: backup: %s", sqlite3_errmsg(dst));
		return ERR_INTERNAL;
	}
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED)
		if (!busy_wait(NULL, tries++))
			break;
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		log_error(NULL, "db: backup: %s", sqlite3_errstr(rc));
		return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? ERR_BUSY :
		    ERR_INTERNAL;
	}
	return ERR_OK;
}

static enum err
lite_backup_to(struct db *db, const char *path)
{
	sqlite3 *dst = NULL;
	enum err e;

	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE, NULL) != SQLITE_OK) {
		log_error(NULL, "db: backup to %s: %s", path,
		    dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return ERR_INTERNAL;
	}
	e = backup_pages(dst, LDB(db)->conn);
	/* A backup is one self-contained file: no -wal beside it. */
	if (e == ERR_OK && sqlite3_exec(dst, "PRAGMA journal_mode=DELETE",
	    NULL, NULL, NULL) != SQLITE_OK)
		e = ERR_INTERNAL;
	if (sqlite3_close(dst) != SQLITE_OK)
		e = ERR_INTERNAL;
	return e;
}

enum err
db_check_file(const char *path, int *version)
{
	sqlite3 *c = NULL;
	sqlite3_stmt *st = NULL;
	enum err e = ERR_INVALID;

	*version = -1;
	if (access(path, R_OK) != 0)
		return ERR_NOTFOUND;
	/* Read-only: checking a backup must not change it. */
	if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0)
		e = ERR_OK;
	sqlite3_finalize(st);
	st = NULL;
	if (e == ERR_OK && (sqlite3_prepare_v2(c, "PRAGMA user_version", -1,
	    &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW))
		e = ERR_INVALID;
	if (e == ERR_OK)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
out:
	sqlite3_close(c);
	return e;
}

enum err
db_restore(const char *from, const char *to)
{
	sqlite3 *src = NULL, *dst = NULL;
	enum err e = ERR_INTERNAL;

	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		goto out;
	/* Every program keeps its connection open, and in WAL mode an open
	 * connection holds a shared lock on the file: an exclusive lock
	 * is had only when no program uses the database.  Exclusive locking
	 * mode keeps it until the copy is done. */
	sqlite3_busy_timeout(dst, 200);
	if (sqlite3_exec(dst, "PRAGMA locking_mode=EXCLUSIVE; "
	    "BEGIN EXCLUSIVE; COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		e = ERR_CONFLICT;
		goto out;
	}
	e = backup_pages(dst, src);
out:
	if (e == ERR_INTERNAL && (src == NULL || dst == NULL))
		log_error(NULL, "db: restore %s to %s: cannot open", from, to);
	sqlite3_close(src);
	sqlite3_close(dst);
	return e;
}

const struct db_ops db_sqlite_ops = {
	.kind = DB_SQLITE,
	.migrations = "",
	.open = lite_open,
	.close = lite_close,
	.prepare = lite_prepare,
	.finalize = lite_finalize,
	.bind_int64 = lite_bind_int64,
	.bind_textn = lite_bind_textn,
	.bind_null = lite_bind_null,
	.next = lite_next,
	.run = lite_run,
	.done = lite_done,
	.col_int64 = lite_col_int64,
	.col_is_null = lite_col_is_null,
	.col_text = lite_col_text,
	.col_bytes = lite_col_bytes,
	.col_count = lite_col_count,
	.col_name = lite_col_name,
	.exec = lite_exec,
	.begin = lite_begin,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.in_transaction = lite_in_transaction,
	.changes = lite_changes,
	.watch = lite_watch,
	.schema_version = lite_schema_version,
	.migration_apply = lite_migration_apply,
	.migration_lock = NULL,
	.backup_to = lite_backup_to,
};
