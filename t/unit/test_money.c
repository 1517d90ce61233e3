/* Unit tests of lib/money.c: checked arithmetic, formatting for people,
 * parsing admin input and the cJSON form used by templates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "money.h"

static void
check_format(int64_t amount, const char *currency, const char *want)
{
	struct buf b = { 0 };

	assert_int_equal(money_format(&b, amount, currency), 0);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
check_parse(const char *s, const char *currency, int64_t want)
{
	int64_t v = -1;

	assert_int_equal(money_parse(s, currency, &v), ERR_OK);
	assert_int_equal(v, want);
}

static void
check_rejects(const char *s, const char *currency)
{
	int64_t v = 12345;

	assert_int_equal(money_parse(s, currency, &v), ERR_INVALID);
	assert_int_equal(v, 12345);
}

static void
minor_digits_follow_stripe_lists(void **state)
{
	assert_int_equal(money_minor_digits("usd"), 2);
	assert_int_equal(money_minor_digits("eur"), 2);
	assert_int_equal(money_minor_digits("jpy"), 0);
	assert_int_equal(money_minor_digits("KRW"), 0);
	assert_int_equal(money_minor_digits("vnd"), 0);
	assert_int_equal(money_minor_digits("clp"), 0);
	assert_int_equal(money_minor_digits("kwd"), 3);
	assert_int_equal(money_minor_digits("xyz"), 2);
	assert_int_equal(money_minor_digits(NULL), 2);
	assert_int_equal(money_minor_digits("us"), 2);
}

static void
arithmetic_refuses_overflow(void **state)
{
	int64_t v = 7;

	assert_int_equal(money_add(4900, 100, &v), ERR_OK);
	assert_int_equal(v, 5000);
	assert_int_equal(money_sub(100, 4900, &v), ERR_OK);
	assert_int_equal(v, -4800);
	assert_int_equal(money_mul(4900, 3, &v), ERR_OK);
	assert_int_equal(v, 14700);
	v = 7;
	assert_int_equal(money_add(INT64_MAX, 1, &v), ERR_INVALID);
	assert_int_equal(money_sub(INT64_MIN, 1, &v), ERR_INVALID);
	assert_int_equal(money_mul(INT64_MAX / 2 + 1, 2, &v), ERR_INVALID);
	assert_int_equal(money_mul(INT64_MIN, -1, &v), ERR_INVALID);
	assert_int_equal(v, 7);
}

static void
formats_symbols_and_codes(void **state)
{
	check_format(4900, "usd", "$49.00");
	check_format(4900, "eur", "\xe2\x82\xac" "49.00");
	check_format(4900, "gbp", "\xc2\xa3" "49.00");
	check_format(4900, "jpy", "\xc2\xa5" "4,900");
	check_format(4900, "chf", "49.00 CHF");
	check_format(4900, "USD", "$49.00");
	check_format(4900, "krw", "4,900 KRW");
	check_format(4900, "kwd", "4.900 KWD");
}

static void
formats_thousands_cents_and_negatives(void **state)
{
	check_format(0, "usd", "$0.00");
	check_format(5, "usd", "$0.05");
	check_format(99999, "usd", "$999.99");
	check_format(123450, "usd", "$1,234.50");
	check_format(100000000, "usd", "$1,000,000.00");
	check_format(-500, "usd", "-$5.00");
	check_format(-123456, "chf", "-1,234.56 CHF");
	check_format(INT64_MAX, "usd", "$92,233,720,368,547,758.07");
	check_format(INT64_MIN, "usd", "-$92,233,720,368,547,758.08");
	check_format(INT64_MIN, "jpy", "-\xc2\xa5" "9,223,372,036,854,775,808");
}

static void
format_refuses_bad_currency_and_appends_nothing(void **state)
{
	struct buf b = { 0 };

	assert_int_equal(money_format(&b, 100, "us"), -1);
	assert_int_equal(money_format(&b, 100, "<b>"), -1);
	assert_int_equal(money_format(&b, 100, NULL), -1);
	assert_int_equal(money_format(&b, 100, "usdd"), -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
parses_admin_input(void **state)
{
	check_parse("49", "usd", 4900);
	check_parse("49.5", "usd", 4950);
	check_parse("49.50", "usd", 4950);
	check_parse("0.05", "usd", 5);
	check_parse("0", "usd", 0);
	check_parse("1,234.50", "usd", 123450);
	check_parse("12,345,678", "usd", 1234567800);
	check_parse(" 49.00\t", "usd", 4900);
	check_parse("4,900", "jpy", 4900);
	check_parse("4.9", "kwd", 4900);
	check_parse("92233720368547758.07", "usd", INT64_MAX);
}

/* What an admin form shows of a stored amount reads back as the same
 * amount, in every currency's number of decimals. */
