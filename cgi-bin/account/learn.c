/* account: learning.  A course's home for its students (/learn/<slug>:
 * lessons with done marks, progress, Continue), a lesson's page
 * (/learn/<slug>/<n>), marking it complete or not, and the closed page
 * (403) that says why a visitor cannot open it and how to get in.
 * Preview lessons are open to everyone; every other lesson body is
 * fetched only after access.h said yes. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "access.h"
#include "account.h"
#include "catalog.h"
#include "certificate.h"
#include "content.h"
#include "offer.h"
#include "progress.h"
#include "session.h"
#include "url.h"
#include "user.h"
#include "view.h"

static int64_t
viewer(const struct req *rq)
{
	return rq->user != NULL ? rq->user->id : 0;
}

/* Loads the course of a /learn/<slug> URL and the viewer's access.  A
 * course off sale is a 404 to whoever cannot open it, as its course page
 * is. */
static enum err
learn_load(struct req *rq, struct course *c, struct access *acc)
{
	enum err e;

	if ((e = catalog_get(rq->w->db, rq->arena, rq->slug, c)) != ERR_OK ||
	    (e = access_check(rq->w->db, viewer(rq), c->id,
	    (int64_t)time(NULL), acc)) != ERR_OK)
		return e;
	if (!c->is_active && !acc->allowed)
		return ERR_NOTFOUND;
	return ERR_OK;
}

/* Adds what every learning page shows of the course and the viewer:
 * "course" and "access" (reason, may_track, free). */
static cJSON *
learn_ctx(struct req *rq, struct resp *rs, const struct course *c,
    const struct access *acc)
{
	cJSON *ctx = resp_ctx(rs), *co, *ac;

	if (ctx == NULL || (co = view_course(rq->arena, c)) == NULL)
		return NULL;
	cJSON_AddItemToObject(ctx, "course", co);
	cJSON_AddStringToObject(co, "learn_url", view_learn_url(rq->arena,
	    c->slug, 0));
	if ((ac = cJSON_AddObjectToObject(ctx, "access")) == NULL)
		return NULL;
	cJSON_AddStringToObject(ac, "reason", access_reason_name(acc->reason));
	cJSON_AddBoolToObject(ac, "allowed", acc->allowed);
	cJSON_AddBoolToObject(ac, "free", acc->free);
	/* Progress is kept for students enrolled; a free course's reader
	 * enrols (free) to keep it. */
	cJSON_AddBoolToObject(ac, "may_track", access_owned(acc));
	if (acc->expires_at != 0)
		cJSON_AddNumberToObject(ac, "expires_at",
		    (double)acc->expires_at);
	return ctx;
}

/* Adds to ctx's course the button it shows the viewer (lib/offer.c). */
static enum err
offer_ctx(struct req *rq, cJSON *ctx, const struct course *c)
{
	struct course_offer of;
	struct offer_viewer v;
	enum err e;

	if ((e = offer_viewer(rq->w->db, viewer(rq), session_guest_id(rq),
	    &v)) != ERR_OK || (e = offer_of(rq->w->db, &v, c,
	    (int64_t)time(NULL), &of)) != ERR_OK)
		return e;
	return view_offer(rq->arena, cJSON_GetObjectItemCaseSensitive(ctx,
	    "course"), c, &of);
}

/* The closed page: 403, why the viewer cannot open the course (or lesson
 * l, NULL for the whole course), and the way in.  No body is loaded. */
