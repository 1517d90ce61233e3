/* admin: courses (/admin/courses): the list, the new-course form and a
 * course's page (its form, cover, lessons and deletion).  The lessons'
 * handlers are lessons.c's and the cover's cover.c's; they show this
 * file's course page again when their form is refused. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "catalog.h"
#include "course_admin.h"
#include "form_page.h"
#include "lesson_admin.h"
#include "money.h"
#include "url.h"
#include "user.h"

#define COURSE_TITLE_MAX 200
#define ACCESS_DAYS_MAX 36500

/* The course form's fields, as refilled after a refusal (is_active, a
 * checkbox, is put back by course_form_refill). */
static const char *const course_refill[] = { "title", "slug", "summary",
    "description", "course_type", "level", "instructor", "price",
    "currency", "access_days", NULL };

/* Adds key: val to o; 0 when memory ran out. */
static int
put(cJSON *o, const char *key, const char *val)
{
	return cJSON_AddStringToObject(o, key, val != NULL ? val : "") != NULL;
}

/* Returns amount in currency as typed in a form ("49.00"), arena. */
static char *
price_text(struct arena *a, int64_t amount, const char *currency)
{
	int digits = money_minor_digits(currency);
	int64_t unit = 1;

	for (int i = 0; i < digits; i++)
		unit *= 10;
	if (digits == 0)
		return arena_printf(a, "%lld", (long long)amount);
	return arena_printf(a, "%lld.%0*lld", (long long)(amount / unit),
	    digits, (long long)(amount % unit));
}

