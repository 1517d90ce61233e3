/* The dispatcher: one function answers every request of every program, in
 * the same order of checks, so no handler can forget one.  Order: request
 * parse errors, route (404/405), session, CSRF on POST, login and role,
 * declared fields, handler, template, error page, one log line. */
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "app.h"
#include "cart.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "session.h"
#include "stripe.h"
#include "tmpl.h"
#include "tz.h"

#define SLUG_MAX 120

enum err
worker_init(struct worker *w, const struct app *app,
    const struct tmpl_set *tmpl)
{
	struct db_stmt *st;
	enum err e;
	int rc;

	memset(w, 0, sizeof(*w));
	config_load(&w->cfg);
	w->app = app;
	w->tmpl = tmpl;
	if (tz_set(w->cfg.timezone) != ERR_OK) {
		log_error(NULL, "%s: ENROLL_TIMEZONE=%s is not a time zone of "
		    "this machine (an IANA name such as Europe/Paris)",
		    app->name, w->cfg.timezone);
		return ERR_INVALID;
	}
	if ((w->db = db_open(w->cfg.db_path)) == NULL)
		return ERR_INTERNAL;
	w->program = (int)metrics_program_of(app->name);
	if ((w->metrics = metrics_open(w->cfg.metrics_path)) != NULL)
		db_count_busy(w->db, &w->metrics->busy_retries);
	if (db_schema_version(w->db) != db_schema_latest()) {
		log_error(NULL, "%s: database %s has schema version %d and this "
		    "program needs %d: %s", app->name, w->cfg.db_shown,
		    db_schema_version(w->db), db_schema_latest(),
		    db_schema_version(w->db) > db_schema_latest() ?
		    "it was upgraded by a newer enroll; run that version" :
		    "run 'enrollctl migrate' first");
		worker_fini(w);
		return ERR_INTERNAL;
	}
	st = db_prep(w->db, "SELECT value FROM settings WHERE key = 'secret'");
	if (st == NULL || (e = db_next(st)) != ERR_OK ||
	    strlen(db_col_text(st, 0)) < 2 * sizeof(w->secret)) {
		db_done(st);
		log_error(NULL, "%s: database %s has no schema; run "
		    "'enrollctl migrate' first", app->name, w->cfg.db_shown);
		worker_fini(w);
		return ERR_INTERNAL;
	}
	rc = sodium_hex2bin(w->secret, sizeof(w->secret), db_col_text(st, 0),
	    2 * sizeof(w->secret), NULL, NULL, NULL);
	db_done(st);
	if (rc != 0) {
		log_error(NULL, "%s: the server secret is not hex", app->name);
		worker_fini(w);
		return ERR_INTERNAL;
	}
	if (app->init != NULL && (e = app->init(w)) != ERR_OK) {
		worker_fini(w);
		return e;
	}
	return ERR_OK;
}

struct stripe *
worker_stripe(struct worker *w)
{
	if (w->stripe != NULL)
		return w->stripe;
	if (w->cfg.stripe_key == NULL) {
		log_error(NULL, "%s: STRIPE_SECRET_KEY is not set", w->app->name);
		return NULL;
	}
	w->stripe = stripe_new(w->cfg.stripe_api_base, w->cfg.stripe_key);
	return w->stripe;
}

void
worker_fini(struct worker *w)
{
	stripe_free(w->stripe);
	w->stripe = NULL;
	db_close(w->db);
	w->db = NULL;
	metrics_close(w->metrics);
	w->metrics = NULL;
}

/* Matches one path segment of n bytes against a pattern segment. */
static int
segment_match(struct req *rq, const char *pat, size_t pn, const char *seg,
    size_t n)
{
	size_t i;
	int64_t v = 0;

	if (pn == 4 && memcmp(pat, "<id>", 4) == 0) {
		if (n == 0 || n > 15 || seg[0] == '0')
			return 0;
		for (i = 0; i < n; i++) {
			if (seg[i] < '0' || seg[i] > '9')
				return 0;
			v = v * 10 + (seg[i] - '0');
		}
		rq->id = v;
		return 1;
	}
	if (pn == 6 && memcmp(pat, "<slug>", 6) == 0) {
		if (n == 0 || n > SLUG_MAX)
			return 0;
		for (i = 0; i < n; i++)
			if (!((seg[i] >= 'a' && seg[i] <= 'z') ||
			    (seg[i] >= '0' && seg[i] <= '9') || seg[i] == '-'))
				return 0;
		rq->slug = arena_strndup(rq->arena, seg, n);
		return rq->slug != NULL;
	}
	return pn == n && memcmp(pat, seg, n) == 0;
}

