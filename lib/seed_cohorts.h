/* The demo cohorts (issue 19): the seed's cohort courses get steps and
 * one open cohort each, with a session or two per step, made through the
 * admin's own functions so the times come from lib/cohort_time.c in the
 * school's zone. */
#ifndef ENROLL_SEED_COHORTS_H
#define ENROLL_SEED_COHORTS_H

#include <stdint.h>

#include "err.h"

struct db;

/* Adds them inside the seed's transaction; the cohorts start some weeks
 * after now. */
enum err seed_cohorts(struct db *db, int64_t now);

#endif
