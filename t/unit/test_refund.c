/* Refunds the store makes (refund.h) and how fulfilment takes them
 * (fulfil.h), on a migrated database with a paid two-course order: what
 * a refund may cover, that a form sent twice opens one refund, that no
 * second opens while one is pending, and that the store's own refund and
 * Stripe's charge.refunded, in either order, end in one state with one
 * mail and no review flag, while a refund made elsewhere is flagged. */
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
#include "refund.h"
#include "user.h"

#define NOW 1800000000
#define BASE "http://shop.test"

struct fx {
	struct fixture t;	/* first: database and arena, fixtures.h */
	int64_t user;		/* the buyer */
	int64_t order;		/* a paid order of two courses */
	int64_t total;		/* its total */
	int64_t item[2];	/* its order_items ids */
	int64_t net[2];		/* what each was paid */
};

/* Stripe's state of the order's session with refunded refunded. */
static struct payment
paid(const struct fx *f, int64_t refunded)
{
	return (struct payment){ .session_id = "cs_two",
	    .session_status = "complete", .payment_status = "paid",
	    .amount_total = f->total, .currency = "usd",
	    .payment_intent = "pi_two", .amount_refunded = refunded,
	    .order_id = f->order };
}

static int
setup(void **state)
{
	struct fx *f = fixture_new(sizeof(*f), "refund");
	struct order_refusal why;
	struct order_request rq;
	struct order o;
	struct payment p;
	enum fulfil_outcome out;
	struct db_stmt *st;
	int64_t courses[2];

	f->user = fixture_user(f->t.db, "bea@example.org", "Bea", ROLE_STUDENT);
	courses[0] = fixture_course(f->t.db, "c-programming-fundamentals");
	courses[1] = fixture_course(f->t.db, "testing-in-practice");
	rq = (struct order_request){ f->user, courses, 2, NULL, NOW,
	    NOW + 1920 };
	assert_int_equal(order_create(f->t.db, f->t.a, &rq, &o, &why), ERR_OK);
	f->order = o.id;
	f->total = o.total;
	assert_int_equal(order_set_session(f->t.db, o.id, 1, "cs_two",
	    "https://pay.test/cs_two", NOW + 1920, NOW), ERR_OK);
	p = paid(f, 0);
	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, NOW, &out), ERR_OK);
	assert_int_equal(out, FULFIL_GRANTED);
	st = db_prep(f->t.db, "SELECT id, unit_amount - discount_amount FROM "
	    "order_items WHERE order_id = ? ORDER BY id");
	db_bind_int64(st, 1, f->order);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(db_next(st), ERR_OK);
		f->item[i] = db_col_int64(st, 0);
		f->net[i] = db_col_int64(st, 1);
	}
	db_done(st);
	*state = f;
	return 0;
}

static int64_t
one(struct fx *f, const char *sql)
{
	return fixture_int(f->t.db, sql, f->order, 0);
}

static enum err
open_refund(struct fx *f, enum refund_kind kind, const int64_t *items,
    size_t n, const char *amount, const char *token, int64_t *id,
    int *repeat, struct refund_refusal *why)
{
	struct refund_request rq = { .order_id = f->order, .kind = kind,
	    .items = items, .nitems = n, .amount_text = amount,
	    .form_token = token, .actor = f->user, .now = NOW };

	return refund_open(f->t.db, &rq, id, repeat, why);
}

/* Marks refund id succeeded as refund_send does after Stripe's answer,
 * without Stripe: the row, then its items and the order through
 * fulfilment. */
static void
succeed(struct fx *f, int64_t id, int64_t refunded_total)
{
	struct db_stmt *st;
	enum fulfil_outcome out;

	assert_int_equal(db_begin(f->t.db), ERR_OK);
	st = db_prep(f->t.db, "UPDATE refunds SET status = 'succeeded' WHERE "
	    "id = ?");
	db_bind_int64(st, 1, id);
	assert_int_equal(db_run(st), ERR_OK);
	assert_int_equal(fulfil_refund_in_tx(f->t.db, f->order, id,
	    refunded_total, "Hello Bea, your refund.", BASE, NOW, &out),
	    ERR_OK);
	assert_int_equal(db_commit(f->t.db), ERR_OK);
}