/* Returns 1 when path matches pattern, filling rq->id / rq->slug.  A
 * trailing slash is ignored on both sides. */
static int
route_match(struct req *rq, const char *pattern, const char *path)
{
	const char *pe, *se;
	size_t pn, sn;

	for (;;) {
		while (*pattern == '/')
			pattern++;
		while (*path == '/')
			path++;
		if (*pattern == '\0' || *path == '\0')
			return *pattern == '\0' && *path == '\0';
		pe = strchr(pattern, '/');
		se = strchr(path, '/');
		pn = pe ? (size_t)(pe - pattern) : strlen(pattern);
		sn = se ? (size_t)(se - path) : strlen(path);
		if (!segment_match(rq, pattern, pn, path, sn))
			return 0;
		pattern += pn;
		path += sn;
	}
}

/* Finds the route for rq; *e is ERR_NOTFOUND or ERR_METHOD when none. */
static const struct route *
route_find(const struct app *app, struct req *rq, enum err *e)
{
	enum method m = rq->method == METHOD_HEAD ? METHOD_GET : rq->method;
	size_t i;

	*e = ERR_NOTFOUND;
	for (i = 0; i < app->nroutes; i++) {
		if (!route_match(rq, app->routes[i].pattern, rq->path))
			continue;
		if (app->routes[i].method == m)
			return &app->routes[i];
		*e = ERR_METHOD;
	}
	return NULL;
}

size_t
app_body_limit(const struct app *app, struct req *rq)
{
	const struct route *r;
	enum err e;

	if (rq->parse_err != ERR_OK || (r = route_find(app, rq, &e)) == NULL)
		return HTTP_MAX_BODY;
	return (r->flags & R_UPLOAD) ? HTTP_MAX_UPLOAD : HTTP_MAX_BODY;
}

cJSON *
resp_ctx(struct resp *rs)
{
	if (rs->ctx == NULL)
		rs->ctx = cJSON_CreateObject();
	return rs->ctx;
}

enum err
resp_cookie(struct req *rq, struct resp *rs, const char *name,
    const char *value, long max_age)
{
	struct buf b = { 0 };
	char *s;

	buf_printf(&b, "%s=%s; Path=/; HttpOnly; SameSite=Lax", name, value);
	if (max_age >= 0)
		buf_printf(&b, "; Max-Age=%ld", max_age);
	if (rq->w != NULL && rq->w->cfg.secure_cookies)
		buf_puts(&b, "; Secure");
	s = b.oom ? NULL : arena_strndup(rq->arena, b.data, b.len);
	buf_free(&b);
	if (s == NULL)
		return ERR_INTERNAL;
	return resp_header(rs, "Set-Cookie", s);
}

enum err
resp_flash_redirect(struct req *rq, struct resp *rs, const char *location,
    const char *message)
{
	struct buf b = { 0 };
	char *s;
	enum err e;

	buf_url_escape(&b, message, strlen(message));
	s = b.oom ? NULL : arena_strndup(rq->arena, b.data, b.len);
	buf_free(&b);
	if (s == NULL)
		return ERR_INTERNAL;
	if ((e = resp_cookie(rq, rs, "flash", s, 60)) != ERR_OK)
		return e;
	return resp_redirect(rs, location);
}

/* Reads and clears the one-time message left by the previous response. */
static void
flash_take(struct req *rq, struct resp *rs)
{
	const char *v = kv_get(&rq->cookies, "flash");

	if (v == NULL || *v == '\0')
		return;
	rq->flash = url_decode(rq->arena, v, strlen(v), 0, NULL);
	resp_cookie(rq, rs, "flash", "", 0);
}

