/* The admin's coupons (lib/coupon_form.c, coupon_admin.c, coupon_batch.c)
 * on a migrated, seeded database: the form's reading of each field, a
 * limit never set below the uses made (reservations count), deactivation
 * that touches nothing but the flag, one audit row per change with the
 * fields before and after, and batches of unique, unambiguous codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "coupon_admin.h"
#include "coupon_batch.h"
#include "coupon_form.h"
#include "db.h"
#include "fixtures.h"
#include "tz.h"
#include "user.h"

#define NOW 1800000000

struct fx {
	struct fixture t;	/* first: database and arena, fixtures.h */
	int64_t admin, ann;	/* the admin acting, a student using */
};

static int
setup(void **state)
{
	struct fx *f = fixture_new(sizeof(*f), "coupon-admin");

	assert_int_equal(tz_set("Europe/Paris"), ERR_OK);
	f->admin = fixture_user(f->t.db, "boss@example.org", "Boss",
	    ROLE_ADMIN);
	f->ann = fixture_user(f->t.db, "ann@example.org", "Ann", ROLE_STUDENT);
	*state = f;
	return 0;
}

/* A form with the given texts (name, value, ..., NULL). */
static void
form(struct coupon_form *cf, ...)
{
	va_list ap;
	const char *k;

	memset(cf, 0, sizeof(*cf));
	va_start(ap, cf);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);

		for (int i = 0; i < CF_MAX; i++)
			if (strcmp(coupon_field_names[i], k) == 0)
				cf->v[i] = v;
	}
	va_end(ap);
}

static int64_t
count(struct fx *f, const char *what)
{
	if (strcmp(what, "audit") == 0)
		return fixture_int(f->t.db, "SELECT count(*) FROM audit_log",
		    0, 0);
	return fixture_int(f->t.db, "SELECT count(*) FROM coupons", 0, 0);
}

static void
form_reads_each_field_and_says_what_is_wrong(void **state)
{
	struct fx *f = *state;
	const char *errors[CF_MAX];
	const char *types[] = { "cohort" };
	struct coupon c;
	struct coupon_form cf;
	enum err e;

	form(&cf, "code", "SAVE", "kind", "fixed", "amount_off", "12.50",
	    "currency", "EUR", "max_discount", "20", "min_purchase", "1,000",
	    "max_uses", "30", "max_uses_per_user", "2", "valid_from",
	    "2026-06-15T09:00", "valid_until", "2026-12-24 18:30", NULL);
	cf.types = types;
	cf.ntypes = 1;
	assert_int_equal(coupon_form_read(f->t.db, f->t.a, &cf, &c, errors,
	    &e), 0);
	assert_int_equal(c.kind, COUPON_FIXED);
	assert_int_equal(c.amount_off, 1250);
	assert_string_equal(c.currency, "eur");
	assert_int_equal(c.max_discount, 2000);
	assert_int_equal(c.min_purchase, 100000);
	assert_int_equal(c.valid_from, 1781506800);	/* 07:00 UTC */
	assert_int_equal(c.valid_until, 1798133400);	/* 17:30 UTC */
	assert_string_equal(coupon_form_text(f->t.a, &c, CF_VALID_UNTIL),
	    "2026-12-24T18:30");
	assert_string_equal(coupon_form_text(f->t.a, &c, CF_AMOUNT_OFF),
	    "12.50");

	form(&cf, "kind", "percentage", "percent_off", "101", "amount_off", "3",
	    "currency", "euro", "max_uses", "0", "valid_from", "2026-06-15T09:00",
	    "valid_until", "2026-06-15T09:00", NULL);
	types[0] = "ghost";
	cf.types = types;
	cf.ntypes = 1;
	cf.bad[CF_MAX_DISCOUNT] = 1;
	assert_int_equal(coupon_form_read(f->t.db, f->t.a, &cf, &c, errors,
	    &e), 8);
	assert_non_null(errors[CF_CODE]);
	assert_non_null(errors[CF_PERCENT_OFF]);
	assert_non_null(errors[CF_AMOUNT_OFF]);
	assert_non_null(errors[CF_CURRENCY]);
	assert_non_null(errors[CF_MAX_USES]);
	assert_non_null(errors[CF_MAX_DISCOUNT]);
	assert_non_null(errors[CF_VALID_UNTIL]);
	assert_non_null(errors[CF_COURSE_TYPES]);
	assert_null(errors[CF_VALID_FROM]);
	assert_null(errors[CF_KIND]);
	assert_null(errors[CF_COURSES]);

	/* 02:30 on the night Paris skips it is no time of the school's. */
	form(&cf, "code", "GAP", "kind", "percentage", "percent_off", "5",
	    "currency", "usd", "valid_from", "2026-03-29T02:30", NULL);
	assert_int_equal(coupon_form_read(f->t.db, f->t.a, &cf, &c, errors,
	    &e), 1);
	assert_non_null(errors[CF_VALID_FROM]);
}

