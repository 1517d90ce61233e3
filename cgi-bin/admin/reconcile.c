/* admin: reconciliation with Stripe (/admin/reconcile).  The page reads
 * Stripe's list calls and the orders for a period of days in the school's
 * zone and shows each mismatch with what to do; POST
 * /admin/reconcile/apply brings one order to Stripe's state (the safe
 * lines: a missed event).  See lib/reconcile_report.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "events.h"
#include "form_page.h"
#include "reconcile_report.h"
#include "session.h"
#include "tz.h"
#include "url.h"

#define PAGE "admin/reconcile.html"

/* The period asked for, as typed and as UTC seconds [from, until). */
struct period {
	const char *from_s, *until_s;	/* "YYYY-MM-DD" (arena) */
	int64_t from, until;		/* until: the day after the last */
};

/* Reads field name, "YYYY-MM-DD" in the school's zone, or dflt when it
 * was not sent, into *s and *t; 0, or -1 when it is not a date. */
static int
day(struct req *rq, const char *name, const char *dflt, const char **s,
    int64_t *t)
{
	if (field_bad(rq, name))
		return -1;
	if ((*s = field_str(rq, name)) == NULL &&
	    (*s = arena_strdup(rq->arena, dflt)) == NULL)
		return -1;
	return strlen(*s) == 10 && tz_parse_local(*s, t) == ERR_OK ? 0 : -1;
}

/* The local day after the one starting at t (days are not all 86400 s). */
static int64_t
next_day(int64_t t)
{
	return tz_day_start(t + 36 * 3600);
}

/* Reads from and until (default: this month so far); puts the errors
 * next to their fields and returns -1 when they are not a period. */
static int
period_read(struct req *rq, struct resp *rs, struct period *p)
{
	char from_def[11], until_def[11];
	int64_t now = (int64_t)time(NULL);
	int bad = 0;

	tz_format_day(now, until_def);
	memcpy(from_def, until_def, 8);
	memcpy(from_def + 8, "01", 3);
	if (day(rq, "from", from_def, &p->from_s, &p->from) != 0) {
		form_error(rs, "from", "Give the first day as a date, "
		    "like 2026-03-01.");
		bad = 1;
	}
	if (day(rq, "until", until_def, &p->until_s, &p->until) != 0) {
		form_error(rs, "until", "Give the last day as a date, "
		    "like 2026-03-31.");
		bad = 1;
	}
	if (bad)
		return -1;
	p->until = next_day(p->until);
	if (p->until <= p->from) {
		form_error(rs, "until", "The last day cannot come before the "
		    "first.");
		return -1;
	}
	if (p->until - p->from > (int64_t)RECON_MAX_DAYS * 86400 + 3600) {
		form_error(rs, "until", "Choose at most 92 days at a time.");
		return -1;
	}
	return 0;
}

/* {"amount": v, "currency": cur} for the money filter, or null. */
static cJSON *
money(int64_t v, const char *cur)
{
	cJSON *o;

	if (v < 0 || strlen(cur) != 3)
		return cJSON_CreateNull();
	if ((o = cJSON_CreateObject()) != NULL) {
		cJSON_AddNumberToObject(o, "amount", (double)v);
		cJSON_AddStringToObject(o, "currency", cur);
	}
	return o;
}

/* Stripe's dashboard page of a payment, in the key's mode (arena). */
static const char *
dashboard_url(struct req *rq, const char *pi)
{
	char url[400];

	snprintf(url, sizeof(url), "https://dashboard.stripe.com/%spayments/%s",
	    events_key_is_live(rq->w->cfg.stripe_key) ? "" : "test/", pi);
	return arena_strdup(rq->arena, url);
}

static enum err
line_json(struct req *rq, cJSON *list, const struct recon_line *l)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddItemToArray(list, o))
		return ERR_INTERNAL;
	cJSON_AddNumberToObject(o, "when", (double)l->when);
	cJSON_AddNumberToObject(o, "order_id", (double)l->order_id);
	cJSON_AddStringToObject(o, "order_number", l->order_number);
	cJSON_AddStringToObject(o, "payment_intent", l->payment_intent);
	if (l->payment_intent[0] != '\0')
		cJSON_AddStringToObject(o, "dashboard_url", dashboard_url(rq,
		    l->payment_intent));
	cJSON_AddItemToObject(o, "stripe_amount", money(l->stripe_amount,
	    l->currency));
	cJSON_AddItemToObject(o, "store_amount", money(l->store_amount,
	    l->currency));
	cJSON_AddItemToObject(o, "stripe_refunded", money(l->stripe_refunded,
	    l->currency));
	cJSON_AddItemToObject(o, "store_refunded", money(l->store_refunded,
	    l->currency));
	cJSON_AddStringToObject(o, "what", recon_kind_what(l->kind));
	cJSON_AddStringToObject(o, "advice", recon_kind_advice(l->kind, l->safe));
	cJSON_AddBoolToObject(o, "safe", l->safe);
	return ERR_OK;
}

