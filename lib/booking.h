/* The booking wizard (issue 19): a cohort student's steps, each with the
 * options their cohort offers and the one they hold, and the change of
 * several bookings at once, all or nothing.  An option whose session
 * starts within BOOKING_CUTOFF can be neither chosen nor left: the
 * teacher plans the room the day before. */
#ifndef ENROLL_BOOKING_H
#define ENROLL_BOOKING_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define BOOKING_CUTOFF (24 * 60 * 60)	/* seconds before a session */

struct booking_option {
	int64_t id, step_id;
	char *name;		/* arena */
	int weekday;		/* 1 Monday .. 7 Sunday */
	int start_minute, end_minute;	/* local, after midnight */
	int64_t starts_at, ends_at;	/* UTC */
	int64_t left;		/* places left */
	char *meeting_url;	/* arena; "" unless the student booked it */
	int closed;		/* starts within the cut-off, or over */
};

struct booking_step {
	int64_t id;		/* the course step */
	int position;
	char *label, *title;	/* arena */
	int64_t booking_id;	/* the student's row, 0: none yet */
	int64_t option_id;	/* the option booked, 0: none yet */
	struct booking_option *options;	/* the cohort's, by time */
	size_t noptions;
	int locked;		/* the booked session is within the cut-off */
	int chosen;		/* booking_apply: named by the submission */
};

struct booking_plan {
	int64_t course_id, cohort_id;
	char *cohort_name, *course_title, *course_slug;	/* arena */
	struct booking_step *steps;	/* by position */
	size_t nsteps;
};

/* Loads user_id's plan for course_id at now into *p (arena).
 * ERR_NOTFOUND when they are not an active student of one of its
 * cohorts. */
enum err booking_plan_load(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, int64_t now, struct booking_plan *p);

/* Why a change was refused: the step and option it names (arena), and
 * what stood in the way. */
enum booking_refusal {
	BOOKING_OK,
	BOOKING_FULL,		/* the option has no place left */
	BOOKING_CLOSED,		/* a session within the cut-off */
	BOOKING_UNKNOWN,	/* not an option of the student's cohort */
	BOOKING_REFUSAL_MAX
};

struct booking_problem {
	enum booking_refusal why;
	const char *step_label, *option_name;	/* NULL for BOOKING_UNKNOWN */
};

/* Writes the sentence for pr into out (size bytes), naming the step. */
void booking_problem_text(const struct booking_problem *pr, char *out,
    size_t size);

/* Books the n options for user_id in course_id (each for its own step),
 * in one transaction: when one is refused nothing changes, *pr says which
 * and why and the result is ERR_CONFLICT (ERR_NOTFOUND: not a student of
 * a cohort of the course).  *changed (may be NULL) counts the bookings
 * made or moved. */
enum err booking_apply(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, const int64_t *options, size_t n, int64_t now,
    struct booking_problem *pr, size_t *changed);

#endif
