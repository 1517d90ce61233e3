/* Stripe API client: request builders, the retrying transport over one
 * reused curl handle, and parsers of Stripe's JSON objects (see stripe.h).
 * Builders and parsers are pure so that t/unit/test_stripe_client.c can
 * pin the wire format; only stripe_send() and the stripe_<call>() wrappers
 * touch the network, the clock and the log. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "log.h"
#include "stripe.h"
#include "stripe_form.h"
#include "stripe_json.h"

#define RESP_MAX	(8 * 1024 * 1024)	/* larger answers are refused */
#define IDEM_MAX	255			/* Stripe's limit on the key */
#define JSON_INT_MAX	9007199254740992.0	/* 2^53: exact in a double */

struct stripe {
	CURL *curl;			/* reused: keeps the connection open */
	char *base;			/* api base, no trailing '/' */
	char *auth;			/* "Authorization: Bearer sk_..." */
	long connect_ms;		/* connect timeout */
	long timeout_ms;		/* total time of one attempt */
	long budget_ms;			/* total time of all attempts */
	int max_attempts;		/* >= 1 */
	long backoff_base_ms;		/* first backoff before jitter */
	long backoff_max_ms;		/* backoff ceiling */
	struct buf resp;		/* body of the current answer */
	int should_retry;		/* Stripe-Should-Retry: 1, 0, -1 absent */
	char request_id[STRIPE_ID_SIZE]; /* Request-Id of the current answer */
	int64_t date;			/* its Date header (unix), 0: none */
	char errbuf[CURL_ERROR_SIZE];	/* curl's detail on failure */
};

/* ---- small helpers ----------------------------------------------------- */

/* Copies src into dst of n bytes, truncating: for messages only. */
static void
copy_trunc(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src != NULL ? src : "");
}

static void
err_msg(struct stripe_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
err_msg(struct stripe_error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Printable ASCII without spaces: safe in a header line. */
static int
header_token_ok(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

/* Counts UTF-8 characters (bytes that do not continue a sequence). */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* ---- client ------------------------------------------------------------ */

#define SETOPT(h, o, v) (curl_easy_setopt((h), (o), (v)) == CURLE_OK)

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct stripe *s = arg;

	n *= size;
	if (s->resp.len + n > RESP_MAX || buf_append(&s->resp, p, n) == -1)
		return 0; /* curl fails the transfer with CURLE_WRITE_ERROR */
	return n;
}

/* Returns the value of header line p (n bytes) if its name is name. */
static int
header_value(const char *p, size_t n, const char *name, char *dst,
    size_t dstn)
{
	size_t k = strlen(name), i, j;

	if (n <= k || p[k] != ':' || strncasecmp(p, name, k) != 0)
		return 0;
	for (i = k + 1; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		continue;
	for (j = n; j > i && isspace((unsigned char)p[j - 1]); j--)
		continue;
	if (j - i >= dstn)
		return 0;
	memcpy(dst, p + i, j - i);
	dst[j - i] = '\0';
	return 1;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct stripe *s = arg;
	char v[16], date[64];
	time_t t;

	n *= size;
	header_value(p, n, "Request-Id", s->request_id,
	    sizeof(s->request_id));
	if (header_value(p, n, "Date", date, sizeof(date)) &&
	    (t = curl_getdate(date, NULL)) > 0)
		s->date = (int64_t)t;
	if (header_value(p, n, "Stripe-Should-Retry", v, sizeof(v)))
		s->should_retry = strcasecmp(v, "true") == 0 ? 1 :
		    strcasecmp(v, "false") == 0 ? 0 : -1;
	return n;
}

static int
stripe_curl_setup(struct stripe *s)
{
	CURL *h = s->curl;

	return SETOPT(h, CURLOPT_NOSIGNAL, 1L) &&
	    SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https") &&
	    SETOPT(h, CURLOPT_TCP_KEEPALIVE, 1L) &&
	    SETOPT(h, CURLOPT_USERAGENT, "enroll (libcurl)") &&
	    SETOPT(h, CURLOPT_ERRORBUFFER, s->errbuf) &&
	    SETOPT(h, CURLOPT_WRITEFUNCTION, on_body) &&
	    SETOPT(h, CURLOPT_WRITEDATA, s) &&
	    SETOPT(h, CURLOPT_HEADERFUNCTION, on_header) &&
	    SETOPT(h, CURLOPT_HEADERDATA, s) &&
	    SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, s->connect_ms);
}

struct stripe *
stripe_new(const char *api_base, const char *secret_key)
{
	struct stripe *s;
	struct buf b = { 0 };
	size_t n;

	if (api_base == NULL || (strncmp(api_base, "http://", 7) != 0 &&
	    strncmp(api_base, "https://", 8) != 0) ||
	    !header_token_ok(secret_key, 1024) || sodium_init() < 0)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->connect_ms = 5000;
	s->timeout_ms = 20000;
	s->budget_ms = 30000;
	s->max_attempts = 3;
	s->backoff_base_ms = 500;
	s->backoff_max_ms = 4000;
	n = strlen(api_base);
	while (n > 0 && api_base[n - 1] == '/')
		n--;
	s->base = strndup(api_base, n);
	if (buf_printf(&b, "Authorization: Bearer %s", secret_key) == 0)
		s->auth = buf_steal(&b);
	buf_free(&b);
	if (s->base == NULL || s->auth == NULL ||
	    (s->curl = curl_easy_init()) == NULL || !stripe_curl_setup(s)) {
		stripe_free(s);
		return NULL;
	}
	return s;
}

void
stripe_free(struct stripe *s)
{
	if (s == NULL)
		return;
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	if (s->auth != NULL)
		sodium_memzero(s->auth, strlen(s->auth));
	free(s->auth);
	free(s->base);
	buf_free(&s->resp);
	free(s);
}

void
stripe_set_timeouts(struct stripe *s, long connect_ms, long total_ms)
{
	if (connect_ms > 0 &&
	    SETOPT(s->curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms))
		s->connect_ms = connect_ms;
	if (total_ms > 0)
		s->timeout_ms = total_ms;
}

void
stripe_set_retries(struct stripe *s, int max_attempts, long budget_ms)
{
	if (max_attempts >= 1)
		s->max_attempts = max_attempts;
	if (budget_ms > 0)
		s->budget_ms = budget_ms;
}

void
stripe_set_backoff(struct stripe *s, long base_ms, long max_ms)
{
	if (base_ms >= 0)
		s->backoff_base_ms = base_ms;
	if (max_ms >= 0)
		s->backoff_max_ms = max_ms;
}

/* ---- errors and retry policy ------------------------------------------- */

char *
stripe_error_format(const struct stripe_error *e, char *dst, size_t n)
{
	char what[64];

	if (e->status != 0)
		snprintf(what, sizeof(what), "HTTP %d", e->status);
	else if (e->curl_code != 0)
		snprintf(what, sizeof(what), "network error %d", e->curl_code);
	else
		snprintf(what, sizeof(what), "not sent");
	snprintf(dst, n, "%s %s/%s%s%s%s%s: %s (%s, %d attempt%s)", what,
	    e->type[0] ? e->type : "-", e->code[0] ? e->code : "-",
	    e->param[0] ? " param=" : "", e->param,
	    e->decline_code[0] ? " decline=" : "", e->decline_code,
	    e->message[0] ? e->message : "no message",
	    e->request_id[0] ? e->request_id : "no request id",
	    e->attempts, e->attempts == 1 ? "" : "s");
	return dst;
}

static void
copy_json_str(char *dst, size_t n, const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(o, key));

	copy_trunc(dst, n, v);
}

void
stripe_error_parse(int status, const char *body, size_t len,
    struct stripe_error *e)
{
	cJSON *j = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "error");

	e->status = status;
	e->type[0] = e->code[0] = e->decline_code[0] = e->param[0] = '\0';
	if (!cJSON_IsObject(o)) {
		err_msg(e, "HTTP %d without a Stripe error object", status);
		cJSON_Delete(j);
		return;
	}
	copy_json_str(e->type, sizeof(e->type), o, "type");
	copy_json_str(e->code, sizeof(e->code), o, "code");
	copy_json_str(e->decline_code, sizeof(e->decline_code), o,
	    "decline_code");
	copy_json_str(e->param, sizeof(e->param), o, "param");
	copy_json_str(e->message, sizeof(e->message), o, "message");
	if (e->message[0] == '\0')
		err_msg(e, "HTTP %d (%s)", status,
		    e->type[0] ? e->type : "no message");
	cJSON_Delete(j);
}

