/* Accounts in process: registration and its validation, Argon2id hashes,
 * sessions (hashed tokens, cookie flags, no fixation, expiry, logout),
 * login throttling without revealing which emails exist, safe "next"
 * redirects, the admin gate, settings and the password change that ends
 * other sessions, create-admin, and the guest cart merged at login. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "apps.h"
#include "cart.h"
#include "db.h"
#include "harness.h"
#include "password.h"
#include "session.h"
#include "throttle.h"
#include "user.h"

#define PW "correct-horse-battery"
#define PW2 "another-long-passphrase"

/* Runs sql (a literal) with text bound to ?1 when not NULL and returns the
 * first column of the first row as an integer (-1 when there is no row). */
static int64_t
sql_int(struct harness *h, const char *sql, const char *text)
{
	struct db_stmt *st = db_prep(h->w.db, sql);
	int64_t v = -1;

	assert_non_null(st);
	if (text != NULL)
		db_bind_text(st, 1, text);
	if (db_next(st) == ERR_OK)
		v = db_col_int64(st, 0);
	db_done(st);
	return v;
}

/* Same, copying a text result into out (empty when there is no row). */
static char *
sql_text(struct harness *h, const char *sql, const char *text, char *out,
    size_t size)
{
	struct db_stmt *st = db_prep(h->w.db, sql);

	assert_non_null(st);
	out[0] = '\0';
	if (text != NULL)
		db_bind_text(st, 1, text);
	if (db_next(st) == ERR_OK)
		snprintf(out, size, "%s", db_col_text(st, 0));
	db_done(st);
	return out;
}

/* Copies the value of cookie name from the harness jar into out. */
static char *
jar_get(struct harness *h, const char *name, char *out, size_t size)
{
	const char *p = h->cookies;
	size_t n = strlen(name);

	out[0] = '\0';
	while ((p = strstr(p, name)) != NULL) {
		if ((p == h->cookies || p[-1] == ' ') && p[n] == '=') {
			snprintf(out, size, "%.*s", (int)strcspn(p + n + 1, ";"),
			    p + n + 1);
			break;
		}
		p += n;
	}
	return out;
}

/* Returns the Set-Cookie header of the last response for name, or NULL. */
static const char *
set_cookie(struct harness *h, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < h->rs.nheaders; i++)
		if (strcmp(h->rs.headers[i].name, "Set-Cookie") == 0 &&
		    strncmp(h->rs.headers[i].value, name, n) == 0 &&
		    h->rs.headers[i].value[n] == '=')
			return h->rs.headers[i].value;
	return NULL;
}

/* POSTs body (without token) to path with the CSRF token of page. */
static struct resp *
post_form(struct harness *h, const char *page, const char *path,
    const char *body)
{
	char full[2048];

	harness_request(h, "GET", page, NULL);
	snprintf(full, sizeof(full), "%s&csrf_token=%s", body, harness_csrf(h));
	return harness_request(h, "POST", path, full);
}

static struct resp *
login(struct harness *h, const char *email, const char *pw)
{
	char body[512];

	snprintf(body, sizeof(body), "email=%s&password=%s", email, pw);
	return post_form(h, "/account/login", "/account/login", body);
}

static struct resp *
register_user(struct harness *h, const char *name, const char *email,
    const char *pw)
{
	char body[512];

	snprintf(body, sizeof(body), "name=%s&email=%s&password=%s", name,
	    email, pw);
	return post_form(h, "/account/register", "/account/register", body);
}

/* Creates a user directly; returns its id. */
static int64_t
make_user(struct harness *h, const char *email, enum user_role role)
{
	int64_t id;

	assert_int_equal(user_create(h->w.db, email, "Test User", PW, role,
	    &id), ERR_OK);
	return id;
}

/* Puts a fresh session of user id into the jar (a browser logged in). */
static void
use_session(struct harness *h, int64_t id)
{
	char token[SESSION_TOKEN_HEX + 1];

	assert_int_equal(session_create(h->w.db, id, (int64_t)time(NULL),
	    token, NULL), ERR_OK);
	snprintf(h->cookies, sizeof(h->cookies), "%s=%s", SESSION_COOKIE,
	    token);
}

static int
setup(void **state)
{
	static struct harness h;

	harness_open(&h, &account_app, 1);
	*state = &h;
	return 0;
}

static int
teardown(void **state)
{
	harness_close(*state);
	return 0;
}

