/* admin: a cohort's roster (/admin/cohorts/<id>/roster, and as CSV): its
 * students with the session each booked for every step; and a student's
 * place (/admin/enrollments/<id>/cohort), from which an admin moves them
 * to another cohort of the course or to another session of a step. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "cohort_admin.h"
#include "cohort_move.h"
#include "cohort_roster.h"
#include "csv.h"
#include "form_page.h"
#include "option_admin.h"
#include "session_when.h"
#include "tz.h"
#include "user.h"
#include "url.h"

/* Adds ctx.cohort {id, name, held, capacity} and ctx.course of cohort
 * id; *course_id gets its course. */
static enum err
cohort_ctx(struct req *rq, cJSON *ctx, int64_t id, int64_t *course_id)
{
	struct cohort_course course;
	struct cohort_admin c;
	cJSON *o;
	enum err e;

	if ((e = cohort_admin_get(rq->w->db, rq->arena, id, &c)) != ERR_OK ||
	    (e = cohort_course_get(rq->w->db, rq->arena, c.course_id,
	    &course)) != ERR_OK || (e = admin_cohort_course_ctx(ctx,
	    &course)) != ERR_OK)
		return e;
	*course_id = c.course_id;
	return (o = cJSON_AddObjectToObject(ctx, "cohort")) != NULL &&
	    cJSON_AddNumberToObject(o, "id", (double)c.id) &&
	    cJSON_AddStringToObject(o, "name", c.f.name) &&
	    cJSON_AddStringToObject(o, "starts_on", c.f.starts_on) &&
	    cJSON_AddNumberToObject(o, "held", (double)c.held) &&
	    cJSON_AddNumberToObject(o, "capacity", (double)c.f.capacity) &&
	    cJSON_AddStringToObject(ctx, "zone", tz_name()) ? ERR_OK :
	    ERR_INTERNAL;
}

/* Returns student s as the pages show it (steps with their sessions),
 * or NULL. */
