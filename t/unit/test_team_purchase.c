/* A team order's seats (issue 18, lib/fulfil_seats.c with lib/fulfil.c
 * and lib/refund.c): fulfilment adds the seats once and enrols nobody;
 * Stripe taking all the money back removes the order's seats, free ones
 * first, then the newest assignments, flagged and audited; an admin's
 * seat refund needs enough seats freed by its choice, costs the seats'
 * share of what was paid, and a refused refund gives the seats back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "fixtures.h"
#include "fulfil.h"
#include "fulfil_seats.h"
#include "order.h"
#include "refund.h"
#include "team.h"

#define NOW 1800000000
#define BASE "https://school.test"

struct fx {
	struct fixture f;
	int64_t owner, team, course;
};

static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "team-purchase");

	x->owner = fixture_user(x->f.db, "olga@example.org", "Olga",
	    ROLE_STUDENT);
	assert_int_equal(team_create(x->f.db, x->owner, "Acme", NOW,
	    &x->team), ERR_OK);
	x->course = fixture_course(x->f.db, "payments-engineering");
	*state = x;
	return 0;
}

/* A team order of n seats, paid through its session cs_<order>: returns
 * the order's id and sets *total. */
static int64_t
buy(struct fx *x, int64_t n, int64_t *total)
{
	struct order_request rq = { x->owner, &x->course, 1, NULL, NOW,
	    NOW + 1920 };
	struct order_team t = { x->team, &n };
	struct order_refusal why;
	enum fulfil_outcome fo;
	struct payment p;
	struct order o;
	char cs[32], pi[32];

	assert_int_equal(order_create_for(x->f.db, x->f.a, &rq, &t, &o, &why),
	    ERR_OK);
	snprintf(cs, sizeof(cs), "cs_%lld", (long long)o.id);
	snprintf(pi, sizeof(pi), "pi_%lld", (long long)o.id);
	assert_int_equal(order_set_session(x->f.db, o.id, 1, cs, "https://p",
	    NOW + 1920, NOW), ERR_OK);
	p = (struct payment){ .session_id = cs, .session_status = "complete",
	    .payment_status = "paid", .amount_total = o.total,
	    .currency = "usd", .payment_intent = pi, .order_id = o.id };
	assert_int_equal(fulfil_payment(x->f.db, &p, BASE, NOW, &fo), ERR_OK);
	assert_int_equal(fo, FULFIL_GRANTED);
	/* Twice changes nothing (a redelivered event). */
	assert_int_equal(fulfil_payment(x->f.db, &p, BASE, NOW, &fo), ERR_OK);
	assert_int_equal(fo, FULFIL_ALREADY);
	*total = o.total;
	return o.id;
}

/* seats * 1000 + held of the team's course. */
static int64_t
counts(struct fx *x)
{
	return fixture_int(x->f.db, "SELECT seats * 1000 + held FROM "
	    "team_seats WHERE team_id = ? AND course_id = ?", x->team,
	    x->course);
}

/* An invitation holding a seat, made at time at: its id. */
static int64_t
hold(struct fx *x, int64_t at)
{
	struct db_stmt *st;
	char email[48];
	int64_t id;

	snprintf(email, sizeof(email), "p%lld@example.org", (long long)at);
	st = db_prep(x->f.db, "INSERT INTO seat_assignments (team_id, "
	    "course_id, email, status, created_at) VALUES (?, ?, ?, "
	    "'invited', ?) RETURNING id");
	db_bind_int64(st, 1, x->team);
	db_bind_int64(st, 2, x->course);
	db_bind_text(st, 3, email);
	db_bind_int64(st, 4, at);
	assert_int_equal(db_next(st), ERR_OK);
	id = db_col_int64(st, 0);
	db_done(st);
	fixture_run(x->f.db, "UPDATE team_seats SET held = held + 1 WHERE "
	    "team_id = ? AND course_id = ?", x->team, x->course);
	return id;
}

static int
live(struct fx *x, int64_t id)
{
	return fixture_int(x->f.db, "SELECT count(*) FROM seat_assignments "
	    "WHERE id = ? AND status <> 'revoked'", id, 0) == 1;
}

static void
fulfilment_adds_seats_once_and_enrols_nobody(void **state)
{
	struct fx *x = *state;
	int64_t total, o;

	o = buy(x, 3, &total);
	assert_int_equal(total, 3 * 12900);
	assert_int_equal(counts(x), 3000);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "enrollments WHERE user_id = ?", x->owner, 0), 0);
	assert_int_equal(fixture_int(x->f.db, "SELECT team_id FROM orders "
	    "WHERE id = ?", o, 0), x->team);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM outbox "
	    "WHERE body LIKE '%3 seats of Payments Engineering%' AND body "
	    "LIKE '%/account/teams/' || ? || '/seats%'", x->team, 0), 1);
	buy(x, 2, &total);
	assert_int_equal(counts(x), 5000);
}

