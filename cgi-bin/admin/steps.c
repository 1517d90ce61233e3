/* admin: a cohort course's steps (/admin/courses/<id>/steps): the list
 * with the form that adds one, a step's form (/admin/steps/<id>), moving
 * one up or down and deleting one (refused, with the reason, while a
 * cohort offers sessions of it).  Every change returns to the list. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "cohort_admin.h"
#include "form_page.h"
#include "step_admin.h"
#include "user.h"

static const char *const step_refill[] = { "step_label", "step_title",
    NULL };

/* Reads the step form into *label and *title; returns the number of
 * refused fields, each with its error (*e: ERR_INTERNAL when memory ran
 * out). */
static int
step_form_read(struct req *rq, struct resp *rs, const char **label,
    const char **title, enum err *e)
{
	int bad = 0;

	*e = ERR_OK;
	*label = field_str(rq, "step_label");
	*title = field_str(rq, "step_title");
	if (*label == NULL) {
		bad++;
		*e = form_error(rs, "step_label", field_bad(rq, "step_label") ?
		    "A label is one line of at most 40 characters." :
		    "Give the step a label, such as Week 1.");
	}
	if (*title == NULL && *e == ERR_OK) {
		bad++;
		*e = form_error(rs, "step_title", field_bad(rq, "step_title") ?
		    "A title is one line of at most 200 characters." :
		    "Give the step a title.");
	}
	return bad;
}

/* Adds ctx.course: what the cohort pages say of course c. */
enum err
admin_cohort_course_ctx(cJSON *ctx, const struct cohort_course *c)
{
	cJSON *o = cJSON_AddObjectToObject(ctx, "course");

	return o != NULL && cJSON_AddNumberToObject(o, "id", (double)c->id) &&
	    cJSON_AddStringToObject(o, "title", c->title) &&
	    cJSON_AddBoolToObject(o, "is_cohort", c->is_cohort) ? ERR_OK :
	    ERR_INTERNAL;
}

/* Adds ctx.steps: course_id's steps in order. */
static enum err
steps_ctx(struct req *rq, cJSON *ctx, int64_t course_id)
{
	struct step_admin *v;
	cJSON *list, *o;
	size_t n, i;
	enum err e;

	if ((e = step_admin_list(rq->w->db, rq->arena, course_id, &v, &n)) !=
	    ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "steps")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++)
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    !cJSON_AddNumberToObject(o, "id", (double)v[i].id) ||
		    !cJSON_AddNumberToObject(o, "position",
		    (double)v[i].position) ||
		    !cJSON_AddStringToObject(o, "label", v[i].label) ||
		    !cJSON_AddStringToObject(o, "title", v[i].title) ||
		    !cJSON_AddNumberToObject(o, "options",
		    (double)v[i].options) ||
		    !cJSON_AddBoolToObject(o, "first", i == 0) ||
		    !cJSON_AddBoolToObject(o, "last", i + 1 == n))
			return ERR_INTERNAL;
	return ERR_OK;
}

/* Shows course_id's steps with status, the add form refilled when
 * refill. */