/* Each test starts as a new browser with no failed logins on record. */
static int
fresh_browser(void **state)
{
	struct harness *h = *state;

	h->cookies[0] = '\0';
	h->w.cfg.secure_cookies = 0;
	assert_int_equal(db_exec(h->w.db, "DELETE FROM login_attempts"),
	    ERR_OK);
	return 0;
}

static void
password_hash_is_argon2id_with_the_chosen_cost(void **state)
{
	char hash[PASSWORD_HASH_MAX];

	assert_int_equal(password_hash(PW, hash), ERR_OK);
	assert_memory_equal(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31);
	assert_true(password_verify(hash, PW));
	assert_false(password_verify(hash, PW "x"));
	assert_false(password_verify("not a hash", PW));
	assert_false(password_needs_rehash(hash));
	/* The dummy must cost what a real check costs. */
	assert_false(password_needs_rehash(password_dummy_hash));
	assert_int_equal(password_hash("short", hash), ERR_INVALID);
}

static void
password_policy_counts_characters_between_10_and_200(void **state)
{
	char long_pw[260];

	assert_non_null(password_policy_error(""));
	assert_non_null(password_policy_error("123456789"));
	assert_null(password_policy_error("1234567890"));
	/* Ten characters, twenty bytes: characters count, not bytes. */
	assert_null(password_policy_error("éééééééééé"));
	assert_non_null(password_policy_error("ééééé"));
	memset(long_pw, 'a', 201);
	long_pw[201] = '\0';
	assert_non_null(password_policy_error(long_pw));
	long_pw[200] = '\0';
	assert_null(password_policy_error(long_pw));
}

static void
register_stores_an_argon2id_hash_and_logs_in(void **state)
{
	struct harness *h = *state;
	char hash[256], token[128], stored[128];
	char want[SESSION_TOKEN_HEX + 1];

	assert_int_equal(register_user(h, "Ada", "Ada.Lovelace@Example.org",
	    PW)->status, 303);
	assert_string_equal(harness_header(h, "Location"), "/account/dashboard");
	assert_int_equal(sql_int(h, "SELECT count(*) FROM users WHERE email = ?1",
	    "ada.lovelace@example.org"), 1);
	sql_text(h, "SELECT password_hash FROM users WHERE email = ?1",
	    "ada.lovelace@example.org", hash, sizeof(hash));
	assert_memory_equal(hash, "$argon2id$", 10);
	assert_null(strstr(hash, PW));
	assert_string_equal(sql_text(h, "SELECT role FROM users WHERE email = ?1",
	    "ada.lovelace@example.org", stored, sizeof(stored)), "student");

	/* Only a hash of the session token is stored. */
	jar_get(h, SESSION_COOKIE, token, sizeof(token));
	assert_int_equal(strlen(token), SESSION_TOKEN_HEX);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM sessions "
	    "WHERE token_hash = ?1", token), 0);
	session_token_hash(token, want);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM sessions "
	    "WHERE token_hash = ?1", want), 1);

	assert_int_equal(harness_request(h, "GET", "/account/dashboard",
	    NULL)->status, 200);
	assert_non_null(strstr(h->rs.body.data, "Welcome, Ada"));
	assert_non_null(strstr(h->rs.body.data, "href=\"/account/settings\""));
}

static void
register_refuses_bad_input_next_to_the_field_and_creates_nothing(void **state)
{
	struct harness *h = *state;
	int64_t before;

	make_user(h, "taken@example.org", ROLE_STUDENT);
	before = sql_int(h, "SELECT count(*) FROM users", NULL);

	assert_int_equal(register_user(h, "Bob", "TAKEN@Example.ORG", PW)->status,
	    400);
	assert_non_null(strstr(h->rs.body.data, "id=\"email-error\">An account "
	    "with this email already exists"));
	assert_non_null(strstr(h->rs.body.data, "value=\"Bob\""));
	assert_null(strstr(h->rs.body.data, PW));

	assert_int_equal(register_user(h, "Bob", "bob@example.org",
	    "short")->status, 400);
	assert_non_null(strstr(h->rs.body.data, "id=\"password-error\">Use at "
	    "least 10 characters"));
	assert_non_null(strstr(h->rs.body.data, "value=\"bob@example.org\""));
	assert_null(strstr(h->rs.body.data, "value=\"short\""));

	assert_int_equal(register_user(h, "Bob", "not-an-email", PW)->status,
	    400);
	assert_non_null(strstr(h->rs.body.data, "id=\"email-error\">Enter an "
	    "email address"));
	assert_non_null(strstr(h->rs.body.data, "value=\"not-an-email\""));

	assert_int_equal(register_user(h, "", "bob@example.org", PW)->status,
	    400);
	assert_non_null(strstr(h->rs.body.data, "id=\"name-error\">Enter your "
	    "name"));

	assert_int_equal(sql_int(h, "SELECT count(*) FROM users", NULL), before);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM sessions "
	    "JOIN users u ON u.id = user_id WHERE u.email = ?1",
	    "taken@example.org"), 0);
}

