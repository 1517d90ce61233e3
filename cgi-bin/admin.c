/* admin: the admin home now; coupons, courses, orders, refunds,
 * enrollments and reports arrive with the issues that build them.  Every
 * route is R_ADMIN: guests go to the login page, students get a 403. */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "apps.h"
#include "overview.h"
#include "people.h"
#include "server.h"
#include "url.h"

/* GET /admin/: counts of users and courses, and links. */
static enum err
h_home(struct req *rq, struct resp *rs)
{
	struct overview o;
	cJSON *ctx, *c;
	enum err e;

	if ((e = overview_counts(rq->w->db, &o)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (c = cJSON_AddObjectToObject(ctx, "counts")) == NULL ||
	    cJSON_AddNumberToObject(c, "users", (double)o.users) == NULL ||
	    cJSON_AddNumberToObject(c, "admins", (double)o.admins) == NULL ||
	    cJSON_AddNumberToObject(c, "courses", (double)o.courses) == NULL ||
	    cJSON_AddNumberToObject(c, "active_courses",
	    (double)o.active_courses) == NULL)
		return ERR_INTERNAL;
	rs->tmpl = "admin/home.html";
	return ERR_OK;
}

/* GET /admin/users?before=: every account, newest first, with whether its
 * address is confirmed; a deleted one as "deleted user #N". */
static enum err
h_users(struct req *rq, struct resp *rs)
{
	struct person *v;
	int64_t before = 0;
	size_t n, i;
	int more;
	cJSON *ctx, *list, *o;
	char last[24];
	const char *const next[] = { "before", last, NULL };
	enum err e;

	if (field_bad(rq, "before"))
		return ERR_INVALID;
	field_int(rq, "before", &before);
	if ((e = people_list(rq->w->db, rq->arena, before, &v, &n, &more)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (list = cJSON_AddArrayToObject(ctx, "people")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    cJSON_AddNumberToObject(o, "id", (double)v[i].id) == NULL ||
		    cJSON_AddStringToObject(o, "email", v[i].email) == NULL ||
		    cJSON_AddStringToObject(o, "name", v[i].name) == NULL ||
		    cJSON_AddBoolToObject(o, "is_admin", v[i].is_admin) ==
		    NULL ||
		    cJSON_AddNumberToObject(o, "verified_at",
		    (double)v[i].verified_at) == NULL ||
		    cJSON_AddNumberToObject(o, "created_at",
		    (double)v[i].created_at) == NULL ||
		    cJSON_AddBoolToObject(o, "deleted", v[i].deleted_at != 0) ==
		    NULL ||
		    cJSON_AddNumberToObject(o, "orders", (double)v[i].orders) ==
		    NULL)
			return ERR_INTERNAL;
	}
	if (more) {
		snprintf(last, sizeof(last), "%lld", (long long)v[n - 1].id);
		if (cJSON_AddStringToObject(ctx, "next_url", url_query(rq->arena,
		    "/admin/users", next)) == NULL)
			return ERR_INTERNAL;
	}
	rs->tmpl = "admin/users.html";
	return ERR_OK;
}

static const struct field users_fields[] = {
	{ "before", F_INT, 15 },
	{ NULL, 0, 0 },
};

static const struct route routes[] = {
	{ METHOD_GET, "/admin", h_home, R_ADMIN, NULL },
	{ METHOD_GET, "/admin/users", h_users, R_ADMIN, users_fields },
};

const struct app admin_app = { "admin", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &admin_app);
}
#endif