/* Holds one use of coupon id by user: an order and its redemption. */
static void
use(struct fx *f, int64_t coupon, int64_t user, const char *status)
{
	static int n;
	char number[32];
	struct db_stmt *st;
	int64_t order = 0;

	snprintf(number, sizeof(number), "ORD-T-%d", ++n);
	st = db_prep(f->t.db, "INSERT INTO orders (number, user_id, currency, "
	    "subtotal_amount, total_amount, coupon_id) VALUES (?, ?, 'usd', "
	    "100, 100, ?) RETURNING id");
	db_bind_text(st, 1, number);
	db_bind_int64(st, 2, user);
	db_bind_int64(st, 3, coupon);
	assert_int_equal(db_next(st), ERR_OK);
	order = db_col_int64(st, 0);
	db_done(st);
	st = db_prep(f->t.db, "INSERT INTO coupon_redemptions (coupon_id, "
	    "user_id, order_id, status, amount) VALUES (?, ?, ?, ?, 10)");
	db_bind_int64(st, 1, coupon);
	db_bind_int64(st, 2, user);
	db_bind_int64(st, 3, order);
	db_bind_text(st, 4, status);
	assert_int_equal(db_run(st), ERR_OK);
}

static void
a_limit_never_goes_below_the_uses_made(void **state)
{
	struct fx *f = *state;
	struct coupon c = { .code = "LIMIT", .description = "", .kind =
	    COUPON_PERCENTAGE, .percent_off = 10, .currency = "usd",
	    .max_uses = 5 }, got;
	struct coupon_refusal why;
	struct coupon_use u;
	int64_t id, batch;

	assert_int_equal(coupon_admin_create(f->t.db, f->admin, &c, NOW, &id,
	    &why), ERR_OK);
	assert_int_equal(coupon_admin_create(f->t.db, f->admin, &c, NOW, &batch,
	    &why), ERR_INVALID);
	assert_int_equal(why.field, CF_CODE);
	use(f, id, f->ann, "redeemed");
	use(f, id, f->ann, "reserved");
	use(f, id, f->admin, "released");	/* gives its use back */
	c.max_uses = 1;
	assert_int_equal(coupon_admin_update(f->t.db, f->t.a, f->admin, id, &c,
	    NOW, &why), ERR_INVALID);
	assert_int_equal(why.field, CF_MAX_USES);
	assert_non_null(strstr(why.message, "used 2 times"));
	c.max_uses = 0;
	c.max_uses_per_user = 1;
	assert_int_equal(coupon_admin_update(f->t.db, f->t.a, f->admin, id, &c,
	    NOW, &why), ERR_INVALID);
	assert_int_equal(why.field, CF_MAX_USES_PER_USER);
	assert_int_equal(coupon_admin_get(f->t.db, f->t.a, id, &got, &u,
	    &batch), ERR_OK);
	assert_int_equal(got.max_uses, 5);
	assert_int_equal(u.redeemed, 1);
	assert_int_equal(u.reserved, 1);
	assert_int_equal(u.top_user, 2);
	assert_int_equal(count(f, "audit"), 1);	/* the creation only */
	c.max_uses = 2;
	c.max_uses_per_user = 2;
	assert_int_equal(coupon_admin_update(f->t.db, f->t.a, f->admin, id, &c,
	    NOW, &why), ERR_OK);
	assert_int_equal(count(f, "audit"), 2);
}