enum err
stripe_error_map(const struct stripe_error *e)
{
	int st = e->status;

	if (st == 0)
		return ERR_UPSTREAM;
	if (strcmp(e->type, "idempotency_error") == 0 || st == 409)
		return ERR_CONFLICT;
	if (st == 429 || st >= 500 || st == 401 || st == 403)
		return ERR_UPSTREAM;
	if (st == 404 && strcmp(e->code, "resource_missing") == 0)
		return ERR_NOTFOUND;
	if (st >= 400 && st < 500 && e->type[0] != '\0')
		return ERR_INVALID;
	return ERR_UPSTREAM;
}

/* Network failures where the request may not have reached Stripe, or its
 * answer was lost: worth another attempt under the same idempotency key. */
static int
curl_transient(int cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_HTTP2:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

int
stripe_retry_decide(int curl_code, int status, int should_retry)
{
	if (curl_code != 0)
		return curl_transient(curl_code);
	if (status >= 200 && status < 300)
		return 0;
	if (should_retry == 1)
		return 1;
	if (should_retry == 0)
		return 0;
	return status == 409 || status == 429 || status >= 500;
}

long
stripe_backoff_ms(int n, long base_ms, long max_ms, uint32_t r)
{
	long d = base_ms;
	int i;

	if (base_ms <= 0 || max_ms <= 0)
		return 0;
	for (i = 1; i < n && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	return d / 2 + (long)(r % (uint32_t)(d - d / 2 + 1));
}

/* ---- transport --------------------------------------------------------- */

void
stripe_req_free(struct stripe_req *r)
{
	if (r == NULL)
		return;
	buf_free(&r->path);
	buf_free(&r->body);
	r->method = NULL;
}

static struct curl_slist *
stripe_headers(const struct stripe *s, int post, const char *idem)
{
	struct curl_slist *h = NULL, *t;
	struct buf b = { 0 };
	const char *lines[] = {
		s->auth,
		"Stripe-Version: " STRIPE_API_VERSION,
		"Accept: application/json",
		"Expect:",	/* no 100-continue round trip */
		post ? "Content-Type: application/x-www-form-urlencoded" : NULL,
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (lines[i] == NULL)
			continue;
		if ((t = curl_slist_append(h, lines[i])) == NULL)
			goto fail;
		h = t;
	}
	if (!post)
		return h;
	if (buf_printf(&b, "Idempotency-Key: %s", idem) == -1 ||
	    (t = curl_slist_append(h, b.data)) == NULL)
		goto fail;
	buf_free(&b);
	return t;
fail:
	buf_free(&b);
	curl_slist_free_all(h);
	return NULL;
}

/* Sets what changes per call; returns 0 or -1. */
static int
stripe_prepare(struct stripe *s, const struct stripe_req *r, int post,
    const char *url, struct curl_slist *hdrs)
{
	CURL *h = s->curl;
	const char *body = r->body.data != NULL ? r->body.data : "";

	if (!SETOPT(h, CURLOPT_URL, url) || !SETOPT(h, CURLOPT_HTTPHEADER, hdrs))
		return -1;
	if (!post)
		return SETOPT(h, CURLOPT_HTTPGET, 1L) &&
		    SETOPT(h, CURLOPT_CUSTOMREQUEST, strcmp(r->method,
		    "DELETE") == 0 ? "DELETE" : NULL) ? 0 : -1;
	return SETOPT(h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)r->body.len) && SETOPT(h, CURLOPT_POSTFIELDS, body) ?
	    0 : -1;
}

static void
stripe_attempt(struct stripe *s, long timeout_ms, struct stripe_error *e)
{
	CURLcode cc;
	long status = 0;

	buf_reset(&s->resp);
	s->should_retry = -1;
	s->request_id[0] = '\0';
	s->date = 0;
	s->errbuf[0] = '\0';
	if (!SETOPT(s->curl, CURLOPT_TIMEOUT_MS, timeout_ms))
		cc = CURLE_BAD_FUNCTION_ARGUMENT;
	else
		cc = curl_easy_perform(s->curl);
	if (cc == CURLE_OK &&
	    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		status = 0;
	e->curl_code = (int)cc;
	e->status = cc == CURLE_OK ? (int)status : 0;
	copy_trunc(e->request_id, sizeof(e->request_id), s->request_id);
	e->date = s->date;
}

/* Turns the last attempt into the result. */
static enum err
stripe_finish(struct stripe *s, const struct stripe_req *r,
    struct stripe_error *e, cJSON **out)
{
	enum err rc;

	if (e->curl_code != 0) {
		err_msg(e, "%s%s%s", curl_easy_strerror(e->curl_code),
		    s->errbuf[0] ? ": " : "", s->errbuf);
		return ERR_UPSTREAM;
	}
	if (e->status >= 200 && e->status < 300) {
		*out = cJSON_ParseWithLength(s->resp.data != NULL ?
		    s->resp.data : "", s->resp.len);
		if (cJSON_IsObject(*out))
			return ERR_OK;
		cJSON_Delete(*out);
		*out = NULL;
		err_msg(e, "HTTP %d with a body that is not a JSON object",
		    e->status);
		return ERR_UPSTREAM;
	}
	stripe_error_parse(e->status, s->resp.data, s->resp.len, e);
	rc = stripe_error_map(e);
	if (e->status == 401 || e->status == 403)
		log_error(NULL, "stripe: %s %s refused our key (HTTP %d): %s",
		    r->method, r->path.data, e->status, e->message);
	return rc;
}

/* Makes the attempts; returns with the last one's outcome in e. */
static void
stripe_attempts(struct stripe *s, const struct stripe_req *r,
    struct stripe_error *e)
{
	long start = now_ms(), left, delay;
	int attempt;

	for (attempt = 1;; attempt++) {
		/* curl reads a timeout of 0 as "none": never pass one. */
		if ((left = s->budget_ms - (now_ms() - start)) <= 0)
			return;
		stripe_attempt(s, left < s->timeout_ms ? left : s->timeout_ms,
		    e);
		e->attempts = attempt;
		if (!stripe_retry_decide(e->curl_code, e->status,
		    s->should_retry) || attempt >= s->max_attempts)
			return;
		delay = stripe_backoff_ms(attempt, s->backoff_base_ms,
		    s->backoff_max_ms, randombytes_random());
		if (now_ms() - start + delay >= s->budget_ms)
			return;
		log_info(NULL, "stripe: %s %s attempt %d failed (HTTP %d, "
		    "curl %d); retrying in %ld ms", r->method, r->path.data,
		    attempt, e->status, e->curl_code, delay);
		sleep_ms(delay);
	}
}

enum err
stripe_send(struct stripe *s, const struct stripe_req *r,
    const char *idem_key, cJSON **out, struct stripe_error *e)
{
	struct stripe_error local;
	struct curl_slist *hdrs = NULL;
	struct buf url = { 0 };
	enum err rc = ERR_INTERNAL;
	int post;

	assert(s != NULL && r != NULL && r->method != NULL && out != NULL);
	if (e == NULL)
		e = &local;
	memset(e, 0, sizeof(*e));
	*out = NULL;
	post = strcmp(r->method, "POST") == 0;
	if ((!post && strcmp(r->method, "GET") != 0 &&
	    strcmp(r->method, "DELETE") != 0) || r->path.data == NULL ||
	    r->path.data[0] != '/') {
		err_msg(e, "only GET, POST and DELETE of a /v1 path are sent");
		return ERR_INVALID;
	}
	if (post ? !header_token_ok(idem_key, IDEM_MAX) : idem_key != NULL) {
		err_msg(e, "unfit idempotency key for %s %s", r->method,
		    r->path.data);
		return ERR_INVALID;
	}
	if (r->path.oom || r->body.oom ||
	    buf_printf(&url, "%s%s", s->base, r->path.data) == -1 ||
	    (hdrs = stripe_headers(s, post, idem_key)) == NULL ||
	    stripe_prepare(s, r, post, url.data, hdrs) == -1) {
		err_msg(e, "out of memory preparing %s", r->method);
		goto out;
	}
	stripe_attempts(s, r, e);
	rc = stripe_finish(s, r, e, out);
out:
	/* The handle must not keep pointers to what is freed below. */
	if (!SETOPT(s->curl, CURLOPT_HTTPHEADER, NULL) ||
	    !SETOPT(s->curl, CURLOPT_POSTFIELDS, NULL) ||
	    !SETOPT(s->curl, CURLOPT_CUSTOMREQUEST, NULL))
		log_error(NULL, "stripe: cannot reset curl options");
	curl_slist_free_all(hdrs);
	buf_free(&url);
	buf_reset(&s->resp);
	return rc;
}

/* ---- request builders -------------------------------------------------- */

static enum err
req_done(struct stripe_req *r)
{
	return r->path.oom || r->body.oom ? ERR_INTERNAL : ERR_OK;
}

/* Starts r as method on prefix + escaped id + suffix. */
static enum err
req_start(struct stripe_req *r, const char *method, const char *prefix,
    const char *id, const char *suffix)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	if (id != NULL && id[0] == '\0')
		return ERR_INVALID;
	if (buf_puts(&r->path, prefix) == -1 ||
	    (id != NULL && buf_url_escape(&r->path, id, strlen(id)) == -1) ||
	    (suffix != NULL && buf_puts(&r->path, suffix) == -1))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* Appends query q (form-encoded, may be empty) to r's path. */
static enum err
req_query(struct stripe_req *r, const struct buf *q)
{
	if (q->oom)
		return ERR_INTERNAL;
	if (q->len > 0 && (buf_putc(&r->path, '?') == -1 ||
	    buf_append(&r->path, q->data, q->len) == -1))
		return ERR_INTERNAL;
	return req_done(r);
}

/* Appends the owner's metadata under prefix ("metadata" or
 * "payment_intent_data[metadata]"). */
static void
owner_add(struct buf *b, const char *prefix, const struct stripe_owner *o)
{
	if (o->install_id != NULL)
		sform_addk(b, o->install_id, "%s[" STRIPE_META_INSTALL "]",
		    prefix);
	if (o->order_id > 0) {
		char id[24];

		snprintf(id, sizeof(id), "%lld", (long long)o->order_id);
		sform_addk(b, id, "%s[" STRIPE_META_ORDER_ID "]", prefix);
	}
	if (o->order_number != NULL)
		sform_addk(b, o->order_number, "%s[" STRIPE_META_ORDER_NUMBER
		    "]", prefix);
}

/* metadata values are at most 500 characters at Stripe. */
static int
owner_ok(const struct stripe_owner *o)
{
	return o->order_id >= 0 &&
	    (o->install_id == NULL || (o->install_id[0] != '\0' &&
	    strlen(o->install_id) <= 500)) &&
	    (o->order_number == NULL || (o->order_number[0] != '\0' &&
	    strlen(o->order_number) <= 500));
}

enum err
stripe_req_customer_create(struct stripe_req *r,
    const struct stripe_customer_params *p)
{
	enum err rc;

	if ((rc = req_start(r, "POST", "/v1/customers", NULL, NULL)) != ERR_OK)
		return rc;
	if (p->user_id < 0 || (p->install_id != NULL &&
	    p->install_id[0] == '\0'))
		return ERR_INVALID;
	sform_add(&r->body, "email", p->email);
	sform_add(&r->body, "name", p->name);
	sform_add(&r->body, "metadata[" STRIPE_META_INSTALL "]", p->install_id);
	if (p->user_id > 0)
		sform_add_int64(&r->body, "metadata[user_id]", p->user_id);
	return req_done(r);
}

enum err
stripe_req_customer_retrieve(struct stripe_req *r, const char *id)
{
	memset(r, 0, sizeof(*r));
	if (id == NULL)
		return ERR_INVALID;
	return req_start(r, "GET", "/v1/customers/", id, NULL);
}

enum err
stripe_req_customer_delete(struct stripe_req *r, const char *id)
{
	memset(r, 0, sizeof(*r));
	if (id == NULL)
		return ERR_INVALID;
	return req_start(r, "DELETE", "/v1/customers/", id, NULL);
}

enum err
stripe_req_coupon_create(struct stripe_req *r,
    const struct stripe_coupon_params *p)
{
	enum err rc;
	size_t nc;

	if ((rc = req_start(r, "POST", "/v1/coupons", NULL, NULL)) != ERR_OK)
		return rc;
	nc = p->name != NULL ? utf8_chars(p->name) : 0;
	if (p->amount_off <= 0 || p->currency == NULL ||
	    p->currency[0] == '\0' || nc < 1 || nc > 40 || !owner_ok(&p->owner))
		return ERR_INVALID;
	sform_add_int64(&r->body, "amount_off", p->amount_off);
	sform_add(&r->body, "currency", p->currency);
	sform_add(&r->body, "duration", "once");
	sform_add(&r->body, "max_redemptions", "1");
	sform_add(&r->body, "name", p->name);
	owner_add(&r->body, "metadata", &p->owner);
	return req_done(r);
}

static int
checkout_items_ok(const struct stripe_checkout_params *p)
{
	const struct stripe_line_item *it;
	size_t i;

	if (p->items == NULL || p->nitems < 1 || p->nitems > 100)
		return 0;
	for (i = 0; i < p->nitems; i++) {
		it = &p->items[i];
		if (it->name == NULL || it->name[0] == '\0' ||
		    it->unit_amount < 0 || it->quantity < 1 ||
		    it->currency == NULL || it->currency[0] == '\0' ||
		    strcmp(it->currency, p->items[0].currency) != 0)
			return 0;
	}
	return 1;
}

static int
checkout_params_ok(const struct stripe_checkout_params *p)
{
	size_t i;

	if (p->owner.order_id <= 0 || !owner_ok(&p->owner) ||
	    p->expires_at <= 0 ||
	    p->success_url == NULL || p->success_url[0] == '\0' ||
	    (p->client_reference_id != NULL &&
	    (p->client_reference_id[0] == '\0' ||
	    strlen(p->client_reference_id) > 200)) ||
	    (p->customer != NULL && p->customer[0] == '\0') ||
	    (p->coupon != NULL && p->coupon[0] == '\0'))
		return 0;
	for (i = 0; p->payment_method_types != NULL &&
	    p->payment_method_types[i] != NULL; i++)
		if (p->payment_method_types[i][0] == '\0')
			return 0;
	return checkout_items_ok(p);
}


/* Appends line i of the order: price_data (currency, unit_amount,
 * product_data[name]) and quantity. */
static void
checkout_add_item(struct buf *b, size_t i, const struct stripe_line_item *it)
{
	char key[80];

	snprintf(key, sizeof(key), "line_items[%zu][price_data][currency]", i);
	sform_add(b, key, it->currency);
	snprintf(key, sizeof(key), "line_items[%zu][price_data][unit_amount]",
	    i);
	sform_add_int64(b, key, it->unit_amount);
	snprintf(key, sizeof(key),
	    "line_items[%zu][price_data][product_data][name]", i);
	sform_add(b, key, it->name);
	snprintf(key, sizeof(key), "line_items[%zu][quantity]", i);
	sform_add_int64(b, key, it->quantity);
}

enum err
stripe_req_checkout_create(struct stripe_req *r,
    const struct stripe_checkout_params *p)
{
	struct buf *b = &r->body;
	enum err rc;
	size_t i;

	if ((rc = req_start(r, "POST", "/v1/checkout/sessions", NULL,
	    NULL)) != ERR_OK)
		return rc;
	if (!checkout_params_ok(p))
		return ERR_INVALID;
	sform_add(b, "mode", "payment");
	sform_add(b, "customer", p->customer);
	sform_add(b, "client_reference_id", p->client_reference_id);
	owner_add(b, "metadata", &p->owner);
	owner_add(b, "payment_intent_data[metadata]", &p->owner);
	for (i = 0; i < p->nitems; i++)
		checkout_add_item(b, i, &p->items[i]);
	if (p->coupon != NULL)
		sform_add(b, "discounts[0][coupon]", p->coupon);
	sform_add_int64(b, "expires_at", p->expires_at);
	sform_add(b, "success_url", p->success_url);
	sform_add(b, "cancel_url", p->cancel_url);
	for (i = 0; p->payment_method_types != NULL &&
	    p->payment_method_types[i] != NULL; i++)
		sform_addk(b, p->payment_method_types[i],
		    "payment_method_types[%zu]", i);
	return req_done(r);
}

enum err
stripe_req_checkout_retrieve(struct stripe_req *r, const char *id)
{
	memset(r, 0, sizeof(*r));
	if (id == NULL)
		return ERR_INVALID;
	return req_start(r, "GET", "/v1/checkout/sessions/", id,
	    "?expand[]=payment_intent.latest_charge");
}

enum err
stripe_req_checkout_expire(struct stripe_req *r, const char *id)
{
	memset(r, 0, sizeof(*r));
	if (id == NULL)
		return ERR_INVALID;
	return req_start(r, "POST", "/v1/checkout/sessions/", id, "/expire");
}

/* Checks the paging fields shared by the list calls. */
static int
page_ok(int limit, const char *starting_after)
{
	return limit >= 0 && limit <= 100 &&
	    (starting_after == NULL || starting_after[0] != '\0');
}

enum err
stripe_req_checkout_list(struct stripe_req *r,
    const struct stripe_session_filter *f)
{
	struct buf q = { 0 };
	enum err rc;

	if ((rc = req_start(r, "GET", "/v1/checkout/sessions", NULL,
	    NULL)) != ERR_OK)
		return rc;
	if ((f->customer != NULL && f->customer[0] == '\0') ||
	    (f->payment_intent != NULL && f->payment_intent[0] == '\0') ||
	    !page_ok(f->limit, f->starting_after))
		return ERR_INVALID;
	sform_add(&q, "customer", f->customer);
	if (f->limit > 0)
		sform_add_int64(&q, "limit", f->limit);
	sform_add(&q, "payment_intent", f->payment_intent);
	sform_add(&q, "starting_after", f->starting_after);
	rc = req_query(r, &q);
	buf_free(&q);
	return rc;
}

enum err
stripe_req_refund_create(struct stripe_req *r,
    const struct stripe_refund_params *p)
{
	static const char *const reasons[] = { "duplicate", "fraudulent",
	    "requested_by_customer" };
	enum err rc;
	size_t i;
	int ok = p->reason == NULL;

	if ((rc = req_start(r, "POST", "/v1/refunds", NULL, NULL)) != ERR_OK)
		return rc;
	for (i = 0; !ok && i < sizeof(reasons) / sizeof(reasons[0]); i++)
		ok = strcmp(p->reason, reasons[i]) == 0;
	if (!ok || p->payment_intent == NULL || p->payment_intent[0] == '\0' ||
	    p->amount < 0 || !owner_ok(&p->owner))
		return ERR_INVALID;
	sform_add(&r->body, "payment_intent", p->payment_intent);
	if (p->amount > 0)
		sform_add_int64(&r->body, "amount", p->amount);
	sform_add(&r->body, "reason", p->reason);
	owner_add(&r->body, "metadata", &p->owner);
	return req_done(r);
}

enum err
stripe_req_event_list(struct stripe_req *r,
    const struct stripe_event_filter *f)
{
	struct buf q = { 0 };
	enum err rc;
	size_t i;

	if ((rc = req_start(r, "GET", "/v1/events", NULL, NULL)) != ERR_OK)
		return rc;
	if (f->created_gt < 0 || !page_ok(f->limit, f->starting_after))
		return ERR_INVALID;
	for (i = 0; f->types != NULL && f->types[i] != NULL; i++)
		if (i >= 20 || f->types[i][0] == '\0')
			return ERR_INVALID;
	if (f->created_gt > 0)
		sform_add_int64(&q, "created[gt]", f->created_gt);
	if (f->limit > 0)
		sform_add_int64(&q, "limit", f->limit);
	sform_add(&q, "starting_after", f->starting_after);
	for (i = 0; f->types != NULL && f->types[i] != NULL; i++)
		sform_addk(&q, f->types[i], "types[%zu]", i);
	rc = req_query(r, &q);
	buf_free(&q);
	return rc;
}

/* ---- response parsers -------------------------------------------------- */

#define J(o, k) cJSON_GetObjectItemCaseSensitive((o), (k))

/* Copies string member key of o into dst (n bytes); absent or null gives
 * "".  Returns -1 for another type or a string that does not fit. */
int
j_str(const cJSON *o, const char *key, char *dst, size_t n)
{
	const cJSON *v = J(o, key);
	size_t len;

	dst[0] = '\0';
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return -1;
	if ((len = strlen(v->valuestring)) >= n)
		return -1;
	memcpy(dst, v->valuestring, len + 1);
	return 0;
}

/* Sets *out to integer member key of o, or to dflt when absent or null.
 * Returns -1 for another type or a number that is not an exact integer. */
int
j_int(const cJSON *o, const char *key, int64_t *out, int64_t dflt)
{
	const cJSON *v = J(o, key);
	double d;

	*out = dflt;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!(d >= -JSON_INT_MAX && d <= JSON_INT_MAX) || d != (double)(int64_t)d)
		return -1;
	*out = (int64_t)d;
	return 0;
}

/* Sets *out from boolean member key (absent or null: 0). */
int
j_bool(const cJSON *o, const char *key, int *out)
{
	const cJSON *v = J(o, key);

	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return -1;
	*out = cJSON_IsTrue(v) ? 1 : 0;
	return 0;
}

/* An id field that Stripe may expand into the object it names. */
static int
j_ref(const cJSON *o, const char *key, char *dst, size_t n)
{
	const cJSON *v = J(o, key);

	if (cJSON_IsObject(v))
		return j_str(v, "id", dst, n);
	return j_str(o, key, dst, n);
}

/* o is an object whose "object" member, when present, is want. */
int
j_is(const cJSON *o, const char *want)
{
	const cJSON *v = J(o, "object");

	if (!cJSON_IsObject(o))
		return 0;
	return v == NULL || (cJSON_IsString(v) &&
	    strcmp(v->valuestring, want) == 0);
}

/* Returns metadata[key] of o as one of our ids: a positive decimal of at
 * most 18 digits, else 0. */
int64_t
j_meta_id(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(J(J(o, "metadata"), key));
	int64_t id = 0;
	size_t i;

	if (v == NULL || v[0] == '\0' || v[0] == '0' || strlen(v) > 18)
		return 0;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		id = id * 10 + (v[i] - '0');
	}
	return id;
}

