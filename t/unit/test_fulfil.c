/* Fulfilment as a state machine over what Stripe says (fulfil.h), on a
 * migrated database: the order ends where Stripe's money is, whatever
 * state it was told first, and never moves back; access exists exactly
 * while Stripe holds the money; a superseded session's payment is
 * refunded only while Stripe still holds it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "db.h"
#include "fixtures.h"
#include "fulfil.h"
#include "order.h"
#include "seed.h"
#include "user.h"

#define NOW 1800000000
#define BASE "http://shop.test"

struct fx {
	struct fixture t;	/* first: database and arena, fixtures.h */
	int64_t user;		/* the buyer */
	int64_t order;		/* a pending order with session cs_one */
	int64_t total;		/* its total */
};

static int
setup(void **state)
{
	struct fx *f = fixture_new(sizeof(*f), "fulfil");
	struct order_refusal why;
	struct order_request rq;
	struct order o;
	int64_t course;

	f->user = fixture_user(f->t.db, "ann@example.org", "Ann", ROLE_STUDENT);
	course = fixture_course(f->t.db, "payments-engineering");
	rq = (struct order_request){ f->user, &course, 1, NULL, NOW,
	    NOW + 1920 };
	assert_int_equal(order_create(f->t.db, f->t.a, &rq, &o, &why), ERR_OK);
	f->order = o.id;
	f->total = o.total;
	assert_int_equal(order_set_session(f->t.db, o.id, 1, "cs_one",
	    "https://pay.test/cs_one", NOW + 1920, NOW), ERR_OK);
	*state = f;
	return 0;
}

/* Stripe's state of session cs_one: paid, with refunded and disputed. */
static struct payment
paid(const struct fx *f, int64_t refunded, int disputed)
{
	return (struct payment){ .session_id = "cs_one",
	    .session_status = "complete", .payment_status = "paid",
	    .amount_total = f->total, .currency = "usd",
	    .payment_intent = "pi_one", .amount_refunded = refunded,
	    .disputed = disputed, .order_id = f->order };
}

static enum fulfil_outcome
tell(struct fx *f, struct payment p)
{
	enum fulfil_outcome o;

	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, NOW, &o), ERR_OK);
	return o;
}

static const char *
status(struct fx *f)
{
	struct order o;

	assert_int_equal(order_load(f->t.db, f->t.a, f->order, 0, &o), ERR_OK);
	return order_status_name(o.status);
}

static int64_t
one(struct fx *f, const char *sql)
{
	return fixture_int(f->t.db, sql, f->order, 0);
}

static int64_t
access_rows(struct fx *f)
{
	return one(f, "SELECT count(*) FROM enrollments WHERE order_id = ? "
	    "AND status = 'active'");
}

static void
paid_grants_once(void **state)
{
	struct fx *f = *state;

	assert_int_equal(tell(f, paid(f, 0, 0)), FULFIL_GRANTED);
	assert_string_equal(status(f), "paid");
	assert_int_equal(access_rows(f), 1);
	assert_int_equal(tell(f, paid(f, 0, 0)), FULFIL_ALREADY);
	assert_int_equal(access_rows(f), 1);
}

static void
refunded_before_completion_never_grants(void **state)
{
	struct fx *f = *state;

	assert_int_equal(tell(f, paid(f, f->total, 0)), FULFIL_REFUNDED);
	assert_string_equal(status(f), "refunded");
	assert_int_equal(access_rows(f), 0);
	assert_int_equal(one(f, "SELECT refunded_amount FROM orders WHERE "
	    "id = ?"), f->total);
	assert_int_equal(one(f, "SELECT needs_review FROM orders WHERE "
	    "id = ?"), 1);
	/* An older view of the payment never brings the order back. */
	assert_int_equal(tell(f, paid(f, 0, 0)), FULFIL_ALREADY);
	assert_string_equal(status(f), "refunded");
	assert_int_equal(access_rows(f), 0);
}

static void
partial_refund_grants_and_flags(void **state)
{
	struct fx *f = *state;

	assert_int_equal(tell(f, paid(f, 500, 0)), FULFIL_PARTIAL);
	assert_string_equal(status(f), "partially_refunded");
	assert_int_equal(access_rows(f), 1);
	assert_int_equal(one(f, "SELECT needs_review FROM orders WHERE "
	    "id = ?"), 1);
	assert_int_equal(tell(f, paid(f, f->total, 0)), FULFIL_REFUNDED);
	assert_int_equal(access_rows(f), 0);
	assert_int_equal(one(f, "SELECT count(*) FROM outbox WHERE dedupe_key "
	    "LIKE 'order-refund-%'"), 2);
}

static void
dispute_after_grant_revokes(void **state)
{
	struct fx *f = *state;

	assert_int_equal(tell(f, paid(f, 0, 0)), FULFIL_GRANTED);
	assert_int_equal(tell(f, paid(f, 0, 1)), FULFIL_DISPUTED);
	assert_string_equal(status(f), "disputed");
	assert_int_equal(access_rows(f), 0);
	assert_int_equal(one(f, "SELECT disputed_amount FROM orders WHERE "
	    "id = ?"), f->total);
	assert_int_equal(tell(f, paid(f, 0, 1)), FULFIL_ALREADY);
}

static void
dispute_before_completion_never_grants(void **state)
{
	struct fx *f = *state;

	assert_int_equal(tell(f, paid(f, 0, 1)), FULFIL_DISPUTED);
	assert_string_equal(status(f), "disputed");
	assert_int_equal(access_rows(f), 0);
}

static void
superseded_session_is_refunded_only_while_held(void **state)
{
	struct fx *f = *state;
	struct payment p = paid(f, 0, 0);

	assert_int_equal(order_set_session(f->t.db, f->order, 2, "cs_two",
	    "https://pay.test/cs_two", NOW + 1920, NOW), ERR_OK);
	assert_int_equal(tell(f, p), FULFIL_SUPERSEDED);
	assert_string_equal(status(f), "pending");
	assert_int_equal(access_rows(f), 0);
	assert_int_equal(one(f, "SELECT needs_review FROM orders WHERE "
	    "id = ?"), 1);
	p.amount_refunded = f->total;
	assert_int_equal(tell(f, p), FULFIL_SUPERSEDED_SETTLED);
	assert_int_equal(one(f, "SELECT refunded_amount FROM orders WHERE "
	    "id = ?"), 0);
}

static void
expired_current_session_closes_the_order(void **state)
{
	struct fx *f = *state;
	struct payment p = paid(f, 0, 0);

	p.payment_status = "unpaid";
	p.session_status = "open";
	assert_int_equal(tell(f, p), FULFIL_NOT_PAID);
	assert_string_equal(status(f), "pending");
	p.session_status = "expired";
	assert_int_equal(tell(f, p), FULFIL_CLOSED);
	assert_string_equal(status(f), "expired");
}

static void
other_amount_grants_nothing(void **state)
{
	struct fx *f = *state;
	struct payment p = paid(f, 0, 0);

	p.amount_total = 100;
	assert_int_equal(tell(f, p), FULFIL_MISMATCH);
	assert_string_equal(status(f), "pending");
	assert_int_equal(access_rows(f), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fixture_teardown)
		T(paid_grants_once),
		T(refunded_before_completion_never_grants),
		T(partial_refund_grants_and_flags),
		T(dispute_after_grant_revokes),
		T(dispute_before_completion_never_grants),
		T(superseded_session_is_refunded_only_while_held),
		T(expired_current_session_closes_the_order),
		T(other_amount_grants_nothing),
#undef T
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