static cJSON *
student_json(const struct roster_student *s)
{
	char when[SESSION_WHEN_MAX];
	cJSON *o = cJSON_CreateObject(), *steps, *b;
	int ok;

	ok = o != NULL && cJSON_AddNumberToObject(o, "enrollment_id",
	    (double)s->enrollment_id) && cJSON_AddStringToObject(o, "name",
	    s->name) && cJSON_AddStringToObject(o, "email", s->email) &&
	    cJSON_AddNumberToObject(o, "granted_at", (double)s->granted_at) &&
	    (steps = cJSON_AddArrayToObject(o, "steps")) != NULL;
	for (size_t i = 0; ok && i < s->nsteps; i++) {
		const struct roster_booking *r = &s->steps[i];

		when[0] = '\0';
		if (r->option_id != 0)
			session_when(r->starts_at, r->ends_at, when);
		ok = (b = cJSON_CreateObject()) != NULL &&
		    cJSON_AddItemToArray(steps, b) &&
		    cJSON_AddNumberToObject(b, "step_id", (double)r->step_id) &&
		    cJSON_AddStringToObject(b, "label", r->label) &&
		    cJSON_AddNumberToObject(b, "option_id",
		    (double)r->option_id) &&
		    cJSON_AddStringToObject(b, "option", r->option) &&
		    cJSON_AddStringToObject(b, "when", when);
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* GET /admin/cohorts/<id>/roster?after=: a page of students by key. */
enum err
h_roster(struct req *rq, struct resp *rs)
{
	struct roster_student *v;
	int64_t after = 0, course_id;
	cJSON *ctx, *list, *o;
	char last[24], *path;
	const char *next[] = { "after", last, NULL };
	size_t n, i;
	int more;
	enum err e;

	if (field_bad(rq, "after"))
		return ERR_INVALID;
	field_int(rq, "after", &after);
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	if ((e = cohort_ctx(rq, ctx, rq->id, &course_id)) != ERR_OK ||
	    (e = cohort_roster_page(rq->w->db, rq->arena, rq->id, after,
	    ROSTER_PAGE, &v, &n, &more)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "students")) == NULL ||
	    !cJSON_AddBoolToObject(ctx, "paged", after != 0))
		return ERR_INTERNAL;
	for (i = 0; i < n; i++)
		if ((o = student_json(&v[i])) == NULL ||
		    !cJSON_AddItemToArray(list, o))
			return ERR_INTERNAL;
	if (more) {
		snprintf(last, sizeof(last), "%lld",
		    (long long)v[n - 1].enrollment_id);
		if ((path = arena_printf(rq->arena, "/admin/cohorts/%lld/"
		    "roster", (long long)rq->id)) == NULL ||
		    !cJSON_AddStringToObject(ctx, "next_url", url_query(
		    rq->arena, path, next)))
			return ERR_INTERNAL;
	}
	rs->tmpl = "admin/cohort_roster.html";
	return ERR_OK;
}

/* GET /admin/cohorts/<id>/roster.csv: every student of the cohort. */
enum err
h_roster_csv(struct req *rq, struct resp *rs)
{
	struct cohort_admin c;
	char name[48];
	enum err e;

	if ((e = cohort_admin_get(rq->w->db, rq->arena, rq->id, &c)) !=
	    ERR_OK || (e = cohort_roster_csv(rq->w->db, rq->id, &rs->body)) !=
	    ERR_OK)
		return e;
	snprintf(name, sizeof(name), "cohort-%lld-roster.csv",
	    (long long)rq->id);
	return csv_respond(rq, rs, name);
}

/* Adds to step b (JSON) the sessions of its step a student may move to:
 * options of v (the cohort's) of that step, with places left. */
static enum err
add_option_choices(struct req *rq, cJSON *b, const struct option_admin *v,
    size_t n)
{
	char when[SESSION_WHEN_MAX], value[24];
	int64_t step = (int64_t)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(b, "step_id"));
	int64_t booked = (int64_t)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(b, "option_id"));
	cJSON *list = cJSON_AddArrayToObject(b, "choices"), *o;

	if (list == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if (v[i].f.step_id != step)
			continue;
		session_when(v[i].starts_at, v[i].ends_at, when);
		snprintf(value, sizeof(value), "%lld", (long long)v[i].id);
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    !cJSON_AddStringToObject(o, "value", value) ||
		    !cJSON_AddStringToObject(o, "label", arena_printf(
		    rq->arena, "%s, %lld of %lld places left: %s",
		    v[i].f.name, (long long)(v[i].f.capacity - v[i].booked),
		    (long long)v[i].f.capacity, when)) ||
		    !cJSON_AddBoolToObject(o, "selected", v[i].id == booked))
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Adds ctx.cohort_choices: the course's other cohorts with places
 * left. */
