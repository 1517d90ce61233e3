/* admin: a course's cohorts (/admin/courses/<id>/cohorts: the list by
 * start with the new-cohort form) and a cohort's page (/admin/cohorts/<id>:
 * its form, its sessions with the form that adds one, deletion).  Days
 * and times are typed and shown in the school's zone (lib/tz.h).  The
 * sessions' handlers are in cohort_options.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "cohort_admin.h"
#include "cohort_time.h"
#include "form_page.h"
#include "option_admin.h"
#include "session_when.h"
#include "tz.h"
#include "user.h"
#include "url.h"

/* The cohort form's fields as refilled (is_active, a checkbox, apart). */
static const char *const cohort_refill[] = { "name", "starts_on",
    "enroll_deadline", "capacity", NULL };

/* Adds message beside field when bad; returns bad. */
static int
check(struct resp *rs, int bad, const char *field, const char *message,
    enum err *e)
{
	if (bad && *e == ERR_OK)
		*e = form_error(rs, field, message);
	return bad;
}

/* Reads the cohort form into *f; returns the number of refused fields,
 * each with its error beside it (*e: ERR_INTERNAL when memory ran out). */
static int
cohort_form_read(struct req *rq, struct resp *rs, struct cohort_edit *f,
    enum err *e)
{
	const char *deadline = field_str(rq, "enroll_deadline");
	int64_t on = 0;
	int bad = 0;

	*e = ERR_OK;
	memset(f, 0, sizeof(*f));
	f->name = field_str(rq, "name");
	f->starts_on = field_str(rq, "starts_on");
	f->is_active = field_int(rq, "is_active", &on) && on;
	bad += check(rs, f->name == NULL, "name", field_bad(rq, "name") ?
	    "A name is one line of at most 100 characters." :
	    "Give the cohort a name, such as Spring 2027.", e);
	bad += check(rs, cohort_weekday_of(f->starts_on) == 0, "starts_on",
	    "Choose the day the cohort starts, such as 2027-03-22.", e);
	bad += check(rs, deadline == NULL || tz_parse_local(deadline,
	    &f->enroll_deadline) != ERR_OK, "enroll_deadline",
	    arena_printf(rq->arena, "Choose the day and time enrollment "
	    "closes, in %s (a time the clocks skip does not exist).",
	    tz_name()), e);
	bad += check(rs, !field_int(rq, "capacity", &f->capacity) ||
	    f->capacity < 1 || f->capacity > COHORT_CAPACITY_MAX, "capacity",
	    "Places are a whole number from 1 to 100000.", e);
	return bad;
}

