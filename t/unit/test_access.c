/* Access (lib/access.c) on a migrated, seeded database: every kind of
 * enrollment opens a course; a refund, a dispute, a revocation and the
 * end of access_days close it, each with its reason; free courses are open
 * to everyone while on sale; the cart and checkout call a course "owned"
 * only while access lasts, so an expired or refunded course can be bought
 * again, and paying for it opens it again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "access.h"
#include "arena.h"
#include "cart_items.h"
#include "db.h"
#include "fixtures.h"
#include "fulfil.h"
#include "order.h"
#include "seed.h"
#include "user.h"

#define NOW 1800000000
#define DAY 86400
#define BASE "http://shop.test"

struct fx {
	struct fixture t;	/* first: database and arena, fixtures.h */
	int64_t ann, bob;	/* two students */
	int64_t paid_course;	/* payments-engineering, no access_days */
	int64_t limited;	/* web-security-essentials, 365 days */
	int64_t free_course;	/* intro-to-git */
};

static int
setup(void **state)
{
	struct fx *f = fixture_new(sizeof(*f), "access");

	f->ann = fixture_user(f->t.db, "ann@example.org", "Ann", ROLE_STUDENT);
	f->bob = fixture_user(f->t.db, "bob@example.org", "Bob", ROLE_STUDENT);
	f->paid_course = fixture_course(f->t.db, "payments-engineering");
	f->limited = fixture_course(f->t.db, "web-security-essentials");
	f->free_course = fixture_course(f->t.db, "intro-to-git");
	*state = f;
	return 0;
}

/* Gives user an enrollment in course from source, granted at when. */
static void
enroll(struct fx *f, int64_t user, int64_t c, const char *source,
    int64_t when)
{
	struct db_stmt *st = db_prep(f->t.db, "INSERT INTO enrollments "
	    "(user_id, course_id, source, granted_at) VALUES (?, ?, ?, ?)");

	db_bind_int64(st, 1, user);
	db_bind_int64(st, 2, c);
	db_bind_text(st, 3, source);
	db_bind_int64(st, 4, when);
	assert_int_equal(db_run(st), ERR_OK);
}

static struct access
check(struct fx *f, int64_t user, int64_t c, int64_t now)
{
	struct access acc;

	assert_int_equal(access_check(f->t.db, user, c, now, &acc), ERR_OK);
	return acc;
}

/* Buys course c for user through a real order, paid at Stripe at when;
 * returns the order id (its session is "cs_<order id>"). */
static int64_t
buy(struct fx *f, int64_t user, int64_t c, int64_t when)
{
	struct order_request rq = { user, &c, 1, NULL, when, when + 1920 };
	struct order_refusal why;
	enum fulfil_outcome out;
	struct payment p;
	struct order o;
	char cs[32];

	assert_int_equal(order_create(f->t.db, f->t.a, &rq, &o, &why), ERR_OK);
	snprintf(cs, sizeof(cs), "cs_%lld", (long long)o.id);
	assert_int_equal(order_set_session(f->t.db, o.id, 1, cs, "https://pay",
	    when + 1920, when), ERR_OK);
	p = (struct payment){ .session_id = arena_strdup(f->t.a, cs),
	    .session_status = "complete", .payment_status = "paid",
	    .amount_total = o.total, .currency = "usd",
	    .payment_intent = "pi_x", .order_id = o.id };
	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, when, &out), ERR_OK);
	assert_int_equal(out, FULFIL_GRANTED);
	return o.id;
}

