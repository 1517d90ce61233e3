/* Money arithmetic, formatting and parsing on integer minor units.  The
 * currency tables follow Stripe's list of zero- and three-decimal
 * currencies, since Stripe is what charges these amounts; every other code
 * has two decimals. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "money.h"

/* Stripe's zero-decimal currencies: amounts are whole units. */
static const char *const zero_decimal[] = {
	"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
	"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
};

/* Stripe's three-decimal currencies: amounts are thousandths. */
static const char *const three_decimal[] = {
	"bhd", "jod", "kwd", "omr", "tnd",
};

/* Prefix symbols; any other currency is written "49.00 CHF". */
static const struct {
	const char *code;	/* lower-case ISO code */
	const char *symbol;	/* UTF-8 text written before the amount */
} symbols[] = {
	{ "usd", "$" },
	{ "eur", "\xe2\x82\xac" },	/* € */
	{ "gbp", "\xc2\xa3" },		/* £ */
	{ "jpy", "\xc2\xa5" },		/* ¥ */
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int
money_currency_valid(const char *currency)
{
	int i;

	if (currency == NULL)
		return 0;
	for (i = 0; i < 3; i++) {
		char c = currency[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return currency[3] == '\0';
}

/* Writes currency, which money_currency_valid() accepted, lower-cased
 * into code.  The tables above are lower case, so a lookup is then a
 * comparison of four bytes, not strcasecmp over every entry. */
static void
lower_code(const char *currency, char code[4])
{
	int i;

	for (i = 0; i < 3; i++)
		code[i] = (char)(currency[i] | 0x20);
	code[3] = '\0';
}

/* Returns the entry of list equal to the lower-case code, or NULL. */
static const char *
in_list(const char code[4], const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(code, list[i], 4) == 0)
			return list[i];
	return NULL;
}

static int
minor_digits(const char code[4])
{
	if (in_list(code, zero_decimal, NELEM(zero_decimal)) != NULL)
		return 0;
	if (in_list(code, three_decimal, NELEM(three_decimal)) != NULL)
		return 3;
	return 2;
}

int
money_minor_digits(const char *currency)
{
	char code[4];

	if (!money_currency_valid(currency))
		return 2;
	lower_code(currency, code);
	return minor_digits(code);
}

enum err
money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return ERR_INVALID;
	*out = r;
	return ERR_OK;
}

enum err
money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return ERR_INVALID;
	*out = r;
	return ERR_OK;
}

enum err
money_mul(int64_t amount, int64_t qty, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(amount, qty, &r))
		return ERR_INVALID;
	*out = r;
	return ERR_OK;
}

static const char *
money_symbol(const char code[4])
{
	size_t i;

	for (i = 0; i < NELEM(symbols); i++)
		if (memcmp(code, symbols[i].code, 4) == 0)
			return symbols[i].symbol;
	return NULL;
}

/* Writes v in decimal with a comma every three digits into the end of
 * tmp (size n, at least 27 bytes); returns where the text starts. */
static char *
group_digits(char *tmp, size_t n, uint64_t v)
{
	char *p = tmp + n;
	int k = 0;

	*--p = '\0';
	do {
		if (k > 0 && k % 3 == 0)
			*--p = ',';
		*--p = (char)('0' + v % 10);
		v /= 10;
		k++;
	} while (v > 0);
	return p;
}

int
money_format(struct buf *out, int64_t amount, const char *currency)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000 };
	char tmp[32], frac[4], code[4], lower[4];
	const char *sym;
	uint64_t mag, unit, rest;
	int digits, i;

	if (!money_currency_valid(currency) || out->oom)
		return -1;
	lower_code(currency, lower);
	digits = minor_digits(lower);
	unit = pow10[digits];
	/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
	mag = amount < 0 ? (uint64_t)0 - (uint64_t)amount : (uint64_t)amount;
	rest = mag % unit;
	for (i = digits - 1; i >= 0; i--, rest /= 10)
		frac[i] = (char)('0' + rest % 10);
	frac[digits] = '\0';
	sym = money_symbol(lower);
	if (amount < 0)
		buf_putc(out, '-');
	if (sym != NULL)
		buf_puts(out, sym);
	buf_puts(out, group_digits(tmp, sizeof(tmp), mag / unit));
	if (digits > 0) {
		buf_putc(out, '.');
		buf_puts(out, frac);
	}
	if (sym == NULL) {
		for (i = 0; i < 3; i++)
			code[i] = (char)(currency[i] & ~0x20);	/* upper case */
		code[3] = '\0';
		buf_putc(out, ' ');
		buf_puts(out, code);
	}
	return out->oom ? -1 : 0;
}

