/* Reading the audit log (/admin/audit): newest first, a page at a time by
 * key, filtered by a person (who made the change, or the account it was
 * made to), an action (or its beginning: "enrollment."), a subject and a
 * range of times; each row's before and after JSON objects turned into a
 * list of "field: old -> new" for people to read. */
#ifndef ENROLL_AUDIT_QUERY_H
#define ENROLL_AUDIT_QUERY_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;
struct cJSON;

#define AUDIT_PAGE 50		/* rows on one page */

struct audit_filter {
	int64_t person;		/* users.id, 0: anyone */
	const char *action;	/* beginning of the action, NULL: any */
	const char *subject;	/* the subject exactly, NULL: any */
	int64_t from;		/* at >= from (UTC seconds), 0: no bound */
	int64_t until;		/* at < until, 0: no bound */
	int64_t before;		/* id < before (the key), 0: the newest */
};

/* Adds the rows of f to array as {id, at, actor_id, actor (email, "" for
 * the store itself), action, subject, subject_url and
 * subject_name (the account's name, for "user:<id>"),
 * detail, changes [{field, old, new}]}; sets *last to the id of the last
 * row and *more to 1 when older rows follow.  JSON belongs to array. */
enum err audit_query(struct db *db, struct arena *a,
    const struct audit_filter *f, struct cJSON *array, int64_t *last,
    int *more);

/* Sets *id to the account using email (normalised).  ERR_NOTFOUND when
 * there is none. */
enum err audit_person_of(struct db *db, const char *email, int64_t *id);

#endif