/* Copies metadata[key] of o into dst; "" when absent, not a string or too
 * long (another system's metadata is no reason to refuse its object). */
void
j_meta_str(const cJSON *o, const char *key, char *dst, size_t n)
{
	const char *v = cJSON_GetStringValue(J(J(o, "metadata"), key));

	dst[0] = '\0';
	if (v != NULL && strlen(v) < n)
		memcpy(dst, v, strlen(v) + 1);
}

/* Reads what Stripe holds of a session's payment from its expanded
 * payment intent's latest charge (pi may be an id, null or absent: then
 * nothing is known).  Returns -1 when an expanded object is malformed. */
static int
session_charge_parse(const cJSON *pi, struct stripe_session *out)
{
	const cJSON *ch = cJSON_IsObject(pi) ? J(pi, "latest_charge") : NULL;

	if (!cJSON_IsObject(ch))
		return 0;
	out->have_charge = 1;
	return j_str(ch, "id", out->charge, sizeof(out->charge)) |
	    j_int(ch, "amount_refunded", &out->amount_refunded, 0) |
	    j_bool(ch, "disputed", &out->disputed);
}

enum err
stripe_customer_parse(const cJSON *j, struct stripe_customer *out)
{
	int bad;

	memset(out, 0, sizeof(*out));
	if (!j_is(j, "customer"))
		return ERR_INVALID;
	bad = j_str(j, "id", out->id, sizeof(out->id)) |
	    j_str(j, "email", out->email, sizeof(out->email)) |
	    j_str(j, "name", out->name, sizeof(out->name)) |
	    j_bool(j, "deleted", &out->deleted);
	out->user_id = j_meta_id(j, "user_id");
	if (bad || out->id[0] == '\0') {
		memset(out, 0, sizeof(*out));
		return ERR_INVALID;
	}
	return ERR_OK;
}