/* Puts course f's stored values into ctx.form (a form shown afresh). */
static enum err
form_from(struct req *rq, cJSON *ctx, const struct course_edit *f)
{
	cJSON *form = cJSON_AddObjectToObject(ctx, "form");
	char days[24] = "";

	if (f->access_days > 0)
		snprintf(days, sizeof(days), "%lld", (long long)f->access_days);
	if (form == NULL || !put(form, "title", f->title) ||
	    !put(form, "slug", f->slug) || !put(form, "summary", f->summary) ||
	    !put(form, "description", f->description) ||
	    !put(form, "course_type", f->type) ||
	    !put(form, "level", f->level) ||
	    !put(form, "instructor", f->instructor) ||
	    !put(form, "price", price_text(rq->arena, f->price_amount,
	    f->currency)) || !put(form, "currency", f->currency) ||
	    !put(form, "access_days", days) ||
	    (f->is_active && !put(form, "is_active", "1")))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* Refills the course form with what was typed. */
static enum err
course_form_refill(struct req *rq, struct resp *rs)
{
	int64_t on = 0;
	enum err e;
	cJSON *form;

	if ((e = form_refill(rq, rs, course_refill)) != ERR_OK)
		return e;
	form = cJSON_GetObjectItemCaseSensitive(rs->ctx, "form");
	if (field_int(rq, "is_active", &on) && on && !put(form, "is_active",
	    "1"))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* Checks one field: adds message next to it when bad; returns bad. */
static int
check(struct resp *rs, int bad, const char *field, const char *message,
    enum err *e)
{
	if (bad && *e == ERR_OK)
		*e = form_error(rs, field, message);
	return bad;
}

/* Reads the course form into *f; returns the number of refused fields,
 * each with its error next to it (*e: ERR_INTERNAL when memory ran out). */
static int
course_form_read(struct req *rq, struct resp *rs, struct course_edit *f,
    enum err *e)
{
	const char *price = field_str(rq, "price");
	int64_t on = 0;
	int bad = 0;

	*e = ERR_OK;
	memset(f, 0, sizeof(*f));
	f->title = field_str(rq, "title");
	f->slug = field_str(rq, "slug");
	f->summary = field_str(rq, "summary");
	f->description = field_str(rq, "description");
	f->type = field_str(rq, "course_type");
	f->level = field_str(rq, "level");
	f->instructor = field_str(rq, "instructor");
	f->currency = field_str(rq, "currency");
	f->is_active = field_int(rq, "is_active", &on) && on;
	bad += check(rs, f->title == NULL, "title", field_bad(rq, "title") ?
	    "A title is one line of at most 200 characters." :
	    "Give the course a title.", e);
	bad += check(rs, f->slug == NULL, "slug", "A slug is lower-case "
	    "letters, digits and hyphens, such as intro-to-sql; it makes the "
	    "course's address.", e);
	bad += check(rs, field_bad(rq, "summary"), "summary", "A summary is "
	    "one line of at most 300 characters.", e);
	bad += check(rs, field_bad(rq, "description"), "description", "A "
	    "description is at most 20,000 characters.", e);
	bad += check(rs, !course_type_valid(f->type), "course_type",
	    "Choose a type.", e);
	bad += check(rs, !course_level_valid(f->level), "level",
	    "Choose a level.", e);
	bad += check(rs, field_bad(rq, "instructor"), "instructor", "An "
	    "instructor's name is one line of at most 120 characters.", e);
	if (check(rs, f->currency == NULL || strlen(f->currency) != 3 ||
	    !money_currency_valid(f->currency) || strspn(f->currency,
	    "abcdefghijklmnopqrstuvwxyz") != 3, "currency", "A currency is "
	    "a three-letter code in lower case, such as usd or eur.", e))
		bad++;
	else
		bad += check(rs, price == NULL || money_parse(price,
		    f->currency, &f->price_amount) != ERR_OK, "price", "Type "
		    "a price such as 49.00, or 0 for a free course.", e);
	bad += check(rs, field_bad(rq, "access_days") || (field_int(rq,
	    "access_days", &f->access_days) && (f->access_days < 1 ||
	    f->access_days > ACCESS_DAYS_MAX)), "access_days", "Days of "
	    "access are a whole number from 1 to 36500; leave it empty for "
	    "access without end.", e);
	return bad;
}

/* Adds ctx.course (what the page says of the course) and ctx.lessons. */
static enum err
course_ctx(struct req *rq, cJSON *ctx, const struct course_admin *c)
{
	struct lesson_admin *v;
	cJSON *o, *list, *l;
	size_t n, i;
	enum err e;

	if ((o = cJSON_AddObjectToObject(ctx, "course")) == NULL ||
	    !cJSON_AddNumberToObject(o, "id", (double)c->id) ||
	    !put(o, "title", c->f.title) || !put(o, "slug", c->f.slug) ||
	    !put(o, "url", url_segment(rq->arena, "/courses/", c->f.slug)) ||
	    !cJSON_AddNumberToObject(o, "orders", (double)c->orders) ||
	    !cJSON_AddNumberToObject(o, "enrollments",
	    (double)c->enrollments) ||
	    !cJSON_AddBoolToObject(o, "is_active", c->f.is_active) ||
	    (*c->cover != '\0' && (!put(o, "cover_url", arena_printf(
	    rq->arena, "/media/%s", c->cover)) ||
	    !put(o, "cover_alt", c->cover_alt))))
		return ERR_INTERNAL;
	if ((e = lesson_admin_list(rq->w->db, rq->arena, c->id, &v, &n)) !=
	    ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "lessons")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++)
		if ((l = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, l) ||
		    !cJSON_AddNumberToObject(l, "id", (double)v[i].id) ||
		    !cJSON_AddNumberToObject(l, "position",
		    (double)v[i].position) || !put(l, "title", v[i].f.title) ||
		    !cJSON_AddNumberToObject(l, "minutes",
		    (double)v[i].f.minutes) ||
		    !cJSON_AddBoolToObject(l, "is_preview", v[i].f.is_preview) ||
		    !cJSON_AddBoolToObject(l, "first", i == 0) ||
		    !cJSON_AddBoolToObject(l, "last", i + 1 == n))
			return ERR_INTERNAL;
	return ERR_OK;
}

enum err
course_page(struct req *rq, struct resp *rs, int64_t id, int status,
    int refill_course, const char *const *refill_other)
{
	struct course_admin c;
	cJSON *ctx, *form;
	enum err e;

	if ((e = course_admin_get(rq->w->db, rq->arena, id, &c)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	if (refill_course)
		e = course_form_refill(rq, rs);
	else if (refill_other != NULL) {
		if ((e = form_refill(rq, rs, refill_other)) == ERR_OK)
			e = form_from(rq, ctx, &c.f);
	} else
		e = form_from(rq, ctx, &c.f);
	if (e != ERR_OK || (e = course_ctx(rq, ctx, &c)) != ERR_OK)
		return e;
	/* The cover form starts from the current picture's words. */
	form = cJSON_GetObjectItemCaseSensitive(ctx, "form");
	if (form != NULL && !cJSON_HasObjectItem(form, "cover_alt") &&
	    !put(form, "cover_alt", c.cover_alt))
		return ERR_INTERNAL;
	rs->status = status;
	rs->tmpl = "admin/course_edit.html";
	return ERR_OK;
}

/* GET /admin/courses/<id>: the course's form, cover and lessons. */
enum err
h_course(struct req *rq, struct resp *rs)
{
	return course_page(rq, rs, rq->id, 200, 0, NULL);
}

/* GET /admin/courses/new: an empty form (on sale, in dollars). */
enum err
h_course_new(struct req *rq, struct resp *rs)
{
	cJSON *ctx = resp_ctx(rs), *form;

	if (ctx == NULL || (form = cJSON_AddObjectToObject(ctx, "form")) ==
	    NULL || !put(form, "currency", "usd") ||
	    !put(form, "course_type", "self_paced") ||
	    !put(form, "level", "beginner") || !put(form, "is_active", "1"))
		return ERR_INTERNAL;
	rs->tmpl = "admin/course_new.html";
	return ERR_OK;
}

/* Adds the slug's error when a save met another course's slug. */
static enum err
slug_taken(struct resp *rs)
{
	return form_error(rs, "slug", "Another course has this slug; choose "
	    "another.");
}

/* POST /admin/courses/new: the course form. */
enum err
h_course_create(struct req *rq, struct resp *rs)
{
	struct course_edit f;
	int64_t id;
	char *to;
	enum err e;

	if (course_form_read(rq, rs, &f, &e) > 0 || e != ERR_OK)
		goto again;
	e = course_admin_create(rq->w->db, rq->user->id, &f, time(NULL), &id);
	if (e == ERR_CONFLICT && (e = slug_taken(rs)) == ERR_OK)
		goto again;
	if (e != ERR_OK)
		return e;
	if ((to = arena_printf(rq->arena, "/admin/courses/%lld",
	    (long long)id)) == NULL)
		return ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, to, "The course is created. Add "
	    "its lessons and a cover below.");
again:
	if (e != ERR_OK || (e = course_form_refill(rq, rs)) != ERR_OK)
		return e;
	rs->status = 400;
	rs->tmpl = "admin/course_new.html";
	return ERR_OK;
}

/* POST /admin/courses/<id>: the course form. */
enum err
h_course_update(struct req *rq, struct resp *rs)
{
	struct course_edit f;
	char *to;
	enum err e;

	if (course_form_read(rq, rs, &f, &e) > 0 || e != ERR_OK)
		return e != ERR_OK ? e : course_page(rq, rs, rq->id, 400, 1,
		    NULL);
	e = course_admin_update(rq->w->db, rq->user->id, rq->id, &f,
	    time(NULL));
	if (e == ERR_CONFLICT) {
		if ((e = slug_taken(rs)) != ERR_OK)
			return e;
		return course_page(rq, rs, rq->id, 400, 1, NULL);
	}
	if (e != ERR_OK)
		return e;
	if ((to = arena_printf(rq->arena, "/admin/courses/%lld",
	    (long long)rq->id)) == NULL)
		return ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, to, "The course is saved. Carts "
	    "show its new price at once; orders keep the price they were "
	    "placed at.");
}

/* POST /admin/courses/<id>/delete: only a course never ordered nor
 * granted; others are refused with a page that says to deactivate. */
enum err
h_course_delete(struct req *rq, struct resp *rs)
{
	enum err e;

	e = course_admin_delete(rq->w->db, rq->user->id, rq->id, time(NULL));
	if (e == ERR_CONFLICT) {
		if ((e = form_error(rs, "delete", "This course has orders or "
		    "students, so it stays in the books: untick \"On sale\" "
		    "to take it out of the catalog instead.")) != ERR_OK)
			return e;
		return course_page(rq, rs, rq->id, 409, 0, NULL);
	}
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/admin/courses", "The course is "
	    "deleted.");
}