static void
session_cookie_is_httponly_lax_and_secure_only_behind_https(void **state)
{
	struct harness *h = *state;
	const char *c;

	make_user(h, "flags@example.org", ROLE_STUDENT);
	assert_int_equal(login(h, "flags@example.org", PW)->status, 303);
	assert_non_null(c = set_cookie(h, SESSION_COOKIE));
	assert_non_null(strstr(c, "; HttpOnly"));
	assert_non_null(strstr(c, "; SameSite=Lax"));
	assert_non_null(strstr(c, "; Path=/"));
	assert_null(strstr(c, "Secure"));

	h->cookies[0] = '\0';
	h->w.cfg.secure_cookies = 1;	/* ENROLL_BASE_URL=https://... */
	harness_request(h, "GET", "/account/login", NULL);
	assert_non_null(c = set_cookie(h, "enroll_guest"));
	assert_non_null(strstr(c, "; Secure"));
	assert_int_equal(login(h, "flags@example.org", PW)->status, 303);
	assert_non_null(c = set_cookie(h, SESSION_COOKIE));
	assert_non_null(strstr(c, "; Secure"));
	assert_non_null(strstr(c, "; HttpOnly"));
	assert_non_null(strstr(c, "; SameSite=Lax"));
}

static void
login_issues_a_new_session_token_so_a_planted_one_is_worthless(void **state)
{
	struct harness *h = *state;
	static const char planted[] =
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	char first[128], second[128], guest[64], guest_after[64];
	char saved[1024];

	make_user(h, "fix@example.org", ROLE_STUDENT);
	harness_request(h, "GET", "/account/login", NULL);
	snprintf(h->cookies + strlen(h->cookies), sizeof(h->cookies) -
	    strlen(h->cookies), "; %s=%s", SESSION_COOKIE, planted);
	jar_get(h, "enroll_guest", guest, sizeof(guest));
	assert_int_equal(login(h, "fix@example.org", PW)->status, 303);
	jar_get(h, SESSION_COOKIE, first, sizeof(first));
	assert_string_not_equal(first, planted);
	assert_int_equal(strlen(first), SESSION_TOKEN_HEX);
	/* The guest id survives login, so a guest cart can still be found. */
	assert_string_equal(jar_get(h, "enroll_guest", guest_after,
	    sizeof(guest_after)), guest);

	/* Logging in again replaces the session; the old token is dead. */
	snprintf(saved, sizeof(saved), "%s", h->cookies);
	assert_int_equal(post_form(h, "/account/dashboard", "/account/login",
	    "email=fix@example.org&password=" PW)->status, 303);
	jar_get(h, SESSION_COOKIE, second, sizeof(second));
	assert_string_not_equal(first, second);
	snprintf(h->cookies, sizeof(h->cookies), "%s", saved);
	assert_int_equal(harness_request(h, "GET", "/account/dashboard",
	    NULL)->status, 303);

	snprintf(h->cookies, sizeof(h->cookies), "%s=%s", SESSION_COOKIE,
	    planted);
	assert_int_equal(harness_request(h, "GET", "/account/dashboard",
	    NULL)->status, 303);
	assert_string_equal(harness_header(h, "Location"),
	    "/account/login?next=%2Faccount%2Fdashboard");
}

static void
logout_deletes_the_session_row_and_the_cookie(void **state)
{
	struct harness *h = *state;
	char saved[1024];

	make_user(h, "bye@example.org", ROLE_STUDENT);
	assert_int_equal(login(h, "bye@example.org", PW)->status, 303);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM sessions s JOIN users u "
	    "ON u.id = s.user_id WHERE u.email = ?1", "bye@example.org"), 1);
	snprintf(saved, sizeof(saved), "%s", h->cookies);
	assert_int_equal(post_form(h, "/account/dashboard", "/account/logout",
	    "x=1")->status, 303);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM sessions s JOIN users u "
	    "ON u.id = s.user_id WHERE u.email = ?1", "bye@example.org"), 0);
	assert_non_null(strstr(set_cookie(h, SESSION_COOKIE), "Max-Age=0"));
	/* Even a browser that kept the cookie is logged out. */
	snprintf(h->cookies, sizeof(h->cookies), "%s", saved);
	assert_int_equal(harness_request(h, "GET", "/account/dashboard",
	    NULL)->status, 303);
}