/* Appends one digit to *v; returns -1 on overflow. */
static int
push_digit(int64_t *v, char c)
{
	if (__builtin_mul_overflow(*v, 10, v) ||
	    __builtin_add_overflow(*v, c - '0', v))
		return -1;
	return 0;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses the whole-units part of s (digits, optionally grouped by commas
 * as 1-3 digits then groups of exactly 3) into *v; returns the character
 * after it, or NULL when malformed or too large. */
static const char *
parse_units(const char *s, int64_t *v)
{
	int group = 0, grouped = 0;

	if (!is_digit(*s))
		return NULL;
	for (; *s != '\0'; s++) {
		if (*s == ',') {
			if (group == 0 || group > 3 || (grouped && group != 3))
				return NULL;
			grouped = 1;
			group = 0;
			continue;
		}
		if (!is_digit(*s))
			break;
		if (push_digit(v, *s) == -1)
			return NULL;
		group++;
	}
	if (grouped && group != 3)
		return NULL;
	return s;
}

enum err
money_parse(const char *s, const char *currency, int64_t *out)
{
	const char *end;
	int64_t v = 0;
	int digits, n = 0;

	if (s == NULL || !money_currency_valid(currency))
		return ERR_INVALID;
	digits = money_minor_digits(currency);
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((s = parse_units(s, &v)) == NULL || s > end)
		return ERR_INVALID;
	if (s < end && *s == '.') {
		for (s++; s < end && is_digit(*s); s++, n++)
			if (n >= digits || push_digit(&v, *s) == -1)
				return ERR_INVALID;
		if (n == 0)
			return ERR_INVALID;
	}
	if (s != end)
		return ERR_INVALID;
	for (; n < digits; n++)
		if (push_digit(&v, '0') == -1)
			return ERR_INVALID;
	*out = v;
	return ERR_OK;
}

void
money_format_input(char *out, int64_t amount, const char *currency)
{
	int digits = money_minor_digits(currency);
	int64_t unit = digits == 0 ? 1 : digits == 3 ? 1000 : 100;

	if (amount < 0)
		amount = 0;
	if (digits == 0)
		snprintf(out, MONEY_INPUT_MAX, "%lld", (long long)amount);
	else
		snprintf(out, MONEY_INPUT_MAX, "%lld.%0*lld",
		    (long long)(amount / unit), digits,
		    (long long)(amount % unit));
}

/* Returns the static lower-case copy of a code in one of the tables, so
 * that a context can refer to it instead of copying it, or NULL. */
static const char *
known_code(const char code[4])
{
	const char *k;
	size_t i;

	for (i = 0; i < NELEM(symbols); i++)
		if (memcmp(code, symbols[i].code, 4) == 0)
			return symbols[i].code;
	if ((k = in_list(code, zero_decimal, NELEM(zero_decimal))) != NULL)
		return k;
	return in_list(code, three_decimal, NELEM(three_decimal));
}

cJSON *
money_json(int64_t amount, const char *currency)
{
	cJSON *o, *n, *c;
	const char *known;
	char code[4];

	if (!money_currency_valid(currency) || amount > MONEY_JSON_MAX ||
	    amount < -MONEY_JSON_MAX)
		return NULL;
	lower_code(currency, code);
	/* A page lists dozens of prices: literal keys and, for the usual
	 * currencies, a static code save three of five allocations. */
	known = known_code(code);
	o = cJSON_CreateObject();
	n = cJSON_CreateNumber((double)amount);
	c = known != NULL ? cJSON_CreateStringReference(known) :
	    cJSON_CreateString(code);
	if (o == NULL || n == NULL || c == NULL) {
		cJSON_Delete(o);
		cJSON_Delete(n);
		cJSON_Delete(c);
		return NULL;
	}
	cJSON_AddItemToObjectCS(o, "amount", n);
	cJSON_AddItemToObjectCS(o, "currency", c);
	return o;
}
