/* cart: the public store front (catalog, course pages, pricing) and, with
 * the purchase work, the cart and its coupons. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "apps.h"
#include "catalog.h"
#include "server.h"
#include "session.h"
#include "url.h"
#include "view.h"

#define CATALOG_PER_PAGE 12
#define PRICING_PER_PAGE 50

/* Adds the courses as a "courses" array of ctx; ERR_INTERNAL on OOM. */
static enum err
add_courses(struct req *rq, cJSON *ctx, const struct course *cs, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(ctx, "courses"), *o;

	if (arr == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = view_course(rq->arena, &cs[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	return ERR_OK;
}

/* Adds prev_url / next_url for page of a listing at path. */
static enum err
add_pages(struct req *rq, cJSON *ctx, const char *path, int64_t page,
    int has_more, const char *type, const char *search)
{
	char num[24];
	const char *pairs[] = { "type", type, "q", search, "page", num, NULL };
	char *url;

	cJSON_AddNumberToObject(ctx, "page", (double)page);
	if (page > 1) {
		snprintf(num, sizeof(num), "%lld", (long long)(page - 1));
		if ((url = url_query(rq->arena, path, pairs)) == NULL)
			return ERR_INTERNAL;
		cJSON_AddStringToObject(ctx, "prev_url", url);
	}
	if (has_more) {
		snprintf(num, sizeof(num), "%lld", (long long)(page + 1));
		if ((url = url_query(rq->arena, path, pairs)) == NULL)
			return ERR_INTERNAL;
		cJSON_AddStringToObject(ctx, "next_url", url);
	}
	return ERR_OK;
}

static enum err
add_type_filter(cJSON *ctx, const char *selected)
{
	cJSON *arr = cJSON_AddArrayToObject(ctx, "types"), *o;

	if (arr == NULL)
		return ERR_INTERNAL;
	for (int t = 0; t < COURSE_TYPE_MAX; t++) {
		const char *name = course_type_name((enum course_type)t);

		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddStringToObject(o, "label", course_type_label(name));
		cJSON_AddBoolToObject(o, "selected", selected != NULL &&
		    strcmp(selected, name) == 0);
	}
	return ERR_OK;
}

/* GET / and /courses: the catalog with type filter, search and pages. */
static enum err
h_catalog(struct req *rq, struct resp *rs)
{
	struct catalog_query q = { .per_page = CATALOG_PER_PAGE, .page = 1 };
	struct course *cs;
	size_t n;
	int has_more;
	cJSON *ctx;
	enum err e;

	if (field_bad(rq, "type") || field_bad(rq, "q") ||
	    field_bad(rq, "page")) {
		rs->message = "That filter is not valid. Choose a course type "
		    "from the list and search with words.";
		return ERR_INVALID;
	}
	q.type = field_str(rq, "type");
	q.search = field_str(rq, "q");
	field_int(rq, "page", &q.page);
	if (q.type != NULL && !course_type_valid(q.type)) {
		rs->message = "There is no such course type.";
		return ERR_INVALID;
	}
	if ((e = catalog_list(rq->w->db, rq->arena, &q, &cs, &n,
	    &has_more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (e = add_courses(rq, ctx, cs, n)) != ERR_OK ||
	    (e = add_type_filter(ctx, q.type)) != ERR_OK ||
	    (e = add_pages(rq, ctx, "/courses", q.page < 1 ? 1 : q.page,
	    has_more, q.type, q.search)) != ERR_OK)
		return ERR_INTERNAL;
	if (q.search != NULL)
		cJSON_AddStringToObject(ctx, "q", q.search);
	rs->tmpl = "cart/catalog.html";
	return ERR_OK;
}

/* GET /courses/<slug>: description, outline and how to buy. */
static enum err
h_course(struct req *rq, struct resp *rs)
{
	struct course c;
	struct lesson *ls;
	size_t n;
	cJSON *ctx, *co, *arr, *o;
	enum err e;

	if ((e = catalog_get(rq->w->db, rq->arena, rq->slug, &c)) != ERR_OK)
		return e;
	if (!c.is_active && (rq->user == NULL || !rq->user->is_admin))
		return ERR_NOTFOUND;
	if ((e = catalog_lessons(rq->w->db, rq->arena, c.id, &ls, &n)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (co = view_course(rq->arena, &c)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddItemToObject(ctx, "course", co);
	if ((arr = cJSON_AddArrayToObject(co, "lessons")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = view_lesson(&ls[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	rs->tmpl = "cart/course.html";
	return ERR_OK;
}

/* GET /payment/pricing: every course's price on one table. */
static enum err
h_pricing(struct req *rq, struct resp *rs)
{
	struct catalog_query q = { .per_page = PRICING_PER_PAGE, .page = 1 };
	struct course *cs;
	size_t n;
	int has_more;
	cJSON *ctx;
	enum err e;

	if (field_bad(rq, "page"))
		return ERR_INVALID;
	field_int(rq, "page", &q.page);
	if ((e = catalog_list(rq->w->db, rq->arena, &q, &cs, &n,
	    &has_more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    add_courses(rq, ctx, cs, n) != ERR_OK ||
	    add_pages(rq, ctx, "/payment/pricing", q.page < 1 ? 1 : q.page,
	    has_more, NULL, NULL) != ERR_OK)
		return ERR_INTERNAL;
	rs->tmpl = "cart/pricing.html";
	return ERR_OK;
}

static const struct field catalog_fields[] = {
	{ "type", F_TOKEN, 20 },
	{ "q", F_LINE, 100 },
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};

static const struct field page_fields[] = {
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};

static const struct route routes[] = {
	{ METHOD_GET, "/", h_catalog, 0, catalog_fields },
	{ METHOD_GET, "/courses", h_catalog, 0, catalog_fields },
	{ METHOD_GET, "/courses/<slug>", h_course, 0, NULL },
	{ METHOD_GET, "/payment/pricing", h_pricing, 0, page_fields },
};

const struct app cart_app = { "cart", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &cart_app);
}
#endif
