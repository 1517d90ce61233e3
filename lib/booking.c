/* The booking wizard's plan and changes (see booking.h). */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "booking.h"
#include "cohort_bookings.h"
#include "cohort_place.h"
#include "db.h"
#include "db_rows.h"

static enum err
step_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct booking_step *s = elem;

	s->id = db_col_int64(st, 0);
	s->position = (int)db_col_int64(st, 1);
	s->label = db_col_text_dup(a, st, 2);
	s->title = db_col_text_dup(a, st, 3);
	s->option_id = db_col_int64(st, 4);
	s->booking_id = db_col_int64(st, 5);
	return s->label != NULL && s->title != NULL ? ERR_OK : ERR_INTERNAL;
}

static enum err
option_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct booking_option *o = elem;

	o->id = db_col_int64(st, 0);
	o->step_id = db_col_int64(st, 1);
	o->name = db_col_text_dup(a, st, 2);
	o->weekday = (int)db_col_int64(st, 3);
	o->start_minute = (int)db_col_int64(st, 4);
	o->end_minute = (int)db_col_int64(st, 5);
	o->starts_at = db_col_int64(st, 6);
	o->ends_at = db_col_int64(st, 7);
	o->left = db_col_int64(st, 8);
	o->meeting_url = db_col_text_dup(a, st, 9);
	return o->name != NULL && o->meeting_url != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

/* The cohort of user_id's enrollment in course_id, when it gives access
 * (lib/access decides) and names one. */
static enum err
cohort_of(struct db *db, struct arena *a, int64_t user_id, int64_t course_id,
    int64_t now, struct booking_plan *p)
{
	struct access acc;
	struct db_stmt *st;
	enum err e;

	if ((e = access_check(db, user_id, course_id, now, &acc)) != ERR_OK)
		return e;
	if (!access_owned(&acc))
		return ERR_NOTFOUND;
	st = db_prep(db, "SELECT c.id, c.name, co.title, co.slug FROM "
	    "enrollments e JOIN cohorts c ON c.id = e.cohort_id JOIN courses "
	    "co ON co.id = e.course_id WHERE e.user_id = ? AND e.course_id = "
	    "? AND e.status = 'active'");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) == ERR_OK) {
		p->cohort_id = db_col_int64(st, 0);
		p->cohort_name = db_col_text_dup(a, st, 1);
		p->course_title = db_col_text_dup(a, st, 2);
		p->course_slug = db_col_text_dup(a, st, 3);
		if (p->cohort_name == NULL || p->course_title == NULL ||
		    p->course_slug == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e;
}

/* Hands each step its options (both lists come sorted: options by step
 * and time), and marks what the cut-off closes. */
static void
attach(struct booking_plan *p, struct booking_option *o, size_t n,
    int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		o[i].closed = o[i].starts_at - now < BOOKING_CUTOFF;
		for (size_t k = 0; k < p->nsteps; k++) {
			struct booking_step *s = &p->steps[k];

			if (s->id != o[i].step_id)
				continue;
			if (s->options == NULL)
				s->options = &o[i];
			s->noptions++;
			if (s->option_id == o[i].id)
				s->locked = o[i].closed;
			else
				o[i].meeting_url[0] = '\0';
		}
	}
}

