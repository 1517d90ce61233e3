/* admin: a cohort's session options: added on the cohort's page, edited
 * on their own (/admin/options/<id>), deleted while nobody booked them.
 * Weekday and times are typed in the school's zone; the session's day
 * and instants follow from the cohort's start and the step's week. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "cohort_admin.h"
#include "form_page.h"
#include "option_admin.h"
#include "session_when.h"
#include "step_admin.h"
#include "tz.h"
#include "user.h"

static const char *const option_refill[] = { "option_step", "option_name",
    "option_weekday", "option_start", "option_end", "option_capacity",
    "option_url", NULL };

static const char *const weekdays[] = { "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday" };

/* Adds message beside field when bad; returns bad. */
static int
check(struct resp *rs, int bad, const char *field, const char *message,
    enum err *e)
{
	if (bad && *e == ERR_OK)
		*e = form_error(rs, field, message);
	return bad;
}

/* Reads the option form into *f; returns the number of refused fields,
 * each with its error beside it (*e: ERR_INTERNAL when memory ran out). */
static int
option_form_read(struct req *rq, struct resp *rs, struct option_edit *f,
    enum err *e)
{
	int64_t weekday = 0;
	int bad = 0;

	*e = ERR_OK;
	memset(f, 0, sizeof(*f));
	f->name = field_str(rq, "option_name");
	f->meeting_url = field_str(rq, "option_url");
	if (f->meeting_url == NULL)
		f->meeting_url = "";
	f->start_minute = option_minutes_parse(field_str(rq, "option_start"));
	f->end_minute = option_minutes_parse(field_str(rq, "option_end"));
	bad += check(rs, !field_int(rq, "option_step", &f->step_id) ||
	    f->step_id == 0, "option_step", "Choose the step it teaches.", e);
	bad += check(rs, f->name == NULL, "option_name", field_bad(rq,
	    "option_name") ? "A name is one line of at most 100 characters." :
	    "Give the session a name, such as Tuesday evening.", e);
	bad += check(rs, !field_int(rq, "option_weekday", &weekday) ||
	    weekday < 1 || weekday > 7, "option_weekday", "Choose a day of "
	    "the week.", e);
	f->weekday = (int)weekday;
	bad += check(rs, f->start_minute < 0, "option_start", "Type the time "
	    "it starts, such as 18:00.", e);
	bad += check(rs, f->end_minute < 0 || (f->start_minute >= 0 &&
	    f->end_minute <= f->start_minute), "option_end", "Type the time "
	    "it ends, after it starts, such as 19:30.", e);
	bad += check(rs, !field_int(rq, "option_capacity", &f->capacity) ||
	    f->capacity < 1 || f->capacity > OPTION_CAPACITY_MAX,
	    "option_capacity", "Places are a whole number from 1 to 100000.",
	    e);
	bad += check(rs, field_bad(rq, "option_url") ||
	    !option_url_valid(f->meeting_url), "option_url", "A meeting link "
	    "is an address starting with https://, or nothing.", e);
	return bad;
}

enum err
admin_option_form_refill(struct req *rq, struct resp *rs)
{
	return form_refill(rq, rs, option_refill);
}

/* Returns ctx.form, made when missing; NULL when out of memory. */
static cJSON *
form_of(cJSON *ctx)
{
	cJSON *form = cJSON_GetObjectItemCaseSensitive(ctx, "form");

	return form != NULL ? form : cJSON_AddObjectToObject(ctx, "form");
}

enum err
admin_option_form_blank(cJSON *ctx)
{
	cJSON *form = form_of(ctx);

	return form != NULL && cJSON_AddStringToObject(form, "option_weekday",
	    "1") ? ERR_OK : ERR_INTERNAL;
}

/* Puts option o's stored values into ctx.form. */
static enum err
option_form_from(cJSON *ctx, const struct option_admin *o)
{
	cJSON *form = form_of(ctx);
	char step[24], weekday[4], start[6], end[6], capacity[24];

	snprintf(step, sizeof(step), "%lld", (long long)o->f.step_id);
	snprintf(weekday, sizeof(weekday), "%d", o->f.weekday);
	option_minutes_format(o->f.start_minute, start);
	option_minutes_format(o->f.end_minute, end);
	snprintf(capacity, sizeof(capacity), "%lld", (long long)o->f.capacity);
	return form != NULL &&
	    cJSON_AddStringToObject(form, "option_step", step) &&
	    cJSON_AddStringToObject(form, "option_name", o->f.name) &&
	    cJSON_AddStringToObject(form, "option_weekday", weekday) &&
	    cJSON_AddStringToObject(form, "option_start", start) &&
	    cJSON_AddStringToObject(form, "option_end", end) &&
	    cJSON_AddStringToObject(form, "option_capacity", capacity) &&
	    cJSON_AddStringToObject(form, "option_url", o->f.meeting_url) ?
	    ERR_OK : ERR_INTERNAL;
}

