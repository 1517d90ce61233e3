/* The course catalog: listing with type filter, title search and
 * pagination, one course by slug, and its lesson outline.  Results live in
 * the caller's arena. */
#ifndef ENROLL_CATALOG_H
#define ENROLL_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "err.h"

struct db;

enum course_type { COURSE_SELF_PACED, COURSE_COHORT, COURSE_WORKSHOP,
    COURSE_TYPE_MAX };

struct course {
	int64_t id;		/* courses.id */
	const char *slug;	/* URL name */
	const char *title;	/* display title */
	const char *summary;	/* one line for lists */
	const char *description;/* paragraph for the course page */
	const char *type;	/* "self_paced", "cohort", "workshop" */
	const char *level;	/* "beginner", "intermediate", "advanced" */
	const char *instructor;	/* display name */
	int64_t price_amount;	/* minor units; 0 is free */
	const char *currency;	/* lower-case ISO code */
	int is_active;		/* on sale */
	int64_t capacity;	/* places for cohorts/workshops, 0: unlimited */
	int64_t starts_at;	/* unix seconds, 0: self-paced */
	int64_t enroll_deadline;/* unix seconds, 0: none */
	int64_t lesson_count;	/* lessons in the outline */
	int64_t total_minutes;	/* sum of lesson durations */
	const char *cover;	/* image below the media folder, "" for none */
	const char *cover_alt;	/* the image in words */
};

struct lesson {
	int64_t id;		/* lessons.id */
	int64_t position;	/* 1-based order in the course */
	const char *title;	/* display title */
	int64_t minutes;	/* duration */
	int is_preview;		/* free to watch before buying */
	int done;		/* marked complete by the viewer (progress.h);
				   0 from the catalog's own functions */
};

struct catalog_query {
	const char *type;	/* course type filter, or NULL for all */
	const char *search;	/* words to find in titles, or NULL */
	int64_t page;		/* 1-based page */
	int per_page;		/* courses per page */
};

/* Returns the name of type t ("self_paced"...) and its label ("Self-paced"). */
const char *course_type_name(enum course_type t);
const char *course_type_label(const char *name);

/* Returns 1 when name is a known course type. */
int course_type_valid(const char *name);

/* Returns the type called name, or COURSE_TYPE_MAX for none. */
enum course_type course_type_of(const char *name);

/* Lists active courses by title.  *out (arena) gets up to per_page
 * courses, *n their count, *has_more whether another page follows. */
enum err catalog_list(struct db *db, struct arena *a,
    const struct catalog_query *q, struct course **out, size_t *n,
    int *has_more);

/* Fills *c with the course named slug (active or not: callers decide).
 * ERR_NOTFOUND when there is none.  Strings live in the arena. */
enum err catalog_get(struct db *db, struct arena *a, const char *slug,
    struct course *c);

/* Same, by id. */
enum err catalog_get_by_id(struct db *db, struct arena *a, int64_t id,
    struct course *c);

/* Lists the lessons of course_id in order into *out (arena). */
enum err catalog_lessons(struct db *db, struct arena *a, int64_t course_id,
    struct lesson **out, size_t *n);

/* Fills *l with lesson position of course_id (not its body: see
 * content.h).  ERR_NOTFOUND when there is none. */
enum err catalog_lesson_at(struct db *db, struct arena *a, int64_t course_id,
    int64_t position, struct lesson *l);

/* Turns free text into a prefix query of every word for kind's engine
 * ("sec ess" becomes FTS5's "\"sec\"* \"ess\"*", to_tsquery's
 * "'sec':* & 'ess':*"), or NULL when it has no words.  Arena memory. */
char *catalog_fts_query(struct arena *a, const char *text,
    enum db_kind kind);

#endif
