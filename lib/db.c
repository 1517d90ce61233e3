/* SQLite access for the whole store: connection set-up, a statement cache
 * keyed by the address of the SQL literal (prepared once per worker, reused
 * for every request), error mapping, transactions and migrations.  No other
 * file calls sqlite3_*, so another backend would replace only this one. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Debian's SQLite is built with it; the declarations need the macro. */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>

#include "db.h"
#include "embedded.h"
#include "log.h"

struct cache_slot {
	const char *sql;	/* key: address of the literal, NULL if free */
	sqlite3_stmt *stmt;	/* prepared statement, owned by the cache */
};

struct db {
	sqlite3 *conn;		/* the connection */
	uint64_t *busy_count;	/* shared counter of busy waits, or NULL */
	struct cache_slot *slots;/* open-addressing table */
	size_t nslots;		/* power of two */
	size_t used;		/* occupied slots */
	db_watch_fn watch;	/* db_watch's callback, or NULL */
	void *watch_arg;	/* its argument */
};

/* A db_stmt is the sqlite3_stmt itself; the cast keeps sqlite3.h private. */
#define STMT(s) ((sqlite3_stmt *)(void *)(s))

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

struct db *
db_open(const char *path)
{
	struct db *db;
	int rc;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->nslots = 64;
	if ((db->slots = calloc(db->nslots, sizeof(*db->slots))) == NULL)
		goto fail;
	rc = sqlite3_open_v2(path, &db->conn, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error(NULL, "db: open %s: %s", path,
		    db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
		goto fail;
	}
	sqlite3_busy_handler(db->conn, busy_wait, db);
	sqlite3_extended_result_codes(db->conn, 1);
	/* WAL lets readers run beside the one writer; NORMAL is durable
	 * across process crashes, FULL also across power loss: we want
	 * payment records to survive both. */
	if (db_exec(db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA temp_store=MEMORY;") != ERR_OK)
		goto fail;
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nslots && db->slots != NULL; i++)
		sqlite3_finalize(db->slots[i].stmt);
	free(db->slots);
	sqlite3_close(db->conn);
	free(db);
}

static size_t
slot_of(const struct db *db, const char *sql)
{
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (db->nslots - 1);
}

static int
cache_grow(struct db *db)
{
	struct cache_slot *old = db->slots;
	size_t oldn = db->nslots, i, j;

	db->nslots *= 2;
	if ((db->slots = calloc(db->nslots, sizeof(*db->slots))) == NULL) {
		db->slots = old;
		db->nslots = oldn;
		return -1;
	}
	for (i = 0; i < oldn; i++) {
		if (old[i].sql == NULL)
			continue;
		for (j = slot_of(db, old[i].sql); db->slots[j].sql != NULL;
		    j = (j + 1) & (db->nslots - 1))
			;
		db->slots[j] = old[i];
	}
	free(old);
	return 0;
}

struct db_stmt *
db_prep(struct db *db, const char *sql)
{
	sqlite3_stmt *stmt;
	size_t i;

	assert(db != NULL && sql != NULL);
	for (i = slot_of(db, sql); db->slots[i].sql != NULL;
	    i = (i + 1) & (db->nslots - 1))
		if (db->slots[i].sql == sql)
			return (struct db_stmt *)(void *)db->slots[i].stmt;
	if (sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &stmt, NULL) != SQLITE_OK) {
		log_error(NULL, "db: prepare: %s: %s", sqlite3_errmsg(db->conn),
		    sql);
		return NULL;
	}
	if ((db->used + 1) * 2 > db->nslots && cache_grow(db) == -1) {
		sqlite3_finalize(stmt);
		return NULL;
	}
	for (i = slot_of(db, sql); db->slots[i].sql != NULL;
	    i = (i + 1) & (db->nslots - 1))
		;
	db->slots[i].sql = sql;
	db->slots[i].stmt = stmt;
	db->used++;
	return (struct db_stmt *)(void *)stmt;
}

void
db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	if (st != NULL)
		sqlite3_bind_int64(STMT(st), idx, v);
}

void
db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	if (st != NULL)
		sqlite3_bind_text(STMT(st), idx, s, -1, SQLITE_TRANSIENT);
}

void
db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n)
{
	if (st != NULL)
		sqlite3_bind_text64(STMT(st), idx, s, n, SQLITE_TRANSIENT,
		    SQLITE_UTF8);
}

void
db_bind_null(struct db_stmt *st, int idx)
{
	if (st != NULL)
		sqlite3_bind_null(STMT(st), idx);
}

void
db_bind_text_or_null(struct db_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		db_bind_null(st, idx);
	else
		db_bind_text(st, idx, s);
}

enum err
db_next(struct db_stmt *st)
{
	int rc;

	if (st == NULL)
		return ERR_INTERNAL;	/* db_prep failed and logged */
	rc = sqlite3_step(STMT(st));

	if (rc == SQLITE_ROW)
		return ERR_OK;
	if (rc == SQLITE_DONE)
		return ERR_NOTFOUND;
	return map_rc(sqlite3_db_handle(STMT(st)), rc, sqlite3_sql(STMT(st)));
}

