/* Buying a place in a cohort (issue 19): lib/cohort_offer.c (the course
 * page's list and button), lib/order_places.c (a place held with the
 * order, given back when it ends unpaid) and the fulfilment of a cohort
 * order in lib/fulfil.c (the place taken, the enrollment naming the
 * cohort, single-option steps booked; a payment for a place no longer
 * held gets one again when free, else is recorded refunded with a mail
 * and nothing granted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cart_items.h"
#include "cohort_offer.h"
#include "cohort_place.h"
#include "db.h"
#include "fixtures.h"
#include "fulfil.h"
#include "order.h"
#include "order_places.h"

#define NOW 1800000000
#define BASE "https://school.test"

struct fx {
	struct fixture f;
	int64_t ann, bob;
	int64_t course, cohort, step, option;
};

static int64_t
insert(struct db *db, const char *sql, int64_t a1, int64_t a2)
{
	struct db_stmt *st = db_prep(db, sql);
	int64_t id;

	assert_non_null(st);
	db_bind_int64(st, 1, a1);
	db_bind_int64(st, 2, a2);
	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	return id;
}

static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "cohortbuy");
	struct db *db = x->f.db;

	x->ann = fixture_user(db, "ann@example.org", "Ann", ROLE_STUDENT);
	x->bob = fixture_user(db, "bob@example.org", "Bob", ROLE_STUDENT);
	x->course = fixture_course(db, "systems-design-cohort");
	/* One place, enrollment open until NOW + 5000. */
	x->cohort = insert(db, "INSERT INTO cohorts (course_id, name, "
	    "starts_on, enroll_deadline, capacity, created_at, updated_at) "
	    "VALUES (?1, 'Test cohort', '2027-03-22', ?2 + 5000, 1, ?2, ?2) "
	    "RETURNING id", x->course, NOW);
	x->step = insert(db, "INSERT INTO course_steps (course_id, position, "
	    "label, title) SELECT ?1, coalesce(max(position), 0) + ?2, "
	    "'Week 9', 'Extra' FROM course_steps WHERE course_id = ?1 "
	    "RETURNING id", x->course, 1);
	x->option = insert(db, "INSERT INTO step_options (cohort_id, step_id, "
	    "name, weekday, start_minute, end_minute, starts_at, ends_at, "
	    "capacity, created_at, updated_at) VALUES (?1, ?2, 'Tuesday', 2, "
	    "1080, 1170, 1805821200, 1805826600, 5, 1, 1) RETURNING id",
	    x->cohort, x->step);
	*state = x;
	return 0;
}

static int64_t
held(struct fx *x)
{
	return fixture_int(x->f.db, "SELECT held FROM cohorts WHERE id = ?",
	    x->cohort, 0);
}

/* A pending cohort order of user with session cs (ERR_CONFLICT and
 * *message when refused). */
static enum err
buy(struct fx *x, int64_t user, const char *cs, int64_t *order,
    const char **message)
{
	struct order_request rq = { user, &x->course, 1, NULL, NOW,
	    NOW + 1920 };
	struct order_refusal why;
	struct order o;
	enum err e;

	e = order_create_cohorts(x->f.db, x->f.a, &rq, NULL, &x->cohort, &o,
	    &why);
	*message = why.message;
	if (e == ERR_OK) {
		*order = o.id;
		assert_int_equal(order_set_session(x->f.db, o.id, 1, cs,
		    "https://pay.test/x", NOW + 1920, NOW), ERR_OK);
	}
	return e;
}

static enum fulfil_outcome
pay(struct fx *x, int64_t order, const char *cs)
{
	int64_t total = fixture_int(x->f.db, "SELECT total_amount FROM orders "
	    "WHERE id = ?", order, 0);
	struct payment p = { .session_id = cs, .session_status = "complete",
	    .payment_status = "paid", .amount_total = total,
	    .currency = "usd", .payment_intent = "pi_x", .order_id = order };
	enum fulfil_outcome o;

	assert_int_equal(fulfil_payment(x->f.db, &p, BASE, NOW + 10, &o),
	    ERR_OK);
	return o;
}

static void
page_lists_open_cohorts(void **state)
{
	struct fx *x = *state;
	struct cohort_open *cs;
	size_t n, i;

	assert_int_equal(cohort_offer_list(x->f.db, x->f.a, x->course, NOW,
	    &cs, &n), ERR_OK);
	for (i = 0; i < n && cs[i].id != x->cohort; i++)
		;
	assert_true(i < n);
	assert_string_equal(cs[i].name, "Test cohort");
	assert_int_equal(cs[i].places_left, 1);
	/* Past its deadline it is not listed. */
	assert_int_equal(cohort_offer_list(x->f.db, x->f.a, x->course,
	    NOW + 5000, &cs, &n), ERR_OK);
	for (i = 0; i < n; i++)
		assert_true(cs[i].id != x->cohort);
}

