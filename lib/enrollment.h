/* Enrollments: who has access to which course.  One row per (user,
 * course); purchases grant through fulfil.h, free courses here. */
#ifndef ENROLL_ENROLLMENT_H
#define ENROLL_ENROLLMENT_H

#include <stdint.h>

#include "arena.h"
#include "catalog.h"
#include "err.h"

struct db;

enum enroll_free_result {
	ENROLL_FREE_OK,		/* enrolled now */
	ENROLL_FREE_ALREADY,	/* already had access */
	ENROLL_FREE_NOT_FREE,	/* the course costs money: use the cart */
	ENROLL_FREE_NOT_ON_SALE,/* inactive course */
};

/* Enrolls user_id in the free course course_id, in one transaction,
 * queuing a welcome mail.  ERR_NOTFOUND when there is no such course. */
enum err enrollment_free(struct db *db, int64_t user_id, int64_t course_id,
    const char *base_url, enum enroll_free_result *res);

/* Queues the welcome mail of user_id to course_id (once per user and
 * course, whatever grants the access), in the caller's transaction. */
enum err enrollment_queue_welcome(struct db *db, int64_t user_id,
    int64_t course_id, const char *base_url);

#endif
