/* admin: the home page (/admin/): counts, today's sales, the orders
 * waiting for review, the newest accounts, and links to every area. */
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "overview.h"
#include "tz.h"

/* GET /admin/ */
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
	    (double)o.active_courses) == NULL ||
	    cJSON_AddStringToObject(ctx, "zone", tz_name()) == NULL)
		return ERR_INTERNAL;
	if ((e = overview_home(rq->w->db, (int64_t)time(NULL), ctx)) !=
	    ERR_OK)
		return e;
	rs->tmpl = "admin/home.html";
	return ERR_OK;
}
