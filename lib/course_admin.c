/* The admin's courses (see course_admin.h).  The list is one statement
 * per sort, with or without a title search, each a keyset page: the
 * previous page's last id names the row to continue after.  Changes run
 * in one BEGIN IMMEDIATE transaction (db_begin: SQLite's single writer
 * orders them) holding the change and its audit row. */
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "catalog.h"
#include "content.h"
#include "course_admin.h"
#include "db.h"

static const char *const sort_names[COURSE_SORT_MAX] = {
	[COURSE_SORT_TITLE] = "title",
	[COURSE_SORT_NEWEST] = "newest",
	[COURSE_SORT_PRICE] = "price",
};

enum course_sort
course_sort_of(const char *name)
{
	for (int s = 0; name != NULL && s < COURSE_SORT_MAX; s++)
		if (strcmp(name, sort_names[s]) == 0)
			return (enum course_sort)s;
	return COURSE_SORT_MAX;
}

const char *
course_sort_name(enum course_sort s)
{
	return (unsigned)s < COURSE_SORT_MAX ? sort_names[s] : "title";
}

int
course_level_valid(const char *name)
{
	return name != NULL && (strcmp(name, "beginner") == 0 ||
	    strcmp(name, "intermediate") == 0 ||
	    strcmp(name, "advanced") == 0);
}

#define CA_COLS "SELECT c.id, c.title, c.slug, c.summary, c.description, " \
	"c.course_type, c.level, c.instructor, c.price_amount, c.currency, " \
	"c.is_active, coalesce(c.access_days, 0), coalesce(c.cover, ''), " \
	"c.cover_alt, c.lesson_count, (SELECT count(*) FROM order_items oi " \
	"WHERE oi.course_id = c.id), (SELECT count(*) FROM enrollments en " \
	"WHERE en.course_id = c.id) FROM courses c "
/* ?1 type or NULL, ?2 active (-1 either), ?3 title words
 * (catalog_fts_query's form for the engine), ?4 and ?5 the slug range
 * ('' and '~' without a search), ?6 the last id seen, ?7 the page size
 * plus one.  CAST tells PostgreSQL the type of a parameter first met
 * in an IS NULL. */
#define CA_WHERE "WHERE (CAST(?1 AS TEXT) IS NULL OR c.course_type = ?1) " \
	"AND (?2 < 0 OR c.is_active = ?2) "
/* A title search: the FTS5 table on SQLite, the GIN index
 * courses_title_search on PostgreSQL (sql/pg/001_catalog.sql). */
#define CA_FTS "AND (c.id IN (SELECT rowid FROM courses_fts WHERE " \
	"courses_fts MATCH ?3) OR (c.slug >= ?4 AND c.slug < ?5)) "
#define CA_FTS_PG "AND (c.id IN (SELECT id FROM courses WHERE " \
	"to_tsvector('simple', title) @@ to_tsquery('simple', ?3)) OR " \
	"(c.slug >= ?4 AND c.slug < ?5)) "
/* Without a search ?4 is '': the OR keeps the planner off the slug index,
 * so it walks the sort's own index and stops after a page. */
#define CA_SLUG "AND CAST(?3 AS TEXT) IS NULL AND (?4 = '' OR " \
	"(c.slug >= ?4 AND c.slug < ?5)) "
#define CA_BY_TITLE "AND (?6 = 0 OR (c.title, c.id) > (SELECT title, id " \
	"FROM courses WHERE id = ?6)) ORDER BY c.title, c.id LIMIT ?7"
#define CA_BY_NEWEST "AND (?6 = 0 OR c.id < ?6) ORDER BY c.id DESC LIMIT ?7"
#define CA_BY_PRICE "AND (?6 = 0 OR (c.price_amount, c.id) > (SELECT " \
	"price_amount, id FROM courses WHERE id = ?6)) " \
	"ORDER BY c.price_amount, c.id LIMIT ?7"

/* By sort, then: no search, a search on SQLite, one on PostgreSQL. */
enum ca_way { CA_ALL, CA_SEARCH, CA_SEARCH_PG, CA_WAY_MAX };
#define CA_SORT(by) { CA_COLS CA_WHERE CA_SLUG by, \
	CA_COLS CA_WHERE CA_FTS by, CA_COLS CA_WHERE CA_FTS_PG by }
static const char *const list_sql[COURSE_SORT_MAX][CA_WAY_MAX] = {
	[COURSE_SORT_TITLE] = CA_SORT(CA_BY_TITLE),
	[COURSE_SORT_NEWEST] = CA_SORT(CA_BY_NEWEST),
	[COURSE_SORT_PRICE] = CA_SORT(CA_BY_PRICE),
};

static const char *const get_sql = CA_COLS "WHERE c.id = ?1";

