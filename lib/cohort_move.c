/* Moves of a student by an admin (see cohort_move.h).  Each is one BEGIN
 * IMMEDIATE transaction (db_begin): the counters move by conditional
 * UPDATEs (lib/cohort_place.c), safe on SQLite's single writer and on
 * PostgreSQL's row locks alike. */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "cohort_bookings.h"
#include "cohort_move.h"
#include "db.h"

/* Where the student of an enrollment is. */
struct seat_of {
	int64_t user_id;	/* the student */
	int64_t course_id;	/* the course */
	int64_t cohort_id;	/* their cohort */
};

/* Reads enrollment id (active, in a cohort) into *s. */
static enum err
seat_read(struct db *db, int64_t id, struct seat_of *s)
{
	struct db_stmt *st = db_prep(db, "SELECT user_id, course_id, cohort_id "
	    "FROM enrollments WHERE id = ?1 AND status = 'active' AND "
	    "cohort_id IS NOT NULL");
	enum err e;

	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK) {
		s->user_id = db_col_int64(st, 0);
		s->course_id = db_col_int64(st, 1);
		s->cohort_id = db_col_int64(st, 2);
	}
	db_done(st);
	return e;
}

/* Adds to o "bookings": { "<step id>": option id or null } of user_id in
 * cohort_id. */
static int
add_bookings(struct db *db, cJSON *o, int64_t user_id, int64_t cohort_id)
{
	struct db_stmt *st = db_prep(db, "SELECT step_id, option_id FROM "
	    "step_bookings WHERE user_id = ?1 AND cohort_id = ?2 ORDER BY "
	    "step_id");
	cJSON *b = cJSON_AddObjectToObject(o, "bookings");
	char key[24];
	enum err e = ERR_NOTFOUND;
	int ok = b != NULL;

	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, cohort_id);
	while (ok && (e = db_next(st)) == ERR_OK) {
		snprintf(key, sizeof(key), "%lld",
		    (long long)db_col_int64(st, 0));
		ok = db_col_is_null(st, 1) ? cJSON_AddNullToObject(b, key) !=
		    NULL : cJSON_AddNumberToObject(b, key,
		    (double)db_col_int64(st, 1)) != NULL;
	}
	db_done(st);
	return ok && e == ERR_NOTFOUND;
}

/* The audit snapshot of enrollment id's place: its cohort, the place
 * held there and the bookings.  Caller frees with cJSON_Delete. */
static cJSON *
seat_snapshot(struct db *db, int64_t id, enum err *e)
{
	struct db_stmt *st;
	struct seat_of s;
	int64_t place = 0;
	cJSON *o;

	if ((*e = seat_read(db, id, &s)) != ERR_OK)
		return NULL;
	st = db_prep(db, "SELECT id FROM cohort_places WHERE cohort_id = ?1 "
	    "AND user_id = ?2 AND status <> 'released'");
	db_bind_int64(st, 1, s.cohort_id);
	db_bind_int64(st, 2, s.user_id);
	if ((*e = db_next(st)) == ERR_OK)
		place = db_col_int64(st, 0);
	db_done(st);
	if (*e != ERR_OK && *e != ERR_NOTFOUND)
		return NULL;
	*e = ERR_INTERNAL;
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(o, "user_id", (double)s.user_id) ||
	    !cJSON_AddNumberToObject(o, "cohort_id", (double)s.cohort_id) ||
	    !cJSON_AddNumberToObject(o, "place_id", (double)place) ||
	    !add_bookings(db, o, s.user_id, s.cohort_id)) {
		cJSON_Delete(o);
		return NULL;
	}
	*e = ERR_OK;
	return o;
}

/* Gives back user_id's live place in cohort_id, if they hold one (a
 * student granted by hand may hold none). */
