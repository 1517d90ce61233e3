/* account: a forgotten password.  The request form answers the same words
 * whatever the address (lib/recovery.c does the same work either way);
 * the link from the mail shows a new-password form, and setting it ends
 * every session of the account and logs the person in afresh. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "recovery.h"
#include "session.h"
#include "user.h"

static const char msg_link_dead[] = "This link has expired or has already "
    "been used. Ask for a new one below; it works for one hour.";

/* GET /account/forgot-password: the form, with ?email= put in. */
enum err
h_forgot_form(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "email", NULL };

	return form_again(rq, rs, "account/forgot.html", 200, refill);
}

/* POST /account/forgot-password: email.  The same answer whether or not
 * an account uses the address, and whether or not the throttle let a
 * mail go. */
enum err
h_forgot(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "email", NULL };
	enum err e;

	if (!email_ok(rq, rs, &e))
		return e != ERR_OK ? e : form_again(rq, rs,
		    "account/forgot.html", 400, refill);
	if ((e = recovery_request(rq->w->db, field_str(rq, "email"),
	    rq->remote_addr, rq->w->cfg.base_url, time(NULL))) != ERR_OK)
		return e;
	return form_again(rq, rs, "account/forgot_sent.html", 200, refill);
}

/* Shows the new-password form for token (kept in a hidden field), or the
 * request form with msg_link_dead when the link is not live. */
static enum err
reset_page(struct req *rq, struct resp *rs, int status)
{
	static const char *const none[] = { NULL };
	const char *token = field_str(rq, "token");
	cJSON *ctx;
	int64_t user_id;
	enum err e;

	e = recovery_check(rq->w->db, rq->arena, token, time(NULL), &user_id);
	if (e == ERR_NOTFOUND) {
		if ((e = form_error(rs, "email", msg_link_dead)) != ERR_OK)
			return e;
		return form_again(rq, rs, "account/forgot.html",
		    status == 200 ? 200 : 400, none);
	}
	if (e != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    cJSON_AddStringToObject(ctx, "token", token) == NULL)
		return ERR_INTERNAL;
	return form_again(rq, rs, "account/reset.html", status, none);
}

/* GET /account/reset-password?token=: the link from the mail.  Only
 * reads: a mail scanner that follows the link uses nothing up. */
enum err
h_reset_form(struct req *rq, struct resp *rs)
{
	return reset_page(rq, rs, 200);
}

/* POST /account/reset-password: token, password. */
enum err
h_reset(struct req *rq, struct resp *rs)
{
	int64_t user_id;
	enum err e;

	if (!new_password_ok(rq, rs, "password", &e))
		return e != ERR_OK ? e : reset_page(rq, rs, 400);
	e = recovery_reset(rq->w->db, rq->arena, field_str(rq, "token"),
	    field_str(rq, "password"), time(NULL), &user_id);
	if (e == ERR_NOTFOUND)
		return reset_page(rq, rs, 400);
	if (e == ERR_OK && (e = account_sign_in(rq, rs, user_id)) ==
	    ERR_FORBIDDEN)
		return resp_flash_redirect(rq, rs, "/account/login", "Your new "
		    "password is set, but this account is disabled: the school "
		    "turned it off, so it cannot log in.");
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, HOME_PAGE, "Your new password is "
	    "set and you are logged in. Everywhere else you were logged in, "
	    "you are now logged out.");
}

const struct field forgot_fields[] = {
	F_EMAIL_FIELD,
	{ NULL, 0, 0 },
};

const struct field reset_fields[] = {
	{ "token", F_TOKEN, 128 },
	{ "password", F_PASSWORD, 1024 },
	{ NULL, 0, 0 },
};