static void
input_text_reads_back_as_the_same_amount(void **state)
{
	static const struct { int64_t v; const char *cur, *text; } t[] = {
		{ 1250, "usd", "12.50" }, { 5, "eur", "0.05" },
		{ 100000, "usd", "1000.00" }, { 4900, "jpy", "4900" },
		{ 1234, "kwd", "1.234" }, { 0, "usd", "0.00" },
	};
	char out[MONEY_INPUT_MAX];
	int64_t back;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		money_format_input(out, t[i].v, t[i].cur);
		assert_string_equal(out, t[i].text);
		assert_int_equal(money_parse(out, t[i].cur, &back), ERR_OK);
		assert_int_equal(back, t[i].v);
	}
}

static void
parse_rejects_malformed_input(void **state)
{
	check_rejects("", "usd");
	check_rejects("   ", "usd");
	check_rejects("-5", "usd");
	check_rejects("+5", "usd");
	check_rejects("49.505", "usd");
	check_rejects("49.5", "jpy");
	check_rejects("49.", "usd");
	check_rejects(".5", "usd");
	check_rejects("1,23", "usd");
	check_rejects("1234,567", "usd");
	check_rejects(",123", "usd");
	check_rejects("12,", "usd");
	check_rejects("1,234,56", "usd");
	check_rejects("4 9", "usd");
	check_rejects("49abc", "usd");
	check_rejects("$49", "usd");
	check_rejects("1e3", "usd");
	check_rejects("49.5.0", "usd");
	check_rejects("92233720368547758.08", "usd");
	check_rejects("99999999999999999999", "jpy");
	check_rejects("49", "dollars");
	check_rejects(NULL, "usd");
}

static void
json_holds_amount_and_lower_case_currency(void **state)
{
	cJSON *o = money_json(4900, "USD");
	char *s;

	assert_non_null(o);
	s = cJSON_PrintUnformatted(o);
	assert_string_equal(s, "{\"amount\":4900,\"currency\":\"usd\"}");
	cJSON_free(s);
	cJSON_Delete(o);
}

static void
json_refuses_amounts_a_double_cannot_hold(void **state)
{
	cJSON *o;

	o = money_json(MONEY_JSON_MAX, "usd");
	assert_non_null(o);
	assert_true(cJSON_GetObjectItem(o, "amount")->valuedouble ==
	    9007199254740992.0);
	cJSON_Delete(o);
	o = money_json(-MONEY_JSON_MAX, "usd");
	assert_non_null(o);
	cJSON_Delete(o);
	assert_null(money_json(MONEY_JSON_MAX + 1, "usd"));
	assert_null(money_json(INT64_MIN, "usd"));
	assert_null(money_json(100, "us"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minor_digits_follow_stripe_lists),
		cmocka_unit_test(arithmetic_refuses_overflow),
		cmocka_unit_test(formats_symbols_and_codes),
		cmocka_unit_test(formats_thousands_cents_and_negatives),
		cmocka_unit_test(format_refuses_bad_currency_and_appends_nothing),
		cmocka_unit_test(parses_admin_input),
		cmocka_unit_test(parse_rejects_malformed_input),
		cmocka_unit_test(input_text_reads_back_as_the_same_amount),
		cmocka_unit_test(json_holds_amount_and_lower_case_currency),
		cmocka_unit_test(json_refuses_amounts_a_double_cannot_hold),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
