/* account: confirming an email address.  The link from the mail shows
 * what it confirms and a button; only the button's POST changes the
 * address (a mail scanner following the link changes nothing).  A
 * logged-in user whose address is not confirmed can have the link sent
 * again. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "session.h"
#include "verify.h"

static const char msg_link_dead[] = "This link has expired or has already "
    "been used.";

/* Shows the confirmation page of token: its address and the button, or
 * why it cannot be used (error), with status. */
static enum err
confirm_page(struct req *rq, struct resp *rs, int status, const char *error)
{
	const char *token = field_str(rq, "token");
	cJSON *ctx = resp_ctx(rs);
	int64_t user_id;
	char *email;
	enum err e;

	if (ctx == NULL)
		return ERR_INTERNAL;
	rs->status = status;
	rs->tmpl = "account/confirm_email.html";
	if (error != NULL)
		return cJSON_AddStringToObject(ctx, "problem", error) != NULL ?
		    ERR_OK : ERR_INTERNAL;
	e = verify_check(rq->w->db, rq->arena, token, time(NULL), &user_id,
	    &email);
	if (e == ERR_NOTFOUND)
		return confirm_page(rq, rs, status, msg_link_dead);
	if (e != ERR_OK)
		return e;
	if (cJSON_AddStringToObject(ctx, "token", token) == NULL ||
	    cJSON_AddStringToObject(ctx, "email", email) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

/* GET /account/confirm-email?token=: the link from the mail. */
enum err
h_confirm_form(struct req *rq, struct resp *rs)
{
	return confirm_page(rq, rs, 200, NULL);
}

/* POST /account/confirm-email: token. */
enum err
h_confirm(struct req *rq, struct resp *rs)
{
	int64_t user_id;
	char *email, *done;
	enum err e;

	e = verify_confirm(rq->w->db, rq->arena, field_str(rq, "token"),
	    time(NULL), &user_id, &email);
	if (e == ERR_NOTFOUND)
		return confirm_page(rq, rs, 400, msg_link_dead);
	if (e == ERR_CONFLICT)
		return confirm_page(rq, rs, 409, "Another account uses this "
		    "address now, so it cannot become yours. Your address is "
		    "unchanged.");
	if (e != ERR_OK)
		return e;
	if ((done = arena_printf(rq->arena, "Your email address is confirmed: "
	    "it is %s.", email)) == NULL)
		return ERR_INTERNAL;
	if (rq->user != NULL && rq->user->id == user_id)
		return resp_flash_redirect(rq, rs, SETTINGS_PAGE, done);
	return resp_flash_redirect(rq, rs, rq->user != NULL ? HOME_PAGE :
	    "/account/login", done);
}

/* POST /account/verify-email/resend: a new link for the pending change,
 * or for the current address. */
enum err
h_verify_resend(struct req *rq, struct resp *rs)
{
	int sent;
	enum err e;

	if ((e = verify_resend(rq->w->db, rq->user->id, rq->remote_addr,
	    rq->w->cfg.base_url, time(NULL), &sent)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, SETTINGS_PAGE, sent ? "We sent a "
	    "new link. It works for 24 hours." : "We have sent several links "
	    "in the last hour. Look for them in your mail (and its spam "
	    "folder), or ask again in an hour.");
}

const struct field confirm_fields[] = {
	{ "token", F_TOKEN, 128 },
	{ NULL, 0, 0 },
};
