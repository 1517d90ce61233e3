/* The admin's steps of a course (see step_admin.h).  Like the lessons
 * (lib/lesson_admin.c), UNIQUE(course_id, position) holds after every
 * statement: a swap parks one step past the end first, a deletion closes
 * the gap one step at a time from the top.  A step's week changing moves
 * its sessions in every cohort (option_retime) in the same transaction.
 * Each change is one BEGIN IMMEDIATE transaction (db_begin: SQLite's
 * single writer keeps two admins' moves from interleaving; PostgreSQL
 * would lock the course's step rows, SELECT ... FOR UPDATE). */
#include <cjson/cJSON.h>

#include "audit.h"
#include "db.h"
#include "db_rows.h"
#include "option_admin.h"
#include "step_admin.h"

#define SA_COLS "SELECT s.id, s.course_id, s.position, s.label, s.title, " \
	"(SELECT count(*) FROM step_options o WHERE o.step_id = s.id), " \
	"(SELECT count(*) FROM step_bookings b WHERE b.step_id = s.id) " \
	"FROM course_steps s "

static enum err
step_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct step_admin *s = elem;

	s->id = db_col_int64(st, 0);
	s->course_id = db_col_int64(st, 1);
	s->position = db_col_int64(st, 2);
	s->label = db_col_text_dup(a, st, 3);
	s->title = db_col_text_dup(a, st, 4);
	s->options = db_col_int64(st, 5);
	s->bookings = db_col_int64(st, 6);
	return s->label != NULL && s->title != NULL ? ERR_OK : ERR_INTERNAL;
}

enum err
step_admin_list(struct db *db, struct arena *a, int64_t course_id,
    struct step_admin **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, SA_COLS "WHERE s.course_id = ?1 "
	    "ORDER BY s.position");

	db_bind_int64(st, 1, course_id);
	return db_rows(st, a, step_row, sizeof(**out), (void **)out, n);
}

enum err
step_admin_get(struct db *db, struct arena *a, int64_t id,
    struct step_admin *s)
{
	struct db_stmt *st = db_prep(db, SA_COLS "WHERE s.id = ?1");

	db_bind_int64(st, 1, id);
	return db_row(st, a, step_row, s);
}

/* Returns the audit snapshot of step id, or NULL (*e says why).  Caller
 * frees with cJSON_Delete. */
static cJSON *
step_snapshot(struct db *db, int64_t id, enum err *e)
{
	struct arena *a = arena_new();
	struct step_admin s;
	cJSON *o = NULL;

	*e = a != NULL ? step_admin_get(db, a, id, &s) : ERR_INTERNAL;
	if (*e == ERR_OK && ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(o, "course_id", (double)s.course_id) ||
	    !cJSON_AddNumberToObject(o, "position", (double)s.position) ||
	    !cJSON_AddStringToObject(o, "label", s.label) ||
	    !cJSON_AddStringToObject(o, "title", s.title))) {
		cJSON_Delete(o);
		o = NULL;
		*e = ERR_INTERNAL;
	}
	arena_free(a);
	return o;
}

enum err
step_insert(struct db *db, int64_t course_id, const char *label,
    const char *title, int64_t *id)
{
	struct db_stmt *st = db_prep(db, "INSERT INTO course_steps (course_id, "
	    "position, label, title) SELECT c.id, coalesce((SELECT "
	    "max(s.position) FROM course_steps s WHERE s.course_id = c.id), "
	    "0) + 1, ?2, ?3 FROM courses c WHERE c.id = ?1 RETURNING id");
	enum err e;

	*id = 0;
	db_bind_int64(st, 1, course_id);
	db_bind_text(st, 2, label);
	db_bind_text(st, 3, title);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e;
}

enum err
step_admin_add(struct db *db, int64_t actor, int64_t course_id,
    const char *label, const char *title, int64_t now, int64_t *id)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = step_insert(db, course_id, label, title, id)) != ERR_OK ||
	    (e = audit_record_commit(db, actor, "step.create", "step", *id,
	    NULL, step_snapshot, now)) != ERR_OK) {
		db_rollback(db);
		*id = 0;
	}
	return e;
}

