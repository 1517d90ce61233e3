/* A student joins a cohort's schedule (issue 19): when their place is
 * paid for (fulfilment) or an admin moves them, they get a booking row,
 * unbooked, for every step of the course, and every step the cohort
 * offers in a single option is booked for them at once.  One step of the
 * caller's transaction. */
#ifndef ENROLL_COHORT_JOIN_H
#define ENROLL_COHORT_JOIN_H

#include <stdint.h>

#include "err.h"

struct db;

/* Makes user_id's booking rows for cohort_id's steps (a row of another
 * cohort of the course for the same step is moved here, its option given
 * back) and books the single-option steps; a single option that is full
 * stays unbooked, for the student to see in the booking wizard.  Sets
 * *auto_booked (may be NULL) to how many were booked.  ERR_NOTFOUND when
 * there is no such cohort. */
enum err cohort_join(struct db *db, int64_t user_id, int64_t cohort_id,
    int64_t now, int64_t *auto_booked);

/* Gives back every option user_id has booked in cohort_id and deletes the
 * booking rows (the student left the cohort: refund, move). */
enum err cohort_leave(struct db *db, int64_t user_id, int64_t cohort_id,
    int64_t now);

#endif
