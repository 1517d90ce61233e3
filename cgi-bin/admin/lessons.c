/* admin: a course's lessons: add (on the course's page), edit
 * (/admin/lessons/<id>), move up or down, delete.  Every change returns
 * to the course's list of lessons. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "form_page.h"
#include "lesson_admin.h"
#include "user.h"

static const char *const lesson_refill[] = { "lesson_title", "lesson_body",
    "lesson_minutes", NULL };

/* Reads the lesson form into *f; returns the number of refused fields,
 * each with its error (*e: ERR_INTERNAL when memory ran out). */
static int
lesson_form_read(struct req *rq, struct resp *rs, struct lesson_edit *f,
    enum err *e)
{
	int64_t on = 0;
	int bad = 0;

	*e = ERR_OK;
	f->title = field_str(rq, "lesson_title");
	f->body = field_str(rq, "lesson_body");
	f->minutes = 0;
	f->is_preview = field_int(rq, "lesson_preview", &on) && on;
	if (f->title == NULL) {
		bad++;
		*e = form_error(rs, "lesson_title", field_bad(rq,
		    "lesson_title") ? "A title is one line of at most 200 "
		    "characters." : "Give the lesson a title.");
	}
	if (field_bad(rq, "lesson_body") && *e == ERR_OK) {
		bad++;
		*e = form_error(rs, "lesson_body", "A lesson's text is at most "
		    "64 KiB.");
	}
	if ((field_bad(rq, "lesson_minutes") || (field_int(rq,
	    "lesson_minutes", &f->minutes) && f->minutes > 1440)) &&
	    *e == ERR_OK) {
		bad++;
		*e = form_error(rs, "lesson_minutes", "Minutes are a whole "
		    "number from 0 to 1440.");
	}
	return bad;
}

