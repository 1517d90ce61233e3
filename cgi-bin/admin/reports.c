/* admin: reports (/admin/reports and /admin/reports.csv): what the store
 * earned over the last 30 or 90 days of the school's time zone, net of
 * refunds, per currency; charts drawn on the server, each beside its
 * table; every table also as CSV. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "arena.h"
#include "csv.h"
#include "money.h"
#include "report_chart.h"
#include "report_csv.h"
#include "report_query.h"
#include "tz.h"

/* Reads ?days= (30 when absent) into *days; ERR_INVALID for another. */
static enum err
period_days(struct req *rq, int *days)
{
	int64_t d = 30;

	if (field_bad(rq, "days"))
		return ERR_INVALID;
	field_int(rq, "days", &d);
	if (d != 30 && d != 90)
		return ERR_INVALID;
	*days = (int)d;
	return ERR_OK;
}

/* "2026-12-04" or "2026-12" of a day or month key, in the arena. */
static const char *
key_text(struct arena *a, int64_t key)
{
	char s[REPORT_KEY_MAX];

	report_key_format(key, s);
	return arena_strdup(a, s);
}

static const char *
percent_text(struct arena *a, int64_t permille)
{
	return arena_printf(a, "%lld.%lld%%", (long long)(permille / 10),
	    (long long)(permille % 10));
}

static int
add_money(cJSON *o, const char *k, int64_t amount, const char *currency)
{
	cJSON *m = money_json(amount, currency);

	if (m == NULL)
		return 0;
	if (!cJSON_AddItemToObject(o, k, m)) {
		cJSON_Delete(m);
		return 0;
	}
	return 1;
}

static int
add_num(cJSON *o, const char *k, int64_t v)
{
	return cJSON_AddNumberToObject(o, k, (double)v) != NULL;
}

