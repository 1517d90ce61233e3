/* An admin moves a student by hand (issue 19): to another cohort of the
 * same course (a place taken there, the old one given back, the old
 * bookings released and the new cohort's steps opened, single-option
 * steps booked), or to another session of the same step in their cohort.
 * Each is one transaction with one audit row of the enrollment, before
 * and after. */
#ifndef ENROLL_COHORT_MOVE_H
#define ENROLL_COHORT_MOVE_H

#include <stdint.h>

#include "cohort_place.h"
#include "err.h"

struct db;

/* Moves the student of enrollment_id to cohort to.  ERR_NOTFOUND when
 * the enrollment is not an active one in a cohort; ERR_INVALID when to is
 * their cohort or not one of the same course; ERR_CONFLICT when to gives
 * no place (*why says why: full, inactive, closed), nothing changed. */
enum err cohort_move_student(struct db *db, int64_t actor,
    int64_t enrollment_id, int64_t to, int64_t now,
    enum cohort_refusal *why);

/* Books option_id for the student of enrollment_id, in place of the
 * session they had for its step.  ERR_NOTFOUND when the enrollment is
 * not an active one in a cohort; ERR_INVALID when the option is not of
 * their cohort; ERR_CONFLICT when it is full, nothing changed. */
enum err cohort_move_option(struct db *db, int64_t actor,
    int64_t enrollment_id, int64_t option_id, int64_t now);

#endif
