/* The dispatcher, in process: routing, 404/405, CSRF before any handler,
 * login and admin gates, declared fields, error pages and headers.  A test
 * route writes to the database so that "changes nothing" is checked there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "apps.h"
#include "db.h"
#include "harness.h"
#include "session.h"

static int64_t
count_audit(struct harness *h)
{
	struct db_stmt *st = db_prep(h->w.db, "SELECT count(*) FROM audit_log");
	int64_t n = -1;

	if (db_next(st) == ERR_OK)
		n = db_col_int64(st, 0);
	db_done(st);
	return n;
}

/* POST /t/note: appends a row, so tests can see whether it ran. */
static enum err
h_note(struct req *rq, struct resp *rs)
{
	struct db_stmt *st = db_prep(rq->w->db,
	    "INSERT INTO audit_log (action, detail) VALUES ('note', ?)");
	const char *text = field_str(rq, "text");
	enum err e;

	if (text == NULL) {
		rs->message = "Write a note first.";
		return ERR_INVALID;
	}
	db_bind_text(st, 1, text);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return resp_redirect(rs, "/t/page");
}

/* A page with a form: the course page of a made-up course. */
static enum err
h_page(struct req *rq, struct resp *rs)
{
	cJSON *ctx = resp_ctx(rs), *course, *offer;

	if (ctx == NULL ||
	    (course = cJSON_AddObjectToObject(ctx, "course")) == NULL ||
	    (offer = cJSON_AddObjectToObject(course, "offer")) == NULL)
		return ERR_INTERNAL;
	cJSON_AddStringToObject(course, "title", "<b>hello</b>");
	cJSON_AddNumberToObject(course, "id", 1);
	cJSON_AddBoolToObject(course, "is_active", 1);
	/* Its button (lib/offer.c) is a form: Add to cart. */
	cJSON_AddStringToObject(offer, "name", "add_to_cart");
	cJSON_AddStringToObject(offer, "label", "Add to cart");
	rs->tmpl = "cart/course.html";
	return ERR_OK;
}

static enum err
h_item(struct req *rq, struct resp *rs)
{
	cJSON *ctx = resp_ctx(rs);
	char msg[64];

	snprintf(msg, sizeof(msg), "item %lld", (long long)rq->id);
	cJSON_AddStringToObject(ctx, "title", msg);
	rs->tmpl = "error.html";
	return ERR_OK;
}

static const struct field note_fields[] = {
	{ "text", F_LINE, 50 },
	{ NULL, 0, 0 },
};

static const struct route routes[] = {
	{ METHOD_GET, "/t/page", h_page, 0, NULL },
	{ METHOD_POST, "/t/note", h_note, 0, note_fields },
	{ METHOD_GET, "/t/item/<id>", h_item, 0, NULL },
	{ METHOD_GET, "/t/mine", h_page, R_LOGIN, NULL },
	{ METHOD_GET, "/t/admin", h_page, R_ADMIN, NULL },
};

static const struct app test_app = { "test", routes, NELEM(routes), NULL };

static int
setup(void **state)
{
	static struct harness h;

	harness_open(&h, &test_app, 0);
	*state = &h;
	return 0;
}

static int
teardown(void **state)
{
	harness_close(*state);
	return 0;
}

static void
renders_a_page_with_escaped_values_and_security_headers(void **state)
{
	struct harness *h = *state;
	struct resp *rs = harness_request(h, "GET", "/t/page", NULL);
	struct buf out = { 0 };

	assert_int_equal(rs->status, 200);
	assert_non_null(strstr(rs->body.data, "&lt;b&gt;hello&lt;/b&gt;"));
	assert_null(strstr(rs->body.data, "<b>hello"));
	resp_serialize(rs, 0, &out);
	assert_non_null(strstr(out.data, "Content-Security-Policy: default-src 'self'"));
	assert_non_null(strstr(out.data, "frame-ancestors 'none'"));
	assert_non_null(strstr(out.data, "X-Content-Type-Options: nosniff"));
	assert_non_null(strstr(out.data, "Referrer-Policy: same-origin"));
	buf_free(&out);
}

static void
answers_unknown_paths_404_and_wrong_methods_405(void **state)
{
	struct harness *h = *state;

	assert_int_equal(harness_request(h, "GET", "/nope", NULL)->status, 404);
	assert_int_equal(harness_request(h, "GET", "/t/note", NULL)->status, 405);
	assert_string_equal(harness_header(h, "Allow"), "GET, HEAD, POST");
	assert_int_equal(harness_request(h, "PUT", "/t/page", NULL)->status, 405);
	assert_int_equal(harness_request(h, "GET", "/t/item/0", NULL)->status, 404);
	assert_int_equal(harness_request(h, "GET", "/t/item/12x", NULL)->status, 404);
	assert_int_equal(harness_request(h, "GET", "/t/item/9999999999999999", NULL)->status, 404);
	assert_int_equal(harness_request(h, "GET", "/t/item/42/", NULL)->status, 200);
	assert_non_null(strstr(h->rs.body.data, "item 42"));
}