static enum err
closed_page(struct req *rq, struct resp *rs, const struct course *c,
    const struct access *acc, const struct lesson *l)
{
	cJSON *ctx, *lo;
	enum err e;

	if ((ctx = learn_ctx(rq, rs, c, acc)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddStringToObject(ctx, "why", access_reason_message(acc->reason));
	if (l != NULL) {
		if ((lo = view_lesson(rq->arena, c->slug, l)) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToObject(ctx, "lesson", lo);
	}
	cJSON_AddStringToObject(ctx, "login_next", l != NULL ?
	    view_learn_url(rq->arena, c->slug, l->position) :
	    view_learn_url(rq->arena, c->slug, 0));
	if ((e = offer_ctx(rq, ctx, c)) != ERR_OK)
		return e;
	rs->status = 403;
	rs->tmpl = "learn/closed.html";
	return ERR_OK;
}

/* Adds "certificate_url", the viewer's certificate of course c. */
static enum err
certificate_ctx(struct req *rq, cJSON *ctx, const struct course *c)
{
	struct certificate cert;
	enum err e;

	e = certificate_of(rq->w->db, rq->arena, viewer(rq), c->id,
	    (int64_t)time(NULL), &cert);
	if (e == ERR_NOTFOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	cJSON_AddStringToObject(ctx, "certificate_url", url_segment(rq->arena,
	    "/certificates/", cert.code));
	return ERR_OK;
}

/* Adds the lessons (with done marks), progress and where Continue goes. */
static enum err
course_home_ctx(struct req *rq, cJSON *ctx, const struct course *c)
{
	struct progress p;
	struct lesson *ls;
	size_t n;
	int64_t to;
	cJSON *arr, *o;
	enum err e;

	if ((e = progress_outline(rq->w->db, rq->arena, viewer(rq), c->id,
	    &ls, &n)) != ERR_OK || (e = progress_get(rq->w->db, viewer(rq),
	    c->id, &p)) != ERR_OK)
		return e;
	if ((arr = cJSON_AddArrayToObject(ctx, "lessons")) == NULL ||
	    (o = view_progress(&p)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddItemToObject(ctx, "progress", o);
	for (size_t i = 0; i < n; i++) {
		if ((o = view_lesson(rq->arena, c->slug, &ls[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	/* The next lesson not done; once all are, the first again. */
	to = p.next_position > 0 ? p.next_position : 1;
	if (n > 0)
		cJSON_AddStringToObject(ctx, "continue_url",
		    view_learn_url(rq->arena, c->slug, to));
	cJSON_AddStringToObject(ctx, "continue_label", p.done == 0 &&
	    p.last_activity_at == 0 ? "Start the course" : p.next_position ?
	    "Continue" : "Review the course");
	return p.completed_at != 0 ? certificate_ctx(rq, ctx, c) : ERR_OK;
}

/* GET /learn/<slug>: the course's home for whoever may open it. */
enum err
h_learn_course(struct req *rq, struct resp *rs)
{
	struct access acc;
	struct course c;
	cJSON *ctx;
	enum err e;

	if ((e = learn_load(rq, &c, &acc)) != ERR_OK)
		return e;
	if (!acc.allowed)
		return closed_page(rq, rs, &c, &acc, NULL);
	if ((ctx = learn_ctx(rq, rs, &c, &acc)) == NULL)
		return ERR_INTERNAL;
	if ((e = course_home_ctx(rq, ctx, &c)) != ERR_OK)
		return e;
	/* A cohort student's sessions (issue 19, schedule.c). */
	if (rq->user != NULL && (e = schedule_add(rq, ctx, "schedule",
	    c.id)) != ERR_OK)
		return e;
	rs->tmpl = "learn/course.html";
	return ERR_OK;
}

/* Adds the student's progress in the course to ctx for the lesson l they
 * opened, and records l as the last lesson opened (only when it was
 * another: reading a lesson again writes nothing). */
static enum err
lesson_progress_ctx(struct req *rq, cJSON *ctx, const struct course *c,
    const struct lesson *l)
{
	struct progress p;
	cJSON *o;
	enum err e;

	if ((e = progress_get(rq->w->db, rq->user->id, c->id, &p)) != ERR_OK)
		return e;
	if (p.last_lesson_id != l->id && (e = progress_opened(rq->w->db,
	    rq->user->id, c->id, l->id, (int64_t)time(NULL))) != ERR_OK)
		return e;
	if ((o = view_progress(&p)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddItemToObject(ctx, "progress", o);
	return ERR_OK;
}

/* Adds the previous and next lessons' URLs of lesson position. */
static void
lesson_nav_ctx(struct req *rq, cJSON *ctx, const struct course *c,
    int64_t position)
{
	if (position > 1)
		cJSON_AddStringToObject(ctx, "prev_url",
		    view_learn_url(rq->arena, c->slug, position - 1));
	if (position < c->lesson_count)
		cJSON_AddStringToObject(ctx, "next_url",
		    view_learn_url(rq->arena, c->slug, position + 1));
}

/* GET /learn/<slug>/<n>: lesson n, to whoever may open the course, and
 * a preview lesson to everyone. */
enum err
h_learn_lesson(struct req *rq, struct resp *rs)
{
	const char *body;
	struct access acc;
	struct course c;
	struct lesson l;
	cJSON *ctx, *lo;
	enum err e;

	if ((e = learn_load(rq, &c, &acc)) != ERR_OK ||
	    (e = catalog_lesson_at(rq->w->db, rq->arena, c.id, rq->id, &l)) !=
	    ERR_OK)
		return e;
	if (!acc.allowed && !l.is_preview)
		return closed_page(rq, rs, &c, &acc, &l);
	if (access_owned(&acc) && (e = progress_lesson_done(rq->w->db,
	    rq->user->id, l.id, &l.done)) != ERR_OK)
		return e;
	if ((e = content_lesson_html(rq->w->db, rq->arena, l.id, &body)) !=
	    ERR_OK)
		return e;
	if ((ctx = learn_ctx(rq, rs, &c, &acc)) == NULL ||
	    (lo = view_lesson(rq->arena, c.slug, &l)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddItemToObject(ctx, "lesson", lo);
	/* Raw in the page: libcmark's safe rendering (lib/content.c). */
	cJSON_AddStringToObject(ctx, "body_html", body);
	cJSON_AddBoolToObject(ctx, "preview_only", !acc.allowed);
	if (!acc.allowed && (e = offer_ctx(rq, ctx, &c)) != ERR_OK)
		return e;
	lesson_nav_ctx(rq, ctx, &c, l.position);
	if (access_owned(&acc) && (e = lesson_progress_ctx(rq, ctx, &c, &l)) !=
	    ERR_OK)
		return e;
	rs->tmpl = "learn/lesson.html";
	return ERR_OK;
}

/* Marks lesson <n> of <slug> done or not, then goes on: after "complete"
 * to the next lesson (or the course's home after the last), after "not
 * complete" back to the lesson. */
static enum err
mark(struct req *rq, struct resp *rs, int done)
{
	struct mark_result m;
	struct course c;
	int64_t next;
	enum err e;

	if ((e = catalog_get(rq->w->db, rq->arena, rq->slug, &c)) != ERR_OK)
		return e;
	e = progress_mark(rq->w->db, rq->user->id, c.id, rq->id, done,
	    (int64_t)time(NULL), &m);
	if (e == ERR_FORBIDDEN)
		rs->message = "Only the course's students keep progress. "
		    "Enroll in it (or buy it) first, from the course's page.";
	if (e != ERR_OK)
		return e;
	if (!done)
		return resp_flash_redirect(rq, rs, view_learn_url(rq->arena,
		    c.slug, rq->id), "Lesson marked not complete.");
	next = rq->id < c.lesson_count && !m.completed_now ? rq->id + 1 : 0;
	return resp_flash_redirect(rq, rs, view_learn_url(rq->arena, c.slug,
	    next), m.completed_now ? "You completed the course. "
	    "Congratulations!" : "Lesson marked complete.");
}

/* POST /learn/<slug>/<n>/complete */
enum err
h_lesson_complete(struct req *rq, struct resp *rs)
{
	return mark(rq, rs, 1);
}

/* POST /learn/<slug>/<n>/incomplete */
enum err
h_lesson_incomplete(struct req *rq, struct resp *rs)
{
	return mark(rq, rs, 0);
}
