/* The figures on the admin home page: how many people and courses the
 * store has, today's sales (today in the school's zone), the orders
 * waiting for an admin's review and the newest accounts. */
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

struct cJSON;

#define OVERVIEW_LIST_MAX 5	/* rows of each list on the home page */

/* Adds to ctx: "sales" [{currency, orders, amount (money)}] of orders paid
 * since the start of now's day in the school's zone (tz.h), whatever
 * happened to them since; "review" [{id, number, reason, total (money),
 * email, created_at}], the newest orders flagged for review, and
 * "review_more" when there are others; "signups" [{id, email, name,
 * created_at}], the newest accounts.  The JSON belongs to ctx. */
enum err overview_home(struct db *db, int64_t now, struct cJSON *ctx);

#endif
