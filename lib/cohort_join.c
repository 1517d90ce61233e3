/* Joining and leaving a cohort's schedule (see cohort_join.h). */
#include "cohort_join.h"
#include "cohort_place.h"
#include "db.h"

/* The course of cohort_id. */
static enum err
course_of(struct db *db, int64_t cohort_id, int64_t *course_id)
{
	struct db_stmt *st = db_prep(db, "SELECT course_id FROM cohorts "
	    "WHERE id = ?");
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	if ((e = db_next(st)) == ERR_OK)
		*course_id = db_col_int64(st, 0);
	db_done(st);
	return e;
}

/* Gives back the options user_id holds in steps of course_id booked in a
 * cohort other than cohort_id (0: in any), and clears them. */
static enum err
give_back(struct db *db, int64_t user_id, int64_t course_id,
    int64_t cohort_id, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE step_options SET booked = booked - 1, "
	    "updated_at = ?3 WHERE id IN (SELECT b.option_id FROM "
	    "step_bookings b JOIN course_steps s ON s.id = b.step_id WHERE "
	    "b.user_id = ?1 AND s.course_id = ?2 AND b.option_id IS NOT NULL "
	    "AND b.cohort_id <> ?4)");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, cohort_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE step_bookings SET option_id = NULL, "
	    "booked_at = NULL, changed_at = ?3 WHERE user_id = ?1 AND "
	    "cohort_id <> ?4 AND step_id IN (SELECT id FROM course_steps "
	    "WHERE course_id = ?2)");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, cohort_id);
	return db_run(st);
}

/* The next option after *last (in id order) that is the only one of its
 * step in cohort_id, for a step user_id has not booked; ERR_NOTFOUND when
 * there is none. */
static enum err
next_single(struct db *db, int64_t user_id, int64_t cohort_id, int64_t *last)
{
	struct db_stmt *st = db_prep(db, "SELECT min(o.id) FROM step_options o "
	    "JOIN step_bookings b ON b.step_id = o.step_id AND b.user_id = ?1 "
	    "AND b.option_id IS NULL WHERE o.cohort_id = ?2 GROUP BY "
	    "o.step_id HAVING count(*) = 1 AND min(o.id) > ?3 ORDER BY "
	    "min(o.id) LIMIT 1");
	enum err e;

	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, cohort_id);
	db_bind_int64(st, 3, *last);
	if ((e = db_next(st)) == ERR_OK)
		*last = db_col_int64(st, 0);
	db_done(st);
	return e;
}

enum err
cohort_join(struct db *db, int64_t user_id, int64_t cohort_id, int64_t now,
    int64_t *auto_booked)
{
	struct db_stmt *st;
	int64_t course_id;
	enum err e;

	if (auto_booked != NULL)
		*auto_booked = 0;
	if ((e = course_of(db, cohort_id, &course_id)) != ERR_OK ||
	    (e = give_back(db, user_id, course_id, cohort_id, now)) != ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO step_bookings (user_id, cohort_id, "
	    "step_id, changed_at) SELECT ?1, ?2, id, ?4 FROM course_steps "
	    "WHERE course_id = ?3 ON CONFLICT (user_id, step_id) DO UPDATE "
	    "SET cohort_id = excluded.cohort_id, changed_at = "
	    "excluded.changed_at");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, cohort_id);
	db_bind_int64(st, 3, course_id);
	db_bind_int64(st, 4, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	/* The options that are their step's only one in this cohort, one
	 * at a time after the last (a full one stays unbooked: the wizard
	 * says so). */
	for (int64_t last = 0;;) {
		if ((e = next_single(db, user_id, cohort_id, &last)) != ERR_OK)
			return e == ERR_NOTFOUND ? ERR_OK : e;
		e = cohort_option_book(db, user_id, last, now);
		if (e == ERR_OK && auto_booked != NULL)
			(*auto_booked)++;
		else if (e != ERR_OK && e != ERR_CONFLICT)
			return e;
	}
}

enum err
cohort_leave(struct db *db, int64_t user_id, int64_t cohort_id, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE step_options SET booked = booked - 1, "
	    "updated_at = ?3 WHERE id IN (SELECT option_id FROM step_bookings "
	    "WHERE user_id = ?1 AND cohort_id = ?2 AND option_id IS NOT NULL)");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, cohort_id);
	db_bind_int64(st, 3, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "DELETE FROM step_bookings WHERE user_id = ? AND "
	    "cohort_id = ?");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, cohort_id);
	return db_run(st);
}
