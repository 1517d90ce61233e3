/* The admin's cohorts (see cohort_admin.h).  Each change is one BEGIN
 * IMMEDIATE transaction (db_begin).  An update reads the places held and
 * writes the capacity in that one transaction: on SQLite's single writer
 * no checkout can hold a place in between; PostgreSQL needs the cohort's
 * row locked there (SELECT ... FOR UPDATE), with the CHECK held <=
 * capacity as the last guard on both. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "cohort_admin.h"
#include "db.h"
#include "db_rows.h"
#include "option_admin.h"

#define CA_COLS "SELECT c.id, c.course_id, c.name, c.starts_on, " \
	"c.enroll_deadline, c.capacity, c.is_active, c.held, " \
	"(SELECT count(*) FROM enrollments e WHERE e.cohort_id = c.id AND " \
	"e.status = 'active'), (SELECT count(*) FROM step_options o WHERE " \
	"o.cohort_id = c.id), (SELECT count(*) FROM cohort_places p WHERE " \
	"p.cohort_id = c.id) FROM cohorts c "

enum err
cohort_course_get(struct db *db, struct arena *a, int64_t course_id,
    struct cohort_course *c)
{
	struct db_stmt *st = db_prep(db, "SELECT id, title, course_type FROM "
	    "courses WHERE id = ?1");
	enum err e;

	db_bind_int64(st, 1, course_id);
	if ((e = db_next(st)) == ERR_OK) {
		c->id = db_col_int64(st, 0);
		c->is_cohort = strcmp(db_col_text(st, 2), "cohort") == 0;
		if ((c->title = db_col_text_dup(a, st, 1)) == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e;
}

static enum err
cohort_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct cohort_admin *c = elem;

	c->id = db_col_int64(st, 0);
	c->course_id = db_col_int64(st, 1);
	c->f.name = db_col_text_dup(a, st, 2);
	c->f.starts_on = db_col_text_dup(a, st, 3);
	c->f.enroll_deadline = db_col_int64(st, 4);
	c->f.capacity = db_col_int64(st, 5);
	c->f.is_active = db_col_int64(st, 6) == 1;
	c->held = db_col_int64(st, 7);
	c->students = db_col_int64(st, 8);
	c->options = db_col_int64(st, 9);
	c->ever_held = db_col_int64(st, 10);
	return c->f.name != NULL && c->f.starts_on != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
cohort_admin_list(struct db *db, struct arena *a, int64_t course_id,
    const char *after_on, int64_t after_id, struct cohort_admin **out,
    size_t *n, int *more)
{
	struct db_stmt *st = db_prep(db, CA_COLS "WHERE c.course_id = ?1 AND "
	    "(?3 = 0 OR c.starts_on > ?2 OR (c.starts_on = ?2 AND c.id > ?3)) "
	    "ORDER BY c.starts_on, c.id LIMIT ?4");
	enum err e;

	db_bind_int64(st, 1, course_id);
	db_bind_text(st, 2, after_on != NULL ? after_on : "");
	db_bind_int64(st, 3, after_id);
	db_bind_int64(st, 4, COHORT_ADMIN_PAGE + 1);
	if ((e = db_rows(st, a, cohort_row, sizeof(**out), (void **)out, n)) !=
	    ERR_OK)
		return e;
	*more = *n > COHORT_ADMIN_PAGE;
	if (*more)
		*n = COHORT_ADMIN_PAGE;
	return ERR_OK;
}

enum err
cohort_admin_get(struct db *db, struct arena *a, int64_t id,
    struct cohort_admin *c)
{
	struct db_stmt *st = db_prep(db, CA_COLS "WHERE c.id = ?1");

	db_bind_int64(st, 1, id);
	return db_row(st, a, cohort_row, c);
}

/* Adds the sessions' times of cohort id to o as "sessions": [[option id,
 * starts_at, ends_at], ...], so a start day's change shows them move. */
