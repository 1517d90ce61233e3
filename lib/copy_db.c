/* copy-db: a whole store into an empty one, on either engine.
 *
 * The only SQL of the store built at run time: the tables and columns
 * are the engines' own catalogs' (copy_db_catalog.c, plain names only,
 * quoted here), never input.  Each text lives in the caller's arena for
 * as long as the connections, as db_prep's cache keys must.
 *
 * Rows are read and written as text or NULL; the target's column types
 * convert them.  The target's triggers (lesson counts on the course row,
 * stale rendered text, SQLite's FTS5 index) would change the rows being
 * copied, so they are set aside inside the transaction: disabled on
 * PostgreSQL, dropped and created again from their own text on SQLite
 * (DDL is transactional on both), and the FTS5 index rebuilt from the
 * copied courses.  PostgreSQL's identity sequences then start past the
 * copied ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy_db.h"
#include "copy_db_catalog.h"
#include "db.h"

/* Tables a freshly set-up store already fills (sql/001's secret, and the
 * install id and report state of `enrollctl migrate`): the source's rows
 * replace theirs.  Rows in any other table mean the target holds data. */
static const char *const setup_tables[] = { "settings", "report_state" };

static int
is_setup_table(const char *name)
{
	for (size_t i = 0; i < sizeof(setup_tables) / sizeof(*setup_tables);
	    i++)
		if (strcmp(name, setup_tables[i]) == 0)
			return 1;
	return 0;
}

/* Money: an integer column named amount or ending in _amount. */
static int
is_money(const struct copy_column *c)
{
	size_t n = strlen(c->name);

	return c->integer && (strcmp(c->name, "amount") == 0 ||
	    (n > 7 && strcmp(c->name + n - 7, "_amount") == 0));
}

/* "SELECT count(*), coalesce(sum("m1"), 0), ... FROM "t"": the row count
 * and each money column's sum (as text: PostgreSQL's sum is numeric). */
static const char *
check_sql(struct arena *a, const struct copy_table *t)
{
	char *sql = arena_strdup(a, "SELECT count(*)");

	for (size_t i = 0; sql != NULL && i < t->ncols; i++)
		if (is_money(&t->cols[i]))
			sql = arena_printf(a, "%s, coalesce(sum(\"%s\"), 0)",
			    sql, t->cols[i].name);
	return sql != NULL ? arena_printf(a, "%s FROM \"%s\"", sql, t->name) :
	    NULL;
}

/* "\"c1\", \"c2\", ..." of t's columns, or with prefix/suffix per column. */
static char *
column_list(struct arena *a, const struct copy_table *t, int params)
{
	char *s = arena_strdup(a, "");

	for (size_t i = 0; s != NULL && i < t->ncols; i++)
		s = params ? arena_printf(a, "%s%s?%zu", s, i ? ", " : "",
		    i + 1) : arena_printf(a, "%s%s\"%s\"", s, i ? ", " : "",
		    t->cols[i].name);
	return s;
}

