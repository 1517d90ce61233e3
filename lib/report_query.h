/* The figures /admin/reports shows, read from the daily summary
 * (report.h) for a period of the last 30 or 90 local days: totals per
 * currency, by day, by month (the last 12), by course and by coupon, all
 * net of refunds; and conversion (checkouts started in the period, and
 * how many of them were paid since).
 * Money is never added across currencies: every row names its own. */
#ifndef ENROLL_REPORT_QUERY_H
#define ENROLL_REPORT_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct arena;
struct db;

#define REPORT_MONTHS 12	/* months in the by-month chart */
#define REPORT_TOP 5		/* courses in "top courses" */
#define REPORT_DAYS_MAX 90	/* the longest period */

/* Orders paid, their money and discounts: over a period, a day or a month
 * (in one currency). */
struct report_total {
	char currency[4];	/* lower-case code */
	int64_t key;		/* YYYYMMDD, YYYYMM, or 0 for a period */
	int64_t orders;		/* paid */
	int64_t refunded_orders;/* of them, with any refund */
	int64_t gross;		/* what they were paid, minor units */
	int64_t refunded;	/* refunded of it since */
	int64_t discount;	/* coupon discounts they had */
};

struct report_course {
	char currency[4];	/* lower-case code */
	int64_t course_id;	/* courses.id */
	const char *title;	/* the course's title now (arena) */
	int64_t enrollments;	/* items sold, not refunded in full */
	int64_t gross;		/* item amounts after discount */
	int64_t refunded;	/* their share of the refunds */
};

struct report_coupon {
	char currency[4];	/* lower-case code */
	const char *code;	/* coupon code as used (arena) */
	int64_t uses;		/* paid orders, not refunded in full */
	int64_t discount;	/* discount those orders had */
};

struct report {
	int days;		/* 30 or 90 */
	int64_t first, last;	/* YYYYMMDD: the period's first and last day */
	int64_t from;		/* UTC start of the first day */
	int64_t first_month;	/* YYYYMM of the first month charted */
	struct report_total *totals;	/* per currency over the period */
	size_t ntotals;
	struct report_total *by_day;	/* per day and currency, days with
					   paid orders only, oldest first */
	size_t nby_day;
	struct report_total *by_month;	/* per month and currency */
	size_t nby_month;
	struct report_course *courses;	/* per course and currency, best net
					   revenue first */
	size_t ncourses;
	size_t top[REPORT_TOP];	/* indexes into courses: most enrollments */
	size_t ntop;
	struct report_coupon *coupons;	/* per code and currency, most used
					   first */
	size_t ncoupons;
	int64_t started;	/* checkouts started (orders made) */
	int64_t converted;	/* of them, paid */
	int stale;		/* summary built in another time zone */
};

/* Fills r for the last days (30 or 90; else ERR_INVALID) local days up to and including
 * the one holding now.  Everything lives in arena a. */
enum err report_load(struct db *db, struct arena *a, int days, int64_t now,
    struct report *r);

/* Fills out[0 .. r->days) with currency's figures for each day of the
 * period, oldest first (a day without paid orders is all 0). */
void report_series_days(const struct report *r, const char *currency,
    struct report_total *out);

/* The same for the REPORT_MONTHS months, into out[0 .. REPORT_MONTHS). */
void report_series_months(const struct report *r, const char *currency,
    struct report_total *out);

#define REPORT_CURRENCIES 16	/* currencies shown, at most */

/* Writes the codes of the currencies with paid orders in the charted
 * months (which hold the period) into out, sorted; returns how many. */
size_t report_currencies(const struct report *r,
    char out[REPORT_CURRENCIES][4]);

#define REPORT_KEY_MAX 32	/* bytes of a formatted day or month */

/* Writes day key YYYYMMDD as "2026-12-04", month key YYYYMM as
 * "2026-12", into out. */
void report_key_format(int64_t key, char out[REPORT_KEY_MAX]);

/* Net of a total: gross less refunded. */
int64_t report_net(const struct report_total *t);

/* Net revenue divided by orders, rounded half up; 0 without orders. */
int64_t report_average(const struct report_total *t);

/* part / whole in tenths of a percent, rounded half up; 0 when whole is
 * 0 (125 is 12.5%). */
int64_t report_permille(int64_t part, int64_t whole);

#endif
