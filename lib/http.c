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

void
req_init(struct req *rq, struct arena *a, char **env, const char *body,
    size_t body_len)
{
	const char *qs, *uri;
	enum err e;

	memset(rq, 0, sizeof(*rq));
	rq->arena = a;
	rq->env = env;
	rq->method = method_of(req_param(rq, "REQUEST_METHOD"));
	rq->request_id = req_param(rq, "REQUEST_ID");
	if (rq->request_id == NULL || *rq->request_id == '\0')
		rq->request_id = "-";
	rq->remote_addr = req_param(rq, "REMOTE_ADDR");
	if (rq->remote_addr == NULL)
		rq->remote_addr = "";
	rq->content_type = req_param(rq, "CONTENT_TYPE");
	if (rq->content_type == NULL)
		rq->content_type = "";
	rq->body = body != NULL ? body : "";
	rq->body_len = body != NULL ? body_len : 0;
	rq->path = "/";

	uri = req_param(rq, "REQUEST_URI");
	if (uri == NULL)
		uri = req_param(rq, "SCRIPT_NAME");
	if ((e = parse_path(rq, uri)) != ERR_OK) {
		rq->parse_err = e;
		return;
	}
	qs = req_param(rq, "QUERY_STRING");
	if (qs != NULL && (e = form_parse(a, qs, strlen(qs),
	    &form_limits_default, &rq->query)) != ERR_OK) {
		rq->parse_err = e;
		return;
	}
	if ((e = cookie_parse(a, req_param(rq, "HTTP_COOKIE"),
	    &form_limits_default, &rq->cookies)) != ERR_OK) {
		rq->parse_err = e;
		return;
	}
	if (rq->method == METHOD_POST && is_form_type(rq->content_type) &&
	    (e = form_parse(a, rq->body, rq->body_len, &form_limits_default,
	    &rq->form)) != ERR_OK)
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

void
resp_serialize(const struct resp *rs, int head_only, struct buf *out)
{
	size_t i;

	buf_printf(out, "Status: %d %s\r\n", rs->status,
	    status_text(rs->status));
	buf_printf(out, "Content-Type: %s\r\n", rs->content_type);
	buf_printf(out, "Content-Length: %zu\r\n", rs->body.len);
	for (i = 0; i < rs->nheaders; i++)
		buf_printf(out, "%s: %s\r\n", rs->headers[i].name,
		    rs->headers[i].value);
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
