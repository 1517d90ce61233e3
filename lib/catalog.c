/* Catalog queries.  Each listing variant has its own SQL so that SQLite
 * picks the index made for it (courses_active_title, courses_type_title,
 * the FTS index): an OR of optional filters would scan the table.  Title
 * search is the one statement with a form per engine (db_kind). */
#include <ctype.h>
#include <string.h>

#include "buf.h"
#include "catalog.h"
#include "db.h"

static const struct {
	const char *name;	/* stored in courses.course_type */
	const char *label;	/* shown to people */
} types[COURSE_TYPE_MAX] = {
	[COURSE_SELF_PACED] = { "self_paced", "Self-paced" },
	[COURSE_COHORT] = { "cohort", "Cohort" },
	[COURSE_WORKSHOP] = { "workshop", "Workshop" },
};

const char *
course_type_name(enum course_type t)
{
	return (unsigned)t < COURSE_TYPE_MAX ? types[t].name : "";
}

const char *
course_type_label(const char *name)
{
	for (int i = 0; i < COURSE_TYPE_MAX; i++)
		if (strcmp(types[i].name, name) == 0)
			return types[i].label;
	return name;
}

int
course_type_valid(const char *name)
{
	for (int i = 0; i < COURSE_TYPE_MAX; i++)
		if (name != NULL && strcmp(types[i].name, name) == 0)
			return 1;
	return 0;
}

enum course_type
course_type_of(const char *name)
{
	for (int i = 0; i < COURSE_TYPE_MAX; i++)
		if (name != NULL && strcmp(types[i].name, name) == 0)
			return (enum course_type)i;
	return COURSE_TYPE_MAX;
}

#define COURSE_COLS "c.id, c.slug, c.title, c.summary, c.description, " \
	"c.course_type, c.level, c.instructor, c.price_amount, c.currency, " \
	"c.is_active, coalesce(c.capacity, 0), coalesce(c.starts_at, 0), " \
	"coalesce(c.enroll_deadline, 0), c.lesson_count, c.total_minutes, " \
	"coalesce(c.cover, ''), c.cover_alt"

/* Copies text column col, which the schema declares NOT NULL, into the
 * arena: one library call where db_col_text_dup() makes three, for the
 * hundred such columns of a catalog page. */
static char *
text_col(struct arena *a, struct db_stmt *st, int col)
{
	return arena_strdup(a, db_col_text(st, col));
}

