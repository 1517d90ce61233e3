/* The demo cohorts (see seed_cohorts.h): a table of what each cohort
 * course teaches and when, loaded through step_insert, cohort_insert and
 * option_insert (no audit rows: nobody changed anything). */
#include <stddef.h>
#include <stdio.h>

#include "cohort_admin.h"
#include "db.h"
#include "option_admin.h"
#include "seed_cohorts.h"
#include "step_admin.h"
#include "tz.h"

#define DAY 86400

/* One session of a step. */
struct seed_option {
	const char *name;	/* NULL ends a step's list */
	int weekday, start, end;	/* as the option form takes them */
	int capacity;
};

/* One step and its sessions (one or two). */
struct seed_step {
	const char *label, *title;	/* NULL label ends a course */
	struct seed_option options[3];
};

/* One course's cohort. */
struct seed_course {
	const char *slug;
	const char *cohort;	/* its name */
	int starts_in, closes_in;	/* days from now */
	int capacity;
	struct seed_step steps[6];
};

#define EVE(d, n) { n, d, 18 * 60, 19 * 60 + 30, 12 }
#define MORN(d, n) { n, d, 9 * 60, 10 * 60 + 30, 12 }

static const struct seed_course courses[] = {
	{ "systems-design-cohort", "Spring cohort", 21, 14, 20, {
	    { "Week 1", "Requirements and estimates", { EVE(2,
	    "Tuesday evening"), MORN(4, "Thursday morning") } },
	    { "Week 2", "Storage and indexes", { EVE(2, "Tuesday evening") } },
	    { "Week 3", "Queues and retries", { EVE(2, "Tuesday evening"),
	    MORN(4, "Thursday morning") } },
	    { "Week 4", "Capstone presentations", { { "Saturday workshop", 6,
	    10 * 60, 13 * 60, 20 } } },
	    { NULL, NULL, { { NULL, 0, 0, 0, 0 } } } } },
	{ "data-science-bootcamp", "Summer bootcamp", 35, 28, 30, {
	    { "Week 1", "Statistics refresher", { EVE(1, "Monday evening") } },
	    { "Week 2", "Cleaning data", { EVE(1, "Monday evening"), MORN(3,
	    "Wednesday morning") } },
	    { "Week 3", "Regression models", { EVE(1, "Monday evening"),
	    MORN(3, "Wednesday morning") } },
	    { "Week 4", "Final project kick-off", { EVE(1,
	    "Monday evening") } },
	    { NULL, NULL, { { NULL, 0, 0, 0, 0 } } } } },
	{ "algorithms-live", "Autumn cohort", 30, 25, 40, {
	    { "Week 1", "Sorting and searching", { EVE(3,
	    "Wednesday evening"), MORN(6, "Saturday morning") } },
	    { "Week 2", "Graphs and shortest paths", { EVE(3,
	    "Wednesday evening") } },
	    { "Week 3", "Dynamic programming", { EVE(3, "Wednesday evening"),
	    MORN(6, "Saturday morning") } },
	    { NULL, NULL, { { NULL, 0, 0, 0, 0 } } } } },
};

/* The id of the course slug, or 0 when the seed has none. */
static enum err
course_id_of(struct db *db, const char *slug, int64_t *id)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM courses WHERE slug = "
	    "?1");
	enum err e;

	*id = 0;
	db_bind_text(st, 1, slug);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Adds step s of the course with its sessions in cohort. */
static enum err
seed_step(struct db *db, int64_t course, int64_t cohort,
    const struct seed_step *s, int64_t now)
{
	struct option_edit f = { 0 };
	enum option_field bad;
	int64_t id;
	enum err e;

	if ((e = step_insert(db, course, s->label, s->title, &f.step_id)) !=
	    ERR_OK)
		return e;
	for (const struct seed_option *o = s->options; o->name != NULL; o++) {
		f.name = o->name;
		f.weekday = o->weekday;
		f.start_minute = o->start;
		f.end_minute = o->end;
		f.capacity = o->capacity;
		f.meeting_url = "";
		if ((e = option_insert(db, cohort, &f, now, &id, &bad)) !=
		    ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Adds course c's steps and its open cohort. */
static enum err
seed_course(struct db *db, const struct seed_course *c, int64_t now)
{
	struct cohort_edit f = { 0 };
	enum cohort_field bad;
	char day[11];
	int64_t course, cohort;
	enum err e;

	if ((e = course_id_of(db, c->slug, &course)) != ERR_OK || course == 0)
		return e;
	tz_format_day(now + (int64_t)c->starts_in * DAY, day);
	f.name = c->cohort;
	f.starts_on = day;
	/* Enrollment closes at the start of a local day. */
	f.enroll_deadline = tz_day_start(now + (int64_t)c->closes_in * DAY);
	f.capacity = c->capacity;
	f.is_active = 1;
	if ((e = cohort_insert(db, course, &f, now, &cohort, &bad)) != ERR_OK)
		return e;
	for (const struct seed_step *s = c->steps; s->label != NULL; s++)
		if ((e = seed_step(db, course, cohort, s, now)) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
seed_cohorts(struct db *db, int64_t now)
{
	enum err e;

	for (size_t i = 0; i < sizeof(courses) / sizeof(courses[0]); i++)
		if ((e = seed_course(db, &courses[i], now)) != ERR_OK)
			return e;
	return ERR_OK;
}
