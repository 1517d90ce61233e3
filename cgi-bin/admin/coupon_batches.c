/* admin: batches of single-use codes (/admin/coupons/batches): their
 * list, the form that makes one (the coupon's rules form plus a name, a
 * prefix and how many codes), a batch's page and its CSV. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "coupon_batch.h"
#include "csv.h"
#include "form_page.h"
#include "session.h"
#include "url.h"

static cJSON *
batch_view(const struct coupon_batch *b)
{
	cJSON *o = cJSON_CreateObject();
	char url[64];

	snprintf(url, sizeof(url), "/admin/coupons/batches/%lld",
	    (long long)b->id);
	if (o == NULL || cJSON_AddNumberToObject(o, "id", (double)b->id) ==
	    NULL || cJSON_AddStringToObject(o, "url", url) == NULL ||
	    cJSON_AddStringToObject(o, "name", b->name) == NULL ||
	    cJSON_AddStringToObject(o, "prefix", b->prefix) == NULL ||
	    cJSON_AddNumberToObject(o, "size", (double)b->size) == NULL ||
	    cJSON_AddNumberToObject(o, "created_at", (double)b->created_at) ==
	    NULL || cJSON_AddNumberToObject(o, "redeemed",
	    (double)b->redeemed) == NULL || cJSON_AddNumberToObject(o,
	    "reserved", (double)b->reserved) == NULL ||
	    cJSON_AddNumberToObject(o, "unused", (double)(b->size -
	    b->redeemed - b->reserved)) == NULL ||
	    cJSON_AddNumberToObject(o, "first_id", (double)b->first_id) ==
	    NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* GET /admin/coupons/batches?before=: newest first. */
enum err
h_coupon_batches(struct req *rq, struct resp *rs)
{
	struct coupon_batch *v;
	int64_t before = 0;
	size_t n;
	int more;
	cJSON *ctx, *list, *o;
	char last[24];
	const char *const next[] = { "before", last, NULL };
	enum err e;

	if (field_bad(rq, "before"))
		return ERR_INVALID;
	field_int(rq, "before", &before);
	if ((e = coupon_batch_list(rq->w->db, rq->arena, before, &v, &n,
	    &more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (list = cJSON_AddArrayToObject(ctx, "batches")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((o = batch_view(&v[i])) == NULL ||
		    !cJSON_AddItemToArray(list, o)) {
			cJSON_Delete(o);
			return ERR_INTERNAL;
		}
	if (more) {
		snprintf(last, sizeof(last), "%lld", (long long)v[n - 1].id);
		if (cJSON_AddStringToObject(ctx, "next_url", url_query(rq->arena,
		    "/admin/coupons/batches", next)) == NULL)
			return ERR_INTERNAL;
	}
	rs->tmpl = "admin/coupon_batches.html";
	return ERR_OK;
}

/* GET /admin/coupons/batches/new: the empty form. */
enum err
h_coupon_batch_new(struct req *rq, struct resp *rs)
{
	struct coupon blank = { .kind = COUPON_PERCENTAGE, .code = "",
	    .description = "", .currency = "usd" };
	enum err e;

	if ((e = coupon_rules_ctx(rq, rs, &blank, NULL, NULL)) != ERR_OK)
		return e;
	rs->tmpl = "admin/coupon_batch_new.html";
	return ERR_OK;
}

/* Puts message beside field (unless an earlier error failed); returns 1,
 * one more wrong field. */
static int
wrong(struct resp *rs, const char *field, const char *message, enum err *e)
{
	if (*e == ERR_OK)
		*e = form_error(rs, field, message);
	return 1;
}

/* Checks the batch's own fields (name, prefix, count) into errors of the
 * page; returns how many are wrong. */
static int
batch_errors(struct req *rq, struct resp *rs, int64_t *count, enum err *e)
{
	int n = 0;

	if (field_str(rq, "name") == NULL)
		n += wrong(rs, "name", "Name the partner or the event the "
		    "codes are for (one line, at most 100 characters).", e);
	if (field_str(rq, "prefix") == NULL)
		n += wrong(rs, "prefix", "Type a prefix of letters, digits, "
		    "'-' and '_' (at most 20).", e);
	if (!field_int(rq, "count", count) || *count < 1 ||
	    *count > COUPON_BATCH_MAX)
		n += wrong(rs, "count", "Type how many codes to make, from 1 "
		    "to 1000.", e);
	return n;
}

/* POST /admin/coupons/batches/create */
enum err
h_coupon_batch_create(struct req *rq, struct resp *rs)
{
	struct coupon_form f;
	struct coupon c;
	const char *errors[CF_MAX];
	int64_t count = 0, id;
	int n;
	char *url, *msg;
	enum err e = ERR_OK;

	coupon_form_get(rq, &f, 1);
	if ((n = coupon_form_read(rq->w->db, rq->arena, &f, &c, errors, &e)) <
	    0)
		return e;
	n += batch_errors(rq, rs, &count, &e);
	if (e != ERR_OK)
		return e;
	if (n > 0) {
		if ((e = coupon_rules_ctx(rq, rs, NULL, &f, errors)) != ERR_OK)
			return e;
		rs->status = 400;
		rs->tmpl = "admin/coupon_batch_new.html";
		return ERR_OK;
	}
	if ((e = coupon_batch_create(rq->w->db, rq->user->id, field_str(rq,
	    "name"), field_str(rq, "prefix"), count, &c, time(NULL), &id)) !=
	    ERR_OK)
		return e;
	url = arena_printf(rq->arena, "/admin/coupons/batches/%lld",
	    (long long)id);
	msg = arena_printf(rq->arena, "%lld codes made for %s.",
	    (long long)count, field_str(rq, "name"));
	if (url == NULL || msg == NULL)
		return ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, url, msg);
}

/* GET /admin/coupons/batches/<id> */
enum err
h_coupon_batch(struct req *rq, struct resp *rs)
{
	struct coupon_batch b;
	cJSON *o;
	enum err e;

	if ((e = coupon_batch_get(rq->w->db, rq->arena, rq->id, &b)) != ERR_OK)
		return e;
	if ((o = batch_view(&b)) == NULL ||
	    !cJSON_AddItemToObject(resp_ctx(rs), "batch", o)) {
		cJSON_Delete(o);
		return ERR_INTERNAL;
	}
	rs->tmpl = "admin/coupon_batch.html";
	return ERR_OK;
}

/* GET /admin/coupons/batches/<id>/codes.csv */
enum err
h_coupon_batch_csv(struct req *rq, struct resp *rs)
{
	struct coupon_batch b;
	char name[48];
	enum err e;

	if ((e = coupon_batch_get(rq->w->db, rq->arena, rq->id, &b)) !=
	    ERR_OK || (e = coupon_batch_csv(rq->w->db, rq->id, &rs->body)) !=
	    ERR_OK)
		return e;
	snprintf(name, sizeof(name), "coupon-batch-%lld.csv",
	    (long long)rq->id);
	return csv_respond(rq, rs, name);
}

const struct field coupon_batches_fields[] = {
	{ "before", F_INT, 15 },
	{ NULL, 0, 0 },
};

const struct field coupon_batch_fields[] = {
	{ "name", F_LINE, 100 },
	{ "prefix", F_CODE, COUPON_PREFIX_MAX },
	{ "count", F_INT, 5 },
	COUPON_RULE_FIELDS,
	{ NULL, 0, 0 },
};
