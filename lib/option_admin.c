/* The admin's session options of a cohort (see option_admin.h).  The
 * instants are computed here, in C, by lib/cohort_time.c in the school's
 * zone, never in SQL.  Each change is one BEGIN IMMEDIATE transaction
 * (db_begin): the bookings counted before an update cannot grow under it
 * on SQLite's single writer; PostgreSQL needs SELECT ... FOR UPDATE on the
 * option's row there (the CHECK booked <= capacity stays the last guard). */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "cohort_time.h"
#include "db.h"
#include "db_rows.h"
#include "option_admin.h"

#define OA_COLS "SELECT o.id, o.cohort_id, o.step_id, o.name, o.weekday, " \
	"o.start_minute, o.end_minute, o.capacity, o.meeting_url, " \
	"s.position, s.label, s.title, o.starts_at, o.ends_at, o.booked " \
	"FROM step_options o JOIN course_steps s ON s.id = o.step_id "

int
option_minutes_parse(const char *s)
{
	int h, m, n = 0;

	if (s == NULL || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5 ||
	    s[5] != '\0' || s[2] != ':' || h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	return h * 60 + m;
}

void
option_minutes_format(int minutes, char out[6])
{
	unsigned m = minutes < 0 ? 0 : minutes > COHORT_DAY_MINUTES ?
	    COHORT_DAY_MINUTES : (unsigned)minutes;

	snprintf(out, 6, "%02u:%02u", (m / 60) % 100, m % 60);
}

int
option_url_valid(const char *s)
{
	size_t host;

	if (s == NULL || *s == '\0')
		return 1;
	if (strncmp(s, "https://", 8) != 0 || strlen(s) > OPTION_URL_MAX ||
	    strpbrk(s, " \t\"<>\\") != NULL)
		return 0;
	host = strcspn(s + 8, "/?#");
	return host > 0 && s[8] != '.' && s[8] != ':';
}

static enum err
option_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct option_admin *o = elem;

	o->id = db_col_int64(st, 0);
	o->cohort_id = db_col_int64(st, 1);
	o->f.step_id = db_col_int64(st, 2);
	o->f.name = db_col_text_dup(a, st, 3);
	o->f.weekday = (int)db_col_int64(st, 4);
	o->f.start_minute = (int)db_col_int64(st, 5);
	o->f.end_minute = (int)db_col_int64(st, 6);
	o->f.capacity = db_col_int64(st, 7);
	o->f.meeting_url = db_col_text_dup(a, st, 8);
	o->step_position = db_col_int64(st, 9);
	o->step_label = db_col_text_dup(a, st, 10);
	o->step_title = db_col_text_dup(a, st, 11);
	o->starts_at = db_col_int64(st, 12);
	o->ends_at = db_col_int64(st, 13);
	o->booked = db_col_int64(st, 14);
	return o->f.name != NULL && o->f.meeting_url != NULL &&
	    o->step_label != NULL && o->step_title != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
option_admin_list(struct db *db, struct arena *a, int64_t cohort_id,
    struct option_admin **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, OA_COLS "WHERE o.cohort_id = ?1 "
	    "ORDER BY s.position, o.starts_at, o.id");

	db_bind_int64(st, 1, cohort_id);
	return db_rows(st, a, option_row, sizeof(**out), (void **)out, n);
}

enum err
option_admin_get(struct db *db, struct arena *a, int64_t id,
    struct option_admin *o)
{
	struct db_stmt *st = db_prep(db, OA_COLS "WHERE o.id = ?1");

	db_bind_int64(st, 1, id);
	return db_row(st, a, option_row, o);
}

/* Returns the audit snapshot of option id, or NULL (*e says why).  Caller
 * frees with cJSON_Delete. */
