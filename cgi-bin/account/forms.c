/* account: what the forms of the account pages share beyond
 * lib/form_page.h: the checks of a name, an email, a new password and the
 * current password. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "password.h"
#include "session.h"
#include "user.h"

const char msg_throttled[] = "There have been too many failed "
    "attempts. Wait 15 minutes, then try again.";
static const char msg_wrong_current[] = "That is not your current "
    "password.";

/* Checks a new password field; adds its error and returns 0 when unfit. */
int
new_password_ok(struct req *rq, struct resp *rs, const char *field,
    enum err *e)
{
	const char *pw = field_str(rq, field), *why;

	why = pw == NULL && field_bad(rq, field) ?
	    "Use at most 200 characters for your password." :
	    password_policy_error(pw);
	*e = why != NULL ? form_error(rs, field, why) : ERR_OK;
	return why == NULL;
}

/* Checks the name field; adds its error and returns 0 when unfit. */
int
name_ok(struct req *rq, struct resp *rs, enum err *e)
{
	*e = ERR_OK;
	if (field_str(rq, "name") != NULL)
		return 1;
	*e = form_error(rs, "name", field_bad(rq, "name") ? "Use at most 100 "
	    "characters, on one line." : "Enter your name.");
	return 0;
}

/* Checks the email field; adds its error and returns 0 when unfit. */
int
email_ok(struct req *rq, struct resp *rs, enum err *e)
{
	*e = ERR_OK;
	if (field_str(rq, "email") != NULL)
		return 1;
	*e = form_error(rs, "email", "Enter an email address like "
	    "name@example.com.");
	return 0;
}

/* Checks the current_password field of the user's form through the login
 * throttle; adds error_key's error and returns 0 when it does not match. */
int
current_password_ok(struct req *rq, struct resp *rs, const char *error_key,
    enum err *e)
{
	const char *pw = field_str(rq, "current_password");
	enum auth_result r = AUTH_BAD;
	int64_t id;

	*e = ERR_OK;
	if (pw != NULL && *pw != '\0' && (*e = user_authenticate(rq->w->db,
	    rq->user->email, pw, rq->remote_addr, (int64_t)time(NULL), &r,
	    &id)) != ERR_OK)
		return 0;
	if (r == AUTH_OK)
		return 1;
	*e = form_error(rs, error_key, r == AUTH_THROTTLED ? msg_throttled :
	    pw == NULL || *pw == '\0' ? "Enter your current password." :
	    msg_wrong_current);
	return 0;
}

