/* Deleting an account (GDPR article 17).  The person goes: name, email,
 * password hash, sessions, cart, links, enrollments, team memberships
 * (and a team they own alone), the mail addressed to
 * them and the throttle's rows of their address, and their Stripe
 * customer (deleted through the API by the caller first).  What the
 * school must keep for its books stays: orders, order lines, coupon
 * redemptions, refunds and audit entries with their amounts, tied to the
 * numbered shell of the users row ("deleted user #N"). */
#ifndef ENROLL_ERASURE_H
#define ENROLL_ERASURE_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

/* One table's part of a deletion. */
struct erasure_step {
	const char *table;	/* its name; NULL ends the list */
	const char *sql;	/* deletes its rows of user ?1, address ?2 */
};

/* The tables whose rows about the person a deletion removes, and those it
 * keeps for the books (NULL-terminated).  Every table that refers to
 * users is in one of them (t/unit/test_personal_data.c checks). */
extern const struct erasure_step erasure_deleted[];
extern const char *const erasure_kept[];

/* What must happen before an account can go. */
enum erasure_block {
	ERASURE_OK,		/* nothing stands in the way */
	ERASURE_PENDING_PAYMENT,/* a checkout may still be paid */
	ERASURE_LAST_ADMIN,	/* the store would have no administrator */
	ERASURE_TEAM_OWNER,	/* owns a team with other members */
	ERASURE_BLOCK_MAX
};

/* Sets *why to what stands in the way of deleting user_id and, for a
 * pending payment, *order_id to its order. */
enum err erasure_check(struct db *db, int64_t user_id,
    enum erasure_block *why, int64_t *order_id);

/* Sets *customer (arena) to user_id's Stripe customer, or NULL. */
enum err erasure_customer(struct db *db, struct arena *a, int64_t user_id,
    char **customer);

/* Deletes user_id at now in one transaction, after checking again that
 * nothing stands in the way (ERR_CONFLICT with *why set), and writes an
 * audit entry naming only the number (and that the Stripe customer
 * customer, if not NULL, was deleted).  ERR_NOTFOUND when there is no such
 * live account. */
enum err erasure_run(struct db *db, int64_t user_id, const char *customer,
    int64_t now, enum erasure_block *why);

#endif