/* The count and sums of t on db, into vals (1 + money columns texts). */
static enum err
table_figures(struct db *db, const char *sql, struct arena *a,
    char **vals, int n)
{
	struct db_stmt *st = db_prep(db, sql);
	enum err e;

	if ((e = db_next(st)) == ERR_OK)
		for (int i = 0; i < n; i++)
			if ((vals[i] = db_col_text_dup(a, st, i)) == NULL)
				e = ERR_INTERNAL;
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

/* Sets why to the first table of the target's catalog with rows that no
 * set-up made: ERR_CONFLICT. */
static enum err
holds_data(struct db *to, struct arena *a, const struct copy_catalog *cat,
    char *why, size_t whysize)
{
	const char *sql;
	char *count;
	enum err e;

	for (size_t i = 0; i < cat->ntables; i++) {
		if (is_setup_table(cat->tables[i].name))
			continue;
		if ((sql = arena_printf(a, "SELECT count(*) FROM \"%s\"",
		    cat->tables[i].name)) == NULL)
			return ERR_INTERNAL;
		if ((e = table_figures(to, sql, a, &count, 1)) != ERR_OK)
			return e;
		if (strcmp(count, "0") != 0) {
			snprintf(why, whysize, "the target already holds data "
			    "(%s: %s rows); copy-db fills only a new, empty "
			    "store", cat->tables[i].name, count);
			return ERR_CONFLICT;
		}
	}
	return ERR_OK;
}

/* Refuses a source at another schema version, and a target newer than
 * this program or holding data; migrates an older empty target. */
static enum err
check_stores(struct db *from, struct db *to, struct arena *a, char *why,
    size_t whysize)
{
	struct copy_catalog cat;
	int have = db_schema_version(from), want = db_schema_latest();
	enum err e;

	if (have != want) {
		snprintf(why, whysize, have < 0 ? "the source's schema version "
		    "cannot be read" : have > want ? "the source has schema "
		    "version %d, newer than this enrollctl knows (%d): use the "
		    "newer enroll" : "the source has schema version %d and "
		    "copy-db needs %d: run 'enrollctl migrate' on it first",
		    have, want);
		return ERR_INVALID;
	}
	if ((have = db_schema_version(to)) < 0 || have > want) {
		snprintf(why, whysize, have < 0 ? "the target's schema version "
		    "cannot be read" : "the target has schema version %d, "
		    "newer than this enrollctl knows (%d)", have, want);
		return ERR_INVALID;
	}
	if ((e = copy_catalog_read(to, a, &cat, why, whysize)) != ERR_OK ||
	    (e = holds_data(to, a, &cat, why, whysize)) != ERR_OK)
		return e;
	if (have < want && (e = db_migrate(to)) != ERR_OK) {
		snprintf(why, whysize, "migrating the target failed");
		return e;
	}
	return ERR_OK;
}

/* Refuses two stores whose tables or columns differ. */
static enum err
same_tables(const struct copy_catalog *src, const struct copy_catalog *dst,
    char *why, size_t whysize)
{
	const struct copy_table *t, *s;

	for (size_t i = 0; i < src->ntables; i++)
		if (copy_catalog_table(dst, src->tables[i].name) == NULL) {
			snprintf(why, whysize, "table %s is in the source but "
			    "not in the target", src->tables[i].name);
			return ERR_INVALID;
		}
	for (size_t i = 0; i < dst->ntables; i++) {
		t = &dst->tables[i];
		if ((s = copy_catalog_table(src, t->name)) == NULL) {
			snprintf(why, whysize, "table %s is in the target but "
			    "not in the source", t->name);
			return ERR_INVALID;
		}
		for (size_t j = 0; j < t->ncols; j++) {
			size_t k;

			for (k = 0; k < s->ncols &&
			    strcmp(s->cols[k].name, t->cols[j].name) != 0; k++)
				;
			if (k == s->ncols) {
				snprintf(why, whysize, "column %s.%s is in the "
				    "target but not in the source", t->name,
				    t->cols[j].name);
				return ERR_INVALID;
			}
		}
	}
	return ERR_OK;
}

/* Copies every row of t (the target's table; src the source's, for its
 * key order, which is also id order for a table naming itself). */
static enum err
copy_rows(struct db *from, struct db *to, struct arena *a,
    const struct copy_table *t, const struct copy_table *src)
{
	char *cols = column_list(a, t, 0), *order = arena_strdup(a, "");
	const char *select, *insert;
	struct db_stmt *in, *out;
	enum err e;

	for (size_t i = 0; order != NULL && i < src->npk; i++)
		order = arena_printf(a, "%s%s\"%s\"", order, i ? ", " :
		    " ORDER BY ", src->pk[i]);
	if (cols == NULL || order == NULL ||
	    (select = arena_printf(a, "SELECT %s FROM \"%s\"%s", cols,
	    t->name, order)) == NULL ||
	    (insert = arena_printf(a, "INSERT INTO \"%s\" (%s) VALUES (%s)",
	    t->name, cols, column_list(a, t, 1))) == NULL)
		return ERR_INTERNAL;
	in = db_prep(from, select);
	out = db_prep(to, insert);
	while ((e = db_next(in)) == ERR_OK) {
		for (size_t i = 0; i < t->ncols; i++)
			if (db_col_is_null(in, (int)i))
				db_bind_null(out, (int)i + 1);
			else
				db_bind_text(out, (int)i + 1,
				    db_col_text(in, (int)i));
		if ((e = db_run(out)) != ERR_OK)
			break;
	}
	db_done(in);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Sets the target's triggers aside (on 0) or back (on 1); see the top. */
static enum err
triggers(struct db *to, struct arena *a, const struct copy_catalog *cat,
    int on)
{
	const char *sql;
	enum err e = ERR_OK;

	if (db_kind(to) == DB_POSTGRES) {
		for (size_t i = 0; e == ERR_OK && i < cat->ntables; i++)
			e = (sql = arena_printf(a, "ALTER TABLE \"%s\" %s "
			    "TRIGGER USER", cat->tables[i].name, on ? "ENABLE" :
			    "DISABLE")) != NULL ? db_exec(to, sql) : ERR_INTERNAL;
		return e;
	}
	for (size_t i = 0; e == ERR_OK && i < cat->ntriggers; i++)
		e = on ? db_exec(to, cat->triggers[i].sql) :
		    (sql = arena_printf(a, "DROP TRIGGER \"%s\"",
		    cat->triggers[i].name)) != NULL ? db_exec(to, sql) :
		    ERR_INTERNAL;
	for (size_t i = 0; on && e == ERR_OK && i < cat->nfts; i++)
		e = (sql = arena_printf(a, "INSERT INTO \"%s\" (\"%s\") "
		    "VALUES ('rebuild')", cat->fts[i], cat->fts[i])) != NULL ?
		    db_exec(to, sql) : ERR_INTERNAL;
	return e;
}

/* PostgreSQL: each identity column's sequence goes on past the copied
 * values, so the next insert does not collide. */
static enum err
identities(struct db *to, struct arena *a, const struct copy_catalog *cat)
{
	const struct copy_table *t;
	struct db_stmt *st;
	const char *sql;
	enum err e;

	if (db_kind(to) != DB_POSTGRES)
		return ERR_OK;
	for (size_t i = 0; i < cat->ntables; i++) {
		t = &cat->tables[i];
		for (size_t j = 0; j < t->ncols; j++) {
			if (!t->cols[j].identity)
				continue;
			if ((sql = arena_printf(a, "SELECT setval("
			    "pg_get_serial_sequence(?1, ?2), coalesce(max(\"%s\"), "
			    "0) + 1, false) FROM \"%s\"", t->cols[j].name,
			    t->name)) == NULL)
				return ERR_INTERNAL;
			st = db_prep(to, sql);
			db_bind_text(st, 1, t->name);
			db_bind_text(st, 2, t->cols[j].name);
			e = db_next(st);
			db_done(st);
			if (e != ERR_OK)
				return e;
		}
	}
	return ERR_OK;
}

/* Compares t's row count and money sums on both sides; reports it. */
static enum err
check_table(struct db *from, struct db *to, struct arena *a,
    const struct copy_table *t, copy_db_table_fn *on_table, void *arg,
    struct copy_db_total *total, char *why, size_t whysize)
{
	const char *sql = check_sql(a, t);
	char *src[t->ncols + 1], *dst[t->ncols + 1];
	int n = 1, col = 0;
	enum err e;

	for (size_t i = 0; i < t->ncols; i++)
		n += is_money(&t->cols[i]);
	if (sql == NULL)
		return ERR_INTERNAL;
	if ((e = table_figures(from, sql, a, src, n)) != ERR_OK ||
	    (e = table_figures(to, sql, a, dst, n)) != ERR_OK)
		return e;
	if (strcmp(src[0], dst[0]) != 0) {
		snprintf(why, whysize, "table %s has %s rows in the source but "
		    "%s in the copy", t->name, src[0], dst[0]);
		return ERR_INVALID;
	}
	for (int i = 1; i < n; i++) {
		while (!is_money(&t->cols[col]))
			col++;
		if (strcmp(src[i], dst[i]) != 0) {
			snprintf(why, whysize, "table %s, column %s: the "
			    "amounts sum to %s in the source but %s in the copy",
			    t->name, t->cols[col].name, src[i], dst[i]);
			return ERR_INVALID;
		}
		col++;
	}
	total->tables++;
	total->rows += strtoll(dst[0], NULL, 10);
	if (on_table != NULL)
		on_table(arg, t->name, strtoll(dst[0], NULL, 10), n - 1);
	return ERR_OK;
}

/* Within the target's transaction: the set-up rows out, every table in
 * parents-first order, triggers back, sequences on, then the checks. */
static enum err
fill(struct db *from, struct db *to, struct arena *a,
    const struct copy_catalog *src, const struct copy_catalog *dst,
    copy_db_table_fn *on_table, void *arg, struct copy_db_total *total,
    char *why, size_t whysize)
{
	const struct copy_table **order;
	const char *sql;
	enum err e;

	if ((e = copy_catalog_order(src, a, &order, why, whysize)) != ERR_OK)
		return e;
	for (size_t i = 0; i < dst->ntables; i++)
		if (is_setup_table(dst->tables[i].name) &&
		    ((sql = arena_printf(a, "DELETE FROM \"%s\"",
		    dst->tables[i].name)) == NULL ||
		    (e = db_run(db_prep(to, sql))) != ERR_OK))
			return sql == NULL ? ERR_INTERNAL : e;
	if ((e = triggers(to, a, dst, 0)) != ERR_OK)
		return e;
	for (size_t i = 0; i < src->ntables; i++)
		if ((e = copy_rows(from, to, a, copy_catalog_table(dst,
		    order[i]->name), order[i])) != ERR_OK) {
			snprintf(why, whysize, "a row of table %s could not be "
			    "written to the target (%s; the log above says "
			    "why)", order[i]->name, err_str(e));
			return e;
		}
	if ((e = triggers(to, a, dst, 1)) != ERR_OK ||
	    (e = identities(to, a, dst)) != ERR_OK)
		return e;
	for (size_t i = 0; i < dst->ntables; i++)
		if ((e = check_table(from, to, a, &dst->tables[i], on_table,
		    arg, total, why, whysize)) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
copy_db(struct db *from, struct db *to, struct arena *a,
    copy_db_table_fn *on_table, void *arg, struct copy_db_total *total,
    char *why, size_t whysize)
{
	struct copy_catalog src, dst;
	enum err e;

	memset(total, 0, sizeof(*total));
	why[0] = '\0';
	if ((e = check_stores(from, to, a, why, whysize)) != ERR_OK ||
	    (e = copy_catalog_read(from, a, &src, why, whysize)) != ERR_OK ||
	    (e = copy_catalog_read(to, a, &dst, why, whysize)) != ERR_OK ||
	    (e = same_tables(&src, &dst, why, whysize)) != ERR_OK)
		goto out;
	/* One snapshot of the source: every table as of one moment. */
	if ((e = db_begin_read(from)) != ERR_OK)
		goto out;
	/* Writers take turns on the target as everywhere (db_begin); the
	 * copy is one transaction. */
	if ((e = db_begin(to)) != ERR_OK)
		goto out;
	if ((e = fill(from, to, a, &src, &dst, on_table, arg, total, why,
	    whysize)) == ERR_OK)
		e = db_commit(to);
out:
	db_rollback(to);
	db_rollback(from);
	if (e != ERR_OK) {
		memset(total, 0, sizeof(*total));
		if (why[0] == '\0')
			snprintf(why, whysize, "a statement failed (%s; the "
			    "log above says which)", err_str(e));
	}
	return e;
}
