/* account: login, registration, logout, the student's dashboard and
 * settings; later the student's courses, learning pages, wishlist,
 * billing, orders, team seats and bookings.  Handlers read declared
 * fields, call lib/user.c and lib/session.c, and re-show a form with the
 * error next to its field when the input is not usable. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "apps.h"
#include "cart.h"
#include "cart_items.h"
#include "checkout.h"
#include "enrollment.h"
#include "order.h"
#include "password.h"
#include "server.h"
#include "session.h"
#include "url.h"
#include "user.h"
#include "view.h"

#define HOME_PAGE "/account/dashboard"
#define SETTINGS_PAGE "/account/settings"

static const char msg_login_bad[] = "That email and password do not match "
    "an account. Check both and try again.";
static const char msg_throttled[] = "There have been too many failed "
    "attempts. Wait 15 minutes, then try again.";
static const char msg_wrong_current[] = "That is not your current "
    "password.";

/* Adds errors[field] = message to the page's context. */
static enum err
form_error(struct resp *rs, const char *field, const char *message)
{
	cJSON *ctx = resp_ctx(rs), *errors;

	if (ctx == NULL)
		return ERR_INTERNAL;
	if ((errors = cJSON_GetObjectItemCaseSensitive(ctx, "errors")) == NULL &&
	    (errors = cJSON_AddObjectToObject(ctx, "errors")) == NULL)
		return ERR_INTERNAL;
	return cJSON_AddStringToObject(errors, field, message) != NULL ?
	    ERR_OK : ERR_INTERNAL;
}

/* Puts the value sent for each of the NULL-terminated names back into
 * form[name] (never a password), so a re-shown form keeps what was typed. */
