/* The admin's list of people: every account, newest first, a page at a
 * time by key (never OFFSET), with whether its address is confirmed and
 * how many orders it has.  A deleted account is listed as the numbered
 * shell the books keep ("deleted user #N"). */
#ifndef ENROLL_PEOPLE_H
#define ENROLL_PEOPLE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define PEOPLE_PAGE 50		/* accounts on one page */

struct person {
	int64_t id;		/* users.id */
	const char *email;	/* arena; "" for a deleted account */
	const char *name;	/* arena; "" for a deleted account */
	int is_admin;		/* role admin */
	int64_t verified_at;	/* when the address was confirmed, or 0 */
	int64_t created_at;	/* when the account was made */
	int64_t deleted_at;	/* when it was deleted, or 0 */
	int64_t orders;		/* its orders, whatever their state */
};

/* Lists up to PEOPLE_PAGE accounts with ids below before (0: from the
 * newest) into *out (arena) and *n; *more is 1 when older ones follow. */
enum err people_list(struct db *db, struct arena *a, int64_t before,
    struct person **out, size_t *n, int *more);

#endif
