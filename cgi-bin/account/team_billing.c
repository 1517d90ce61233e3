/* account: a team's billing page (issue 18), /account/teams/<id>/billing:
 * the orders bought for the team's seats, newest first, a page at a time
 * by key, with Stripe's receipts and the seats of each order.  The owner
 * and managers see it; a plain member is told so (403); anyone else finds
 * no such team (404). */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "admin_orders.h"
#include "money.h"
#include "team.h"
#include "team_billing.h"
#include "url.h"
#include "user.h"

#define BILLS_PER_PAGE 20

static int
add_money(cJSON *o, const char *key, int64_t amount, const char *currency)
{
	cJSON *m = money_json(amount, currency);

	return m != NULL && cJSON_AddItemToObject(o, key, m);
}

/* One order of the list, with its seats per course. */
static cJSON *
bill_json(struct req *rq, const struct team_bill *b)
{
	cJSON *o = cJSON_CreateObject(), *arr, *x;

	/* The order's own page is its buyer's (another manager has
	 * Stripe's receipt). */
	if (o == NULL || cJSON_AddNumberToObject(o, "id", (double)b->id) ==
	    NULL || cJSON_AddStringToObject(o, "number", b->number) == NULL ||
	    (b->buyer_id == rq->user->id && cJSON_AddStringToObject(o, "url",
	    arena_printf(rq->arena, "/payment/order/%lld", (long long)b->id)) ==
	    NULL) ||
	    cJSON_AddNumberToObject(o, "date", (double)(b->paid_at != 0 ?
	    b->paid_at : b->created_at)) == NULL ||
	    cJSON_AddStringToObject(o, "buyer", b->buyer) == NULL ||
	    cJSON_AddStringToObject(o, "status", b->status) == NULL ||
	    cJSON_AddStringToObject(o, "status_label",
	    admin_orders_status_label(b->status)) == NULL ||
	    !add_money(o, "total", b->total, b->currency) ||
	    !add_money(o, "refunded", b->refunded, b->currency) ||
	    cJSON_AddStringToObject(o, "receipt_url", b->receipt_url) == NULL ||
	    (arr = cJSON_AddArrayToObject(o, "items")) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	for (size_t i = 0; i < b->nitems; i++)
		if ((x = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, x) ||
		    cJSON_AddStringToObject(x, "title", b->items[i].title) ==
		    NULL || cJSON_AddNumberToObject(x, "seats",
		    (double)b->items[i].seats) == NULL ||
		    cJSON_AddNumberToObject(x, "refunded_seats",
		    (double)b->items[i].refunded_seats) == NULL) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

/* Adds next_url: the page after the last order shown. */
static enum err
add_next(struct req *rq, cJSON *ctx, const struct team_bill *last)
{
	const char *path = arena_printf(rq->arena, "/account/teams/%lld/billing",
	    (long long)rq->id);
	const char *pairs[] = { "before", arena_printf(rq->arena, "%lld",
	    (long long)last->created_at), "before_id", arena_printf(rq->arena,
	    "%lld", (long long)last->id), NULL };
	char *url;

	if (path == NULL || pairs[1] == NULL || pairs[3] == NULL ||
	    (url = url_query(rq->arena, path, pairs)) == NULL ||
	    cJSON_AddStringToObject(ctx, "next_url", url) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

/* GET /account/teams/<id>/billing?before=&before_id= */
enum err
h_team_billing(struct req *rq, struct resp *rs)
{
	struct team_bill_page pg = { 0, 0, BILLS_PER_PAGE };
	struct team_bill *bills;
	struct team t;
	size_t n;
	int more;
	cJSON *ctx, *arr, *o;
	enum err e;

	if ((e = team_load(rq->w->db, rq->arena, rq->id, rq->user->id, &t)) !=
	    ERR_OK)
		return e;	/* not a member: no such team */
	if (t.role < TEAM_MANAGER) {
		rs->message = "Only the team's owner and managers see what the "
		    "team bought.";
		return ERR_FORBIDDEN;
	}
	if (field_bad(rq, "before") || field_bad(rq, "before_id")) {
		rs->message = "There is no such page.";
		return ERR_INVALID;
	}
	field_int(rq, "before", &pg.before_at);
	field_int(rq, "before_id", &pg.before_id);
	if ((e = team_bills(rq->w->db, rq->arena, rq->id, &pg, &bills, &n,
	    &more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (o = cJSON_AddObjectToObject(ctx, "team")) == NULL ||
	    cJSON_AddNumberToObject(o, "id", (double)t.id) == NULL ||
	    cJSON_AddStringToObject(o, "name", t.name) == NULL ||
	    (arr = cJSON_AddArrayToObject(ctx, "orders")) == NULL ||
	    cJSON_AddBoolToObject(ctx, "later_page", pg.before_id != 0) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = bill_json(rq, &bills[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	if (more && (e = add_next(rq, ctx, &bills[n - 1])) != ERR_OK)
		return e;
	rs->tmpl = "account/team_billing.html";
	return ERR_OK;
}

const struct field team_billing_fields[] = {
	{ "before", F_INT, 19 },
	{ "before_id", F_INT, 19 },
	{ NULL, 0, 0 },
};