static void
sessions_end_after_absolute_expiry_or_idle_time(void **state)
{
	struct harness *h = *state;
	int64_t id = make_user(h, "old@example.org", ROLE_STUDENT);
	char token[128], hash[SESSION_TOKEN_HEX + 1];
	int64_t seen;

	use_session(h, id);
	jar_get(h, SESSION_COOKIE, token, sizeof(token));
	session_token_hash(token, hash);

	/* Seen 30 s ago: no write.  Two minutes ago: last_seen moves. */
	assert_int_equal(db_exec(h->w.db, "UPDATE sessions SET last_seen = "
	    "unixepoch() - 30"), ERR_OK);
	seen = sql_int(h, "SELECT last_seen FROM sessions WHERE token_hash = ?1",
	    hash);
	assert_int_equal(harness_request(h, "GET", "/account/dashboard",
	    NULL)->status, 200);
	assert_int_equal(sql_int(h, "SELECT last_seen FROM sessions "
	    "WHERE token_hash = ?1", hash), seen);
	assert_int_equal(db_exec(h->w.db, "UPDATE sessions SET last_seen = "
	    "unixepoch() - 120"), ERR_OK);
	harness_request(h, "GET", "/account/dashboard", NULL);
	assert_true(sql_int(h, "SELECT last_seen FROM sessions "
	    "WHERE token_hash = ?1", hash) >= (int64_t)time(NULL) - 5);

	/* Idle for more than a week: gone. */
	assert_int_equal(db_exec(h->w.db, "UPDATE sessions SET last_seen = "
	    "unixepoch() - 8 * 86400"), ERR_OK);
	assert_int_equal(harness_request(h, "GET", "/account/dashboard",
	    NULL)->status, 303);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM sessions "
	    "WHERE token_hash = ?1", hash), 0);

	/* Past the absolute expiry, however active: gone. */
	use_session(h, id);
	assert_int_equal(db_exec(h->w.db, "UPDATE sessions SET expires_at = "
	    "unixepoch() - 1"), ERR_OK);
	assert_int_equal(harness_request(h, "GET", "/account/dashboard",
	    NULL)->status, 303);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM sessions "
	    "WHERE expires_at < unixepoch()", NULL), 0);
}

/* Returns the text of the login error paragraph of the last page. */
static char *
login_error(struct harness *h, char *out, size_t size)
{
	const char *p = strstr(h->rs.body.data, "id=\"login-error\"");

	out[0] = '\0';
	if (p != NULL && (p = strchr(p, '>')) != NULL)
		snprintf(out, size, "%.*s", (int)strcspn(p + 1, "<"), p + 1);
	return out;
}

static void
unknown_email_and_wrong_password_look_the_same(void **state)
{
	struct harness *h = *state;
	char wrong[256], unknown[256];
	struct timespec t0, t1, t2;
	double t_wrong, t_unknown;

	make_user(h, "real@example.org", ROLE_STUDENT);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(login(h, "real@example.org", PW2)->status, 400);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	login_error(h, wrong, sizeof(wrong));
	assert_int_equal(login(h, "nobody@example.org", PW2)->status, 400);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	login_error(h, unknown, sizeof(unknown));
	assert_true(strlen(wrong) > 10);
	assert_string_equal(wrong, unknown);
	assert_null(strstr(wrong, "registered"));
	/* Both verify a hash: an unknown email is not answered much faster
	 * (without the dummy check it would be a hundred times faster). */
	t_wrong = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	t_unknown = (double)(t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9;
	assert_true(t_unknown > t_wrong / 3);
	/* The email is kept in the form, the password is not. */
	assert_non_null(strstr(h->rs.body.data, "value=\"nobody@example.org\""));
	assert_null(strstr(h->rs.body.data, PW2));
}

static void
sixth_attempt_is_refused_even_with_the_right_password(void **state)
{
	struct harness *h = *state;
	char msg_known[256], msg_unknown[256];
	int i;

	make_user(h, "victim@example.org", ROLE_STUDENT);
	for (i = 0; i < THROTTLE_MAX_FAILS; i++)
		assert_int_equal(login(h, "victim@example.org", PW2)->status,
		    400);
	assert_int_equal(login(h, "victim@example.org", PW)->status, 429);
	login_error(h, msg_known, sizeof(msg_known));
	assert_non_null(strstr(msg_known, "too many failed attempts"));
	assert_null(set_cookie(h, SESSION_COOKIE));
	assert_int_equal(sql_int(h, "SELECT count(*) FROM sessions s JOIN users u "
	    "ON u.id = s.user_id WHERE u.email = ?1", "victim@example.org"), 0);

	/* An unknown email is throttled with the very same words. */
	assert_int_equal(db_exec(h->w.db, "DELETE FROM login_attempts"), ERR_OK);
	for (i = 0; i < THROTTLE_MAX_FAILS; i++)
		login(h, "ghost@example.org", PW2);
	assert_int_equal(login(h, "ghost@example.org", PW)->status, 429);
	login_error(h, msg_unknown, sizeof(msg_unknown));
	assert_string_equal(msg_known, msg_unknown);

	/* Once the failures are older than the window, the right password
	 * works again, and clears the email's record. */
	assert_int_equal(db_exec(h->w.db, "UPDATE login_attempts SET at = at - "
	    "15 * 60"), ERR_OK);
	assert_int_equal(login(h, "victim@example.org", PW)->status, 303);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM login_attempts "
	    "WHERE email = ?1", "victim@example.org"), 0);
}