static int
add_sessions(struct db *db, int64_t id, cJSON *o)
{
	struct db_stmt *st = db_prep(db, "SELECT id, starts_at, ends_at FROM "
	    "step_options WHERE cohort_id = ?1 ORDER BY id");
	cJSON *list = cJSON_AddArrayToObject(o, "sessions"), *row;
	enum err e = ERR_NOTFOUND;
	int ok = list != NULL;

	db_bind_int64(st, 1, id);
	while (ok && (e = db_next(st)) == ERR_OK) {
		const double v[3] = { (double)db_col_int64(st, 0),
		    (double)db_col_int64(st, 1), (double)db_col_int64(st, 2) };

		ok = (row = cJSON_CreateDoubleArray(v, 3)) != NULL &&
		    cJSON_AddItemToArray(list, row);
	}
	db_done(st);
	return ok && e == ERR_NOTFOUND;
}

/* Returns the audit snapshot of cohort id, or NULL (*e says why).  Caller
 * frees with cJSON_Delete. */
static cJSON *
cohort_snapshot(struct db *db, int64_t id, enum err *e)
{
	struct arena *a = arena_new();
	struct cohort_admin c;
	cJSON *o = NULL;

	*e = a != NULL ? cohort_admin_get(db, a, id, &c) : ERR_INTERNAL;
	if (*e == ERR_OK && ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(o, "course_id", (double)c.course_id) ||
	    !cJSON_AddStringToObject(o, "name", c.f.name) ||
	    !cJSON_AddStringToObject(o, "starts_on", c.f.starts_on) ||
	    !cJSON_AddNumberToObject(o, "enroll_deadline",
	    (double)c.f.enroll_deadline) ||
	    !cJSON_AddNumberToObject(o, "capacity", (double)c.f.capacity) ||
	    !cJSON_AddBoolToObject(o, "is_active", c.f.is_active) ||
	    !add_sessions(db, id, o))) {
		cJSON_Delete(o);
		o = NULL;
		*e = ERR_INTERNAL;
	}
	arena_free(a);
	return o;
}

/* ERR_OK when no other cohort of course_id than id (0: none) is called
 * name; ERR_CONFLICT (*bad COHORT_F_NAME) when one is. */
static enum err
name_free(struct db *db, int64_t course_id, int64_t id, const char *name,
    enum cohort_field *bad)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM cohorts WHERE "
	    "course_id = ?1 AND name = ?2 AND id <> ?3");
	enum err e;

	db_bind_int64(st, 1, course_id);
	db_bind_text(st, 2, name);
	db_bind_int64(st, 3, id);
	e = db_next(st);
	db_done(st);
	if (e == ERR_OK) {
		*bad = COHORT_F_NAME;
		return ERR_CONFLICT;
	}
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
cohort_insert(struct db *db, int64_t course_id, const struct cohort_edit *f,
    int64_t now, int64_t *id, enum cohort_field *bad)
{
	struct db_stmt *st;
	enum err e;

	*id = 0;
	*bad = COHORT_F_NONE;
	if ((e = name_free(db, course_id, 0, f->name, bad)) != ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO cohorts (course_id, name, starts_on, "
	    "enroll_deadline, capacity, is_active, created_at, updated_at) "
	    "SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?7 FROM courses WHERE id = ?1 "
	    "RETURNING id");
	db_bind_int64(st, 1, course_id);
	db_bind_text(st, 2, f->name);
	db_bind_text(st, 3, f->starts_on);
	db_bind_int64(st, 4, f->enroll_deadline);
	db_bind_int64(st, 5, f->capacity);
	db_bind_int64(st, 6, f->is_active ? 1 : 0);
	db_bind_int64(st, 7, now);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e;
}

enum err
cohort_admin_create(struct db *db, int64_t actor, int64_t course_id,
    const struct cohort_edit *f, int64_t now, int64_t *id,
    enum cohort_field *bad)
{
	enum err e;

	*bad = COHORT_F_NONE;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = cohort_insert(db, course_id, f, now, id, bad)) != ERR_OK ||
	    (e = audit_record_commit(db, actor, "cohort.create", "cohort", *id,
	    NULL, cohort_snapshot, now)) != ERR_OK) {
		db_rollback(db);
		*id = 0;
	}
	return e;
}