static void
button_refuses_in_plain_words(void **state)
{
	struct fx *x = *state;
	const char *m = NULL;
	int64_t course;

	fixture_run(x->f.db, "UPDATE cohorts SET is_active = 0 WHERE id = ?",
	    x->cohort, 0);
	assert_int_equal(cohort_offer_choose(x->f.db, x->ann, NULL, x->cohort,
	    NOW, &course, &m), ERR_CONFLICT);
	assert_string_equal(m, "This cohort is not taking students.");
	fixture_run(x->f.db, "UPDATE cohorts SET is_active = 1 WHERE id = ?",
	    x->cohort, 0);
	assert_int_equal(cohort_offer_choose(x->f.db, x->ann, NULL, x->cohort,
	    NOW + 5000, &course, &m), ERR_CONFLICT);
	assert_string_equal(m, "Enrollment in this cohort has closed.");
	fixture_run(x->f.db, "UPDATE cohorts SET held = 1 WHERE id = ?",
	    x->cohort, 0);
	assert_int_equal(cohort_offer_choose(x->f.db, x->ann, NULL, x->cohort,
	    NOW, &course, &m), ERR_CONFLICT);
	assert_string_equal(m, "This cohort is full.");
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM cart_items",
	    0, 0), 0);
	fixture_run(x->f.db, "UPDATE cohorts SET held = 0 WHERE id = ?",
	    x->cohort, 0);
	assert_int_equal(cohort_offer_choose(x->f.db, x->ann, NULL, x->cohort,
	    NOW, &course, &m), ERR_OK);
	assert_int_equal(course, x->course);
	assert_int_equal(fixture_int(x->f.db, "SELECT cohort_id FROM "
	    "cart_items", 0, 0), x->cohort);
}

static void
a_plain_add_to_cart_is_refused(void **state)
{
	struct fx *x = *state;
	enum cart_add_result r;

	assert_int_equal(cart_add(x->f.db, x->ann, NULL, x->course, &r),
	    ERR_OK);
	assert_int_equal(r, CART_CHOOSE_COHORT);
}

static void
checkout_holds_and_closing_releases(void **state)
{
	struct fx *x = *state;
	const char *m = NULL;
	int64_t a = 0, b = 0;
	int changed;

	assert_int_equal(buy(x, x->ann, "cs_a", &a, &m), ERR_OK);
	assert_int_equal(held(x), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT expires_at FROM "
	    "cohort_places WHERE order_id = ?", a, 0), NOW + 1920);
	/* The last place is Ann's: Bob is refused, nothing written. */
	assert_int_equal(buy(x, x->bob, "cs_b", &b, &m), ERR_CONFLICT);
	assert_string_equal(m, "This cohort is full.");
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM orders "
	    "WHERE user_id = ?", x->bob, 0), 0);
	assert_int_equal(order_close(x->f.db, a, ORDER_EXPIRED, 0, &changed),
	    ERR_OK);
	assert_int_equal(held(x), 0);
	assert_int_equal(buy(x, x->bob, "cs_b", &b, &m), ERR_OK);
	assert_int_equal(held(x), 1);
}

static void
payment_takes_the_place_and_books(void **state)
{
	struct fx *x = *state;
	const char *m = NULL;
	int64_t a = 0;

	assert_int_equal(buy(x, x->ann, "cs_a", &a, &m), ERR_OK);
	assert_int_equal(pay(x, a, "cs_a"), FULFIL_GRANTED);
	assert_int_equal(held(x), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "cohort_places WHERE order_id = ? AND status = 'taken'", a, 0), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT cohort_id FROM "
	    "enrollments WHERE user_id = ? AND course_id = ?", x->ann,
	    x->course), x->cohort);
	assert_int_equal(fixture_int(x->f.db, "SELECT option_id FROM "
	    "step_bookings WHERE user_id = ? AND step_id = ?", x->ann,
	    x->step), x->option);
	/* Again: nothing more. */
	assert_int_equal(pay(x, a, "cs_a"), FULFIL_ALREADY);
	assert_int_equal(held(x), 1);
}

/* A whole refund (as charge.refunded reports it) gives the student's
 * place and booked sessions back: the cohort has room again. */
