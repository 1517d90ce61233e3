/* The admin's side of the catalog: courses listed by search, type,
 * active flag and sort, a page at a time by key; a course created,
 * edited, deleted (only when never ordered nor granted) or given a cover.
 * Every change is one transaction with its audit row (before and after).
 * Orders are never touched: their items froze title and price at
 * checkout, so an edit changes carts only. */
#ifndef ENROLL_COURSE_ADMIN_H
#define ENROLL_COURSE_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define COURSE_ADMIN_PAGE 50	/* courses on one page of the list */

/* What the course form edits. */
struct course_edit {
	const char *title;	/* one line, not empty */
	const char *slug;	/* [a-z0-9-], unique */
	const char *summary;	/* one line, may be empty */
	const char *description;/* CommonMark, may be empty */
	const char *type;	/* a course_type name */
	const char *level;	/* beginner, intermediate, advanced */
	const char *instructor;	/* display name, may be empty */
	int64_t price_amount;	/* minor units, >= 0 */
	const char *currency;	/* three lower-case letters */
	int is_active;		/* on sale */
	int64_t access_days;	/* days of access after purchase, 0: forever */
};

/* One course as the admin sees it. */
struct course_admin {
	int64_t id;		/* courses.id */
	struct course_edit f;	/* its editable fields (arena strings) */
	const char *cover;	/* below the media folder, "" for none */
	const char *cover_alt;	/* the cover in words */
	int64_t lesson_count;	/* lessons */
	int64_t orders;		/* order items naming it, any status */
	int64_t enrollments;	/* enrollments in it, any status */
};

enum course_sort { COURSE_SORT_TITLE, COURSE_SORT_NEWEST, COURSE_SORT_PRICE,
    COURSE_SORT_MAX };

struct course_admin_query {
	const char *search;	/* words of the title or a slug's start, or
				   NULL */
	const char *type;	/* a course type, or NULL for all */
	int active;		/* 1 on sale, 0 not, -1 either */
	enum course_sort sort;	/* order of the list */
	int64_t after;		/* id of the last course of the previous
				   page, 0 for the first */
};

/* Returns the sort called name ("title", "newest", "price"), or
 * COURSE_SORT_MAX; and its name. */
enum course_sort course_sort_of(const char *name);
const char *course_sort_name(enum course_sort s);

/* Returns 1 when name is a level. */
int course_level_valid(const char *name);

/* Lists up to COURSE_ADMIN_PAGE courses into *out (arena), *n of them;
 * *more is 1 when another page follows (its key is the last id). */
enum err course_admin_list(struct db *db, struct arena *a,
    const struct course_admin_query *q, struct course_admin **out,
    size_t *n, int *more);

/* Fills *c with course id (arena strings).  ERR_NOTFOUND when none. */
enum err course_admin_get(struct db *db, struct arena *a, int64_t id,
    struct course_admin *c);

/* Creates a course from f, renders its description, writes the audit row
 * by actor: one transaction.  *id gets the new id.  ERR_CONFLICT when the
 * slug is taken. */
enum err course_admin_create(struct db *db, int64_t actor,
    const struct course_edit *f, int64_t now, int64_t *id);

/* Replaces course id's fields with f (same rules).  ERR_NOTFOUND,
 * ERR_CONFLICT (slug taken). */
enum err course_admin_update(struct db *db, int64_t actor, int64_t id,
    const struct course_edit *f, int64_t now);

/* Deletes course id and its lessons.  ERR_CONFLICT, and nothing changed,
 * when it was ever ordered or granted: deactivate it instead. */
enum err course_admin_delete(struct db *db, int64_t actor, int64_t id,
    int64_t now);

/* Sets course id's cover (a path cover_store returned, or NULL to remove
 * it) and its alt text.  ERR_NOTFOUND. */
enum err course_admin_set_cover(struct db *db, int64_t actor, int64_t id,
    const char *cover, const char *alt, int64_t now);

#endif
