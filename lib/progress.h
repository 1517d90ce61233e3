/* Learning progress: the lessons a student marked complete, the last
 * lesson they opened, and the course's completion.  Marking is idempotent
 * (twice counts once) and needs an enrollment that gives access
 * (access.h).  A course is completed the first time every one of its
 * lessons is done; that moment is kept (and the certificate issued then
 * stays valid) even when a lesson is added later or marked not complete
 * again: the student finished the course they were given. */
#ifndef ENROLL_PROGRESS_H
#define ENROLL_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "catalog.h"
#include "err.h"

struct db;

struct progress {
	int64_t lesson_count;	/* lessons in the course now */
	int64_t done;		/* of them, marked complete */
	int percent;		/* done * 100 / lesson_count, rounded down,
				   so 100 only when every lesson is done */
	int64_t next_position;	/* first lesson not done; 0 when all are */
	int64_t last_lesson_id;	/* last lesson opened; 0: none */
	int64_t last_position;	/* its position; 0: none */
	int64_t last_activity_at; /* last lesson opened or marked; 0: never */
	int64_t completed_at;	/* first time all were done; 0: not yet */
};

/* Returns done * 100 / count rounded down (0 for an empty course). */
int progress_percent(int64_t done, int64_t count);

/* Sets the lesson_count, done, percent and next_position of *out (the
 * rest is left as it is) for user_id in course_id. */
enum err progress_counts(struct db *db, int64_t user_id, int64_t course_id,
    struct progress *out);

/* Fills *out for user_id in course_id (all zero but lesson_count and
 * next_position for a user who never started, or user_id 0). */
enum err progress_get(struct db *db, int64_t user_id, int64_t course_id,
    struct progress *out);

/* Lists the lessons of course_id in order into *out (arena), each with
 * done set for user_id (0: none done). */
enum err progress_outline(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, struct lesson **out, size_t *n);

/* Sets *done to 1 when user_id marked lesson_id complete. */
enum err progress_lesson_done(struct db *db, int64_t user_id,
    int64_t lesson_id, int *done);

/* Records that user_id opened lesson_id of course_id at now (the "last
 * lesson opened" of the dashboard).  The caller skips it when the lesson
 * is already the last one opened, so reading never writes twice. */
enum err progress_opened(struct db *db, int64_t user_id, int64_t course_id,
    int64_t lesson_id, int64_t now);

struct mark_result {
	int changed;		/* 0: it already was so (idempotent) */
	int completed_now;	/* this mark completed the course */
	int64_t lesson_id;	/* the lesson marked */
};

/* Marks lesson position of course_id complete (done 1) or not (done 0)
 * for user_id at now, in one transaction; completing the last lesson
 * completes the course and issues its certificate.  ERR_FORBIDDEN when
 * the user has no enrollment giving access now (a free course must be
 * enrolled in to keep progress); ERR_NOTFOUND when there is no such
 * lesson. */
enum err progress_mark(struct db *db, int64_t user_id, int64_t course_id,
    int64_t position, int done, int64_t now, struct mark_result *out);

#endif
