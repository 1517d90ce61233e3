/* The admin's lessons (see lesson_admin.h).  UNIQUE(course_id, position)
 * holds after every statement, so a swap parks one lesson past the end
 * first, and a deletion closes the gap one lesson at a time from the top.
 * Each change is one BEGIN IMMEDIATE transaction (db_begin: SQLite's
 * single writer keeps two admins' moves from interleaving). */
#include <cjson/cJSON.h>

#include "arena.h"
#include "audit.h"
#include "content.h"
#include "db.h"
#include "lesson_admin.h"

#define LA_COLS "SELECT id, course_id, position, title, body, " \
	"duration_minutes, is_preview FROM lessons "

static enum err
lesson_from_row(struct arena *a, struct db_stmt *st, struct lesson_admin *l)
{
	l->id = db_col_int64(st, 0);
	l->course_id = db_col_int64(st, 1);
	l->position = db_col_int64(st, 2);
	l->f.title = db_col_text_dup(a, st, 3);
	l->f.body = db_col_text_dup(a, st, 4);
	l->f.minutes = db_col_int64(st, 5);
	l->f.is_preview = db_col_int64(st, 6) != 0;
	return l->f.title != NULL && l->f.body != NULL ? ERR_OK : ERR_INTERNAL;
}

enum err
lesson_admin_list(struct db *db, struct arena *a, int64_t course_id,
    struct lesson_admin **out, size_t *n)
{
	struct db_stmt *st;
	struct lesson_admin *l;
	size_t cap = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	st = db_prep(db, LA_COLS "WHERE course_id = ?1 ORDER BY position");
	db_bind_int64(st, 1, course_id);
	while ((e = db_next(st)) == ERR_OK) {
		if ((l = arena_push(a, (void **)out, n, &cap,
		    sizeof(*l))) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		if ((e = lesson_from_row(a, st, l)) != ERR_OK)
			break;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
lesson_admin_get(struct db *db, struct arena *a, int64_t id,
    struct lesson_admin *l)
{
	struct db_stmt *st = db_prep(db, LA_COLS "WHERE id = ?1");
	enum err e;

	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		e = lesson_from_row(a, st, l);
	db_done(st);
	return e;
}

/* Reads lesson id into *l (strings in a) and its audit fields as stored
 * into *json (NULL on error; the caller frees it with cJSON_Delete), so
 * a change reads once what it checks and what its audit row keeps. */
static enum err
lesson_read(struct db *db, struct arena *a, int64_t id,
    struct lesson_admin *l, cJSON **json)
{
	enum err e;

	*json = NULL;
	if ((e = lesson_admin_get(db, a, id, l)) != ERR_OK)
		return e;
	if ((*json = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(*json, "course_id",
	    (double)l->course_id) ||
	    !cJSON_AddNumberToObject(*json, "position", (double)l->position) ||
	    !cJSON_AddStringToObject(*json, "title", l->f.title) ||
	    !cJSON_AddStringToObject(*json, "body", l->f.body) ||
	    !cJSON_AddNumberToObject(*json, "duration_minutes",
	    (double)l->f.minutes) ||
	    !cJSON_AddBoolToObject(*json, "is_preview", l->f.is_preview)) {
		cJSON_Delete(*json);
		*json = NULL;
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Returns the audit snapshot of lesson id, or NULL (*e says why).  Caller
 * frees with cJSON_Delete. */
static cJSON *
lesson_snapshot(struct db *db, int64_t id, enum err *e)
{
	struct arena *a = arena_new();
	struct lesson_admin l;
	cJSON *o = NULL;

	*e = a != NULL ? lesson_read(db, a, id, &l, &o) : ERR_INTERNAL;
	arena_free(a);
	return o;
}

enum err
lesson_admin_add(struct db *db, int64_t actor, int64_t course_id,
    const struct lesson_edit *f, int64_t now, int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	*id = 0;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO lessons (course_id, position, title, "
	    "duration_minutes, is_preview) SELECT c.id, coalesce((SELECT "
	    "max(l.position) FROM lessons l WHERE l.course_id = c.id), 0) + 1, "
	    "?2, ?3, ?4 FROM courses c WHERE c.id = ?1 RETURNING id");
	db_bind_int64(st, 1, course_id);
	db_bind_text(st, 2, f->title);
	db_bind_int64(st, 3, f->minutes);
	db_bind_int64(st, 4, f->is_preview ? 1 : 0);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK ||
	    (e = content_set_lesson_body(db, *id, f->body)) != ERR_OK ||
	    (e = audit_record_commit(db, actor, "lesson.create", "lesson", *id,
	    NULL, lesson_snapshot, now)) != ERR_OK) {
		db_rollback(db);
		*id = 0;
	}
	return e;
}

enum err
lesson_admin_update(struct db *db, int64_t actor, int64_t id,
    const struct lesson_edit *f, int64_t now)
{
	struct db_stmt *st;
	cJSON *before;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((before = lesson_snapshot(db, id, &e)) == NULL)
		goto out;
	st = db_prep(db, "UPDATE lessons SET title = ?1, duration_minutes = ?2, "
	    "is_preview = ?3 WHERE id = ?4");
	db_bind_text(st, 1, f->title);
	db_bind_int64(st, 2, f->minutes);
	db_bind_int64(st, 3, f->is_preview ? 1 : 0);
	db_bind_int64(st, 4, id);
	if ((e = db_run(st)) == ERR_OK &&
	    (e = content_set_lesson_body(db, id, f->body)) == ERR_OK)
		e = audit_record_commit(db, actor, "lesson.update", "lesson",
		    id, before, lesson_snapshot, now);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

/* Sets lesson id's position. */
static enum err
set_position(struct db *db, int64_t id, int64_t position)
{
	struct db_stmt *st = db_prep(db, "UPDATE lessons SET position = ?1 "
	    "WHERE id = ?2");

	db_bind_int64(st, 1, position);
	db_bind_int64(st, 2, id);
	return db_run(st);
}

enum err
lesson_admin_move(struct db *db, int64_t actor, int64_t id, int up,
    int64_t now)
{
	struct arena *a = arena_new();
	struct lesson_admin l;
	struct db_stmt *st;
	int64_t other = 0, end = 0;
	cJSON *before = NULL;
	enum err e;

	if (a == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = lesson_read(db, a, id, &l, &before)) != ERR_OK)
		goto out;
	st = db_prep(db, "SELECT (SELECT id FROM lessons WHERE course_id = ?1 "
	    "AND position = ?2), (SELECT max(position) FROM lessons WHERE "
	    "course_id = ?1)");
	db_bind_int64(st, 1, l.course_id);
	db_bind_int64(st, 2, l.position + (up ? -1 : 1));
	if ((e = db_next(st)) == ERR_OK) {
		other = db_col_int64(st, 0);
		end = db_col_int64(st, 1);
	}
	db_done(st);
	if (e != ERR_OK)
		goto out;
	if (other == 0) {
		e = ERR_INVALID;	/* the first up, the last down */
		goto out;
	}
	if ((e = set_position(db, id, end + 1)) != ERR_OK ||
	    (e = set_position(db, other, l.position)) != ERR_OK ||
	    (e = set_position(db, id, l.position + (up ? -1 : 1))) != ERR_OK)
		goto out;
	e = audit_record_commit(db, actor,
	    up ? "lesson.move_up" : "lesson.move_down", "lesson", id, before,
	    lesson_snapshot, now);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	arena_free(a);
	return e;
}

/* Moves every lesson of course_id after position up one place, from the
 * top down, so no two share a place at any step. */
static enum err
close_gap(struct db *db, int64_t course_id, int64_t position)
{
	struct db_stmt *st;
	int64_t id;
	enum err e;

	for (;;) {
		st = db_prep(db, "SELECT id FROM lessons WHERE course_id = ?1 "
		    "AND position = ?2");
		db_bind_int64(st, 1, course_id);
		db_bind_int64(st, 2, position + 1);
		e = db_next(st);
		id = e == ERR_OK ? db_col_int64(st, 0) : 0;
		db_done(st);
		if (e == ERR_NOTFOUND)
			return ERR_OK;
		if (e != ERR_OK || (e = set_position(db, id, position)) !=
		    ERR_OK)
			return e;
		position++;
	}
}

enum err
lesson_admin_delete(struct db *db, int64_t actor, int64_t id, int64_t now,
    int64_t *course_id)
{
	struct arena *a = arena_new();
	struct lesson_admin l;
	struct db_stmt *st;
	cJSON *before = NULL;
	enum err e;

	*course_id = 0;
	if (a == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = lesson_read(db, a, id, &l, &before)) != ERR_OK)
		goto out;
	*course_id = l.course_id;
	st = db_prep(db, "DELETE FROM lessons WHERE id = ?1");
	db_bind_int64(st, 1, id);
	if ((e = db_run(st)) != ERR_OK ||
	    (e = close_gap(db, l.course_id, l.position)) != ERR_OK)
		goto out;
	e = audit_record_commit(db, actor, "lesson.delete", "lesson", id,
	    before, NULL, now);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	arena_free(a);
	return e;
}
