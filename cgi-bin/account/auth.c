/* account: login, registration and logout.  Handlers read declared
 * fields, call lib/user.c and lib/session.c, and re-show a form with the
 * error next to its field when the input is not usable. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "cart.h"
#include "session.h"
#include "log.h"
#include "user.h"
#include "verify.h"

static const char msg_login_bad[] = "That email and password do not match "
    "an account. Check both and try again.";
static const char msg_disabled[] = "This account is disabled: the school "
    "turned it off, so it cannot log in. Write to the school if you think "
    "this is a mistake.";

/* Returns the same-site page to go to after login: next, or home. */
static const char *
next_page(const struct req *rq)
{
	return req_safe_next(field_str(rq, "next"), HOME_PAGE);
}

enum err
account_sign_in(struct req *rq, struct resp *rs, int64_t id)
{
	enum err e;

	if ((e = cart_merge_guest(rq->w->db, session_guest_id(rq), id)) !=
	    ERR_OK || (e = session_start(rq, rs, id)) != ERR_OK)
		return e;
	return ERR_OK;
}

/* Logs the visitor in as user id and sends the browser on to next. */
static enum err
sign_in(struct req *rq, struct resp *rs, int64_t id)
{
	enum err e;

	if ((e = account_sign_in(rq, rs, id)) != ERR_OK)
		return e;
	return resp_redirect(rs, next_page(rq));
}

/* GET /account/login and /account/register: the empty form. */
static enum err
show_entry_form(struct req *rq, struct resp *rs, const char *tmpl)
{
	static const char *const refill[] = { NULL };
	cJSON *ctx;

	if (rq->user != NULL)
		return resp_redirect(rs, next_page(rq));
	if ((ctx = resp_ctx(rs)) == NULL ||
	    cJSON_AddStringToObject(ctx, "next", req_safe_next(field_str(rq,
	    "next"), "")) == NULL)
		return ERR_INTERNAL;
	return form_again(rq, rs, tmpl, 200, refill);
}

enum err
h_login_form(struct req *rq, struct resp *rs)
{
	return show_entry_form(rq, rs, "account/login.html");
}

enum err
h_register_form(struct req *rq, struct resp *rs)
{
	return show_entry_form(rq, rs, "account/register.html");
}

/* Re-shows the login form with message; next is kept. */
static enum err
login_again(struct req *rq, struct resp *rs, int status, const char *message)
{
	static const char *const refill[] = { "email", NULL };
	cJSON *ctx = resp_ctx(rs);
	enum err e;

	if (ctx == NULL || cJSON_AddStringToObject(ctx, "next",
	    req_safe_next(field_str(rq, "next"), "")) == NULL)
		return ERR_INTERNAL;
	if ((e = form_error(rs, "login", message)) != ERR_OK)
		return e;
	return form_again(rq, rs, "account/login.html", status, refill);
}

/* POST /account/login: email, password, next. */
enum err
h_login(struct req *rq, struct resp *rs)
{
	const char *email = field_str(rq, "email");
	const char *password = field_str(rq, "password");
	enum auth_result r;
	int64_t id;
	enum err e;

	if (email == NULL || password == NULL || *password == '\0')
		return login_again(rq, rs, 400, "Enter your email address and "
		    "your password.");
	if ((e = user_authenticate(rq->w->db, email, password,
	    rq->remote_addr, (int64_t)time(NULL), &r, &id)) != ERR_OK)
		return e;
	if (r == AUTH_THROTTLED)
		return login_again(rq, rs, 429, msg_throttled);
	if (r == AUTH_DISABLED)
		return login_again(rq, rs, 403, msg_disabled);
	if (r != AUTH_OK)
		return login_again(rq, rs, 400, msg_login_bad);
	return sign_in(rq, rs, id);
}

/* POST /account/register: name, email, password, next. */
enum err
h_register(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "name", "email", NULL };
	cJSON *ctx;
	int ok;
	int64_t id;
	enum err e, e1, e2, e3;

	/* & rather than &&: every field's error is shown at once. */
	ok = name_ok(rq, rs, &e1) & email_ok(rq, rs, &e2) &
	    new_password_ok(rq, rs, "password", &e3);
	if (e1 != ERR_OK || e2 != ERR_OK || e3 != ERR_OK)
		return ERR_INTERNAL;
	if (ok) {
		e = user_create(rq->w->db, field_str(rq, "email"),
		    field_str(rq, "name"), field_str(rq, "password"),
		    ROLE_STUDENT, &id);
		if (e == ERR_OK) {
			/* The account is made: a welcome that fails to queue
			 * is logged, and the dashboard offers to send it. */
			if ((e = verify_welcome(rq->w->db, id,
			    rq->w->cfg.base_url, time(NULL))) != ERR_OK)
				log_error(rq->request_id, "welcome mail for "
				    "user %lld: %s", (long long)id, err_str(e));
			return sign_in(rq, rs, id);
		}
		if (e != ERR_CONFLICT)
			return e;
		if ((e = form_error(rs, "email", "An account with this email "
		    "already exists. Log in instead, or use another email.")) !=
		    ERR_OK)
			return e;
	}
	if ((ctx = resp_ctx(rs)) == NULL || cJSON_AddStringToObject(ctx,
	    "next", req_safe_next(field_str(rq, "next"), "")) == NULL)
		return ERR_INTERNAL;
	return form_again(rq, rs, "account/register.html", 400, refill);
}

/* POST /account/logout. */
enum err
h_logout(struct req *rq, struct resp *rs)
{
	enum err e;

	if (rq->user == NULL)
		return resp_redirect(rs, "/");
	if ((e = session_end(rq, rs)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/", "You are logged out.");
}

const struct field next_fields[] = {
	F_NEXT_FIELD,
	{ NULL, 0, 0 },
};

const struct field login_fields[] = {
	F_EMAIL_FIELD,
	{ "password", F_PASSWORD, 1024 },
	F_NEXT_FIELD,
	{ NULL, 0, 0 },
};

const struct field register_fields[] = {
	{ "name", F_LINE, USER_NAME_MAX },
	F_EMAIL_FIELD,
	{ "password", F_PASSWORD, 1024 },
	F_NEXT_FIELD,
	{ NULL, 0, 0 },
};

