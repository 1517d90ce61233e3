/* A student's library: every course they were ever enrolled in, with
 * where they stand (access.h decides) and how far they got, read in one
 * indexed query (a covering index: 200 enrollments are 200 index steps
 * and a course each), for the dashboard, My courses and the progress page.
 * Filters and summaries are computed over that list in C, so the status
 * of an enrollment is always the one access_decide() gives. */
#ifndef ENROLL_LIBRARY_H
#define ENROLL_LIBRARY_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "arena.h"
#include "catalog.h"
#include "err.h"

struct db;

/* What My courses filters by: each enrollment has exactly one. */
enum library_status {
	LIBRARY_ACTIVE,		/* open now, not completed yet */
	LIBRARY_COMPLETED,	/* completed (open or not, unless voided) */
	LIBRARY_REFUNDED,	/* refunded, disputed or revoked */
	LIBRARY_EXPIRED,	/* access_days ran out before completion */
	LIBRARY_STATUS_MAX
};

struct library_entry {
	struct course course;	/* what cards show: id, slug, title, type,
				   level, price, currency, is_active,
				   lesson_count; its other text is "" */
	enum course_type type;	/* the course's type */
	struct access access;	/* the student's standing now */
	enum library_status status; /* derived from access and progress */
	int64_t last_activity_at; /* last lesson opened or marked; 0 */
	int64_t completed_at;	/* 0: not completed */
};

/* Returns "active", ... and the label people read ("Active"). */
const char *library_status_name(enum library_status s);
const char *library_status_label(enum library_status s);

/* Sets *s from its name; returns 0 when name is none of them. */
int library_status_of(const char *name, enum library_status *s);

/* Reads user_id's library at now, newest enrollment first, into *out
 * (arena, *n entries). */
enum err library_scan(struct db *db, struct arena *a, int64_t user_id,
    int64_t now, struct library_entry **out, size_t *n);

/* The same for the limit entries after the first offset only (a page of
 * an unfiltered list); *more tells whether entries follow. */
enum err library_scan_page(struct db *db, struct arena *a, int64_t user_id,
    int64_t now, int64_t offset, int limit, struct library_entry **out,
    size_t *n, int *more);

struct library_summary {
	int64_t enrolled;	/* courses open now through an enrollment */
	int64_t in_progress;	/* of them, started and not completed */
	int64_t completed;	/* completed and not voided */
	struct {
		int64_t enrolled;	/* as above, of this type */
		int64_t completed;
	} by_type[COURSE_TYPE_MAX];
};

/* Counts the entries of a library into *s. */
void library_summarise(const struct library_entry *e, size_t n,
    struct library_summary *s);

/* Filters a library in place: keeps the entries of type (COURSE_TYPE_MAX:
 * any) and status (LIBRARY_STATUS_MAX: any), in order; returns how many
 * are kept. */
size_t library_filter(struct library_entry *e, size_t n,
    enum course_type type, enum library_status status);

/* Chooses up to max entries for "continue learning": courses open now and
 * not completed, the most recently active first, then those never
 * started, newest enrollment first.  Writes their indexes into idx and
 * returns how many. */
size_t library_continue(const struct library_entry *e, size_t n,
    size_t *idx, size_t max);

/* Chooses up to max completed (not voided) entries, newest completion
 * first; writes their indexes into idx and returns how many. */
size_t library_recent_completions(const struct library_entry *e, size_t n,
    size_t *idx, size_t max);

/* Sets *out to what user_id spent, per currency (paid and partly
 * refunded orders, less refunds): up to max (currency, amount) pairs in
 * cur (4 bytes each) and amount; *n counts them.  Strings are copied. */
enum err library_spent(struct db *db, int64_t user_id, char (*cur)[4],
    int64_t *amount, size_t max, size_t *n);

#endif
