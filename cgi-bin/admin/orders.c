/* admin: orders (/admin/orders): the list with its filters and search,
 * one order's page, and marking a flagged order reviewed.  The refund
 * form on the order's page posts to refunds.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "admin_orders.h"
#include "audit.h"
#include "audit_query.h"
#include "db.h"
#include "events.h"
#include "form_page.h"
#include "money.h"
#include "order.h"
#include "refund.h"
#include "tz.h"
#include "user.h"
#include "url.h"

/* Adds key: {"amount", "currency"} to o (the template's money filter). */
static int
add_money(cJSON *o, const char *key, int64_t amount, const char *currency)
{
	cJSON *m = money_json(amount, currency);

	return m != NULL && cJSON_AddItemToObject(o, key, m);
}

static int
add_int(cJSON *o, const char *key, int64_t v)
{
	return cJSON_AddNumberToObject(o, key, (double)v) != NULL;
}

static int
add_str(cJSON *o, const char *key, const char *s)
{
	return cJSON_AddStringToObject(o, key, s != NULL ? s : "") != NULL;
}

/* Reads a local date field (YYYY-MM-DD in the school's zone) into *t;
 * 0 with the error next to the field when it is not a date. */
static int
date_field(struct req *rq, struct resp *rs, const char *name, int64_t *t,
    enum err *e)
{
	const char *s = field_str(rq, name);

	*t = 0;
	if (s == NULL && !field_bad(rq, name))
		return 1;
	if (s != NULL && tz_parse_local(s, t) == ERR_OK && strlen(s) == 10)
		return 1;
	*e = form_error(rs, name, "Type a date as YYYY-MM-DD.");
	return 0;
}

/* Reads the list's filters from the query; 0 (errors set) when one is
 * unusable.  The "to" date is inclusive: the list ends at the next day. */
static int
read_filter(struct req *rq, struct resp *rs, struct admin_orders_filter *f,
    struct admin_orders_key *k, enum err *e)
{
	const char *code = field_str(rq, "coupon"), *course = field_str(rq,
	    "course");
	int64_t v = 0;
	int ok = 1;

	*e = ERR_OK;
	memset(f, 0, sizeof(*f));
	f->status = field_str(rq, "status");
	if (field_bad(rq, "status") || (f->status != NULL &&
	    !admin_orders_status_known(f->status))) {
		*e = form_error(rs, "status", "Choose a status from the list.");
		ok = 0;
	}
	ok &= date_field(rq, rs, "from", &f->from, e);
	ok &= date_field(rq, rs, "to", &f->to, e);
	if (f->to > 0)
		f->to = tz_day_start(f->to + 36 * 3600);
	f->q = field_str(rq, "q");
	field_int(rq, "review", &v);
	f->review_only = v != 0;
	if (course != NULL && (*e = admin_orders_course_of(rq->w->db, course,
	    &f->course_id)) != ERR_OK)
		return 0;
	if (course != NULL && f->course_id == 0) {
		*e = form_error(rs, "course", "No course has this slug.");
		ok = 0;
	}
	if (code != NULL && (*e = admin_orders_coupon_of(rq->w->db, code,
	    &f->coupon_id)) != ERR_OK)
		return 0;
	if (code != NULL && f->coupon_id == 0) {
		*e = form_error(rs, "coupon", "No coupon has this code.");
		ok = 0;
	}
	if (field_bad(rq, "course") || field_bad(rq, "coupon") ||
	    field_bad(rq, "q") || field_bad(rq, "after_at") ||
	    field_bad(rq, "after_id") || field_bad(rq, "after_review"))
		ok = 0;
	if (field_int(rq, "after_at", &k->created_at) &&
	    field_int(rq, "after_id", &k->id)) {
		field_int(rq, "after_review", &v);
		k->review = v != 0;
		f->after = k;
	}
	return ok;
}

static enum err
add_rows(cJSON *ctx, const struct admin_order_row *v, size_t n)
{
	cJSON *list, *o;

	if ((list = cJSON_AddArrayToObject(ctx, "orders")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) || !add_int(o, "id", v[i].id) ||
		    !add_str(o, "number", v[i].number) ||
		    !add_str(o, "email", v[i].email) ||
		    !add_str(o, "status", v[i].status) ||
		    !add_str(o, "status_label",
		    admin_orders_status_label(v[i].status)) ||
		    !add_money(o, "total", v[i].total, v[i].currency) ||
		    !add_money(o, "refunded", v[i].refunded, v[i].currency) ||
		    !add_int(o, "refunded_amount", v[i].refunded) ||
		    cJSON_AddBoolToObject(o, "needs_review",
		    v[i].needs_review) == NULL ||
		    !add_str(o, "review_reason", v[i].review_reason) ||
		    !add_int(o, "created_at", v[i].created_at))
			return ERR_INTERNAL;
	return ERR_OK;
}