/* Puts the report into ctx. */
static enum err
report_json(struct req *rq, cJSON *ctx, const struct recon_report *r)
{
	cJSON *list = cJSON_AddArrayToObject(ctx, "lines");
	size_t i;
	enum err e;

	if (list == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < r->n; i++)
		if ((e = line_json(rq, list, &r->v[i])) != ERR_OK)
			return e;
	cJSON_AddNumberToObject(ctx, "stripe_payments",
	    (double)r->stripe_payments);
	cJSON_AddNumberToObject(ctx, "stripe_refunds",
	    (double)r->stripe_refunds);
	cJSON_AddNumberToObject(ctx, "store_orders", (double)r->store_orders);
	cJSON_AddBoolToObject(ctx, "truncated", r->truncated);
	cJSON_AddBoolToObject(ctx, "clean", r->n == 0 && !r->truncated);
	cJSON_AddBoolToObject(ctx, "checked", 1);
	return ERR_OK;
}

/* GET /admin/reconcile?from=&until=: only reads, here and at Stripe. */
enum err
h_reconcile(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "from", "until", NULL };
	struct recon_report r = { 0 };
	struct stripe_error se;
	struct stripe *s;
	struct period p;
	cJSON *ctx;
	enum err e;

	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddStringToObject(ctx, "zone", tz_name());
	if (period_read(rq, rs, &p) != 0)
		return form_again(rq, rs, PAGE, 400, refill);
	cJSON_AddStringToObject(ctx, "from", p.from_s);
	cJSON_AddStringToObject(ctx, "until", p.until_s);
	rs->tmpl = PAGE;
	if ((s = worker_stripe(rq->w)) == NULL) {
		cJSON_AddStringToObject(ctx, "stripe_error", "No Stripe key "
		    "is configured (STRIPE_SECRET_KEY): there is nothing to "
		    "compare with.");
		rs->status = 503;
		return ERR_OK;
	}
	e = recon_build(rq->w->db, s, p.from, p.until, &r, &se);
	if (e == ERR_UPSTREAM) {
		cJSON_AddStringToObject(ctx, "stripe_error", se.message);
		rs->status = 502;
		e = ERR_OK;
	} else if (e == ERR_OK)
		e = report_json(rq, ctx, &r);
	recon_report_free(&r);
	return e;
}

/* POST /admin/reconcile/apply: payment_intent, and the period to go back
 * to.  Brings the order that payment paid to Stripe's state. */
enum err
h_reconcile_apply(struct req *rq, struct resp *rs)
{
	const char *pi = field_str(rq, "payment_intent");
	const char *back[] = { "from", field_str(rq, "from"), "until",
	    field_str(rq, "until"), NULL };
	struct recon_applied out;
	struct stripe_error se;
	struct stripe *s;
	char msg[1200];
	enum err e;

	if (pi == NULL || strncmp(pi, "pi_", 3) != 0) {
		rs->message = "Choose a payment to apply from the "
		    "reconciliation page.";
		return ERR_INVALID;
	}
	if ((s = worker_stripe(rq->w)) == NULL) {
		rs->message = "No Stripe key is configured.";
		return ERR_UPSTREAM;
	}
	e = recon_apply(rq->w->db, s, pi, rq->user->id, rq->w->cfg.base_url,
	    (int64_t)time(NULL), &out, &se);
	if (e == ERR_NOTFOUND) {
		rs->message = "Stripe has no checkout of this store paid by "
		    "that payment, or its order is not in the store.";
		return e;
	}
	if (e == ERR_UPSTREAM) {
		snprintf(msg, sizeof(msg), "Stripe could not be asked: %s",
		    se.message);
		rs->message = arena_strdup(rq->arena, msg);
		return e;
	}
	if (e != ERR_OK)
		return e;
	if (out.changed)
		snprintf(msg, sizeof(msg), "Order %s now matches Stripe (%s).",
		    out.order_number, fulfil_outcome_name(out.outcome));
	else
		snprintf(msg, sizeof(msg), "Order %s already matched Stripe: "
		    "nothing changed.", out.order_number);
	return resp_flash_redirect(rq, rs, url_query(rq->arena,
	    "/admin/reconcile", back), msg);
}

const struct field reconcile_fields[] = {
	{ "from", F_LINE, 10 },
	{ "until", F_LINE, 10 },
	{ NULL, 0, 0 },
};

const struct field reconcile_apply_fields[] = {
	{ "payment_intent", F_TOKEN, 255 },
	{ "from", F_LINE, 10 },
	{ "until", F_LINE, 10 },
	{ NULL, 0, 0 },
};
