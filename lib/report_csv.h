/* Every table of /admin/reports as CSV (lib/csv.h: RFC 4180, a cell a
 * spreadsheet would run as a formula neutralised): the same rows the page
 * shows, amounts as decimals in their own currency, one currency a row. */
#ifndef ENROLL_REPORT_CSV_H
#define ENROLL_REPORT_CSV_H

#include "err.h"

struct buf;
struct report;

enum report_table {
	REPORT_SUMMARY,		/* per currency: orders, money, averages */
	REPORT_CONVERSION,	/* checkouts started and paid */
	REPORT_BY_DAY,		/* every day of the period, per currency */
	REPORT_BY_MONTH,	/* the charted months, per currency */
	REPORT_BY_COURSE,	/* per course and currency */
	REPORT_TOP_COURSES,	/* the most enrolled courses */
	REPORT_COUPONS,		/* per coupon code and currency */
	REPORT_TABLE_MAX
};

/* The table called name ("by_day", ...), or REPORT_TABLE_MAX. */
enum report_table report_table_named(const char *name);

/* The name of t, as in the URL and the file name. */
const char *report_table_name(enum report_table t);

/* Appends table t of r to b, with its header row.  ERR_INTERNAL when out
 * of memory. */
enum err report_csv(struct buf *b, const struct report *r,
    enum report_table t);

#endif