/* Copies the CA_COLS of the current row into *c (arena strings). */
static enum err
course_from_row(struct arena *a, struct db_stmt *st, struct course_admin *c)
{
	c->id = db_col_int64(st, 0);
	c->f.title = db_col_text_dup(a, st, 1);
	c->f.slug = db_col_text_dup(a, st, 2);
	c->f.summary = db_col_text_dup(a, st, 3);
	c->f.description = db_col_text_dup(a, st, 4);
	c->f.type = db_col_text_dup(a, st, 5);
	c->f.level = db_col_text_dup(a, st, 6);
	c->f.instructor = db_col_text_dup(a, st, 7);
	c->f.price_amount = db_col_int64(st, 8);
	c->f.currency = db_col_text_dup(a, st, 9);
	c->f.is_active = db_col_int64(st, 10) != 0;
	c->f.access_days = db_col_int64(st, 11);
	c->cover = db_col_text_dup(a, st, 12);
	c->cover_alt = db_col_text_dup(a, st, 13);
	c->lesson_count = db_col_int64(st, 14);
	c->orders = db_col_int64(st, 15);
	c->enrollments = db_col_int64(st, 16);
	return c->f.title && c->f.slug && c->f.summary && c->f.description &&
	    c->f.type && c->f.level && c->f.instructor && c->f.currency &&
	    c->cover && c->cover_alt ? ERR_OK : ERR_INTERNAL;
}

