/* account: a team's seats (issue 18): the seats page of owners and
 * managers (per course: bought, assigned, invited, free, and who holds
 * them, a page of holders at a time), giving one seat to a member or an
 * address, giving seats to a list (typed or a CSV file: a preview that
 * changes nothing, then a confirmation), giving a seat back, and
 * accepting an invitation from its mailed link.  A non-member gets 404
 * from the team's routes, a plain member 403. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "seat_assign.h"
#include "seat_bulk.h"
#include "team.h"
#include "url.h"
#include "user.h"

#define HOLDERS_PAGE 50		/* holders of a course shown at once */
#define MEMBER_CHOICES 300	/* members in an assign form's list */

static const char msg_managers[] = "Only the team's owner and managers "
    "can see and give its seats.";
static const char msg_link_dead[] = "This link was already used or has "
    "expired. Ask the team's manager for a new one.";

/* Loads team rq->id for a manager: ERR_NOTFOUND for a non-member,
 * ERR_FORBIDDEN (with its sentence) for a plain member. */
static enum err
team_for_manager(struct req *rq, struct resp *rs, struct team *t)
{
	enum err e;

	if ((e = team_load(rq->w->db, rq->arena, rq->id, rq->user->id, t)) !=
	    ERR_OK)
		return e;
	if (t->role >= TEAM_MANAGER)
		return ERR_OK;
	rs->message = msg_managers;
	return ERR_FORBIDDEN;
}

static const char *
seats_url(struct req *rq)
{
	return arena_printf(rq->arena, "/account/teams/%lld/seats",
	    (long long)rq->id);
}

/* Adds one page of course c's holders to o: after the key the query
 * names for this course, else from the first. */
