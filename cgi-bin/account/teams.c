/* account: teams (issue 18, first part): my teams and the form creating
 * one, a team's page (members, roles, pending invitations, the invite
 * form for managers, each action a POST form), and accepting an
 * invitation from its mailed link (the GET shows what it accepts and
 * changes nothing; the button's POST accepts).  Someone who is not a
 * member of a team gets 404 from each of its routes, as if it did not
 * exist; a member whose role does not allow an action gets 403. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "team.h"
#include "user.h"

#define TEAMS_PAGE "/account/teams"

static const char msg_invite_dead[] = "This invitation has expired, has "
    "already been used, or was replaced by a newer one. Ask the team's "
    "manager to invite you again.";

/* Returns "/account/teams/<id>" (arena), or NULL when out of memory. */
static const char *
team_url(struct req *rq, int64_t id)
{
	return arena_printf(rq->arena, TEAMS_PAGE "/%lld", (long long)id);
}

/* Adds user-facing fields of t to o. */
static int
team_json(cJSON *o, const struct team *t)
{
	return cJSON_AddNumberToObject(o, "id", (double)t->id) != NULL &&
	    cJSON_AddStringToObject(o, "name", t->name) != NULL &&
	    cJSON_AddStringToObject(o, "role", team_role_name(t->role)) !=
	    NULL && cJSON_AddNumberToObject(o, "members",
	    (double)t->members) != NULL &&
	    cJSON_AddNumberToObject(o, "created_at", (double)t->created_at) !=
	    NULL && cJSON_AddBoolToObject(o, "is_manager", t->role >=
	    TEAM_MANAGER) != NULL && cJSON_AddBoolToObject(o, "is_owner",
	    t->role == TEAM_OWNER) != NULL;
}

