/* The admin's teams (issue 18): the list, searched by the beginning of
 * the name or of any word of it whatever the case, sorted by name, newest
 * first or most seats first, a page at a time by key (never OFFSET); and
 * what a team's page shows: the team with its owner, its members, its
 * seat assignments and its orders, each list paged by its own key.  Read
 * only: nothing here changes a row. */
#ifndef ENROLL_TEAM_ADMIN_H
#define ENROLL_TEAM_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define TEAM_ADMIN_PAGE 50	/* teams, members, assignments or orders on
				   one page */
#define TEAM_ADMIN_QUERY_MAX 100 /* bytes of a search term */

enum team_admin_sort {
	TEAM_SORT_NAME,		/* name A-Z whatever the case, then id */
	TEAM_SORT_NEWEST,	/* id descending (the default) */
	TEAM_SORT_SEATS,	/* seats bought descending, then id desc. */
	TEAM_SORT_MAX
};

struct team_admin_query {
	const char *q;		/* beginning of the name or of a word of it;
				   NULL / "": every team */
	enum team_admin_sort sort; /* order of the list */
	int64_t after_id;	/* the key of the last row shown: its id, */
	const char *after_name;	/* its name (TEAM_SORT_NAME), */
	int64_t after_seats;	/* its seats (TEAM_SORT_SEATS); after_id 0:
				   the first page */
};

struct team_admin_row {
	int64_t id;		/* teams.id */
	const char *name;	/* arena */
	int64_t created_at;	/* when it was made */
	int64_t owner_id;	/* users.id of its owner */
	const char *owner_name;	/* arena; "" for a deleted account */
	const char *owner_email; /* arena; "" for a deleted account */
	int64_t members;	/* how many, the owner included */
	int64_t seats;		/* bought, every course, net of refunds */
	int64_t held;		/* of them, held (active or invited) */
};

/* Lists up to TEAM_ADMIN_PAGE teams after q's key into *out (arena) and
 * *n; *more is 1 when others follow. */
enum err team_admin_list(struct db *db, struct arena *a,
    const struct team_admin_query *q, struct team_admin_row **out,
    size_t *n, int *more);

/* Loads team id into *t (arena strings).  ERR_NOTFOUND when none. */
enum err team_admin_load(struct db *db, struct arena *a, int64_t id,
    struct team_admin_row *t);

/* The sort named s ("name", "newest", "seats"), or -1. */
int team_admin_sort_of(const char *s);
/* The name of sort s, for links. */
const char *team_admin_sort_name(enum team_admin_sort s);

struct team_admin_member {
	int64_t user_id;	/* users.id */
	const char *name, *email; /* arena; "" for a deleted account */
	const char *role;	/* "owner", "manager", "member" (static) */
	int64_t joined_at;	/* when they joined */
};

/* Up to TEAM_ADMIN_PAGE members of team_id with user_id > after, by
 * user id, into *out (arena); *more when others follow. */
enum err team_admin_members(struct db *db, struct arena *a, int64_t team_id,
    int64_t after, struct team_admin_member **out, size_t *n, int *more);

struct team_admin_assignment {
	int64_t id;		/* seat_assignments.id */
	int64_t user_id;	/* who holds it, 0: an invitation not taken */
	const char *name;	/* arena; the holder's name, or "" */
	const char *email;	/* arena; where it was given or sent */
	const char *course_title; /* arena */
	const char *status;	/* "active", "invited", "revoked" (arena) */
	int64_t since;		/* when it came to that status */
};

/* Up to TEAM_ADMIN_PAGE assignments of team_id with id < before (0: the
 * newest), newest first, into *out (arena); *more when others follow. */
enum err team_admin_assignments(struct db *db, struct arena *a,
    int64_t team_id, int64_t before, struct team_admin_assignment **out,
    size_t *n, int *more);

struct team_admin_order {
	int64_t id;		/* orders.id: the admin's order page */
	const char *number;	/* arena */
	const char *status;	/* arena */
	const char *currency;	/* arena */
	int64_t total;		/* minor units */
	int64_t refunded;	/* minor units */
	int64_t seats;		/* seats bought by its items */
	int64_t buyer_id;	/* users.id */
	const char *buyer_email; /* arena; "" for a deleted account */
	int64_t created_at;	/* when it was made */
};

/* Up to TEAM_ADMIN_PAGE orders bought for team_id (orders.team_id),
 * newest first, with id < before (0: the newest), into *out (arena);
 * *more when others follow. */
enum err team_admin_orders(struct db *db, struct arena *a, int64_t team_id,
    int64_t before, struct team_admin_order **out, size_t *n, int *more);

#endif
