/* The admin's order page, answered by the real dispatcher in process:
 * Stripe's ids link to Stripe's dashboard only when the configured key is
 * a live one (a test key's payments are not the school's money), and the
 * refund form carries a fresh one-time token on every rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "apps.h"
#include "db.h"
#include "harness.h"
#include "session.h"
#include "user.h"

/* Logs an admin in (a session cookie) and makes a paid order 1. */
static void
setup_order(struct harness *h)
{
	char token[SESSION_TOKEN_HEX + 1];
	int64_t admin;

	assert_int_equal(user_create(h->w.db, "page-admin@example.org",
	    "Page Admin", "admin-password-123", ROLE_ADMIN, &admin), ERR_OK);
	assert_int_equal(session_create(h->w.db, admin, (int64_t)time(NULL),
	    token, NULL), ERR_OK);
	snprintf(h->cookies, sizeof(h->cookies), "%s=%s", SESSION_COOKIE,
	    token);
	assert_int_equal(db_exec(h->w.db, "INSERT INTO orders (id, number, "
	    "user_id, status, currency, subtotal_amount, total_amount, "
	    "stripe_session_id, stripe_payment_intent, stripe_charge_id, "
	    "paid_at) SELECT 1, 'ORD-20261204-PAGE01', id, 'paid', 'usd', "
	    "4900, 4900, 'cs_page', 'pi_page', 'ch_page', 1800000000 FROM "
	    "users WHERE email = 'page-admin@example.org'"), ERR_OK);
}

static const char *
page(struct harness *h, const char *key)
{
	h->w.cfg.stripe_key = key;
	harness_request(h, "GET", "/admin/orders/1", NULL);
	assert_int_equal(h->rs.status, 200);
	return h->rs.body.data;
}

static void
dashboard_links_only_with_a_live_key(void **state)
{
	struct harness h;
	const char *body;

	(void)state;
	harness_open(&h, &admin_app, 1);
	setup_order(&h);
	body = page(&h, "sk_test_123");
	assert_non_null(strstr(body, "<code>pi_page</code>"));
	assert_null(strstr(body, "dashboard.stripe.com"));
	body = page(&h, "sk_live_123");
	assert_non_null(strstr(body, "href=\"https://dashboard.stripe.com/"
	    "payments/pi_page\""));
	assert_non_null(strstr(body, "href=\"https://dashboard.stripe.com/"
	    "payments/ch_page\""));
	harness_close(&h);
}

/* Returns a copy of the refund token in the last page. */
static char *
refund_token(const char *body)
{
	const char *p = strstr(body, "name=\"refund_token\" value=\"");

	assert_non_null(p);
	p += strlen("name=\"refund_token\" value=\"");
	return strndup(p, strcspn(p, "\""));
}

static void
each_rendering_has_a_new_refund_token(void **state)
{
	struct harness h;
	char *first, *second;

	(void)state;
	harness_open(&h, &admin_app, 1);
	setup_order(&h);
	first = refund_token(page(&h, "sk_test_123"));
	second = refund_token(page(&h, "sk_test_123"));
	assert_int_equal(strlen(first), 64);
	assert_string_not_equal(first, second);
	free(first);
	free(second);
	harness_close(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dashboard_links_only_with_a_live_key),
		cmocka_unit_test(each_rendering_has_a_new_refund_token),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
