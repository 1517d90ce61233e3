/* Seat utilisation (issue 18): for each team and course, the seats bought
 * (net of refunds), those held by an active assignment, those held by an
 * invitation not yet accepted, and those free; the share in use is
 * active / bought.  The admin's report lists every team's rows a page at
 * a time with totals per course; a team's page in the admin lists its
 * own.  "Held" is active + invited (lib/seat.h), so free = bought - held. */
#ifndef ENROLL_SEAT_REPORT_H
#define ENROLL_SEAT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct buf;
struct db;

#define SEAT_REPORT_PAGE 200	/* rows of the report on one page */

struct seat_row {
	int64_t team_id;	/* teams.id */
	const char *team_name;	/* arena */
	int64_t course_id;	/* courses.id */
	const char *course_title; /* arena */
	int64_t bought;		/* seats, net of refunds */
	int64_t active;		/* held by someone with access */
	int64_t invited;	/* held by an invitation waiting */
	int64_t free;		/* bought - active - invited */
	int64_t teams;		/* a total: teams with seats of the course */
};

struct seat_report_query {
	int64_t course_id;	/* only this course; 0: every course */
	int64_t team_id;	/* only this team; 0: every team */
	int64_t after_course;	/* the key of the last row shown: course, */
	int64_t after_team;	/* then team (0, 0: the first page) */
	size_t limit;		/* rows wanted; 0: all (the CSV) */
};

/* Lists the rows of q, by course id then team id, into *out (arena, *n
 * rows); *more is 1 when rows follow (never with limit 0). */
enum err seat_report_rows(struct db *db, struct arena *a,
    const struct seat_report_query *q, struct seat_row **out, size_t *n,
    int *more);

/* Sets *out (arena, *n rows) to the totals per course of q's course
 * filter (team_id and the key are ignored), by course title; team_name
 * is NULL and teams counts the teams. */
enum err seat_report_totals(struct db *db, struct arena *a,
    const struct seat_report_query *q, struct seat_row **out, size_t *n);

/* The share of bought seats in use, in tenths of a percent, rounded to
 * the nearest tenth with halves up (2 of 3: 667); -1 when none were
 * bought. */
int64_t seat_report_permille(int64_t active, int64_t bought);

/* Appends the rows of q (its limit ignored: every row) to b as CSV with
 * a header: team id, team, course id, course, bought, active, invited,
 * free, utilisation (percent with one decimal, empty when none bought). */
enum err seat_report_csv(struct db *db, struct arena *a,
    const struct seat_report_query *q, struct buf *b);

#endif
