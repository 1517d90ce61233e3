/* HTTP requests and responses as handlers see them.  A request is built
 * from CGI-style parameters (what FastCGI delivers) plus the raw body, so
 * tests and fuzzers build one without FastCGI.  Everything in it lives in
 * the request arena. */
#ifndef ENROLL_HTTP_H
#define ENROLL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "form.h"
#include "multipart.h"

struct cJSON;

enum method { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_OTHER };

/* Largest body we read; nginx's client_max_body_size matches it. */
#define HTTP_MAX_BODY (256 * 1024)
/* Largest body of a route flagged R_UPLOAD (a 2 MiB file and its form);
 * nginx allows it in those locations only. */
#define HTTP_MAX_UPLOAD (2 * 1024 * 1024 + 64 * 1024)

struct user;

struct req {
	struct arena *arena;	/* owns everything below */
	enum method method;	/* HEAD is answered as GET without a body */
	const char *path;	/* decoded path, no query; starts with '/' */
	const char *request_id;	/* nginx's $request_id, or generated */
	const char *remote_addr;/* peer address as nginx saw it */
	const char *content_type;/* CONTENT_TYPE or "" */
	const char *body;	/* raw body bytes, NUL-terminated; "" if none */
	size_t body_len;	/* bytes in body */
	struct kvlist query;	/* parsed query string */
	struct kvlist form;	/* parsed urlencoded body (POST), or the
				   text fields of a multipart one */
	struct multipart files;	/* file parts of a multipart body (POST) */
	struct kvlist cookies;	/* parsed Cookie header */
	char **env;		/* CGI parameters, NULL-terminated "K=V" */
	enum err parse_err;	/* ERR_OK, or why the request is unusable */

	/* Filled by the dispatcher from the route's declared fields: a
	   handler reads only these, through field_str() and field_int(). */
	struct fieldval *fields;/* one per declared field, arena memory */
	size_t nfields;		/* entries in fields */

	/* Filled by the dispatcher from the route pattern. */
	int64_t id;		/* <id> segment, > 0, or 0 */
	const char *slug;	/* <slug> segment, or NULL */

	/* Filled by the dispatcher's session step (accounts). */
	struct user *user;	/* logged-in user, or NULL for a guest */
	const char *csrf_token;	/* token to embed in forms, never NULL once
				   the dispatcher ran */
	void *session;		/* session module's state for this request */
	const char *flash;	/* one-time message from the previous page */
	struct worker *w;	/* the worker serving this request */
};

struct header {
	const char *name;	/* e.g. "Set-Cookie" */
	const char *value;	/* already validated: no CR or LF */
};

#define RESP_MAX_HEADERS 16

struct resp {
	int status;		/* HTTP status, 200 by default */
	const char *content_type;/* defaults to text/html; charset=utf-8 */
	struct header headers[RESP_MAX_HEADERS]; /* extra headers */
	size_t nheaders;	/* used entries in headers */
	struct buf body;	/* response body; owned, reset per request */
	const char *tmpl;	/* template to render into body, or NULL */
	struct cJSON *ctx;	/* template context; freed by the worker */
	const char *message;	/* plain-words reason shown on the error page
				   when the handler returns an error */
};

/* Builds rq from CGI parameters env (NULL-terminated "KEY=value" strings,
 * as FastCGI delivers them) and body.  Never fails: problems are recorded
 * in rq->parse_err for the dispatcher to answer.  Copies what it keeps into
 * the arena; env must outlive the request.  A NULL body leaves the body
 * to a later req_body(). */
void req_init(struct req *rq, struct arena *a, char **env, const char *body,
    size_t body_len);

/* Sets rq's body (req_init's part for a server that reads the body only
 * once it knows the route, see app_body_limit) and parses it: urlencoded
 * or multipart/form-data on a POST. */
void req_body(struct req *rq, const char *body, size_t body_len);

/* Returns CGI parameter name (e.g. "HTTP_STRIPE_SIGNATURE") or NULL. */
const char *req_param(const struct req *rq, const char *name);

/* Returns a same-site path for "next" redirects: path itself when it is a
 * local absolute path ("/x", not "//x", no backslash or control chars),
 * else fallback. */
const char *req_safe_next(const char *path, const char *fallback);

/* Resets rs for a new request, keeping its body buffer's memory. */
void resp_reset(struct resp *rs);

/* Adds a header; returns ERR_INVALID when name or value contain CR/LF,
 * ERR_INTERNAL when the table is full.  Strings must outlive the response
 * (arena or static). */
enum err resp_header(struct resp *rs, const char *name, const char *value);

/* Sets a 303 redirect to location (a local path or absolute URL). */
enum err resp_redirect(struct resp *rs, const char *location);

/* Writes status line, headers and body in CGI response form to out. */
void resp_serialize(const struct resp *rs, int head_only, struct buf *out);

#endif