/* The link to the page after the last row, keeping the filters. */
static enum err
add_next(struct req *rq, cJSON *ctx, const struct admin_order_row *last)
{
	static const char *const keep[] = { "status", "from", "to", "course",
	    "coupon", "review", "q", NULL };
	const char *pairs[2 * 10 + 1];
	char at[24], id[24];
	size_t n = 0;

	for (size_t i = 0; keep[i] != NULL; i++) {
		pairs[n++] = keep[i];
		pairs[n++] = field_raw(rq, keep[i]);
	}
	snprintf(at, sizeof(at), "%lld", (long long)last->created_at);
	snprintf(id, sizeof(id), "%lld", (long long)last->id);
	pairs[n++] = "after_review";
	pairs[n++] = last->needs_review ? "1" : NULL;
	pairs[n++] = "after_at";
	pairs[n++] = at;
	pairs[n++] = "after_id";
	pairs[n++] = id;
	pairs[n] = NULL;
	return add_str(ctx, "next_url", url_query(rq->arena, "/admin/orders",
	    pairs)) ? ERR_OK : ERR_INTERNAL;
}

/* The status filter's options, the chosen one marked. */
static enum err
add_statuses(cJSON *ctx, const char *chosen)
{
	cJSON *list, *o;

	if ((list = cJSON_AddArrayToObject(ctx, "statuses")) == NULL)
		return ERR_INTERNAL;
	for (int i = 0; i < ORDER_STATUS_MAX; i++) {
		const char *name = order_status_name((enum order_status)i);

		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) || !add_str(o, "value", name) ||
		    !add_str(o, "label", order_status_label((enum order_status)i)) ||
		    cJSON_AddBoolToObject(o, "selected", chosen != NULL &&
		    strcmp(chosen, name) == 0) == NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* GET /admin/orders: the filtered list, orders needing review first. */
enum err
h_admin_orders(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "status", "from", "to", "course",
	    "coupon", "review", "q", NULL };
	struct admin_orders_filter f;
	struct admin_orders_key k;
	struct admin_order_row *v;
	size_t n = 0;
	int more = 0, ok;
	cJSON *ctx;
	enum err e;

	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	ok = read_filter(rq, rs, &f, &k, &e);
	if (e != ERR_OK)
		return e;
	if (ok && (e = admin_orders_list(rq->w->db, rq->arena, &f, &v, &n,
	    &more)) != ERR_OK)
		return e;
	if ((e = form_refill(rq, rs, refill)) != ERR_OK ||
	    (ok && (e = add_rows(ctx, v, n)) != ERR_OK) ||
	    (more && (e = add_next(rq, ctx, &v[n - 1])) != ERR_OK) ||
	    (e = add_statuses(ctx, f.status)) != ERR_OK ||
	    !add_str(ctx, "zone", tz_name()) ||
	    cJSON_AddBoolToObject(ctx, "searched", f.q != NULL) == NULL)
		return ERR_INTERNAL;
	rs->status = ok ? 200 : 400;
	rs->tmpl = "admin/orders.html";
	return ERR_OK;
}

const struct field admin_orders_fields[] = {
	{ "status", F_LINE, 32 },
	{ "from", F_LINE, 10 },
	{ "to", F_LINE, 10 },
	{ "course", F_SLUG, 200 },
	{ "coupon", F_CODE, 64 },
	{ "review", F_BOOL, 0 },
	{ "q", F_LINE, 255 },
	{ "after_review", F_BOOL, 0 },
	{ "after_at", F_INT, 20 },
	{ "after_id", F_INT, 20 },
	{ NULL, 0, 0 },
};

/* Stripe's dashboard page of a payment (pi_...) or charge (ch_...), in
 * live mode only: a test key's objects are not the school's money.  Other
 * ids are shown, not linked. */
static int
add_stripe_link(struct req *rq, cJSON *o, const char *key, const char *id)
{
	const char *url;

	if ((strncmp(id, "pi_", 3) != 0 && strncmp(id, "ch_", 3) != 0) ||
	    !events_key_is_live(rq->w->cfg.stripe_key))
		return 1;
	url = url_segment(rq->arena, "https://dashboard.stripe.com/payments/",
	    id);
	return url != NULL && add_str(o, key, url);
}

