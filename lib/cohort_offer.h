/* A cohort course's page (issue 19): its open cohorts (active, deadline
 * not passed) with their places left, and the "Enroll in <cohort>"
 * button's work, which puts the course in the cart for that cohort.  The
 * place itself is held at checkout (lib/order_places.c): the page and the
 * cart only say what the cohort offers now. */
#ifndef ENROLL_COHORT_OFFER_H
#define ENROLL_COHORT_OFFER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

struct cohort_open {
	int64_t id;		/* cohorts.id */
	const char *name;	/* its name */
	const char *starts_on;	/* "YYYY-MM-DD", the school's day */
	int64_t enroll_deadline;/* UTC seconds */
	int64_t places_left;	/* capacity - held, 0: full */
};

/* Lists course_id's cohorts open at now, by start (at most 50), into
 * *out (arena). */
enum err cohort_offer_list(struct db *db, struct arena *a, int64_t course_id,
    int64_t now, struct cohort_open **out, size_t *n);

/* Sets *cohort_id to the cohort course_id is in cart_id for (0: none). */
enum err cohort_offer_in_cart(struct db *db, int64_t cart_id,
    int64_t course_id, int64_t *cohort_id);

/* The button's work: puts cohort_id's course into the visitor's cart for
 * that cohort (replacing another cohort of the course).  *course_id gets
 * the course.  ERR_NOTFOUND when there is no such cohort; ERR_CONFLICT
 * with *message (static, plain words) when it is refused: the cohort is
 * inactive, past its deadline or full, or the student already has the
 * course; nothing changes then.  ERR_OK with *message saying what
 * happened otherwise. */
enum err cohort_offer_choose(struct db *db, int64_t user_id,
    const char *guest_id, int64_t cohort_id, int64_t now, int64_t *course_id,
    const char **message);

#endif
