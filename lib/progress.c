/* Progress (see progress.h).  Lessons done are rows of lesson_progress,
 * counted through the course's lessons (lessons_course_position, then one
 * primary-key probe each), so a lesson deleted from a course drops out of
 * its count by itself; course_progress keeps the last lesson opened and
 * the completion. */
#include <string.h>

#include "access.h"
#include "certificate.h"
#include "db.h"
#include "progress.h"

int
progress_percent(int64_t done, int64_t count)
{
	if (count <= 0 || done <= 0)
		return 0;
	if (done >= count)
		return 100;
	return (int)(done * 100 / count);
}

enum err
progress_counts(struct db *db, int64_t user_id, int64_t course_id,
    struct progress *out)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT count(*), count(p.lesson_id), "
	    "coalesce(min(CASE WHEN p.lesson_id IS NULL THEN l.position END), "
	    "0) FROM lessons l LEFT JOIN lesson_progress p ON "
	    "p.user_id = ?1 AND p.lesson_id = l.id WHERE l.course_id = ?2");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) == ERR_OK) {
		out->lesson_count = db_col_int64(st, 0);
		out->done = db_col_int64(st, 1);
		out->next_position = db_col_int64(st, 2);
		out->percent = progress_percent(out->done, out->lesson_count);
	}
	db_done(st);
	return e;
}

enum err
progress_get(struct db *db, int64_t user_id, int64_t course_id,
    struct progress *out)
{
	struct db_stmt *st;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = progress_counts(db, user_id, course_id, out)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT coalesce(cp.last_lesson_id, 0), "
	    "coalesce(l.position, 0), cp.last_activity_at, "
	    "coalesce(cp.completed_at, 0) FROM course_progress cp "
	    "LEFT JOIN lessons l ON l.id = cp.last_lesson_id "
	    "WHERE cp.user_id = ?1 AND cp.course_id = ?2");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) == ERR_OK) {
		out->last_lesson_id = db_col_int64(st, 0);
		out->last_position = db_col_int64(st, 1);
		out->last_activity_at = db_col_int64(st, 2);
		out->completed_at = db_col_int64(st, 3);
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
progress_outline(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, struct lesson **out, size_t *n)
{
	struct db_stmt *st;
	enum err e;

	if ((e = catalog_lessons(db, a, course_id, out, n)) != ERR_OK ||
	    user_id <= 0 || *n == 0)
		return e;
	st = db_prep(db, "SELECT l.position FROM lessons l JOIN "
	    "lesson_progress p ON p.user_id = ?1 AND p.lesson_id = l.id "
	    "WHERE l.course_id = ?2 ORDER BY l.position");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	/* Both lists are in position order: one merge pass. */
	for (size_t i = 0; (e = db_next(st)) == ERR_OK;) {
		while (i < *n && (*out)[i].position < db_col_int64(st, 0))
			i++;
		if (i < *n && (*out)[i].position == db_col_int64(st, 0))
			(*out)[i].done = 1;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
progress_lesson_done(struct db *db, int64_t user_id, int64_t lesson_id,
    int *done)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT 1 FROM lesson_progress WHERE user_id = ? "
	    "AND lesson_id = ?");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, lesson_id);
	e = db_next(st);
	db_done(st);
	*done = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
progress_opened(struct db *db, int64_t user_id, int64_t course_id,
    int64_t lesson_id, int64_t now)
{
	struct db_stmt *st;

	st = db_prep(db, "INSERT INTO course_progress (user_id, course_id, "
	    "last_lesson_id, last_activity_at) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (user_id, course_id) DO UPDATE SET "
	    "last_lesson_id = excluded.last_lesson_id, "
	    "last_activity_at = excluded.last_activity_at");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, lesson_id);
	db_bind_int64(st, 4, now);
	return db_run(st);
}

/* Finds the id of lesson position of course_id. */
static enum err
lesson_id_at(struct db *db, int64_t course_id, int64_t position,
    int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT id FROM lessons WHERE course_id = ? AND "
	    "position = ?");
	db_bind_int64(st, 1, course_id);
	db_bind_int64(st, 2, position);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e;
}

/* Sets the lesson's row for done, and *changed when it was otherwise. */
static enum err
set_done(struct db *db, int64_t user_id, int64_t lesson_id, int done,
    int64_t now, int *changed)
{
	struct db_stmt *st;
	enum err e;

	if (done) {
		st = db_prep(db, "INSERT INTO lesson_progress (user_id, "
		    "lesson_id, completed_at) VALUES (?1, ?2, ?3) "
		    "ON CONFLICT (user_id, lesson_id) DO NOTHING");
		db_bind_int64(st, 3, now);
	} else {
		st = db_prep(db, "DELETE FROM lesson_progress WHERE "
		    "user_id = ?1 AND lesson_id = ?2");
	}
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, lesson_id);
	if ((e = db_run(st)) == ERR_OK)
		*changed = db_changes(db) > 0;
	return e;
}

/* Completes course_id for user_id when every lesson is done and it was
 * not completed before; *now_complete tells whether this call did. */
static enum err
maybe_complete(struct db *db, int64_t user_id, int64_t course_id,
    int64_t now, int *now_complete)
{
	struct progress p = { 0 };
	struct db_stmt *st;
	enum err e;

	*now_complete = 0;
	if ((e = progress_counts(db, user_id, course_id, &p)) != ERR_OK ||
	    p.lesson_count == 0 || p.done < p.lesson_count)
		return e;
	st = db_prep(db, "UPDATE course_progress SET completed_at = ?3 "
	    "WHERE user_id = ?1 AND course_id = ?2 AND completed_at IS NULL");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, now);
	if ((e = db_run(st)) != ERR_OK || db_changes(db) == 0)
		return e;
	*now_complete = 1;
	return certificate_issue(db, user_id, course_id, now);
}

enum err
progress_mark(struct db *db, int64_t user_id, int64_t course_id,
    int64_t position, int done, int64_t now, struct mark_result *out)
{
	struct access acc;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = access_check(db, user_id, course_id, now, &acc)) != ERR_OK)
		goto out;
	if (!access_owned(&acc)) {
		e = ERR_FORBIDDEN;
		goto out;
	}
	if ((e = lesson_id_at(db, course_id, position, &out->lesson_id)) !=
	    ERR_OK || (e = set_done(db, user_id, out->lesson_id, done, now,
	    &out->changed)) != ERR_OK)
		goto out;
	if (!out->changed)
		goto out;	/* nothing to write: e is ERR_OK */
	if ((e = progress_opened(db, user_id, course_id, out->lesson_id,
	    now)) != ERR_OK)
		goto out;
	if (done && (e = maybe_complete(db, user_id, course_id, now,
	    &out->completed_now)) != ERR_OK)
		goto out;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}