static cJSON *
option_snapshot(struct db *db, int64_t id, enum err *e)
{
	struct arena *a = arena_new();
	struct option_admin o;
	cJSON *j = NULL;

	*e = a != NULL ? option_admin_get(db, a, id, &o) : ERR_INTERNAL;
	if (*e == ERR_OK && ((j = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(j, "cohort_id", (double)o.cohort_id) ||
	    !cJSON_AddNumberToObject(j, "step_id", (double)o.f.step_id) ||
	    !cJSON_AddStringToObject(j, "name", o.f.name) ||
	    !cJSON_AddNumberToObject(j, "weekday", o.f.weekday) ||
	    !cJSON_AddNumberToObject(j, "start_minute", o.f.start_minute) ||
	    !cJSON_AddNumberToObject(j, "end_minute", o.f.end_minute) ||
	    !cJSON_AddNumberToObject(j, "starts_at", (double)o.starts_at) ||
	    !cJSON_AddNumberToObject(j, "ends_at", (double)o.ends_at) ||
	    !cJSON_AddNumberToObject(j, "capacity", (double)o.f.capacity) ||
	    !cJSON_AddStringToObject(j, "meeting_url", o.f.meeting_url))) {
		cJSON_Delete(j);
		j = NULL;
		*e = ERR_INTERNAL;
	}
	arena_free(a);
	return j;
}

/* Sets *starts_at and *ends_at of f's session in cohort_id: the cohort's
 * start day and the step's week.  ERR_NOTFOUND (*bad OPTION_F_STEP) when
 * the step is not of the cohort's course, ERR_INVALID (OPTION_F_START)
 * when the time falls in a gap. */
static enum err
session_of(struct db *db, int64_t cohort_id, const struct option_edit *f,
    int64_t *starts_at, int64_t *ends_at, enum option_field *bad)
{
	struct db_stmt *st = db_prep(db, "SELECT c.starts_on, s.position FROM "
	    "cohorts c JOIN course_steps s ON s.course_id = c.course_id "
	    "WHERE c.id = ?1 AND s.id = ?2");
	char starts_on[16];
	int64_t week = 0;
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, f->step_id);
	if ((e = db_next(st)) == ERR_OK) {
		snprintf(starts_on, sizeof(starts_on), "%s",
		    db_col_text(st, 0));
		week = db_col_int64(st, 1);
	}
	db_done(st);
	if (e != ERR_OK) {
		*bad = e == ERR_NOTFOUND ? OPTION_F_STEP : OPTION_F_NONE;
		return e;
	}
	if ((e = cohort_session_times(starts_on, (int)week, f->weekday,
	    f->start_minute, f->end_minute, starts_at, ends_at)) != ERR_OK)
		*bad = OPTION_F_START;
	return e;
}

enum err
option_insert(struct db *db, int64_t cohort_id, const struct option_edit *f,
    int64_t now, int64_t *id, enum option_field *bad)
{
	struct db_stmt *st;
	int64_t starts_at, ends_at;
	enum err e;

	*id = 0;
	*bad = OPTION_F_NONE;
	if ((e = session_of(db, cohort_id, f, &starts_at, &ends_at, bad)) !=
	    ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO step_options (cohort_id, step_id, name, "
	    "weekday, start_minute, end_minute, starts_at, ends_at, capacity, "
	    "meeting_url, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING id");
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, f->step_id);
	db_bind_text(st, 3, f->name);
	db_bind_int64(st, 4, f->weekday);
	db_bind_int64(st, 5, f->start_minute);
	db_bind_int64(st, 6, f->end_minute);
	db_bind_int64(st, 7, starts_at);
	db_bind_int64(st, 8, ends_at);
	db_bind_int64(st, 9, f->capacity);
	db_bind_text(st, 10, f->meeting_url != NULL ? f->meeting_url : "");
	db_bind_int64(st, 11, now);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

enum err
option_admin_add(struct db *db, int64_t actor, int64_t cohort_id,
    const struct option_edit *f, int64_t now, int64_t *id,
    enum option_field *bad)
{
	enum err e;

	*bad = OPTION_F_NONE;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = option_insert(db, cohort_id, f, now, id, bad)) != ERR_OK ||
	    (e = audit_record_commit(db, actor, "option.create", "option", *id,
	    NULL, option_snapshot, now)) != ERR_OK) {
		db_rollback(db);
		*id = 0;
	}
	return e;
}

/* Checks an update of o to f against its bookings (read in the update's
 * transaction). */
static enum err
update_allowed(const struct option_admin *o, const struct option_edit *f,
    enum option_field *bad)
{
	if (o->booked > 0 && f->step_id != o->f.step_id) {
		*bad = OPTION_F_STEP;
		return ERR_CONFLICT;
	}
	if (f->capacity < o->booked) {
		*bad = OPTION_F_CAPACITY;
		return ERR_CONFLICT;
	}
	return ERR_OK;
}

enum err
option_admin_update(struct db *db, int64_t actor, int64_t id,
    const struct option_edit *f, int64_t now, enum option_field *bad)
{
	struct arena *a = arena_new();
	struct option_admin o;
	struct db_stmt *st;
	int64_t starts_at, ends_at;
	cJSON *before = NULL;
	enum err e;

	*bad = OPTION_F_NONE;
	if (a == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = option_admin_get(db, a, id, &o)) != ERR_OK ||
	    (before = option_snapshot(db, id, &e)) == NULL ||
	    (e = update_allowed(&o, f, bad)) != ERR_OK ||
	    (e = session_of(db, o.cohort_id, f, &starts_at, &ends_at, bad)) !=
	    ERR_OK)
		goto out;
	st = db_prep(db, "UPDATE step_options SET step_id = ?2, name = ?3, "
	    "weekday = ?4, start_minute = ?5, end_minute = ?6, starts_at = ?7, "
	    "ends_at = ?8, capacity = ?9, meeting_url = ?10, updated_at = ?11 "
	    "WHERE id = ?1");
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, f->step_id);
	db_bind_text(st, 3, f->name);
	db_bind_int64(st, 4, f->weekday);
	db_bind_int64(st, 5, f->start_minute);
	db_bind_int64(st, 6, f->end_minute);
	db_bind_int64(st, 7, starts_at);
	db_bind_int64(st, 8, ends_at);
	db_bind_int64(st, 9, f->capacity);
	db_bind_text(st, 10, f->meeting_url != NULL ? f->meeting_url : "");
	db_bind_int64(st, 11, now);
	if ((e = db_run(st)) == ERR_OK)
		e = audit_record_commit(db, actor, "option.update", "option",
		    id, before, option_snapshot, now);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	arena_free(a);
	return e;
}

