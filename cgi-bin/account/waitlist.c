/* account: the waitlists of full cohorts (issue 19): joining one (the
 * form the course page includes, templates/cart/cohort_waitlist.html),
 * leaving it, and the student's list of their waitlists with each one's
 * state. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "tz.h"
#include "user.h"
#include "waitlist.h"

#define WAITLISTS_PAGE "/account/waitlists"

/* "Tue 23 Mar 2027, 18:00" in the school's zone (arena). */
static const char *
school_time(struct req *rq, int64_t t)
{
	char s[64];

	if (tz_format_in(NULL, t, TZ_DAY_TIME, s, sizeof(s)) != 0)
		return "";
	return arena_strdup(rq->arena, s);
}

/* The state of w as the student reads it. */
static const char *
state_text(struct req *rq, const struct waitlist_entry *w)
{
	if (strcmp(w->status, "waiting") == 0)
		return arena_printf(rq->arena, "Waiting, number %lld in line",
		    (long long)w->position);
	if (strcmp(w->status, "offered") == 0)
		return arena_printf(rq->arena, "A place is yours until %s",
		    school_time(rq, w->offer_expires_at));
	if (strcmp(w->status, "enrolled") == 0)
		return "Took the place offered";
	if (strcmp(w->status, "expired") == 0)
		return "The offer ran out";
	return "Left the waitlist";
}

static cJSON *
entry_json(struct req *rq, const struct waitlist_entry *w)
{
	cJSON *o = cJSON_CreateObject();
	int offered = strcmp(w->status, "offered") == 0;

	if (o == NULL || !cJSON_AddNumberToObject(o, "cohort_id",
	    (double)w->cohort_id) || !cJSON_AddStringToObject(o,
	    "cohort_name", w->cohort_name) || !cJSON_AddStringToObject(o,
	    "course_title", w->course_title) || !cJSON_AddStringToObject(o,
	    "course_slug", w->course_slug) || !cJSON_AddStringToObject(o,
	    "status", w->status) || !cJSON_AddStringToObject(o, "state",
	    state_text(rq, w)) || !cJSON_AddStringToObject(o, "since",
	    school_time(rq, w->created_at)) || !cJSON_AddBoolToObject(o,
	    "offered", offered) || !cJSON_AddBoolToObject(o, "live", offered ||
	    strcmp(w->status, "waiting") == 0)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* GET /account/waitlists */
enum err
h_waitlists(struct req *rq, struct resp *rs)
{
	struct waitlist_entry *w;
	cJSON *ctx, *arr, *o;
	size_t n;
	enum err e;

	if ((e = waitlist_of_user(rq->w->db, rq->arena, rq->user->id, &w,
	    &n)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL || !cJSON_AddStringToObject(ctx,
	    "zone", tz_name()) || (arr = cJSON_AddArrayToObject(ctx,
	    "waitlists")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = entry_json(rq, &w[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	rs->tmpl = "account/waitlists.html";
	return ERR_OK;
}

/* GET /account/cohorts/<id>/waitlist: a cohort's waitlist as the student
 * sees it, with the form to join or leave it (the one the course page
 * includes). */
enum err
h_waitlist(struct req *rq, struct resp *rs)
{
	struct waitlist_cohort c;
	cJSON *ctx, *co;
	enum err e;

	if ((e = waitlist_cohort_get(rq->w->db, rq->arena, rq->id,
	    rq->user->id, (int64_t)time(NULL), &c)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (co = cJSON_AddObjectToObject(ctx, "co")) == NULL ||
	    !cJSON_AddNumberToObject(co, "id", (double)c.id) ||
	    !cJSON_AddStringToObject(co, "name", c.name) ||
	    !cJSON_AddStringToObject(co, "course_title", c.course_title) ||
	    !cJSON_AddStringToObject(co, "course_slug", c.course_slug) ||
	    !cJSON_AddBoolToObject(co, "is_full", c.is_full && c.open) ||
	    !cJSON_AddBoolToObject(co, "open", c.open) ||
	    !cJSON_AddBoolToObject(co, "waiting", c.waiting))
		return ERR_INTERNAL;
	rs->tmpl = "account/waitlist.html";
	return ERR_OK;
}

/* POST /account/cohorts/<id>/waitlist: refused in plain words (409,
 * nothing changed) unless the cohort is full and still enrolling. */
enum err
h_waitlist_join(struct req *rq, struct resp *rs)
{
	enum waitlist_refusal why;
	enum err e;

	e = waitlist_join(rq->w->db, rq->id, rq->user->id,
	    (int64_t)time(NULL), &why);
	if (e == ERR_CONFLICT && why != WAITLIST_OK)
		rs->message = waitlist_refusal_message(why);
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, WAITLISTS_PAGE, "You are on the "
	    "waitlist. We will mail you when a place is yours.");
}

/* POST /account/cohorts/<id>/waitlist/leave */
enum err
h_waitlist_leave(struct req *rq, struct resp *rs)
{
	enum err e;

	e = waitlist_leave(rq->w->db, rq->id, rq->user->id,
	    (int64_t)time(NULL));
	if (e == ERR_NOTFOUND)
		return resp_flash_redirect(rq, rs, WAITLISTS_PAGE, "You were "
		    "not on that waitlist.");
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, WAITLISTS_PAGE, "You left the "
	    "waitlist.");
}