static enum err
holders_add(struct req *rq, cJSON *o, const struct seat_course *c,
    int64_t now)
{
	struct seat_holder *hs;
	int64_t course = 0, after = 0;
	char last[24], cid[24];
	const char *pairs[5];
	char *more;
	cJSON *arr, *h;
	size_t n;
	enum err e;

	if (field_int(rq, "course", &course) && course == c->course_id)
		(void)field_int(rq, "after", &after);
	if ((e = seat_holders(rq->w->db, rq->arena, rq->id, c->course_id,
	    after, HOLDERS_PAGE + 1, &hs, &n)) != ERR_OK)
		return e;
	if ((arr = cJSON_AddArrayToObject(o, "holders")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n && i < HOLDERS_PAGE; i++) {
		if ((h = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, h);
		if (cJSON_AddNumberToObject(h, "id", (double)hs[i].id) == NULL ||
		    cJSON_AddStringToObject(h, "name", hs[i].name) == NULL ||
		    cJSON_AddStringToObject(h, "email", hs[i].email) == NULL ||
		    cJSON_AddBoolToObject(h, "invited", hs[i].invited) ==
		    NULL || cJSON_AddNumberToObject(h, "since",
		    (double)hs[i].since) == NULL ||
		    cJSON_AddNumberToObject(h, "expires_at",
		    (double)hs[i].expires_at) == NULL ||
		    cJSON_AddBoolToObject(h, "expired", hs[i].invited &&
		    hs[i].expires_at <= now) == NULL)
			return ERR_INTERNAL;
	}
	if (after > 0 && cJSON_AddStringToObject(o, "first_url",
	    arena_printf(rq->arena, "%s#course-%lld", seats_url(rq),
	    (long long)c->course_id)) == NULL)
		return ERR_INTERNAL;
	if (n <= HOLDERS_PAGE)
		return ERR_OK;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->course_id);
	snprintf(last, sizeof(last), "%lld",
	    (long long)hs[HOLDERS_PAGE - 1].id);
	pairs[0] = "course", pairs[1] = cid, pairs[2] = "after",
	    pairs[3] = last, pairs[4] = NULL;
	if ((more = url_query(rq->arena, seats_url(rq), pairs)) == NULL ||
	    cJSON_AddStringToObject(o, "more_url", arena_printf(rq->arena,
	    "%s#course-%s", more, cid)) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

/* Adds the members who could get a seat of course c to o. */
static enum err
choices_add(struct req *rq, cJSON *o, const struct seat_course *c)
{
	struct seat_member *ms;
	cJSON *arr, *m;
	size_t n;
	enum err e;

	if ((e = seat_members_without(rq->w->db, rq->arena, rq->id,
	    c->course_id, MEMBER_CHOICES + 1, &ms, &n)) != ERR_OK)
		return e;
	if ((arr = cJSON_AddArrayToObject(o, "members")) == NULL ||
	    cJSON_AddBoolToObject(o, "members_more", n > MEMBER_CHOICES) ==
	    NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n && i < MEMBER_CHOICES; i++) {
		if ((m = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, m);
		if (cJSON_AddNumberToObject(m, "user_id",
		    (double)ms[i].user_id) == NULL ||
		    cJSON_AddStringToObject(m, "name", ms[i].name) == NULL ||
		    cJSON_AddStringToObject(m, "email", ms[i].email) == NULL ||
		    cJSON_AddStringToObject(m, "key", arena_printf(rq->arena,
		    "%lld", (long long)ms[i].user_id)) == NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Adds team t and its courses with seats to ctx; with holders (the
 * seats page), each course's holders and assign choices too. */
static enum err
courses_add(struct req *rq, cJSON *ctx, const struct team *t, int holders)
{
	struct seat_course *cs;
	int64_t now = time(NULL);
	cJSON *o, *arr;
	size_t n;
	enum err e;

	if ((o = cJSON_AddObjectToObject(ctx, "team")) == NULL ||
	    cJSON_AddNumberToObject(o, "id", (double)t->id) == NULL ||
	    cJSON_AddStringToObject(o, "name", t->name) == NULL)
		return ERR_INTERNAL;
	if ((e = seat_courses(rq->w->db, rq->arena, t->id, &cs, &n)) != ERR_OK)
		return e;
	if ((arr = cJSON_AddArrayToObject(ctx, "courses")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		/* key: the id as the refilled form's text, to compare. */
		if (cJSON_AddNumberToObject(o, "id", (double)cs[i].course_id) ==
		    NULL || cJSON_AddStringToObject(o, "key", arena_printf(
		    rq->arena, "%lld", (long long)cs[i].course_id)) == NULL ||
		    cJSON_AddStringToObject(o, "title", cs[i].title) ==
		    NULL || cJSON_AddStringToObject(o, "slug", cs[i].slug) ==
		    NULL || cJSON_AddNumberToObject(o, "seats",
		    (double)cs[i].seats) == NULL ||
		    cJSON_AddNumberToObject(o, "active",
		    (double)cs[i].active) == NULL ||
		    cJSON_AddNumberToObject(o, "invited",
		    (double)cs[i].invited) == NULL ||
		    cJSON_AddNumberToObject(o, "free", (double)(cs[i].seats -
		    cs[i].active - cs[i].invited)) == NULL)
			return ERR_INTERNAL;
		/* The assign form shows only while a seat is free. */
		if (holders && ((e = holders_add(rq, o, &cs[i], now)) !=
		    ERR_OK || (cs[i].seats > cs[i].active + cs[i].invited &&
		    (e = choices_add(rq, o, &cs[i])) != ERR_OK)))
			return e;
	}
	return ERR_OK;
}

static const char *const page_refill[] = { "course", "member", "email",
    "addresses", NULL };

/* The seats page of team t with status; problem (or NULL) above all. */
static enum err
seats_page(struct req *rq, struct resp *rs, const struct team *t,
    int status, const char *problem)
{
	enum err e;

	if ((e = form_refill(rq, rs, page_refill)) != ERR_OK ||
	    (e = courses_add(rq, rs->ctx, t, 1)) != ERR_OK)
		return e;
	if (problem != NULL && cJSON_AddStringToObject(rs->ctx, "problem",
	    problem) == NULL)
		return ERR_INTERNAL;
	rs->status = status;
	rs->tmpl = "account/team_seats.html";
	return ERR_OK;
}

/* GET /account/teams/<id>/seats?course=&after= */
enum err
h_team_seats(struct req *rq, struct resp *rs)
{
	struct team t;
	enum err e;

	if ((e = team_for_manager(rq, rs, &t)) != ERR_OK ||
	    resp_ctx(rs) == NULL)
		return e != ERR_OK ? e : ERR_INTERNAL;
	return seats_page(rq, rs, &t, 200, NULL);
}

/* Finds the title of course_id among team t's seats: ERR_NOTFOUND when
 * the team has none of it. */
static enum err
course_title(struct req *rq, int64_t course_id, const char **title)
{
	struct seat_course *cs;
	size_t n;
	enum err e;

	if ((e = seat_courses(rq->w->db, rq->arena, rq->id, &cs, &n)) !=
	    ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++)
		if (cs[i].course_id == course_id) {
			*title = cs[i].title;
			return ERR_OK;
		}
	return ERR_NOTFOUND;
}

/* The page again with field's error (status). */
static enum err
refuse(struct req *rq, struct resp *rs, const struct team *t, int status,
    const char *field, const char *message)
{
	enum err e;

	if ((e = form_error(rs, field, message)) != ERR_OK)
		return e;
	return seats_page(rq, rs, t, status, NULL);
}

/* The answer to an assignment's outcome o of course title. */
static enum err
assigned(struct req *rq, struct resp *rs, const struct team *t,
    enum seat_outcome o, const char *field, const char *title)
{
	const char *email = field_str(rq, "email");

	switch (o) {
	case SEAT_GIVEN:
		return resp_flash_redirect(rq, rs, seats_url(rq),
		    arena_printf(rq->arena, "The seat of %s is given: the "
		    "course is open to them now, and we mailed them.", title));
	case SEAT_INVITED:
		return resp_flash_redirect(rq, rs, seats_url(rq),
		    arena_printf(rq->arena, "We sent %s an invitation to a "
		    "seat of %s. Its link works once, within 7 days.", email,
		    title));
	case SEAT_HAS_COURSE:
		return refuse(rq, rs, t, 409, field, "This person already has "
		    "the course: they need no seat.");
	case SEAT_HOLDS:
		return refuse(rq, rs, t, 409, field, "This person already "
		    "holds or is invited to a seat of this course.");
	default:
		return seats_page(rq, rs, t, 409, arena_printf(rq->arena,
		    "No seat of %s is left. Nothing was changed.", title));
	}
}

/* POST /account/teams/<id>/seats/assign: course, member or email. */
enum err
h_seat_assign(struct req *rq, struct resp *rs)
{
	const char *email = field_str(rq, "email"), *title;
	int64_t course, member = 0;
	enum seat_outcome o;
	struct team t;
	int by_member;
	enum err e;

	if ((e = team_for_manager(rq, rs, &t)) != ERR_OK ||
	    resp_ctx(rs) == NULL)
		return e != ERR_OK ? e : ERR_INTERNAL;
	if (!field_int(rq, "course", &course) ||
	    (e = course_title(rq, course, &title)) == ERR_NOTFOUND)
		return seats_page(rq, rs, &t, 400, "Choose a course the team "
		    "has seats of.");
	if (e != ERR_OK)
		return e;
	by_member = field_int(rq, "member", &member) && member > 0;
	if (field_bad(rq, "email"))
		return refuse(rq, rs, &t, 400, "email", "Enter an email address "
		    "like name@example.com.");
	if (by_member == (email != NULL))
		return refuse(rq, rs, &t, 400, "email", by_member ? "Choose a "
		    "member or type an address, not both." : "Choose a member "
		    "or type an email address.");
	if (by_member)
		e = seat_assign_member(rq->w->db, rq->user->id, rq->id, course,
		    member, rq->w->cfg.base_url, time(NULL), &o);
	else
		e = seat_assign(rq->w->db, rq->user->id, rq->id, course, email,
		    rq->w->cfg.base_url, time(NULL), &o);
	if (e == ERR_NOTFOUND && by_member)
		return refuse(rq, rs, &t, 400, "member", "Choose a member of "
		    "the team.");
	if (e != ERR_OK)
		return e;
	return assigned(rq, rs, &t, o, by_member ? "member" : "email", title);
}

/* POST /account/teams/<id>/seats/revoke: assignment. */
enum err
h_seat_revoke(struct req *rq, struct resp *rs)
{
	int64_t id;
	struct team t;
	enum err e;

	if ((e = team_for_manager(rq, rs, &t)) != ERR_OK ||
	    resp_ctx(rs) == NULL)
		return e != ERR_OK ? e : ERR_INTERNAL;
	if (!field_int(rq, "assignment", &id))
		return seats_page(rq, rs, &t, 400, "Choose a seat to give "
		    "back.");
	e = seat_assign_revoke(rq->w->db, rq->user->id, rq->id, id,
	    time(NULL));
	if (e == ERR_NOTFOUND)
		return seats_page(rq, rs, &t, 409, "This seat was already "
		    "given back.");
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, seats_url(rq), "The seat is free "
	    "again, and the access it gave has ended.");
}

/* The uploaded CSV file of the bulk form, or NULL (none, or empty). */
static const struct multipart_part *
csv_file(const struct req *rq)
{
	for (size_t i = 0; i < rq->files.n; i++)
		if (strcmp(rq->files.v[i].name, "file") == 0 &&
		    rq->files.v[i].len > 0)
			return &rq->files.v[i];
	return NULL;
}

/* Adds b's rows and counts to ctx, with the confirmation's list. */
static enum err
bulk_add(struct req *rq, cJSON *ctx, const struct seat_bulk *b,
    int64_t course, const char *title)
{
	cJSON *arr, *o, *c;
	char *list;

	if ((list = seat_bulk_list(rq->arena, b)) == NULL ||
	    (o = cJSON_AddObjectToObject(ctx, "bulk")) == NULL ||
	    cJSON_AddNumberToObject(o, "course", (double)course) == NULL ||
	    cJSON_AddStringToObject(o, "title", title) == NULL ||
	    cJSON_AddStringToObject(o, "list", list) == NULL ||
	    cJSON_AddNumberToObject(o, "rows", (double)b->n) == NULL ||
	    cJSON_AddNumberToObject(o, "free", (double)b->free) == NULL ||
	    cJSON_AddNumberToObject(o, "seated", (double)(b->count[SEAT_GIVEN] +
	    b->count[SEAT_INVITED])) == NULL ||
	    (c = cJSON_AddObjectToObject(o, "count")) == NULL ||
	    (arr = cJSON_AddArrayToObject(o, "v")) == NULL)
		return ERR_INTERNAL;
	for (int k = 0; k < SEAT_OUTCOME_MAX; k++)
		if (cJSON_AddNumberToObject(c, seat_outcome_name(k),
		    (double)b->count[k]) == NULL)
			return ERR_INTERNAL;
	for (size_t i = 0; i < b->n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		if (cJSON_AddStringToObject(o, "address", b->v[i].address) ==
		    NULL || cJSON_AddStringToObject(o, "outcome",
		    seat_outcome_name(b->v[i].outcome)) == NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Reads the bulk form's list (the file, else the typed addresses) into
 * *b; 0 with the error beside its field when it is unusable. */
static int
bulk_read(struct req *rq, struct resp *rs, struct seat_bulk *b, enum err *e)
{
	const struct multipart_part *f = csv_file(rq);
	const char *text = field_str(rq, "addresses");

	*e = f != NULL ? seat_bulk_csv(rq->arena, f->data, f->len, b) :
	    seat_bulk_text(rq->arena, text, b);
	if (*e == ERR_TOOLARGE) {
		*e = form_error(rs, "addresses", arena_printf(rq->arena,
		    "At most 5,000 addresses at a time: this list has %zu. "
		    "Split it and send each part.", b->n));
		return 0;
	}
	if (*e == ERR_OK && b->n == 0)
		*e = form_error(rs, "addresses", f != NULL ? "The file has no "
		    "address in it: one a line, in a column named email or "
		    "the first." : "Type at least one address, or choose a "
		    "CSV file.");
	return *e == ERR_OK && b->n > 0;
}

/* POST /account/teams/<id>/seats/bulk: course, addresses or a CSV file
 * (multipart): the preview, changing nothing. */
enum err
h_seat_bulk(struct req *rq, struct resp *rs)
{
	struct seat_bulk b;
	const char *title;
	int64_t course;
	struct team t;
	enum err e;

	if ((e = team_for_manager(rq, rs, &t)) != ERR_OK ||
	    resp_ctx(rs) == NULL)
		return e != ERR_OK ? e : ERR_INTERNAL;
	if (!field_int(rq, "course", &course) ||
	    (e = course_title(rq, course, &title)) == ERR_NOTFOUND)
		return refuse(rq, rs, &t, 400, "bulk_course", "Choose a course "
		    "the team has seats of.");
	if (e != ERR_OK)
		return e;
	if (!bulk_read(rq, rs, &b, &e))
		return e != ERR_OK ? e : seats_page(rq, rs, &t,
		    b.n > SEAT_BULK_MAX ? 413 : 400, NULL);
	if ((e = seat_bulk_preview(rq->w->db, rq->user->id, rq->id, course,
	    time(NULL), &b)) != ERR_OK || (e = courses_add(rq, rs->ctx, &t,
	    0)) != ERR_OK || (e = bulk_add(rq, rs->ctx, &b, course, title)) !=
	    ERR_OK)
		return e;
	rs->tmpl = "account/team_seats_bulk.html";
	return ERR_OK;
}

/* POST /account/teams/<id>/seats/bulk/confirm: course, addresses (the
 * preview's list): every address checked again, the seats given in one
 * transaction. */
enum err
h_seat_bulk_confirm(struct req *rq, struct resp *rs)
{
	struct seat_bulk b;
	const char *title;
	int64_t course;
	struct team t;
	size_t seated;
	enum err e;

	if ((e = team_for_manager(rq, rs, &t)) != ERR_OK ||
	    resp_ctx(rs) == NULL)
		return e != ERR_OK ? e : ERR_INTERNAL;
	if (!field_int(rq, "course", &course) ||
	    (e = course_title(rq, course, &title)) == ERR_NOTFOUND)
		return ERR_INVALID;
	if (e != ERR_OK)
		return e;
	if ((e = seat_bulk_text(rq->arena, field_str(rq, "addresses"), &b)) !=
	    ERR_OK)
		return e == ERR_TOOLARGE ? ERR_INVALID : e;
	if ((e = seat_bulk_assign(rq->w->db, rq->user->id, rq->id, course,
	    rq->w->cfg.base_url, time(NULL), &b)) != ERR_OK)
		return e;
	seated = b.count[SEAT_GIVEN] + b.count[SEAT_INVITED];
	if (seated > 0)
		return resp_flash_redirect(rq, rs, seats_url(rq),
		    arena_printf(rq->arena, "%zu seat%s of %s given: %zu open "
		    "now, %zu invitation%s mailed; %zu address%s got none.",
		    seated, seated == 1 ? "" : "s", title,
		    b.count[SEAT_GIVEN], b.count[SEAT_INVITED],
		    b.count[SEAT_INVITED] == 1 ? "" : "s", b.n - seated,
		    b.n - seated == 1 ? "" : "es"));
	/* Nothing given: what each address came to, as a preview. */
	if ((e = courses_add(rq, rs->ctx, &t, 0)) != ERR_OK ||
	    (e = bulk_add(rq, rs->ctx, &b, course, title)) != ERR_OK ||
	    cJSON_AddStringToObject(rs->ctx, "problem", "No address got a "
	    "seat: nothing was changed.") == NULL)
		return e != ERR_OK ? e : ERR_INTERNAL;
	rs->status = 409;
	rs->tmpl = "account/team_seats_bulk.html";
	return ERR_OK;
}

/* The acceptance page: the invitation of the token field, or problem
 * (with status). */
static enum err
accept_page(struct req *rq, struct resp *rs, int status, const char *problem)
{
	const char *token = field_str(rq, "token");
	struct seat_invite v;
	cJSON *ctx = resp_ctx(rs), *o;
	enum err e;

	if (ctx == NULL)
		return ERR_INTERNAL;
	rs->status = status;
	rs->tmpl = "account/seat_accept.html";
	if (problem != NULL)
		return cJSON_AddStringToObject(ctx, "problem", problem) !=
		    NULL ? ERR_OK : ERR_INTERNAL;
	e = seat_invite_check(rq->w->db, rq->arena, token, time(NULL), &v);
	if (e == ERR_NOTFOUND)
		return accept_page(rq, rs, 410, msg_link_dead);
	if (e != ERR_OK)
		return e;
	if ((o = cJSON_AddObjectToObject(ctx, "invite")) == NULL ||
	    cJSON_AddStringToObject(ctx, "token", token) == NULL ||
	    cJSON_AddStringToObject(o, "team", v.team) == NULL ||
	    cJSON_AddStringToObject(o, "course", v.course) == NULL ||
	    cJSON_AddStringToObject(o, "email", v.email) == NULL ||
	    cJSON_AddStringToObject(o, "invited_by", v.invited_by) == NULL ||
	    cJSON_AddNumberToObject(o, "expires_at", (double)v.expires_at) ==
	    NULL || cJSON_AddBoolToObject(o, "to_someone_else",
	    strcmp(v.email, rq->user->email) != 0) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

/* GET /account/seats/accept?token= : the link from the mail. */
enum err
h_seat_accept_form(struct req *rq, struct resp *rs)
{
	return accept_page(rq, rs, 200, NULL);
}

/* POST /account/seats/accept: token. */
enum err
h_seat_accept(struct req *rq, struct resp *rs)
{
	struct seat_invite v;
	int already;
	enum err e;

	e = seat_invite_accept(rq->w->db, rq->arena, field_str(rq, "token"),
	    rq->user->id, time(NULL), &v, &already);
	if (e == ERR_NOTFOUND)
		return accept_page(rq, rs, 410, msg_link_dead);
	if (e != ERR_OK)
		return e;
	if (already)
		return accept_page(rq, rs, 409, arena_printf(rq->arena, "You "
		    "already have %s, so you need no seat: it went back to the "
		    "team %s for someone else.", v.course, v.team));
	return resp_flash_redirect(rq, rs, arena_printf(rq->arena, "/learn/%s",
	    v.slug), arena_printf(rq->arena, "Your seat of %s, from the team "
	    "%s, is yours: the course is open.", v.course, v.team));
}

const struct field seats_page_fields[] = {
	{ "course", F_INT, 15 },
	{ "after", F_INT, 15 },
	{ NULL, 0, 0 },
};

const struct field seat_assign_fields[] = {
	{ "course", F_INT, 15 },
	{ "member", F_INT, 15 },
	F_EMAIL_FIELD,
	{ NULL, 0, 0 },
};

const struct field seat_revoke_fields[] = {
	{ "assignment", F_INT, 15 },
	{ NULL, 0, 0 },
};

/* A list of 5,000 long addresses fits the body's limit (HTTP_MAX_BODY). */
const struct field seat_bulk_fields[] = {
	{ "course", F_INT, 15 },
	{ "addresses", F_TEXT, 250 * 1024 },
	{ NULL, 0, 0 },
};

const struct field seat_accept_fields[] = {
	{ "token", F_TOKEN, 128 },
	{ NULL, 0, 0 },
};
