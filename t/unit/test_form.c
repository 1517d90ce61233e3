/* urlencoded, cookie and field parsing: every malformed input is refused
 * with the right error, every valid one decodes exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "field.h"
#include "form.h"
#include "http.h"

static struct arena *a;

static int
setup(void **state)
{
	a = arena_new();
	return a == NULL;
}

static int
teardown(void **state)
{
	arena_free(a);
	return 0;
}

static enum err
parse(const char *s, struct kvlist *out)
{
	return form_parse(a, s, strlen(s), &form_limits_default, out);
}

static void
decodes_plus_and_percent_escapes(void **state)
{
	struct kvlist l;

	assert_int_equal(parse("name=Ada+Lovelace&email=ada%40example.org&x=%E2%82%AC", &l), ERR_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(kv_get(&l, "name"), "Ada Lovelace");
	assert_string_equal(kv_get(&l, "email"), "ada@example.org");
	assert_string_equal(kv_get(&l, "x"), "\xe2\x82\xac");
}

static void
keeps_brackets_in_keys_for_nested_parameters(void **state)
{
	struct kvlist l;

	assert_int_equal(parse("line_items%5B0%5D%5Bquantity%5D=1&metadata[order_id]=42", &l), ERR_OK);
	assert_string_equal(l.v[0].key, "line_items[0][quantity]");
	assert_string_equal(kv_get(&l, "metadata[order_id]"), "42");
}

static void
refuses_malformed_percent_escapes(void **state)
{
	struct kvlist l;

	assert_int_equal(parse("a=%zz", &l), ERR_INVALID);
	assert_int_equal(parse("a=%4", &l), ERR_INVALID);
	assert_int_equal(parse("a=%", &l), ERR_INVALID);
	assert_int_equal(parse("%=1", &l), ERR_INVALID);
	assert_int_equal(parse("a=1%", &l), ERR_INVALID);
}

static void
refuses_nul_bytes_raw_and_encoded(void **state)
{
	struct kvlist l;
	const char raw[] = "a=x\0y";

	assert_int_equal(parse("a=x%00y", &l), ERR_INVALID);
	assert_int_equal(form_parse(a, raw, sizeof(raw) - 1,
	    &form_limits_default, &l), ERR_INVALID);
}

static void
keeps_duplicate_keys_in_order(void **state)
{
	struct kvlist l;

	assert_int_equal(parse("a=1&a=2&b=3", &l), ERR_OK);
	assert_int_equal(kv_count(&l, "a"), 2);
	assert_string_equal(kv_get(&l, "a"), "1");
	assert_string_equal(l.v[1].val, "2");
}

static void
skips_empty_segments_and_takes_keys_without_values(void **state)
{
	struct kvlist l;

	assert_int_equal(parse("&&a&b=&&", &l), ERR_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(kv_get(&l, "a"), "");
	assert_string_equal(kv_get(&l, "b"), "");
	assert_int_equal(parse("=x", &l), ERR_INVALID);
	assert_int_equal(parse("", &l), ERR_OK);
	assert_int_equal(l.n, 0);
}

static void
enforces_field_count_and_length_limits(void **state)
{
	struct form_limits lim = { .max_fields = 2, .max_key = 4, .max_val = 5 };
	struct kvlist l;

	assert_int_equal(form_parse(a, "a=1&b=2", 7, &lim, &l), ERR_OK);
	assert_int_equal(form_parse(a, "a=1&b=2&c=3", 11, &lim, &l), ERR_TOOLARGE);
	assert_int_equal(form_parse(a, "abcde=1", 7, &lim, &l), ERR_TOOLARGE);
	assert_int_equal(form_parse(a, "a=123456", 8, &lim, &l), ERR_TOOLARGE);
	/* A truncated body is just fewer bytes: it parses what is there. */
	assert_int_equal(form_parse(a, "a=12&b=3", 5, &lim, &l), ERR_OK);
	assert_string_equal(kv_get(&l, "a"), "12");
}

static void
parses_cookies_and_skips_malformed_pairs(void **state)
{
	struct kvlist l;

	assert_int_equal(cookie_parse(a, "a=1; junk; =x; b=two=2;c=3",
	    &form_limits_default, &l), ERR_OK);
	assert_string_equal(kv_get(&l, "a"), "1");
	assert_string_equal(kv_get(&l, "b"), "two=2");
	assert_string_equal(kv_get(&l, "c"), "3");
	assert_null(kv_get(&l, "junk"));
}

