/* Enrollments an admin changes by hand, from a person's page: grant a
 * course (source "admin", with a note saying why), revoke one (access ends
 * at once: access.h reads the status), extend one of a course with
 * access_days to a later end.  Each is one transaction with its audit row
 * ("enrollment.grant", "enrollment.revoke", "enrollment.extend" on
 * subject "user:<id>", detail "course <slug>", the enrollment's fields
 * before and after). */
#ifndef ENROLL_GRANT_H
#define ENROLL_GRANT_H

#include <stdint.h>

#include "err.h"

struct db;

#define GRANT_NOTE_MAX 500	/* bytes of an admin's note */

/* What a request came to, beyond the database's own errors. */
enum grant_result {
	GRANT_OK,		/* done */
	GRANT_NO_COURSE,	/* no course has that slug or number */
	GRANT_ALREADY,		/* the person has access to it already */
	GRANT_GONE,		/* the account was deleted */
	GRANT_REVOKED,		/* revoked already: nothing to revoke or
				   extend (grant it again) */
	GRANT_NO_LIMIT,		/* the course's access never ends */
	GRANT_NOT_LATER,	/* the new end is not after the current one */
	GRANT_RESULT_MAX
};

/* Grants the course named ref (its slug, or its number) to user_id, by
 * actor at now, with note; queues the welcome mail (links to base_url).
 * A revoked or expired enrollment comes back, counted from now.  Sets
 * *res; ERR_NOTFOUND when there is no such user. */
enum err grant_course(struct db *db, int64_t actor, int64_t user_id,
    const char *ref, const char *note, const char *base_url, int64_t now,
    enum grant_result *res);

/* Revokes enrollment id by actor at now.  Sets *res and *user_id (whose
 * it is); ERR_NOTFOUND when there is no such enrollment. */
enum err grant_revoke(struct db *db, int64_t actor, int64_t id, int64_t now,
    int64_t *user_id, enum grant_result *res);

/* Moves the end of access of enrollment id to until (later than its
 * current end), by actor at now.  Sets *res and *user_id. */
enum err grant_extend(struct db *db, int64_t actor, int64_t id,
    int64_t until, int64_t now, int64_t *user_id, enum grant_result *res);

/* Sets *user_id to whose enrollment id is.  ERR_NOTFOUND: none. */
enum err grant_owner(struct db *db, int64_t id, int64_t *user_id);

/* Returns what r means to the admin, in plain words (static). */
const char *grant_message(enum grant_result r);

#endif