static int64_t
refund_mails(struct fx *f)
{
	return one(f, "SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
	    "'order-refund-' || ? || '-%'");
}

static void
refund_of_one_item_records_it_pending_with_its_item(void **state)
{
	struct fx *f = *state;
	struct refund_refusal why;
	int64_t id;
	int repeat;

	assert_int_equal(open_refund(f, REFUND_ITEMS, &f->item[1], 1, NULL,
	    "tok1", &id, &repeat, &why), ERR_OK);
	assert_int_equal(repeat, 0);
	assert_int_equal(one(f, "SELECT amount FROM refunds WHERE order_id = "
	    "? AND status = 'pending'"), f->net[1]);
	assert_int_equal(one(f, "SELECT count(*) FROM refund_items ri JOIN "
	    "refunds r ON r.id = ri.refund_id WHERE r.order_id = ?"), 1);
	assert_int_equal(one(f, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'refund.request' AND subject = 'order:' || ?"), 1);
}

static void
the_same_form_sent_twice_opens_one_refund(void **state)
{
	struct fx *f = *state;
	struct refund_refusal why;
	int64_t first, second;
	int repeat;

	assert_int_equal(open_refund(f, REFUND_WHOLE, NULL, 0, NULL, "tok2",
	    &first, &repeat, &why), ERR_OK);
	assert_int_equal(open_refund(f, REFUND_WHOLE, NULL, 0, NULL, "tok2",
	    &second, &repeat, &why), ERR_CONFLICT);
	assert_int_equal(repeat, 1);
	assert_int_equal(second, first);
	assert_int_equal(one(f, "SELECT count(*) FROM refunds WHERE "
	    "order_id = ?"), 1);
}

static void
no_second_refund_opens_while_one_is_pending(void **state)
{
	struct fx *f = *state;
	struct refund_refusal why;
	int64_t id;
	int repeat;

	assert_int_equal(open_refund(f, REFUND_AMOUNT, NULL, 0, "1.00", "tok3",
	    &id, &repeat, &why), ERR_OK);
	assert_int_equal(open_refund(f, REFUND_AMOUNT, NULL, 0, "1.00", "tok4",
	    &id, &repeat, &why), ERR_INVALID);
	assert_string_equal(why.field, "kind");
	assert_int_equal(why.input, 0);
}

static void
never_more_than_what_remains(void **state)
{
	struct fx *f = *state;
	struct refund_refusal why;
	int64_t id, twice[2] = { 0 };
	int repeat;

	assert_int_equal(open_refund(f, REFUND_AMOUNT, NULL, 0, "100000",
	    "tok5", &id, &repeat, &why), ERR_INVALID);
	assert_string_equal(why.field, "amount");
	assert_int_equal(open_refund(f, REFUND_AMOUNT, NULL, 0, "abc", "tok6",
	    &id, &repeat, &why), ERR_INVALID);
	assert_int_equal(why.input, 1);
	assert_int_equal(open_refund(f, REFUND_ITEMS, NULL, 0, NULL, "tok7",
	    &id, &repeat, &why), ERR_INVALID);
	assert_string_equal(why.field, "items");
	twice[0] = twice[1] = f->item[0];
	assert_int_equal(open_refund(f, REFUND_ITEMS, twice, 2, NULL, "tok8",
	    &id, &repeat, &why), ERR_INVALID);
	/* Item 0 refunded: it cannot be refunded again. */
	assert_int_equal(open_refund(f, REFUND_ITEMS, &f->item[0], 1, NULL,
	    "tok9", &id, &repeat, &why), ERR_OK);
	succeed(f, id, f->net[0]);
	assert_int_equal(open_refund(f, REFUND_ITEMS, &f->item[0], 1, NULL,
	    "tok10", &id, &repeat, &why), ERR_INVALID);
	assert_string_equal(why.field, "items");
	assert_int_equal(one(f, "SELECT count(*) FROM refunds WHERE "
	    "order_id = ?"), 1);
}

static void
our_refund_then_charge_refunded_mails_once_and_flags_nothing(void **state)
{
	struct fx *f = *state;
	struct refund_refusal why;
	enum fulfil_outcome out;
	struct payment p;
	int64_t id;
	int repeat;

	assert_int_equal(open_refund(f, REFUND_ITEMS, &f->item[1], 1, NULL,
	    "tok11", &id, &repeat, &why), ERR_OK);
	succeed(f, id, f->net[1]);
	assert_int_equal(one(f, "SELECT count(*) FROM orders WHERE id = ? AND "
	    "status = 'partially_refunded'"), 1);
	assert_int_equal(refund_mails(f), 1);
	p = paid(f, f->net[1]);
	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, NOW, &out), ERR_OK);
	assert_int_equal(out, FULFIL_ALREADY);
	assert_int_equal(refund_mails(f), 1);
	assert_int_equal(one(f, "SELECT needs_review FROM orders WHERE id = ?"),
	    0);
	/* The refunded item's access ends, the other's stays. */
	assert_int_equal(one(f, "SELECT count(*) FROM enrollments WHERE "
	    "order_id = ? AND status = 'active'"), 1);
	assert_int_equal(one(f, "SELECT refunded_amount FROM order_items WHERE "
	    "order_id = ? ORDER BY id DESC LIMIT 1"), f->net[1]);
}

