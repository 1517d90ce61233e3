/* admin: refunds, from an order's page (/admin/orders/<id>/refund): the
 * whole order, chosen items, or an amount, through Stripe (lib/refund.h),
 * and sending again a refund Stripe did not answer. */
#include <stdio.h>
#include <time.h>

#include "admin.h"
#include "form_page.h"
#include "refund.h"
#include "user.h"

/* The form's item boxes: item_1 .. item_REFUND_ITEMS_MAX, each the id of
 * an order item (one field, one value: the boxes have names of their
 * own). */
#define ITEM(n) { "item_" #n, F_INT, 20 }
#define REFUND_ITEM_FIELDS ITEM(1), ITEM(2), ITEM(3), ITEM(4), ITEM(5), \
	ITEM(6), ITEM(7), ITEM(8), ITEM(9), ITEM(10), ITEM(11), ITEM(12), \
	ITEM(13), ITEM(14), ITEM(15), ITEM(16), ITEM(17), ITEM(18), ITEM(19), \
	ITEM(20), ITEM(21), ITEM(22), ITEM(23), ITEM(24), ITEM(25), ITEM(26), \
	ITEM(27), ITEM(28), ITEM(29), ITEM(30), ITEM(31), ITEM(32)
_Static_assert(REFUND_ITEMS_MAX == 32, "REFUND_ITEM_FIELDS lists 32 boxes");

/* What the refund form keeps when it is shown again. */
static const char *const refill[] = { "kind", "amount", "reason", "note",
    NULL };

static const char *
order_path(struct req *rq)
{
	return arena_printf(rq->arena, "/admin/orders/%lld", (long long)rq->id);
}

/* Shows the order's page again with msg next to field. */
static enum err
refused(struct req *rq, struct resp *rs, int status, const char *field,
    const char *msg)
{
	enum err e;

	if ((e = form_error(rs, field, msg)) != ERR_OK)
		return e;
	return admin_order_page(rq, rs, status, refill);
}

/* Reads the form into *r (items chosen by their item_N boxes); 0 with the
 * error shown when a field is unusable. */
static int
read_request(struct req *rq, struct resp *rs, struct refund_request *r,
    int64_t *items, enum err *e)
{
	const char *amount = field_str(rq, "amount"), *reason;
	char name[16];
	int64_t id;

	*e = ERR_OK;
	if (!refund_kind_of(field_str(rq, "kind"), &r->kind)) {
		*e = refused(rq, rs, 400, "kind", "Choose what to refund.");
		return 0;
	}
	for (size_t i = 1; i <= REFUND_ITEMS_MAX; i++) {
		snprintf(name, sizeof(name), "item_%zu", i);
		if (field_int(rq, name, &id) && id > 0 &&
		    r->kind == REFUND_ITEMS)
			items[r->nitems++] = id;
	}
	r->items = items;
	if (r->kind == REFUND_AMOUNT && amount == NULL) {
		*e = refused(rq, rs, 400, "amount", "Type an amount such as "
		    "12.50.");
		return 0;
	}
	r->amount_text = amount;
	reason = field_str(rq, "reason");
	if (field_bad(rq, "reason") || (reason != NULL &&
	    !refund_reason_known(reason))) {
		*e = refused(rq, rs, 400, "reason", "Choose a reason from the "
		    "list.");
		return 0;
	}
	if (field_bad(rq, "note")) {
		*e = refused(rq, rs, 400, "note", "Use plain words on one line.");
		return 0;
	}
	r->reason = reason;
	r->note = field_str(rq, "note");
	return 1;
}

/* Sends refund id to Stripe and answers with what came of it. */
static enum err
send_and_answer(struct req *rq, struct resp *rs, int64_t id)
{
	struct stripe *s = worker_stripe(rq->w);
	struct stripe_error se;
	const char *msg;
	enum err e;

	if (s == NULL)
		return refused(rq, rs, 503, "kind", "The store has no Stripe key: "
		    "the refund waits until it has one.");
	e = refund_send(rq->w->db, s, id, rq->w->cfg.base_url,
	    (int64_t)time(NULL), &se);
	if (e == ERR_OK)
		return resp_flash_redirect(rq, rs, order_path(rq),
		    arena_printf(rq->arena, "Refund #%lld is made: Stripe gives "
		    "the money back, the student is told.", (long long)id));
	if (e == ERR_INVALID)
		msg = arena_printf(rq->arena, "Stripe refused the refund: %s "
		    "Nothing changed.", se.message);
	else if (e == ERR_UPSTREAM)
		msg = arena_printf(rq->arena, "Stripe did not answer (%s). "
		    "Refund #%lld waits: send it again from the list of refunds "
		    "(it can never be made twice).", se.message, (long long)id);
	else
		return e;
	return msg == NULL ? ERR_INTERNAL : refused(rq, rs, 502, "kind", msg);
}

/* POST /admin/orders/<id>/refund: refund_token, kind (whole, items,
 * amount), item_1..item_N (order item ids), amount, reason, note. */
enum err
h_admin_order_refund(struct req *rq, struct resp *rs)
{
	struct refund_request r = { .order_id = rq->id,
	    .form_token = field_str(rq, "refund_token"),
	    .actor = rq->user->id, .now = (int64_t)time(NULL) };
	int64_t items[REFUND_ITEMS_MAX], id;
	struct refund_refusal why;
	int repeat;
	enum err e;

	if (r.form_token == NULL)
		return refused(rq, rs, 400, "kind", "This form is out of date: "
		    "look at the order again, then refund.");
	if (!read_request(rq, rs, &r, items, &e))
		return e;
	e = refund_open(rq->w->db, &r, &id, &repeat, &why);
	if (e == ERR_CONFLICT && repeat)
		return resp_flash_redirect(rq, rs, order_path(rq),
		    arena_printf(rq->arena, "This form was sent already: it made "
		    "refund #%lld, listed below. Nothing more was refunded.",
		    (long long)id));
	if (e == ERR_INVALID)
		return refused(rq, rs, why.input ? 400 : 409, why.field,
		    why.message);
	if (e != ERR_OK)
		return e;
	return send_and_answer(rq, rs, id);
}

const struct field admin_order_refund_fields[] = {
	{ "refund_token", F_TOKEN, REFUND_TOKEN_SIZE - 1 },
	{ "kind", F_SLUG, 16 },
	REFUND_ITEM_FIELDS,
	{ "amount", F_LINE, 24 },
	{ "reason", F_LINE, 32 },
	{ "note", F_LINE, 500 },
	{ NULL, 0, 0 },
};

/* POST /admin/orders/<id>/refund-retry: refund (a pending refund's id).
 * Sends it again with the same idempotency key. */
enum err
h_admin_order_refund_retry(struct req *rq, struct resp *rs)
{
	int64_t id;
	enum err e;

	if (!field_int(rq, "refund", &id))
		return ERR_INVALID;
	if ((e = refund_of_order(rq->w->db, id, rq->id)) != ERR_OK)
		return e;
	return send_and_answer(rq, rs, id);
}

const struct field admin_order_refund_retry_fields[] = {
	{ "refund", F_INT, 20 },
	{ NULL, 0, 0 },
};