/* Copies the COURSE_COLS of the current row into *c; ERR_INTERNAL on OOM. */
static enum err
course_from_row(struct arena *a, struct db_stmt *st, struct course *c)
{
	c->id = db_col_int64(st, 0);
	c->slug = text_col(a, st, 1);
	c->title = text_col(a, st, 2);
	c->summary = text_col(a, st, 3);
	c->description = text_col(a, st, 4);
	c->type = text_col(a, st, 5);
	c->level = text_col(a, st, 6);
	c->instructor = text_col(a, st, 7);
	c->price_amount = db_col_int64(st, 8);
	c->currency = text_col(a, st, 9);
	c->is_active = (int)db_col_int64(st, 10);
	c->capacity = db_col_int64(st, 11);
	c->starts_at = db_col_int64(st, 12);
	c->enroll_deadline = db_col_int64(st, 13);
	c->lesson_count = db_col_int64(st, 14);
	c->total_minutes = db_col_int64(st, 15);
	c->cover = text_col(a, st, 16);
	c->cover_alt = text_col(a, st, 17);
	if (c->cover == NULL || c->cover_alt == NULL || c->slug == NULL || c->title == NULL || c->summary == NULL ||
	    c->description == NULL || c->type == NULL || c->level == NULL ||
	    c->instructor == NULL || c->currency == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

char *
catalog_fts_query(struct arena *a, const char *text, enum db_kind kind)
{
	/* FTS5's "word"* and to_tsquery's 'word':* joined by &: a word holds
	 * only letters, digits and UTF-8, so neither quote can occur in it
	 * and nothing typed becomes query syntax. */
	const char *open = kind == DB_POSTGRES ? "'" : "\"";
	const char *close = kind == DB_POSTGRES ? "':*" : "\"*";
	const char *sep = kind == DB_POSTGRES ? " & " : " ";
	struct buf b = { 0 };
	const char *p = text, *start;
	int words = 0;
	char *out;

	while (p != NULL && *p != '\0' && words < 8) {
		/* Words are runs of letters and digits (and any UTF-8). */
		while (*p != '\0' && !isalnum((unsigned char)*p) &&
		    (unsigned char)*p < 0x80)
			p++;
		for (start = p; *p != '\0' && (isalnum((unsigned char)*p) ||
		    (unsigned char)*p >= 0x80); p++)
			;
		if (p == start)
			continue;
		if (words++ > 0)
			buf_puts(&b, sep);
		buf_puts(&b, open);
		buf_append(&b, start, (size_t)(p - start));
		buf_puts(&b, close);
	}
	out = words > 0 && !b.oom ? arena_strndup(a, b.data, b.len) : NULL;
	buf_free(&b);
	return out;
}

/* The courses whose title has every word of ?2 (catalog_fts_query's
 * form for the engine): the FTS5 table on SQLite, the GIN index
 * courses_title_search on PostgreSQL (sql/pg/001_catalog.sql). */
#define TITLE_MATCH_SQLITE "c.id IN (SELECT rowid FROM courses_fts " \
	"WHERE courses_fts MATCH ?2) "
#define TITLE_MATCH_PG "c.id IN (SELECT id FROM courses WHERE " \
	"to_tsvector('simple', title) @@ to_tsquery('simple', ?2)) "
#define LIST_TYPE_MATCH(match) "SELECT " COURSE_COLS " FROM courses c " \
	"WHERE c.is_active = 1 AND c.course_type = ?1 AND " match \
	"ORDER BY c.title, c.id LIMIT ?3 OFFSET ?4"
#define LIST_MATCH(match) "SELECT " COURSE_COLS " FROM courses c " \
	"WHERE c.is_active = 1 AND " match "AND CAST(?1 AS TEXT) IS NULL " \
	"ORDER BY c.title, c.id LIMIT ?3 OFFSET ?4"

/* Each statement names ?1 and ?2 (the binds are the same for all); one
 * it does not use is tested IS NULL, CAST so that PostgreSQL knows its
 * type. */
static struct db_stmt *
list_stmt(struct db *db, const char *type, const char *fts)
{
	int pg = db_kind(db) == DB_POSTGRES;

	if (fts != NULL && type != NULL)
		return db_prep(db, pg ? LIST_TYPE_MATCH(TITLE_MATCH_PG) :
		    LIST_TYPE_MATCH(TITLE_MATCH_SQLITE));
	if (fts != NULL)
		return db_prep(db, pg ? LIST_MATCH(TITLE_MATCH_PG) :
		    LIST_MATCH(TITLE_MATCH_SQLITE));
	if (type != NULL)
		return db_prep(db, "SELECT " COURSE_COLS " FROM courses c "
		    "WHERE c.is_active = 1 AND c.course_type = ?1 AND "
		    "CAST(?2 AS TEXT) IS NULL ORDER BY c.title, c.id LIMIT ?3 OFFSET ?4");
	return db_prep(db, "SELECT " COURSE_COLS " FROM courses c "
	    "WHERE c.is_active = 1 AND CAST(?1 AS TEXT) IS NULL AND "
	    "CAST(?2 AS TEXT) IS NULL ORDER BY c.title, c.id LIMIT ?3 OFFSET ?4");
}

enum err
catalog_list(struct db *db, struct arena *a, const struct catalog_query *q,
    struct course **out, size_t *n, int *has_more)
{
	const char *fts = NULL;
	struct db_stmt *st;
	int64_t page = q->page < 1 ? 1 : q->page > 100000 ? 100000 : q->page;
	enum err e;

	*n = 0;
	*has_more = 0;
	if ((*out = arena_alloc(a, (size_t)q->per_page * sizeof(**out))) ==
	    NULL)
		return ERR_INTERNAL;
	if (q->search != NULL && (fts = catalog_fts_query(a, q->search,
	    db_kind(db))) ==
	    NULL && *q->search != '\0')
		return ERR_OK;	/* nothing searchable: nothing found */
	if ((st = list_stmt(db, q->type, fts)) == NULL)
		return ERR_INTERNAL;
	db_bind_text_or_null(st, 1, q->type);
	db_bind_text_or_null(st, 2, fts);
	db_bind_int64(st, 3, q->per_page + 1);
	db_bind_int64(st, 4, (page - 1) * q->per_page);
	while ((e = db_next(st)) == ERR_OK) {
		if (*n == (size_t)q->per_page) {
			*has_more = 1;
			continue;
		}
		if ((e = course_from_row(a, st, &(*out)[*n])) != ERR_OK)
			break;
		(*n)++;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
catalog_get(struct db *db, struct arena *a, const char *slug,
    struct course *c)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT " COURSE_COLS " FROM courses c "
	    "WHERE c.slug = ?");
	db_bind_text(st, 1, slug);
	if ((e = db_next(st)) == ERR_OK)
		e = course_from_row(a, st, c);
	db_done(st);
	return e;
}

enum err
catalog_get_by_id(struct db *db, struct arena *a, int64_t id,
    struct course *c)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT " COURSE_COLS " FROM courses c "
	    "WHERE c.id = ?");
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		e = course_from_row(a, st, c);
	db_done(st);
	return e;
}

