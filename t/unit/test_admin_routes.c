/* Every admin route refuses everyone but an admin: walks the admin
 * program's route table (never a hand-picked list) and sends each route
 * every method, as a guest and as a student, the POSTs with the sender's
 * own valid CSRF token and the fields the route declares, so that only the
 * role check stands between the request and the handler.  A guest is sent
 * to the login page (a method the route lacks gets a 405); a student gets
 * the 403 page in plain words; neither changes a row (db_watch).  An admin
 * gets past the check.  Routes added later are walked without touching
 * this file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "apps.h"
#include "db.h"
#include "harness.h"
#include "session.h"
#include "user.h"

static const char guest_cookie[] =
    "enroll_guest=0123456789abcdef0123456789abcdef";

/* Counts the rows the worker's connection changes. */
static void
on_change(void *arg, const char *table, enum db_change op, uint64_t cols)
{
	int *changes = arg;

	(void)table;
	(void)op;
	(void)cols;
	(*changes)++;
}

/* Sends method to r's path as the browser holding cookies, with the
 * route's declared fields and a valid CSRF token for that browser (the
 * token of the last page it read).  Fails when any row changed. */
static void
send(struct harness *h, const struct route *r, const char *method,
    const char *cookies)
{
	char path[512], fields[1024], uri[1600], body[1400];
	int changes = 0;

	harness_path_fill(r->pattern, path, sizeof(path));
	harness_fields_fill(r->fields, fields, sizeof(fields));
	/* A page of the cart program hands this browser its token. */
	snprintf(h->cookies, sizeof(h->cookies), "%s", cookies);
	if (strcmp(method, "POST") == 0) {
		snprintf(body, sizeof(body), "%s%scsrf_token=%s", fields,
		    fields[0] ? "&" : "", h->csrf);
		snprintf(uri, sizeof(uri), "%s", path);
	} else
		snprintf(uri, sizeof(uri), "%s%s%s", path, fields[0] ? "?" :
		    "", fields);
	db_watch(h->w.db, on_change, &changes);
	harness_request(h, method, uri, strcmp(method, "POST") == 0 ? body :
	    NULL);
	db_watch(h->w.db, NULL, NULL);
	if (changes != 0)
		fail_msg("%s %s as %s changed %d rows", method, r->pattern,
		    cookies, changes);
}

/* Whether location is login (the login page with next = the path) and,
 * for a GET, the query sent, escaped after it. */
static int
back_to(const char *location, const char *login, const char *method)
{
	size_t n = strlen(login);

	if (location == NULL || strncmp(location, login, n) != 0)
		return 0;
	return location[n] == '\0' || (strcmp(method, "GET") == 0 &&
	    strncmp(location + n, "%3F", 3) == 0);
}

/* Whether a route of the table with r's pattern answers method (GET
 * routes answer HEAD too): a page and its form may share a path. */
static int
route_takes(const struct route *r, const char *method)
{
	enum method want = strcmp(method, "POST") == 0 ? METHOD_POST :
	    METHOD_GET;

	for (size_t i = 0; i < admin_app.nroutes; i++)
		if (admin_app.routes[i].method == want &&
		    strcmp(admin_app.routes[i].pattern, r->pattern) == 0)
			return 1;
	return 0;
}

static void
every_admin_route_refuses_guests_and_students(void **state)
{
	static const char *const methods[] = { "GET", "HEAD", "POST" };
	struct harness h;
	char student[1024], admin[1024], token[SESSION_TOKEN_HEX + 1];
	char path[512], login[600];
	int64_t student_id, admin_id;
	size_t checked = 0;

	(void)state;
	harness_open(&h, &admin_app, 1);
	assert_int_equal(user_create(h.w.db, "student@example.org", "Stu",
	    "student-password-123", ROLE_STUDENT, &student_id), ERR_OK);
	assert_int_equal(user_create(h.w.db, "boss@example.org", "Boss",
	    "admin-password-123", ROLE_ADMIN, &admin_id), ERR_OK);
	assert_int_equal(session_create(h.w.db, student_id,
	    (int64_t)time(NULL), token, NULL), ERR_OK);
	snprintf(student, sizeof(student), "%s; %s=%s", guest_cookie,
	    SESSION_COOKIE, token);
	assert_int_equal(session_create(h.w.db, admin_id,
	    (int64_t)time(NULL), token, NULL), ERR_OK);
	snprintf(admin, sizeof(admin), "%s; %s=%s", guest_cookie,
	    SESSION_COOKIE, token);

	for (size_t i = 0; i < admin_app.nroutes; i++) {
		const struct route *r = &admin_app.routes[i];

		if (!(r->flags & R_ADMIN))
			fail_msg("%s is not marked R_ADMIN", r->pattern);
		harness_path_fill(r->pattern, path, sizeof(path));
		for (size_t m = 0; m < NELEM(methods); m++) {
			int takes = route_takes(r, methods[m]);

			harness_token_for(&h, guest_cookie, h.csrf,
			    sizeof(h.csrf));
			send(&h, r, methods[m], guest_cookie);
			if (!takes) {
				if (h.rs.status != 405 && h.rs.status != 404)
					fail_msg("%s %s: %d, not 405",
					    methods[m], r->pattern, h.rs.status);
				continue;
			}
			snprintf(login, sizeof(login), "/account/login?next=");
			for (const char *p = path; *p; p++)
				snprintf(login + strlen(login), sizeof(login) -
				    strlen(login), *p == '/' ? "%%2F" : "%c", *p);
			/* A GET comes back with its query (escaped). */
			if (h.rs.status != 303 || !back_to(harness_header(&h,
			    "Location"), login, methods[m]))
				fail_msg("%s %s as a guest: %d, not the login "
				    "page", methods[m], r->pattern,
				    h.rs.status);

			harness_token_for(&h, student, h.csrf, sizeof(h.csrf));
			send(&h, r, methods[m], student);
			if (h.rs.status != 403 || (methods[m][0] != 'H' &&
			    strstr(h.rs.body.data, "for administrators") ==
			    NULL))
				fail_msg("%s %s as a student: %d, not the "
				    "403 page", methods[m], r->pattern,
				    h.rs.status);

			/* The control: an admin gets past the role check. */
			harness_token_for(&h, admin, h.csrf, sizeof(h.csrf));
			snprintf(h.cookies, sizeof(h.cookies), "%s", admin);
			harness_request(&h, "GET", path, NULL);
			if (h.rs.status == 403 && h.rs.body.data != NULL &&
			    strstr(h.rs.body.data, "for administrators"))
				fail_msg("GET %s refused an admin", path);
			checked++;
		}
	}
	harness_close(&h);
	printf("# admin: %zu route and method pairs refused\n", checked);
	assert_true(checked >= admin_app.nroutes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_admin_route_refuses_guests_and_students),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
