/* A store's tables, columns, keys and triggers from the engine's catalog,
 * for copy-db.  Each query has its SQLite and its PostgreSQL form side by
 * side (the catalogs differ; what they answer is the same). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy_db_catalog.h"
#include "db.h"
#include "db_rows.h"

/* Returns 1 when s is a plain SQL identifier: copy-db quotes the names it
 * puts into SQL text, and refuses any other. */
static int
plain_identifier(const char *s)
{
	if (s == NULL || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_'))
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static enum err
row_name(struct arena *a, struct db_stmt *st, void *elem)
{
	const char **name = elem;

	*name = db_col_text_dup(a, st, 0);
	return *name != NULL ? ERR_OK : ERR_INTERNAL;
}

static enum err
row_column(struct arena *a, struct db_stmt *st, void *elem)
{
	struct copy_column *c = elem;

	c->name = db_col_text_dup(a, st, 0);
	c->integer = db_col_int64(st, 1) != 0;
	c->identity = db_col_int64(st, 2) != 0;
	return c->name != NULL ? ERR_OK : ERR_INTERNAL;
}

static enum err
row_trigger(struct arena *a, struct db_stmt *st, void *elem)
{
	struct copy_trigger *t = elem;

	t->name = db_col_text_dup(a, st, 0);
	t->sql = db_col_text_dup(a, st, 1);
	return t->name != NULL && t->sql != NULL ? ERR_OK : ERR_INTERNAL;
}

/* Runs st with table bound as ?1 (when not NULL) into an array. */
static enum err
rows_of(struct db_stmt *st, const char *table, struct arena *a,
    db_row_fn *row, size_t size, void *out, size_t *n)
{
	if (table != NULL)
		db_bind_text(st, 1, table);
	return db_rows(st, a, row, size, (void **)out, n);
}

static enum err
read_tables(struct db *db, struct arena *a, struct copy_catalog *cat)
{
	const char **names;
	size_t n;
	enum err e;

	if (db_kind(db) == DB_POSTGRES)
		e = rows_of(db_prep(db, "SELECT table_name FROM "
		    "information_schema.tables WHERE table_schema = "
		    "current_schema() AND table_type = 'BASE TABLE' AND "
		    "table_name <> 'schema_migrations'"), NULL, a, row_name,
		    sizeof(*names), &names, &n);
	else	/* FTS5 tables and their shadow tables are an index */
		e = rows_of(db_prep(db, "SELECT t.name FROM sqlite_master t "
		    "WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' "
		    "ESCAPE '\\' AND t.sql NOT LIKE 'CREATE VIRTUAL TABLE%' "
		    "AND NOT EXISTS (SELECT 1 FROM sqlite_master v "
		    "WHERE v.type = 'table' AND v.sql LIKE "
		    "'CREATE VIRTUAL TABLE%' AND t.name LIKE v.name || '\\_%' "
		    "ESCAPE '\\')"), NULL, a, row_name, sizeof(*names), &names,
		    &n);
	if (e != ERR_OK)
		return e;
	if ((cat->tables = arena_alloc(a, (n + 1) * sizeof(*cat->tables))) ==
	    NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		cat->tables[i].name = names[i];
	cat->ntables = n;
	return ERR_OK;
}

static enum err
read_table(struct db *db, struct arena *a, struct copy_table *t)
{
	int pg = db_kind(db) == DB_POSTGRES;
	enum err e;

	e = rows_of(pg ? db_prep(db, "SELECT column_name, "
	    "CASE WHEN data_type IN ('bigint', 'integer', 'smallint') "
	    "THEN 1 ELSE 0 END, CASE WHEN is_identity = 'YES' THEN 1 ELSE 0 "
	    "END FROM information_schema.columns WHERE table_schema = "
	    "current_schema() AND table_name = ?1 AND is_generated = 'NEVER' "
	    "ORDER BY ordinal_position") :
	    db_prep(db, "SELECT name, CASE WHEN upper(type) LIKE '%INT%' "
	    "THEN 1 ELSE 0 END, 0 FROM pragma_table_info(?1) ORDER BY cid"),
	    t->name, a, row_column, sizeof(*t->cols), &t->cols, &t->ncols);
	if (e == ERR_OK)
		e = rows_of(pg ? db_prep(db, "SELECT k.column_name FROM "
		    "information_schema.table_constraints c JOIN "
		    "information_schema.key_column_usage k ON "
		    "k.constraint_name = c.constraint_name AND "
		    "k.table_schema = c.table_schema AND k.table_name = "
		    "c.table_name WHERE c.constraint_type = 'PRIMARY KEY' AND "
		    "c.table_schema = current_schema() AND c.table_name = ?1 "
		    "ORDER BY k.ordinal_position") :
		    db_prep(db, "SELECT name FROM pragma_table_info(?1) "
		    "WHERE pk > 0 ORDER BY pk"),
		    t->name, a, row_name, sizeof(*t->pk), &t->pk, &t->npk);
	if (e == ERR_OK)
		e = rows_of(pg ? db_prep(db, "SELECT DISTINCT p.relname FROM "
		    "pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
		    "JOIN pg_class p ON p.oid = c.confrelid WHERE c.contype = "
		    "'f' AND t.relname = ?1 AND t.relnamespace = "
		    "current_schema()::regnamespace AND p.oid <> t.oid") :
		    db_prep(db, "SELECT DISTINCT \"table\" FROM "
		    "pragma_foreign_key_list(?1) WHERE \"table\" <> ?1"),
		    t->name, a, row_name, sizeof(*t->parents), &t->parents,
		    &t->nparents);
	return e;
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(((const struct copy_table *)x)->name,
	    ((const struct copy_table *)y)->name);
}

/* Checks that every name copy-db will write into SQL is plain. */
static enum err
check_names(const struct copy_catalog *cat, char *why, size_t whysize)
{
	for (size_t i = 0; i < cat->ntables; i++) {
		const struct copy_table *t = &cat->tables[i];
		const char *bad = plain_identifier(t->name) ? NULL : t->name;

		for (size_t j = 0; bad == NULL && j < t->ncols; j++)
			if (!plain_identifier(t->cols[j].name))
				bad = t->cols[j].name;
		if (bad != NULL) {
			snprintf(why, whysize, "the name \"%s\" in table %s is "
			    "not a plain SQL name; copy-db copies only the "
			    "store's own tables", bad, t->name);
			return ERR_INVALID;
		}
	}
	for (size_t i = 0; i < cat->nfts + cat->ntriggers; i++) {
		const char *name = i < cat->nfts ? cat->fts[i] :
		    cat->triggers[i - cat->nfts].name;

		if (!plain_identifier(name)) {
			snprintf(why, whysize, "the index or trigger \"%s\" is "
			    "not a plain SQL name", name);
			return ERR_INVALID;
		}
	}
	return ERR_OK;
}

enum err
copy_catalog_read(struct db *db, struct arena *a, struct copy_catalog *cat,
    char *why, size_t whysize)
{
	enum err e;

	memset(cat, 0, sizeof(*cat));
	if ((e = read_tables(db, a, cat)) != ERR_OK)
		return e;
	qsort(cat->tables, cat->ntables, sizeof(*cat->tables), by_name);
	for (size_t i = 0; i < cat->ntables; i++)
		if ((e = read_table(db, a, &cat->tables[i])) != ERR_OK)
			return e;
	if (db_kind(db) == DB_SQLITE &&
	    ((e = rows_of(db_prep(db, "SELECT name, sql FROM sqlite_master "
	    "WHERE type = 'trigger' AND sql IS NOT NULL ORDER BY name"), NULL,
	    a, row_trigger, sizeof(*cat->triggers), &cat->triggers,
	    &cat->ntriggers)) != ERR_OK ||
	    (e = rows_of(db_prep(db, "SELECT name FROM sqlite_master WHERE "
	    "type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%content=%' "
	    "AND sql NOT LIKE '%content=''''%' ORDER BY name"), NULL, a,
	    row_name, sizeof(*cat->fts), &cat->fts, &cat->nfts)) != ERR_OK))
		return e;
	return check_names(cat, why, whysize);
}

const struct copy_table *
copy_catalog_table(const struct copy_catalog *cat, const char *name)
{
	struct copy_table key = { .name = name };

	return bsearch(&key, cat->tables, cat->ntables, sizeof(key), by_name);
}

/* Returns 1 when every parent of t that is one of cat's tables is done. */
static int
parents_done(const struct copy_catalog *cat, const struct copy_table *t,
    const unsigned char *done)
{
	const struct copy_table *p;

	for (size_t i = 0; i < t->nparents; i++)
		if ((p = copy_catalog_table(cat, t->parents[i])) != NULL &&
		    !done[p - cat->tables])
			return 0;
	return 1;
}

enum err
copy_catalog_order(const struct copy_catalog *cat, struct arena *a,
    const struct copy_table ***order, char *why, size_t whysize)
{
	unsigned char *done = arena_alloc(a, cat->ntables + 1);
	size_t n = 0, i;
	int progress = 1;

	*order = arena_alloc(a, (cat->ntables + 1) * sizeof(**order));
	if (done == NULL || *order == NULL)
		return ERR_INTERNAL;
	/* Rounds by name: each takes every table whose parents are in. */
	while (n < cat->ntables && progress) {
		progress = 0;
		for (i = 0; i < cat->ntables; i++)
			if (!done[i] && parents_done(cat, &cat->tables[i],
			    done)) {
				done[i] = 1;
				(*order)[n++] = &cat->tables[i];
				progress = 1;
			}
	}
	if (n == cat->ntables)
		return ERR_OK;
	for (i = 0; done[i]; i++)
		;
	snprintf(why, whysize, "the foreign keys of table %s and others form "
	    "a cycle: no order copies parents first", cat->tables[i].name);
	return ERR_INVALID;
}