/* Returns path up to the end of its second segment: "/admin/courses/12"
 * is in the section "/admin/courses", which a menu marks as the current
 * area.  Allocated in a (or "" when out of memory). */
static const char *
section_of(struct arena *a, const char *path)
{
	const char *p = strchr(path + 1, '/');
	size_t n = p != NULL ? (size_t)(p + 1 - path) + strcspn(p + 1, "/") :
	    strlen(path);
	char *s = arena_strndup(a, path, n);

	return s != NULL ? s : "";
}

/* Adds what every page's layout needs to the template context. */
static enum err
ctx_add_common(struct req *rq, struct resp *rs)
{
	cJSON *ctx = resp_ctx(rs), *u;
	int64_t n;
	enum err e;

	if (ctx == NULL)
		return ERR_INTERNAL;
	/* These strings live in the request (arena or parameters), which
	 * outlives the context: refer to them rather than copy them. */
	cJSON_AddItemToObjectCS(ctx, "csrf_token", cJSON_CreateStringReference(
	    rq->csrf_token != NULL ? rq->csrf_token : ""));
	cJSON_AddItemToObjectCS(ctx, "path",
	    cJSON_CreateStringReference(rq->path));
	cJSON_AddItemToObjectCS(ctx, "section", cJSON_CreateStringReference(
	    section_of(rq->arena, rq->path)));
	cJSON_AddItemToObjectCS(ctx, "request_id",
	    cJSON_CreateStringReference(rq->request_id));
	if (rq->flash != NULL)
		cJSON_AddItemToObjectCS(ctx, "flash",
		    cJSON_CreateStringReference(rq->flash));
	if ((e = cart_count(rq->w->db, rq->user != NULL ? rq->user->id : 0,
	    session_guest_id(rq), &n)) != ERR_OK)
		/* A header without its count still serves the page. */
		log_error(rq->request_id, "cart count: %s", err_str(e));
	else if (n > 0)
		cJSON_AddNumberToObject(ctx, "cart_count", (double)n);
	if (rq->user != NULL) {
		u = cJSON_AddObjectToObject(ctx, "current_user");
		if (u == NULL)
			return ERR_INTERNAL;
		cJSON_AddNumberToObject(u, "id", (double)rq->user->id);
		cJSON_AddStringToObject(u, "name", rq->user->name);
		cJSON_AddStringToObject(u, "email", rq->user->email);
		cJSON_AddBoolToObject(u, "is_admin", rq->user->is_admin);
		cJSON_AddBoolToObject(u, "verified", rq->user->email_verified);
	}
	return ERR_OK;
}

enum err
resp_render(struct worker *w, struct req *rq, struct resp *rs)
{
	enum err e;

	if ((e = ctx_add_common(rq, rs)) != ERR_OK)
		return e;
	buf_reset(&rs->body);
	e = tmpl_render(w->tmpl, rs->tmpl, rs->ctx, &rs->body);
	if (e != ERR_OK)
		log_error(rq->request_id, "template %s: %s", rs->tmpl,
		    err_str(e));
	return e == ERR_OK ? ERR_OK : ERR_INTERNAL;
}

void
resp_error(struct req *rq, struct resp *rs, enum err e, const char *message)
{
	cJSON *ctx;
	size_t keep = 0, i;

	/* Keep cookies (a new session must still be set); drop the rest. */
	for (i = 0; i < rs->nheaders; i++)
		if (strcmp(rs->headers[i].name, "Set-Cookie") == 0)
			rs->headers[keep++] = rs->headers[i];
	rs->nheaders = keep;
	cJSON_Delete(rs->ctx);
	rs->ctx = NULL;
	rs->status = err_status(e);
	rs->tmpl = "error.html";
	rs->content_type = "text/html; charset=utf-8";
	if (e == ERR_METHOD)
		resp_header(rs, "Allow", "GET, HEAD, POST");
	if ((ctx = resp_ctx(rs)) == NULL)
		return;
	cJSON_AddNumberToObject(ctx, "status", rs->status);
	cJSON_AddStringToObject(ctx, "title", err_str(e));
	if (message != NULL)
		cJSON_AddStringToObject(ctx, "message", message);
}