enum err
step_admin_update(struct db *db, int64_t actor, int64_t id,
    const char *label, const char *title, int64_t now)
{
	struct db_stmt *st;
	cJSON *before;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((before = step_snapshot(db, id, &e)) != NULL) {
		st = db_prep(db, "UPDATE course_steps SET label = ?1, title = "
		    "?2 WHERE id = ?3");
		db_bind_text(st, 1, label);
		db_bind_text(st, 2, title);
		db_bind_int64(st, 3, id);
		if ((e = db_run(st)) == ERR_OK)
			e = audit_record_commit(db, actor, "step.update",
			    "step", id, before, step_snapshot, now);
	}
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

/* Sets step id's position. */
static enum err
set_position(struct db *db, int64_t id, int64_t position)
{
	struct db_stmt *st = db_prep(db, "UPDATE course_steps SET position = "
	    "?1 WHERE id = ?2");

	db_bind_int64(st, 1, position);
	db_bind_int64(st, 2, id);
	return db_run(st);
}

/* Sets *other to the step of course_id at position (0: none) and *end to
 * the course's last position. */
static enum err
neighbour(struct db *db, int64_t course_id, int64_t position,
    int64_t *other, int64_t *end)
{
	struct db_stmt *st = db_prep(db, "SELECT (SELECT id FROM course_steps "
	    "WHERE course_id = ?1 AND position = ?2), (SELECT max(position) "
	    "FROM course_steps WHERE course_id = ?1)");
	enum err e;

	db_bind_int64(st, 1, course_id);
	db_bind_int64(st, 2, position);
	if ((e = db_next(st)) == ERR_OK) {
		*other = db_col_int64(st, 0);
		*end = db_col_int64(st, 1);
	}
	db_done(st);
	return e;
}

/* Computes again the sessions of step_id; a gap is a conflict of the
 * calendar, not of what the admin typed. */
static enum err
retime_step(struct db *db, int64_t step_id, int64_t now)
{
	enum err e = option_retime(db, 0, step_id, now, NULL);

	return e == ERR_INVALID ? ERR_CONFLICT : e;
}

enum err
step_admin_move(struct db *db, int64_t actor, int64_t id, int up,
    int64_t now)
{
	struct arena *a = arena_new();
	struct step_admin s;
	int64_t other = 0, end = 0, to;
	cJSON *before = NULL;
	enum err e;

	if (a == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = step_admin_get(db, a, id, &s)) != ERR_OK ||
	    (before = step_snapshot(db, id, &e)) == NULL)
		goto out;
	to = s.position + (up ? -1 : 1);
	if ((e = neighbour(db, s.course_id, to, &other, &end)) != ERR_OK)
		goto out;
	if (other == 0) {
		e = ERR_INVALID;	/* the first up, the last down */
		goto out;
	}
	if ((e = set_position(db, id, end + 1)) != ERR_OK ||
	    (e = set_position(db, other, s.position)) != ERR_OK ||
	    (e = set_position(db, id, to)) != ERR_OK ||
	    (e = retime_step(db, id, now)) != ERR_OK ||
	    (e = retime_step(db, other, now)) != ERR_OK)
		goto out;
	e = audit_record_commit(db, actor,
	    up ? "step.move_up" : "step.move_down", "step", id, before,
	    step_snapshot, now);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	arena_free(a);
	return e;
}

/* Moves every step of course_id after position up one week, from the top
 * down, so no two share a place at any step, with its sessions. */
static enum err
close_gap(struct db *db, int64_t course_id, int64_t position, int64_t now)
{
	int64_t id, end = 0;
	enum err e;

	for (;;) {
		if ((e = neighbour(db, course_id, position + 1, &id, &end)) !=
		    ERR_OK)
			return e;
		if (id == 0)
			return ERR_OK;
		if ((e = set_position(db, id, position)) != ERR_OK ||
		    (e = retime_step(db, id, now)) != ERR_OK)
			return e;
		position++;
	}
}

enum err
step_admin_delete(struct db *db, int64_t actor, int64_t id, int64_t now,
    int64_t *course_id, int64_t *options, int64_t *bookings)
{
	struct arena *a = arena_new();
	struct step_admin s;
	struct db_stmt *st;
	cJSON *before = NULL;
	enum err e;

	*course_id = *options = *bookings = 0;
	if (a == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = step_admin_get(db, a, id, &s)) != ERR_OK ||
	    (before = step_snapshot(db, id, &e)) == NULL)
		goto out;
	*course_id = s.course_id;
	*options = s.options;
	*bookings = s.bookings;
	if (s.options > 0 || s.bookings > 0) {
		e = ERR_CONFLICT;
		goto out;
	}
	st = db_prep(db, "DELETE FROM course_steps WHERE id = ?1");
	db_bind_int64(st, 1, id);
	if ((e = db_run(st)) != ERR_OK ||
	    (e = close_gap(db, s.course_id, s.position, now)) != ERR_OK)
		goto out;
	e = audit_record_commit(db, actor, "step.delete", "step", id, before,
	    NULL, now);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	arena_free(a);
	return e;
}