/* Puts the form back as typed, the checkbox too. */
static enum err
cohort_form_refill(struct req *rq, struct resp *rs)
{
	int64_t on = 0;
	cJSON *form;
	enum err e;

	if ((e = form_refill(rq, rs, cohort_refill)) != ERR_OK)
		return e;
	form = cJSON_GetObjectItemCaseSensitive(rs->ctx, "form");
	if (field_int(rq, "is_active", &on) && on &&
	    !cJSON_AddStringToObject(form, "is_active", "1"))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* Puts cohort f's stored values into ctx.form. */
static enum err
cohort_form_from(cJSON *ctx, const struct cohort_edit *f)
{
	cJSON *form = cJSON_GetObjectItemCaseSensitive(ctx, "form");
	char deadline[TZ_INPUT_MAX], capacity[24];

	if (form == NULL && (form = cJSON_AddObjectToObject(ctx, "form")) ==
	    NULL)
		return ERR_INTERNAL;
	tz_format_input(f->enroll_deadline, deadline);
	snprintf(capacity, sizeof(capacity), "%lld", (long long)f->capacity);
	return cJSON_AddStringToObject(form, "name", f->name) &&
	    cJSON_AddStringToObject(form, "starts_on", f->starts_on) &&
	    cJSON_AddStringToObject(form, "enroll_deadline", deadline) &&
	    cJSON_AddStringToObject(form, "capacity", capacity) &&
	    (!f->is_active || cJSON_AddStringToObject(form, "is_active",
	    "1")) ? ERR_OK : ERR_INTERNAL;
}

/* Returns cohort c as the pages show it, or NULL. */
static cJSON *
cohort_json(const struct cohort_admin *c)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddNumberToObject(o, "id", (double)c->id) ||
	    !cJSON_AddNumberToObject(o, "course_id", (double)c->course_id) ||
	    !cJSON_AddStringToObject(o, "name", c->f.name) ||
	    !cJSON_AddStringToObject(o, "starts_on", c->f.starts_on) ||
	    !cJSON_AddNumberToObject(o, "enroll_deadline",
	    (double)c->f.enroll_deadline) ||
	    !cJSON_AddNumberToObject(o, "capacity", (double)c->f.capacity) ||
	    !cJSON_AddNumberToObject(o, "held", (double)c->held) ||
	    !cJSON_AddNumberToObject(o, "students", (double)c->students) ||
	    !cJSON_AddNumberToObject(o, "options", (double)c->options) ||
	    !cJSON_AddBoolToObject(o, "is_active", c->f.is_active) ||
	    !cJSON_AddBoolToObject(o, "deletable", c->ever_held == 0 &&
	    c->students == 0)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Adds the page's course (course_id) and the school's zone. */
static enum err
course_and_zone(struct req *rq, cJSON *ctx, int64_t course_id)
{
	struct cohort_course c;
	enum err e;

	if ((e = cohort_course_get(rq->w->db, rq->arena, course_id, &c)) !=
	    ERR_OK || (e = admin_cohort_course_ctx(ctx, &c)) != ERR_OK)
		return e;
	return cJSON_AddStringToObject(ctx, "zone", tz_name()) != NULL ?
	    ERR_OK : ERR_INTERNAL;
}

/* Adds ctx.cohorts, a page of course_id's cohorts, and next_url. */
static enum err
cohorts_ctx(struct req *rq, cJSON *ctx, int64_t course_id)
{
	const char *after_on = field_str(rq, "after_on");
	struct cohort_admin *v;
	int64_t after = 0;
	cJSON *list, *o;
	char id[24], *path;
	const char *next[] = { "after_on", NULL, "after", id, NULL };
	size_t n, i;
	int more;
	enum err e;

	field_int(rq, "after", &after);
	if ((e = cohort_admin_list(rq->w->db, rq->arena, course_id, after_on,
	    after, &v, &n, &more)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "cohorts")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++)
		if ((o = cohort_json(&v[i])) == NULL ||
		    !cJSON_AddItemToArray(list, o))
			return ERR_INTERNAL;
	if (!more)
		return ERR_OK;
	next[1] = v[n - 1].f.starts_on;
	snprintf(id, sizeof(id), "%lld", (long long)v[n - 1].id);
	if ((path = arena_printf(rq->arena, "/admin/courses/%lld/cohorts",
	    (long long)course_id)) == NULL ||
	    !cJSON_AddStringToObject(ctx, "next_url", url_query(rq->arena,
	    path, next)))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* Shows course_id's cohorts with status: the new form empty or as typed. */
static enum err
cohorts_page(struct req *rq, struct resp *rs, int64_t course_id, int status,
    int refill)
{
	cJSON *ctx, *form;
	enum err e;

	if (field_bad(rq, "after") || field_bad(rq, "after_on"))
		return ERR_INVALID;
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	if ((e = course_and_zone(rq, ctx, course_id)) != ERR_OK ||
	    (e = cohorts_ctx(rq, ctx, course_id)) != ERR_OK)
		return e;
	if (refill)
		e = cohort_form_refill(rq, rs);
	else if ((form = cJSON_AddObjectToObject(ctx, "form")) == NULL ||
	    !cJSON_AddStringToObject(form, "is_active", "1"))
		e = ERR_INTERNAL;
	if (e != ERR_OK)
		return e;
	rs->status = status;
	rs->tmpl = "admin/cohorts.html";
	return ERR_OK;
}

/* GET /admin/courses/<id>/cohorts?after_on=&after= */
enum err
h_cohorts(struct req *rq, struct resp *rs)
{
	return cohorts_page(rq, rs, rq->id, 200, 0);
}

/* Adds the error of a refusal beside its field. */
static enum err
cohort_refused(struct req *rq, struct resp *rs, enum cohort_field bad,
    int64_t held)
{
	switch (bad) {
	case COHORT_F_NAME:
		return form_error(rs, "name", "Another cohort of this course "
		    "has this name; choose another.");
	case COHORT_F_STARTS_ON:
		return form_error(rs, "starts_on", "On this start day a "
		    "session would fall in the hour the clocks skip; choose "
		    "another day or change that session's time first.");
	case COHORT_F_CAPACITY:
		return form_error(rs, "capacity", arena_printf(rq->arena,
		    "%lld place%s %s held (paid, in checkout or offered); "
		    "the capacity cannot go below that.", (long long)held,
		    held == 1 ? "" : "s", held == 1 ? "is" : "are"));
	default:
		return ERR_INTERNAL;
	}
}

/* POST /admin/courses/<id>/cohorts: the new-cohort form. */
enum err
h_cohort_create(struct req *rq, struct resp *rs)
{
	struct cohort_course c;
	struct cohort_edit f;
	enum cohort_field bad;
	int64_t id;
	char *to;
	enum err e;

	if ((e = cohort_course_get(rq->w->db, rq->arena, rq->id, &c)) !=
	    ERR_OK)
		return e;
	if (cohort_form_read(rq, rs, &f, &e) > 0 || e != ERR_OK)
		return e != ERR_OK ? e : cohorts_page(rq, rs, rq->id, 400, 1);
	if (!c.is_cohort) {
		if ((e = form_error(rs, "name", "Only a cohort course runs "
		    "cohorts: make this course's type Cohort first.")) !=
		    ERR_OK)
			return e;
		return cohorts_page(rq, rs, rq->id, 409, 1);
	}
	e = cohort_admin_create(rq->w->db, rq->user->id, rq->id, &f,
	    time(NULL), &id, &bad);
	if (e == ERR_CONFLICT && bad != COHORT_F_NONE) {
		if ((e = cohort_refused(rq, rs, bad, 0)) != ERR_OK)
			return e;
		return cohorts_page(rq, rs, rq->id, 409, 1);
	}
	if (e != ERR_OK)
		return e;
	if ((to = arena_printf(rq->arena, "/admin/cohorts/%lld",
	    (long long)id)) == NULL)
		return ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, to, "The cohort is created. Add "
	    "its sessions below.");
}

/* Adds ctx.options: cohort_id's sessions by step, with their day and
 * times in the school's zone. */
static enum err
options_ctx(struct req *rq, cJSON *ctx, int64_t cohort_id)
{
	struct option_admin *v;
	char when[SESSION_WHEN_MAX];
	cJSON *list, *o;
	size_t n, i;
	enum err e;

	if ((e = option_admin_list(rq->w->db, rq->arena, cohort_id, &v, &n)) !=
	    ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "options")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		session_when(v[i].starts_at, v[i].ends_at, when);
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    !cJSON_AddNumberToObject(o, "id", (double)v[i].id) ||
		    !cJSON_AddStringToObject(o, "step_label",
		    v[i].step_label) ||
		    !cJSON_AddStringToObject(o, "step_title",
		    v[i].step_title) ||
		    !cJSON_AddStringToObject(o, "name", v[i].f.name) ||
		    !cJSON_AddStringToObject(o, "when", when) ||
		    !cJSON_AddNumberToObject(o, "booked", (double)v[i].booked) ||
		    !cJSON_AddNumberToObject(o, "capacity",
		    (double)v[i].f.capacity) ||
		    !cJSON_AddStringToObject(o, "meeting_url",
		    v[i].f.meeting_url) ||
		    !cJSON_AddBoolToObject(o, "new_step", i == 0 ||
		    v[i].f.step_id != v[i - 1].f.step_id))
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err
admin_cohort_page(struct req *rq, struct resp *rs, int64_t id, int status,
    enum cohort_refill refill)
{
	struct cohort_admin c;
	cJSON *ctx, *o;
	enum err e;

	if ((e = cohort_admin_get(rq->w->db, rq->arena, id, &c)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL || (o = cohort_json(&c)) == NULL ||
	    !cJSON_AddItemToObject(ctx, "cohort", o))
		return ERR_INTERNAL;
	/* The form refused is shown as typed, the other afresh. */
	switch (refill) {
	case COHORT_REFILL_COHORT:
		if ((e = cohort_form_refill(rq, rs)) == ERR_OK)
			e = admin_option_form_blank(ctx);
		break;
	case COHORT_REFILL_OPTION:
		if ((e = admin_option_form_refill(rq, rs)) == ERR_OK)
			e = cohort_form_from(ctx, &c.f);
		break;
	default:
		if ((e = cohort_form_from(ctx, &c.f)) == ERR_OK)
			e = admin_option_form_blank(ctx);
	}
	if (e != ERR_OK ||
	    (e = course_and_zone(rq, ctx, c.course_id)) != ERR_OK ||
	    (e = options_ctx(rq, ctx, id)) != ERR_OK ||
	    (e = admin_option_choices(rq, ctx, c.course_id)) != ERR_OK)
		return e;
	rs->status = status;
	rs->tmpl = "admin/cohort.html";
	return ERR_OK;
}

/* GET /admin/cohorts/<id> */
enum err
h_cohort(struct req *rq, struct resp *rs)
{
	return admin_cohort_page(rq, rs, rq->id, 200, COHORT_REFILL_NONE);
}

/* POST /admin/cohorts/<id>: the cohort form. */
enum err
h_cohort_update(struct req *rq, struct resp *rs)
{
	struct cohort_admin c;
	struct cohort_edit f;
	enum cohort_field bad;
	int64_t moved = 0;
	char *to, *msg;
	enum err e;

	if ((e = cohort_admin_get(rq->w->db, rq->arena, rq->id, &c)) != ERR_OK)
		return e;
	if (cohort_form_read(rq, rs, &f, &e) > 0 || e != ERR_OK)
		return e != ERR_OK ? e : admin_cohort_page(rq, rs, rq->id, 400,
		    COHORT_REFILL_COHORT);
	e = cohort_admin_update(rq->w->db, rq->user->id, rq->id, &f,
	    time(NULL), &bad, &moved);
	if ((e == ERR_CONFLICT || e == ERR_INVALID) && bad != COHORT_F_NONE) {
		if ((e = cohort_refused(rq, rs, bad, c.held)) != ERR_OK)
			return e;
		return admin_cohort_page(rq, rs, rq->id, 409,
		    COHORT_REFILL_COHORT);
	}
	if (e != ERR_OK)
		return e;
	if ((to = arena_printf(rq->arena, "/admin/cohorts/%lld",
	    (long long)rq->id)) == NULL || (msg = moved == 0 ?
	    "The cohort is saved." : arena_printf(rq->arena, "The cohort is "
	    "saved; %lld session%s moved to the new start.", (long long)moved,
	    moved == 1 ? "" : "s")) == NULL)
		return ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, to, msg);
}

/* POST /admin/cohorts/<id>/delete: only a cohort nobody ever joined. */
enum err
h_cohort_delete(struct req *rq, struct resp *rs)
{
	int64_t course_id;
	char *to;
	enum err e;

	e = cohort_admin_delete(rq->w->db, rq->user->id, rq->id, time(NULL),
	    &course_id);
	if (e == ERR_CONFLICT) {
		if ((e = form_error(rs, "delete", "Students have held places "
		    "in this cohort, so it stays in the books: untick "
		    "\"Taking students\" to close it instead.")) != ERR_OK)
			return e;
		return admin_cohort_page(rq, rs, rq->id, 409,
		    COHORT_REFILL_NONE);
	}
	if (e != ERR_OK)
		return e;
	if ((to = arena_printf(rq->arena, "/admin/courses/%lld/cohorts",
	    (long long)course_id)) == NULL)
		return ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, to, "The cohort is deleted.");
}

const struct field cohorts_fields[] = {
	{ "after_on", F_LINE, 10 },
	{ "after", F_INT, 19 },
	{ NULL, 0, 0 },
};

const struct field cohort_fields[] = {
	{ "name", F_LINE, COHORT_NAME_MAX },
	{ "starts_on", F_LINE, 10 },
	{ "enroll_deadline", F_LINE, TZ_INPUT_MAX - 1 },
	{ "capacity", F_INT, 6 },
	{ "is_active", F_BOOL, 5 },
	{ NULL, 0, 0 },
};