/* Writes f into cohort id and moves its sessions to a new start day. */
static enum err
cohort_write(struct db *db, int64_t id, const struct cohort_edit *f,
    int64_t now, enum cohort_field *bad, int64_t *moved)
{
	struct db_stmt *st = db_prep(db, "UPDATE cohorts SET name = ?2, "
	    "starts_on = ?3, enroll_deadline = ?4, capacity = ?5, is_active = "
	    "?6, updated_at = ?7 WHERE id = ?1");
	enum err e;

	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, f->name);
	db_bind_text(st, 3, f->starts_on);
	db_bind_int64(st, 4, f->enroll_deadline);
	db_bind_int64(st, 5, f->capacity);
	db_bind_int64(st, 6, f->is_active ? 1 : 0);
	db_bind_int64(st, 7, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if ((e = option_retime(db, id, 0, now, moved)) == ERR_INVALID)
		*bad = COHORT_F_STARTS_ON;
	return e;
}

enum err
cohort_admin_update(struct db *db, int64_t actor, int64_t id,
    const struct cohort_edit *f, int64_t now, enum cohort_field *bad,
    int64_t *moved)
{
	struct arena *a = arena_new();
	struct cohort_admin c;
	cJSON *before = NULL;
	int64_t count = 0;
	enum err e;

	*bad = COHORT_F_NONE;
	if (a == NULL)
		return ERR_INTERNAL;
	/* The places held are read and the capacity written in this one
	 * transaction (see the top of the file). */
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = cohort_admin_get(db, a, id, &c)) != ERR_OK ||
	    (before = cohort_snapshot(db, id, &e)) == NULL)
		goto out;
	if (f->capacity < c.held) {
		*bad = COHORT_F_CAPACITY;
		e = ERR_CONFLICT;
		goto out;
	}
	if ((e = name_free(db, c.course_id, id, f->name, bad)) != ERR_OK ||
	    (e = cohort_write(db, id, f, now, bad, &count)) != ERR_OK)
		goto out;
	e = audit_record_commit(db, actor, "cohort.update", "cohort", id,
	    before, cohort_snapshot, now);
out:
	if (moved != NULL)
		*moved = e == ERR_OK ? count : 0;
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	arena_free(a);
	return e;
}

/* ERR_OK when nobody ever had anything to do with cohort id: no place
 * (even released), enrollment, booking, waitlist, cart line or order
 * item names it; ERR_CONFLICT when one does. */
static enum err
never_used(struct db *db, int64_t id)
{
	/* 0/1 by CASE: PostgreSQL's EXISTS is a boolean. */
	struct db_stmt *st = db_prep(db, "SELECT CASE WHEN EXISTS (SELECT 1 "
	    "FROM cohort_places WHERE cohort_id = ?1) OR EXISTS (SELECT 1 FROM "
	    "enrollments WHERE cohort_id = ?1) OR EXISTS (SELECT 1 FROM "
	    "step_bookings WHERE cohort_id = ?1) OR EXISTS (SELECT 1 FROM "
	    "cohort_waitlist WHERE cohort_id = ?1) OR EXISTS (SELECT 1 FROM "
	    "cart_items WHERE cohort_id = ?1) OR EXISTS (SELECT 1 FROM "
	    "order_items WHERE cohort_id = ?1) THEN 1 ELSE 0 END");
	enum err e;
	int64_t used = 1;

	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		used = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e;
	return used != 0 ? ERR_CONFLICT : ERR_OK;
}

enum err
cohort_admin_delete(struct db *db, int64_t actor, int64_t id, int64_t now,
    int64_t *course_id)
{
	struct arena *a = arena_new();
	struct cohort_admin c;
	struct db_stmt *st;
	cJSON *before = NULL;
	enum err e;

	*course_id = 0;
	if (a == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = cohort_admin_get(db, a, id, &c)) != ERR_OK ||
	    (before = cohort_snapshot(db, id, &e)) == NULL)
		goto out;
	*course_id = c.course_id;
	if ((e = never_used(db, id)) != ERR_OK)
		goto out;
	st = db_prep(db, "DELETE FROM step_options WHERE cohort_id = ?1");
	db_bind_int64(st, 1, id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	st = db_prep(db, "DELETE FROM cohorts WHERE id = ?1");
	db_bind_int64(st, 1, id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	e = audit_record_commit(db, actor, "cohort.delete", "cohort", id,
	    before, NULL, now);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	arena_free(a);
	return e;
}
