/* The report tables as CSV (see report_csv.h). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "money.h"
#include "report_csv.h"
#include "report_query.h"

static const char *const names[REPORT_TABLE_MAX] = {
	[REPORT_SUMMARY] = "summary", [REPORT_CONVERSION] = "conversion",
	[REPORT_BY_DAY] = "by_day", [REPORT_BY_MONTH] = "by_month",
	[REPORT_BY_COURSE] = "by_course", [REPORT_TOP_COURSES] = "top_courses",
	[REPORT_COUPONS] = "coupons",
};

enum report_table
report_table_named(const char *name)
{
	int t;

	for (t = 0; name != NULL && t < REPORT_TABLE_MAX; t++)
		if (strcmp(names[t], name) == 0)
			return (enum report_table)t;
	return REPORT_TABLE_MAX;
}

const char *
report_table_name(enum report_table t)
{
	return (unsigned)t < REPORT_TABLE_MAX ? names[t] : "?";
}

/* An amount in its currency's decimals ("12.50"; "1200" for yen). */
static int
money_cell(struct buf *b, int64_t minor, const char *currency)
{
	int digits = money_minor_digits(currency);
	int64_t scale = digits == 0 ? 1 : digits == 3 ? 1000 : 100;
	uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor :
	    (uint64_t)minor;

	if (digits == 2)
		return csv_money(b, minor, 0);
	if (digits == 0)
		return csv_int(b, minor, 0);
	return buf_printf(b, ",%s%llu.%03llu", minor < 0 ? "-" : "",
	    (unsigned long long)(m / (uint64_t)scale),
	    (unsigned long long)(m % (uint64_t)scale));
}

/* A tenth-of-a-percent figure as "12.5". */
static int
percent_cell(struct buf *b, int64_t permille)
{
	return buf_printf(b, ",%lld.%lld", (long long)(permille / 10),
	    (long long)(permille % 10));
}

static int
key_cell(struct buf *b, int64_t key)
{
	char s[REPORT_KEY_MAX];

	report_key_format(key, s);
	return csv_field(b, s, 1);
}

/* orders, gross, refunded, net of t, each after a comma. */
static int
money_cells(struct buf *b, const struct report_total *t)
{
	return csv_int(b, t->orders, 0) != 0 ||
	    money_cell(b, t->gross, t->currency) != 0 ||
	    money_cell(b, t->refunded, t->currency) != 0 ||
	    money_cell(b, report_net(t), t->currency) != 0;
}

static int
summary(struct buf *b, const struct report *r)
{
	const struct report_total *t;
	int bad = buf_puts(b, "currency,orders_paid,orders_with_refunds,gross,"
	    "refunded,net,discount,average_order,refund_rate_percent\r\n");

	for (size_t i = 0; !bad && i < r->ntotals; i++) {
		t = &r->totals[i];
		bad = csv_field(b, t->currency, 1) != 0 ||
		    csv_int(b, t->orders, 0) != 0 ||
		    csv_int(b, t->refunded_orders, 0) != 0 ||
		    money_cell(b, t->gross, t->currency) != 0 ||
		    money_cell(b, t->refunded, t->currency) != 0 ||
		    money_cell(b, report_net(t), t->currency) != 0 ||
		    money_cell(b, t->discount, t->currency) != 0 ||
		    money_cell(b, report_average(t), t->currency) != 0 ||
		    percent_cell(b, report_permille(t->refunded, t->gross)) !=
		    0 || csv_end(b) != 0;
	}
	return bad;
}

static int
conversion(struct buf *b, const struct report *r)
{
	return buf_puts(b, "first_day,last_day,checkouts_started,paid,"
	    "conversion_percent\r\n") != 0 || key_cell(b, r->first) != 0 ||
	    buf_putc(b, ',') != 0 || key_cell(b, r->last) != 0 ||
	    csv_int(b, r->started, 0) != 0 ||
	    csv_int(b, r->converted, 0) != 0 ||
	    percent_cell(b, report_permille(r->converted, r->started)) != 0 ||
	    csv_end(b) != 0;
}

/* Rows of a series (days or months) of every currency. */
static int
series(struct buf *b, const struct report *r, int months)
{
	struct report_total rows[REPORT_DAYS_MAX];
	char cur[REPORT_CURRENCIES][4];
	size_t nc = report_currencies(r, cur), n;
	int bad = buf_puts(b, months ? "month" : "day") != 0 ||
	    buf_puts(b, ",currency,orders_paid,gross,refunded,net\r\n") != 0;

	n = months ? REPORT_MONTHS : (size_t)r->days;
	for (size_t c = 0; !bad && c < nc; c++) {
		if (months)
			report_series_months(r, cur[c], rows);
		else
			report_series_days(r, cur[c], rows);
		for (size_t i = 0; !bad && i < n; i++)
			bad = key_cell(b, rows[i].key) != 0 ||
			    csv_field(b, cur[c], 0) != 0 ||
			    money_cells(b, &rows[i]) || csv_end(b) != 0;
	}
	return bad;
}

static int
course_row(struct buf *b, const struct report_course *c)
{
	return csv_field(b, c->title, 0) != 0 ||
	    csv_field(b, c->currency, 0) != 0 ||
	    csv_int(b, c->enrollments, 0) != 0 ||
	    money_cell(b, c->gross, c->currency) != 0 ||
	    money_cell(b, c->refunded, c->currency) != 0 ||
	    money_cell(b, c->gross - c->refunded, c->currency) != 0 ||
	    csv_end(b) != 0;
}

static int
courses(struct buf *b, const struct report *r, int top)
{
	size_t n = top ? r->ntop : r->ncourses;
	int bad = buf_puts(b, top ? "rank," : "") != 0 ||
	    buf_puts(b, "course_id,course,currency,enrollments,gross,refunded,"
	    "net\r\n") != 0;

	for (size_t i = 0; !bad && i < n; i++) {
		const struct report_course *c = &r->courses[top ? r->top[i] : i];

		bad = (top && csv_int(b, (int64_t)i + 1, 1) != 0) ||
		    csv_int(b, c->course_id, !top) != 0 || course_row(b, c);
	}
	return bad;
}

static int
coupons(struct buf *b, const struct report *r)
{
	int bad = buf_puts(b, "code,currency,uses,discount\r\n");

	for (size_t i = 0; !bad && i < r->ncoupons; i++)
		bad = csv_field(b, r->coupons[i].code, 1) != 0 ||
		    csv_field(b, r->coupons[i].currency, 0) != 0 ||
		    csv_int(b, r->coupons[i].uses, 0) != 0 ||
		    money_cell(b, r->coupons[i].discount,
		    r->coupons[i].currency) != 0 || csv_end(b) != 0;
	return bad;
}

enum err
report_csv(struct buf *b, const struct report *r, enum report_table t)
{
	int bad;

	switch (t) {
	case REPORT_SUMMARY: bad = summary(b, r); break;
	case REPORT_CONVERSION: bad = conversion(b, r); break;
	case REPORT_BY_DAY: bad = series(b, r, 0); break;
	case REPORT_BY_MONTH: bad = series(b, r, 1); break;
	case REPORT_BY_COURSE: bad = courses(b, r, 0); break;
	case REPORT_TOP_COURSES: bad = courses(b, r, 1); break;
	case REPORT_COUPONS: bad = coupons(b, r); break;
	default: return ERR_INVALID;
	}
	return bad || b->oom ? ERR_INTERNAL : ERR_OK;
}