enum err
catalog_lessons(struct db *db, struct arena *a, int64_t course_id,
    struct lesson **out, size_t *n)
{
	struct db_stmt *st;
	struct lesson *l;
	size_t cap = 16;
	enum err e;

	*n = 0;
	st = db_prep(db, "SELECT id, position, title, duration_minutes, "
	    "is_preview FROM lessons WHERE course_id = ? ORDER BY position");
	if (st == NULL || (*out = arena_alloc(a, cap * sizeof(**out))) == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, course_id);
	while ((e = db_next(st)) == ERR_OK) {
		if (*n == cap) {
			/* Arena memory cannot grow in place: copy once. */
			if ((l = arena_alloc(a, 2 * cap * sizeof(*l))) == NULL) {
				e = ERR_INTERNAL;
				break;
			}
			memcpy(l, *out, cap * sizeof(*l));
			*out = l;
			cap *= 2;
		}
		l = &(*out)[(*n)++];
		l->id = db_col_int64(st, 0);
		l->position = db_col_int64(st, 1);
		l->title = db_col_text_dup(a, st, 2);
		l->minutes = db_col_int64(st, 3);
		l->is_preview = (int)db_col_int64(st, 4);
		if (l->title == NULL) {
			e = ERR_INTERNAL;
			break;
		}
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
catalog_lesson_at(struct db *db, struct arena *a, int64_t course_id,
    int64_t position, struct lesson *l)
{
	struct db_stmt *st;
	enum err e;

	memset(l, 0, sizeof(*l));
	st = db_prep(db, "SELECT id, title, duration_minutes, is_preview "
	    "FROM lessons WHERE course_id = ? AND position = ?");
	db_bind_int64(st, 1, course_id);
	db_bind_int64(st, 2, position);
	if ((e = db_next(st)) == ERR_OK) {
		l->id = db_col_int64(st, 0);
		l->position = position;
		l->title = db_col_text_dup(a, st, 1);
		l->minutes = db_col_int64(st, 2);
		l->is_preview = (int)db_col_int64(st, 3);
		if (l->title == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e;
}