enum err
db_run(struct db_stmt *st)
{
	int rc;
	enum err e;

	if (st == NULL)
		return ERR_INTERNAL;	/* db_prep failed and logged */
	while ((rc = sqlite3_step(STMT(st))) == SQLITE_ROW)
		;
	e = map_rc(sqlite3_db_handle(STMT(st)), rc, sqlite3_sql(STMT(st)));
	db_done(st);
	return e;
}

void
db_done(struct db_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(STMT(st));
	sqlite3_clear_bindings(STMT(st));
}

int64_t
db_col_int64(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(STMT(st), col);
}

int
db_col_is_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(STMT(st), col) == SQLITE_NULL;
}

const char *
db_col_text(struct db_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(STMT(st), col);

	return s != NULL ? (const char *)s : "";
}

char *
db_col_text_dup(struct arena *a, struct db_stmt *st, int col)
{
	const unsigned char *s;

	if (sqlite3_column_type(STMT(st), col) == SQLITE_NULL)
		return NULL;
	s = sqlite3_column_text(STMT(st), col);
	return arena_strndup(a, s != NULL ? (const char *)s : "",
	    (size_t)sqlite3_column_bytes(STMT(st), col));
}

enum err
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);
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

enum err
db_begin(struct db *db)
{
	return db_run(db_prep(db, "BEGIN IMMEDIATE"));
}

enum err
db_commit(struct db *db)
{
	enum err e = db_run(db_prep(db, "COMMIT"));

	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->conn))
		db_exec(db, "ROLLBACK");
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->conn);
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
	struct db *db = arg;
	sqlite3_value *o, *n;
	uint64_t changed = 0;
	int i, cols = sqlite3_preupdate_count(conn);

	if (op != SQLITE_UPDATE) {
		db->watch(db->watch_arg, table, op == SQLITE_INSERT ?
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
	db->watch(db->watch_arg, table, DB_UPDATE, changed);
}

void
db_watch(struct db *db, db_watch_fn fn, void *arg)
{
	db->watch = fn;
	db->watch_arg = arg;
	sqlite3_preupdate_hook(db->conn, fn != NULL ? preupdate : NULL, db);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->conn);
}

int
db_schema_version(struct db *db)
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

/* Migration files are named NNN_what.sql; NNN is the version they make. */
static int
migration_number(const char *name)
{
	return atoi(name);
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
migration_apply(struct db *db, const char *name, const char *sql,
    int version)
{
	char pragma[64];
	int rebuilds = strncmp(sql, MIGRATION_REBUILDS,
	    strlen(MIGRATION_REBUILDS)) == 0;
	enum err e;

	if (rebuilds && (e = db_exec(db, "PRAGMA foreign_keys=OFF")) != ERR_OK)
		return e;
	if ((e = db_exec(db, "BEGIN IMMEDIATE")) != ERR_OK)
		goto out;
	/* The version is a constant we computed, not input. */
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", version);
	if ((e = db_exec(db, sql)) != ERR_OK ||
	    (rebuilds && (e = foreign_keys_check(db)) != ERR_OK) ||
	    (e = db_exec(db, pragma)) != ERR_OK) {
		log_error(NULL, "db: migration %s failed", name);
		db_rollback(db);
		goto out;
	}
	e = db_exec(db, "COMMIT");
out:
	if (rebuilds && db_exec(db, "PRAGMA foreign_keys=ON") != ERR_OK &&
	    e == ERR_OK)
		e = ERR_INTERNAL;
	return e;
}

int
db_schema_latest(void)
{
	int latest = 0;

	for (size_t i = 0; i < embedded_sql_count; i++)
		if (migration_number(embedded_sql[i].name) > latest)
			latest = migration_number(embedded_sql[i].name);
	return latest;
}

enum err
db_migrate(struct db *db)
{
	size_t i;
	int have, want;
	enum err e;

	if ((have = db_schema_version(db)) < 0)
		return ERR_INTERNAL;
	/* A newer program migrated it: going on could lose what it keeps. */
	if (have > db_schema_latest()) {
		log_error(NULL, "db: the database's schema (version %d) is newer "
		    "than this program knows (%d); run the newer program",
		    have, db_schema_latest());
		return ERR_CONFLICT;
	}
	for (i = 0; i < embedded_sql_count; i++) {
		want = migration_number(embedded_sql[i].name);
		if (want <= 0 || want <= have)	/* seeds are not numbered */
			continue;
		if ((e = migration_apply(db, embedded_sql[i].name,
		    embedded_sql[i].data, want)) != ERR_OK)
			return e;
		log_info(NULL, "db: migrated to %s", embedded_sql[i].name);
		have = want;
	}
	return ERR_OK;
}

void
db_count_busy(struct db *db, uint64_t *counter)
{
	db->busy_count = counter;
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

enum err
db_backup_to(struct db *db, const char *path)
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
	e = backup_pages(dst, db->conn);
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