/* Returns e after identifying the visitor for an error answered before
 * any route ran (400, 404, 405, 413): the page's header shows them as they
 * are.  Cookies are read, never set.  Not knowing who asks still answers
 * e, as a guest. */
static enum err
unrouted(struct worker *w, struct req *rq, enum err e)
{
	enum err ie;

	if ((ie = session_identify(w, rq)) != ERR_OK) {
		rq->user = NULL;
		log_error(rq->request_id, "%s: visitor of an error page not "
		    "identified: %s", w->app->name, err_str(ie));
	}
	return e;
}

/* Appends to next, escaped, the page a guest is sent to log in from: the
 * path and, for a GET, its query (a mailed link's token comes back). */
static void
login_next(const struct req *rq, struct buf *next)
{
	struct buf back = { 0 };

	buf_puts(&back, rq->path);
	for (size_t i = 0; rq->method == METHOD_GET && i < rq->query.n; i++) {
		const struct kv *q = &rq->query.v[i];

		buf_putc(&back, i == 0 ? '?' : '&');
		buf_url_escape(&back, q->key, strlen(q->key));
		buf_putc(&back, '=');
		buf_url_escape(&back, q->val, q->vlen);
	}
	if (back.oom)
		next->oom = 1;
	else
		buf_url_escape(next, back.data, back.len);
	buf_free(&back);
}

/* Runs the checks and the handler; returns the error to answer, if any. */
static enum err
dispatch(struct worker *w, struct req *rq, struct resp *rs)
{
	const struct route *r;
	struct buf next = { 0 };
	enum err e;

	if (rq->parse_err != ERR_OK)
		return unrouted(w, rq, rq->parse_err);
	if ((r = route_find(w->app, rq, &e)) == NULL)
		return unrouted(w, rq, e);
	if (!(r->flags & R_NOSESSION)) {
		if ((e = session_begin(w, rq, rs)) != ERR_OK)
			return e;
		flash_take(rq, rs);
	}
	if (rq->method == METHOD_POST && !(r->flags & R_NOCSRF) &&
	    !session_csrf_ok(rq)) {
		rs->message = "This form has expired or was sent from another "
		    "site. Go back, reload the page and try again.";
		return ERR_FORBIDDEN;
	}
	if ((r->flags & (R_LOGIN | R_ADMIN)) && rq->user == NULL) {
		buf_puts(&next, "/account/login?next=");
		login_next(rq, &next);
		e = next.oom ? ERR_INTERNAL : resp_redirect(rs,
		    arena_strndup(rq->arena, next.data, next.len));
		buf_free(&next);
		return e;
	}
	if ((r->flags & R_ADMIN) && !rq->user->is_admin) {
		rs->message = "This page is for administrators.";
		return ERR_FORBIDDEN;
	}
	if ((e = fields_validate(rq, r->fields, rq->method == METHOD_POST ?
	    &rq->form : &rq->query)) != ERR_OK)
		return e;
	return r->handler(rq, rs);
}

void
app_handle(struct worker *w, struct req *rq, struct resp *rs)
{
	const char *message;
	enum err e;

	rq->w = w;
	e = dispatch(w, rq, rs);
	if (e == ERR_OK && rs->tmpl != NULL && rs->status != 303)
		e = resp_render(w, rq, rs);
	if (e != ERR_OK) {
		message = rs->message;
		resp_error(rq, rs, e, message);
		if (resp_render(w, rq, rs) != ERR_OK) {
			/* The error page itself failed: plain words. */
			rs->content_type = "text/plain; charset=utf-8";
			buf_reset(&rs->body);
			buf_printf(&rs->body, "%s\n", err_str(e));
		}
		log_error(rq->request_id, "%s %d %s %s", w->app->name,
		    rs->status, rq->path, message != NULL ? message :
		    err_str(e));
	}
	cJSON_Delete(rs->ctx);
	rs->ctx = NULL;
}