static enum err
steps_page(struct req *rq, struct resp *rs, int64_t course_id, int status,
    int refill)
{
	struct cohort_course c;
	cJSON *ctx;
	enum err e;

	if ((e = cohort_course_get(rq->w->db, rq->arena, course_id, &c)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (e = admin_cohort_course_ctx(ctx, &c)) != ERR_OK ||
	    (e = steps_ctx(rq, ctx, course_id)) != ERR_OK ||
	    (refill && (e = form_refill(rq, rs, step_refill)) != ERR_OK))
		return e != ERR_OK ? e : ERR_INTERNAL;
	rs->status = status;
	rs->tmpl = "admin/steps.html";
	return ERR_OK;
}

/* GET /admin/courses/<id>/steps */
enum err
h_steps(struct req *rq, struct resp *rs)
{
	return steps_page(rq, rs, rq->id, 200, 0);
}

/* Redirects to course_id's steps with message. */
static enum err
back_to_steps(struct req *rq, struct resp *rs, int64_t course_id,
    const char *message)
{
	char *to = arena_printf(rq->arena, "/admin/courses/%lld/steps",
	    (long long)course_id);

	return to != NULL ? resp_flash_redirect(rq, rs, to, message) :
	    ERR_INTERNAL;
}

/* POST /admin/courses/<id>/steps: the step form; the step goes last. */
enum err
h_step_add(struct req *rq, struct resp *rs)
{
	struct cohort_course c;
	const char *label, *title;
	int64_t id;
	enum err e;

	if ((e = cohort_course_get(rq->w->db, rq->arena, rq->id, &c)) !=
	    ERR_OK)
		return e;
	if (step_form_read(rq, rs, &label, &title, &e) > 0 || e != ERR_OK)
		return e != ERR_OK ? e : steps_page(rq, rs, rq->id, 400, 1);
	if (!c.is_cohort) {
		if ((e = form_error(rs, "step_label", "Only a cohort course "
		    "has steps: make this course's type Cohort first.")) !=
		    ERR_OK)
			return e;
		return steps_page(rq, rs, rq->id, 409, 1);
	}
	if ((e = step_admin_add(rq->w->db, rq->user->id, rq->id, label, title,
	    time(NULL), &id)) != ERR_OK)
		return e;
	return back_to_steps(rq, rs, rq->id, "The step is added.");
}

/* Shows step id's form: from the database, or as typed (refill). */
static enum err
step_page(struct req *rq, struct resp *rs, int status, int refill)
{
	struct step_admin s;
	cJSON *ctx, *o, *form;
	enum err e;

	if ((e = step_admin_get(rq->w->db, rq->arena, rq->id, &s)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (o = cJSON_AddObjectToObject(ctx, "step")) == NULL ||
	    !cJSON_AddNumberToObject(o, "id", (double)s.id) ||
	    !cJSON_AddNumberToObject(o, "course_id", (double)s.course_id) ||
	    !cJSON_AddNumberToObject(o, "position", (double)s.position) ||
	    !cJSON_AddStringToObject(o, "label", s.label) ||
	    !cJSON_AddStringToObject(o, "title", s.title))
		return ERR_INTERNAL;
	if (refill)
		e = form_refill(rq, rs, step_refill);
	else if ((form = cJSON_AddObjectToObject(ctx, "form")) == NULL ||
	    !cJSON_AddStringToObject(form, "step_label", s.label) ||
	    !cJSON_AddStringToObject(form, "step_title", s.title))
		e = ERR_INTERNAL;
	if (e != ERR_OK)
		return e;
	rs->status = status;
	rs->tmpl = "admin/step_edit.html";
	return ERR_OK;
}

/* GET /admin/steps/<id> */
enum err
h_step(struct req *rq, struct resp *rs)
{
	return step_page(rq, rs, 200, 0);
}

/* POST /admin/steps/<id>: the step form. */
enum err
h_step_update(struct req *rq, struct resp *rs)
{
	struct step_admin s;
	const char *label, *title;
	enum err e;

	if ((e = step_admin_get(rq->w->db, rq->arena, rq->id, &s)) != ERR_OK)
		return e;
	if (step_form_read(rq, rs, &label, &title, &e) > 0 || e != ERR_OK)
		return e != ERR_OK ? e : step_page(rq, rs, 400, 1);
	if ((e = step_admin_update(rq->w->db, rq->user->id, rq->id, label,
	    title, time(NULL))) != ERR_OK)
		return e;
	return back_to_steps(rq, rs, s.course_id, "The step is saved.");
}

/* Moves step rq->id up or down and returns to its course's steps. */
static enum err
move(struct req *rq, struct resp *rs, int up)
{
	struct step_admin s;
	enum err e;

	if ((e = step_admin_get(rq->w->db, rq->arena, rq->id, &s)) != ERR_OK)
		return e;
	e = step_admin_move(rq->w->db, rq->user->id, rq->id, up, time(NULL));
	if (e == ERR_INVALID)
		rs->message = up ? "The first step cannot move up." :
		    "The last step cannot move down.";
	else if (e == ERR_CONFLICT)
		rs->message = "A session would fall in the hour the clocks "
		    "skip on its new day: change its time first.";
	if (e != ERR_OK)
		return e;
	return back_to_steps(rq, rs, s.course_id, "The step is moved, with "
	    "its sessions, to its new week.");
}

/* POST /admin/steps/<id>/up */
enum err
h_step_up(struct req *rq, struct resp *rs)
{
	return move(rq, rs, 1);
}

/* POST /admin/steps/<id>/down */
enum err
h_step_down(struct req *rq, struct resp *rs)
{
	return move(rq, rs, 0);
}

/* POST /admin/steps/<id>/delete: refused while used, with the reason
 * above the list. */
enum err
h_step_delete(struct req *rq, struct resp *rs)
{
	int64_t course_id, options, bookings;
	const char *why;
	enum err e;

	e = step_admin_delete(rq->w->db, rq->user->id, rq->id, time(NULL),
	    &course_id, &options, &bookings);
	if (e == ERR_CONFLICT) {
		why = options > 0 || bookings > 0 ? arena_printf(rq->arena,
		    "This step cannot be deleted: cohorts offer %lld "
		    "session%s of it and students have %lld booking%s of it. "
		    "Delete its sessions in each cohort first.",
		    (long long)options, options == 1 ? "" : "s",
		    (long long)bookings, bookings == 1 ? "" : "s") :
		    "This step cannot be deleted: a later step's session "
		    "would fall in the hour the clocks skip on its new day.";
		if (why == NULL || (e = form_error(rs, "steps", why)) != ERR_OK)
			return ERR_INTERNAL;
		return steps_page(rq, rs, course_id, 409, 0);
	}
	if (e != ERR_OK)
		return e;
	return back_to_steps(rq, rs, course_id, "The step is deleted.");
}

const struct field step_fields[] = {
	{ "step_label", F_LINE, STEP_LABEL_MAX },
	{ "step_title", F_LINE, STEP_TITLE_MAX },
	{ NULL, 0, 0 },
};
