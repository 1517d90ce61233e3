/* account: booking live sessions (issue 19): the booking wizard of a
 * cohort course (every step, with a choice for the steps offered in
 * several options; all the choices of a submission are applied or none),
 * a booked session as an iCalendar file, and the student's private
 * calendar feed (made, replaced or revoked here; read by calendar
 * applications without a session, by its token alone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "booking.h"
#include "buf.h"
#include "calendar.h"
#include "tz.h"
#include "user.h"

const struct field booking_fields[] = {
	/* One select per step: an option's id, or "later". */
	{ "option", F_WORDS, 500 },
	{ NULL, 0, 0 },
};

/* "Tue 23 Mar 2027, 18:00–19:30" of o in zone (NULL: the school's). */
static const char *
when(struct req *rq, const struct booking_option *o, const char *zone)
{
	char from[64], to[16];

	if (tz_format_in(zone, o->starts_at, TZ_DAY_TIME, from,
	    sizeof(from)) != 0 || tz_format_in(zone, o->ends_at, TZ_TIME, to,
	    sizeof(to)) != 0)
		return "";
	return arena_printf(rq->arena, "%s–%s", from, to);
}

/* Whether id is among the n ids sent. */
static int
sent(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

static cJSON *
option_json(struct req *rq, const struct booking_step *s,
    const struct booking_option *o, const char *mine, const int64_t *chosen,
    size_t nchosen)
{
	cJSON *j = cJSON_CreateObject();
	int booked = s->option_id == o->id;

	if (j == NULL || cJSON_AddNumberToObject(j, "id", (double)o->id) ==
	    NULL || cJSON_AddStringToObject(j, "name", o->name) == NULL ||
	    cJSON_AddStringToObject(j, "when", when(rq, o, NULL)) == NULL ||
	    (mine != NULL && cJSON_AddStringToObject(j, "when_mine", when(rq,
	    o, mine)) == NULL) ||
	    cJSON_AddNumberToObject(j, "left", (double)o->left) == NULL ||
	    cJSON_AddBoolToObject(j, "full", o->left <= 0 && !booked) ==
	    NULL || cJSON_AddBoolToObject(j, "closed", o->closed) == NULL ||
	    cJSON_AddBoolToObject(j, "booked", booked) == NULL ||
	    cJSON_AddBoolToObject(j, "selected", nchosen > 0 ? sent(chosen,
	    nchosen, o->id) : booked) == NULL ||
	    cJSON_AddStringToObject(j, "meeting_url", o->meeting_url) ==
	    NULL) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static cJSON *
step_json(struct req *rq, const struct booking_step *s, const char *mine,
    const int64_t *chosen, size_t nchosen)
{
	cJSON *j = cJSON_CreateObject(), *arr, *o;

	if (j == NULL || cJSON_AddNumberToObject(j, "id", (double)s->id) ==
	    NULL || cJSON_AddStringToObject(j, "label", s->label) == NULL ||
	    cJSON_AddStringToObject(j, "title", s->title) == NULL ||
	    cJSON_AddBoolToObject(j, "booked", s->option_id != 0) == NULL ||
	    cJSON_AddNumberToObject(j, "booking_id", (double)s->booking_id) ==
	    NULL ||
	    cJSON_AddBoolToObject(j, "locked", s->locked) == NULL ||
	    cJSON_AddBoolToObject(j, "choice", s->noptions > 1 &&
	    !s->locked) == NULL ||
	    (arr = cJSON_AddArrayToObject(j, "options")) == NULL)
		goto fail;
	for (size_t i = 0; i < s->noptions; i++) {
		if ((o = option_json(rq, s, &s->options[i], mine, chosen,
		    nchosen)) == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, o);
		if (s->options[i].id == s->option_id &&
		    !cJSON_AddItemToObject(j, "current", cJSON_Duplicate(o, 1)))
			goto fail;
	}
	return j;
fail:
	cJSON_Delete(j);
	return NULL;
}

/* The wizard of course rq->id with status; chosen: what the refused
 * submission chose (kept selected), problem: why it was refused. */
static enum err
booking_page(struct req *rq, struct resp *rs, int status,
    const int64_t *chosen, size_t nchosen, const char *problem)
{
	struct booking_plan p;
	char *mine = NULL;
	cJSON *ctx, *arr, *s;
	int feed = 0;
	enum err e;

	if ((e = booking_plan_load(rq->w->db, rq->arena, rq->user->id, rq->id,
	    (int64_t)time(NULL), &p)) != ERR_OK ||
	    (e = user_timezone(rq->w->db, rq->arena, rq->user->id, &mine)) !=
	    ERR_OK || (e = calendar_feed_exists(rq->w->db, rq->user->id,
	    &feed)) != ERR_OK)
		return e;
	if (mine != NULL && strcmp(mine, tz_name()) == 0)
		mine = NULL;	/* the school's: said once */
	if ((ctx = resp_ctx(rs)) == NULL ||
	    cJSON_AddNumberToObject(ctx, "course_id", (double)p.course_id) ==
	    NULL || cJSON_AddStringToObject(ctx, "course_title",
	    p.course_title) == NULL || cJSON_AddStringToObject(ctx,
	    "course_slug", p.course_slug) == NULL ||
	    cJSON_AddStringToObject(ctx, "cohort", p.cohort_name) == NULL ||
	    cJSON_AddStringToObject(ctx, "zone", tz_name()) == NULL ||
	    (mine != NULL && cJSON_AddStringToObject(ctx, "my_zone", mine) ==
	    NULL) || cJSON_AddBoolToObject(ctx, "has_feed", feed) == NULL ||
	    (problem != NULL && cJSON_AddStringToObject(ctx, "problem",
	    problem) == NULL) ||
	    (arr = cJSON_AddArrayToObject(ctx, "steps")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < p.nsteps; i++) {
		if ((s = step_json(rq, &p.steps[i], mine, chosen, nchosen)) ==
		    NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, s);
	}
	rs->status = status;
	rs->tmpl = "account/book.html";
	return ERR_OK;
}

/* GET /account/courses/<id>/book */
enum err
h_booking(struct req *rq, struct resp *rs)
{
	return booking_page(rq, rs, 200, NULL, 0, NULL);
}

/* POST /account/courses/<id>/book: every option chosen, or none. */
enum err
h_booking_save(struct req *rq, struct resp *rs)
{
	struct booking_problem pr;
	const char *const *words;
	char text[400];
	int64_t *ids;
	size_t n, k = 0, changed = 0;
	enum err e;

	if (field_bad(rq, "option"))
		return ERR_INVALID;
	n = field_words(rq, "option", &words);
	if ((ids = arena_alloc(rq->arena, (n + 1) * sizeof(*ids))) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		char *end;
		long long v;

		if (strcmp(words[i], "later") == 0)
			continue;
		v = strtoll(words[i], &end, 10);
		if (*end != '\0' || v <= 0)
			return ERR_INVALID;
		ids[k++] = v;
	}
	e = booking_apply(rq->w->db, rq->arena, rq->user->id, rq->id, ids, k,
	    (int64_t)time(NULL), &pr, &changed);
	if (e == ERR_CONFLICT) {
		booking_problem_text(&pr, text, sizeof(text));
		return booking_page(rq, rs, 409, ids, k, text);
	}
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, arena_printf(rq->arena,
	    "/account/courses/%lld/book", (long long)rq->id), changed > 0 ?
	    "Your sessions are booked." : "Nothing was changed.");
}

/* Answers the events as an iCalendar file named filename. */
static enum err
ics_respond(struct resp *rs, const struct ical_event *ev, size_t n,
    const char *name, const char *filename)
{
	char disposition[128];
	enum err e;

	if ((e = ical_write(&rs->body, name, ev, n)) != ERR_OK)
		return e;
	snprintf(disposition, sizeof(disposition), "attachment; "
	    "filename=\"%s\"", filename);
	rs->content_type = "text/calendar; charset=utf-8";
	return resp_header(rs, "Content-Disposition", disposition);
}

/* GET /account/bookings/<id>/session.ics: one booked session. */
enum err
h_booking_ics(struct req *rq, struct resp *rs)
{
	struct ical_event *ev;
	size_t n;
	enum err e;

	if ((e = calendar_events(rq->w->db, rq->arena, rq->user->id, rq->id,
	    rq->w->cfg.base_url, &ev, &n)) != ERR_OK)
		return e;
	return ics_respond(rs, ev, n, NULL, "session.ics");
}

/* GET /account/calendar/<slug>/sessions.ics: the feed, by its token (the
 * slug segment); no session, no cookie. */
enum err
h_calendar_feed(struct req *rq, struct resp *rs)
{
	struct ical_event *ev;
	int64_t user_id;
	size_t n;
	enum err e;

	if ((e = calendar_feed_user(rq->w->db, rq->slug, &user_id)) !=
	    ERR_OK) {
		rs->message = "This calendar link was replaced or revoked.";
		return e;
	}
	if ((e = calendar_events(rq->w->db, rq->arena, user_id, 0,
	    rq->w->cfg.base_url, &ev, &n)) != ERR_OK)
		return e;
	/* Calendar applications poll: an hour is fresh enough. */
	if ((e = resp_header(rs, "Cache-Control", "private, max-age=3600")) !=
	    ERR_OK)
		return e;
	return ics_respond(rs, ev, n, "My live sessions", "sessions.ics");
}

/* POST /account/calendar/new: a new feed link, shown once (only its hash
 * is kept); the old link stops working. */
enum err
h_calendar_new(struct req *rq, struct resp *rs)
{
	char token[LINK_TOKEN_HEX + 1];
	const char *url, *host;
	cJSON *ctx;
	enum err e;

	if ((e = calendar_feed_new(rq->w->db, rq->user->id,
	    (int64_t)time(NULL), token)) != ERR_OK)
		return e;
	url = arena_printf(rq->arena, "%s/account/calendar/%s/sessions.ics",
	    rq->w->cfg.base_url, token);
	if (url == NULL || (host = strstr(url, "://")) == NULL)
		return ERR_INTERNAL;
	/* webcal:// opens the calendar application on most systems. */
	if ((ctx = resp_ctx(rs)) == NULL ||
	    cJSON_AddStringToObject(ctx, "feed_url", url) == NULL ||
	    cJSON_AddStringToObject(ctx, "webcal_url", arena_printf(
	    rq->arena, "webcal://%s", host + 3)) == NULL)
		return ERR_INTERNAL;
	rs->tmpl = "account/calendar.html";
	return ERR_OK;
}

/* POST /account/calendar/revoke */
enum err
h_calendar_revoke(struct req *rq, struct resp *rs)
{
	enum err e;

	if ((e = calendar_feed_revoke(rq->w->db, rq->user->id)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, req_safe_next(field_str(rq,
	    "next"), HOME_PAGE), "Your calendar link no longer works.");
}