static enum err
add_items(struct req *rq, cJSON *ctx, const struct admin_order *o)
{
	cJSON *list, *it;
	char name[32];
	int64_t chosen;

	if ((list = cJSON_AddArrayToObject(ctx, "items")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < o->nitems; i++) {
		const struct admin_order_item *v = &o->items[i];

		snprintf(name, sizeof(name), "item_%zu", i + 1);
		if ((it = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, it) || !add_int(it, "id", v->id) ||
		    !add_str(it, "field", name) ||
		    !add_str(it, "title", v->title) ||
		    !add_money(it, "unit", v->unit_amount, o->currency) ||
		    !add_int(it, "quantity", v->quantity) ||
		    !add_money(it, "discount", v->discount, o->currency) ||
		    !add_int(it, "discount_amount", v->discount) ||
		    !add_money(it, "net", v->net, o->currency) ||
		    !add_money(it, "refunded", v->refunded, o->currency) ||
		    !add_int(it, "refunded_amount", v->refunded) ||
		    cJSON_AddBoolToObject(it, "refundable", v->refunded <
		    v->net && i < REFUND_ITEMS_MAX) == NULL ||
		    cJSON_AddBoolToObject(it, "chosen", field_int(rq, name,
		    &chosen) && chosen == v->id) == NULL ||
		    !add_str(it, "access", v->access))
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

static enum err
add_trail(struct req *rq, cJSON *ctx, const struct admin_order *o)
{
	char subject[AUDIT_SUBJECT_MAX];
	struct audit_filter f = { 0 };
	cJSON *ev, *ml, *au, *x;
	int64_t last = 0;
	size_t i;
	int more;
	enum err e;

	if ((ev = cJSON_AddArrayToObject(ctx, "events")) == NULL ||
	    (ml = cJSON_AddArrayToObject(ctx, "mails")) == NULL ||
	    (au = cJSON_AddArrayToObject(ctx, "audit")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < o->nevents; i++)
		if ((x = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(ev, x) ||
		    !add_str(x, "id", o->events[i].event_id) ||
		    !add_str(x, "type", o->events[i].type) ||
		    !add_int(x, "created", o->events[i].created) ||
		    !add_int(x, "received_at", o->events[i].received_at) ||
		    !add_str(x, "outcome", o->events[i].outcome))
			return ERR_INTERNAL;
	for (i = 0; i < o->nmails; i++)
		if ((x = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(ml, x) ||
		    !add_str(x, "subject", o->mails[i].subject) ||
		    !add_str(x, "to", o->mails[i].to) ||
		    !add_str(x, "status", o->mails[i].status) ||
		    !add_int(x, "created_at", o->mails[i].created_at) ||
		    !add_int(x, "sent_at", o->mails[i].sent_at))
			return ERR_INTERNAL;
	/* The audit page's rows (lib/audit_query.h), of this order only. */
	audit_subject(subject, "order", o->id);
	f.subject = subject;
	do {
		f.before = last;
		e = audit_query(rq->w->db, rq->arena, &f, au, &last, &more);
	} while (e == ERR_OK && more);
	return e;
}

static enum err
add_refunds(struct req *rq, cJSON *ctx, const struct admin_order *o)
{
	struct refund_row *v;
	cJSON *list, *x;
	size_t n;
	enum err e;

	if ((e = refund_list(rq->w->db, rq->arena, o->id, &v, &n)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "refunds")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((x = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, x) || !add_int(x, "id", v[i].id) ||
		    !add_money(x, "amount", v[i].amount, v[i].currency) ||
		    !add_str(x, "status", v[i].status) ||
		    !add_str(x, "reason", v[i].reason) ||
		    !add_str(x, "note", v[i].note) ||
		    !add_str(x, "stripe_id", v[i].stripe_id) ||
		    !add_str(x, "failure", v[i].failure) ||
		    !add_str(x, "items", v[i].items) ||
		    !add_str(x, "by", v[i].by) ||
		    !add_int(x, "created_at", v[i].created_at) ||
		    (strcmp(v[i].status, "pending") == 0 &&
		    cJSON_AddTrueToObject(ctx, "refund_pending") == NULL))
			return ERR_INTERNAL;
	return ERR_OK;
}

/* The order itself: amounts, Stripe's ids, and whether it may be
 * refunded from here. */
static enum err
add_order(struct req *rq, cJSON *ctx, const struct admin_order *o)
{
	char token[REFUND_TOKEN_SIZE];
	cJSON *x, *ss;
	int refundable = (strcmp(o->status, "paid") == 0 ||
	    strcmp(o->status, "partially_refunded") == 0) &&
	    o->payment_intent[0] != '\0' && o->refunded < o->total;

	refund_token_new(token);
	if ((x = cJSON_AddObjectToObject(ctx, "order")) == NULL ||
	    !add_int(x, "id", o->id) || !add_str(x, "number", o->number) ||
	    !add_int(x, "user_id", o->user_id) ||
	    !add_str(x, "email", o->email) || !add_str(x, "name", o->name) ||
	    !add_str(x, "status", o->status) ||
	    !add_str(x, "status_label", admin_orders_status_label(o->status)) ||
	    !add_money(x, "subtotal", o->subtotal, o->currency) ||
	    !add_money(x, "discount", o->discount, o->currency) ||
	    !add_int(x, "discount_amount", o->discount) ||
	    !add_money(x, "total", o->total, o->currency) ||
	    !add_money(x, "refunded", o->refunded, o->currency) ||
	    !add_int(x, "refunded_amount", o->refunded) ||
	    !add_money(x, "remaining", o->total - o->refunded, o->currency) ||
	    !add_money(x, "disputed", o->disputed, o->currency) ||
	    !add_int(x, "disputed_amount", o->disputed) ||
	    !add_str(x, "currency", o->currency) ||
	    !add_str(x, "coupon_code", o->coupon_code) ||
	    cJSON_AddBoolToObject(x, "needs_review", o->needs_review) == NULL ||
	    !add_str(x, "review_reason", o->review_reason) ||
	    !add_int(x, "created_at", o->created_at) ||
	    !add_int(x, "paid_at", o->paid_at) ||
	    !add_str(x, "session_id", o->session_id) ||
	    !add_str(x, "payment_intent", o->payment_intent) ||
	    !add_stripe_link(rq, x, "payment_intent_url", o->payment_intent) ||
	    !add_str(x, "charge_id", o->charge_id) ||
	    !add_stripe_link(rq, x, "charge_url", o->charge_id) ||
	    !add_str(x, "receipt_url", o->receipt_url) ||
	    cJSON_AddBoolToObject(x, "refundable", refundable) == NULL ||
	    !add_str(ctx, "refund_token", token) ||
	    (ss = cJSON_AddArrayToObject(x, "sessions")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < o->nsessions; i++) {
		cJSON *s = cJSON_CreateObject();

		if (s == NULL || !cJSON_AddItemToArray(ss, s) ||
		    !add_str(s, "id", o->sessions[i]))
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err
admin_order_page(struct req *rq, struct resp *rs, int status,
    const char *const *refill)
{
	struct admin_order o;
	cJSON *ctx;
	enum err e;

	if ((e = admin_order_load(rq->w->db, rq->arena, rq->id, &o)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	if ((e = form_refill(rq, rs, refill)) != ERR_OK ||
	    (e = add_order(rq, ctx, &o)) != ERR_OK ||
	    (e = add_items(rq, ctx, &o)) != ERR_OK ||
	    (e = add_trail(rq, ctx, &o)) != ERR_OK ||
	    (e = add_refunds(rq, ctx, &o)) != ERR_OK ||
	    (e = admin_order_team_ctx(rq, ctx)) != ERR_OK)
		return e;
	rs->status = status;
	rs->tmpl = "admin/order.html";
	return ERR_OK;
}

/* GET /admin/orders/<id>: everything about one order. */
enum err
h_admin_order(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { NULL };

	return admin_order_page(rq, rs, 200, refill);
}

/* POST /admin/orders/<id>/review: note.  Clears the flag. */
enum err
h_admin_order_review(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "note", NULL };
	const char *note = field_str(rq, "note");
	enum err e;

	if (note == NULL) {
		if ((e = form_error(rs, "note", "Say what you decided, for the "
		    "audit log.")) != ERR_OK)
			return e;
		return admin_order_page(rq, rs, 400, refill);
	}
	e = admin_order_mark_reviewed(rq->w->db, rq->id, rq->user->id, note,
	    (int64_t)time(NULL));
	if (e == ERR_CONFLICT) {
		if ((e = form_error(rs, "note", "This order is not flagged "
		    "(someone reviewed it already).")) != ERR_OK)
			return e;
		return admin_order_page(rq, rs, 409, refill);
	}
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, arena_printf(rq->arena,
	    "/admin/orders/%lld", (long long)rq->id),
	    "The order is marked reviewed.");
}

const struct field admin_order_review_fields[] = {
	{ "note", F_TEXT, 2000 },
	{ NULL, 0, 0 },
};
