/* admin: the admin home now; coupons, courses, orders, refunds,
 * enrollments and reports arrive with the issues that build them.  Every
 * route is R_ADMIN: guests go to the login page, students get a 403. */
#include <cjson/cJSON.h>

#include "app.h"
#include "apps.h"
#include "overview.h"
#include "server.h"

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

static const struct route routes[] = {
	{ METHOD_GET, "/admin", h_home, R_ADMIN, NULL },
};

const struct app admin_app = { "admin", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &admin_app);
}
#endif
