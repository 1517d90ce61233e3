/* A student's booking rows of a cohort (issue 19): one per step of the
 * course, made unbooked when they get a place, and every step with a
 * single option booked at once; given back when they leave the cohort.
 * Each function is one step of the caller's transaction (a move by an
 * admin, later the fulfilment of a paid cohort) and leaves the audit row
 * to it. */
#ifndef ENROLL_COHORT_BOOKINGS_H
#define ENROLL_COHORT_BOOKINGS_H

#include <stdint.h>

#include "err.h"

struct db;

/* Makes user_id's unbooked rows for the steps of cohort_id's course they
 * have none for (a step added since they joined). */
enum err cohort_bookings_rows(struct db *db, int64_t user_id,
    int64_t cohort_id, int64_t now);

/* Makes user_id's rows for every step of cohort_id's course (rows they
 * have already stay), then books each step that has exactly one option in
 * the cohort and is still unbooked, when that option has room (a full one
 * stays unbooked: the student chooses later).  *booked (may be NULL)
 * counts the steps booked here. */
enum err cohort_bookings_open(struct db *db, int64_t user_id,
    int64_t cohort_id, int64_t now, int64_t *booked);

/* Gives back user_id's bookings of cohort_id: each booked option's count
 * goes down, and the rows are deleted. */
enum err cohort_bookings_release(struct db *db, int64_t user_id,
    int64_t cohort_id, int64_t now);

#endif