static const struct field specs[] = {
	{ "name", F_LINE, 10 },
	{ "email", F_EMAIL, 0 },
	{ "n", F_INT, 0 },
	{ "code", F_CODE, 0 },
	{ "slug", F_SLUG, 0 },
	{ "ok", F_BOOL, 0 },
	{ "when", F_DATE, 0 },
	{ "pw", F_PASSWORD, 0 },
	{ NULL, 0, 0 },
};

static void
validates_declared_fields_by_kind(void **state)
{
	struct req rq;
	struct kvlist l;
	int64_t v;

	memset(&rq, 0, sizeof(rq));
	rq.arena = a;
	assert_int_equal(parse("name=+Ada+&email=Ada%40Example.ORG&n=42&"
	    "code=save10&slug=intro-1&when=2026-11-24&pw=+sp+&extra=1", &l),
	    ERR_OK);
	assert_int_equal(fields_validate(&rq, specs, &l), ERR_OK);
	assert_string_equal(field_str(&rq, "name"), "Ada");
	assert_string_equal(field_str(&rq, "email"), "ada@example.org");
	assert_true(field_int(&rq, "n", &v));
	assert_int_equal(v, 42);
	assert_string_equal(field_str(&rq, "code"), "SAVE10");
	assert_string_equal(field_str(&rq, "slug"), "intro-1");
	assert_true(field_int(&rq, "ok", &v));
	assert_int_equal(v, 0);	/* unticked checkbox */
	assert_true(field_int(&rq, "when", &v));
	assert_int_equal(v, 1795478400);
	assert_string_equal(field_str(&rq, "pw"), " sp ");
	assert_null(field_str(&rq, "extra"));	/* undeclared: invisible */
}

static void
flags_invalid_fields_and_keeps_raw_text(void **state)
{
	struct req rq;
	struct kvlist l;
	int64_t v;

	memset(&rq, 0, sizeof(rq));
	rq.arena = a;
	assert_int_equal(parse("name=%01bell&email=no-at-sign&n=-1&code=a+b&"
	    "slug=Up&when=2026-13-40", &l), ERR_OK);
	assert_int_equal(fields_validate(&rq, specs, &l), ERR_OK);
	assert_true(field_bad(&rq, "name"));
	assert_true(field_bad(&rq, "email"));
	assert_string_equal(field_raw(&rq, "email"), "no-at-sign");
	assert_false(field_int(&rq, "n", &v));
	assert_true(field_bad(&rq, "code"));
	assert_true(field_bad(&rq, "slug"));
	assert_true(field_bad(&rq, "when"));
	assert_int_equal(parse("name=abcdefghijk&n=99999999999999999999", &l), ERR_OK);
	assert_int_equal(fields_validate(&rq, specs, &l), ERR_OK);
	assert_true(field_bad(&rq, "name"));	/* over max 10 */
	assert_true(field_bad(&rq, "n"));	/* overflows */
}

/* What a browser sends for a form left as rendered: an empty text box, a
 * select on its "All" option.  None of it is an error, whatever the kind. */
static void
an_empty_value_is_absent_for_every_kind(void **state)
{
	static const struct field all[] = {
		{ "line", F_LINE, 0 }, { "text", F_TEXT, 0 },
		{ "n", F_INT, 0 }, { "email", F_EMAIL, 0 },
		{ "slug", F_SLUG, 0 }, { "code", F_CODE, 0 },
		{ "type", F_TOKEN, 0 }, { "ok", F_BOOL, 0 },
		{ "when", F_DATE, 0 }, { NULL, 0, 0 },
	};
	struct req rq;
	struct kvlist l;
	int64_t v;

	memset(&rq, 0, sizeof(rq));
	rq.arena = a;
	assert_int_equal(parse("line=&text=+&n=&email=&slug=&code=%20&type=&"
	    "ok=&when=", &l), ERR_OK);
	assert_int_equal(fields_validate(&rq, all, &l), ERR_OK);
	for (const struct field *f = all; f->name != NULL; f++) {
		assert_false(field_bad(&rq, f->name));
		assert_null(field_str(&rq, f->name));
	}
	assert_false(field_int(&rq, "n", &v));
	/* A value that is there is still checked. */
	assert_int_equal(parse("type=a+b", &l), ERR_OK);
	assert_int_equal(fields_validate(&rq, all, &l), ERR_OK);
	assert_true(field_bad(&rq, "type"));
}

