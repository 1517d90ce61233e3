/* admin: people (/admin/users): the list with search and sort, a person's
 * page, and the changes to an account (role, disabled).  The enrollment
 * forms of the person's page are in enrollments.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "form_page.h"
#include "people.h"
#include "person.h"
#include "person_change.h"
#include "session.h"
#include "url.h"

/* Adds the list's rows to ctx.people. */
static enum err
add_people(cJSON *ctx, const struct person *v, size_t n)
{
	cJSON *list, *o;
	size_t i;

	if ((list = cJSON_AddArrayToObject(ctx, "people")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++)
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    !cJSON_AddNumberToObject(o, "id", (double)v[i].id) ||
		    !cJSON_AddStringToObject(o, "email", v[i].email) ||
		    !cJSON_AddStringToObject(o, "name", v[i].name) ||
		    !cJSON_AddBoolToObject(o, "is_admin", v[i].is_admin) ||
		    !cJSON_AddNumberToObject(o, "verified_at",
		    (double)v[i].verified_at) ||
		    !cJSON_AddNumberToObject(o, "created_at",
		    (double)v[i].created_at) ||
		    !cJSON_AddBoolToObject(o, "deleted",
		    v[i].deleted_at != 0) ||
		    !cJSON_AddNumberToObject(o, "disabled_at",
		    (double)v[i].disabled_at) ||
		    !cJSON_AddNumberToObject(o, "orders", (double)v[i].orders))
			return ERR_INTERNAL;
	return ERR_OK;
}

/* Adds next_url: the same search and sort after the last row shown. */
static enum err
add_next(struct req *rq, cJSON *ctx, const struct people_query *pq,
    const struct person *last)
{
	char id[24];
	const char *const pairs[] = { "q", pq->q, "sort",
	    pq->sort == PEOPLE_NEWEST ? NULL : people_sort_name(pq->sort),
	    "after", id, "after_name",
	    pq->sort == PEOPLE_NAME ? last->key_name : NULL, NULL };
	const char *url;

	snprintf(id, sizeof(id), "%lld", (long long)last->id);
	if ((url = url_query(rq->arena, "/admin/users", pairs)) == NULL ||
	    cJSON_AddStringToObject(ctx, "next_url", url) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

/* GET /admin/users?q=&sort=&after=&after_name=: every account, or those
 * whose address or name begins with q, a page at a time. */
enum err
h_users(struct req *rq, struct resp *rs)
{
	struct people_query pq = { .q = field_str(rq, "q"),
	    .after_name = field_str(rq, "after_name") };
	struct person *v;
	size_t n;
	int more, sort = PEOPLE_NEWEST;
	cJSON *ctx;
	enum err e;

	if (field_bad(rq, "after") || field_bad(rq, "q") ||
	    field_bad(rq, "after_name") || (field_str(rq, "sort") != NULL &&
	    (sort = people_sort_of(field_str(rq, "sort"))) < 0))
		return ERR_INVALID;
	pq.sort = (enum people_sort)sort;
	field_int(rq, "after", &pq.after_id);
	if ((e = people_list(rq->w->db, rq->arena, &pq, &v, &n, &more)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    cJSON_AddStringToObject(ctx, "q", pq.q != NULL ? pq.q : "") ==
	    NULL || cJSON_AddStringToObject(ctx, "sort",
	    people_sort_name(pq.sort)) == NULL ||
	    cJSON_AddBoolToObject(ctx, "paged", pq.after_id != 0) == NULL ||
	    (e = add_people(ctx, v, n)) != ERR_OK)
		return e != ERR_OK ? e : ERR_INTERNAL;
	if (more && (e = add_next(rq, ctx, &pq, &v[n - 1])) != ERR_OK)
		return e;
	rs->tmpl = "admin/users.html";
	return ERR_OK;
}

const struct field users_fields[] = {
	{ "q", F_LINE, PEOPLE_QUERY_MAX },
	{ "sort", F_SLUG, 10 },
	{ "after", F_INT, 19 },
	{ "after_name", F_LINE, 200 },
	{ NULL, 0, 0 },
};

enum err
admin_person_show(struct req *rq, struct resp *rs, int64_t id, int status)
{
	static const char *const refill[] = { "course", "note", "until",
	    NULL };
	cJSON *ctx;
	enum err e;

	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	if ((e = person_page(rq->w->db, rq->arena, id, (int64_t)time(NULL),
	    ctx)) != ERR_OK)
		return e;
	if (cJSON_AddBoolToObject(ctx, "is_self", id == rq->user->id) == NULL)
		return ERR_INTERNAL;
	return form_again(rq, rs, "admin/user.html", status, refill);
}

/* GET /admin/users/<id>: the person's page. */
enum err
h_user(struct req *rq, struct resp *rs)
{
	return admin_person_show(rq, rs, rq->id, 200);
}

/* The person's page again with message next to the form named field. */
static enum err
refuse(struct req *rq, struct resp *rs, int status, const char *field,
    const char *message)
{
	enum err e;

	if ((e = form_error(rs, field, message)) != ERR_OK)
		return e;
	return admin_person_show(rq, rs, rq->id, status);
}

/* Back to the person's page with a one-time message. */
enum err
admin_person_done(struct req *rq, struct resp *rs, int64_t id,
    const char *message)
{
	char path[48];

	snprintf(path, sizeof(path), "/admin/users/%lld", (long long)id);
	return resp_flash_redirect(rq, rs, path, message);
}

/* POST /admin/users/<id>/role: role=admin or student. */
enum err
h_user_role(struct req *rq, struct resp *rs)
{
	const char *role = field_str(rq, "role");
	int admin;
	enum err e;

	if (role == NULL || (strcmp(role, "admin") != 0 &&
	    strcmp(role, "student") != 0))
		return refuse(rq, rs, 400, "role", "Choose admin or student.");
	admin = strcmp(role, "admin") == 0;
	e = person_set_role(rq->w->db, rq->user->id, rq->id, admin,
	    (int64_t)time(NULL));
	if (e == ERR_CONFLICT)
		return refuse(rq, rs, 409, "role", "This is the last "
		    "administrator who can log in: make someone else an "
		    "administrator first.");
	if (e == ERR_INVALID)
		return refuse(rq, rs, 409, "role", "This account was deleted.");
	if (e != ERR_OK)
		return e;
	return admin_person_done(rq, rs, rq->id, admin ? "This person is "
	    "now an administrator." : "This person is no longer an "
	    "administrator.");
}

const struct field user_role_fields[] = {
	{ "role", F_SLUG, 10 },
	{ NULL, 0, 0 },
};

/* POST /admin/users/<id>/disable and /enable. */
static enum err
set_disabled(struct req *rq, struct resp *rs, int disabled)
{
	enum err e;

	e = person_set_disabled(rq->w->db, rq->user->id, rq->id, disabled,
	    (int64_t)time(NULL));
	if (e == ERR_FORBIDDEN)
		return refuse(rq, rs, 409, "disable", "You cannot disable "
		    "your own account.");
	if (e == ERR_INVALID)
		return refuse(rq, rs, 409, "disable", "This account was "
		    "deleted.");
	if (e != ERR_OK)
		return e;
	return admin_person_done(rq, rs, rq->id, disabled ? "The account is "
	    "disabled: its sessions have ended and it cannot log in." :
	    "The account is enabled: it can log in again.");
}

enum err
h_user_disable(struct req *rq, struct resp *rs)
{
	return set_disabled(rq, rs, 1);
}

enum err
h_user_enable(struct req *rq, struct resp *rs)
{
	return set_disabled(rq, rs, 0);
}
