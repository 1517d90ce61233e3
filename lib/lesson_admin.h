/* The admin's lessons of a course: add one at the end, edit it, move it
 * up or down, delete it.  Positions stay 1..n without gaps (a lesson's
 * URL is its position), unique at every step.  Each change is one
 * transaction with its audit row (before and after). */
#ifndef ENROLL_LESSON_ADMIN_H
#define ENROLL_LESSON_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define LESSON_TITLE_MAX 200
#define LESSON_BODY_MAX (64 * 1024)

/* What the lesson form edits. */
struct lesson_edit {
	const char *title;	/* one line, not empty */
	const char *body;	/* CommonMark, may be empty */
	int64_t minutes;	/* duration, >= 0 */
	int is_preview;		/* open to everyone before buying */
};

/* One lesson as the admin sees it. */
struct lesson_admin {
	int64_t id;		/* lessons.id */
	int64_t course_id;	/* its course */
	int64_t position;	/* 1-based */
	struct lesson_edit f;	/* its fields (arena strings) */
};

/* Lists course_id's lessons in order into *out (arena), *n of them. */
enum err lesson_admin_list(struct db *db, struct arena *a, int64_t course_id,
    struct lesson_admin **out, size_t *n);

/* Fills *l with lesson id.  ERR_NOTFOUND when none. */
enum err lesson_admin_get(struct db *db, struct arena *a, int64_t id,
    struct lesson_admin *l);

/* Adds a lesson after the last of course_id.  *id gets it.  ERR_NOTFOUND
 * when there is no such course. */
enum err lesson_admin_add(struct db *db, int64_t actor, int64_t course_id,
    const struct lesson_edit *f, int64_t now, int64_t *id);

/* Replaces lesson id's fields.  ERR_NOTFOUND. */
enum err lesson_admin_update(struct db *db, int64_t actor, int64_t id,
    const struct lesson_edit *f, int64_t now);

/* Swaps lesson id with its neighbour above (up 1) or below (up 0); the
 * first cannot go up nor the last down (ERR_INVALID, nothing changed). */
enum err lesson_admin_move(struct db *db, int64_t actor, int64_t id, int up,
    int64_t now);

/* Deletes lesson id (and what students marked of it); the lessons after
 * it move up one place.  *course_id gets its course. */
enum err lesson_admin_delete(struct db *db, int64_t actor, int64_t id,
    int64_t now, int64_t *course_id);

#endif
