/* The admin's cohorts of a course (issue 19): listed by start a page at a
 * time by key, created, edited (a new start day moves every session to
 * its new day; the capacity never below the places held), deleted only
 * while nobody ever held a place (deactivate otherwise).  Each change is
 * one transaction with its audit row (before and after). */
#ifndef ENROLL_COHORT_ADMIN_H
#define ENROLL_COHORT_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define COHORT_ADMIN_PAGE 50	/* cohorts on one page of a course's list */
#define COHORT_NAME_MAX 100
#define COHORT_CAPACITY_MAX 100000

/* The course a cohort belongs to, as its pages name it. */
struct cohort_course {
	int64_t id;		/* courses.id */
	const char *title;	/* arena */
	int is_cohort;		/* course_type 'cohort': it runs cohorts */
};

/* What the cohort form edits. */
struct cohort_edit {
	const char *name;	/* one line, unique in the course */
	const char *starts_on;	/* "YYYY-MM-DD", the school's zone */
	int64_t enroll_deadline;/* UTC seconds */
	int64_t capacity;	/* places, >= held */
	int is_active;		/* taking students */
};

/* One cohort as the admin sees it. */
struct cohort_admin {
	int64_t id;		/* cohorts.id */
	int64_t course_id;	/* its course */
	struct cohort_edit f;	/* its fields (arena strings) */
	int64_t held;		/* places held: paid, reserved, offered */
	int64_t students;	/* active enrollments in it */
	int64_t options;	/* session options */
	int64_t ever_held;	/* places ever held, released or not */
};

/* Which field of the cohort form a refusal belongs beside. */
enum cohort_field {
	COHORT_F_NONE,
	COHORT_F_NAME,		/* another cohort of the course has it */
	COHORT_F_STARTS_ON,	/* a session would fall in a gap */
	COHORT_F_CAPACITY,	/* below the places held */
	COHORT_F_MAX
};

/* Fills *c with course_id.  ERR_NOTFOUND when none. */
enum err cohort_course_get(struct db *db, struct arena *a, int64_t course_id,
    struct cohort_course *c);

/* Lists up to COHORT_ADMIN_PAGE of course_id's cohorts by start day then
 * id, after the cohort (after_on, after_id) of the previous page (after_id
 * 0: the first page), into *out (arena); *more is 1 when another page
 * follows. */
enum err cohort_admin_list(struct db *db, struct arena *a, int64_t course_id,
    const char *after_on, int64_t after_id, struct cohort_admin **out,
    size_t *n, int *more);

/* Fills *c with cohort id.  ERR_NOTFOUND when none. */
enum err cohort_admin_get(struct db *db, struct arena *a, int64_t id,
    struct cohort_admin *c);

/* Inserts a cohort of course_id inside the caller's transaction, without
 * an audit row (the demo seed).  ERR_CONFLICT (*bad COHORT_F_NAME) when
 * the course has a cohort of that name, ERR_NOTFOUND when there is no
 * such course. */
enum err cohort_insert(struct db *db, int64_t course_id,
    const struct cohort_edit *f, int64_t now, int64_t *id,
    enum cohort_field *bad);

/* Creates a cohort (cohort_insert) with its audit row by actor. */
enum err cohort_admin_create(struct db *db, int64_t actor, int64_t course_id,
    const struct cohort_edit *f, int64_t now, int64_t *id,
    enum cohort_field *bad);

/* Replaces cohort id's fields; a new start day computes again the times
 * of its sessions.  ERR_CONFLICT with *bad COHORT_F_CAPACITY (capacity
 * below the places held) or COHORT_F_NAME, ERR_INVALID with
 * COHORT_F_STARTS_ON (a session in a gap): nothing changed.  *moved
 * counts the sessions that moved (may be NULL). */
enum err cohort_admin_update(struct db *db, int64_t actor, int64_t id,
    const struct cohort_edit *f, int64_t now, enum cohort_field *bad,
    int64_t *moved);

/* Deletes cohort id and its options.  ERR_CONFLICT, nothing changed, when
 * anyone ever held a place in it, enrolled, booked, waited, or has it in a
 * cart or an order: deactivate it instead.  *course_id gets its course. */
enum err cohort_admin_delete(struct db *db, int64_t actor, int64_t id,
    int64_t now, int64_t *course_id);

#endif
