/* account: a cohort student's schedule (issue 19), shown on the dashboard
 * and on the course's learning page: every step with the session booked
 * (in the school's zone, and the student's own when they set one) or
 * none yet, the sessions to come in order, and how many steps are still
 * to book in the wizard. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "booking.h"
#include "tz.h"
#include "user.h"

/* "Tue 23 Mar 2027, 18:00–19:30" of o in zone (NULL: the school's). */
static const char *
session_when(struct req *rq, const struct booking_option *o,
    const char *zone)
{
	char from[64], to[16];

	if (tz_format_in(zone, o->starts_at, TZ_DAY_TIME, from,
	    sizeof(from)) != 0 || tz_format_in(zone, o->ends_at, TZ_TIME, to,
	    sizeof(to)) != 0)
		return "";
	return arena_printf(rq->arena, "%s–%s", from, to);
}

/* The option step s booked, or NULL. */
static const struct booking_option *
booked_option(const struct booking_step *s)
{
	for (size_t i = 0; i < s->noptions; i++)
		if (s->options[i].id == s->option_id)
			return &s->options[i];
	return NULL;
}

/* One step as the schedule shows it. */
static cJSON *
step_json(struct req *rq, const struct booking_step *s, const char *mine)
{
	const struct booking_option *o = booked_option(s);
	cJSON *j = cJSON_CreateObject();

	if (j == NULL || !cJSON_AddStringToObject(j, "label", s->label) ||
	    !cJSON_AddStringToObject(j, "title", s->title) ||
	    !cJSON_AddBoolToObject(j, "booked", o != NULL) ||
	    (o != NULL && (!cJSON_AddStringToObject(j, "option", o->name) ||
	    !cJSON_AddStringToObject(j, "when", session_when(rq, o, NULL)) ||
	    (mine != NULL && !cJSON_AddStringToObject(j, "when_mine",
	    session_when(rq, o, mine))) || !cJSON_AddNumberToObject(j,
	    "starts_at", (double)o->starts_at) ||
	    !cJSON_AddBoolToObject(j, "over", o->ends_at <= (int64_t)time(NULL)) ||
	    (o->meeting_url[0] != '\0' && !cJSON_AddStringToObject(j,
	    "meeting_url", o->meeting_url))))) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* Orders sessions by their start. */
static int
by_start(const void *a, const void *b)
{
	double x = cJSON_GetObjectItem(*(cJSON *const *)a,
	    "starts_at")->valuedouble;
	double y = cJSON_GetObjectItem(*(cJSON *const *)b,
	    "starts_at")->valuedouble;

	return x < y ? -1 : x > y;
}

/* Adds to sc "upcoming": the booked sessions not over yet, soonest
 * first. */
static enum err
add_upcoming(struct req *rq, cJSON *sc, cJSON *steps)
{
	size_t n = 0, k = (size_t)cJSON_GetArraySize(steps);
	cJSON **v = arena_alloc(rq->arena, (k + 1) * sizeof(*v)), *s, *arr;

	if (v == NULL || (arr = cJSON_AddArrayToObject(sc, "upcoming")) ==
	    NULL)
		return ERR_INTERNAL;
	cJSON_ArrayForEach(s, steps)
		if (cJSON_IsTrue(cJSON_GetObjectItem(s, "booked")) &&
		    !cJSON_IsTrue(cJSON_GetObjectItem(s, "over")))
			v[n++] = s;
	qsort(v, n, sizeof(*v), by_start);
	for (size_t i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_Duplicate(v[i], 1)))
			return ERR_INTERNAL;
	return ERR_OK;
}

enum err
schedule_add(struct req *rq, cJSON *ctx, const char *key, int64_t course_id)
{
	struct booking_plan p;
	char *mine = NULL;
	cJSON *sc, *steps, *j;
	int to_book = 0;
	enum err e;

	e = booking_plan_load(rq->w->db, rq->arena, rq->user->id, course_id,
	    (int64_t)time(NULL), &p);
	if (e == ERR_NOTFOUND)
		return ERR_OK;
	if (e != ERR_OK || (e = user_timezone(rq->w->db, rq->arena,
	    rq->user->id, &mine)) != ERR_OK)
		return e;
	if (mine != NULL && strcmp(mine, tz_name()) == 0)
		mine = NULL;	/* the school's: said once */
	if ((sc = cJSON_AddObjectToObject(ctx, key)) == NULL ||
	    !cJSON_AddStringToObject(sc, "cohort", p.cohort_name) ||
	    !cJSON_AddStringToObject(sc, "course_title", p.course_title) ||
	    !cJSON_AddStringToObject(sc, "learn_url", arena_printf(rq->arena,
	    "/learn/%s", p.course_slug)) ||
	    !cJSON_AddStringToObject(sc, "book_url", arena_printf(rq->arena,
	    "/account/courses/%lld/book", (long long)p.course_id)) ||
	    !cJSON_AddStringToObject(sc, "zone", tz_name()) ||
	    (mine != NULL && !cJSON_AddStringToObject(sc, "my_zone", mine)) ||
	    (steps = cJSON_AddArrayToObject(sc, "steps")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < p.nsteps; i++) {
		if ((j = step_json(rq, &p.steps[i], mine)) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(steps, j);
		to_book += p.steps[i].option_id == 0;
	}
	if (!cJSON_AddNumberToObject(sc, "to_book", to_book))
		return ERR_INTERNAL;
	return add_upcoming(rq, sc, steps);
}
