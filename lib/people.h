/* The admin's list of people: every account, a page at a time by key
 * (never OFFSET), newest first, oldest first or by name, or only those
 * whose address or name begins with what the admin typed.  Each shows
 * whether its address is confirmed, whether it is disabled and how many
 * orders it has.  A deleted account is listed as the numbered shell the
 * books keep ("deleted user #N") and is never found by a search. */
#ifndef ENROLL_PEOPLE_H
#define ENROLL_PEOPLE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define PEOPLE_PAGE 50		/* accounts on one page */
#define PEOPLE_QUERY_MAX 100	/* bytes of a search term */

enum people_sort {
	PEOPLE_NEWEST,		/* id descending (the default) */
	PEOPLE_OLDEST,		/* id ascending */
	PEOPLE_NAME,		/* name A-Z whatever the case, then id */
	PEOPLE_SORT_MAX
};

struct people_query {
	const char *q;		/* beginning of an address or a name, or
				   NULL / "": everyone */
	enum people_sort sort;	/* order of the list */
	int64_t after_id;	/* the key of the last row shown: its id, */
	const char *after_name;	/* and for PEOPLE_NAME its name; 0 / NULL:
				   the first page */
};

struct person {
	int64_t id;		/* users.id */
	const char *email;	/* arena; "" for a deleted account */
	const char *name;	/* arena; "" for a deleted account */
	int is_admin;		/* role admin */
	int64_t verified_at;	/* when the address was confirmed, or 0 */
	int64_t created_at;	/* when the account was made */
	int64_t deleted_at;	/* when it was deleted, or 0 */
	int64_t orders;		/* its orders, whatever their state */
	int64_t disabled_at;	/* when an admin disabled it, or 0 */
	const char *key_name;	/* arena; the name as stored, even for a
				   deleted account: the key of PEOPLE_NAME */
};

/* Lists up to PEOPLE_PAGE accounts after pq's key into *out (arena) and
 * *n; *more is 1 when others follow. */
enum err people_list(struct db *db, struct arena *a,
    const struct people_query *pq, struct person **out, size_t *n,
    int *more);

/* Returns the sort named s ("newest", "oldest", "name"), or -1. */
int people_sort_of(const char *s);

/* Returns the name of sort s, for links. */
const char *people_sort_name(enum people_sort s);

#endif