/* The value ctx.form holds for name, or "". */
static const char *
form_value(cJSON *ctx, const char *name)
{
	cJSON *form = cJSON_GetObjectItemCaseSensitive(ctx, "form");
	const char *v = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(form, name));

	return v != NULL ? v : "";
}

/* Adds a choice of a select: value, its words, selected when the form
 * holds it. */
static int
add_choice(cJSON *list, const char *value, const char *label,
    const char *chosen)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddItemToArray(list, o))
		return 0;
	return cJSON_AddStringToObject(o, "value", value) &&
	    cJSON_AddStringToObject(o, "label", label) &&
	    cJSON_AddBoolToObject(o, "selected", strcmp(value, chosen) == 0);
}

enum err
admin_option_choices(struct req *rq, cJSON *ctx, int64_t course_id)
{
	const char *step = form_value(ctx, "option_step"),
	    *weekday = form_value(ctx, "option_weekday");
	struct step_admin *v;
	cJSON *steps, *days;
	char value[24];
	size_t n, i;
	enum err e;

	if ((e = step_admin_list(rq->w->db, rq->arena, course_id, &v, &n)) !=
	    ERR_OK)
		return e;
	if ((steps = cJSON_AddArrayToObject(ctx, "step_choices")) == NULL ||
	    (days = cJSON_AddArrayToObject(ctx, "weekday_choices")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		snprintf(value, sizeof(value), "%lld", (long long)v[i].id);
		if (!add_choice(steps, value, arena_printf(rq->arena,
		    "%s: %s", v[i].label, v[i].title), step))
			return ERR_INTERNAL;
	}
	for (i = 0; i < 7; i++) {
		snprintf(value, sizeof(value), "%zu", i + 1);
		if (!add_choice(days, value, weekdays[i], weekday))
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Adds the error of a refusal beside its field. */
static enum err
option_refused(struct req *rq, struct resp *rs, enum option_field bad,
    int64_t booked)
{
	switch (bad) {
	case OPTION_F_STEP:
		return form_error(rs, "option_step", booked > 0 ?
		    "Students booked this session: it stays with its step." :
		    "Choose a step of this course.");
	case OPTION_F_START:
		return form_error(rs, "option_start", arena_printf(rq->arena,
		    "On that week's day this time does not exist in %s (the "
		    "clocks skip it); choose another.", tz_name()));
	case OPTION_F_CAPACITY:
		return form_error(rs, "option_capacity", arena_printf(
		    rq->arena, "%lld student%s booked this session; the "
		    "capacity cannot go below that.", (long long)booked,
		    booked == 1 ? "" : "s"));
	default:
		return ERR_INTERNAL;
	}
}

/* Redirects to cohort_id's page (its sessions) with message. */
static enum err
back_to_cohort(struct req *rq, struct resp *rs, int64_t cohort_id,
    const char *message)
{
	char *to = arena_printf(rq->arena, "/admin/cohorts/%lld#sessions",
	    (long long)cohort_id);

	return to != NULL ? resp_flash_redirect(rq, rs, to, message) :
	    ERR_INTERNAL;
}

/* POST /admin/cohorts/<id>/options: the session form. */
enum err
h_option_add(struct req *rq, struct resp *rs)
{
	struct cohort_admin c;
	struct option_edit f;
	enum option_field bad;
	int64_t id;
	enum err e;

	if ((e = cohort_admin_get(rq->w->db, rq->arena, rq->id, &c)) != ERR_OK)
		return e;
	if (option_form_read(rq, rs, &f, &e) > 0 || e != ERR_OK)
		return e != ERR_OK ? e : admin_cohort_page(rq, rs, rq->id, 400,
		    COHORT_REFILL_OPTION);
	e = option_admin_add(rq->w->db, rq->user->id, rq->id, &f, time(NULL),
	    &id, &bad);
	if (e != ERR_OK && bad != OPTION_F_NONE) {
		if ((e = option_refused(rq, rs, bad, 0)) != ERR_OK)
			return e;
		return admin_cohort_page(rq, rs, rq->id, 400,
		    COHORT_REFILL_OPTION);
	}
	if (e != ERR_OK)
		return e;
	return back_to_cohort(rq, rs, rq->id, "The session is added.");
}

/* Shows option rq->id's form: from the database, or as typed (refill). */
static enum err
option_page(struct req *rq, struct resp *rs, int status, int refill)
{
	struct option_admin o;
	struct cohort_admin c;
	char when[SESSION_WHEN_MAX];
	cJSON *ctx, *j;
	enum err e;

	if ((e = option_admin_get(rq->w->db, rq->arena, rq->id, &o)) !=
	    ERR_OK || (e = cohort_admin_get(rq->w->db, rq->arena, o.cohort_id,
	    &c)) != ERR_OK)
		return e;
	session_when(o.starts_at, o.ends_at, when);
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (j = cJSON_AddObjectToObject(ctx, "option")) == NULL ||
	    !cJSON_AddNumberToObject(j, "id", (double)o.id) ||
	    !cJSON_AddStringToObject(j, "name", o.f.name) ||
	    !cJSON_AddStringToObject(j, "when", when) ||
	    !cJSON_AddNumberToObject(j, "booked", (double)o.booked) ||
	    (j = cJSON_AddObjectToObject(ctx, "cohort")) == NULL ||
	    !cJSON_AddNumberToObject(j, "id", (double)c.id) ||
	    !cJSON_AddStringToObject(j, "name", c.f.name) ||
	    !cJSON_AddStringToObject(ctx, "zone", tz_name()))
		return ERR_INTERNAL;
	e = refill ? form_refill(rq, rs, option_refill) :
	    option_form_from(ctx, &o);
	if (e != ERR_OK ||
	    (e = admin_option_choices(rq, ctx, c.course_id)) != ERR_OK)
		return e;
	rs->status = status;
	rs->tmpl = "admin/cohort_option.html";
	return ERR_OK;
}

/* GET /admin/options/<id> */
enum err
h_option(struct req *rq, struct resp *rs)
{
	return option_page(rq, rs, 200, 0);
}

/* POST /admin/options/<id>: the session form. */
enum err
h_option_update(struct req *rq, struct resp *rs)
{
	struct option_admin o;
	struct option_edit f;
	enum option_field bad;
	enum err e;

	if ((e = option_admin_get(rq->w->db, rq->arena, rq->id, &o)) != ERR_OK)
		return e;
	if (option_form_read(rq, rs, &f, &e) > 0 || e != ERR_OK)
		return e != ERR_OK ? e : option_page(rq, rs, 400, 1);
	e = option_admin_update(rq->w->db, rq->user->id, rq->id, &f,
	    time(NULL), &bad);
	if (e != ERR_OK && bad != OPTION_F_NONE) {
		if ((e = option_refused(rq, rs, bad, o.booked)) != ERR_OK)
			return e;
		return option_page(rq, rs, bad == OPTION_F_START ? 400 : 409,
		    1);
	}
	if (e != ERR_OK)
		return e;
	return back_to_cohort(rq, rs, o.cohort_id, "The session is saved.");
}

/* POST /admin/options/<id>/delete: refused while booked. */
enum err
h_option_delete(struct req *rq, struct resp *rs)
{
	int64_t cohort_id;
	enum err e;

	e = option_admin_delete(rq->w->db, rq->user->id, rq->id, time(NULL),
	    &cohort_id);
	if (e == ERR_CONFLICT) {
		if ((e = form_error(rs, "sessions", "Students booked that "
		    "session, so it cannot be deleted: move them to another "
		    "session from the roster first.")) != ERR_OK)
			return e;
		return admin_cohort_page(rq, rs, cohort_id, 409,
		    COHORT_REFILL_NONE);
	}
	if (e != ERR_OK)
		return e;
	return back_to_cohort(rq, rs, cohort_id, "The session is deleted.");
}

const struct field option_fields[] = {
	{ "option_step", F_INT, 19 },
	{ "option_name", F_LINE, OPTION_NAME_MAX },
	{ "option_weekday", F_INT, 1 },
	{ "option_start", F_LINE, 5 },
	{ "option_end", F_LINE, 5 },
	{ "option_capacity", F_INT, 6 },
	{ "option_url", F_LINE, OPTION_URL_MAX },
	{ NULL, 0, 0 },
};
