/* libmicrohttpd glue: one thread per connection, the body gathered up to
 * EMU_MAX_BODY (413 past it), the raw request target kept (through the
 * URI log callback) so that the query is parsed by lib/form like the
 * body, and each request sent to the API, the hosted page or the control
 * API.  Per-request memory is one arena, freed when MHD is done. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "emu.h"
#include "log.h"

struct conn {
	struct arena *a;	/* request memory */
	char *uri;		/* request target as sent (arena) */
	struct buf body;	/* request body so far */
	int started;		/* the header call has been seen */
	int toolarge;		/* body went over EMU_MAX_BODY */
};

static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct conn *c = calloc(1, sizeof(*c));

	(void)cls;
	(void)con;
	if (c == NULL)
		return NULL;
	if ((c->a = arena_new()) == NULL ||
	    (c->uri = arena_strdup(c->a, uri != NULL ? uri : "/")) == NULL) {
		arena_free(c->a);
		free(c);
		return NULL;
	}
	return c;
}

static void
completed(void *cls, struct MHD_Connection *con, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn *c = *req_cls;

	(void)cls, (void)con, (void)toe;
	if (c == NULL)
		return;
	buf_free(&c->body);
	arena_free(c->a);
	free(c);
	*req_cls = NULL;
}

static void
add(struct MHD_Response *r, const char *name, const char *value)
{
	if (value != NULL && MHD_add_response_header(r, name, value) != MHD_YES)
		log_error(NULL, "emu: header %s refused", name);
}

static enum MHD_Result
send_resp(struct MHD_Connection *con, const struct ereq *rq,
    struct eresp *rp, int api)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(rp->body.len,
	    rp->body.data != NULL ? rp->body.data : (void *)"",
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	add(r, "Content-Type", rp->ctype != NULL ? rp->ctype : "text/plain");
	add(r, "Cache-Control", "no-cache, no-store");
	if (api) {
		add(r, "Request-Id", rq->request_id);
		add(r, "Stripe-Version", rq->stripe_version != NULL ?
		    rq->stripe_version : EMU_API_VERSION);
	}
	add(r, "Idempotency-Key", rp->idem_key);
	if (rp->replayed)
		add(r, "Idempotent-Replayed", "true");
	add(r, "Original-Request", rp->original_request);
	add(r, "Location", rp->location);
	add(r, "Emu-Outcome", rp->outcome);
	if (rp->should_retry)
		add(r, "Stripe-Should-Retry", "true");
	if (rp->auth_challenge)
		add(r, "WWW-Authenticate", "Basic realm=\"Stripe\"");
	if (rp->html) {
		add(r, "Content-Security-Policy", "default-src 'none'; "
		    "style-src 'unsafe-inline'; frame-ancestors 'none'");
		add(r, "X-Content-Type-Options", "nosniff");
		add(r, "Referrer-Policy", "no-referrer");
	}
	ok = MHD_queue_response(con, (unsigned)rp->status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
send_simple(struct MHD_Connection *con, int status, const char *json)
{
	struct eresp rp = { .status = status, .ctype = "application/json" };
	struct ereq rq = { .request_id = "" };
	enum MHD_Result ok;

	buf_puts(&rp.body, json);
	ok = send_resp(con, &rq, &rp, 0);
	buf_free(&rp.body);
	return ok;
}

#define TOO_LARGE "{\"error\":{\"type\":\"invalid_request_error\"," \
	"\"message\":\"Request body too large.\"}}\n"

/* Fills rq from the connection; returns 0 or -1 (bad target). */
static int
build(struct MHD_Connection *con, struct conn *c, const char *method,
    struct ereq *rq)
{
	char *q = strchr(c->uri, '?');
	size_t plen = q != NULL ? (size_t)(q - c->uri) : strlen(c->uri);

	rq->a = c->a;
	rq->method = method;
	rq->query = q != NULL ? q + 1 : "";
	if ((rq->path = url_decode(c->a, c->uri, plen, 0, NULL)) == NULL ||
	    rq->path[0] != '/')
		return -1;
	rq->body = c->body.data != NULL ? c->body.data : "";
	rq->body_len = c->body.len;
	rq->auth = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    "Authorization");
	rq->idem_key = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    "Idempotency-Key");
	rq->stripe_version = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    "Stripe-Version");
	emu_new_id(rq->request_id, sizeof(rq->request_id), "req_", 14);
	return 0;
}

static int
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static enum MHD_Result
serve(struct emu *e, struct MHD_Connection *con, struct conn *c,
    const char *method)
{
	struct ereq rq = { 0 };
	struct eresp rp = { .status = 500 };
	enum MHD_Result ok;
	int api = 0;

	if (build(con, c, method, &rq) != 0)
		return send_simple(con, 400, "{\"error\":{\"type\":"
		    "\"invalid_request_error\",\"message\":\"Bad request "
		    "target.\"}}\n");
	if (strcmp(rq.path, "/v1") == 0 || has_prefix(rq.path, "/v1/")) {
		api = 1;
		emu_api_handle(e, &rq, &rp);
	} else if (has_prefix(rq.path, "/_emu/"))
		emu_control_handle(e, &rq, &rp);
	else if (has_prefix(rq.path, "/c/pay/"))
		emu_page_handle(e, &rq, &rp);
	else if (has_prefix(rq.path, "/receipts/"))
		emu_receipt_handle(e, &rq, &rp);
	else if (strcmp(rq.path, "/") == 0)
		emu_reply_text(&rp, 200, "text/plain; charset=utf-8",
		    "enroll's Stripe emulator: API at /v1, hosted checkout at "
		    "/c/pay/<session>, test control at /_emu/ (see "
		    "t/emu/README.md).\n");
	else
		emu_reply_error(&rp, 404, "invalid_request_error", NULL, NULL,
		    "Unrecognized request URL (%s: %s).", method, rq.path);
	log_info(rq.request_id, "%s %s %d", method, rq.path, rp.status);
	ok = send_resp(con, &rq, &rp, api);
	buf_free(&rp.body);
	return ok;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct conn *c = *req_cls;
	const char *cl;

	(void)url, (void)version;
	if (c == NULL)
		return MHD_NO;
	if (!c->started) {
		c->started = 1;
		cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		    "Content-Length");
		if (cl != NULL && strtoull(cl, NULL, 10) > EMU_MAX_BODY)
			return send_simple(con, 413, TOO_LARGE);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (c->toolarge || c->body.len + *upload_data_size >
		    EMU_MAX_BODY || buf_append(&c->body, upload_data,
		    *upload_data_size) != 0)
			c->toolarge = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (c->toolarge)
		return send_simple(con, 413, TOO_LARGE);
	return serve(cls, con, c, method);
}

/* Parses "127.0.0.1:PORT" into sa; only loopback addresses. */
static int
parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port < 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1 ||
	    (ntohl(sa->sin_addr.s_addr) >> 24) != 127)
		return -1;
	return 0;
}

struct MHD_Daemon *
emu_server_start(struct emu *e, const char *listen, unsigned *port)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	if (parse_listen(listen, &sa) != 0) {
		log_error(NULL, "emu: --listen wants 127.x.x.x:PORT, got %s",
		    listen);
		return NULL;
	}
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    on_request, e,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_log, e,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, e,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
	    MHD_OPTION_END);
	if (d == NULL) {
		log_error(NULL, "emu: cannot listen on %s", listen);
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info != NULL ? info->port : 0;
	return d;
}