static void
one_address_is_throttled_across_many_emails(void **state)
{
	struct harness *h = *state;
	char email[64];
	int i, blocked;

	make_user(h, "mine@example.org", ROLE_STUDENT);
	for (i = 0; i < THROTTLE_MAX_ADDR_FAILS; i++) {
		snprintf(email, sizeof(email), "guess%d@example.org", i);
		assert_int_equal(login(h, email, PW)->status, 400);
		/* A few typos from a school's address lock out no one. */
		if (i == THROTTLE_MAX_FAILS) {
			assert_int_equal(throttle_check(h->w.db,
			    "mine@example.org", "127.0.0.1", time(NULL),
			    &blocked), ERR_OK);
			assert_int_equal(blocked, 0);
		}
	}
	assert_int_equal(sql_int(h, "SELECT count(DISTINCT email) FROM "
	    "login_attempts WHERE addr = ?1", "127.0.0.1"),
	    THROTTLE_MAX_ADDR_FAILS);
	assert_int_equal(login(h, "mine@example.org", PW)->status, 429);
	assert_null(set_cookie(h, SESSION_COOKIE));
}

static void
next_only_leads_to_pages_of_this_site(void **state)
{
	static const char *const evil[] = {
		"%2F%2Fevil.example%2Fx", "https%3A%2F%2Fevil.example%2F",
		"%2F%5Cevil.example", "%5C%5Cevil.example", "evil.example",
		"%2F%09%2Fevil.example", NULL,
	};
	struct harness *h = *state;
	char body[512];

	make_user(h, "next@example.org", ROLE_STUDENT);
	for (const char *const *e = evil; *e != NULL; e++) {
		h->cookies[0] = '\0';
		snprintf(body, sizeof(body), "email=next@example.org&password="
		    PW "&next=%s", *e);
		assert_int_equal(post_form(h, "/account/login", "/account/login",
		    body)->status, 303);
		assert_string_equal(harness_header(h, "Location"),
		    "/account/dashboard");
	}
	h->cookies[0] = '\0';
	assert_int_equal(post_form(h, "/account/login", "/account/login",
	    "email=next@example.org&password=" PW "&next=%2Fcourses%2Fintro-to-git")->status,
	    303);
	assert_string_equal(harness_header(h, "Location"), "/courses/intro-to-git");

	/* The login form carries a safe next on, and drops a foreign one. */
	h->cookies[0] = '\0';
	harness_request(h, "GET", "/account/login?next=%2Faccount%2Fsettings",
	    NULL);
	assert_non_null(strstr(h->rs.body.data, "name=\"next\" value=\"/account/settings\""));
	harness_request(h, "GET", "/account/login?next=%2F%2Fevil.example", NULL);
	assert_null(strstr(h->rs.body.data, "evil.example"));
}

