/* admin: coupons (/admin/coupons): the list with each coupon's usage, the
 * form that creates or edits one, and switching one off or on.  The rules
 * form (every rule of the purchase a field) is shared with the batch
 * pages of coupon_batches.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "coupon_admin.h"
#include "form_page.h"
#include "money.h"
#include "session.h"
#include "tz.h"
#include "url.h"

/* What a re-shown form puts back as typed (the batch form's too). */
static const char *const refill_names[] = { "code", "description", "kind",
    "percent_off", "amount_off", "currency", "max_discount", "min_purchase",
    "max_uses", "max_uses_per_user", "valid_from", "valid_until", "name",
    "prefix", "count", NULL };

void
coupon_form_get(const struct req *rq, struct coupon_form *f, int batch)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < CF_MAX; i++) {
		f->v[i] = field_str(rq, coupon_field_names[i]);
		f->bad[i] = field_bad(rq, coupon_field_names[i]);
	}
	f->ntypes = field_words(rq, "course_types", &f->types);
	f->ncourses = field_ids(rq, "courses", &f->courses);
	f->batch = batch;
}

static int
has_word(const char *const *v, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], w) == 0)
			return 1;
	return 0;
}

static int
has_id(const int64_t *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

/* The checkbox lists: course types and courses, ticked as in sel. */
static enum err
add_choices(struct req *rq, cJSON *ctx, const struct coupon *sel)
{
	struct coupon_course_choice *v;
	cJSON *list, *o;
	size_t n;
	enum err e;

	if ((list = cJSON_AddArrayToObject(ctx, "type_choices")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; coupon_types[i] != NULL; i++)
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    cJSON_AddStringToObject(o, "value", coupon_types[i]) ==
		    NULL || cJSON_AddStringToObject(o, "label",
		    coupon_type_labels[i]) == NULL ||
		    cJSON_AddBoolToObject(o, "checked", has_word(sel->types,
		    sel->ntypes, coupon_types[i])) == NULL)
			return ERR_INTERNAL;
	if ((e = coupon_admin_courses(rq->w->db, rq->arena, rq->id, &v, &n)) !=
	    ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "course_choices")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    cJSON_AddNumberToObject(o, "id", (double)v[i].id) == NULL ||
		    cJSON_AddStringToObject(o, "title", v[i].title) == NULL ||
		    cJSON_AddBoolToObject(o, "is_active", v[i].is_active) ==
		    NULL || cJSON_AddBoolToObject(o, "checked",
		    has_id(sel->courses, sel->ncourses, v[i].id)) == NULL)
			return ERR_INTERNAL;
	return ERR_OK;
}

enum err
coupon_rules_ctx(struct req *rq, struct resp *rs, const struct coupon *stored,
    const struct coupon_form *typed, const char *const errors[CF_MAX])
{
	struct coupon ticked;
	cJSON *ctx = resp_ctx(rs), *form;
	const char *v;
	enum err e;

	if (ctx == NULL || cJSON_AddStringToObject(ctx, "zone", tz_name()) ==
	    NULL)
		return ERR_INTERNAL;
	for (int i = 0; errors != NULL && i < CF_MAX; i++)
		if (errors[i] != NULL && (e = form_error(rs,
		    coupon_field_names[i], errors[i])) != ERR_OK)
			return e;
	if (typed != NULL) {
		memset(&ticked, 0, sizeof(ticked));
		ticked.types = (const char **)typed->types;
		ticked.ntypes = typed->ntypes;
		ticked.courses = (int64_t *)typed->courses;
		ticked.ncourses = typed->ncourses;
		if ((e = form_refill(rq, rs, refill_names)) != ERR_OK)
			return e;
		return add_choices(rq, ctx, &ticked);
	}
	if ((form = cJSON_AddObjectToObject(ctx, "form")) == NULL)
		return ERR_INTERNAL;
	for (int i = 0; i < CF_COURSE_TYPES; i++)
		if ((v = coupon_form_text(rq->arena, stored, i)) == NULL ||
		    cJSON_AddStringToObject(form, coupon_field_names[i], v) ==
		    NULL)
			return ERR_INTERNAL;
	return add_choices(rq, ctx, stored);
}