/* The list page with status (the create form refilled by refill). */
static enum err
teams_page(struct req *rq, struct resp *rs, int status,
    const char *const *refill)
{
	struct team *ts;
	size_t n;
	cJSON *arr, *o;
	enum err e;

	if ((e = form_refill(rq, rs, refill)) != ERR_OK ||
	    (e = team_list_mine(rq->w->db, rq->arena, rq->user->id, &ts,
	    &n)) != ERR_OK)
		return e;
	if ((arr = cJSON_AddArrayToObject(rs->ctx, "teams")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		if (!team_json(o, &ts[i]))
			return ERR_INTERNAL;
	}
	rs->status = status;
	rs->tmpl = "account/teams.html";
	return ERR_OK;
}

/* GET /account/teams */
enum err
h_teams(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { NULL };

	return teams_page(rq, rs, 200, refill);
}

/* POST /account/teams: name. */
enum err
h_team_create(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "name", NULL };
	const char *name = field_str(rq, "name");
	int64_t id;
	enum err e;

	if (name == NULL || *name == '\0') {
		if ((e = form_error(rs, "name", "Give the team a name of at "
		    "most 100 characters.")) != ERR_OK)
			return e;
		return teams_page(rq, rs, 400, refill);
	}
	if ((e = team_create(rq->w->db, rq->user->id, name, time(NULL),
	    &id)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, team_url(rq, id), "Your team is "
	    "created. You are its owner: invite people below.");
}

/* Adds the members of team t to ctx. */
static enum err
members_add(struct req *rq, cJSON *ctx, const struct team *t)
{
	struct team_member *ms;
	size_t n;
	cJSON *arr, *o;
	enum err e;

	if ((e = team_members(rq->w->db, rq->arena, t->id, &ms, &n)) != ERR_OK)
		return e;
	if ((arr = cJSON_AddArrayToObject(ctx, "members")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		if (cJSON_AddNumberToObject(o, "user_id",
		    (double)ms[i].user_id) == NULL ||
		    cJSON_AddStringToObject(o, "name", ms[i].name) == NULL ||
		    cJSON_AddStringToObject(o, "email", ms[i].email) == NULL ||
		    cJSON_AddStringToObject(o, "role",
		    team_role_name(ms[i].role)) == NULL ||
		    cJSON_AddNumberToObject(o, "joined_at",
		    (double)ms[i].joined_at) == NULL ||
		    cJSON_AddBoolToObject(o, "is_owner", ms[i].role ==
		    TEAM_OWNER) == NULL || cJSON_AddBoolToObject(o, "is_me",
		    ms[i].user_id == rq->user->id) == NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Adds the pending invitations of team t to ctx. */
static enum err
invites_add(struct req *rq, cJSON *ctx, const struct team *t)
{
	struct team_invite *vs;
	size_t n;
	cJSON *arr, *o;
	enum err e;

	if ((e = team_invites_pending(rq->w->db, rq->arena, t->id, time(NULL),
	    &vs, &n)) != ERR_OK)
		return e;
	if ((arr = cJSON_AddArrayToObject(ctx, "invites")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		if (cJSON_AddStringToObject(o, "email", vs[i].email) == NULL ||
		    cJSON_AddStringToObject(o, "role",
		    team_role_name(vs[i].role)) == NULL ||
		    cJSON_AddStringToObject(o, "invited_by",
		    vs[i].invited_by) == NULL ||
		    cJSON_AddNumberToObject(o, "expires_at",
		    (double)vs[i].expires_at) == NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* The page of team rq->id with status; problem (or NULL) is shown above
 * the members, and refill puts the invite form's values back. */
static enum err
team_page(struct req *rq, struct resp *rs, int status, const char *problem,
    const char *const *refill)
{
	struct team t;
	cJSON *o;
	enum err e;

	if ((e = team_load(rq->w->db, rq->arena, rq->id, rq->user->id, &t)) !=
	    ERR_OK || (e = form_refill(rq, rs, refill)) != ERR_OK)
		return e;
	if ((o = cJSON_AddObjectToObject(rs->ctx, "team")) == NULL ||
	    !team_json(o, &t) || (problem != NULL &&
	    cJSON_AddStringToObject(rs->ctx, "problem", problem) == NULL))
		return ERR_INTERNAL;
	if ((e = members_add(rq, rs->ctx, &t)) != ERR_OK ||
	    (t.role >= TEAM_MANAGER && (e = invites_add(rq, rs->ctx, &t)) !=
	    ERR_OK))
		return e;
	rs->status = status;
	rs->tmpl = "account/team.html";
	return ERR_OK;
}

/* GET /account/teams/<id> */
enum err
h_team(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { NULL };

	return team_page(rq, rs, 200, NULL, refill);
}

/* Answers the outcome e of an action on team rq->id: back to its page
 * with done, or the page again saying why not (conflict: 409), or the
 * error page (404 for a non-member, 403 for too low a role). */
static enum err
action_done(struct req *rq, struct resp *rs, enum err e, const char *done,
    const char *conflict)
{
	static const char *const refill[] = { NULL };

	if (e == ERR_FORBIDDEN)
		rs->message = "Only the team's owner and managers can do this.";
	if (e == ERR_CONFLICT || e == ERR_INVALID)
		return team_page(rq, rs, e == ERR_CONFLICT ? 409 : 400,
		    conflict, refill);
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, team_url(rq, rq->id), done);
}

/* POST /account/teams/<id>/invite: email, role. */
enum err
h_team_invite(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "email", "role", NULL };
	const char *email = field_str(rq, "email");
	enum team_role role = team_role_parse(field_str(rq, "role"));
	struct team t;
	char *done;
	int ok;
	enum err e;

	/* A non-member learns nothing, not even that the form was bad. */
	if ((e = team_load(rq->w->db, rq->arena, rq->id, rq->user->id, &t)) !=
	    ERR_OK)
		return e;
	if (t.role < TEAM_MANAGER) {
		rs->message = "Only the team's owner and managers can invite "
		    "people.";
		return ERR_FORBIDDEN;
	}
	ok = email_ok(rq, rs, &e);
	if (e != ERR_OK)
		return e;
	if (role != TEAM_MEMBER && role != TEAM_MANAGER) {
		ok = 0;
		if ((e = form_error(rs, "role", "Choose member or manager.")) !=
		    ERR_OK)
			return e;
	}
	if (!ok)
		return team_page(rq, rs, 400, NULL, refill);
	e = team_invite(rq->w->db, rq->user->id, rq->id, email, role,
	    rq->w->cfg.base_url, time(NULL));
	if (e == ERR_CONFLICT) {
		if ((e = form_error(rs, "email", "A member of this team uses "
		    "this address already.")) != ERR_OK)
			return e;
		return team_page(rq, rs, 409, NULL, refill);
	}
	if (e != ERR_OK)
		return e;
	if ((done = arena_printf(rq->arena, "We sent an invitation to %s. "
	    "Its link works once, within 7 days.", email)) == NULL)
		return ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, team_url(rq, rq->id), done);
}

/* POST /account/teams/<id>/name: name. */
enum err
h_team_rename(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "name", NULL };
	const char *name = field_str(rq, "name");
	enum err e;

	e = team_rename(rq->w->db, rq->user->id, rq->id, name != NULL ? name :
	    "", time(NULL));
	if (e == ERR_FORBIDDEN)
		rs->message = "Only the team's owner and managers can rename "
		    "it.";
	if (e != ERR_INVALID)
		return action_done(rq, rs, e, "The team is renamed.", NULL);
	if ((e = form_error(rs, "name", "Give the team a name of at most 100 "
	    "characters.")) != ERR_OK)
		return e;
	return team_page(rq, rs, 400, NULL, refill);
}

/* Sets *member to the declared member field; 0 when it is missing. */
static int
member_field(struct req *rq, int64_t *member)
{
	return field_int(rq, "member", member) && *member > 0;
}

/* POST /account/teams/<id>/role: member, role. */
enum err
h_team_role(struct req *rq, struct resp *rs)
{
	enum team_role role = team_role_parse(field_str(rq, "role"));
	int64_t member;
	enum err e;

	if (!member_field(rq, &member))
		e = ERR_INVALID;
	else
		e = team_set_role(rq->w->db, rq->user->id, rq->id, member,
		    role, time(NULL));
	return action_done(rq, rs, e, "The role is changed.", "The owner "
	    "stays the owner until they hand the team over; choose member "
	    "or manager for the others.");
}

/* POST /account/teams/<id>/remove: member. */
enum err
h_team_remove(struct req *rq, struct resp *rs)
{
	int64_t member;
	enum err e;

	if (!member_field(rq, &member))
		e = ERR_INVALID;
	else
		e = team_remove(rq->w->db, rq->user->id, rq->id, member,
		    time(NULL));
	return action_done(rq, rs, e, "The member is removed from the team.",
	    "The owner cannot be removed, and you leave a team with the "
	    "“Leave the team” button.");
}

/* POST /account/teams/<id>/transfer: member. */
enum err
h_team_transfer(struct req *rq, struct resp *rs)
{
	int64_t member;
	enum err e;

	if (!member_field(rq, &member))
		e = ERR_INVALID;
	else
		e = team_transfer(rq->w->db, rq->user->id, rq->id, member,
		    time(NULL));
	if (e == ERR_FORBIDDEN)
		rs->message = "Only the team's owner can hand it over.";
	return action_done(rq, rs, e, "The team has a new owner. You stay in "
	    "it as a manager.", "Choose another member of the team.");
}

/* POST /account/teams/<id>/leave */
enum err
h_team_leave(struct req *rq, struct resp *rs)
{
	enum err e;

	e = team_leave(rq->w->db, rq->user->id, rq->id, time(NULL));
	if (e == ERR_CONFLICT)
		return action_done(rq, rs, e, NULL, "The owner cannot leave: "
		    "hand the team over to another member first.");
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, TEAMS_PAGE, "You left the team.");
}

/* The acceptance page of the token field with status: what it joins and
 * to whom it was sent, or why it cannot be used (problem). */
static enum err
accept_page(struct req *rq, struct resp *rs, int status, const char *problem)
{
	const char *token = field_str(rq, "token");
	struct team_invite v;
	cJSON *ctx = resp_ctx(rs), *o;
	enum err e;

	if (ctx == NULL)
		return ERR_INTERNAL;
	rs->status = status;
	rs->tmpl = "account/team_accept.html";
	if (problem != NULL)
		return cJSON_AddStringToObject(ctx, "problem", problem) !=
		    NULL ? ERR_OK : ERR_INTERNAL;
	e = team_invite_check(rq->w->db, rq->arena, token, time(NULL), &v);
	if (e == ERR_NOTFOUND)
		return accept_page(rq, rs, status == 200 ? 404 : status,
		    msg_invite_dead);
	if (e != ERR_OK)
		return e;
	if ((o = cJSON_AddObjectToObject(ctx, "invite")) == NULL ||
	    cJSON_AddStringToObject(ctx, "token", token) == NULL ||
	    cJSON_AddStringToObject(o, "team", v.team_name) == NULL ||
	    cJSON_AddStringToObject(o, "email", v.email) == NULL ||
	    cJSON_AddStringToObject(o, "role", team_role_name(v.role)) ==
	    NULL || cJSON_AddStringToObject(o, "invited_by", v.invited_by) ==
	    NULL || cJSON_AddNumberToObject(o, "expires_at",
	    (double)v.expires_at) == NULL || cJSON_AddBoolToObject(o,
	    "to_someone_else", strcmp(v.email, rq->user->email) != 0) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

/* GET /account/teams/accept?token= : the link from the mail. */
enum err
h_team_accept_form(struct req *rq, struct resp *rs)
{
	return accept_page(rq, rs, 200, NULL);
}

/* POST /account/teams/accept: token. */
enum err
h_team_accept(struct req *rq, struct resp *rs)
{
	int64_t team_id;
	enum err e;

	e = team_invite_accept(rq->w->db, field_str(rq, "token"),
	    rq->user->id, time(NULL), &team_id);
	if (e == ERR_NOTFOUND)
		return accept_page(rq, rs, 400, msg_invite_dead);
	if (e == ERR_CONFLICT)
		return accept_page(rq, rs, 409, "You are already a member of "
		    "this team.");
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, team_url(rq, team_id), "Welcome: "
	    "you joined the team.");
}

const struct field team_create_fields[] = {
	{ "name", F_LINE, TEAM_NAME_MAX },
	{ NULL, 0, 0 },
};

const struct field team_rename_fields[] = {
	{ "name", F_LINE, TEAM_NAME_MAX },
	{ NULL, 0, 0 },
};

const struct field team_invite_fields[] = {
	F_EMAIL_FIELD,
	{ "role", F_LINE, 16 },
	{ NULL, 0, 0 },
};

const struct field team_member_fields[] = {
	{ "member", F_INT, 15 },
	{ "role", F_LINE, 16 },
	{ NULL, 0, 0 },
};

const struct field team_accept_fields[] = {
	{ "token", F_TOKEN, 128 },
	{ NULL, 0, 0 },
};