static void
admin_home_is_for_admins_only(void **state)
{
	struct harness a;
	int64_t student, admin;

	harness_open(&a, &admin_app, 1);
	student = make_user(&a, "student@example.org", ROLE_STUDENT);
	admin = make_user(&a, "boss@example.org", ROLE_ADMIN);

	assert_int_equal(harness_request(&a, "GET", "/admin/", NULL)->status, 303);
	assert_string_equal(harness_header(&a, "Location"),
	    "/account/login?next=%2Fadmin%2F");
	use_session(&a, student);
	assert_int_equal(harness_request(&a, "GET", "/admin/", NULL)->status, 403);
	assert_non_null(strstr(a.rs.body.data, "for administrators"));
	use_session(&a, admin);
	assert_int_equal(harness_request(&a, "GET", "/admin/", NULL)->status, 200);
	assert_non_null(strstr(a.rs.body.data, "id=\"count-users\">2<"));
	assert_non_null(strstr(a.rs.body.data, "id=\"count-admins\">1<"));
	assert_non_null(strstr(a.rs.body.data, "id=\"count-courses\">12<"));
	assert_int_equal(harness_request(&a, "GET", "/admin", NULL)->status, 200);
	harness_close(&a);
}

static void
password_change_ends_other_sessions_and_keeps_this_one(void **state)
{
	struct harness *h = *state;
	int64_t id = make_user(h, "chg@example.org", ROLE_STUDENT);
	char other[1024], hash_before[256], hash_after[256];

	use_session(h, id);
	snprintf(other, sizeof(other), "%s", h->cookies);
	h->cookies[0] = '\0';
	assert_int_equal(login(h, "chg@example.org", PW)->status, 303);
	sql_text(h, "SELECT password_hash FROM users WHERE email = ?1",
	    "chg@example.org", hash_before, sizeof(hash_before));

	/* A wrong current password: error beside it, nothing changes. */
	assert_int_equal(post_form(h, "/account/settings",
	    "/account/settings/password", "current_password=wrong%20password"
	    "&password=" PW2)->status, 400);
	assert_non_null(strstr(h->rs.body.data, "id=\"current-password-error\">"
	    "That is not your current password."));
	assert_string_equal(sql_text(h, "SELECT password_hash FROM users "
	    "WHERE email = ?1", "chg@example.org", hash_after,
	    sizeof(hash_after)), hash_before);
	/* A new password that is too short: error beside it. */
	assert_int_equal(post_form(h, "/account/settings",
	    "/account/settings/password", "current_password=" PW
	    "&password=short")->status, 400);
	assert_non_null(strstr(h->rs.body.data, "id=\"new-password-error\">Use "
	    "at least 10 characters"));

	assert_int_equal(post_form(h, "/account/settings",
	    "/account/settings/password", "current_password=" PW
	    "&password=" PW2)->status, 303);
	sql_text(h, "SELECT password_hash FROM users WHERE email = ?1",
	    "chg@example.org", hash_after, sizeof(hash_after));
	assert_string_not_equal(hash_after, hash_before);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM sessions s JOIN users u "
	    "ON u.id = s.user_id WHERE u.email = ?1", "chg@example.org"), 1);
	assert_int_equal(harness_request(h, "GET", "/account/settings",
	    NULL)->status, 200);
	snprintf(h->cookies, sizeof(h->cookies), "%s", other);
	assert_int_equal(harness_request(h, "GET", "/account/settings",
	    NULL)->status, 303);
	h->cookies[0] = '\0';
	assert_int_equal(login(h, "chg@example.org", PW)->status, 400);
	assert_int_equal(login(h, "chg@example.org", PW2)->status, 303);
}

static void
settings_change_name_and_email_with_errors_beside_fields(void **state)
{
	struct harness *h = *state;
	int64_t id = make_user(h, "me@example.org", ROLE_STUDENT);
	char out[256];

	make_user(h, "other@example.org", ROLE_STUDENT);
	use_session(h, id);
	assert_int_equal(harness_request(h, "GET", "/account/settings",
	    NULL)->status, 200);
	assert_non_null(strstr(h->rs.body.data, "value=\"me@example.org\""));
	assert_non_null(strstr(h->rs.body.data, "<label for=\"name\">"));

	assert_int_equal(post_form(h, "/account/settings",
	    "/account/settings/name", "name=Grace%20Hopper")->status, 303);
	assert_string_equal(sql_text(h, "SELECT name FROM users WHERE email = ?1",
	    "me@example.org", out, sizeof(out)), "Grace Hopper");

	/* Email: needs the current password; refills what was typed. */
	assert_int_equal(post_form(h, "/account/settings",
	    "/account/settings/email", "email=new@example.org"
	    "&current_password=nope%20nope%20nope")->status, 400);
	assert_non_null(strstr(h->rs.body.data, "id=\"email-password-error\">"
	    "That is not your current password."));
	assert_non_null(strstr(h->rs.body.data, "value=\"new@example.org\""));
	assert_int_equal(post_form(h, "/account/settings",
	    "/account/settings/email", "email=OTHER@example.org"
	    "&current_password=" PW)->status, 400);
	assert_non_null(strstr(h->rs.body.data, "id=\"email-error\">Another "
	    "account uses this email"));
	/* Accepted, the change waits for the link mailed to the new
	 * address; the old one gets a notice. */
	assert_int_equal(post_form(h, "/account/settings",
	    "/account/settings/email", "email=New@Example.org"
	    "&current_password=" PW)->status, 303);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM users "
	    "WHERE email = ?1", "me@example.org"), 1);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM outbox WHERE "
	    "to_addr = ?1 AND body LIKE '%/account/confirm-email?token=%'",
	    "new@example.org"), 1);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM outbox WHERE "
	    "to_addr = ?1 AND body LIKE '%new@example.org%' AND body NOT "
	    "LIKE '%token=%'", "me@example.org"), 1);
}