/* Adds the list's rows to ctx.courses. */
static enum err
list_ctx(struct req *rq, cJSON *ctx, const struct course_admin *v,
    size_t n)
{
	cJSON *list = cJSON_AddArrayToObject(ctx, "courses"), *o, *price;
	size_t i;

	if (list == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++)
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    !cJSON_AddNumberToObject(o, "id", (double)v[i].id) ||
		    !put(o, "title", v[i].f.title) ||
		    !put(o, "slug", v[i].f.slug) ||
		    !put(o, "type_label", course_type_label(v[i].f.type)) ||
		    !put(o, "level", v[i].f.level) ||
		    (price = money_json(v[i].f.price_amount,
		    v[i].f.currency)) == NULL ||
		    !cJSON_AddItemToObject(o, "price", price) ||
		    !cJSON_AddBoolToObject(o, "is_active", v[i].f.is_active) ||
		    !cJSON_AddNumberToObject(o, "lessons",
		    (double)v[i].lesson_count) ||
		    !cJSON_AddNumberToObject(o, "orders", (double)v[i].orders) ||
		    !cJSON_AddBoolToObject(o, "has_cover", *v[i].cover != '\0'))
			return ERR_INTERNAL;
	return ERR_OK;
}

/* GET /admin/courses?q=&type=&active=&sort=&after=: every course, found
 * by title words or a slug's start, a page at a time by key. */
