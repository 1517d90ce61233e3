/* account: a team's progress (/account/teams/<id>/progress and its CSV),
 * for the team's owner and managers: per member, each course of the
 * team's seats they hold, started, lessons done, completed and last
 * active; and per course, holders, started and completed.  A non-member
 * gets 404 (as if the team did not exist), a plain member 403. */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "csv.h"
#include "team.h"
#include "team_progress.h"
#include "url.h"
#include "user.h"

/* Loads team rq->id into *t when the viewer may see its progress. */
static enum err
allowed(struct req *rq, struct resp *rs, struct team *t)
{
	enum err e;

	if ((e = team_load(rq->w->db, rq->arena, rq->id, rq->user->id, t)) !=
	    ERR_OK)
		return e;
	if (t->role < TEAM_MANAGER) {
		rs->message = "Only the team's owner and managers can see its "
		    "members' progress.";
		return ERR_FORBIDDEN;
	}
	return ERR_OK;
}

static int
add_num(cJSON *o, const char *k, int64_t v)
{
	return cJSON_AddNumberToObject(o, k, (double)v) != NULL;
}

/* Appends a new object to array; NULL when out of memory. */
static cJSON *
push(cJSON *array)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && !cJSON_AddItemToArray(array, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Adds the rows as members, each with its courses. */
static enum err
rows_add(cJSON *ctx, const struct team_progress_row *v, size_t n)
{
	cJSON *members = cJSON_AddArrayToObject(ctx, "members"), *m = NULL,
	    *courses = NULL, *c;

	if (members == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || v[i].user_id != v[i - 1].user_id) {
			if ((m = push(members)) == NULL ||
			    !add_num(m, "user_id", v[i].user_id) ||
			    cJSON_AddStringToObject(m, "name", v[i].name) ==
			    NULL || cJSON_AddStringToObject(m, "email",
			    v[i].email) == NULL || (courses =
			    cJSON_AddArrayToObject(m, "courses")) == NULL)
				return ERR_INTERNAL;
		}
		if (v[i].course_id == 0)
			continue;
		if ((c = push(courses)) == NULL ||
		    !add_num(c, "id", v[i].course_id) ||
		    cJSON_AddStringToObject(c, "title", v[i].course_title) ==
		    NULL || !add_num(c, "lessons", v[i].lessons) ||
		    !add_num(c, "done", v[i].done) ||
		    cJSON_AddBoolToObject(c, "started", v[i].started) == NULL ||
		    cJSON_AddBoolToObject(c, "completed", v[i].completed) ==
		    NULL || !add_num(c, "last_activity", v[i].last_activity))
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

static enum err
summary_add(struct req *rq, cJSON *ctx, int64_t team_id)
{
	struct team_progress_course *v;
	size_t n;
	cJSON *list, *o;
	enum err e;

	if ((e = team_progress_courses(rq->w->db, rq->arena, team_id, &v,
	    &n)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "courses")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((o = push(list)) == NULL || !add_num(o, "id", v[i].course_id)
		    || cJSON_AddStringToObject(o, "title", v[i].title) == NULL ||
		    !add_num(o, "holders", v[i].holders) ||
		    !add_num(o, "started", v[i].started) ||
		    !add_num(o, "completed", v[i].completed))
			return ERR_INTERNAL;
	return ERR_OK;
}

/* GET /account/teams/<id>/progress?after=&after_name= */
enum err
h_team_progress(struct req *rq, struct resp *rs)
{
	struct team_progress_key key = { 0, field_str(rq, "after_name") };
	struct team_progress_row *v;
	struct team t;
	size_t n;
	int more;
	cJSON *ctx, *o;
	char path[64];
	enum err e;

	if (field_bad(rq, "after") || field_bad(rq, "after_name"))
		return ERR_INVALID;
	field_int(rq, "after", &key.after_id);
	if ((e = allowed(rq, rs, &t)) != ERR_OK ||
	    (e = team_progress_page(rq->w->db, rq->arena, t.id, &key, &v, &n,
	    &more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (o = cJSON_AddObjectToObject(ctx, "team")) == NULL ||
	    !add_num(o, "id", t.id) ||
	    cJSON_AddStringToObject(o, "name", t.name) == NULL ||
	    !add_num(o, "members", t.members) ||
	    cJSON_AddBoolToObject(ctx, "paged", key.after_id != 0) ==
	    NULL)
		return ERR_INTERNAL;
	if ((e = rows_add(ctx, v, n)) != ERR_OK ||
	    (e = summary_add(rq, ctx, t.id)) != ERR_OK)
		return e;
	if (more) {
		const char *const pairs[] = { "after", arena_printf(rq->arena,
		    "%lld", (long long)v[n - 1].user_id), "after_name",
		    v[n - 1].key_name, NULL };
		const char *url;

		snprintf(path, sizeof(path), "/account/teams/%lld/progress",
		    (long long)t.id);
		if ((url = url_query(rq->arena, path, pairs)) == NULL ||
		    cJSON_AddStringToObject(ctx, "next_url", url) == NULL)
			return ERR_INTERNAL;
	}
	rs->tmpl = "account/team_progress.html";
	return ERR_OK;
}

const struct field team_progress_fields[] = {
	{ "after", F_INT, 19 },
	{ "after_name", F_LINE, 200 },
	{ NULL, 0, 0 },
};

/* GET /account/teams/<id>/progress.csv: every member's rows. */
enum err
h_team_progress_csv(struct req *rq, struct resp *rs)
{
	struct team t;
	char name[64];
	enum err e;

	if ((e = allowed(rq, rs, &t)) != ERR_OK ||
	    (e = team_progress_csv(rq->w->db, rq->arena, t.id, &rs->body)) !=
	    ERR_OK)
		return e;
	snprintf(name, sizeof(name), "team-%lld-progress.csv",
	    (long long)t.id);
	return csv_respond(rq, rs, name);
}