static void
account_pages_carry_the_security_headers(void **state)
{
	struct harness *h = *state;
	struct buf out = { 0 };

	harness_request(h, "GET", "/account/login", NULL);
	resp_serialize(&h->rs, 0, &out);
	assert_non_null(strstr(out.data, "Content-Security-Policy: default-src 'self'"));
	assert_non_null(strstr(out.data, "frame-ancestors 'none'"));
	assert_non_null(strstr(out.data, "X-Content-Type-Options: nosniff"));
	assert_non_null(strstr(out.data, "X-Frame-Options: DENY"));
	assert_non_null(strstr(out.data, "Referrer-Policy: same-origin"));
	assert_non_null(strstr(out.data, "<label for=\"email\">"));
	assert_non_null(strstr(out.data, "name=\"csrf_token\""));
	buf_free(&out);
}

static void
make_admin_creates_or_promotes(void **state)
{
	struct harness *h = *state;
	char hash[256], after[256], role[32];
	int created;

	assert_int_equal(user_make_admin(h->w.db, "root@example.org", "Root",
	    NULL, &created), ERR_INVALID);
	assert_int_equal(user_make_admin(h->w.db, "root@example.org", "Root",
	    PW, &created), ERR_OK);
	assert_int_equal(created, 1);
	assert_string_equal(sql_text(h, "SELECT role FROM users WHERE email = ?1",
	    "root@example.org", role, sizeof(role)), "admin");

	make_user(h, "promote@example.org", ROLE_STUDENT);
	sql_text(h, "SELECT password_hash FROM users WHERE email = ?1",
	    "promote@example.org", hash, sizeof(hash));
	assert_int_equal(user_make_admin(h->w.db, "promote@example.org", "P",
	    NULL, &created), ERR_OK);
	assert_int_equal(created, 0);
	assert_string_equal(sql_text(h, "SELECT role FROM users WHERE email = ?1",
	    "promote@example.org", role, sizeof(role)), "admin");
	assert_string_equal(sql_text(h, "SELECT password_hash FROM users "
	    "WHERE email = ?1", "promote@example.org", after, sizeof(after)),
	    hash);
	assert_int_equal(user_make_admin(h->w.db, "promote@example.org", "P",
	    "short", &created), ERR_INVALID);
	assert_int_equal(user_make_admin(h->w.db, "Bad Email", "P", PW,
	    &created), ERR_INVALID);
}

/* Puts course slug into the cart of guest (creating it). */
static void
guest_cart_add(struct harness *h, const char *guest, const char *slug)
{
	struct db_stmt *st = db_prep(h->w.db, "INSERT INTO carts (guest_id) "
	    "VALUES (?1) ON CONFLICT (guest_id) DO NOTHING");

	db_bind_text(st, 1, guest);
	assert_int_equal(db_run(st), ERR_OK);
	st = db_prep(h->w.db, "INSERT INTO cart_items (cart_id, course_id) "
	    "SELECT c.id, k.id FROM carts c, courses k WHERE c.guest_id = ?1 "
	    "AND k.slug = ?2");
	db_bind_text(st, 1, guest);
	db_bind_text(st, 2, slug);
	assert_int_equal(db_run(st), ERR_OK);
}

static int64_t
user_cart_has(struct harness *h, const char *email, const char *slug)
{
	struct db_stmt *st = db_prep(h->w.db, "SELECT count(*) FROM cart_items i "
	    "JOIN carts c ON c.id = i.cart_id JOIN users u ON u.id = c.user_id "
	    "JOIN courses k ON k.id = i.course_id WHERE u.email = ?1 "
	    "AND k.slug = ?2");
	int64_t n = -1;

	db_bind_text(st, 1, email);
	db_bind_text(st, 2, slug);
	if (db_next(st) == ERR_OK)
		n = db_col_int64(st, 0);
	db_done(st);
	return n;
}