enum err
h_courses(struct req *rq, struct resp *rs)
{
	struct course_admin_query q = { field_str(rq, "q"),
	    field_str(rq, "type"), -1, COURSE_SORT_TITLE, 0 };
	const char *active = field_str(rq, "active"), *sort =
	    field_str(rq, "sort");
	struct course_admin *v;
	char last[24];
	const char *next[] = { "q", q.search, "type", q.type, "active",
	    active, "sort", sort, "after", last, NULL };
	size_t n;
	int more;
	cJSON *ctx;
	enum err e;

	if (field_bad(rq, "q") || field_bad(rq, "type") ||
	    field_bad(rq, "active") || field_bad(rq, "sort") ||
	    field_bad(rq, "after") || (q.type != NULL &&
	    !course_type_valid(q.type)) || (active != NULL &&
	    strcmp(active, "1") != 0 && strcmp(active, "0") != 0) ||
	    (sort != NULL && (q.sort = course_sort_of(sort)) ==
	    COURSE_SORT_MAX))
		return ERR_INVALID;
	if (active != NULL)
		q.active = active[0] == '1';
	field_int(rq, "after", &q.after);
	if ((e = course_admin_list(rq->w->db, rq->arena, &q, &v, &n, &more)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL || (e = list_ctx(rq, ctx, v, n)) !=
	    ERR_OK)
		return ERR_INTERNAL;
	if (!put(ctx, "q", q.search) || !put(ctx, "type", q.type) ||
	    !put(ctx, "active", active) ||
	    !put(ctx, "sort", course_sort_name(q.sort)))
		return ERR_INTERNAL;
	if (more) {
		snprintf(last, sizeof(last), "%lld", (long long)v[n - 1].id);
		if (!put(ctx, "next_url", url_query(rq->arena,
		    "/admin/courses", next)))
			return ERR_INTERNAL;
	}
	rs->tmpl = "admin/courses.html";
	return ERR_OK;
}

const struct field courses_fields[] = {
	{ "q", F_LINE, 100 },
	{ "type", F_LINE, 20 },
	{ "active", F_LINE, 1 },
	{ "sort", F_LINE, 10 },
	{ "after", F_INT, 15 },
	{ NULL, 0, 0 },
};

const struct field course_fields[] = {
	{ "title", F_LINE, COURSE_TITLE_MAX },
	{ "slug", F_SLUG, 120 },
	{ "summary", F_LINE, 300 },
	{ "description", F_TEXT, 20000 },
	{ "course_type", F_LINE, 20 },
	{ "level", F_LINE, 20 },
	{ "instructor", F_LINE, 120 },
	{ "price", F_LINE, 20 },
	{ "currency", F_LINE, 3 },
	{ "is_active", F_BOOL, 5 },
	{ "access_days", F_INT, 6 },
	{ NULL, 0, 0 },
};
