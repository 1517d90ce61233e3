/* A cohort's roster (see cohort_roster.h): one statement gives a page of
 * students crossed with the course's steps, their booking of each on the
 * side, ordered by student then step; the rows are folded into students
 * here. */
#include <string.h>

#include "buf.h"
#include "cohort_roster.h"
#include "csv.h"
#include "db.h"
#include "session_when.h"
#include "tz.h"

/* Appends the current row's step to s, or starts the next student. */
static enum err
roster_row(struct arena *a, struct db_stmt *st, struct roster_student **out,
    size_t *n, size_t *cap, size_t *steps_cap)
{
	struct roster_student *s = *n > 0 ? &(*out)[*n - 1] : NULL;
	struct roster_booking *b;

	if (s == NULL || s->enrollment_id != db_col_int64(st, 0)) {
		if ((s = arena_push(a, (void **)out, n, cap, sizeof(*s))) ==
		    NULL)
			return ERR_INTERNAL;
		s->enrollment_id = db_col_int64(st, 0);
		s->user_id = db_col_int64(st, 1);
		s->granted_at = db_col_int64(st, 4);
		*steps_cap = 0;
		if ((s->name = db_col_text_dup(a, st, 2)) == NULL ||
		    (s->email = db_col_text_dup(a, st, 3)) == NULL)
			return ERR_INTERNAL;
	}
	if (db_col_is_null(st, 5))
		return ERR_OK;	/* a course without steps */
	if ((b = arena_push(a, (void **)&s->steps, &s->nsteps, steps_cap,
	    sizeof(*b))) == NULL)
		return ERR_INTERNAL;
	b->step_id = db_col_int64(st, 5);
	b->option_id = db_col_int64(st, 7);
	b->starts_at = db_col_int64(st, 9);
	b->ends_at = db_col_int64(st, 10);
	return (b->label = db_col_text_dup(a, st, 6)) != NULL &&
	    (b->option = db_col_is_null(st, 8) ? "" :
	    db_col_text_dup(a, st, 8)) != NULL ? ERR_OK : ERR_INTERNAL;
}

enum err
cohort_roster_page(struct db *db, struct arena *a, int64_t cohort_id,
    int64_t after, size_t limit, struct roster_student **out, size_t *n,
    int *more)
{
	struct db_stmt *st = db_prep(db, "SELECT e.id, u.id, u.name, u.email, "
	    "e.granted_at, s.id, s.label, coalesce(o.id, 0), o.name, "
	    "coalesce(o.starts_at, 0), coalesce(o.ends_at, 0) FROM (SELECT "
	    "x.id, x.user_id, x.granted_at FROM enrollments x WHERE "
	    "x.cohort_id = ?1 AND x.status = 'active' AND x.id > ?2 ORDER BY "
	    "x.id LIMIT ?3) e JOIN users u ON u.id = e.user_id JOIN cohorts c "
	    "ON c.id = ?1 LEFT JOIN course_steps s ON s.course_id = "
	    "c.course_id LEFT JOIN step_bookings b ON b.user_id = e.user_id "
	    "AND b.step_id = s.id AND b.cohort_id = ?1 LEFT JOIN step_options "
	    "o ON o.id = b.option_id ORDER BY e.id, s.position");
	size_t cap = 0, steps_cap = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	*more = 0;
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, after);
	db_bind_int64(st, 3, (int64_t)limit + 1);
	while ((e = db_next(st)) == ERR_OK)
		if ((e = roster_row(a, st, out, n, &cap, &steps_cap)) != ERR_OK)
			break;
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	if (*n > limit) {
		*more = 1;
		*n = limit;
	}
	return ERR_OK;
}

enum err
cohort_roster_student(struct db *db, struct arena *a, int64_t enrollment_id,
    struct roster_student *s, int64_t *cohort_id)
{
	struct db_stmt *st = db_prep(db, "SELECT cohort_id FROM enrollments "
	    "WHERE id = ?1 AND status = 'active' AND cohort_id IS NOT NULL");
	struct roster_student *v;
	size_t n;
	int more;
	enum err e;

	db_bind_int64(st, 1, enrollment_id);
	if ((e = db_next(st)) == ERR_OK)
		*cohort_id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e;
	/* The page of one that starts just before it. */
	if ((e = cohort_roster_page(db, a, *cohort_id, enrollment_id - 1, 1,
	    &v, &n, &more)) != ERR_OK)
		return e;
	if (n != 1 || v[0].enrollment_id != enrollment_id)
		return ERR_NOTFOUND;
	*s = v[0];
	return ERR_OK;
}

/* Appends the header: the student's columns, then each step's label. */
static enum err
csv_header(struct db *db, int64_t cohort_id, struct buf *out)
{
	struct db_stmt *st = db_prep(db, "SELECT s.label FROM course_steps s "
	    "JOIN cohorts c ON c.course_id = s.course_id WHERE c.id = ?1 "
	    "ORDER BY s.position");
	int ok = csv_field(out, "name", 1) == 0 && csv_field(out, "email",
	    0) == 0 && csv_field(out, "joined", 0) == 0;
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	while (ok && (e = db_next(st)) == ERR_OK)
		ok = csv_field(out, db_col_text(st, 0), 0) == 0;
	db_done(st);
	if (!ok || csv_end(out) != 0)
		return ERR_INTERNAL;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Appends student s's record: a cell per step, "not booked" or the
 * option and its session. */
static int
csv_student(struct arena *a, struct buf *out, const struct roster_student *s)
{
	char day[11], when[SESSION_WHEN_MAX];
	const char *cell;
	int ok;

	tz_format_day(s->granted_at, day);
	ok = csv_field(out, s->name, 1) == 0 && csv_field(out, s->email, 0) ==
	    0 && csv_field(out, day, 0) == 0;
	for (size_t i = 0; ok && i < s->nsteps; i++) {
		const struct roster_booking *b = &s->steps[i];

		cell = "not booked";
		if (b->option_id != 0) {
			session_when(b->starts_at, b->ends_at, when);
			cell = arena_printf(a, "%s, %s", b->option, when);
		}
		ok = cell != NULL && csv_field(out, cell, 0) == 0;
	}
	return ok && csv_end(out) == 0;
}

enum err
cohort_roster_csv(struct db *db, int64_t cohort_id, struct buf *out)
{
	struct roster_student *v;
	struct arena *a;
	int64_t after = 0;
	size_t n, i;
	int more = 1, ok = 1;
	enum err e;

	if ((e = csv_header(db, cohort_id, out)) != ERR_OK)
		return e;
	/* A page at a time, each in an arena of its own. */
	while (e == ERR_OK && ok && more) {
		if ((a = arena_new()) == NULL)
			return ERR_INTERNAL;
		e = cohort_roster_page(db, a, cohort_id, after, 500, &v, &n,
		    &more);
		for (i = 0; e == ERR_OK && ok && i < n; i++) {
			ok = csv_student(a, out, &v[i]);
			after = v[i].enrollment_id;
		}
		arena_free(a);
	}
	return e != ERR_OK ? e : ok ? ERR_OK : ERR_INTERNAL;
}
