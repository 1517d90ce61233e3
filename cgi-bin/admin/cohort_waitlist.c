/* admin: a cohort's waitlist (/admin/cohorts/<id>/waitlist, issue 19),
 * read-only: who waits, since when, and the state of each row (waiting
 * with their place in line, offered until, enrolled, expired, left), in
 * order of joining, a page by key. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "cohort_admin.h"
#include "tz.h"
#include "url.h"
#include "waitlist.h"

#define WAITLIST_PAGE 50	/* rows a page */

const struct field cohort_waitlist_fields[] = {
	{ "after", F_INT, 19 },
	{ NULL, 0, 0 },
};

/* "Tue 23 Mar 2027, 18:00" in the school's zone (arena). */
static const char *
at(struct req *rq, int64_t t)
{
	char s[64];

	return tz_format_in(NULL, t, TZ_DAY_TIME, s, sizeof(s)) == 0 ?
	    arena_strdup(rq->arena, s) : "";
}

/* Adds ctx.cohort and ctx.course of cohort id. */
static enum err
cohort_ctx(struct req *rq, cJSON *ctx, int64_t id)
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
	return (o = cJSON_AddObjectToObject(ctx, "cohort")) != NULL &&
	    cJSON_AddNumberToObject(o, "id", (double)c.id) &&
	    cJSON_AddStringToObject(o, "name", c.f.name) &&
	    cJSON_AddNumberToObject(o, "held", (double)c.held) &&
	    cJSON_AddNumberToObject(o, "capacity", (double)c.f.capacity) &&
	    cJSON_AddStringToObject(ctx, "zone", tz_name()) ? ERR_OK :
	    ERR_INTERNAL;
}

static cJSON *
row_json(struct req *rq, const struct waitlist_entry *w)
{
	cJSON *o = cJSON_CreateObject();
	const char *state = w->status;

	if (strcmp(w->status, "waiting") == 0)
		state = arena_printf(rq->arena, "waiting, number %lld",
		    (long long)w->position);
	else if (strcmp(w->status, "offered") == 0)
		state = arena_printf(rq->arena, "offered until %s", at(rq,
		    w->offer_expires_at));
	if (o == NULL || !cJSON_AddNumberToObject(o, "id", (double)w->id) ||
	    !cJSON_AddNumberToObject(o, "user_id", (double)w->user_id) ||
	    !cJSON_AddStringToObject(o, "name", w->user_name) ||
	    !cJSON_AddStringToObject(o, "email", w->user_email) ||
	    !cJSON_AddStringToObject(o, "since", at(rq, w->created_at)) ||
	    !cJSON_AddStringToObject(o, "status", w->status) ||
	    !cJSON_AddStringToObject(o, "state", state)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* GET /admin/cohorts/<id>/waitlist?after= */
enum err
h_cohort_waitlist(struct req *rq, struct resp *rs)
{
	struct waitlist_entry *v;
	int64_t after = 0;
	cJSON *ctx, *list, *o;
	char last[24], *path;
	const char *next[] = { "after", last, NULL };
	size_t n, i;
	enum err e;

	if (field_bad(rq, "after"))
		return ERR_INVALID;
	field_int(rq, "after", &after);
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	/* One row more than a page tells whether another follows. */
	if ((e = cohort_ctx(rq, ctx, rq->id)) != ERR_OK ||
	    (e = waitlist_of_cohort(rq->w->db, rq->arena, rq->id, after,
	    WAITLIST_PAGE + 1, &v, &n)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "rows")) == NULL ||
	    !cJSON_AddBoolToObject(ctx, "paged", after != 0))
		return ERR_INTERNAL;
	for (i = 0; i < n && i < WAITLIST_PAGE; i++)
		if ((o = row_json(rq, &v[i])) == NULL ||
		    !cJSON_AddItemToArray(list, o))
			return ERR_INTERNAL;
	if (n > WAITLIST_PAGE) {
		snprintf(last, sizeof(last), "%lld",
		    (long long)v[WAITLIST_PAGE - 1].id);
		if ((path = arena_printf(rq->arena, "/admin/cohorts/%lld/"
		    "waitlist", (long long)rq->id)) == NULL ||
		    !cJSON_AddStringToObject(ctx, "next_url", url_query(
		    rq->arena, path, next)))
			return ERR_INTERNAL;
	}
	rs->tmpl = "admin/cohort_waitlist.html";
	return ERR_OK;
}
