/* The figures on the admin home page: how many people and courses the
 * store has.  Reports with dates and money come with the admin issues. */
#ifndef ENROLL_OVERVIEW_H
#define ENROLL_OVERVIEW_H

#include <stdint.h>

#include "err.h"

struct db;

struct overview {
	int64_t users;		/* all accounts but deleted ones */
	int64_t admins;		/* accounts with role admin */
	int64_t courses;	/* all courses */
	int64_t active_courses;	/* courses on sale */
};

/* Fills *o.  Returns ERR_OK, ERR_BUSY or ERR_INTERNAL. */
enum err overview_counts(struct db *db, struct overview *o);

#endif