static void
a_refund_gives_the_place_back(void **state)
{
	struct fx *x = *state;
	const char *m = NULL;
	int64_t a = 0, total;
	struct payment p;
	enum fulfil_outcome o;

	assert_int_equal(buy(x, x->ann, "cs_r", &a, &m), ERR_OK);
	assert_int_equal(pay(x, a, "cs_r"), FULFIL_GRANTED);
	assert_int_equal(held(x), 1);
	total = fixture_int(x->f.db, "SELECT total_amount FROM orders WHERE "
	    "id = ?", a, 0);
	p = (struct payment){ .session_id = "cs_r", .session_status =
	    "complete", .payment_status = "paid", .amount_total = total,
	    .amount_refunded = total, .currency = "usd", .payment_intent =
	    "pi_x", .order_id = a };
	assert_int_equal(fulfil_payment(x->f.db, &p, BASE, NOW + 20, &o),
	    ERR_OK);
	assert_int_equal(o, FULFIL_REFUNDED);
	assert_int_equal(held(x), 0);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "cohort_places WHERE order_id = ? AND status = 'released'", a, 0),
	    1);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "step_bookings WHERE user_id = ? AND ? = 0", x->ann, 0), 0);
	assert_int_equal(fixture_int(x->f.db, "SELECT booked FROM step_options "
	    "WHERE id = ? AND ? = 0", x->option, 0), 0);
	/* Told again: nothing more is given back. */
	assert_int_equal(fulfil_payment(x->f.db, &p, BASE, NOW + 30, &o),
	    ERR_OK);
	assert_int_equal(held(x), 0);
}

static void
late_payment_gets_a_free_place_again(void **state)
{
	struct fx *x = *state;
	const char *m = NULL;
	int64_t a = 0;
	int changed;

	assert_int_equal(buy(x, x->ann, "cs_a", &a, &m), ERR_OK);
	assert_int_equal(order_close(x->f.db, a, ORDER_EXPIRED, 0, &changed),
	    ERR_OK);
	assert_int_equal(held(x), 0);
	assert_int_equal(pay(x, a, "cs_a"), FULFIL_GRANTED);
	assert_int_equal(held(x), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "cohort_places WHERE user_id = ? AND status = 'taken'", x->ann, 0),
	    1);
}

static void
late_payment_for_a_full_cohort_is_refunded(void **state)
{
	struct fx *x = *state;
	const char *m = NULL;
	int64_t a = 0, b = 0;
	int changed;

	assert_int_equal(buy(x, x->ann, "cs_a", &a, &m), ERR_OK);
	assert_int_equal(order_close(x->f.db, a, ORDER_EXPIRED, 0, &changed),
	    ERR_OK);
	assert_int_equal(buy(x, x->bob, "cs_b", &b, &m), ERR_OK);
	assert_int_equal(pay(x, b, "cs_b"), FULFIL_GRANTED);
	assert_int_equal(pay(x, a, "cs_a"), FULFIL_COHORT_FULL);
	assert_int_equal(held(x), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM orders "
	    "WHERE id = ? AND status = 'refunded' AND refunded_amount = "
	    "total_amount AND needs_review = 0", a, 0), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "enrollments WHERE user_id = ?", x->ann, 0), 0);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM outbox "
	    "WHERE body LIKE '%filled before your payment%'", 0, 0), 1);
	/* Stripe's refund then arrives: nothing changes. */
	assert_int_equal(pay(x, a, "cs_a"), FULFIL_ALREADY);
	assert_int_equal(held(x), 1);
}

static void
a_waitlist_offer_is_used_not_doubled(void **state)
{
	struct fx *x = *state;
	enum cohort_refusal why;
	const char *m = NULL;
	int64_t a = 0, place;

	assert_int_equal(cohort_place_hold(x->f.db, x->cohort, x->ann, 0,
	    PLACE_OFFERED, NOW + 600, NOW, &place, &why), ERR_OK);
	assert_int_equal(held(x), 1);
	assert_int_equal(buy(x, x->ann, "cs_a", &a, &m), ERR_OK);
	assert_int_equal(held(x), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT order_id FROM "
	    "cohort_places WHERE id = ?", place, 0), a);
	assert_int_equal(pay(x, a, "cs_a"), FULFIL_GRANTED);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "cohort_places WHERE id = ? AND status = 'taken'", place, 0), 1);
	assert_int_equal(held(x), 1);
}

static void
a_lapsed_place_is_found(void **state)
{
	struct fx *x = *state;
	const char *m = NULL;
	int64_t a = 0, ids[4];
	size_t n;

	assert_int_equal(buy(x, x->ann, "cs_a", &a, &m), ERR_OK);
	assert_int_equal(order_places_lapsed(x->f.db, NOW, ids, 4, &n),
	    ERR_OK);
	assert_int_equal(n, 0);
	/* At its expiry, or released early, its session must go. */
	assert_int_equal(order_places_lapsed(x->f.db, NOW + 1920, ids, 4, &n),
	    ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(page_lists_open_cohorts,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(button_refuses_in_plain_words,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(a_plain_add_to_cart_is_refused,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    checkout_holds_and_closing_releases, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(a_refund_gives_the_place_back,
		    setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    payment_takes_the_place_and_books, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    late_payment_gets_a_free_place_again, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    late_payment_for_a_full_cohort_is_refunded, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    a_waitlist_offer_is_used_not_doubled, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(a_lapsed_place_is_found,
		    setup, fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