/* Puts the preview checkbox back as it was sent. */
static enum err
refill_preview(struct req *rq, struct resp *rs)
{
	cJSON *form = cJSON_GetObjectItemCaseSensitive(rs->ctx, "form");
	int64_t on = 0;

	if (form != NULL && field_int(rq, "lesson_preview", &on) && on &&
	    cJSON_AddStringToObject(form, "lesson_preview", "1") == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

/* Redirects to course_id's lessons with message. */
static enum err
back_to_course(struct req *rq, struct resp *rs, int64_t course_id,
    const char *message)
{
	char *to = arena_printf(rq->arena, "/admin/courses/%lld#lessons",
	    (long long)course_id);

	return to != NULL ? resp_flash_redirect(rq, rs, to, message) :
	    ERR_INTERNAL;
}

/* POST /admin/courses/<id>/lessons: the lesson form; the lesson goes
 * last. */
enum err
h_lesson_add(struct req *rq, struct resp *rs)
{
	struct lesson_edit f;
	int64_t id;
	enum err e;

	if (lesson_form_read(rq, rs, &f, &e) > 0 || e != ERR_OK) {
		if (e != ERR_OK || (e = course_page(rq, rs, rq->id, 400, 0,
		    lesson_refill)) != ERR_OK)
			return e;
		return refill_preview(rq, rs);
	}
	if ((e = lesson_admin_add(rq->w->db, rq->user->id, rq->id, &f,
	    time(NULL), &id)) != ERR_OK)
		return e;
	return back_to_course(rq, rs, rq->id, "The lesson is added.");
}

/* Shows lesson id's form: from the database, or as typed (refill). */
static enum err
lesson_page(struct req *rq, struct resp *rs, int status, int refill)
{
	struct lesson_admin l;
	cJSON *ctx, *o, *form;
	char minutes[24];
	enum err e;

	if ((e = lesson_admin_get(rq->w->db, rq->arena, rq->id, &l)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (o = cJSON_AddObjectToObject(ctx, "lesson")) == NULL ||
	    !cJSON_AddNumberToObject(o, "id", (double)l.id) ||
	    !cJSON_AddNumberToObject(o, "course_id", (double)l.course_id) ||
	    !cJSON_AddNumberToObject(o, "position", (double)l.position) ||
	    !cJSON_AddStringToObject(o, "title", l.f.title))
		return ERR_INTERNAL;
	if (refill) {
		if ((e = form_refill(rq, rs, lesson_refill)) != ERR_OK ||
		    (e = refill_preview(rq, rs)) != ERR_OK)
			return e;
	} else {
		snprintf(minutes, sizeof(minutes), "%lld",
		    (long long)l.f.minutes);
		if ((form = cJSON_AddObjectToObject(ctx, "form")) == NULL ||
		    !cJSON_AddStringToObject(form, "lesson_title", l.f.title) ||
		    !cJSON_AddStringToObject(form, "lesson_body", l.f.body) ||
		    !cJSON_AddStringToObject(form, "lesson_minutes", minutes) ||
		    (l.f.is_preview && !cJSON_AddStringToObject(form,
		    "lesson_preview", "1")))
			return ERR_INTERNAL;
	}
	rs->status = status;
	rs->tmpl = "admin/lesson_edit.html";
	return ERR_OK;
}

/* GET /admin/lessons/<id>: the lesson's form. */
enum err
h_lesson(struct req *rq, struct resp *rs)
{
	return lesson_page(rq, rs, 200, 0);
}

/* POST /admin/lessons/<id>: the lesson form. */
enum err
h_lesson_update(struct req *rq, struct resp *rs)
{
	struct lesson_admin l;
	struct lesson_edit f;
	enum err e;

	if (lesson_form_read(rq, rs, &f, &e) > 0 || e != ERR_OK)
		return e != ERR_OK ? e : lesson_page(rq, rs, 400, 1);
	if ((e = lesson_admin_update(rq->w->db, rq->user->id, rq->id, &f,
	    time(NULL))) != ERR_OK ||
	    (e = lesson_admin_get(rq->w->db, rq->arena, rq->id, &l)) != ERR_OK)
		return e;
	return back_to_course(rq, rs, l.course_id, "The lesson is saved.");
}

/* Moves lesson rq->id up or down and returns to its course. */
static enum err
move(struct req *rq, struct resp *rs, int up)
{
	struct lesson_admin l;
	enum err e;

	if ((e = lesson_admin_get(rq->w->db, rq->arena, rq->id, &l)) != ERR_OK)
		return e;
	e = lesson_admin_move(rq->w->db, rq->user->id, rq->id, up,
	    time(NULL));
	if (e == ERR_INVALID)
		rs->message = up ? "The first lesson cannot move up." :
		    "The last lesson cannot move down.";
	if (e != ERR_OK)
		return e;
	return back_to_course(rq, rs, l.course_id, "The lesson is moved.");
}

/* POST /admin/lessons/<id>/up */
enum err
h_lesson_up(struct req *rq, struct resp *rs)
{
	return move(rq, rs, 1);
}

/* POST /admin/lessons/<id>/down */
enum err
h_lesson_down(struct req *rq, struct resp *rs)
{
	return move(rq, rs, 0);
}

/* POST /admin/lessons/<id>/delete: the lessons after it move up. */
enum err
h_lesson_delete(struct req *rq, struct resp *rs)
{
	int64_t course_id;
	enum err e;

	if ((e = lesson_admin_delete(rq->w->db, rq->user->id, rq->id,
	    time(NULL), &course_id)) != ERR_OK)
		return e;
	return back_to_course(rq, rs, course_id, "The lesson is deleted.");
}

const struct field lesson_fields[] = {
	{ "lesson_title", F_LINE, LESSON_TITLE_MAX },
	{ "lesson_body", F_TEXT, LESSON_BODY_MAX },
	{ "lesson_minutes", F_INT, 4 },
	{ "lesson_preview", F_BOOL, 5 },
	{ NULL, 0, 0 },
};
