/* admin: the home page (/admin/). */
#include <cjson/cJSON.h>

#include "admin.h"
#include "overview.h"

/* GET /admin/: counts of users and courses, and links. */
enum err
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

