/* Demo data for `make run` and the tests. */
#ifndef ENROLL_SEED_H
#define ENROLL_SEED_H

#include "err.h"

struct db;

/* Loads sql/seed_demo.sql and the demo cohorts (lib/seed_cohorts.c) into
 * a migrated database that has no courses, in one transaction.  Sets *seeded to 1 when it did, 0 when the catalog
 * already had courses (then nothing changes). */
enum err seed_demo(struct db *db, int *seeded);

#endif
