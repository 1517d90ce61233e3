/* account: the student's dashboard, library of courses (My courses,
 * filtered by type and status) and progress page.  All three read the
 * student's library (lib/library.c) once and show a slice of it; every
 * query is keyed by the logged-in user, never by a URL. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "certificate.h"
#include "library.h"
#include "money.h"
#include "progress.h"
#include "session.h"
#include "url.h"
#include "user.h"
#include "view.h"

#define COURSES_PER_PAGE 20
#define PROGRESS_PER_PAGE 50
#define CONTINUE_CARDS 3
#define RECENT_COMPLETIONS 5
#define CURRENCIES_MAX 8

/* Adds "certificate_url" to o when the student holds one for the course
 * (valid or not: its page says which). */
static enum err
add_certificate(struct req *rq, cJSON *o, int64_t course_id)
{
	const char *code;
	enum err e;

	e = certificate_code(rq->w->db, rq->arena, rq->user->id, course_id,
	    &code);
	if (e == ERR_NOTFOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	cJSON_AddStringToObject(o, "certificate_url", url_segment(rq->arena,
	    "/certificates/", code));
	return ERR_OK;
}

/* Adds to card o of course c what the student can do next: "action"
 * {label, url}. */
static void
add_action(struct req *rq, cJSON *o, const struct course *c,
    const struct library_entry *le, const struct progress *p)
{
	const char *label, *url;
	cJSON *a;

	if (le->access.allowed) {
		label = le->completed_at != 0 ? "Review" : p->done == 0 &&
		    le->last_activity_at == 0 ? "Start" : "Continue";
		url = view_learn_url(rq->arena, c->slug, le->completed_at ||
		    p->lesson_count == 0 ? 0 : p->next_position > 0 ?
		    p->next_position : 1);
	} else {
		label = le->status == LIBRARY_EXPIRED ? "Buy again" :
		    "See the course";
		url = url_segment(rq->arena, "/courses/", c->slug);
	}
	if ((a = cJSON_AddObjectToObject(o, "action")) == NULL)
		return;
	cJSON_AddStringToObject(a, "label", label);
	cJSON_AddStringToObject(a, "url", url);
}

/* Returns a new card for library entry le: the course, its status, the
 * student's progress in it and the next action; NULL with *e set. */
static cJSON *
library_card(struct req *rq, const struct library_entry *le, enum err *e)
{
	const struct course *c = &le->course;
	struct progress p = { 0 };
	cJSON *o, *po;

	if ((*e = progress_counts(rq->w->db, rq->user->id, c->id, &p)) !=
	    ERR_OK)
		return NULL;
	p.last_activity_at = le->last_activity_at;
	p.completed_at = le->completed_at;
	*e = ERR_INTERNAL;
	if ((o = view_course(rq->arena, c)) == NULL)
		return NULL;
	if ((po = view_progress(&p)) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(o, "progress", po);
	cJSON_AddStringToObject(o, "status", library_status_name(le->status));
	cJSON_AddStringToObject(o, "status_label",
	    library_status_label(le->status));
	if (le->access.expires_at != 0)
		cJSON_AddNumberToObject(o, "expires_at",
		    (double)le->access.expires_at);
	add_action(rq, o, c, le, &p);
	if (le->completed_at != 0 && (*e = add_certificate(rq, o, c->id)) !=
	    ERR_OK) {
		cJSON_Delete(o);
		return NULL;
	}
	*e = ERR_OK;
	return o;
}

/* Adds "continue": cards for the entries idx[0..k) of le. */
static enum err
add_continue(struct req *rq, cJSON *ctx, const struct library_entry *le,
    const size_t *idx, size_t k)
{
	cJSON *arr = cJSON_AddArrayToObject(ctx, "continue"), *o;
	enum err e;

	if (arr == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < k; i++) {
		if ((o = library_card(rq, &le[idx[i]], &e)) == NULL)
			return e;
		cJSON_AddItemToArray(arr, o);
	}
	return ERR_OK;
}

/* Adds "completions": title, url, date and certificate of the entries
 * idx[0..k) of le. */
static enum err
add_completions(struct req *rq, cJSON *ctx, const struct library_entry *le,
    const size_t *idx, size_t k)
{
	cJSON *arr = cJSON_AddArrayToObject(ctx, "completions"), *o;
	const struct library_entry *x;
	enum err e;

	if (arr == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < k; i++) {
		x = &le[idx[i]];
		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "title", x->course.title);
		cJSON_AddStringToObject(o, "url", url_segment(rq->arena,
		    "/courses/", x->course.slug));
		cJSON_AddNumberToObject(o, "completed_at",
		    (double)x->completed_at);
		if ((e = add_certificate(rq, o, x->course.id)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Adds "summary": the counts, by type, and what was spent. */
static enum err
add_summary(struct req *rq, cJSON *ctx, const struct library_entry *le,
    size_t n)
{
	char cur[CURRENCIES_MAX][4];
	int64_t amount[CURRENCIES_MAX];
	struct library_summary s;
	size_t ncur;
	cJSON *o, *arr, *t;
	enum err e;

	library_summarise(le, n, &s);
	if ((e = library_spent(rq->w->db, rq->user->id, cur, amount,
	    CURRENCIES_MAX, &ncur)) != ERR_OK)
		return e;
	if ((o = cJSON_AddObjectToObject(ctx, "summary")) == NULL ||
	    (arr = cJSON_AddArrayToObject(o, "spent")) == NULL)
		return ERR_INTERNAL;
	cJSON_AddNumberToObject(o, "enrolled", (double)s.enrolled);
	cJSON_AddNumberToObject(o, "in_progress", (double)s.in_progress);
	cJSON_AddNumberToObject(o, "completed", (double)s.completed);
	cJSON_AddNumberToObject(o, "courses", (double)n);
	for (size_t i = 0; i < ncur; i++)
		cJSON_AddItemToArray(arr, money_json(amount[i], cur[i]));
	if ((arr = cJSON_AddArrayToObject(o, "by_type")) == NULL)
		return ERR_INTERNAL;
	for (int i = 0; i < COURSE_TYPE_MAX; i++) {
		if ((t = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, t);
		cJSON_AddStringToObject(t, "label", course_type_label(
		    course_type_name((enum course_type)i)));
		cJSON_AddNumberToObject(t, "enrolled",
		    (double)s.by_type[i].enrolled);
		cJSON_AddNumberToObject(t, "completed",
		    (double)s.by_type[i].completed);
	}
	return ERR_OK;
}

/* GET /account/dashboard: the counts, courses to continue, recent
 * completions, a breakdown by course type and quick links. */
/* Adds "cohorts": the schedule of each cohort course open to the student
 * (schedule.c), for its sessions and the steps still to book. */
static enum err
add_cohorts(struct req *rq, cJSON *ctx, const struct library_entry *le,
    size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(ctx, "cohorts"), *holder, *sc;
	enum err e;

	if (arr == NULL || (holder = cJSON_CreateObject()) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if (le[i].type != COURSE_COHORT || !le[i].access.allowed)
			continue;
		if ((e = schedule_add(rq, holder, "s", le[i].course.id)) !=
		    ERR_OK) {
			cJSON_Delete(holder);
			return e;
		}
		if ((sc = cJSON_DetachItemFromObject(holder, "s")) != NULL)
			cJSON_AddItemToArray(arr, sc);
	}
	cJSON_Delete(holder);
	return ERR_OK;
}

enum err
h_dashboard(struct req *rq, struct resp *rs)
{
	int64_t now = (int64_t)time(NULL);
	size_t go[CONTINUE_CARDS], done[RECENT_COMPLETIONS], ng, nd, n;
	struct library_entry *le;
	cJSON *ctx;
	enum err e;

	if ((e = library_scan(rq->w->db, rq->arena, rq->user->id, now, &le,
	    &n)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	ng = library_continue(le, n, go, CONTINUE_CARDS);
	nd = library_recent_completions(le, n, done, RECENT_COMPLETIONS);
	if ((e = add_summary(rq, ctx, le, n)) != ERR_OK ||
	    (e = add_continue(rq, ctx, le, go, ng)) != ERR_OK ||
	    (e = add_completions(rq, ctx, le, done, nd)) != ERR_OK ||
	    (e = add_cohorts(rq, ctx, le, n)) != ERR_OK)
		return e;
	rs->tmpl = "account/dashboard.html";
	return ERR_OK;
}

/* Adds the type and status filters, as the form's selects show them. */
static enum err
add_filters(cJSON *ctx, enum course_type type, enum library_status status)
{
	cJSON *arr, *o;

	if ((arr = cJSON_AddArrayToObject(ctx, "types")) == NULL)
		return ERR_INTERNAL;
	for (int i = 0; i < COURSE_TYPE_MAX; i++) {
		const char *name = course_type_name((enum course_type)i);

		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddStringToObject(o, "label", course_type_label(name));
		cJSON_AddBoolToObject(o, "selected", (int)type == i);
	}
	if ((arr = cJSON_AddArrayToObject(ctx, "statuses")) == NULL)
		return ERR_INTERNAL;
	for (int i = 0; i < LIBRARY_STATUS_MAX; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "name",
		    library_status_name((enum library_status)i));
		cJSON_AddStringToObject(o, "label",
		    library_status_label((enum library_status)i));
		cJSON_AddBoolToObject(o, "selected", (int)status == i);
	}
	return ERR_OK;
}

/* Reads the type and status filters: COURSE_TYPE_MAX and
 * LIBRARY_STATUS_MAX mean "all".  ERR_INVALID (with the page's message)
 * for a value the form never sends. */
static enum err
read_filters(struct req *rq, struct resp *rs, enum course_type *type,
    enum library_status *status)
{
	const char *t = field_str(rq, "type"), *s = field_str(rq, "status");

	*type = t != NULL ? course_type_of(t) : COURSE_TYPE_MAX;
	*status = LIBRARY_STATUS_MAX;
	if (field_bad(rq, "type") || field_bad(rq, "status") ||
	    (t != NULL && *type == COURSE_TYPE_MAX) ||
	    (s != NULL && !library_status_of(s, status))) {
		rs->message = "There is no such list of courses. Choose a type "
		    "and a status from the lists.";
		return ERR_INVALID;
	}
	return ERR_OK;
}

/* Reads the library, filtered, and the page of it to show: entries
 * [*first, *first + *count) of *le; *more when a page follows. */
static enum err
library_page(struct req *rq, struct resp *rs, int per_page,
    struct library_entry **le, size_t *first, size_t *count, int *more)
{
	int64_t now = (int64_t)time(NULL), page;
	enum course_type type;
	enum library_status status;
	size_t n;
	enum err e;

	if ((e = read_filters(rq, rs, &type, &status)) != ERR_OK)
		return e;
	if (field_page(rq, &page) != ERR_OK || page > 100000) {
		rs->message = "There is no such page.";
		return ERR_INVALID;
	}
	*first = (size_t)(page - 1) * (size_t)per_page;
	if (type == COURSE_TYPE_MAX && status == LIBRARY_STATUS_MAX) {
		/* Unfiltered: the page's rows only. */
		if ((e = library_scan_page(rq->w->db, rq->arena, rq->user->id,
		    now, (int64_t)*first, per_page, le, count, more)) != ERR_OK)
			return e;
		*first = 0;
	} else {
		if ((e = library_scan(rq->w->db, rq->arena, rq->user->id, now,
		    le, &n)) != ERR_OK)
			return e;
		n = library_filter(*le, n, type, status);
		*count = *first >= n ? 0 : n - *first < (size_t)per_page ?
		    n - *first : (size_t)per_page;
		*more = *first + *count < n;
	}
	if (resp_ctx(rs) == NULL || add_filters(rs->ctx, type, status) !=
	    ERR_OK)
		return ERR_INTERNAL;
	cJSON_AddBoolToObject(rs->ctx, "filtered", type != COURSE_TYPE_MAX ||
	    status != LIBRARY_STATUS_MAX);
	return view_pager(rq->arena, rs->ctx, rq->path, (const char *[]){
	    "type", field_str(rq, "type"), "status", field_str(rq, "status"),
	    NULL }, page, *more);
}

/* Shows the page of the student's library that the filters and page
 * ask for, as cards, with template tmpl. */
static enum err
library_list(struct req *rq, struct resp *rs, int per_page, const char *tmpl)
{
	struct library_entry *le;
	size_t first, count;
	int more;
	cJSON *arr, *o;
	enum err e;

	if ((e = library_page(rq, rs, per_page, &le, &first, &count,
	    &more)) != ERR_OK)
		return e;
	if ((arr = cJSON_AddArrayToObject(rs->ctx, "courses")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = first; i < first + count; i++) {
		if ((o = library_card(rq, &le[i], &e)) == NULL)
			return e;
		cJSON_AddItemToArray(arr, o);
	}
	rs->tmpl = tmpl;
	return ERR_OK;
}

/* GET /account/my-courses?type=&status=: the student's courses, each
 * with its progress and Start / Continue. */
enum err
h_my_courses(struct req *rq, struct resp *rs)
{
	return library_list(rq, rs, COURSES_PER_PAGE,
	    "account/my_courses.html");
}

/* GET /account/progress?type=&status=: per course, lessons done, last
 * activity and the completion date. */
enum err
h_progress(struct req *rq, struct resp *rs)
{
	return library_list(rq, rs, PROGRESS_PER_PAGE,
	    "account/progress.html");
}

const struct field list_fields[] = {
	{ "type", F_TOKEN, 20 },
	{ "status", F_TOKEN, 20 },
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};