static enum err
cohort_choices(struct req *rq, cJSON *ctx, int64_t course_id, int64_t mine)
{
	struct cohort_admin *v;
	char value[24];
	cJSON *list, *o;
	size_t n, i;
	int more;
	enum err e;

	/* The first page of a course's cohorts: a student moves to one
	 * starting soon, not years ahead. */
	if ((e = cohort_admin_list(rq->w->db, rq->arena, course_id, NULL, 0,
	    &v, &n, &more)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "cohort_choices")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		if (v[i].id == mine)
			continue;
		snprintf(value, sizeof(value), "%lld", (long long)v[i].id);
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    !cJSON_AddStringToObject(o, "value", value) ||
		    !cJSON_AddStringToObject(o, "label", arena_printf(
		    rq->arena, "%s, from %s (%lld of %lld places left%s)",
		    v[i].f.name, v[i].f.starts_on, (long long)(v[i].f.capacity -
		    v[i].held), (long long)v[i].f.capacity, v[i].f.is_active ?
		    "" : ", not taking students")))
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Shows the student of enrollment rq->id in their cohort with status;
 * failed_step (0: none) gets error beside its session's choice. */
static enum err
student_page(struct req *rq, struct resp *rs, int status,
    int64_t failed_step, const char *error)
{
	struct roster_student s;
	struct option_admin *opts;
	int64_t cohort_id, course_id;
	cJSON *ctx, *o, *b;
	size_t n;
	enum err e;

	if ((e = cohort_roster_student(rq->w->db, rq->arena, rq->id, &s,
	    &cohort_id)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	if ((e = cohort_ctx(rq, ctx, cohort_id, &course_id)) != ERR_OK ||
	    (e = option_admin_list(rq->w->db, rq->arena, cohort_id, &opts,
	    &n)) != ERR_OK ||
	    (e = cohort_choices(rq, ctx, course_id, cohort_id)) != ERR_OK)
		return e;
	if ((o = student_json(&s)) == NULL ||
	    !cJSON_AddItemToObject(ctx, "student", o))
		return ERR_INTERNAL;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(o, "steps")) {
		if ((e = add_option_choices(rq, b, opts, n)) != ERR_OK)
			return e;
		if (failed_step != 0 && (int64_t)cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(b, "step_id")) ==
		    failed_step && !cJSON_AddStringToObject(b, "error", error))
			return ERR_INTERNAL;
	}
	rs->status = status;
	rs->tmpl = "admin/cohort_student.html";
	return ERR_OK;
}

/* GET /admin/enrollments/<id>/cohort */
enum err
h_cohort_student(struct req *rq, struct resp *rs)
{
	return student_page(rq, rs, 200, 0, NULL);
}

/* Redirects to the student's page with message. */
static enum err
back_to_student(struct req *rq, struct resp *rs, const char *message)
{
	char *to = arena_printf(rq->arena, "/admin/enrollments/%lld/cohort",
	    (long long)rq->id);

	return to != NULL ? resp_flash_redirect(rq, rs, to, message) :
	    ERR_INTERNAL;
}

/* POST /admin/enrollments/<id>/cohort: to another cohort of the course. */
enum err
h_cohort_student_move(struct req *rq, struct resp *rs)
{
	enum cohort_refusal why;
	int64_t to = 0;
	const char *message;
	enum err e;

	if (!field_int(rq, "to_cohort", &to) || to == 0) {
		if ((e = form_error(rs, "to_cohort", "Choose the cohort to move "
		    "them to.")) != ERR_OK)
			return e;
		return student_page(rq, rs, 400, 0, NULL);
	}
	e = cohort_move_student(rq->w->db, rq->user->id, rq->id, to,
	    time(NULL), &why);
	if (e == ERR_CONFLICT || e == ERR_INVALID) {
		message = e == ERR_INVALID ? "Choose another cohort of this "
		    "course." : why == COHORT_OPEN ? "They already hold a "
		    "place in that cohort." : arena_printf(rq->arena, "%s "
		    "Nobody was moved.", cohort_refusal_message(why));
		if (message == NULL || (e = form_error(rs, "to_cohort",
		    message)) != ERR_OK)
			return ERR_INTERNAL;
		return student_page(rq, rs, 409, 0, NULL);
	}
	if (e != ERR_OK)
		return e;
	return back_to_student(rq, rs, "The student is moved: their place "
	    "and sessions in the old cohort are given back, and steps with "
	    "a single session are booked in the new one.");
}

/* POST /admin/enrollments/<id>/option: to another session of a step. */
enum err
h_cohort_student_option(struct req *rq, struct resp *rs)
{
	struct option_admin o;
	int64_t option = 0;
	enum err e;

	if (!field_int(rq, "option_id", &option) || option == 0)
		return ERR_INVALID;
	if ((e = option_admin_get(rq->w->db, rq->arena, option, &o)) !=
	    ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INVALID : e;
	e = cohort_move_option(rq->w->db, rq->user->id, rq->id, option,
	    time(NULL));
	if (e == ERR_CONFLICT)
		return student_page(rq, rs, 409, o.f.step_id, arena_printf(
		    rq->arena, "%s is full: no place is left in it. Nothing "
		    "changed.", o.f.name));
	if (e != ERR_OK)
		return e;
	return back_to_student(rq, rs, "The session is booked; the one they "
	    "had is given back.");
}

const struct field roster_fields[] = {
	{ "after", F_INT, 19 },
	{ NULL, 0, 0 },
};

const struct field cohort_move_fields[] = {
	{ "to_cohort", F_INT, 19 },
	{ NULL, 0, 0 },
};

const struct field cohort_rebook_fields[] = {
	{ "option_id", F_INT, 19 },
	{ NULL, 0, 0 },
};