enum err
course_admin_list(struct db *db, struct arena *a,
    const struct course_admin_query *q, struct course_admin **out,
    size_t *n, int *more)
{
	const char *fts = NULL, *lo = "", *hi = "~";
	struct course_admin *v;
	struct db_stmt *st;
	enum err e;

	*n = 0;
	*more = 0;
	if ((v = *out = arena_alloc(a, COURSE_ADMIN_PAGE * sizeof(*v))) ==
	    NULL)
		return ERR_INTERNAL;
	if (q->search != NULL && *q->search != '\0') {
		fts = catalog_fts_query(a, q->search, db_kind(db));
		lo = q->search;
		if ((hi = arena_printf(a, "%s~", q->search)) == NULL)
			return ERR_INTERNAL;
	}
	st = db_prep(db, list_sql[(unsigned)q->sort < COURSE_SORT_MAX ?
	    q->sort : COURSE_SORT_TITLE][fts == NULL ? CA_ALL :
	    db_kind(db) == DB_POSTGRES ? CA_SEARCH_PG : CA_SEARCH]);
	db_bind_text_or_null(st, 1, q->type);
	db_bind_int64(st, 2, q->active);
	db_bind_text_or_null(st, 3, fts);
	db_bind_text(st, 4, lo);
	db_bind_text(st, 5, hi);
	db_bind_int64(st, 6, q->after);
	db_bind_int64(st, 7, COURSE_ADMIN_PAGE + 1);
	while ((e = db_next(st)) == ERR_OK) {
		if (*n == COURSE_ADMIN_PAGE) {
			*more = 1;
			continue;
		}
		if ((e = course_from_row(a, st, &v[*n])) != ERR_OK)
			break;
		(*n)++;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
course_admin_get(struct db *db, struct arena *a, int64_t id,
    struct course_admin *c)
{
	struct db_stmt *st = db_prep(db, get_sql);
	enum err e;

	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		e = course_from_row(a, st, c);
	db_done(st);
	return e;
}

/* Reads course id into *c (strings in a) and its audit fields as stored
 * into *json (NULL on error; the caller frees it with cJSON_Delete), so
 * a change reads once what it checks and what its audit row keeps. */
static enum err
course_read(struct db *db, struct arena *a, int64_t id,
    struct course_admin *c, cJSON **json)
{
	enum err e;

	*json = NULL;
	if ((e = course_admin_get(db, a, id, c)) != ERR_OK)
		return e;
	if ((*json = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddStringToObject(*json, "title", c->f.title) ||
	    !cJSON_AddStringToObject(*json, "slug", c->f.slug) ||
	    !cJSON_AddStringToObject(*json, "summary", c->f.summary) ||
	    !cJSON_AddStringToObject(*json, "description", c->f.description) ||
	    !cJSON_AddStringToObject(*json, "course_type", c->f.type) ||
	    !cJSON_AddStringToObject(*json, "level", c->f.level) ||
	    !cJSON_AddStringToObject(*json, "instructor", c->f.instructor) ||
	    !cJSON_AddNumberToObject(*json, "price_amount",
	    (double)c->f.price_amount) ||
	    !cJSON_AddStringToObject(*json, "currency", c->f.currency) ||
	    !cJSON_AddBoolToObject(*json, "is_active", c->f.is_active) ||
	    !cJSON_AddNumberToObject(*json, "access_days",
	    (double)c->f.access_days) ||
	    !cJSON_AddStringToObject(*json, "cover", c->cover) ||
	    !cJSON_AddStringToObject(*json, "cover_alt", c->cover_alt)) {
		cJSON_Delete(*json);
		*json = NULL;
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Returns the audit snapshot of course id ({} fields as stored), or NULL
 * (*e says why: ERR_NOTFOUND, ERR_INTERNAL).  Caller frees with
 * cJSON_Delete. */
static cJSON *
course_snapshot(struct db *db, int64_t id, enum err *e)
{
	struct arena *a = arena_new();
	struct course_admin c;
	cJSON *o = NULL;

	*e = a != NULL ? course_read(db, a, id, &c, &o) : ERR_INTERNAL;
	arena_free(a);
	return o;
}

/* Writes the audit row of a change of course id from before (NULL for a
 * creation) to its state now (none after a deletion). */
static enum err
course_audit(struct db *db, int64_t actor, const char *action, int64_t id,
    const cJSON *before, int deleted, int64_t now)
{
	return audit_write_record(db, actor, action, "course", id, before,
	    deleted ? NULL : course_snapshot, now);
}

/* Binds f to ?1..?11 of an insert or update of a course. */
static void
bind_edit(struct db_stmt *st, const struct course_edit *f)
{
	db_bind_text(st, 1, f->title);
	db_bind_text(st, 2, f->slug);
	db_bind_text(st, 3, f->summary != NULL ? f->summary : "");
	db_bind_text(st, 4, f->type);
	db_bind_text(st, 5, f->level);
	db_bind_text(st, 6, f->instructor != NULL ? f->instructor : "");
	db_bind_int64(st, 7, f->price_amount);
	db_bind_text(st, 8, f->currency);
	db_bind_int64(st, 9, f->is_active ? 1 : 0);
	if (f->access_days > 0)
		db_bind_int64(st, 10, f->access_days);
	else
		db_bind_null(st, 10);
}

enum err
course_admin_create(struct db *db, int64_t actor,
    const struct course_edit *f, int64_t now, int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	*id = 0;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO courses (title, slug, summary, "
	    "course_type, level, instructor, price_amount, currency, "
	    "is_active, access_days, created_at, updated_at) VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING id");
	bind_edit(st, f);
	db_bind_int64(st, 11, now);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK ||
	    (e = content_set_description(db, *id, f->description)) != ERR_OK ||
	    (e = course_audit(db, actor, "course.create", *id, NULL, 0, now))
	    != ERR_OK || (e = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		*id = 0;
		return e;
	}
	return ERR_OK;
}

enum err
course_admin_update(struct db *db, int64_t actor, int64_t id,
    const struct course_edit *f, int64_t now)
{
	struct db_stmt *st;
	cJSON *before;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((before = course_snapshot(db, id, &e)) == NULL)
		goto out;
	st = db_prep(db, "UPDATE courses SET title = ?1, slug = ?2, "
	    "summary = ?3, course_type = ?4, level = ?5, instructor = ?6, "
	    "price_amount = ?7, currency = ?8, is_active = ?9, "
	    "access_days = ?10, updated_at = ?11 WHERE id = ?12");
	bind_edit(st, f);
	db_bind_int64(st, 11, now);
	db_bind_int64(st, 12, id);
	if ((e = db_run(st)) != ERR_OK ||
	    (e = content_set_description(db, id, f->description)) != ERR_OK ||
	    (e = course_audit(db, actor, "course.update", id, before, 0, now))
	    != ERR_OK)
		goto out;
	e = db_commit(db);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

enum err
course_admin_delete(struct db *db, int64_t actor, int64_t id, int64_t now)
{
	struct arena *a = arena_new();
	struct course_admin c;
	struct db_stmt *st;
	cJSON *before = NULL;
	enum err e;

	if (a == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = course_read(db, a, id, &c, &before)) != ERR_OK)
		goto out;
	if (c.orders > 0 || c.enrollments > 0) {
		e = ERR_CONFLICT;	/* sold or granted: the books keep it */
		goto out;
	}
	st = db_prep(db, "DELETE FROM courses WHERE id = ?1");
	db_bind_int64(st, 1, id);
	if ((e = db_run(st)) != ERR_OK || (e = course_audit(db, actor,
	    "course.delete", id, before, 1, now)) != ERR_OK)
		goto out;
	e = db_commit(db);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	arena_free(a);
	return e;
}

enum err
course_admin_set_cover(struct db *db, int64_t actor, int64_t id,
    const char *cover, const char *alt, int64_t now)
{
	struct db_stmt *st;
	cJSON *before;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((before = course_snapshot(db, id, &e)) == NULL)
		goto out;
	st = db_prep(db, "UPDATE courses SET cover = ?1, cover_alt = ?2, "
	    "updated_at = ?3 WHERE id = ?4");
	db_bind_text_or_null(st, 1, cover);
	db_bind_text(st, 2, cover != NULL && alt != NULL ? alt : "");
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, id);
	if ((e = db_run(st)) != ERR_OK || (e = course_audit(db, actor,
	    cover != NULL ? "course.cover" : "course.cover_remove", id,
	    before, 0, now)) != ERR_OK)
		goto out;
	e = db_commit(db);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}
