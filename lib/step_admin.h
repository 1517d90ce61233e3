/* The admin's steps of a cohort course (issue 19): step n is taught in
 * week n of every cohort, so a step's place is its week.  Add one at the
 * end, edit its label and title, move it up or down (its sessions and its
 * neighbour's move to their new weeks in every cohort), delete it while
 * no cohort offers sessions for it.  Positions stay 1..n.  Each change is
 * one transaction with its audit row (before and after). */
#ifndef ENROLL_STEP_ADMIN_H
#define ENROLL_STEP_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define STEP_LABEL_MAX 40
#define STEP_TITLE_MAX 200

/* One step as the admin sees it. */
struct step_admin {
	int64_t id;		/* course_steps.id */
	int64_t course_id;	/* its course */
	int64_t position;	/* 1-based: its week */
	const char *label;	/* "Week 1" (arena) */
	const char *title;	/* what it teaches (arena) */
	int64_t options;	/* session options of any cohort */
	int64_t bookings;	/* students' booking rows of it */
};

/* Lists course_id's steps in order into *out (arena), *n of them. */
enum err step_admin_list(struct db *db, struct arena *a, int64_t course_id,
    struct step_admin **out, size_t *n);

/* Fills *s with step id.  ERR_NOTFOUND when none. */
enum err step_admin_get(struct db *db, struct arena *a, int64_t id,
    struct step_admin *s);

/* Inserts a step after the last of course_id, inside the caller's
 * transaction and without an audit row (the demo seed).  ERR_NOTFOUND when
 * there is no such course. */
enum err step_insert(struct db *db, int64_t course_id, const char *label,
    const char *title, int64_t *id);

/* Adds a step after the last of course_id (step_insert) with its audit
 * row by actor.  *id gets it. */
enum err step_admin_add(struct db *db, int64_t actor, int64_t course_id,
    const char *label, const char *title, int64_t now, int64_t *id);

/* Replaces step id's label and title.  ERR_NOTFOUND. */
enum err step_admin_update(struct db *db, int64_t actor, int64_t id,
    const char *label, const char *title, int64_t now);

/* Swaps step id with its neighbour above (up 1) or below (up 0), and
 * computes again the times of both steps' sessions in every cohort.
 * ERR_INVALID, nothing changed, for the first up or the last down;
 * ERR_CONFLICT when a session would fall in a daylight-saving gap on its
 * new day. */
enum err step_admin_move(struct db *db, int64_t actor, int64_t id, int up,
    int64_t now);

/* Deletes step id; the steps after it move up one week with their
 * sessions.  ERR_CONFLICT, nothing changed, when a cohort offers
 * sessions of it or a student has a booking row for it (*options and
 * *bookings say how many), or when a later step's session would fall in
 * a daylight-saving gap on its new day (both 0).  *course_id gets its
 * course. */
enum err step_admin_delete(struct db *db, int64_t actor, int64_t id,
    int64_t now, int64_t *course_id, int64_t *options, int64_t *bookings);

#endif