/* Tells fulfilment that Stripe refunded (or disputed) order id. */
static void
money_back(struct fx *f, int64_t id, int disputed, int64_t when)
{
	enum fulfil_outcome out;
	struct payment p;
	struct order o;
	char cs[32];

	assert_int_equal(order_load(f->t.db, f->t.a, id, 0, &o), ERR_OK);
	snprintf(cs, sizeof(cs), "cs_%lld", (long long)id);
	p = (struct payment){ .session_id = arena_strdup(f->t.a, cs),
	    .session_status = "complete", .payment_status = "paid",
	    .amount_total = o.total, .currency = "usd",
	    .payment_intent = "pi_x", .order_id = id,
	    .amount_refunded = disputed ? 0 : o.total, .disputed = disputed };
	assert_int_equal(fulfil_payment(f->t.db, &p, BASE, when, &out), ERR_OK);
	assert_int_equal(out, disputed ? FULFIL_DISPUTED : FULFIL_REFUNDED);
}

static void
guest_opens_only_free_courses_on_sale(void **state)
{
	struct fx *f = *state;
	struct access a;

	a = check(f, 0, f->free_course, NOW);
	assert_true(a.allowed);
	assert_true(a.free);
	assert_int_equal(a.reason, ACCESS_NOT_BOUGHT);
	a = check(f, 0, f->paid_course, NOW);
	assert_false(a.allowed);
	assert_int_equal(a.reason, ACCESS_NOT_BOUGHT);
	assert_int_equal(db_exec(f->t.db, "UPDATE courses SET is_active = 0 "
	    "WHERE slug = 'intro-to-git'"), ERR_OK);
	a = check(f, 0, f->free_course, NOW);
	assert_false(a.allowed);
	assert_false(a.free);
}

static void
every_kind_of_enrollment_opens_a_paid_course(void **state)
{
	static const char *const kinds[] = { "purchase", "free", "admin",
	    "seat" };
	struct fx *f = *state;
	struct access a;

	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(db_exec(f->t.db, "DELETE FROM enrollments"),
		    ERR_OK);
		enroll(f, f->ann, f->paid_course, kinds[i], NOW - DAY);
		a = check(f, f->ann, f->paid_course, NOW);
		assert_true(a.allowed);
		assert_false(a.free);
		assert_int_equal(a.reason, ACCESS_ENROLLED);
		assert_string_equal(a.source, kinds[i]);
		assert_int_equal(a.granted_at, NOW - DAY);
		assert_int_equal(a.expires_at, 0);
		assert_true(access_owned(&a));
		/* Nobody else gets in on Ann's enrollment. */
		a = check(f, f->bob, f->paid_course, NOW);
		assert_false(a.allowed);
		assert_int_equal(a.reason, ACCESS_NOT_BOUGHT);
	}
}

static void
refund_closes_a_purchase_and_says_refunded(void **state)
{
	struct fx *f = *state;
	struct access a;
	int64_t id = buy(f, f->ann, f->paid_course, NOW);

	a = check(f, f->ann, f->paid_course, NOW + 10);
	assert_true(a.allowed);
	assert_string_equal(a.source, "purchase");
	assert_int_equal(a.order_id, id);
	money_back(f, id, 0, NOW + 20);
	a = check(f, f->ann, f->paid_course, NOW + 30);
	assert_false(a.allowed);
	assert_int_equal(a.reason, ACCESS_REFUNDED);
	assert_string_equal(access_reason_name(a.reason), "refunded");
	assert_false(access_owned(&a));
}

static void
dispute_closes_a_purchase_and_says_disputed(void **state)
{
	struct fx *f = *state;
	struct access a;
	int64_t id = buy(f, f->ann, f->paid_course, NOW);

	money_back(f, id, 1, NOW + 20);
	a = check(f, f->ann, f->paid_course, NOW + 30);
	assert_false(a.allowed);
	assert_int_equal(a.reason, ACCESS_DISPUTED);
}

static void
revocation_closes_a_grant_and_says_revoked(void **state)
{
	struct fx *f = *state;
	struct access a;

	enroll(f, f->ann, f->paid_course, "admin", NOW - DAY);
	assert_int_equal(db_exec(f->t.db, "UPDATE enrollments SET status = "
	    "'revoked', revoked_at = 1800000000"), ERR_OK);
	a = check(f, f->ann, f->paid_course, NOW);
	assert_false(a.allowed);
	assert_int_equal(a.reason, ACCESS_REVOKED);
	assert_non_null(strstr(access_reason_message(a.reason), "withdrawn"));
}