static void
cart_merge_moves_missing_items_and_drops_the_guest_cart(void **state)
{
	struct harness *h = *state;
	int64_t id = make_user(h, "merge@example.org", ROLE_STUDENT);
	char out[64];

	guest_cart_add(h, "g1", "sql-for-analysts");
	guest_cart_add(h, "g1", "payments-engineering");
	assert_int_equal(db_exec(h->w.db, "UPDATE carts SET coupon_code = "
	    "'SAVE10' WHERE guest_id = 'g1'"), ERR_OK);
	guest_cart_add(h, "g2", "algorithms-live");	/* someone else's */
	assert_int_equal(cart_merge_guest(h->w.db, "nobody", id), ERR_OK);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM carts WHERE user_id "
	    "IS NOT NULL", NULL), 0);

	/* The user already has one of them, and another. */
	assert_int_equal(db_exec(h->w.db, "INSERT INTO carts (user_id, "
	    "coupon_code) SELECT id, 'MINE' FROM users WHERE email = "
	    "'merge@example.org'"), ERR_OK);
	assert_int_equal(db_exec(h->w.db, "INSERT INTO cart_items (cart_id, "
	    "course_id) SELECT c.id, k.id FROM carts c JOIN users u ON "
	    "u.id = c.user_id, courses k WHERE u.email = 'merge@example.org' "
	    "AND k.slug IN ('sql-for-analysts', 'testing-in-practice')"), ERR_OK);

	assert_int_equal(cart_merge_guest(h->w.db, "g1", id), ERR_OK);
	assert_int_equal(user_cart_has(h, "merge@example.org", "sql-for-analysts"), 1);
	assert_int_equal(user_cart_has(h, "merge@example.org", "payments-engineering"), 1);
	assert_int_equal(user_cart_has(h, "merge@example.org", "testing-in-practice"), 1);
	assert_int_equal(user_cart_has(h, "merge@example.org", "algorithms-live"), 0);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM carts WHERE guest_id = ?1",
	    "g1"), 0);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM cart_items i JOIN carts c "
	    "ON c.id = i.cart_id WHERE c.guest_id = ?1", "g2"), 1);
	assert_string_equal(sql_text(h, "SELECT c.coupon_code FROM carts c JOIN "
	    "users u ON u.id = c.user_id WHERE u.email = ?1", "merge@example.org",
	    out, sizeof(out)), "MINE");
}

static void
login_merges_the_guest_cart_into_the_users_cart(void **state)
{
	struct harness *h = *state;
	char guest[64];

	make_user(h, "shopper@example.org", ROLE_STUDENT);
	harness_request(h, "GET", "/account/login", NULL);
	jar_get(h, "enroll_guest", guest, sizeof(guest));
	assert_int_equal(strlen(guest), 32);
	guest_cart_add(h, guest, "web-security-essentials");
	assert_int_equal(login(h, "shopper@example.org", PW)->status, 303);
	assert_int_equal(user_cart_has(h, "shopper@example.org",
	    "web-security-essentials"), 1);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM carts WHERE guest_id = ?1",
	    guest), 0);
}

#define T(f) cmocka_unit_test_setup(f, fresh_browser)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(password_hash_is_argon2id_with_the_chosen_cost),
		T(password_policy_counts_characters_between_10_and_200),
		T(register_stores_an_argon2id_hash_and_logs_in),
		T(register_refuses_bad_input_next_to_the_field_and_creates_nothing),
		T(session_cookie_is_httponly_lax_and_secure_only_behind_https),
		T(login_issues_a_new_session_token_so_a_planted_one_is_worthless),
		T(logout_deletes_the_session_row_and_the_cookie),
		T(sessions_end_after_absolute_expiry_or_idle_time),
		T(unknown_email_and_wrong_password_look_the_same),
		T(sixth_attempt_is_refused_even_with_the_right_password),
		T(one_address_is_throttled_across_many_emails),
		T(next_only_leads_to_pages_of_this_site),
		T(admin_home_is_for_admins_only),
		T(password_change_ends_other_sessions_and_keeps_this_one),
		T(settings_change_name_and_email_with_errors_beside_fields),
		T(account_pages_carry_the_security_headers),
		T(make_admin_creates_or_promotes),
		T(cart_merge_moves_missing_items_and_drops_the_guest_cart),
		T(login_merges_the_guest_cart_into_the_users_cart),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