enum err
stripe_coupon_parse(const cJSON *j, struct stripe_coupon *out)
{
	int bad;

	memset(out, 0, sizeof(*out));
	if (!j_is(j, "coupon"))
		return ERR_INVALID;
	bad = j_str(j, "id", out->id, sizeof(out->id)) |
	    j_int(j, "amount_off", &out->amount_off, -1) |
	    j_str(j, "currency", out->currency, sizeof(out->currency)) |
	    j_str(j, "duration", out->duration, sizeof(out->duration)) |
	    j_int(j, "max_redemptions", &out->max_redemptions, -1) |
	    j_bool(j, "valid", &out->valid);
	if (bad || out->id[0] == '\0') {
		memset(out, 0, sizeof(*out));
		return ERR_INVALID;
	}
	return ERR_OK;
}

void
stripe_session_free(struct stripe_session *s)
{
	if (s == NULL)
		return;
	free(s->url);
	free(s->receipt_url);
	memset(s, 0, sizeof(*s));
}

enum err
stripe_session_parse(const cJSON *j, struct stripe_session *out)
{
	const cJSON *url = J(j, "url"), *receipt;
	int bad;

	memset(out, 0, sizeof(*out));
	if (!j_is(j, "checkout.session"))
		return ERR_INVALID;
	bad = j_str(j, "id", out->id, sizeof(out->id)) |
	    j_str(j, "status", out->status, sizeof(out->status)) |
	    j_str(j, "payment_status", out->payment_status,
	    sizeof(out->payment_status)) |
	    j_int(j, "amount_total", &out->amount_total, -1) |
	    j_int(j, "amount_subtotal", &out->amount_subtotal, -1) |
	    j_str(j, "currency", out->currency, sizeof(out->currency)) |
	    j_str(j, "client_reference_id", out->client_reference_id,
	    sizeof(out->client_reference_id)) |
	    j_ref(j, "payment_intent", out->payment_intent,
	    sizeof(out->payment_intent)) |
	    j_ref(j, "customer", out->customer, sizeof(out->customer)) |
	    j_int(j, "expires_at", &out->expires_at, 0);
	out->order_id = j_meta_id(j, STRIPE_META_ORDER_ID);
	j_meta_str(j, STRIPE_META_INSTALL, out->install_id,
	    sizeof(out->install_id));
	j_meta_str(j, STRIPE_META_ORDER_NUMBER, out->order_number,
	    sizeof(out->order_number));
	bad |= session_charge_parse(J(j, "payment_intent"), out);
	if (bad || out->id[0] == '\0' ||
	    (url != NULL && !cJSON_IsNull(url) && !cJSON_IsString(url))) {
		memset(out, 0, sizeof(*out));
		return ERR_INVALID;
	}
	if (cJSON_IsString(url) &&
	    (out->url = strdup(url->valuestring)) == NULL) {
		memset(out, 0, sizeof(*out));
		return ERR_INTERNAL;
	}
	receipt = J(J(J(j, "payment_intent"), "latest_charge"), "receipt_url");
	if (cJSON_IsString(receipt) &&
	    (out->receipt_url = strdup(receipt->valuestring)) == NULL) {
		stripe_session_free(out);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

void
stripe_session_list_free(struct stripe_session_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		stripe_session_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Checks a list object; sets *data to its array and *n to its size. */
enum err
list_open(const cJSON *j, const cJSON **data, size_t *n, int *has_more)
{
	*data = J(j, "data");
	if (!j_is(j, "list") || !cJSON_IsArray(*data) ||
	    j_bool(j, "has_more", has_more) == -1)
		return ERR_INVALID;
	*n = (size_t)cJSON_GetArraySize(*data);
	return ERR_OK;
}

enum err
stripe_session_list_parse(const cJSON *j, struct stripe_session_list *out)
{
	const cJSON *data, *it;
	enum err rc;
	size_t n;

	memset(out, 0, sizeof(*out));
	if ((rc = list_open(j, &data, &n, &out->has_more)) != ERR_OK)
		return rc;
	if (n > 0 && (out->v = calloc(n, sizeof(*out->v))) == NULL)
		return ERR_INTERNAL;
	cJSON_ArrayForEach(it, data) {
		if (out->n == n)
			break;
		if ((rc = stripe_session_parse(it, &out->v[out->n])) != ERR_OK) {
			stripe_session_list_free(out);
			return rc;
		}
		out->n++;
	}
	return ERR_OK;
}

enum err
stripe_refund_parse(const cJSON *j, struct stripe_refund *out)
{
	int bad;

	memset(out, 0, sizeof(*out));
	if (!j_is(j, "refund"))
		return ERR_INVALID;
	bad = j_str(j, "id", out->id, sizeof(out->id)) |
	    j_str(j, "status", out->status, sizeof(out->status)) |
	    j_int(j, "amount", &out->amount, -1) |
	    j_str(j, "currency", out->currency, sizeof(out->currency)) |
	    j_ref(j, "payment_intent", out->payment_intent,
	    sizeof(out->payment_intent));
	if (bad || out->id[0] == '\0' || out->amount < 0) {
		memset(out, 0, sizeof(*out));
		return ERR_INVALID;
	}
	return ERR_OK;
}

void
stripe_event_free(struct stripe_event *ev)
{
	if (ev == NULL)
		return;
	cJSON_Delete(ev->json);
	memset(ev, 0, sizeof(*ev));
}

enum err
stripe_event_from_json(cJSON *j, struct stripe_event *out)
{
	const cJSON *obj = J(J(j, "data"), "object");
	int bad;

	memset(out, 0, sizeof(*out));
	if (!j_is(j, "event") || !cJSON_IsObject(obj))
		goto fail;
	bad = j_str(j, "id", out->id, sizeof(out->id)) |
	    j_str(j, "type", out->type, sizeof(out->type)) |
	    j_int(j, "created", &out->created, -1) |
	    j_bool(j, "livemode", &out->livemode) |
	    j_str(j, "api_version", out->api_version,
	    sizeof(out->api_version));
	if (bad || out->id[0] == '\0' || out->type[0] == '\0' ||
	    out->created < 0)
		goto fail;
	out->json = j;
	out->object = obj;
	return ERR_OK;
fail:
	cJSON_Delete(j);
	memset(out, 0, sizeof(*out));
	return ERR_INVALID;
}

enum err
stripe_event_parse(const char *body, size_t len, struct stripe_event *out)
{
	return stripe_event_from_json(cJSON_ParseWithLength(body, len), out);
}

void
stripe_event_list_free(struct stripe_event_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		stripe_event_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

enum err
stripe_event_list_parse(cJSON *j, struct stripe_event_list *out)
{
	const cJSON *data;
	cJSON *it;
	enum err rc;
	size_t n;

	memset(out, 0, sizeof(*out));
	if ((rc = list_open(j, &data, &n, &out->has_more)) != ERR_OK)
		goto out;
	if (n > 0 && (out->v = calloc(n, sizeof(*out->v))) == NULL) {
		rc = ERR_INTERNAL;
		goto out;
	}
	while (out->n < n &&
	    (it = cJSON_DetachItemFromArray((cJSON *)data, 0)) != NULL) {
		if ((rc = stripe_event_from_json(it, &out->v[out->n])) != ERR_OK)
			goto out;
		out->n++;
	}
out:
	if (rc != ERR_OK)
		stripe_event_list_free(out);
	cJSON_Delete(j);
	return rc;
}

/* ---- calls ------------------------------------------------------------- */

/* Fills e for a call refused before sending. */
static enum err
refuse(struct stripe_error *e, enum err rc, const char *what)
{
	if (e != NULL) {
		memset(e, 0, sizeof(*e));
		err_msg(e, "%s: %s", what, rc == ERR_INVALID ?
		    "parameters refused before sending (see stripe.h)" :
		    "out of memory");
	}
	return rc;
}

/* Sends r, built with result brc, and hands the answer to *j. */
static enum err
call(struct stripe *s, enum err brc, const struct stripe_req *r,
    const char *idem, cJSON **j, struct stripe_error *e, const char *what)
{
	if (brc != ERR_OK)
		return refuse(e, brc, what);
	return stripe_send(s, r, idem, j, e);
}

/* Maps a parser's verdict on a 2xx answer: not the object we asked for
 * means Stripe (or whatever answered) is not behaving: ERR_UPSTREAM. */
static enum err
reply(enum err prc, struct stripe_error *e, const char *what)
{
	if (prc == ERR_INVALID) {
		err_msg(e, "%s: the answer is not the expected object", what);
		return ERR_UPSTREAM;
	}
	if (prc != ERR_OK)
		err_msg(e, "%s: out of memory", what);
	return prc;
}

enum err
stripe_customer_create(struct stripe *s,
    const struct stripe_customer_params *p, const char *idem_key,
    struct stripe_customer *out, struct stripe_error *e)
{
	struct stripe_req r = { 0 };
	cJSON *j = NULL;
	enum err rc;

	memset(out, 0, sizeof(*out));
	rc = call(s, stripe_req_customer_create(&r, p), &r, idem_key, &j, e,
	    "customer create");
	if (rc == ERR_OK)
		rc = reply(stripe_customer_parse(j, out), e, "customer create");
	cJSON_Delete(j);
	stripe_req_free(&r);
	return rc;
}

enum err
stripe_customer_delete(struct stripe *s, const char *id,
    struct stripe_error *e)
{
	struct stripe_req r = { 0 };
	const cJSON *deleted, *did;
	cJSON *j = NULL;
	enum err rc;

	rc = call(s, stripe_req_customer_delete(&r, id), &r, NULL, &j, e,
	    "customer delete");
	if (rc == ERR_OK) {
		/* {"id": "cus_...", "object": "customer", "deleted": true} */
		deleted = cJSON_GetObjectItemCaseSensitive(j, "deleted");
		did = cJSON_GetObjectItemCaseSensitive(j, "id");
		rc = reply(cJSON_IsTrue(deleted) && cJSON_IsString(did) &&
		    strcmp(did->valuestring, id) == 0 ? ERR_OK : ERR_INVALID,
		    e, "customer delete");
	}
	cJSON_Delete(j);
	stripe_req_free(&r);
	return rc;
}

enum err
stripe_customer_retrieve(struct stripe *s, const char *id,
    struct stripe_customer *out, struct stripe_error *e)
{
	struct stripe_req r = { 0 };
	cJSON *j = NULL;
	enum err rc;

	memset(out, 0, sizeof(*out));
	rc = call(s, stripe_req_customer_retrieve(&r, id), &r, NULL, &j, e,
	    "customer retrieve");
	if (rc == ERR_OK)
		rc = reply(stripe_customer_parse(j, out), e,
		    "customer retrieve");
	cJSON_Delete(j);
	stripe_req_free(&r);
	return rc;
}

enum err
stripe_coupon_create(struct stripe *s, const struct stripe_coupon_params *p,
    const char *idem_key, struct stripe_coupon *out, struct stripe_error *e)
{
	struct stripe_req r = { 0 };
	cJSON *j = NULL;
	enum err rc;

	memset(out, 0, sizeof(*out));
	rc = call(s, stripe_req_coupon_create(&r, p), &r, idem_key, &j, e,
	    "coupon create");
	if (rc == ERR_OK)
		rc = reply(stripe_coupon_parse(j, out), e, "coupon create");
	cJSON_Delete(j);
	stripe_req_free(&r);
	return rc;
}

/* The session calls differ only in the request they send. */
static enum err
session_call(struct stripe *s, enum err brc, struct stripe_req *r,
    const char *idem, struct stripe_session *out, struct stripe_error *e,
    const char *what)
{
	cJSON *j = NULL;
	enum err rc;

	rc = call(s, brc, r, idem, &j, e, what);
	if (rc == ERR_OK)
		rc = reply(stripe_session_parse(j, out), e, what);
	cJSON_Delete(j);
	stripe_req_free(r);
	return rc;
}

enum err
stripe_checkout_create(struct stripe *s,
    const struct stripe_checkout_params *p, const char *idem_key,
    struct stripe_session *out, struct stripe_error *e)
{
	struct stripe_req r = { 0 };
	int64_t now = (int64_t)time(NULL);

	memset(out, 0, sizeof(*out));
	if (p->expires_at < now + STRIPE_EXPIRES_MIN ||
	    p->expires_at > now + STRIPE_EXPIRES_MAX) {
		refuse(e, ERR_INVALID, "checkout create");
		err_msg(e, "checkout create: expires_at must lie between 31 "
		    "minutes and 24 hours ahead");
		return ERR_INVALID;
	}
	return session_call(s, stripe_req_checkout_create(&r, p), &r,
	    idem_key, out, e, "checkout create");
}

enum err
stripe_checkout_retrieve(struct stripe *s, const char *id,
    struct stripe_session *out, struct stripe_error *e)
{
	struct stripe_req r = { 0 };

	memset(out, 0, sizeof(*out));
	return session_call(s, stripe_req_checkout_retrieve(&r, id), &r, NULL,
	    out, e, "checkout retrieve");
}

enum err
stripe_checkout_expire(struct stripe *s, const char *id,
    const char *idem_key, struct stripe_session *out,
    struct stripe_error *e)
{
	struct stripe_req r = { 0 };

	memset(out, 0, sizeof(*out));
	return session_call(s, stripe_req_checkout_expire(&r, id), &r,
	    idem_key, out, e, "checkout expire");
}

enum err
stripe_checkout_list(struct stripe *s, const struct stripe_session_filter *f,
    struct stripe_session_list *out, struct stripe_error *e)
{
	struct stripe_req r = { 0 };
	cJSON *j = NULL;
	enum err rc;

	memset(out, 0, sizeof(*out));
	rc = call(s, stripe_req_checkout_list(&r, f), &r, NULL, &j, e,
	    "checkout list");
	if (rc == ERR_OK)
		rc = reply(stripe_session_list_parse(j, out), e,
		    "checkout list");
	cJSON_Delete(j);
	stripe_req_free(&r);
	return rc;
}

enum err
stripe_refund_create(struct stripe *s, const struct stripe_refund_params *p,
    const char *idem_key, struct stripe_refund *out, struct stripe_error *e)
{
	struct stripe_req r = { 0 };
	cJSON *j = NULL;
	enum err rc;

	memset(out, 0, sizeof(*out));
	rc = call(s, stripe_req_refund_create(&r, p), &r, idem_key, &j, e,
	    "refund create");
	if (rc == ERR_OK)
		rc = reply(stripe_refund_parse(j, out), e, "refund create");
	cJSON_Delete(j);
	stripe_req_free(&r);
	return rc;
}

enum err
stripe_event_list(struct stripe *s, const struct stripe_event_filter *f,
    struct stripe_event_list *out, struct stripe_error *e)
{
	struct stripe_req r = { 0 };
	cJSON *j = NULL;
	enum err rc;

	memset(out, 0, sizeof(*out));
	rc = call(s, stripe_req_event_list(&r, f), &r, NULL, &j, e,
	    "event list");
	if (rc == ERR_OK)
		rc = reply(stripe_event_list_parse(j, out), e, "event list");
	stripe_req_free(&r);
	return rc;
}
