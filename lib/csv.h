/* CSV downloads (RFC 4180): fields separated by commas, records by CRLF, a
 * field quoted when it holds a comma, a quote, CR or LF, with its quotes
 * doubled.  A field a spreadsheet would run as a formula (one starting
 * with '=', '+', '-', '@', a tab or CR) gets a leading apostrophe, so
 * opening the file never runs what a customer typed (OWASP's advice);
 * numbers go through csv_int, which is never neutralised. */
#ifndef ENROLL_CSV_H
#define ENROLL_CSV_H

#include <stdint.h>

#include "err.h"

struct buf;
struct req;
struct resp;

/* Appends field s (NULL: empty) to b, preceded by a comma unless first. */
int csv_field(struct buf *b, const char *s, int first);

/* Appends the integer v as a field (a negative amount stays a number). */
int csv_int(struct buf *b, int64_t v, int first);

/* Appends minor units as a decimal amount ("12.50", "-3.00") for a
 * currency with two decimals. */
int csv_money(struct buf *b, int64_t minor, int first);

/* Ends a record. */
int csv_end(struct buf *b);

/* Makes rs a download of its body as text/csv named filename (a plain
 * name: letters, digits, '-', '_', '.'); the header is copied into rq's
 * arena. */
enum err csv_respond(struct req *rq, struct resp *rs, const char *filename);

#endif
