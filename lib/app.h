/* The shape every program shares: a worker (one per process, owning the
 * database connection, the compiled templates and the Stripe client), a
 * route table, and the one dispatcher that answers 404/405/400/413, checks
 * login, admin and CSRF, validates declared fields, runs the handler and
 * renders its template or the error page. */
#ifndef ENROLL_APP_H
#define ENROLL_APP_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "field.h"
#include "http.h"

struct db;
struct tmpl_set;
struct stripe;
struct cJSON;

struct worker {
	struct config cfg;	/* from the environment */
	struct db *db;		/* this process's connection */
	const struct tmpl_set *tmpl; /* compiled once before fork, shared */
	struct stripe *stripe;	/* Stripe client, created on first use */
	const struct app *app;	/* the program being served */
	unsigned char secret[32];/* server secret (settings table) for CSRF
				   tokens and guest ids */
	struct metrics *metrics;/* shared counters, or NULL */
	int program;		/* enum metrics_program: this app's slot */
};

typedef enum err (*handler_fn)(struct req *, struct resp *);

enum route_flag {
	R_LOGIN = 1 << 0,	/* guests are sent to /account/login?next= */
	R_ADMIN = 1 << 1,	/* admins only (implies R_LOGIN); others 403 */
	R_NOCSRF = 1 << 2,	/* POST authenticated otherwise (webhook
				   signature): no CSRF token expected */
	R_NOSESSION = 1 << 3,	/* machine endpoint: no cookies read or set */
	R_UPLOAD = 1 << 4,	/* takes a multipart body up to HTTP_MAX_UPLOAD
				   (a file); others stop at HTTP_MAX_BODY */
};

struct route {
	enum method method;	/* METHOD_GET (also serves HEAD) or POST */
	const char *pattern;	/* "/courses/<slug>", "/payment/order/<id>" */
	handler_fn handler;	/* fills resp: tmpl + ctx, or a redirect */
	unsigned flags;		/* enum route_flag bits */
	const struct field *fields; /* accepted fields, NULL-terminated, or
				   NULL: from the query (GET) or form (POST) */
};

struct app {
	const char *name;	/* program name for logs: "cart" */
	const struct route *routes; /* the route table */
	size_t nroutes;		/* entries in routes */
	/* Per-worker set-up after fork, or NULL. */
	enum err (*init)(struct worker *w);
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Opens w's database connection and reads the server secret.  tmpl is the
 * compiled template set shared by all workers.  Returns ERR_OK or logs and
 * returns the error.  Undo with worker_fini(). */
enum err worker_init(struct worker *w, const struct app *app,
    const struct tmpl_set *tmpl);

/* Returns the worker's Stripe client, created on first use from the
 * configuration; NULL (logged) when no key is configured.  Owned by w. */
struct stripe *worker_stripe(struct worker *w);

/* Closes what worker_init opened (not the templates).  Safe twice. */
void worker_fini(struct worker *w);

/* Answers rq into rs, whatever happens: routing, checks, handler, template
 * and error page.  rs->ctx is freed before it returns.  Logs one line per
 * error response with the request id. */
void app_handle(struct worker *w, struct req *rq, struct resp *rs);

/* Returns the largest body rq's route accepts (rq initialised without
 * its body): HTTP_MAX_UPLOAD for an R_UPLOAD route, else HTTP_MAX_BODY.
 * The server asks before reading the body. */
size_t app_body_limit(const struct app *app, struct req *rq);

/* Sets rs up as the error page for e with a plain-words message (NULL for
 * the standard text), replacing whatever the handler had put there. */
void resp_error(struct req *rq, struct resp *rs, enum err e,
    const char *message);

/* Returns the context object of rs, creating it; NULL when out of memory.
 * Owned by rs (freed by app_handle). */
struct cJSON *resp_ctx(struct resp *rs);

/* Renders template name with rs's context (handlers call this by setting
 * rs->tmpl; exposed for tests). */
enum err resp_render(struct worker *w, struct req *rq, struct resp *rs);

/* Stores a one-time message shown on the next page (a cookie) and
 * redirects to location. */
enum err resp_flash_redirect(struct req *rq, struct resp *rs,
    const char *location, const char *message);

/* Adds a Set-Cookie header: HttpOnly, SameSite=Lax, Path=/, Secure when
 * the store runs behind https.  max_age < 0 makes a session cookie; 0
 * deletes it.  value must be URL-safe.  Copies into the arena. */
enum err resp_cookie(struct req *rq, struct resp *rs, const char *name,
    const char *value, long max_age);

#endif
