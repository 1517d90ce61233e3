/* admin: refunding seats of a team order (issue 18), from the order's
 * page (/admin/orders/<id>/refund-seats?item=<order item>): how many
 * seats, at their share of what the item cost.  When fewer seats are free
 * than refunded, the page lists who holds the team's seats of the course
 * and the refund waits until the admin has chosen whose seats end; the
 * chosen are revoked and the seats removed when the refund is recorded
 * (lib/refund.h, lib/fulfil_seats.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "form_page.h"
#include "fulfil_seats.h"
#include "money.h"
#include "refund.h"
#include "user.h"

static const char *const refill[] = { "seats", "reason", "note", NULL };

static int
add_money(cJSON *o, const char *key, int64_t amount, const char *currency)
{
	cJSON *m = money_json(amount, currency);

	return m != NULL && cJSON_AddItemToObject(o, key, m);
}

/* The item's facts for the page. */
static enum err
add_item(cJSON *ctx, const struct refund_seat_item *it, int64_t idle)
{
	int64_t left = it->quantity - it->refunded_seats;
	cJSON *x;

	if ((x = cJSON_AddObjectToObject(ctx, "item")) == NULL ||
	    cJSON_AddNumberToObject(x, "id", (double)it->id) == NULL ||
	    cJSON_AddNumberToObject(x, "order_id", (double)it->order_id) ==
	    NULL || cJSON_AddStringToObject(x, "number", it->number) == NULL ||
	    cJSON_AddStringToObject(x, "title", it->title) == NULL ||
	    cJSON_AddStringToObject(x, "team", it->team_name) == NULL ||
	    cJSON_AddNumberToObject(x, "team_id", (double)it->team_id) ==
	    NULL || cJSON_AddNumberToObject(x, "quantity",
	    (double)it->quantity) == NULL ||
	    cJSON_AddNumberToObject(x, "refunded_seats",
	    (double)it->refunded_seats) == NULL ||
	    cJSON_AddNumberToObject(x, "seats_left", (double)left) == NULL ||
	    cJSON_AddNumberToObject(x, "free", (double)idle) == NULL ||
	    !add_money(x, "unit", it->unit_amount, it->currency) ||
	    !add_money(x, "paid", it->paid, it->currency) ||
	    !add_money(x, "left", it->left, it->currency) ||
	    !add_money(x, "per_seat", left > 0 ? refund_seats_amount(it->paid,
	    it->quantity, left, it->left, 1) : 0, it->currency) ||
	    cJSON_AddStringToObject(x, "currency", it->currency) == NULL ||
	    cJSON_AddBoolToObject(x, "refundable", left > 0 && it->left > 0 &&
	    (strcmp(it->order_status, "paid") == 0 ||
	    strcmp(it->order_status, "partially_refunded") == 0)) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

/* The holders, with the boxes ticked as sent. */
static enum err
add_holders(struct req *rq, cJSON *ctx, const struct seat_holder *h,
    size_t n)
{
	const int64_t *chosen;
	size_t nchosen = field_ids(rq, "revoke", &chosen), j;
	cJSON *arr, *o;

	if ((arr = cJSON_AddArrayToObject(ctx, "holders")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		for (j = 0; j < nchosen && chosen[j] != h[i].id; j++)
			;
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o) ||
		    cJSON_AddNumberToObject(o, "id", (double)h[i].id) == NULL ||
		    cJSON_AddStringToObject(o, "name", h[i].name) == NULL ||
		    cJSON_AddStringToObject(o, "email", h[i].email) == NULL ||
		    cJSON_AddStringToObject(o, "status", h[i].status) == NULL ||
		    cJSON_AddNumberToObject(o, "since", (double)h[i].since) ==
		    NULL || cJSON_AddBoolToObject(o, "chosen", j < nchosen) ==
		    NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Shows the seats refund page of item_id with status (errors added
 * before stay next to their fields). */
static enum err
seats_page(struct req *rq, struct resp *rs, int64_t item_id, int status)
{
	struct refund_seat_item it;
	struct seat_holder *h;
	char token[REFUND_TOKEN_SIZE];
	int64_t idle, typed = 0;
	size_t n;
	cJSON *ctx;
	enum err e;

	if ((e = refund_seat_item_load(rq->w->db, rq->arena, rq->id, item_id,
	    &it)) != ERR_OK || (e = fulfil_seats_holders(rq->w->db, rq->arena,
	    it.team_id, it.course_id, &h, &n, &idle)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	refund_token_new(token);
	/* The holders are asked for once the seats typed pass the free
	 * ones (and shown whenever some are held). */
	field_int(rq, "seats", &typed);
	if ((e = form_refill(rq, rs, refill)) != ERR_OK ||
	    (e = add_item(ctx, &it, idle)) != ERR_OK ||
	    (e = add_holders(rq, ctx, h, n)) != ERR_OK ||
	    cJSON_AddStringToObject(ctx, "refund_token", token) == NULL ||
	    cJSON_AddBoolToObject(ctx, "must_choose", typed > idle) == NULL)
		return e != ERR_OK ? e : ERR_INTERNAL;
	rs->status = status;
	rs->tmpl = "admin/refund_seats.html";
	return ERR_OK;
}

static enum err
refused(struct req *rq, struct resp *rs, int64_t item_id, int status,
    const char *field, const char *msg)
{
	enum err e;

	if ((e = form_error(rs, field, msg)) != ERR_OK)
		return e;
	return seats_page(rq, rs, item_id, status);
}

/* GET /admin/orders/<id>/refund-seats?item=<order item id> */
enum err
h_admin_refund_seats_page(struct req *rq, struct resp *rs)
{
	int64_t item;

	if (!field_int(rq, "item", &item))
		return ERR_NOTFOUND;
	return seats_page(rq, rs, item, 200);
}

/* POST /admin/orders/<id>/refund-seats: refund_token, item, seats,
 * revoke (assignment ids, ticked), reason, note. */
enum err
h_admin_refund_seats(struct req *rq, struct resp *rs)
{
	const int64_t *revoke;
	struct refund_request r = { .order_id = rq->id, .kind = REFUND_SEATS,
	    .form_token = field_str(rq, "refund_token"),
	    .actor = rq->user->id, .now = (int64_t)time(NULL) };
	struct refund_refusal why;
	struct stripe_error se;
	const char *reason = field_str(rq, "reason"), *msg;
	int64_t item, id;
	int repeat;
	enum err e;

	if (!field_int(rq, "item", &item))
		return ERR_NOTFOUND;
	if (r.form_token == NULL)
		return refused(rq, rs, item, 400, "seats", "This form is out of "
		    "date: look at the order again, then refund.");
	if (!field_int(rq, "seats", &r.seats) || r.seats < 1)
		return refused(rq, rs, item, 400, "seats", "Type how many seats "
		    "to refund, 1 or more.");
	if (field_bad(rq, "reason") || (reason != NULL &&
	    !refund_reason_known(reason)))
		return refused(rq, rs, item, 400, "reason", "Choose a reason "
		    "from the list.");
	if (field_bad(rq, "note") || field_bad(rq, "revoke"))
		return refused(rq, rs, item, 400, field_bad(rq, "note") ?
		    "note" : "revoke", "Use plain words on one line, and tick "
		    "people from the list.");
	r.items = &item;
	r.nitems = 1;
	r.reason = reason;
	r.note = field_str(rq, "note");
	r.nrevoke = field_ids(rq, "revoke", &revoke);
	r.revoke = revoke;
	e = refund_open(rq->w->db, &r, &id, &repeat, &why);
	if (e == ERR_CONFLICT && repeat)
		return resp_flash_redirect(rq, rs, arena_printf(rq->arena,
		    "/admin/orders/%lld", (long long)rq->id), arena_printf(
		    rq->arena, "This form was sent already: it made refund "
		    "#%lld. Nothing more was refunded.", (long long)id));
	if (e == ERR_INVALID)
		return refused(rq, rs, item, why.input ? 400 : 409, why.field,
		    why.message);
	if (e != ERR_OK)
		return e;
	if (worker_stripe(rq->w) == NULL)
		return refused(rq, rs, item, 503, "seats", "The store has no "
		    "Stripe key: the refund waits until it has one.");
	e = refund_send(rq->w->db, worker_stripe(rq->w), id,
	    rq->w->cfg.base_url, (int64_t)time(NULL), &se);
	if (e == ERR_OK)
		return resp_flash_redirect(rq, rs, arena_printf(rq->arena,
		    "/admin/orders/%lld", (long long)rq->id), arena_printf(
		    rq->arena, "Refund #%lld is made: %lld seat%s left the "
		    "team, Stripe gives the money back.", (long long)id,
		    (long long)r.seats, r.seats == 1 ? "" : "s"));
	if (e == ERR_INVALID)
		msg = arena_printf(rq->arena, "Stripe refused the refund: %s "
		    "The seats are back with the team; the people whose seats "
		    "you chose stay revoked.", se.message);
	else if (e == ERR_UPSTREAM)
		msg = arena_printf(rq->arena, "Stripe did not answer (%s). "
		    "Refund #%lld waits (the seats are off the team): send it "
		    "again from the order's list of refunds.", se.message,
		    (long long)id);
	else
		return e;
	return msg == NULL ? ERR_INTERNAL : refused(rq, rs, item, 502,
	    "seats", msg);
}

const struct field admin_refund_seats_page_fields[] = {
	{ "item", F_INT, 20 },
	{ NULL, 0, 0 },
};

const struct field admin_refund_seats_fields[] = {
	{ "refund_token", F_TOKEN, REFUND_TOKEN_SIZE - 1 },
	{ "item", F_INT, 20 },
	{ "seats", F_INT, 6 },
	{ "revoke", F_IDS, 5000 },
	{ "reason", F_LINE, 32 },
	{ "note", F_LINE, 500 },
	{ NULL, 0, 0 },
};

/* Adds ctx.team_order (the team's id and name) to an order's page when
 * the order bought seats, so its items link to this page. */
enum err
admin_order_team_ctx(struct req *rq, cJSON *ctx)
{
	const char *name;
	int64_t team_id;
	cJSON *x;
	enum err e;

	if ((e = refund_order_team(rq->w->db, rq->arena, rq->id, &team_id,
	    &name)) != ERR_OK || team_id == 0)
		return e;
	if ((x = cJSON_AddObjectToObject(ctx, "team_order")) == NULL ||
	    cJSON_AddNumberToObject(x, "id", (double)team_id) == NULL ||
	    cJSON_AddStringToObject(x, "name", name) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}