static void
deactivating_changes_only_the_flag_and_is_audited(void **state)
{
	struct fx *f = *state;
	struct coupon c = { .code = "OFF", .description = "", .kind =
	    COUPON_FIXED, .amount_off = 500, .currency = "usd" };
	struct coupon_refusal why;
	struct db_stmt *st;
	int64_t id;

	assert_int_equal(coupon_admin_create(f->t.db, f->admin, &c, NOW, &id,
	    &why), ERR_OK);
	use(f, id, f->ann, "reserved");
	assert_int_equal(coupon_admin_set_active(f->t.db, f->admin, id, 0, NOW),
	    ERR_OK);
	assert_int_equal(coupon_admin_set_active(f->t.db, f->admin, id, 0, NOW),
	    ERR_OK);	/* already off: nothing to record */
	assert_int_equal(coupon_admin_set_active(f->t.db, f->admin, 9999, 0,
	    NOW), ERR_NOTFOUND);
	st = db_prep(f->t.db, "SELECT r.status, c.is_active, (SELECT "
	    "group_concat(action || ' ' || before_json || ' ' || after_json) "
	    "FROM audit_log WHERE subject = 'coupon:' || c.id AND action <> "
	    "'coupon.create') FROM coupon_redemptions r JOIN coupons c ON "
	    "c.id = r.coupon_id WHERE c.id = ?");
	db_bind_int64(st, 1, id);
	assert_int_equal(db_next(st), ERR_OK);
	assert_string_equal(db_col_text(st, 0), "reserved");
	assert_int_equal(db_col_int64(st, 1), 0);
	assert_string_equal(db_col_text(st, 2),
	    "coupon.deactivate {\"is_active\":1} {\"is_active\":0}");
	db_done(st);
}

static void
a_batch_is_unique_unambiguous_codes_of_one_use(void **state)
{
	struct fx *f = *state;
	struct coupon c = { .code = "", .description = "", .kind =
	    COUPON_PERCENTAGE, .percent_off = 20, .currency = "usd",
	    .max_uses = 50 };
	struct buf csv = { 0 };
	struct db_stmt *st;
	int64_t id;

	assert_int_equal(coupon_batch_create(f->t.db, f->admin, "Expo", "EXPO",
	    COUPON_BATCH_MAX + 1, &c, NOW, &id), ERR_INVALID);
	assert_int_equal(coupon_batch_create(f->t.db, f->admin, "Expo", "ex po",
	    3, &c, NOW, &id), ERR_INVALID);
	assert_int_equal(count(f, "coupons"), 0);
	assert_int_equal(coupon_batch_create(f->t.db, f->admin, "Expo", "EXPO",
	    200, &c, NOW, &id), ERR_OK);
	st = db_prep(f->t.db, "SELECT count(*), count(DISTINCT code), "
	    "sum(max_uses), min(length(code)), max(length(code)) FROM coupons "
	    "WHERE batch_id = ? AND code LIKE 'EXPO-%'");
	db_bind_int64(st, 1, id);
	assert_int_equal(db_next(st), ERR_OK);
	assert_int_equal(db_col_int64(st, 0), 200);
	assert_int_equal(db_col_int64(st, 1), 200);
	assert_int_equal(db_col_int64(st, 2), 200);
	assert_int_equal(db_col_int64(st, 3), 13);
	assert_int_equal(db_col_int64(st, 4), 13);
	db_done(st);
	assert_int_equal(coupon_batch_csv(f->t.db, id, &csv), ERR_OK);
	assert_non_null(csv.data);
	assert_true(strncmp(csv.data, "code,batch,used,active\r\n", 24) == 0);
	for (const char *p = csv.data + 24; *p != '\0'; p = strchr(p, '\n') + 1)
		assert_int_equal(strspn(p + 5,
		    "ABCDEFGHJKMNPQRSTUVWXYZ23456789"), 8);
	assert_int_equal(count(f, "audit"), 1);
	buf_free(&csv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fixture_teardown)
		T(form_reads_each_field_and_says_what_is_wrong),
		T(a_limit_never_goes_below_the_uses_made),
		T(deactivating_changes_only_the_flag_and_is_audited),
		T(a_batch_is_unique_unambiguous_codes_of_one_use),
#undef T
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