static void
refuses_a_field_sent_twice(void **state)
{
	struct req rq;
	struct kvlist l;

	memset(&rq, 0, sizeof(rq));
	rq.arena = a;
	assert_int_equal(parse("n=1&n=2", &l), ERR_OK);
	assert_int_equal(fields_validate(&rq, specs, &l), ERR_OK);
	assert_true(field_bad(&rq, "n"));
}

/* A checkbox list sends its key once per ticked box: every value is kept,
 * and one bad value (or too many) makes the whole list invalid. */
static void
keeps_every_value_of_a_checkbox_list(void **state)
{
	static const struct field lists[] = {
		{ "ids", F_IDS, 3 }, { "kinds", F_WORDS, 0 }, { NULL, 0, 0 },
	};
	const int64_t *ids;
	const char *const *words;
	struct req rq;
	struct kvlist l;

	memset(&rq, 0, sizeof(rq));
	rq.arena = a;
	assert_int_equal(parse("ids=4&kinds=self_paced&ids=12&kinds=cohort",
	    &l), ERR_OK);
	assert_int_equal(fields_validate(&rq, lists, &l), ERR_OK);
	assert_int_equal(field_ids(&rq, "ids", &ids), 2);
	assert_int_equal(ids[0], 4);
	assert_int_equal(ids[1], 12);
	assert_int_equal(field_words(&rq, "kinds", &words), 2);
	assert_string_equal(words[1], "cohort");
	assert_int_equal(parse("ids=1&ids=x&kinds=Up", &l), ERR_OK);
	assert_int_equal(fields_validate(&rq, lists, &l), ERR_OK);
	assert_true(field_bad(&rq, "ids"));
	assert_true(field_bad(&rq, "kinds"));
	assert_int_equal(field_ids(&rq, "ids", &ids), 0);
	assert_int_equal(parse("ids=1&ids=2&ids=3&ids=4&ids=0", &l), ERR_OK);
	assert_int_equal(fields_validate(&rq, lists, &l), ERR_OK);
	assert_true(field_bad(&rq, "ids"));	/* more than 3 */
	assert_int_equal(parse("other=1", &l), ERR_OK);
	assert_int_equal(fields_validate(&rq, lists, &l), ERR_OK);
	assert_false(field_bad(&rq, "ids"));
	assert_int_equal(field_ids(&rq, "ids", &ids), 0);
}

static void
accepts_only_same_site_next_paths(void **state)
{
	assert_string_equal(req_safe_next("/account/orders", "/"), "/account/orders");
	assert_string_equal(req_safe_next("//evil.example/x", "/"), "/");
	assert_string_equal(req_safe_next("/\\evil.example", "/"), "/");
	assert_string_equal(req_safe_next("https://evil.example/", "/"), "/");
	assert_string_equal(req_safe_next("/x\r\nSet-Cookie: a=b", "/"), "/");
	assert_string_equal(req_safe_next(NULL, "/d"), "/d");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_plus_and_percent_escapes),
		cmocka_unit_test(keeps_brackets_in_keys_for_nested_parameters),
		cmocka_unit_test(refuses_malformed_percent_escapes),
		cmocka_unit_test(refuses_nul_bytes_raw_and_encoded),
		cmocka_unit_test(keeps_duplicate_keys_in_order),
		cmocka_unit_test(skips_empty_segments_and_takes_keys_without_values),
		cmocka_unit_test(enforces_field_count_and_length_limits),
		cmocka_unit_test(parses_cookies_and_skips_malformed_pairs),
		cmocka_unit_test(validates_declared_fields_by_kind),
		cmocka_unit_test(flags_invalid_fields_and_keeps_raw_text),
		cmocka_unit_test(an_empty_value_is_absent_for_every_kind),
		cmocka_unit_test(refuses_a_field_sent_twice),
		cmocka_unit_test(keeps_every_value_of_a_checkbox_list),
		cmocka_unit_test(accepts_only_same_site_next_paths),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