enum err
option_admin_delete(struct db *db, int64_t actor, int64_t id, int64_t now,
    int64_t *cohort_id)
{
	struct arena *a = arena_new();
	struct option_admin o;
	struct db_stmt *st;
	cJSON *before = NULL;
	enum err e;

	*cohort_id = 0;
	if (a == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = option_admin_get(db, a, id, &o)) != ERR_OK ||
	    (before = option_snapshot(db, id, &e)) == NULL)
		goto out;
	*cohort_id = o.cohort_id;
	/* A booking row naming it blocks too, whatever the counter says. */
	st = db_prep(db, "DELETE FROM step_options WHERE id = ?1 AND booked = 0 "
	    "AND NOT EXISTS (SELECT 1 FROM step_bookings b WHERE b.option_id = "
	    "?1)");
	db_bind_int64(st, 1, id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	if (db_changes(db) != 1) {
		e = ERR_CONFLICT;
		goto out;
	}
	e = audit_record_commit(db, actor, "option.delete", "option", id,
	    before, NULL, now);
out:
	cJSON_Delete(before);
	if (e != ERR_OK)
		db_rollback(db);
	arena_free(a);
	return e;
}

/* One option's inputs to its times, as option_retime reads them. */
struct retime_row {
	int64_t id;		/* step_options.id */
	char starts_on[11];	/* its cohort's start day */
	int week, weekday, start, end;	/* its step's week and its times */
	int64_t starts_at, ends_at;	/* as stored */
};

static enum err
retime_row_read(struct arena *a, struct db_stmt *st, void *elem)
{
	struct retime_row *r = elem;

	r->id = db_col_int64(st, 0);
	snprintf(r->starts_on, sizeof(r->starts_on), "%s", db_col_text(st, 1));
	r->week = (int)db_col_int64(st, 2);
	r->weekday = (int)db_col_int64(st, 3);
	r->start = (int)db_col_int64(st, 4);
	r->end = (int)db_col_int64(st, 5);
	r->starts_at = db_col_int64(st, 6);
	r->ends_at = db_col_int64(st, 7);
	return ERR_OK;
}

/* Stores option r's new times when they changed; counts it in *moved. */
static enum err
retime_one(struct db *db, const struct retime_row *r, int64_t now,
    int64_t *moved)
{
	struct db_stmt *st;
	int64_t s, e2;
	enum err e;

	if ((e = cohort_session_times(r->starts_on, r->week, r->weekday,
	    r->start, r->end, &s, &e2)) != ERR_OK)
		return e;
	if (s == r->starts_at && e2 == r->ends_at)
		return ERR_OK;
	st = db_prep(db, "UPDATE step_options SET starts_at = ?2, ends_at = ?3, "
	    "updated_at = ?4 WHERE id = ?1");
	db_bind_int64(st, 1, r->id);
	db_bind_int64(st, 2, s);
	db_bind_int64(st, 3, e2);
	db_bind_int64(st, 4, now);
	(*moved)++;
	return db_run(st);
}

enum err
option_retime(struct db *db, int64_t cohort_id, int64_t step_id,
    int64_t now, int64_t *moved)
{
	struct arena *a = arena_new();
	struct retime_row *v = NULL;
	struct db_stmt *st;
	int64_t count = 0;
	size_t n = 0, i;
	enum err e;

	if (a == NULL)
		return ERR_INTERNAL;
	/* Read first, then write: no statement stays open over the table
	 * it changes. */
	st = db_prep(db, "SELECT o.id, c.starts_on, s.position, o.weekday, "
	    "o.start_minute, o.end_minute, o.starts_at, o.ends_at FROM "
	    "step_options o JOIN cohorts c ON c.id = o.cohort_id JOIN "
	    "course_steps s ON s.id = o.step_id WHERE (?1 > 0 AND o.cohort_id "
	    "= ?1) OR (?2 > 0 AND o.step_id = ?2) ORDER BY o.id");
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, step_id);
	e = db_rows(st, a, retime_row_read, sizeof(*v), (void **)&v, &n);
	for (i = 0; e == ERR_OK && i < n; i++)
		e = retime_one(db, &v[i], now, &count);
	if (moved != NULL)
		*moved = count;
	arena_free(a);
	return e;
}
