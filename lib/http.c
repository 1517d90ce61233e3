/* Building a request from CGI parameters and writing a CGI response.  All
 * decoding of the request line, query, body and cookies happens here, once,
 * before any handler runs; a malformed request is recorded, not fatal. */
#include <stdio.h>
#include <string.h>

#include "http.h"

const char *
req_param(const struct req *rq, const char *name)
{
	size_t n = strlen(name);
	char **e;

	if (rq->env == NULL)
		return NULL;
	for (e = rq->env; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static enum method
method_of(const char *m)
{
	if (m == NULL)
		return METHOD_OTHER;
	if (strcmp(m, "GET") == 0)
		return METHOD_GET;
	if (strcmp(m, "HEAD") == 0)
		return METHOD_HEAD;
	if (strcmp(m, "POST") == 0)
		return METHOD_POST;
	return METHOD_OTHER;
}

/* Decodes the path part of REQUEST_URI (nginx passes it raw).  "/a%2Fb"
 * decodes to "/a/b": routes never depend on escaped slashes. */
static enum err
parse_path(struct req *rq, const char *uri)
{
	const char *q;
	char *path;
	size_t n;

	if (uri == NULL || uri[0] != '/')
		return ERR_INVALID;
	q = strchr(uri, '?');
	n = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if (n > 2048)
		return ERR_TOOLARGE;
	if ((path = url_decode(rq->arena, uri, n, 0, NULL)) == NULL)
		return ERR_INVALID;
	rq->path = path;
	return ERR_OK;
}

static int
is_form_type(const char *ct)
{
	static const char form[] = "application/x-www-form-urlencoded";

	return strncasecmp(ct, form, sizeof(form) - 1) == 0 &&
	    (ct[sizeof(form) - 1] == '\0' || ct[sizeof(form) - 1] == ';');
}

/* The parameters req_init reads, found in one pass over the environment:
 * nginx passes a few dozen, and a lookup of each would scan them all. */
enum param {
	P_METHOD, P_ID, P_ADDR, P_CTYPE, P_URI, P_SCRIPT, P_QUERY, P_COOKIE,
	P_MAX
};

static const struct {
	const char *name;	/* CGI parameter */
	size_t len;		/* strlen(name) */
} params[P_MAX] = {
	[P_METHOD] = { "REQUEST_METHOD", 14 },
	[P_ID] = { "REQUEST_ID", 10 },
	[P_ADDR] = { "REMOTE_ADDR", 11 },
	[P_CTYPE] = { "CONTENT_TYPE", 12 },
	[P_URI] = { "REQUEST_URI", 11 },
	[P_SCRIPT] = { "SCRIPT_NAME", 11 },
	[P_QUERY] = { "QUERY_STRING", 12 },
	[P_COOKIE] = { "HTTP_COOKIE", 11 },
};

/* Stores in v[p] the value of the first occurrence of each parameter p
 * in env (NULL when absent), as req_param() would find it. */
static void
params_read(char **env, const char *v[P_MAX])
{
	const char *eq;
	size_t n;
	int p;

	for (p = 0; p < P_MAX; p++)
		v[p] = NULL;
	for (; env != NULL && *env != NULL; env++) {
		if ((eq = strchr(*env, '=')) == NULL)
			continue;
		n = (size_t)(eq - *env);
		for (p = 0; p < P_MAX; p++) {
			if (params[p].len == n && v[p] == NULL &&
			    memcmp(*env, params[p].name, n) == 0) {
				v[p] = eq + 1;
				break;
			}
		}
	}
}

void
req_init(struct req *rq, struct arena *a, char **env, const char *body,
    size_t body_len)
{
	const char *qs, *uri, *v[P_MAX];
	enum err e;

	memset(rq, 0, sizeof(*rq));
	rq->arena = a;
	rq->env = env;
	params_read(env, v);
	rq->method = method_of(v[P_METHOD]);
	rq->request_id = v[P_ID];
	if (rq->request_id == NULL || *rq->request_id == '\0')
		rq->request_id = "-";
	rq->remote_addr = v[P_ADDR];
	if (rq->remote_addr == NULL)
		rq->remote_addr = "";
	rq->content_type = v[P_CTYPE];
	if (rq->content_type == NULL)
		rq->content_type = "";
	rq->body = "";
	rq->path = "/";

	/* Cookies first: the error page of a malformed path or query still
	 * knows who is asking. */
	if ((e = cookie_parse(a, v[P_COOKIE], &form_limits_default,
	    &rq->cookies)) != ERR_OK) {
		rq->cookies.n = 0;
		rq->parse_err = e;
		return;
	}
	uri = v[P_URI];
	if (uri == NULL)
		uri = v[P_SCRIPT];
	if ((e = parse_path(rq, uri)) != ERR_OK) {
		rq->parse_err = e;
		return;
	}
	qs = v[P_QUERY];
	if (qs != NULL && (e = form_parse(a, qs, strlen(qs),
	    &form_limits_default, &rq->query)) != ERR_OK) {
		rq->parse_err = e;
		return;
	}
	if (body != NULL)	/* else the server calls req_body itself */
		req_body(rq, body, body_len);
}

/* Puts the parts of a multipart body into rq: text fields into rq->form
 * (where the CSRF check and the declared fields read them), files into
 * rq->files. */
static enum err
multipart_read(struct req *rq)
{
	struct multipart mp;
	const char *boundary;
	size_t i;
	enum err e;

	if ((e = multipart_boundary(rq->arena, rq->content_type,
	    &boundary)) != ERR_OK || (e = multipart_parse(rq->arena, boundary,
	    rq->body, rq->body_len, &multipart_limits_default, &mp)) != ERR_OK)
		return e;
	if ((rq->form.v = arena_alloc(rq->arena, (mp.n + 1) *
	    sizeof(*rq->form.v))) == NULL || (rq->files.v =
	    arena_alloc(rq->arena, (mp.n + 1) * sizeof(*rq->files.v))) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < mp.n; i++) {
		if (mp.v[i].filename != NULL) {
			rq->files.v[rq->files.n++] = mp.v[i];
			continue;
		}
		if (memchr(mp.v[i].data, '\0', mp.v[i].len) != NULL)
			return ERR_INVALID;
		rq->form.v[rq->form.n++] = (struct kv){ mp.v[i].name,
		    arena_strndup(rq->arena, mp.v[i].data, mp.v[i].len),
		    mp.v[i].len };
		if (rq->form.v[rq->form.n - 1].val == NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

void
req_body(struct req *rq, const char *body, size_t body_len)
{
	enum err e = ERR_OK;

	rq->body = body != NULL ? body : "";
	rq->body_len = body != NULL ? body_len : 0;
	rq->form.n = rq->files.n = 0;
	if (rq->parse_err != ERR_OK || rq->method != METHOD_POST)
		return;
	if (is_form_type(rq->content_type))
		e = form_parse(rq->arena, rq->body, rq->body_len,
		    &form_limits_default, &rq->form);
	else if (multipart_is_type(rq->content_type))
		e = multipart_read(rq);
	if (e != ERR_OK)
		rq->parse_err = e;
}

const char *
req_safe_next(const char *path, const char *fallback)
{
	const char *p;

	if (path == NULL || path[0] != '/' || path[1] == '/' ||
	    path[1] == '\\')
		return fallback;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return fallback;
	return path;
}

void
resp_reset(struct resp *rs)
{
	struct buf body = rs->body;

	buf_reset(&body);
	memset(rs, 0, sizeof(*rs));
	rs->body = body;
	rs->status = 200;
	rs->content_type = "text/html; charset=utf-8";
}

static int
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

enum err
resp_header(struct resp *rs, const char *name, const char *value)
{
	if (has_crlf(name) || has_crlf(value))
		return ERR_INVALID;
	if (rs->nheaders == RESP_MAX_HEADERS)
		return ERR_INTERNAL;
	rs->headers[rs->nheaders].name = name;
	rs->headers[rs->nheaders].value = value;
	rs->nheaders++;
	return ERR_OK;
}

enum err
resp_redirect(struct resp *rs, const char *location)
{
	rs->status = 303;
	rs->tmpl = NULL;
	return resp_header(rs, "Location", location);
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/* Appends "name: value\r\n". */
static void
put_header(struct buf *out, const char *name, const char *value)
{
	buf_puts(out, name);
	buf_append(out, ": ", 2);
	buf_puts(out, value);
	buf_append(out, "\r\n", 2);
}

/* Appends v in decimal. */
static void
put_size(struct buf *out, size_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	buf_append(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
resp_serialize(const struct resp *rs, int head_only, struct buf *out)
{
	size_t i;

	/* Written piece by piece: printf's parsing cost more than the rest
	 * of the response headers. */
	buf_puts(out, "Status: ");
	if (rs->status < 0)
		buf_putc(out, '-');
	put_size(out, rs->status < 0 ? 0 - (size_t)rs->status :
	    (size_t)rs->status);
	buf_putc(out, ' ');
	buf_puts(out, status_text(rs->status));
	buf_append(out, "\r\n", 2);
	put_header(out, "Content-Type", rs->content_type);
	buf_puts(out, "Content-Length: ");
	put_size(out, rs->body.len);
	buf_append(out, "\r\n", 2);
	for (i = 0; i < rs->nheaders; i++)
		put_header(out, rs->headers[i].name, rs->headers[i].value);
	/* On every response, whatever sits in front of us. */
	buf_puts(out, "Content-Security-Policy: default-src 'self'; "
	    "frame-ancestors 'none'; base-uri 'self'\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: same-origin\r\n"
	    "Cache-Control: private, no-store\r\n"
	    "\r\n");
	if (!head_only)
		buf_append(out, rs->body.data, rs->body.len);
}
