/* Certificates of completion.  Issued once, when a student completes a
 * course (progress.h), with the student's name and the course's title as
 * they were then and a random code of 128 bits that is the public
 * verification URL, /certificates/<code>: anyone with the link can check
 * it, nobody can guess one.  Validity is not stored but read from the
 * enrollment each time: a refunded, disputed or revoked enrollment voids
 * the certificate (and a new purchase restores it); access that merely
 * expired does not, since the course was completed. */
#ifndef ENROLL_CERTIFICATE_H
#define ENROLL_CERTIFICATE_H

#include <stdint.h>

#include "access.h"
#include "arena.h"
#include "err.h"

struct db;

#define CERTIFICATE_CODE_LEN 32		/* lower-case hex characters */

struct certificate {
	int64_t id;		/* certificates.id */
	const char *code;	/* CERTIFICATE_CODE_LEN hex characters */
	int64_t user_id;	/* the student */
	int64_t course_id;	/* the course completed */
	const char *student_name; /* as it was at issue */
	const char *course_title; /* as it was at issue */
	const char *course_slug;/* for links */
	const char *instructor;	/* the course's instructor now */
	int64_t issued_at;	/* the completion */
	int valid;		/* the enrollment behind it stands */
	enum access_reason reason; /* the student's standing (why not) */
};

/* Issues the certificate of user_id for course_id at now, inside the
 * caller's transaction; a second call changes nothing. */
enum err certificate_issue(struct db *db, int64_t user_id, int64_t course_id,
    int64_t now);

/* Fills *c (arena) from its code, with its validity at now.
 * ERR_NOTFOUND when no certificate has that code (or it is malformed). */
enum err certificate_get(struct db *db, struct arena *a, const char *code,
    int64_t now, struct certificate *c);

/* Sets *code (arena) to the code of user_id's certificate of course_id,
 * whatever its validity; ERR_NOTFOUND when there is none. */
enum err certificate_code(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, const char **code);

/* Same as certificate_get() for user_id's certificate of course_id. */
enum err certificate_of(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, int64_t now, struct certificate *c);

#endif
