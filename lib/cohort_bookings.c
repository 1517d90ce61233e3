/* A student's booking rows of a cohort (see cohort_bookings.h); the
 * counters move through lib/cohort_place.c. */
#include "arena.h"
#include "cohort_bookings.h"
#include "cohort_place.h"
#include "db.h"
#include "db_rows.h"

/* An option id, as db_rows reads it. */
static enum err
id_row(struct arena *a, struct db_stmt *st, void *elem)
{
	*(int64_t *)elem = db_col_int64(st, 0);
	return ERR_OK;
}

enum err
cohort_bookings_rows(struct db *db, int64_t user_id, int64_t cohort_id,
    int64_t now)
{
	struct db_stmt *st = db_prep(db, "INSERT INTO step_bookings (user_id, "
	    "cohort_id, step_id, changed_at) SELECT ?1, c.id, s.id, ?3 FROM "
	    "cohorts c JOIN course_steps s ON s.course_id = c.course_id WHERE "
	    "c.id = ?2 ON CONFLICT (user_id, step_id) DO NOTHING");

	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, cohort_id);
	db_bind_int64(st, 3, now);
	return db_run(st);
}

enum err
cohort_bookings_open(struct db *db, int64_t user_id, int64_t cohort_id,
    int64_t now, int64_t *booked)
{
	struct arena *a;
	struct db_stmt *st;
	int64_t *single = NULL, count = 0;
	size_t n = 0, i;
	enum err e;

	if ((e = cohort_bookings_rows(db, user_id, cohort_id, now)) != ERR_OK)
		return e;
	if ((a = arena_new()) == NULL)
		return ERR_INTERNAL;
	/* The only option of each step that has one, where still unbooked;
	 * read before booking, so no statement is open over its writes. */
	st = db_prep(db, "SELECT min(o.id) FROM step_options o JOIN "
	    "step_bookings b ON b.step_id = o.step_id AND b.user_id = ?1 AND "
	    "b.cohort_id = ?2 AND b.option_id IS NULL WHERE o.cohort_id = ?2 "
	    "GROUP BY o.step_id HAVING count(*) = 1 ORDER BY min(o.id)");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, cohort_id);
	e = db_rows(st, a, id_row, sizeof(*single), (void **)&single, &n);
	for (i = 0; e == ERR_OK && i < n; i++) {
		e = cohort_option_book(db, user_id, single[i], now);
		if (e == ERR_OK)
			count++;
		else if (e == ERR_CONFLICT)
			e = ERR_OK;	/* full: left for the student */
	}
	arena_free(a);
	if (booked != NULL)
		*booked = count;
	return e;
}

enum err
cohort_bookings_release(struct db *db, int64_t user_id, int64_t cohort_id,
    int64_t now)
{
	struct db_stmt *st;
	enum err e;

	/* One booking per step, an option of one step: each option named
	 * is counted once. */
	st = db_prep(db, "UPDATE step_options SET booked = booked - 1, "
	    "updated_at = ?3 WHERE id IN (SELECT option_id FROM step_bookings "
	    "WHERE user_id = ?1 AND cohort_id = ?2 AND option_id IS NOT NULL)");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, cohort_id);
	db_bind_int64(st, 3, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "DELETE FROM step_bookings WHERE user_id = ?1 AND "
	    "cohort_id = ?2");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, cohort_id);
	return db_run(st);
}