enum err
booking_plan_load(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, int64_t now, struct booking_plan *p)
{
	struct booking_option *opts;
	struct db_stmt *st;
	size_t n;
	enum err e;

	memset(p, 0, sizeof(*p));
	p->course_id = course_id;
	if ((e = cohort_of(db, a, user_id, course_id, now, p)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT s.id, s.position, s.label, s.title, "
	    "coalesce(b.option_id, 0), coalesce(b.id, 0) FROM course_steps s "
	    "LEFT JOIN "
	    "step_bookings b ON b.step_id = s.id AND b.user_id = ?2 AND "
	    "b.cohort_id = ?3 WHERE s.course_id = ?1 ORDER BY s.position");
	db_bind_int64(st, 1, course_id);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, p->cohort_id);
	if ((e = db_rows(st, a, step_row, sizeof(*p->steps),
	    (void **)&p->steps, &p->nsteps)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT id, step_id, name, weekday, start_minute, "
	    "end_minute, starts_at, ends_at, capacity - booked, meeting_url "
	    "FROM step_options WHERE cohort_id = ? ORDER BY step_id, "
	    "starts_at, id");
	db_bind_int64(st, 1, p->cohort_id);
	if ((e = db_rows(st, a, option_row, sizeof(*opts), (void **)&opts,
	    &n)) != ERR_OK)
		return e;
	attach(p, opts, n, now);
	return ERR_OK;
}

void
booking_problem_text(const struct booking_problem *pr, char *out,
    size_t size)
{
	switch (pr->why) {
	case BOOKING_FULL:
		snprintf(out, size, "%s: %s has no place left. Choose another "
		    "option, or book this step later.", pr->step_label,
		    pr->option_name);
		break;
	case BOOKING_CLOSED:
		snprintf(out, size, "%s: bookings close a day before the "
		    "session, so %s can no longer be chosen or left.",
		    pr->step_label, pr->option_name);
		break;
	case BOOKING_UNKNOWN:
		snprintf(out, size, "One of the options chosen is not offered "
		    "to your cohort. Reload the page and choose again.");
		break;
	default:
		out[0] = '\0';
	}
}

/* The option id of p and its step, or NULL. */
static struct booking_option *
find_option(const struct booking_plan *p, int64_t id,
    struct booking_step **step)
{
	for (size_t k = 0; k < p->nsteps; k++)
		for (size_t i = 0; i < p->steps[k].noptions; i++)
			if (p->steps[k].options[i].id == id) {
				*step = &p->steps[k];
				return &p->steps[k].options[i];
			}
	return NULL;
}

/* One option of the submission, checked against the plan and booked. */
static enum err
apply_one(struct db *db, int64_t user_id, struct booking_plan *p,
    int64_t id, int64_t now, struct booking_problem *pr, size_t *changed)
{
	struct booking_step *s = NULL;
	struct booking_option *o = find_option(p, id, &s);
	struct booking_step *held;
	enum err e;

	/* One choice per step: a form sends one select for each. */
	if (o == NULL || s->chosen) {
		pr->why = BOOKING_UNKNOWN;
		return ERR_CONFLICT;
	}
	s->chosen = 1;
	pr->step_label = s->label;
	pr->option_name = o->name;
	if (s->option_id == id)
		return ERR_OK;
	if (o->closed || s->locked) {
		pr->why = BOOKING_CLOSED;
		if (s->locked)
			pr->option_name = find_option(p, s->option_id,
			    &held)->name;
		return ERR_CONFLICT;
	}
	if ((e = cohort_option_book(db, user_id, id, now)) == ERR_CONFLICT)
		pr->why = BOOKING_FULL;
	if (e == ERR_OK)
		(*changed)++;
	return e;
}

enum err
booking_apply(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, const int64_t *options, size_t n, int64_t now,
    struct booking_problem *pr, size_t *changed)
{
	struct booking_plan p;
	size_t count = 0;
	enum err e;

	memset(pr, 0, sizeof(*pr));
	/* One writer from here: the plan read and the changes are one
	 * snapshot (PostgreSQL: the option counters' conditional UPDATEs
	 * decide, as here). */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	e = booking_plan_load(db, a, user_id, course_id, now, &p);
	/* A step added to the course since they joined has no row yet. */
	if (e == ERR_OK)
		e = cohort_bookings_rows(db, user_id, p.cohort_id, now);
	for (size_t i = 0; e == ERR_OK && i < n; i++)
		e = apply_one(db, user_id, &p, options[i], now, pr, &count);
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	if ((e = db_commit(db)) == ERR_OK && changed != NULL)
		*changed = count;
	return e;
}
