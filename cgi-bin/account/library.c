/* account: the student's dashboard and library of courses. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "enrollment.h"
#include "session.h"
#include "user.h"
#include "view.h"

#define COURSES_PER_PAGE 20

/* GET /account/dashboard. */
enum err
h_dashboard(struct req *rq, struct resp *rs)
{
	if (resp_ctx(rs) == NULL)
		return ERR_INTERNAL;
	rs->tmpl = "account/dashboard.html";
	return ERR_OK;
}

/* GET /account/my-courses: the courses the student can open. */
enum err
h_my_courses(struct req *rq, struct resp *rs)
{
	struct course *cs;
	int64_t page;
	size_t n;
	int more;
	cJSON *ctx, *arr, *o;
	enum err e;

	if ((e = field_page(rq, &page)) != ERR_OK)
		return e;
	if ((e = enrollment_list(rq->w->db, rq->arena, rq->user->id, page,
	    COURSES_PER_PAGE, &cs, &n, &more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (arr = cJSON_AddArrayToObject(ctx, "courses")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = view_course(rq->arena, &cs[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	if ((e = view_pager(rq->arena, ctx, "/account/my-courses", NULL,
	    page, more)) != ERR_OK)
		return e;
	rs->tmpl = "account/my_courses.html";
	return ERR_OK;
}

const struct field list_fields[] = {
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};