static void
charge_refunded_first_then_our_refund_changes_nothing_more(void **state)
{
	struct fx *f = *state;
	struct refund_refusal why;
	enum fulfil_outcome out;
	struct payment p;
	int64_t id;
	int repeat;

	assert_int_equal(open_refund(f, REFUND_ITEMS, &f->item[0], 1, NULL,
	    "tok12", &id, &repeat, &why), ERR_OK);
	p = paid(f, f->net[0]);
	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, NOW, &out), ERR_OK);
	assert_int_equal(out, FULFIL_PARTIAL);
	assert_int_equal(one(f, "SELECT needs_review FROM orders WHERE id = ?"),
	    0);	/* the pending refund is ours: an admin decided */
	assert_int_equal(refund_mails(f), 0);	/* left to the refund */
	succeed(f, id, f->net[0]);
	assert_int_equal(refund_mails(f), 1);
	assert_int_equal(one(f, "SELECT count(*) FROM outbox WHERE body = "
	    "'Hello Bea, your refund.' AND ? > 0"), 1);
	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, NOW, &out), ERR_OK);
	assert_int_equal(refund_mails(f), 1);
	assert_int_equal(one(f, "SELECT refunded_amount FROM orders WHERE "
	    "id = ?"), f->net[0]);
}

static void
a_refund_made_elsewhere_is_flagged(void **state)
{
	struct fx *f = *state;
	enum fulfil_outcome out;
	struct payment p = paid(f, 500);

	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, NOW, &out), ERR_OK);
	assert_int_equal(one(f, "SELECT needs_review FROM orders WHERE id = ?"),
	    1);
	assert_int_equal(refund_mails(f), 1);	/* the standard mail */
}

static void
a_whole_refund_ends_every_access(void **state)
{
	struct fx *f = *state;
	struct refund_refusal why;
	int64_t id;
	int repeat;

	assert_int_equal(open_refund(f, REFUND_WHOLE, NULL, 0, NULL, "tok13",
	    &id, &repeat, &why), ERR_OK);
	assert_int_equal(one(f, "SELECT amount FROM refunds WHERE order_id = "
	    "?"), f->total);
	succeed(f, id, f->total);
	assert_int_equal(one(f, "SELECT count(*) FROM orders WHERE id = ? AND "
	    "status = 'refunded'"), 1);
	assert_int_equal(one(f, "SELECT count(*) FROM enrollments WHERE "
	    "order_id = ? AND status = 'active'"), 0);
	assert_int_equal(open_refund(f, REFUND_AMOUNT, NULL, 0, "1.00",
	    "tok14", &id, &repeat, &why), ERR_INVALID);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(refund_of_one_item_records_it_pending_with_its_item),
		T(the_same_form_sent_twice_opens_one_refund),
		T(no_second_refund_opens_while_one_is_pending),
		T(never_more_than_what_remains),
		T(our_refund_then_charge_refunded_mails_once_and_flags_nothing),
		T(charge_refunded_first_then_our_refund_changes_nothing_more),
		T(a_refund_made_elsewhere_is_flagged),
		T(a_whole_refund_ends_every_access),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