static void
post_without_or_with_wrong_csrf_is_403_and_changes_nothing(void **state)
{
	struct harness *h = *state;
	int64_t before = count_audit(h);

	harness_request(h, "GET", "/t/page", NULL);	/* gets a guest cookie */
	assert_int_equal(harness_request(h, "POST", "/t/note", "text=hi")->status, 403);
	assert_non_null(strstr(h->rs.body.data, "form has expired"));
	assert_int_equal(harness_request(h, "POST", "/t/note",
	    "text=hi&csrf_token=0000000000000000000000000000000000000000000000000000000000000000")->status, 403);
	assert_int_equal(count_audit(h), before);
}

static void
post_with_the_visitors_csrf_token_runs_the_handler(void **state)
{
	struct harness *h = *state;
	int64_t before = count_audit(h);
	char body[256];

	harness_request(h, "GET", "/t/page", NULL);
	snprintf(body, sizeof(body), "text=hello&csrf_token=%s", harness_csrf(h));
	assert_int_equal(harness_request(h, "POST", "/t/note", body)->status, 303);
	assert_string_equal(harness_header(h, "Location"), "/t/page");
	assert_int_equal(count_audit(h), before + 1);
}

static void
a_token_from_another_visitor_is_refused(void **state)
{
	struct harness *h = *state;
	int64_t before = count_audit(h);
	char body[256];

	harness_request(h, "GET", "/t/page", NULL);
	snprintf(body, sizeof(body), "text=x&csrf_token=%s", harness_csrf(h));
	h->cookies[0] = '\0';	/* a different browser */
	assert_int_equal(harness_request(h, "POST", "/t/note", body)->status, 403);
	assert_int_equal(count_audit(h), before);
}

static void
invalid_field_gives_400_in_plain_words(void **state)
{
	struct harness *h = *state;
	char body[256];

	harness_request(h, "GET", "/t/page", NULL);
	snprintf(body, sizeof(body), "text=%%01&csrf_token=%s", harness_csrf(h));
	assert_int_equal(harness_request(h, "POST", "/t/note", body)->status, 400);
	assert_non_null(strstr(h->rs.body.data, "Write a note first."));
}

static void
login_pages_send_guests_to_login_with_next(void **state)
{
	struct harness *h = *state;

	assert_int_equal(harness_request(h, "GET", "/t/mine", NULL)->status, 303);
	assert_string_equal(harness_header(h, "Location"),
	    "/account/login?next=%2Ft%2Fmine");
	/* A mailed link's query (its token) comes back after the login. */
	assert_int_equal(harness_request(h, "GET", "/t/mine?token=ab&x=a%26b",
	    NULL)->status, 303);
	assert_string_equal(harness_header(h, "Location"),
	    "/account/login?next=%2Ft%2Fmine%3Ftoken%3Dab%26x%3Da%2526b");
	assert_int_equal(harness_request(h, "GET", "/t/admin", NULL)->status, 303);
}

static void
bad_requests_are_answered_not_crashed(void **state)
{
	struct harness *h = *state;

	assert_int_equal(harness_request(h, "GET", "/t/page?a=%zz", NULL)->status, 400);
	assert_int_equal(harness_request(h, "GET", "/t/%00", NULL)->status, 400);
	assert_int_equal(harness_request(h, "GET", "no-slash", NULL)->status, 400);
	harness_request(h, "GET", "/t/page", NULL);
	assert_int_equal(harness_request(h, "POST", "/t/note", "a=%")->status, 400);
}

static void
catalog_renders_the_demo_courses(void **state)
{
	struct harness h;

	harness_open(&h, &cart_app, 1);
	assert_int_equal(harness_request(&h, "GET", "/", NULL)->status, 200);
	assert_non_null(strstr(h.rs.body.data, "C Programming Fundamentals"));
	assert_non_null(strstr(h.rs.body.data, "$49.00"));
	assert_int_equal(harness_request(&h, "GET", "/courses?type=cohort", NULL)->status, 200);
	assert_non_null(strstr(h.rs.body.data, "Systems Design Cohort"));
	assert_null(strstr(h.rs.body.data, "C Programming Fundamentals"));
	assert_int_equal(harness_request(&h, "GET", "/courses/intro-to-git", NULL)->status, 200);
	assert_non_null(strstr(h.rs.body.data, "Branches and merges"));
	assert_non_null(strstr(h.rs.body.data, "Free"));
	harness_close(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renders_a_page_with_escaped_values_and_security_headers),
		cmocka_unit_test(answers_unknown_paths_404_and_wrong_methods_405),
		cmocka_unit_test(post_without_or_with_wrong_csrf_is_403_and_changes_nothing),
		cmocka_unit_test(post_with_the_visitors_csrf_token_runs_the_handler),
		cmocka_unit_test(a_token_from_another_visitor_is_refused),
		cmocka_unit_test(invalid_field_gives_400_in_plain_words),
		cmocka_unit_test(login_pages_send_guests_to_login_with_next),
		cmocka_unit_test(bad_requests_are_answered_not_crashed),
		cmocka_unit_test(catalog_renders_the_demo_courses),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
