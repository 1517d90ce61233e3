/* Money is an integer count of minor units (cents, or yen for jpy) plus a
 * lower-case ISO 4217 code.  Floats never touch an amount: sums are checked
 * integer arithmetic, admin input is parsed digit by digit and output is
 * formatted from integers.  The template filter `money` is the only
 * formatter pages use. */
#ifndef ENROLL_MONEY_H
#define ENROLL_MONEY_H

#include <stdint.h>

#include "err.h"

struct buf;
struct cJSON;

/* cJSON keeps numbers as doubles, exact only up to 2^53 in magnitude:
 * money_json() and the template filter refuse amounts beyond this. */
#define MONEY_JSON_MAX ((int64_t)1 << 53)

struct money {
	int64_t amount;		/* minor units; negative for refunds */
	char currency[4];	/* lower-case ISO 4217 code, NUL-terminated */
};

/* Returns 1 when currency is three ASCII letters (either case), else 0.
 * NULL gives 0. */
int money_currency_valid(const char *currency);

/* Returns the number of minor-unit digits Stripe uses for currency: 0 for
 * its zero-decimal currencies (jpy, krw, vnd, clp, ...), 3 for its
 * three-decimal ones (bhd, jod, kwd, omr, tnd), otherwise 2.  Case does
 * not matter; NULL or an unknown code gives 2. */
int money_minor_digits(const char *currency);

/* Store a + b, a - b, or amount * qty in *out.  Return ERR_OK, or
 * ERR_INVALID (and leave *out alone) when the result overflows int64_t. */
enum err money_add(int64_t a, int64_t b, int64_t *out);
enum err money_sub(int64_t a, int64_t b, int64_t *out);
enum err money_mul(int64_t amount, int64_t qty, int64_t *out);

/* Appends amount formatted for people: "$1,234.50", "€49.00", "£49.00",
 * "¥4,900", "-$5.00", other currencies as "49.00 CHF".  Every value of
 * int64_t, INT64_MIN included, is formatted exactly.  Returns 0, or -1
 * when memory ran out or currency is not three letters (then nothing is
 * appended).  The text holds no HTML-special characters except what a
 * caller-supplied currency could not contain (letters only). */
int money_format(struct buf *out, int64_t amount, const char *currency);

/* Parses an amount typed into an admin form ("49", "49.5", "49.50",
 * "1,234.50"; surrounding blanks ignored) into minor units of currency.
 * Returns ERR_OK and sets *out, or ERR_INVALID for empty input, a sign,
 * more decimals than the currency has, misplaced thousands separators,
 * any other character, overflow, or an invalid currency. */
enum err money_parse(const char *s, const char *currency, int64_t *out);

/* Longest text money_format_input writes, with its NUL. */
#define MONEY_INPUT_MAX 24

/* Writes amount (>= 0) as what money_parse reads back, for an admin
 * form's input: digits, and the currency's decimals after a point
 * ("1234.50", "4900" for jpy), into out (MONEY_INPUT_MAX bytes). */
void money_format_input(char *out, int64_t amount, const char *currency);

/* Returns a new cJSON object {"amount": <int>, "currency": "usd"} (code
 * lower-cased) for a template context; the caller owns it and frees it with
 * cJSON_Delete() (or by adding it to a context that is freed).  Returns
 * NULL when memory ran out, when currency is not three letters, or when
 * |amount| > MONEY_JSON_MAX, which a double could not hold exactly. */
struct cJSON *money_json(int64_t amount, const char *currency);

#endif
