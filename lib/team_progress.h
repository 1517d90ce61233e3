/* The progress of a team's members (issue 18), for its owner and
 * managers: for each member, each course of the team they hold an active
 * seat of, whether they started it (opened or completed a lesson), how
 * many of its lessons they completed, whether they completed it (every
 * lesson was done once: course_progress.completed_at, or a certificate)
 * and when they were last active in it; and per course, how many hold a
 * seat, started and completed.  Members come a page at a time by name
 * (the key is the name and the id of the last member shown), each page
 * one statement whatever the team's size. */
#ifndef ENROLL_TEAM_PROGRESS_H
#define ENROLL_TEAM_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct buf;
struct db;

#define TEAM_PROGRESS_PAGE 100	/* members on one page */

struct team_progress_key {
	int64_t after_id;	/* the last member shown; 0: the first page */
	const char *after_name;	/* and their name (NULL: "") */
};

/* One member and one course; a member holding no seat has one row with
 * course_id 0. */
struct team_progress_row {
	int64_t user_id;	/* users.id */
	const char *name;	/* arena ("" for a deleted account) */
	const char *email;	/* arena ("" for a deleted account) */
	const char *key_name;	/* arena: the name as stored, the key */
	int64_t course_id;	/* 0: no seat held */
	const char *course_title; /* arena, "" when none */
	int64_t lessons;	/* lessons the course has now */
	int64_t done;		/* of them, completed by the member */
	int started;		/* a lesson opened or completed */
	int completed;		/* every lesson done once, or a certificate */
	int64_t last_activity;	/* last lesson opened or marked; 0: never */
};

/* Sets *out (arena, *n rows: members by name, then id; each member's
 * courses by title) to the page of team_id's members after key; *more
 * is 1 when other members follow. */
enum err team_progress_page(struct db *db, struct arena *a, int64_t team_id,
    const struct team_progress_key *key, struct team_progress_row **out,
    size_t *n, int *more);

struct team_progress_course {
	int64_t course_id;	/* courses.id */
	const char *title;	/* arena */
	int64_t holders;	/* members holding an active seat of it */
	int64_t started;	/* of them, who started */
	int64_t completed;	/* of them, who completed */
};

/* Sets *out (arena, *n rows, by title) to the summary of each course
 * team_id's members hold active seats of. */
enum err team_progress_courses(struct db *db, struct arena *a,
    int64_t team_id, struct team_progress_course **out, size_t *n);

/* Appends every member's rows to b as CSV with a header: name, email,
 * course, started, lessons done, lessons, completed, last activity (the
 * day in the school's zone, empty when never), in the page's order, from
 * one statement. */
enum err team_progress_csv(struct db *db, struct arena *a, int64_t team_id,
    struct buf *b);

#endif
