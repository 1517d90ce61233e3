/* Every coupon rule, passing and failing, on the pure coupon_apply(); and
 * the database look-ups (case-insensitive code, restrictions, usage that
 * counts reservations) on a migrated database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "apps.h"
#include "coupon.h"
#include "db.h"
#include "harness.h"

#define NOW 1800000000

static struct coupon
pct(int64_t p)
{
	struct coupon c = { .code = "SAVE", .kind = COUPON_PERCENTAGE,
	    .percent_off = p, .currency = "usd", .is_active = 1 };

	return c;
}

static struct price_line two_lines[2];

static struct price_line *
lines(void)
{
	two_lines[0] = (struct price_line){ 1, "self_paced", 4900, 0 };
	two_lines[1] = (struct price_line){ 2, "cohort", 49900, 0 };
	return two_lines;
}

static void
percentage_takes_its_share_of_the_whole_cart(void **state)
{
	struct coupon c = pct(10);
	struct price_line *l = lines();
	int64_t d;

	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", l, 2, &d), COUPON_OK);
	assert_int_equal(d, 5480);
	assert_int_equal(l[0].discount + l[1].discount, 5480);
	assert_int_equal(l[0].discount, 490);
}

static void
percentage_rounds_half_up_to_the_cent(void **state)
{
	struct coupon c = pct(15);
	struct price_line l[1] = { { 1, "self_paced", 4990, 0 } };
	int64_t d;

	/* 15% of 49.90 is 7.485: 7.49 */
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", l, 1, &d), COUPON_OK);
	assert_int_equal(d, 749);
}

static void
percentage_is_capped_by_max_discount(void **state)
{
	struct coupon c = pct(50);
	int64_t d;

	c.max_discount = 10000;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_OK);
	assert_int_equal(d, 10000);
}

static void
fixed_never_takes_the_total_below_zero(void **state)
{
	struct coupon c = { .code = "BIG", .kind = COUPON_FIXED,
	    .amount_off = 100000, .currency = "usd", .is_active = 1 };
	struct price_line l[1] = { { 1, "self_paced", 4900, 0 } };
	int64_t d;

	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", l, 1, &d), COUPON_OK);
	assert_int_equal(d, 4900);
	assert_int_equal(l[0].discount, 4900);
}

static void
hundred_percent_makes_the_order_free(void **state)
{
	struct coupon c = pct(100);
	struct price_line *l = lines();
	int64_t d;

	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", l, 2, &d), COUPON_OK);
	assert_int_equal(d, 4900 + 49900);
	assert_int_equal(l[0].discount, 4900);
	assert_int_equal(l[1].discount, 49900);
}

static void
inactive_coupon_is_refused(void **state)
{
	struct coupon c = pct(10);
	int64_t d;

	c.is_active = 0;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_INACTIVE);
	assert_int_equal(d, 0);
}

static void
validity_window_is_enforced_at_both_ends(void **state)
{
	struct coupon c = pct(10);
	int64_t d;

	c.valid_from = NOW + 1;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_NOT_YET);
	c.valid_from = NOW;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_OK);
	c.valid_until = NOW;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_EXPIRED);
	c.valid_until = NOW + 1;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_OK);
}

static void
max_uses_counts_every_use_including_reservations(void **state)
{
	struct coupon c = pct(10);
	int64_t d;

	c.max_uses = 3;
	assert_int_equal(coupon_apply(&c, NOW, 2, 0, "usd", lines(), 2, &d), COUPON_OK);
	assert_int_equal(coupon_apply(&c, NOW, 3, 0, "usd", lines(), 2, &d), COUPON_USED_UP);
}

static void
max_uses_per_user_is_enforced(void **state)
{
	struct coupon c = pct(10);
	int64_t d;

	c.max_uses_per_user = 1;
	assert_int_equal(coupon_apply(&c, NOW, 5, 0, "usd", lines(), 2, &d), COUPON_OK);
	assert_int_equal(coupon_apply(&c, NOW, 5, 1, "usd", lines(), 2, &d), COUPON_USER_LIMIT);
}

static void
min_purchase_compares_the_cart_subtotal(void **state)
{
	struct coupon c = pct(10);
	int64_t d;

	c.min_purchase = 54800;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_OK);
	c.min_purchase = 54801;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_MIN_PURCHASE);
}

static void
type_restriction_discounts_only_matching_items(void **state)
{
	struct coupon c = pct(10);
	const char *types[] = { "cohort" };
	struct price_line *l = lines();
	int64_t d;

	c.types = types;
	c.ntypes = 1;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", l, 2, &d), COUPON_OK);
	assert_int_equal(d, 4990);
	assert_int_equal(l[0].discount, 0);
	assert_int_equal(l[1].discount, 4990);
	types[0] = "workshop";
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_NO_MATCH);
}

static void
course_restriction_discounts_only_those_courses(void **state)
{
	struct coupon c = { .code = "ONE", .kind = COUPON_FIXED,
	    .amount_off = 10000, .currency = "usd", .is_active = 1 };
	int64_t courses[] = { 1 };
	struct price_line *l = lines();
	int64_t d;

	c.courses = courses;
	c.ncourses = 1;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", l, 2, &d), COUPON_OK);
	assert_int_equal(d, 4900);	/* capped at the matching item */
	assert_int_equal(l[1].discount, 0);
	courses[0] = 99;
	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_NO_MATCH);
}

