/* The database for the whole store, on either engine: ENROLL_DB names a
 * SQLite file (db_sqlite.c) or a PostgreSQL server (db_pg.c).  This file
 * holds what both share: choosing the engine, the statement cache keyed by
 * the address of the SQL literal (prepared once per worker, reused for
 * every request) and the migration driver.  No other file calls sqlite3_*
 * or PQ*. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_backend.h"
#include "embedded.h"
#include "log.h"

/* Returns 1 when target names a PostgreSQL server rather than a file. */
static int
is_postgres(const char *target)
{
	return strncmp(target, "postgresql://", 13) == 0 ||
	    strncmp(target, "postgres://", 11) == 0;
}

struct db *
db_open(const char *target)
{
	const struct db_ops *ops = is_postgres(target) ? &db_pg_ops :
	    &db_sqlite_ops;
	struct db *db = ops->open(target);

	if (db == NULL)
		return NULL;
	db->ops = ops;
	db->nslots = 64;
	if ((db->slots = calloc(db->nslots, sizeof(*db->slots))) == NULL) {
		ops->close(db);
		return NULL;
	}
	return db;
}

enum db_kind
db_kind(const struct db *db)
{
	return db->ops->kind;
}

int
db_target_is_postgres(const char *target)
{
	return target != NULL && is_postgres(target);
}

void
db_target_shown(const char *target, char *out, size_t size)
{
	const char *user = strstr(target, "://"), *at, *colon;

	if (!is_postgres(target) || user == NULL ||
	    (at = strchr(user + 3, '@')) == NULL ||
	    (colon = memchr(user + 3, ':', (size_t)(at - user - 3))) == NULL)
		snprintf(out, size, "%s", is_postgres(target) &&
		    strstr(target, "password=") != NULL ?
		    "the PostgreSQL database (its URL holds a password)" :
		    target);
	else
		snprintf(out, size, "%.*s***%s", (int)(colon + 1 - target),
		    target, at);
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nslots && db->slots != NULL; i++)
		if (db->slots[i].stmt != NULL)
			db->ops->finalize(db->slots[i].stmt);
	free(db->slots);
	db->slots = NULL;
	db->ops->close(db);
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
	struct db_stmt *st;
	size_t i;

	assert(db != NULL && sql != NULL);
	for (i = slot_of(db, sql); db->slots[i].sql != NULL;
	    i = (i + 1) & (db->nslots - 1))
		if (db->slots[i].sql == sql)
			return db->slots[i].stmt;
	if ((st = db->ops->prepare(db, sql)) == NULL)
		return NULL;
	if ((db->used + 1) * 2 > db->nslots && cache_grow(db) == -1) {
		db->ops->finalize(st);
		return NULL;
	}
	for (i = slot_of(db, sql); db->slots[i].sql != NULL;
	    i = (i + 1) & (db->nslots - 1))
		;
	db->slots[i].sql = sql;
	db->slots[i].stmt = st;
	db->used++;
	return st;
}

void
db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	if (st != NULL)
		st->ops->bind_int64(st, idx, v);
}

void
db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	if (st != NULL)
		st->ops->bind_textn(st, idx, s, strlen(s));
}

void
db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n)
{
	if (st != NULL)
		st->ops->bind_textn(st, idx, s, n);
}

void
db_bind_null(struct db_stmt *st, int idx)
{
	if (st != NULL)
		st->ops->bind_null(st, idx);
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
	if (st == NULL)
		return ERR_INTERNAL;	/* db_prep failed and logged */
	return st->ops->next(st);
}

enum err
db_run(struct db_stmt *st)
{
	if (st == NULL)
		return ERR_INTERNAL;	/* db_prep failed and logged */
	return st->ops->run(st);
}

void
db_done(struct db_stmt *st)
{
	if (st != NULL)
		st->ops->done(st);
}

int64_t
db_col_int64(struct db_stmt *st, int col)
{
	return st->ops->col_int64(st, col);
}

int
db_col_is_null(struct db_stmt *st, int col)
{
	return st->ops->col_is_null(st, col);
}

const char *
db_col_text(struct db_stmt *st, int col)
{
	return st->ops->col_text(st, col);
}

char *
db_col_text_dup(struct arena *a, struct db_stmt *st, int col)
{
	if (st->ops->col_is_null(st, col))
		return NULL;
	return arena_strndup(a, st->ops->col_text(st, col),
	    st->ops->col_bytes(st, col));
}

int
db_col_count(struct db_stmt *st)
{
	return st->ops->col_count(st);
}

const char *
db_col_name(struct db_stmt *st, int col)
{
	return st->ops->col_name(st, col);
}

enum err
db_exec(struct db *db, const char *sql)
{
	return db->ops->exec(db, sql);
}

enum err
db_begin(struct db *db)
{
	return db->ops->begin(db);
}

enum err
db_begin_read(struct db *db)
{
	return db->ops->exec(db, db->ops->kind == DB_POSTGRES ?
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
}

enum err
db_commit(struct db *db)
{
	return db->ops->commit(db);
}

void
db_rollback(struct db *db)
{
	db->ops->rollback(db);
}

int
db_changes(struct db *db)
{
	return db->ops->changes(db);
}

void
db_watch(struct db *db, db_watch_fn fn, void *arg)
{
	db->ops->watch(db, fn, arg);
}

int
db_schema_version(struct db *db)
{
	return db->ops->schema_version(db);
}

void
db_count_busy(struct db *db, uint64_t *counter)
{
	db->busy_count = counter;
}

enum err
db_backup_to(struct db *db, const char *path)
{
	return db->ops->backup_to(db, path);
}

/* ---- migrations ------------------------------------------------------- */

/* Migration files are named NNN_what.sql; NNN is the version they make.
 * Returns it for a file of the engine whose prefix is given, else 0
 * (seeds, and the other engine's files). */
static int
migration_number(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(name, prefix, n) != 0 || strchr(name + n, '/') != NULL)
		return 0;
	return atoi(name + n);
}

int
db_schema_latest(void)
{
	int latest = 0;

	for (size_t i = 0; i < embedded_sql_count; i++)
		if (migration_number(embedded_sql[i].name, "") > latest)
			latest = migration_number(embedded_sql[i].name, "");
	return latest;
}

static enum err
migrate_locked(struct db *db)
{
	const char *prefix = db->ops->migrations;
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
	for (size_t i = 0; i < embedded_sql_count; i++) {
		want = migration_number(embedded_sql[i].name, prefix);
		if (want <= 0 || want <= have)
			continue;
		if ((e = db->ops->migration_apply(db, embedded_sql[i].name,
		    embedded_sql[i].data, want)) != ERR_OK)
			return e;
		log_info(NULL, "db: migrated to %s", embedded_sql[i].name);
		have = want;
	}
	if (have != db_schema_latest()) {
		log_error(NULL, "db: this program has no %s migration past "
		    "version %d", db->ops->kind == DB_POSTGRES ? "PostgreSQL" :
		    "SQLite", have);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err
db_migrate(struct db *db)
{
	enum err e, u;

	if (db->ops->migration_lock == NULL)
		return migrate_locked(db);
	if ((e = db->ops->migration_lock(db, 1)) != ERR_OK)
		return e;
	e = migrate_locked(db);
	u = db->ops->migration_lock(db, 0);
	return e != ERR_OK ? e : u;
}
