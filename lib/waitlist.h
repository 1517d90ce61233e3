/* The waitlist of a full cohort (issue 19): students join it in order;
 * when a place is freed (cohort_place_release) the first waiting is
 * offered it, a place held for them (cohort_places 'offered') until
 * WAITLIST_OFFER_TTL, and told by mail; an offer not taken by then is
 * released by the sweep (enrollctl expire-orders) and goes to the next in
 * line.  The offered student enrolls through checkout, whose order takes
 * the offered place (lib/order_places.c); when it is paid for, their row
 * ends 'enrolled' (waitlist_enrolled). */
#ifndef ENROLL_WAITLIST_H
#define ENROLL_WAITLIST_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define WAITLIST_OFFER_TTL (48 * 60 * 60)	/* seconds an offer holds */

/* Why a student may not join a cohort's waitlist. */
enum waitlist_refusal {
	WAITLIST_OK,
	WAITLIST_NOT_FULL,	/* places left: buy one instead */
	WAITLIST_INACTIVE,	/* the cohort takes no students */
	WAITLIST_PAST_DEADLINE,	/* enrollment has closed */
	WAITLIST_HAS_COURSE,	/* already a student of the course */
	WAITLIST_ALREADY,	/* already waiting or offered a place */
	WAITLIST_REFUSAL_MAX
};

/* The sentence for r, for the student. */
const char *waitlist_refusal_message(enum waitlist_refusal r);

/* Puts user_id on cohort_id's waitlist at now, in its own transaction.
 * ERR_CONFLICT with *why when refused, ERR_NOTFOUND for no such
 * cohort. */
enum err waitlist_join(struct db *db, int64_t cohort_id, int64_t user_id,
    int64_t now, enum waitlist_refusal *why);

/* Takes user_id off cohort_id's waitlist (row 'left'), in its own
 * transaction; a place offered to them is released and so offered to the
 * next in line.  ERR_NOTFOUND when they were neither waiting nor
 * offered. */
enum err waitlist_leave(struct db *db, int64_t cohort_id, int64_t user_id,
    int64_t now);

/* Offers a free place of cohort_id to the first waiting student (by id):
 * holds it for them until now + WAITLIST_OFFER_TTL, marks their row
 * 'offered' and queues their mail.  Does nothing when no place is free
 * or nobody waits.  A step of the caller's transaction (called at the end
 * of cohort_place_release): never begins one.  The mail's link uses
 * ENROLL_BASE_URL (config_load), as the callers of a release carry no
 * configuration. */
enum err waitlist_offer_next(struct db *db, int64_t cohort_id, int64_t now);

/* user_id has paid for a place in cohort_id: their live row (waiting or
 * offered) ends 'enrolled'.  No row (an offer made by hand, or never on
 * the waitlist) is no error.  A step of the caller's transaction. */
enum err waitlist_enrolled(struct db *db, int64_t cohort_id,
    int64_t user_id);

/* Expires the offers not taken by now: each in its own transaction, the
 * row 'expired' and its place released (so offered to the next).  Safe to
 * run twice at once: a row changes only from 'offered'.  *n counts the
 * offers expired by this call. */
enum err waitlist_expire_offers(struct db *db, int64_t now, int *n);

/* One waitlist row, with what pages show of it (strings in the arena). */
struct waitlist_entry {
	int64_t id, cohort_id, course_id, user_id;
	char *cohort_name, *course_title, *course_slug;
	char *user_name, *user_email;	/* waitlist_of_cohort only */
	char *status;		/* waiting, offered, enrolled, expired, left */
	int64_t created_at;
	int64_t offer_expires_at;	/* 0: no offer */
	int64_t position;	/* place in line while waiting, else 0 */
};

/* user_id's waitlist rows, newest first, into *out (arena, *n). */
enum err waitlist_of_user(struct db *db, struct arena *a, int64_t user_id,
    struct waitlist_entry **out, size_t *n);

/* cohort_id's waitlist in order of joining (at most limit rows after
 * after_id: a page by key), into *out (arena, *n). */
enum err waitlist_of_cohort(struct db *db, struct arena *a,
    int64_t cohort_id, int64_t after_id, int limit,
    struct waitlist_entry **out, size_t *n);

/* A cohort as its waitlist page shows it to user_id (strings in the
 * arena). */
struct waitlist_cohort {
	int64_t id, course_id;
	char *name, *course_title, *course_slug;
	int is_full;		/* every place held */
	int open;		/* active and its deadline not passed */
	int waiting;		/* user_id waits or was offered a place */
};

/* Reads cohort_id for user_id at now into *c.  ERR_NOTFOUND for no such
 * cohort. */
enum err waitlist_cohort_get(struct db *db, struct arena *a,
    int64_t cohort_id, int64_t user_id, int64_t now,
    struct waitlist_cohort *c);

/* Whether user_id waits for (or was offered) a place in cohort_id. */
enum err waitlist_is_waiting(struct db *db, int64_t cohort_id,
    int64_t user_id, int *waiting);

#endif
