/* The admin's session options of a cohort (issue 19): for each step, one
 * or more live sessions, each on a weekday and between local times of
 * the school's zone, with its own capacity and meeting link.  Its
 * instants (starts_at, ends_at) are computed by lib/cohort_time.c from
 * the cohort's start day and the step's week, here when the option is
 * saved and again whenever the start day or the step's week changes.
 * Each change is one transaction with its audit row (before and after). */
#ifndef ENROLL_OPTION_ADMIN_H
#define ENROLL_OPTION_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define OPTION_NAME_MAX 100
#define OPTION_URL_MAX 500
#define OPTION_CAPACITY_MAX 100000

/* What the option form edits. */
struct option_edit {
	int64_t step_id;	/* a step of the cohort's course */
	const char *name;	/* "Tuesday evening" */
	int weekday;		/* 1 Monday .. 7 Sunday */
	int start_minute;	/* after local midnight, 0..1439 */
	int end_minute;		/* after start_minute, <= 1440 */
	int64_t capacity;	/* >= booked, > 0 */
	const char *meeting_url;/* https URL, or "" */
};

/* One option as the admin sees it. */
struct option_admin {
	int64_t id;		/* step_options.id */
	int64_t cohort_id;	/* its cohort */
	struct option_edit f;	/* its fields (arena strings) */
	int64_t step_position;	/* its step's week */
	const char *step_label;	/* its step's label (arena) */
	const char *step_title;	/* its step's title (arena) */
	int64_t starts_at;	/* the session, UTC seconds */
	int64_t ends_at;	/* its end */
	int64_t booked;		/* students booked */
};

/* Which field of the option form a refusal belongs beside. */
enum option_field {
	OPTION_F_NONE,
	OPTION_F_STEP,		/* not a step of the course; or booked */
	OPTION_F_START,		/* the time falls in a daylight-saving gap */
	OPTION_F_CAPACITY,	/* below the bookings */
	OPTION_F_MAX
};

/* Reads "HH:MM" (what <input type="time"> sends) into minutes after
 * midnight; -1 when it is not such a time. */
int option_minutes_parse(const char *s);

/* Writes minutes after midnight as "HH:MM" into out (6 bytes). */
void option_minutes_format(int minutes, char out[6]);

/* Returns 1 when s is "" or an https URL with a host, no spaces. */
int option_url_valid(const char *s);

/* Lists cohort_id's options by step and time into *out (arena). */
enum err option_admin_list(struct db *db, struct arena *a, int64_t cohort_id,
    struct option_admin **out, size_t *n);

/* Fills *o with option id.  ERR_NOTFOUND when none. */
enum err option_admin_get(struct db *db, struct arena *a, int64_t id,
    struct option_admin *o);

/* Inserts an option of cohort_id with its computed times, inside the
 * caller's transaction and without an audit row (the demo seed).
 * ERR_NOTFOUND (*bad OPTION_F_STEP) when the step is not of the cohort's
 * course; ERR_INVALID (*bad OPTION_F_START) when the time falls in a gap
 * on the session's day. */
enum err option_insert(struct db *db, int64_t cohort_id,
    const struct option_edit *f, int64_t now, int64_t *id,
    enum option_field *bad);

/* Adds an option (option_insert) with its audit row by actor. */
enum err option_admin_add(struct db *db, int64_t actor, int64_t cohort_id,
    const struct option_edit *f, int64_t now, int64_t *id,
    enum option_field *bad);

/* Replaces option id's fields and times.  As option_insert, and
 * ERR_CONFLICT with *bad OPTION_F_CAPACITY when the capacity is below
 * the bookings, OPTION_F_STEP when booked students would change step.
 * ERR_NOTFOUND (*bad OPTION_F_NONE) when there is no such option. */
enum err option_admin_update(struct db *db, int64_t actor, int64_t id,
    const struct option_edit *f, int64_t now, enum option_field *bad);

/* Deletes option id.  ERR_CONFLICT, nothing changed, when a student has
 * it booked.  *cohort_id gets its cohort. */
enum err option_admin_delete(struct db *db, int64_t actor, int64_t id,
    int64_t now, int64_t *cohort_id);

/* Computes again the times of every option of cohort_id (when > 0) or of
 * step_id (when > 0, in every cohort), from the start days and weeks
 * stored now, inside the caller's transaction; *moved counts those that
 * changed (may be NULL).  ERR_INVALID when one falls in a gap. */
enum err option_retime(struct db *db, int64_t cohort_id, int64_t step_id,
    int64_t now, int64_t *moved);

#endif
