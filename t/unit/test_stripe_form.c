/* sform_*: Stripe's nested form encoding.  Expected strings were produced
 * by stripe-node 23.1.0's queryStringifyRequestData for the same data;
 * t/stripe_client.t repeats the comparison against the installed package. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stripe_form.h"

static void
form_matches_stripe_node_for_a_checkout(void **state)
{
	struct buf b = { 0 };

	assert_int_equal(sform_add(&b, "mode", "payment"), 0);
	assert_int_equal(sform_add(&b, "metadata[order_id]", "42"), 0);
	assert_int_equal(sform_addk(&b, "eur",
	    "line_items[%d][price_data][currency]", 0), 0);
	assert_int_equal(sform_add_int64(&b,
	    "line_items[0][price_data][unit_amount]", 4900), 0);
	assert_int_equal(sform_add(&b,
	    "line_items[0][price_data][product_data][name]",
	    "Intro to C & more (2nd ed.) caf\xc3\xa9!*'"), 0);
	assert_int_equal(sform_addf(&b, "line_items[0][quantity]", "%d", 1),
	    0);
	assert_int_equal(sform_add(&b, "expand[0]", "payment_intent"), 0);
	assert_int_equal(sform_add(&b, "success_url",
	    "https://x.test/ok?s={CHECKOUT_SESSION_ID}"), 0);
	assert_int_equal(sform_add(&b, "v", "a[b]~-_. +/%"), 0);
	assert_string_equal(b.data,
	    "mode=payment&metadata[order_id]=42"
	    "&line_items[0][price_data][currency]=eur"
	    "&line_items[0][price_data][unit_amount]=4900"
	    "&line_items[0][price_data][product_data][name]="
	    "Intro%20to%20C%20%26%20more%20%282nd%20ed.%29%20caf%C3%A9%21%2A%27"
	    "&line_items[0][quantity]=1&expand[0]=payment_intent"
	    "&success_url=https%3A%2F%2Fx.test%2Fok%3Fs%3D%7BCHECKOUT_SESSION_ID%7D"
	    "&v=a[b]~-_.%20%2B%2F%25");
	buf_free(&b);
}

static void
form_keeps_brackets_literal_in_keys(void **state)
{
	struct buf b = { 0 };

	sform_add(&b, "expand[]", "x");
	sform_add(&b, "types[1]", "checkout.session.completed");
	assert_string_equal(b.data,
	    "expand[]=x&types[1]=checkout.session.completed");
	buf_free(&b);
}

static void
form_encodes_every_reserved_and_control_byte(void **state)
{
	struct buf b = { 0 };

	sform_add(&b, "k e=y&", "\t\r\n\"#$&+,/:;<=>?@\\^`{|}\x7f\x80\xff");
	assert_string_equal(b.data, "k%20e%3Dy%26="
	    "%09%0D%0A%22%23%24%26%2B%2C%2F%3A%3B%3C%3D%3E%3F%40%5C%5E%60"
	    "%7B%7C%7D%7F%80%FF");
	buf_free(&b);
}

static void
form_skips_null_and_keeps_empty_values(void **state)
{
	struct buf b = { 0 };

	sform_add(&b, "a", NULL);
	assert_int_equal(b.len, 0);
	sform_add(&b, "a", "");
	sform_add(&b, "b", NULL);
	sform_add(&b, "c", "1");
	assert_string_equal(b.data, "a=&c=1");
	buf_free(&b);
}

static void
form_writes_int64_extremes(void **state)
{
	struct buf b = { 0 };

	sform_add_int64(&b, "min", INT64_MIN);
	sform_add_int64(&b, "max", INT64_MAX);
	sform_add_int64(&b, "zero", 0);
	assert_string_equal(b.data, "min=-9223372036854775808"
	    "&max=9223372036854775807&zero=0");
	buf_free(&b);
}

static void
form_escape_appends_without_separator(void **state)
{
	struct buf b = { 0 };

	buf_puts(&b, "x");
	sform_escape(&b, "a b\0c", 5);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "xa%20b%00c", 10);
	buf_free(&b);
}

static void
form_reports_out_of_memory_once_set(void **state)
{
	struct buf b = { 0 };

	b.oom = 1;
	assert_int_equal(sform_add(&b, "a", "b"), -1);
	assert_int_equal(sform_add(&b, "a", NULL), -1);
	assert_int_equal(sform_add_int64(&b, "a", 1), -1);
	assert_int_equal(sform_addf(&b, "a", "%d", 1), -1);
	assert_int_equal(sform_addk(&b, "v", "k[%d]", 1), -1);
	assert_null(b.data);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(form_matches_stripe_node_for_a_checkout),
		cmocka_unit_test(form_keeps_brackets_literal_in_keys),
		cmocka_unit_test(form_encodes_every_reserved_and_control_byte),
		cmocka_unit_test(form_skips_null_and_keeps_empty_values),
		cmocka_unit_test(form_writes_int64_extremes),
		cmocka_unit_test(form_escape_appends_without_separator),
		cmocka_unit_test(form_reports_out_of_memory_once_set),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