static void
stripe_taking_all_back_removes_the_orders_seats(void **state)
{
	struct fx *x = *state;
	int64_t t1, t2, o1, h[4];
	enum fulfil_outcome fo;
	struct payment p;
	char cs[32], pi[32];

	o1 = buy(x, 3, &t1);
	buy(x, 2, &t2);
	for (int i = 0; i < 4; i++)
		h[i] = hold(x, 10 + i);
	assert_int_equal(counts(x), 5004);
	/* The whole of order 1 refunded in Stripe's dashboard: 3 seats go,
	 * 1 was free, so the 2 newest assignments are revoked. */
	snprintf(cs, sizeof(cs), "cs_%lld", (long long)o1);
	snprintf(pi, sizeof(pi), "pi_%lld", (long long)o1);
	p = (struct payment){ .session_id = cs, .session_status = "complete",
	    .payment_status = "paid", .amount_total = t1, .currency = "usd",
	    .payment_intent = pi, .amount_refunded = t1, .order_id = o1 };
	assert_int_equal(fulfil_payment(x->f.db, &p, BASE, NOW, &fo), ERR_OK);
	assert_int_equal(fo, FULFIL_REFUNDED);
	assert_int_equal(counts(x), 2002);
	assert_true(live(x, h[0]) && live(x, h[1]));
	assert_false(live(x, h[2]) || live(x, h[3]));
	assert_int_equal(fixture_int(x->f.db, "SELECT refunded_seats FROM "
	    "order_items WHERE order_id = ?", o1, 0), 3);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM orders "
	    "WHERE id = ? AND needs_review = 1 AND review_reason LIKE "
	    "'%3 seats, and 2 assigned seats were revoked%'", o1, 0), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'seat.revoke' AND subject = 'team:' || ?", x->team,
	    0), 2);
	/* Again: nothing more. */
	assert_int_equal(fulfil_payment(x->f.db, &p, BASE, NOW, &fo), ERR_OK);
	assert_int_equal(counts(x), 2002);
}

static void
a_seat_costs_its_share_of_what_was_paid(void **state)
{
	(void)state;
	assert_int_equal(refund_seats_amount(13230, 3, 3, 13230, 1), 4410);
	assert_int_equal(refund_seats_amount(13230, 3, 3, 13230, 3), 13230);
	assert_int_equal(refund_seats_amount(100, 3, 3, 100, 1), 33);
	assert_int_equal(refund_seats_amount(100, 3, 3, 100, 2), 66);
	/* The last seat takes what is left, rounding included. */
	assert_int_equal(refund_seats_amount(100, 3, 1, 34, 1), 34);
	/* Never more than what is left of the item. */
	assert_int_equal(refund_seats_amount(100, 3, 2, 20, 1), 20);
}

static void
a_seat_refund_needs_enough_seats_freed(void **state)
{
	struct fx *x = *state;
	int64_t total, o, item, h[3], rid;
	struct refund_request rq;
	struct refund_refusal why;
	int repeat;

	o = buy(x, 3, &total);
	item = fixture_int(x->f.db, "SELECT id FROM order_items WHERE "
	    "order_id = ?", o, 0);
	for (int i = 0; i < 3; i++)
		h[i] = hold(x, 10 + i);
	rq = (struct refund_request){ .order_id = o, .kind = REFUND_SEATS,
	    .items = &item, .nitems = 1, .form_token = "t1", .actor = x->owner,
	    .now = NOW, .seats = 1 };
	assert_int_equal(refund_open(x->f.db, &rq, &rid, &repeat, &why),
	    ERR_INVALID);
	assert_string_equal(why.field, "revoke");
	assert_int_equal(counts(x), 3003);
	/* Whole and items refunds are not for a team order. */
	rq.kind = REFUND_WHOLE;
	assert_int_equal(refund_open(x->f.db, &rq, &rid, &repeat, &why),
	    ERR_INVALID);
	assert_string_equal(why.field, "kind");
	rq.kind = REFUND_SEATS;
	rq.revoke = &h[1];
	rq.nrevoke = 1;
	assert_int_equal(refund_open(x->f.db, &rq, &rid, &repeat, &why),
	    ERR_OK);
	assert_int_equal(counts(x), 2002);
	assert_false(live(x, h[1]));
	assert_true(live(x, h[0]) && live(x, h[2]));
	assert_int_equal(fixture_int(x->f.db, "SELECT amount FROM refunds "
	    "WHERE id = ?", rid, 0), 12900);
	assert_int_equal(fixture_int(x->f.db, "SELECT refunded_seats FROM "
	    "order_items WHERE id = ?", item, 0), 1);
	/* Stripe refused it: the seat comes back, the revoked stays so. */
	assert_int_equal(db_begin(x->f.db), ERR_OK);
	assert_int_equal(fulfil_seats_restore(x->f.db, rid, NOW), ERR_OK);
	assert_int_equal(db_commit(x->f.db), ERR_OK);
	assert_int_equal(counts(x), 3002);
	assert_false(live(x, h[1]));
	assert_int_equal(fixture_int(x->f.db, "SELECT refunded_seats FROM "
	    "order_items WHERE id = ?", item, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    fulfilment_adds_seats_once_and_enrols_nobody, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    stripe_taking_all_back_removes_the_orders_seats, setup,
		    fixture_teardown),
		cmocka_unit_test(a_seat_costs_its_share_of_what_was_paid),
		cmocka_unit_test_setup_teardown(
		    a_seat_refund_needs_enough_seats_freed, setup,
		    fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