static void
fixed_coupon_in_another_currency_is_refused(void **state)
{
	struct coupon c = { .code = "EUR", .kind = COUPON_FIXED,
	    .amount_off = 500, .currency = "eur", .is_active = 1 };
	int64_t d;

	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", lines(), 2, &d), COUPON_CURRENCY);
}

static void
shares_always_sum_to_the_discount(void **state)
{
	struct coupon c = pct(33);
	struct price_line l[3] = { { 1, "a", 999, 0 }, { 2, "a", 1001, 0 },
	    { 3, "a", 1, 0 } };
	int64_t d;

	assert_int_equal(coupon_apply(&c, NOW, 0, 0, "usd", l, 3, &d), COUPON_OK);
	assert_int_equal(d, 660);
	assert_int_equal(l[0].discount + l[1].discount + l[2].discount, 660);
	for (int i = 0; i < 3; i++)
		assert_true(l[i].discount <= l[i].amount);
}

static void
every_verdict_has_plain_words(void **state)
{
	for (int v = 0; v < COUPON_VERDICT_MAX; v++) {
		assert_non_null(coupon_verdict_message(v));
		assert_true(strlen(coupon_verdict_message(v)) > 10);
	}
}

static void
loads_by_code_case_insensitively_with_restrictions(void **state)
{
	struct harness h;
	struct coupon c;
	struct arena *a = arena_new();

	harness_open(&h, &cart_app, 1);
	assert_int_equal(db_exec(h.w.db,
	    "INSERT INTO coupons (id, code, kind, percent_off, max_uses) VALUES (7, 'SPRING', 'percentage', 20, 5);"
	    "INSERT INTO coupon_course_types VALUES (7, 'cohort');"
	    "INSERT INTO coupon_courses VALUES (7, 1), (7, 3);"), ERR_OK);
	assert_int_equal(coupon_load(h.w.db, a, "spring", &c), ERR_OK);
	assert_int_equal(c.id, 7);
	assert_string_equal(c.code, "SPRING");
	assert_int_equal(c.percent_off, 20);
	assert_int_equal(c.max_uses, 5);
	assert_int_equal(c.ntypes, 1);
	assert_string_equal(c.types[0], "cohort");
	assert_int_equal(c.ncourses, 2);
	assert_int_equal(c.courses[1], 3);
	assert_int_equal(coupon_load(h.w.db, a, "nope", &c), ERR_NOTFOUND);
	arena_free(a);
	harness_close(&h);
}

static void
usage_counts_reservations_and_redemptions_not_releases(void **state)
{
	struct harness h;
	int64_t total, mine;

	harness_open(&h, &cart_app, 1);
	assert_int_equal(db_exec(h.w.db,
	    "INSERT INTO users (id, email, name, password_hash) VALUES (1, 'a@x.org', 'A', '$argon2id$x'), (2, 'b@x.org', 'B', '$argon2id$x');"
	    "INSERT INTO coupons (id, code, kind, percent_off) VALUES (7, 'SPRING', 'percentage', 20);"
	    "INSERT INTO orders (id, number, user_id, currency, subtotal_amount, discount_amount, total_amount) VALUES"
	    " (1, 'O1', 1, 'usd', 100, 20, 80), (2, 'O2', 1, 'usd', 100, 20, 80), (3, 'O3', 2, 'usd', 100, 20, 80), (4, 'O4', 2, 'usd', 100, 20, 80);"
	    "INSERT INTO coupon_redemptions (coupon_id, user_id, order_id, status, amount) VALUES"
	    " (7, 1, 1, 'reserved', 20), (7, 1, 2, 'released', 20), (7, 2, 3, 'redeemed', 20), (7, 2, 4, 'reserved', 20);"),
	    ERR_OK);
	assert_int_equal(coupon_usage(h.w.db, 7, 1, 0, &total, &mine), ERR_OK);
	assert_int_equal(total, 3);
	assert_int_equal(mine, 1);
	assert_int_equal(coupon_usage(h.w.db, 7, 2, 4, &total, &mine), ERR_OK);
	assert_int_equal(total, 2);	/* order 4's own reservation left out */
	assert_int_equal(mine, 1);
	harness_close(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percentage_takes_its_share_of_the_whole_cart),
		cmocka_unit_test(percentage_rounds_half_up_to_the_cent),
		cmocka_unit_test(percentage_is_capped_by_max_discount),
		cmocka_unit_test(fixed_never_takes_the_total_below_zero),
		cmocka_unit_test(hundred_percent_makes_the_order_free),
		cmocka_unit_test(inactive_coupon_is_refused),
		cmocka_unit_test(validity_window_is_enforced_at_both_ends),
		cmocka_unit_test(max_uses_counts_every_use_including_reservations),
		cmocka_unit_test(max_uses_per_user_is_enforced),
		cmocka_unit_test(min_purchase_compares_the_cart_subtotal),
		cmocka_unit_test(type_restriction_discounts_only_matching_items),
		cmocka_unit_test(course_restriction_discounts_only_those_courses),
		cmocka_unit_test(fixed_coupon_in_another_currency_is_refused),
		cmocka_unit_test(shares_always_sum_to_the_discount),
		cmocka_unit_test(every_verdict_has_plain_words),
		cmocka_unit_test(loads_by_code_case_insensitively_with_restrictions),
		cmocka_unit_test(usage_counts_reservations_and_redemptions_not_releases),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