static enum err
form_refill(struct req *rq, struct resp *rs, const char *const *names)
{
	cJSON *ctx = resp_ctx(rs), *form;
	const char *v;

	if (ctx == NULL || (form = cJSON_AddObjectToObject(ctx, "form")) == NULL)
		return ERR_INTERNAL;
	for (; *names != NULL; names++) {
		v = field_str(rq, *names);
		if (v == NULL)
			v = field_raw(rq, *names);
		if (v != NULL && cJSON_AddStringToObject(form, *names, v) == NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Shows tmpl again with status (400 for unusable input, 429 throttled). */
static enum err
form_again(struct req *rq, struct resp *rs, const char *tmpl, int status,
    const char *const *refill)
{
	enum err e;

	if ((e = form_refill(rq, rs, refill)) != ERR_OK)
		return e;
	rs->status = status;
	rs->tmpl = tmpl;
	return ERR_OK;
}

/* Returns the same-site page to go to after login: next, or home. */
static const char *
next_page(const struct req *rq)
{
	return req_safe_next(field_str(rq, "next"), HOME_PAGE);
}

/* Logs the visitor in as user id: the guest cart joins the user's cart,
 * a new session starts, and the browser goes on to next. */
static enum err
sign_in(struct req *rq, struct resp *rs, int64_t id)
{
	enum err e;

	if ((e = cart_merge_guest(rq->w->db, session_guest_id(rq), id)) !=
	    ERR_OK || (e = session_start(rq, rs, id)) != ERR_OK)
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

static enum err
h_login_form(struct req *rq, struct resp *rs)
{
	return show_entry_form(rq, rs, "account/login.html");
}

static enum err
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
static enum err
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
	if (r != AUTH_OK)
		return login_again(rq, rs, 400, msg_login_bad);
	return sign_in(rq, rs, id);
}

/* Checks a new password field; adds its error and returns 0 when unfit. */
static int
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
static int
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
static int
email_ok(struct req *rq, struct resp *rs, enum err *e)
{
	*e = ERR_OK;
	if (field_str(rq, "email") != NULL)
		return 1;
	*e = form_error(rs, "email", "Enter an email address like "
	    "name@example.com.");
	return 0;
}

/* POST /account/register: name, email, password, next. */
static enum err
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
		if (e == ERR_OK)
			return sign_in(rq, rs, id);
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
static enum err
h_logout(struct req *rq, struct resp *rs)
{
	enum err e;

	if (rq->user == NULL)
		return resp_redirect(rs, "/");
	if ((e = session_end(rq, rs)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/", "You are logged out.");
}

/* GET /account/dashboard. */
static enum err
h_dashboard(struct req *rq, struct resp *rs)
{
	if (resp_ctx(rs) == NULL)
		return ERR_INTERNAL;
	rs->tmpl = "account/dashboard.html";
	return ERR_OK;
}

/* Shows the settings page with status; the forms show the user's current
 * name and email unless refill puts back what was just typed. */
static enum err
settings_page(struct req *rq, struct resp *rs, int status,
    const char *const *refill)
{
	cJSON *form;
	enum err e;

	if ((e = form_refill(rq, rs, refill)) != ERR_OK)
		return e;
	form = cJSON_GetObjectItemCaseSensitive(rs->ctx, "form");
	if ((!cJSON_HasObjectItem(form, "name") &&
	    cJSON_AddStringToObject(form, "name", rq->user->name) == NULL) ||
	    (!cJSON_HasObjectItem(form, "email") &&
	    cJSON_AddStringToObject(form, "email", rq->user->email) == NULL))
		return ERR_INTERNAL;
	rs->status = status;
	rs->tmpl = "account/settings.html";
	return ERR_OK;
}

static enum err
h_settings(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { NULL };

	return settings_page(rq, rs, 200, refill);
}

/* POST /account/settings/name: name. */
static enum err
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

/* Checks the current_password field of the user's form through the login
 * throttle; adds error_key's error and returns 0 when it does not match. */
static int
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

/* POST /account/settings/email: email, current_password. */
static enum err
h_settings_email(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { "email", NULL };
	enum err e;

	if (!email_ok(rq, rs, &e) ||
	    !current_password_ok(rq, rs, "email_password", &e))
		return e != ERR_OK ? e : settings_page(rq, rs, 400, refill);
	e = user_set_email(rq->w->db, rq->user->id, field_str(rq, "email"));
	if (e == ERR_CONFLICT) {
		if ((e = form_error(rs, "email", "Another account uses this "
		    "email address.")) != ERR_OK)
			return e;
		return settings_page(rq, rs, 400, refill);
	}
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, SETTINGS_PAGE,
	    "Your email address is changed.");
}

/* POST /account/settings/password: current_password, password.  Every
 * other session of the user ends; this one stays. */
static enum err
h_settings_password(struct req *rq, struct resp *rs)
{
	static const char *const refill[] = { NULL };
	enum err e;

	if (!new_password_ok(rq, rs, "password", &e) ||
	    !current_password_ok(rq, rs, "current_password", &e))
		return e != ERR_OK ? e : settings_page(rq, rs, 400, refill);
	if ((e = user_set_password(rq->w->db, rq->user->id,
	    field_str(rq, "password"), session_current_id(rq))) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, SETTINGS_PAGE, "Your password is "
	    "changed. Everywhere else you were logged in, you are now logged "
	    "out.");
}

/* Field sizes: an email fits RFC 5321; a password field takes more than
 * the policy allows so that the policy, not the validator, explains. */
#define F_EMAIL_FIELD { "email", F_EMAIL, USER_EMAIL_MAX }
#define F_NEXT_FIELD { "next", F_LINE, 2000 }

static const struct field next_fields[] = {
	F_NEXT_FIELD,
	{ NULL, 0, 0 },
};

static const struct field login_fields[] = {
	F_EMAIL_FIELD,
	{ "password", F_PASSWORD, 1024 },
	F_NEXT_FIELD,
	{ NULL, 0, 0 },
};

static const struct field register_fields[] = {
	{ "name", F_LINE, USER_NAME_MAX },
	F_EMAIL_FIELD,
	{ "password", F_PASSWORD, 1024 },
	F_NEXT_FIELD,
	{ NULL, 0, 0 },
};

static const struct field name_fields[] = {
	{ "name", F_LINE, USER_NAME_MAX },
	{ NULL, 0, 0 },
};

static const struct field email_fields[] = {
	F_EMAIL_FIELD,
	{ "current_password", F_PASSWORD, 1024 },
	{ NULL, 0, 0 },
};

static const struct field password_fields[] = {
	{ "current_password", F_PASSWORD, 1024 },
	{ "password", F_PASSWORD, 1024 },
	{ NULL, 0, 0 },
};

#define ORDERS_PER_PAGE 20
#define COURSES_PER_PAGE 20

/* Adds to ctx, for the orders page under filter f: "show" (the filter's
 * name) and, for the default list, "hidden": how many unfinished
 * checkouts it leaves out. */
static enum err
orders_filter_ctx(struct req *rq, cJSON *ctx, enum order_filter f)
{
	int64_t hidden = 0;
	enum err e;

	cJSON_AddStringToObject(ctx, "show", order_filter_name(f));
	if (f == ORDERS_SETTLED && (e = order_count(rq->w->db, rq->user->id,
	    ORDERS_UNFINISHED, &hidden)) != ERR_OK)
		return e;
	cJSON_AddNumberToObject(ctx, "hidden", (double)hidden);
	return ERR_OK;
}

/* GET /payment/orders?show=: the user's orders, newest first; paid and
 * refunded ones unless show asks for the unfinished or all. */
static enum err
h_orders(struct req *rq, struct resp *rs)
{
	const char *show = field_str(rq, "show");
	const char *filters[] = { "show", show, NULL };
	enum order_filter f = ORDERS_SETTLED;
	struct order *os;
	int64_t page;
	size_t n;
	int more;
	cJSON *ctx, *arr, *o;
	enum err e;

	if (field_bad(rq, "show") || (show != NULL &&
	    !order_filter_of(show, &f)) || field_page(rq, &page) != ERR_OK) {
		rs->message = "There is no such list of orders. Choose one "
		    "from the list.";
		return ERR_INVALID;
	}
	if ((e = order_list(rq->w->db, rq->arena, rq->user->id, f, page,
	    ORDERS_PER_PAGE, &os, &n, &more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (arr = cJSON_AddArrayToObject(ctx, "orders")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = view_order(rq->arena, &os[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	if ((e = orders_filter_ctx(rq, ctx, f)) != ERR_OK ||
	    (e = view_pager(rq->arena, ctx, "/payment/orders", filters, page,
	    more)) != ERR_OK)
		return e;
	rs->tmpl = "payment/orders.html";
	return ERR_OK;
}

/* Returns "/payment/order/<id>" in the arena (NULL on OOM). */
static const char *
order_page(struct req *rq, int64_t id)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "/payment/order/%lld", (long long)id);
	return arena_strdup(rq->arena, buf);
}

/* POST /payment/order/<id>/continue: an unpaid order goes on: to Stripe's
 * page while its checkout is open, else its courses go back into the
 * cart, from where the student checks out again. */
static enum err
h_order_continue(struct req *rq, struct resp *rs)
{
	enum cart_add_result refused;
	struct order o;
	size_t added;
	enum err e;

	if ((e = order_load(rq->w->db, rq->arena, rq->id, rq->user->id, &o)) !=
	    ERR_OK)
		return e;
	if (order_status_settled(o.status))
		return resp_flash_redirect(rq, rs, order_page(rq, o.id),
		    "This order is paid: there is nothing to continue.");
	if (order_payable(&o, (int64_t)time(NULL)))
		return resp_redirect(rs, o.session_url);
	if ((e = cart_take_order(rq->w->db, &o, &added, &refused)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/cart",
	    refused != CART_ADD_MAX ? cart_add_message(refused) :
	    "The order's courses are in your cart again: check out when you "
	    "are ready.");
}

/* POST /payment/order/<id>/drop: the student no longer wants an unpaid
 * order: an open checkout is closed at Stripe and cancelled (so it cannot
 * be paid later), and the order's courses leave the cart. */
static enum err
h_order_drop(struct req *rq, struct resp *rs)
{
	struct order o;
	int paid = 0, removed;
	enum err e;

	if ((e = order_load(rq->w->db, rq->arena, rq->id, rq->user->id, &o)) !=
	    ERR_OK)
		return e;
	if (order_status_settled(o.status))
		return resp_flash_redirect(rq, rs, order_page(rq, o.id),
		    "A paid order cannot be dropped. For a refund, write to us "
		    "with its number.");
	if (o.status == ORDER_PENDING) {
		e = checkout_cancel(rq->w->db, worker_stripe(rq->w), rq->arena,
		    rq->user->id, rq->w->cfg.base_url, time(NULL), &paid);
		if (e == ERR_UPSTREAM)
			rs->message = "We could not reach the payment service to "
			    "close your checkout. Nothing was charged; please "
			    "try again in a minute.";
		if (e != ERR_OK)
			return e;
		if (paid)
			return resp_flash_redirect(rq, rs, order_page(rq, o.id),
			    "Your payment had already gone through: this is "
			    "your receipt.");
	}
	if ((e = cart_drop_order(rq->w->db, &o, &removed)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/orders", "The order is "
	    "dropped: nothing was charged, and its courses are out of your "
	    "cart.");
}

/* GET /payment/order/<id>: the receipt of a paid order, or what became
 * of an unpaid one; anyone else's order is a 404. */
static enum err
h_order(struct req *rq, struct resp *rs)
{
	struct order o;
	cJSON *ctx, *v;
	enum err e;

	if ((e = order_load(rq->w->db, rq->arena, rq->id, rq->user->id, &o)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (v = view_order(rq->arena, &o)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddItemToObject(ctx, "order", v);
	rs->tmpl = "payment/order.html";
	return ERR_OK;
}

/* GET /account/my-courses: the courses the student can open. */
static enum err
h_my_courses(struct req *rq, struct resp *rs)
{
	struct course *cs;
	int64_t page;
	size_t n;
	int more;
	cJSON *ctx, *arr, *o;
	enum err e;

	if ((e = field_page(rq, &page)) != ERR_OK)
		return e;
	if ((e = enrollment_list(rq->w->db, rq->arena, rq->user->id, page,
	    COURSES_PER_PAGE, &cs, &n, &more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (arr = cJSON_AddArrayToObject(ctx, "courses")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = view_course(rq->arena, &cs[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	if ((e = view_pager(rq->arena, ctx, "/account/my-courses", NULL,
	    page, more)) != ERR_OK)
		return e;
	rs->tmpl = "account/my_courses.html";
	return ERR_OK;
}

static const struct field list_fields[] = {
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};

static const struct field orders_fields[] = {
	{ "show", F_TOKEN, 20 },
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};

static const struct route routes[] = {
	{ METHOD_GET, "/account/login", h_login_form, 0, next_fields },
	{ METHOD_POST, "/account/login", h_login, 0, login_fields },
	{ METHOD_GET, "/account/register", h_register_form, 0, next_fields },
	{ METHOD_POST, "/account/register", h_register, 0, register_fields },
	{ METHOD_POST, "/account/logout", h_logout, 0, NULL },
	{ METHOD_GET, "/account/dashboard", h_dashboard, R_LOGIN, NULL },
	{ METHOD_GET, "/account/settings", h_settings, R_LOGIN, NULL },
	{ METHOD_POST, "/account/settings/name", h_settings_name, R_LOGIN,
	    name_fields },
	{ METHOD_POST, "/account/settings/email", h_settings_email, R_LOGIN,
	    email_fields },
	{ METHOD_POST, "/account/settings/password", h_settings_password,
	    R_LOGIN, password_fields },
	{ METHOD_GET, "/account/my-courses", h_my_courses, R_LOGIN,
	    list_fields },
	{ METHOD_GET, "/payment/orders", h_orders, R_LOGIN, orders_fields },
	{ METHOD_GET, "/payment/order/<id>", h_order, R_LOGIN, NULL },
	{ METHOD_POST, "/payment/order/<id>/continue", h_order_continue,
	    R_LOGIN, NULL },
	{ METHOD_POST, "/payment/order/<id>/drop", h_order_drop, R_LOGIN,
	    NULL },
};

const struct app account_app = { "account", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &account_app);
}
#endif