/* Appends a new object to array; NULL when out of memory. */
static cJSON *
push(cJSON *array)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && !cJSON_AddItemToArray(array, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* A row of a series table: label, orders, refunded, net (what the table
 * beside a chart shows; its CSV has the rest). */
static int
add_row(cJSON *o, const char *label, const struct report_total *t)
{
	return cJSON_AddStringToObject(o, "label", label) != NULL &&
	    add_num(o, "orders", t->orders) &&
	    add_money(o, "refunded", t->refunded, t->currency) &&
	    add_money(o, "net", report_net(t), t->currency);
}

/* A period's totals of one currency. */
static int
add_total(cJSON *o, const struct report_total *t)
{
	return add_num(o, "orders", t->orders) &&
	    add_num(o, "refunded_orders", t->refunded_orders) &&
	    add_money(o, "gross", t->gross, t->currency) &&
	    add_money(o, "refunded", t->refunded, t->currency) &&
	    add_money(o, "net", report_net(t), t->currency) &&
	    add_money(o, "discount", t->discount, t->currency) &&
	    add_money(o, "average", report_average(t), t->currency);
}

/* rows[0 .. n) as a table under key and a chart of their net under
 * chart_key. */
static int
add_series(struct req *rq, cJSON *o, const char *key, const char *chart_key,
    const char *title, const struct report_total *rows, size_t n)
{
	struct chart_point pts[REPORT_DAYS_MAX];
	cJSON *list, *row, *chart;
	const char *id = arena_printf(rq->arena, "chart-%s-%s", chart_key,
	    rows[0].currency);

	if (id == NULL || (list = cJSON_AddArrayToObject(o, key)) == NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		pts[i].label = key_text(rq->arena, rows[i].key);
		pts[i].value = report_net(&rows[i]);
		if (pts[i].label == NULL || (row = push(list)) == NULL ||
		    !add_row(row, pts[i].label, &rows[i]))
			return 0;
	}
	if ((chart = report_chart(id, title, rows[0].currency, pts, n)) ==
	    NULL)
		return 0;
	if (!cJSON_AddItemToObject(o, chart_key, chart)) {
		cJSON_Delete(chart);
		return 0;
	}
	return 1;
}

/* The period's totals of currency cur, or zeros. */
static struct report_total
total_of(const struct report *r, const char *cur)
{
	struct report_total t = { .key = 0 };

	for (size_t i = 0; i < r->ntotals; i++)
		if (strcmp(r->totals[i].currency, cur) == 0)
			return r->totals[i];
	memcpy(t.currency, cur, 4);
	return t;
}

/* One currency's section: totals, by day and by month. */
static int
add_currency(struct req *rq, cJSON *list, const struct report *r,
    const char *cur)
{
	struct report_total rows[REPORT_DAYS_MAX], t = total_of(r, cur);
	cJSON *o = push(list), *s;
	const char *title;

	if (o == NULL || cJSON_AddStringToObject(o, "code", cur) == NULL ||
	    (s = cJSON_AddObjectToObject(o, "summary")) == NULL ||
	    !add_total(s, &t) ||
	    cJSON_AddStringToObject(s, "refund_rate", percent_text(rq->arena,
	    report_permille(t.refunded, t.gross))) == NULL)
		return 0;
	report_series_days(r, cur, rows);
	title = arena_printf(rq->arena, "Net revenue by day, last %d days "
	    "(%s)", r->days, cur);
	if (title == NULL || !add_series(rq, o, "by_day", "day_chart", title,
	    rows, (size_t)r->days))
		return 0;
	report_series_months(r, cur, rows);
	title = arena_printf(rq->arena, "Net revenue by month, last %d months "
	    "(%s)", REPORT_MONTHS, cur);
	return title != NULL && add_series(rq, o, "by_month", "month_chart",
	    title, rows, REPORT_MONTHS);
}

static int
add_course(cJSON *list, const struct report_course *c)
{
	cJSON *o = push(list);

	return o != NULL && add_num(o, "id", c->course_id) &&
	    cJSON_AddStringToObject(o, "title", c->title) != NULL &&
	    cJSON_AddStringToObject(o, "currency", c->currency) != NULL &&
	    add_num(o, "enrollments", c->enrollments) &&
	    add_money(o, "gross", c->gross, c->currency) &&
	    add_money(o, "refunded", c->refunded, c->currency) &&
	    add_money(o, "net", c->gross - c->refunded, c->currency);
}

static int
add_lists(cJSON *ctx, const struct report *r)
{
	cJSON *courses, *top, *coupons, *o;
	size_t i;

	if ((courses = cJSON_AddArrayToObject(ctx, "courses")) == NULL ||
	    (top = cJSON_AddArrayToObject(ctx, "top")) == NULL ||
	    (coupons = cJSON_AddArrayToObject(ctx, "coupons")) == NULL)
		return 0;
	for (i = 0; i < r->ncourses; i++)
		if (!add_course(courses, &r->courses[i]))
			return 0;
	for (i = 0; i < r->ntop; i++)
		if (!add_course(top, &r->courses[r->top[i]]))
			return 0;
	for (i = 0; i < r->ncoupons; i++)
		if ((o = push(coupons)) == NULL ||
		    cJSON_AddStringToObject(o, "code", r->coupons[i].code) ==
		    NULL || cJSON_AddStringToObject(o, "currency",
		    r->coupons[i].currency) == NULL ||
		    !add_num(o, "uses", r->coupons[i].uses) ||
		    !add_money(o, "discount", r->coupons[i].discount,
		    r->coupons[i].currency))
			return 0;
	return 1;
}

static int
add_period(struct req *rq, cJSON *ctx, const struct report *r)
{
	cJSON *conv;

	return add_num(ctx, "days", r->days) &&
	    cJSON_AddStringToObject(ctx, "first", key_text(rq->arena,
	    r->first)) != NULL &&
	    cJSON_AddStringToObject(ctx, "last", key_text(rq->arena,
	    r->last)) != NULL &&
	    cJSON_AddStringToObject(ctx, "zone", tz_name()) != NULL &&
	    cJSON_AddBoolToObject(ctx, "stale", r->stale) != NULL &&
	    (conv = cJSON_AddObjectToObject(ctx, "conversion")) != NULL &&
	    add_num(conv, "started", r->started) &&
	    add_num(conv, "paid", r->converted) &&
	    cJSON_AddStringToObject(conv, "rate", percent_text(rq->arena,
	    report_permille(r->converted, r->started))) != NULL;
}

/* GET /admin/reports?days=30|90 */
enum err
h_reports(struct req *rq, struct resp *rs)
{
	char cur[REPORT_CURRENCIES][4];
	struct report r;
	size_t nc, i;
	cJSON *ctx, *list;
	int days;
	enum err e;

	if ((e = period_days(rq, &days)) != ERR_OK ||
	    (e = report_load(rq->w->db, rq->arena, days, (int64_t)time(NULL),
	    &r)) != ERR_OK)
		return e;
	nc = report_currencies(&r, cur);
	if ((ctx = resp_ctx(rs)) == NULL || !add_period(rq, ctx, &r) ||
	    (list = cJSON_AddArrayToObject(ctx, "currencies")) == NULL ||
	    !add_lists(ctx, &r))
		return ERR_INTERNAL;
	for (i = 0; i < nc; i++)
		if (!add_currency(rq, list, &r, cur[i]))
			return ERR_INTERNAL;
	rs->tmpl = "admin/reports.html";
	return ERR_OK;
}

/* GET /admin/reports.csv?table=NAME&days=30|90: one table as a download
 * named after it and the period. */
enum err
h_reports_csv(struct req *rq, struct resp *rs)
{
	enum report_table t = report_table_named(field_str(rq, "table"));
	struct report r;
	char name[64];
	int days;
	enum err e;

	if (t == REPORT_TABLE_MAX) {
		rs->message = "Choose a table: summary, conversion, by_day, "
		    "by_month, by_course, top_courses or coupons.";
		return ERR_INVALID;
	}
	if ((e = period_days(rq, &days)) != ERR_OK ||
	    (e = report_load(rq->w->db, rq->arena, days, (int64_t)time(NULL),
	    &r)) != ERR_OK ||
	    (e = report_csv(&rs->body, &r, t)) != ERR_OK)
		return e;
	snprintf(name, sizeof(name), "report-%s-%dd.csv", report_table_name(t),
	    days);
	return csv_respond(rq, rs, name);
}

const struct field reports_fields[] = {
	{ "days", F_INT, 3 },
	{ NULL, 0, 0 },
};

const struct field reports_csv_fields[] = {
	{ "days", F_INT, 3 },
	{ "table", F_TOKEN, 20 },
	{ NULL, 0, 0 },
};