/* One row of the list, or the coupon of the edit page. */
static cJSON *
coupon_view(const struct coupon *c, const struct coupon_use *u,
    int64_t batch_id)
{
	int64_t used = u->redeemed + u->reserved;
	cJSON *o = cJSON_CreateObject(), *m;
	char url[48];

	snprintf(url, sizeof(url), "/admin/coupons/%lld", (long long)c->id);
	if (o == NULL || cJSON_AddNumberToObject(o, "id", (double)c->id) ==
	    NULL || cJSON_AddStringToObject(o, "url", url) == NULL ||
	    cJSON_AddStringToObject(o, "code", c->code) == NULL ||
	    cJSON_AddNumberToObject(o, "percent_off",
	    (double)(c->kind == COUPON_PERCENTAGE ? c->percent_off : 0)) ==
	    NULL || cJSON_AddNumberToObject(o, "max_uses",
	    (double)c->max_uses) == NULL ||
	    cJSON_AddNumberToObject(o, "max_uses_per_user",
	    (double)c->max_uses_per_user) == NULL ||
	    cJSON_AddNumberToObject(o, "valid_from", (double)c->valid_from) ==
	    NULL || cJSON_AddNumberToObject(o, "valid_until",
	    (double)c->valid_until) == NULL ||
	    cJSON_AddBoolToObject(o, "is_active", c->is_active) == NULL ||
	    cJSON_AddNumberToObject(o, "batch_id", (double)batch_id) == NULL ||
	    cJSON_AddNumberToObject(o, "redeemed", (double)u->redeemed) ==
	    NULL || cJSON_AddNumberToObject(o, "reserved", (double)u->reserved)
	    == NULL || cJSON_AddNumberToObject(o, "remaining",
	    c->max_uses == 0 ? -1.0 : (double)(c->max_uses > used ?
	    c->max_uses - used : 0)) == NULL)
		goto fail;
	if (c->kind == COUPON_FIXED && ((m = money_json(c->amount_off,
	    c->currency)) == NULL || !cJSON_AddItemToObject(o, "amount_off", m)))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* Reads the list's query into *q; ERR_INVALID for a value no link or
 * form of ours sends. */
static enum err
read_query(struct req *rq, struct coupon_query *q)
{
	const char *status = field_str(rq, "status"), *sort = field_str(rq,
	    "sort");
	const char *const bad[] = { "status", "sort", "after", "before",
	    "batch", NULL };

	for (const char *const *b = bad; *b != NULL; b++)
		if (field_bad(rq, *b))
			return ERR_INVALID;
	memset(q, 0, sizeof(*q));
	q->q = field_str(rq, "q");
	q->active = status == NULL ? -1 : strcmp(status, "active") == 0 ? 1 :
	    strcmp(status, "inactive") == 0 ? 0 : -2;
	q->sort = sort == NULL || strcmp(sort, "code") == 0 ?
	    COUPON_SORT_CODE : strcmp(sort, "newest") == 0 ?
	    COUPON_SORT_NEWEST : COUPON_SORT_MAX;
	q->after_code = field_str(rq, "after");
	field_int(rq, "before", &q->before_id);
	field_int(rq, "batch", &q->batch_id);
	return q->active == -2 || q->sort == COUPON_SORT_MAX ? ERR_INVALID :
	    ERR_OK;
}

/* The link to the page after last, keeping the search and filters. */
static enum err
add_next(struct req *rq, cJSON *ctx, const struct coupon_row *last)
{
	char before[24] = "", batch[24] = "";
	int newest = field_str(rq, "sort") != NULL &&
	    strcmp(field_str(rq, "sort"), "newest") == 0;
	const char *pairs[] = { "q", field_str(rq, "q"), "status",
	    field_str(rq, "status"), "sort", field_str(rq, "sort"), "batch",
	    batch, "after", newest ? NULL : last->c.code, "before", before,
	    NULL };
	int64_t b = 0;

	if (newest)
		snprintf(before, sizeof(before), "%lld", (long long)last->c.id);
	if (field_int(rq, "batch", &b))
		snprintf(batch, sizeof(batch), "%lld", (long long)b);
	return cJSON_AddStringToObject(ctx, "next_url", url_query(rq->arena,
	    "/admin/coupons", pairs)) != NULL ? ERR_OK : ERR_INTERNAL;
}

/* GET /admin/coupons?q=&status=&sort=&batch=&after=&before= */
enum err
h_coupons(struct req *rq, struct resp *rs)
{
	static const char *const keep[] = { "q", "status", "sort", "batch",
	    NULL };
	struct coupon_query q;
	struct coupon_row *v;
	cJSON *ctx, *list, *o;
	size_t n;
	int more;
	enum err e;

	if ((e = read_query(rq, &q)) != ERR_OK)
		return e;
	/* A search no code can match: said beside the box, over every code. */
	if (field_bad(rq, "q")) {
		if ((e = form_error(rs, "q", "Codes hold only letters, digits, "
		    "'-' and '_'.")) != ERR_OK)
			return e;
		rs->status = 400;
	}
	if ((e = coupon_admin_list(rq->w->db, rq->arena, &q, &v, &n, &more)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (list = cJSON_AddArrayToObject(ctx, "coupons")) == NULL ||
	    (e = form_refill(rq, rs, keep)) != ERR_OK)
		return e != ERR_OK ? e : ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((o = coupon_view(&v[i].c, &v[i].use, v[i].batch_id)) ==
		    NULL || !cJSON_AddItemToArray(list, o)) {
			cJSON_Delete(o);
			return ERR_INTERNAL;
		}
	if (more && (e = add_next(rq, ctx, &v[n - 1])) != ERR_OK)
		return e;
	rs->tmpl = "admin/coupons.html";
	return ERR_OK;
}

/* The create or edit page of coupon id (0: a new one) with status: the
 * fields from stored, or as typed with the errors beside them. */
static enum err
coupon_page(struct req *rq, struct resp *rs, int64_t id,
    const struct coupon *stored, const struct coupon_form *typed,
    const char *const errors[CF_MAX], int status)
{
	struct coupon c;
	struct coupon_use u;
	int64_t batch;
	cJSON *o;
	enum err e;

	if (id != 0) {
		if ((e = coupon_admin_get(rq->w->db, rq->arena, id, &c, &u,
		    &batch)) != ERR_OK)
			return e;
		if ((o = coupon_view(&c, &u, batch)) == NULL ||
		    !cJSON_AddItemToObject(resp_ctx(rs), "coupon", o)) {
			cJSON_Delete(o);
			return ERR_INTERNAL;
		}
		if (stored == NULL && typed == NULL)
			stored = &c;
	}
	if ((e = coupon_rules_ctx(rq, rs, stored, typed, errors)) != ERR_OK)
		return e;
	rs->status = status;
	rs->tmpl = "admin/coupon.html";
	return ERR_OK;
}

/* GET /admin/coupons/new: the empty form (a percentage, in dollars). */
enum err
h_coupon_new(struct req *rq, struct resp *rs)
{
	struct coupon blank = { .kind = COUPON_PERCENTAGE, .code = "",
	    .description = "", .currency = "usd" };

	return coupon_page(rq, rs, 0, &blank, NULL, NULL, 200);
}

/* Reads the posted form; on errors shows it again (400) and returns 0. */
static int
read_form(struct req *rq, struct resp *rs, int64_t id, struct coupon *c,
    enum err *e)
{
	struct coupon_form f;
	const char *errors[CF_MAX];
	int n, taken = 0;

	coupon_form_get(rq, &f, 0);
	if ((n = coupon_form_read(rq->w->db, rq->arena, &f, c, errors, e)) <
	    0)
		return 0;
	/* A taken code is said with the other errors (and checked again
	 * when the coupon is stored). */
	if (n > 0 && errors[CF_CODE] == NULL && ((*e = coupon_admin_code_taken(
	    rq->w->db, c->code, id, &taken)) != ERR_OK || taken))
		errors[CF_CODE] = coupon_code_taken;
	if (*e != ERR_OK)
		return 0;
	if (n == 0)
		return 1;
	*e = coupon_page(rq, rs, id, NULL, &f, errors, 400);
	return 0;
}

/* Shows the form again with why's error beside its field (409: the
 * store's state, not the typing, refused it). */
static enum err
refused(struct req *rq, struct resp *rs, int64_t id,
    const struct coupon_refusal *why)
{
	struct coupon_form f;
	const char *errors[CF_MAX] = { 0 };

	coupon_form_get(rq, &f, 0);
	errors[why->field] = why->message;
	return coupon_page(rq, rs, id, NULL, &f, errors, 409);
}

static enum err
done(struct req *rq, struct resp *rs, int64_t id, const char *code,
    const char *what)
{
	char *url = arena_printf(rq->arena, "/admin/coupons/%lld",
	    (long long)id);
	char *msg = arena_printf(rq->arena, "Coupon %s %s.", code, what);

	if (url == NULL || msg == NULL)
		return ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, url, msg);
}

/* POST /admin/coupons/create: the rules form. */
enum err
h_coupon_create(struct req *rq, struct resp *rs)
{
	struct coupon_refusal why;
	struct coupon c;
	int64_t id;
	enum err e = ERR_OK;

	if (!read_form(rq, rs, 0, &c, &e))
		return e;
	e = coupon_admin_create(rq->w->db, rq->user->id, &c, time(NULL), &id,
	    &why);
	if (e == ERR_INVALID)
		return refused(rq, rs, 0, &why);
	return e != ERR_OK ? e : done(rq, rs, id, c.code, "created");
}

/* GET /admin/coupons/<id>: its usage and the form with its rules. */
enum err
h_coupon(struct req *rq, struct resp *rs)
{
	return coupon_page(rq, rs, rq->id, NULL, NULL, NULL, 200);
}

/* POST /admin/coupons/<id>/save: the rules form. */
enum err
h_coupon_update(struct req *rq, struct resp *rs)
{
	struct coupon_refusal why;
	struct coupon c;
	enum err e = ERR_OK;

	if (!read_form(rq, rs, rq->id, &c, &e))
		return e;
	e = coupon_admin_update(rq->w->db, rq->arena, rq->user->id, rq->id, &c,
	    time(NULL), &why);
	if (e == ERR_INVALID)
		return refused(rq, rs, rq->id, &why);
	return e != ERR_OK ? e : done(rq, rs, rq->id, c.code, "saved");
}

static enum err
set_active(struct req *rq, struct resp *rs, int active)
{
	enum err e = coupon_admin_set_active(rq->w->db, rq->user->id, rq->id,
	    active, time(NULL));
	char *url = arena_printf(rq->arena, "/admin/coupons/%lld",
	    (long long)rq->id);

	if (e != ERR_OK || url == NULL)
		return e != ERR_OK ? e : ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, url, active ? "The coupon is "
	    "active again: new checkouts can use it." : "The coupon is "
	    "deactivated: no new checkout can use it. Paid orders keep their "
	    "discount and checkouts in progress keep their reservation.");
}

/* POST /admin/coupons/<id>/deactivate */
enum err
h_coupon_deactivate(struct req *rq, struct resp *rs)
{
	return set_active(rq, rs, 0);
}

/* POST /admin/coupons/<id>/activate */
enum err
h_coupon_activate(struct req *rq, struct resp *rs)
{
	return set_active(rq, rs, 1);
}

const struct field coupons_fields[] = {
	{ "q", F_CODE, 40 },
	{ "status", F_LINE, 10 },
	{ "sort", F_LINE, 10 },
	{ "after", F_CODE, 80 },
	{ "before", F_INT, 15 },
	{ "batch", F_INT, 15 },
	{ NULL, 0, 0 },
};

const struct field coupon_fields[] = {
	{ "code", F_CODE, 40 },
	COUPON_RULE_FIELDS,
	{ NULL, 0, 0 },
};