static enum err
release_place(struct db *db, int64_t user_id, int64_t cohort_id,
    int64_t now)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM cohort_places WHERE "
	    "cohort_id = ?1 AND user_id = ?2 AND status <> 'released'");
	int64_t place = 0;
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_next(st)) == ERR_OK)
		place = db_col_int64(st, 0);
	db_done(st);
	if (e == ERR_NOTFOUND)
		return ERR_OK;
	return e != ERR_OK ? e : cohort_place_release(db, place, now);
}

/* ERR_OK when cohort to is another cohort of s's course. */
static enum err
target_ok(struct db *db, const struct seat_of *s, int64_t to)
{
	struct db_stmt *st = db_prep(db, "SELECT course_id FROM cohorts WHERE "
	    "id = ?1");
	int64_t course = 0;
	enum err e;

	db_bind_int64(st, 1, to);
	if ((e = db_next(st)) == ERR_OK)
		course = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	return course == s->course_id && to != s->cohort_id ? ERR_OK :
	    ERR_INVALID;
}

/* The move itself, in the caller's transaction: the new place first, so
 * a refusal comes before anything changed. */
static enum err
move_rows(struct db *db, int64_t id, const struct seat_of *s, int64_t to,
    int64_t now, enum cohort_refusal *why)
{
	struct db_stmt *st;
	int64_t place;
	enum err e;

	if ((e = target_ok(db, s, to)) != ERR_OK ||
	    (e = cohort_place_hold(db, to, s->user_id, 0, PLACE_TAKEN, 0, now,
	    &place, why)) != ERR_OK ||
	    (e = release_place(db, s->user_id, s->cohort_id, now)) != ERR_OK ||
	    (e = cohort_bookings_release(db, s->user_id, s->cohort_id,
	    now)) != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE enrollments SET cohort_id = ?2 WHERE id = ?1");
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, to);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return cohort_bookings_open(db, s->user_id, to, now, NULL);
}

enum err
cohort_move_student(struct db *db, int64_t actor, int64_t enrollment_id,
    int64_t to, int64_t now, enum cohort_refusal *why)
{
	struct seat_of s;
	cJSON *before = NULL;
	enum err e;

	*why = COHORT_OPEN;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = seat_read(db, enrollment_id, &s)) != ERR_OK ||
	    (before = seat_snapshot(db, enrollment_id, &e)) == NULL ||
	    (e = move_rows(db, enrollment_id, &s, to, now, why)) != ERR_OK ||
	    (e = audit_write_record(db, actor, "cohort.move_student",
	    "enrollment", enrollment_id, before, seat_snapshot, now)) !=
	    ERR_OK || (e = db_commit(db)) != ERR_OK)
		db_rollback(db);
	cJSON_Delete(before);
	return e;
}

/* ERR_OK when option_id is an option of cohort_id. */
static enum err
option_of(struct db *db, int64_t option_id, int64_t cohort_id)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM step_options WHERE "
	    "id = ?1 AND cohort_id = ?2");
	enum err e;

	db_bind_int64(st, 1, option_id);
	db_bind_int64(st, 2, cohort_id);
	e = db_next(st);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INVALID : e;
}

enum err
cohort_move_option(struct db *db, int64_t actor, int64_t enrollment_id,
    int64_t option_id, int64_t now)
{
	struct seat_of s;
	cJSON *before = NULL;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	/* The student's rows are opened first: one granted by hand, or
	 * enrolled before a step was added, may lack the step's row. */
	if ((e = seat_read(db, enrollment_id, &s)) != ERR_OK ||
	    (before = seat_snapshot(db, enrollment_id, &e)) == NULL ||
	    (e = option_of(db, option_id, s.cohort_id)) != ERR_OK ||
	    (e = cohort_bookings_rows(db, s.user_id, s.cohort_id, now)) !=
	    ERR_OK ||
	    (e = cohort_option_book(db, s.user_id, option_id, now)) != ERR_OK ||
	    (e = audit_write_record(db, actor, "cohort.move_booking",
	    "enrollment", enrollment_id, before, seat_snapshot, now)) !=
	    ERR_OK || (e = db_commit(db)) != ERR_OK)
		db_rollback(db);
	cJSON_Delete(before);
	return e;
}