static void
access_ends_access_days_after_the_grant(void **state)
{
	struct fx *f = *state;
	int64_t end = NOW + 365 * (int64_t)DAY;
	struct access a;

	enroll(f, f->ann, f->limited, "purchase", NOW);
	a = check(f, f->ann, f->limited, end - 1);
	assert_true(a.allowed);
	assert_int_equal(a.expires_at, end);
	a = check(f, f->ann, f->limited, end);
	assert_false(a.allowed);
	assert_int_equal(a.reason, ACCESS_EXPIRED);
	assert_int_equal(a.expires_at, end);
	assert_false(access_owned(&a));
}

static void
free_enrollment_in_a_free_course_is_enrolled(void **state)
{
	struct fx *f = *state;
	struct access a;

	enroll(f, f->ann, f->free_course, "free", NOW);
	a = check(f, f->ann, f->free_course, NOW);
	assert_true(a.allowed);
	assert_true(a.free);
	assert_int_equal(a.reason, ACCESS_ENROLLED);
}

static void
unknown_course_is_not_found(void **state)
{
	struct fx *f = *state;
	struct access a;

	assert_int_equal(access_check(f->t.db, f->ann, 999999, NOW, &a),
	    ERR_NOTFOUND);
}

static void
cart_refuses_an_owned_course_and_takes_an_expired_one(void **state)
{
	struct fx *f = *state;
	int64_t now = (int64_t)time(NULL);
	enum cart_add_result r;
	struct access a;

	enroll(f, f->ann, f->paid_course, "purchase", now - DAY);
	assert_int_equal(cart_add(f->t.db, f->ann, NULL, f->paid_course, &r),
	    ERR_OK);
	assert_int_equal(r, CART_OWNED);
	enroll(f, f->ann, f->limited, "purchase", now - 400 * (int64_t)DAY);
	assert_int_equal(cart_add(f->t.db, f->ann, NULL, f->limited, &r),
	    ERR_OK);
	assert_int_equal(r, CART_ADDED);
	/* Paying again opens it again, counted from the new payment. */
	buy(f, f->ann, f->limited, now);
	a = check(f, f->ann, f->limited, now + 1);
	assert_true(a.allowed);
	assert_int_equal(a.granted_at, now);
	assert_int_equal(a.expires_at, now + 365 * (int64_t)DAY);
}

static void
refunded_course_can_be_bought_again(void **state)
{
	struct fx *f = *state;
	int64_t now = (int64_t)time(NULL), id;
	enum cart_add_result r;

	id = buy(f, f->ann, f->paid_course, now - 100);
	money_back(f, id, 0, now - 50);
	assert_int_equal(cart_add(f->t.db, f->ann, NULL, f->paid_course, &r),
	    ERR_OK);
	assert_int_equal(r, CART_ADDED);
	id = buy(f, f->ann, f->paid_course, now);
	assert_true(check(f, f->ann, f->paid_course, now).allowed);
	assert_int_equal(check(f, f->ann, f->paid_course, now).order_id, id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fixture_teardown)
		T(guest_opens_only_free_courses_on_sale),
		T(every_kind_of_enrollment_opens_a_paid_course),
		T(refund_closes_a_purchase_and_says_refunded),
		T(dispute_closes_a_purchase_and_says_disputed),
		T(revocation_closes_a_grant_and_says_revoked),
		T(access_ends_access_days_after_the_grant),
		T(free_enrollment_in_a_free_course_is_enrolled),
		T(unknown_course_is_not_found),
		T(cart_refuses_an_owned_course_and_takes_an_expired_one),
		T(refunded_course_can_be_bought_again),
#undef T
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
