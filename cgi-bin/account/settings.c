/* account: the settings page: name, email, password and time zone (its list of
 * sessions is sessions.c's). */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "session.h"
#include "tz.h"
#include "user.h"
#include "verify.h"

/* Shows the settings page with status; the forms show the user's current
 * name and email unless refill puts back what was just typed. */
static enum err
settings_page(struct req *rq, struct resp *rs, int status,
    const char *const *refill)
{
	cJSON *form;
	char *pending, *zone;
	enum err e;

	if ((e = form_refill(rq, rs, refill)) != ERR_OK ||
	    (e = sessions_add_to(rq, rs)) != ERR_OK)
		return e;
	if ((e = verify_pending(rq->w->db, rq->arena, rq->user->id,
	    time(NULL), &pending)) != ERR_OK)
		return e;
	if (pending != NULL && cJSON_AddStringToObject(rs->ctx,
	    "pending_email", pending) == NULL)
		return ERR_INTERNAL;
	if ((e = user_timezone(rq->w->db, rq->arena, rq->user->id, &zone)) !=
	    ERR_OK)
		return e;
	form = cJSON_GetObjectItemCaseSensitive(rs->ctx, "form");
	if (cJSON_AddStringToObject(rs->ctx, "school_zone", tz_name()) ==
	    NULL || (!cJSON_HasObjectItem(form, "timezone") &&
	    cJSON_AddStringToObject(form, "timezone", zone != NULL ? zone :
	    "") == NULL))
		return ERR_INTERNAL;
	if ((!cJSON_HasObjectItem(form, "name") &&
	    cJSON_AddStringToObject(form, "name", rq->user->name) == NULL) ||
	    (!cJSON_HasObjectItem(form, "email") &&
	    cJSON_AddStringToObject(form, "email", rq->user->email) == NULL))
		return ERR_INTERNAL;
	rs->status = status;
	rs->tmpl = "account/settings.html";
	return ERR_OK;
}

enum err
h_settings(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { NULL };

	return settings_page(rq, rs, 200, refill);
}

/* POST /account/settings/name: name. */
enum err
h_settings_name(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "name", NULL };
	enum err e;

	if (!name_ok(rq, rs, &e))
		return e != ERR_OK ? e : settings_page(rq, rs, 400, refill);
	if ((e = user_set_name(rq->w->db, rq->user->id,
	    field_str(rq, "name"))) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, SETTINGS_PAGE,
	    "Your name is changed.");
}

/* POST /account/settings/timezone: timezone, an IANA name, or empty for
 * the school's. */
enum err
h_settings_timezone(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "timezone", NULL };
	const char *zone = field_str(rq, "timezone");
	enum err e;

	if (field_bad(rq, "timezone") || (zone != NULL && !tz_known(zone))) {
		if ((e = form_error(rs, "timezone", "That is not a time zone "
		    "we know. Write it as the IANA names it, such as "
		    "America/New_York or Asia/Tokyo.")) != ERR_OK)
			return e;
		return settings_page(rq, rs, 400, refill);
	}
	if ((e = user_set_timezone(rq->w->db, rq->user->id, zone)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, SETTINGS_PAGE, zone != NULL ?
	    "Times are now also shown in your time zone." : "Times are shown "
	    "in the school's time zone only.");
}

/* POST /account/settings/email: email, current_password.  Nothing
 * changes yet: the new address gets a link, the current one a notice. */
enum err
h_settings_email(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "email", NULL };
	const char *email = field_str(rq, "email");
	char *done;
	enum err e;

	if (!email_ok(rq, rs, &e) ||
	    !current_password_ok(rq, rs, "email_password", &e))
		return e != ERR_OK ? e : settings_page(rq, rs, 400, refill);
	e = verify_request_change(rq->w->db, rq->user->id, email,
	    rq->w->cfg.base_url, time(NULL));
	if (e == ERR_CONFLICT || e == ERR_INVALID) {
		if ((e = form_error(rs, "email", e == ERR_CONFLICT ? "Another "
		    "account uses this email address." : "That is already "
		    "your address.")) != ERR_OK)
			return e;
		return settings_page(rq, rs, 400, refill);
	}
	if (e != ERR_OK)
		return e;
	if ((done = arena_printf(rq->arena, "We sent a link to %s. Your "
	    "address changes when you follow it; until then you log in with "
	    "%s, which we have told about the change.", email,
	    rq->user->email)) == NULL)
		return ERR_INTERNAL;
	return resp_flash_redirect(rq, rs, SETTINGS_PAGE, done);
}

/* POST /account/settings/password: current_password, password.  Every
 * session of the user ends; this browser gets a new one (a new id), so it
 * stays logged in. */
enum err
h_settings_password(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { NULL };
	enum err e;

	if (!new_password_ok(rq, rs, "password", &e) ||
	    !current_password_ok(rq, rs, "current_password", &e))
		return e != ERR_OK ? e : settings_page(rq, rs, 400, refill);
	if ((e = user_set_password(rq->w->db, rq->user->id,
	    field_str(rq, "password"), 0)) != ERR_OK ||
	    (e = session_start(rq, rs, rq->user->id)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, SETTINGS_PAGE, "Your password is "
	    "changed. Everywhere else you were logged in, you are now logged "
	    "out.");
}

const struct field timezone_fields[] = {
	{ "timezone", F_LINE, 64 },
	{ NULL, 0, 0 },
};

const struct field name_fields[] = {
	{ "name", F_LINE, USER_NAME_MAX },
	{ NULL, 0, 0 },
};

const struct field email_fields[] = {
	F_EMAIL_FIELD,
	{ "current_password", F_PASSWORD, 1024 },
	{ NULL, 0, 0 },
};

const struct field password_fields[] = {
	{ "current_password", F_PASSWORD, 1024 },
	{ "password", F_PASSWORD, 1024 },
	{ NULL, 0, 0 },
};

