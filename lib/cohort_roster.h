/* A cohort's roster for the admin (issue 19): its students (active
 * enrollments in it) in the order they joined, a page at a time by key,
 * each with every step of the course and the session booked for it, or
 * none; the same as CSV; and one student's row for their page. */
#ifndef ENROLL_COHORT_ROSTER_H
#define ENROLL_COHORT_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct buf;
struct db;

#define ROSTER_PAGE 50		/* students on one page */

/* One step of a student: the option booked, or none (option_id 0). */
struct roster_booking {
	int64_t step_id;	/* course_steps.id */
	const char *label;	/* the step's label (arena) */
	int64_t option_id;	/* step_options.id, 0: not booked */
	const char *option;	/* its name, "" when not booked (arena) */
	int64_t starts_at;	/* its session, 0 when not booked */
	int64_t ends_at;	/* its end */
};

/* One student of a cohort. */
struct roster_student {
	int64_t enrollment_id;	/* enrollments.id: the roster's key */
	int64_t user_id;	/* users.id */
	const char *name;	/* arena */
	const char *email;	/* arena */
	int64_t granted_at;	/* when they joined the course */
	struct roster_booking *steps;	/* in the course's order (arena) */
	size_t nsteps;		/* how many */
};

/* Lists up to limit students of cohort_id enrolled after enrollment
 * after (0: from the first) into *out (arena); *more is 1 when others
 * follow. */
enum err cohort_roster_page(struct db *db, struct arena *a,
    int64_t cohort_id, int64_t after, size_t limit,
    struct roster_student **out, size_t *n, int *more);

/* Fills *s with the student of enrollment_id and *cohort_id with their
 * cohort.  ERR_NOTFOUND when it is not an active enrollment in a
 * cohort. */
enum err cohort_roster_student(struct db *db, struct arena *a,
    int64_t enrollment_id, struct roster_student *s, int64_t *cohort_id);

/* Appends the whole roster of cohort_id to out as CSV: name, email,
 * joined (the school's day), then a column per step with the session
 * booked ("Tuesday evening, Tue 23 Mar 2027, 18:00–19:30 Europe/Paris")
 * or "not booked". */
enum err cohort_roster_csv(struct db *db, int64_t cohort_id,
    struct buf *out);

#endif
