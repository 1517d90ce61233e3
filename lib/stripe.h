/* Stripe API client over libcurl: the few calls the store makes, each split
 * into a pure request builder (stripe_req_*), one transport function that
 * sends with retries (stripe_send), and a pure response parser
 * (stripe_*_parse), so tests can check the exact bytes sent and parse
 * Stripe's own example objects without a network.  The stripe_<call>()
 * functions at the end do all three and are what domain code calls.
 *
 * Every call sends "Authorization: Bearer <key>" and the pinned
 * "Stripe-Version: 2023-08-16"; every POST carries an Idempotency-Key that
 * the caller derives from its own ids ("enroll-checkout-order-42-1"), so a
 * retry, by us or by the caller after a crash, never creates a second
 * object.  Failures come back as an enum err plus a struct stripe_error
 * that says what Stripe (or the network) said; the client itself logs only
 * retries (info) and 401/403 (error: the key is wrong), the caller decides
 * what to do with everything else.
 *
 * Threads: a struct stripe belongs to one worker and is not shared.
 * The program calls curl_global_init() once before the first stripe_new().
 *
 * Every stripe_<call>(s, ..., out, e): zeroes *out first; e may be NULL,
 * else it is filled on every return (attempts, status, Stripe's error);
 * returns ERR_OK with *out filled, or
 *   ERR_INVALID   parameters refused before sending (e->attempts == 0),
 *                 or Stripe's 4xx invalid_request_error / card_error;
 *   ERR_NOTFOUND  404 resource_missing (no such session, customer, ...);
 *   ERR_CONFLICT  idempotency_error (the key was used with another body)
 *                 or 409 after the retries;
 *   ERR_UPSTREAM  network failure, timeout, 429 or 5xx after the retries,
 *                 401/403 (our key: logged), or an answer that is not the
 *                 object asked for; the call may or may not have taken
 *                 effect, so repeat it later with the same idempotency key;
 *   ERR_INTERNAL  out of memory.
 * POST calls take idem_key: derive it from our ids and the attempt of the
 * business operation ("enroll-checkout-order-42-attempt-1"), never from
 * the clock or randomness, so a repeat after a crash reuses it; the same
 * key with different parameters is ERR_CONFLICT.
 *
 * Ownership at a glance: result structs made only of fixed arrays own
 * nothing; struct stripe_session owns its url (stripe_session_free), lists
 * own their array (stripe_session_list_free, stripe_event_list_free),
 * struct stripe_event owns its JSON (stripe_event_free), struct stripe_req
 * owns two buffers (stripe_req_free).  Each free function accepts NULL and
 * a zeroed struct, and every call zeroes its out-struct first, so freeing
 * after a failed call is always right. */
#ifndef ENROLL_STRIPE_H
#define ENROLL_STRIPE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"

#define STRIPE_API_VERSION	"2023-08-16"
#define STRIPE_API_BASE		"https://api.stripe.com"

/* Sizes of the fixed string fields below.  A Stripe id is at most 255
 * bytes; a response whose string does not fit is refused as malformed
 * (ERR_UPSTREAM), never truncated. */
#define STRIPE_ID_SIZE		256
#define STRIPE_TEXT_SIZE	1024

/* Checkout Sessions must expire between 30 minutes and 24 hours after
 * creation; the client refuses expires_at outside [now + 31 min, now + 24 h]
 * before sending (DESIGN.md: never exactly 30 minutes). */
#define STRIPE_EXPIRES_MIN	(31 * 60)
#define STRIPE_EXPIRES_MAX	(24 * 60 * 60)

/* The metadata keys every object the store creates carries: the store's
 * install id (install.h) and the order it is for, by row id and by its
 * number, so that a shared Stripe account can tell whose object it is. */
#define STRIPE_META_INSTALL	"enroll_install"
#define STRIPE_META_ORDER_ID	"order_id"
#define STRIPE_META_ORDER_NUMBER "order_number"

/* Who made an object and for which order; each member may be NULL or 0
 * and is then left out of metadata. */
struct stripe_owner {
	const char *install_id;	/* metadata[enroll_install] */
	int64_t order_id;	/* metadata[order_id] */
	const char *order_number; /* metadata[order_number] */
};

/* ---- client ------------------------------------------------------------ */

struct stripe;

/* Returns a client for api_base ("https://api.stripe.com" or the
 * emulator's "http://127.0.0.1:PORT"; a trailing '/' is ignored) and the
 * secret key, both copied.  Defaults: connect timeout 5 s, timeout 20 s
 * per attempt, 3 attempts, 30 s in all, backoff from 500 ms up to 4 s.
 * Returns NULL when api_base is not http(s)://..., the key is empty or has
 * characters unfit for a header, memory ran out or curl failed to start.
 * Caller frees with stripe_free(). */
struct stripe *stripe_new(const char *api_base, const char *secret_key);

/* Frees the client and its curl handle.  NULL is a no-op. */
void stripe_free(struct stripe *s);

/* Sets the connect timeout and the total time of one attempt, in ms
 * (values <= 0 keep the current setting). */
void stripe_set_timeouts(struct stripe *s, long connect_ms, long total_ms);

/* Sets the number of attempts (>= 1) and the time all attempts of one call
 * may take together, in ms (<= 0 keeps the current setting). */
void stripe_set_retries(struct stripe *s, int max_attempts, long budget_ms);

/* Sets the backoff: before retry n (1, 2, ...) the client sleeps a random
 * time in [d/2, d] where d = min(max_ms, base_ms * 2^(n-1)). */
void stripe_set_backoff(struct stripe *s, long base_ms, long max_ms);

/* ---- errors ------------------------------------------------------------ */

/* What went wrong, for a log line or an admin page.  Fixed arrays: nothing
 * to free.  Strings are "" when Stripe did not send them.  Stripe's own
 * fields come from its error JSON {"error":{"type",...}}. */
struct stripe_error {
	int status;		/* HTTP status of the last attempt; 0: none */
	int curl_code;		/* CURLcode of the last attempt; 0: none */
	int attempts;		/* attempts made */
	char type[64];		/* invalid_request_error, api_error,
				   card_error, idempotency_error, ... */
	char code[64];		/* parameter_unknown, resource_missing, ... */
	char decline_code[64];	/* card declines only */
	char param[256];	/* parameter at fault, as Stripe names it */
	char message[STRIPE_TEXT_SIZE]; /* Stripe's message, or the network
				   error, or what the client refused */
	char request_id[STRIPE_ID_SIZE]; /* Request-Id header ("req_..."),
				   for Stripe support */
	int64_t date;		/* Date header of the last answer (unix time),
				   0 when none: Stripe's clock */
};

/* Writes a one-line summary of e into dst (n bytes, always terminated):
 * "HTTP 400 invalid_request_error/parameter_unknown param=x: message
 * (req_..., 1 attempt)".  Returns dst. */
char *stripe_error_format(const struct stripe_error *e, char *dst, size_t n);

/* Fills e from an error response: status and Stripe's error JSON in the
 * len bytes at body (anything else gives a generic message).  Keeps
 * e->attempts, e->curl_code and e->request_id. */
void stripe_error_parse(int status, const char *body, size_t len,
    struct stripe_error *e);

/* Maps a finished call to an enum err: no answer, 429, 5xx, 401, 403 and
 * an answer that is not Stripe's → ERR_UPSTREAM; idempotency_error and
 * 409 → ERR_CONFLICT; 404 resource_missing → ERR_NOTFOUND; other 4xx →
 * ERR_INVALID. */
enum err stripe_error_map(const struct stripe_error *e);

/* Decides whether an attempt that ended with curl_code (CURLcode, 0 when
 * an answer came), HTTP status and the Stripe-Should-Retry header
 * (should_retry: 1 "true", 0 "false", -1 absent) is worth repeating:
 * the header decides when present; otherwise transient network errors and
 * timeouts, 409, 429 and 5xx are retried, nothing else.  Returns 1 or 0. */
int stripe_retry_decide(int curl_code, int status, int should_retry);

/* Returns the backoff before retry n (n >= 1) in ms, given r uniform in
 * [0, 2^32): in [d/2, d] with d = min(max_ms, base_ms * 2^(n-1)). */
long stripe_backoff_ms(int n, long base_ms, long max_ms, uint32_t r);

/* ---- requests: pure builders ------------------------------------------- */

/* One HTTP request to Stripe.  Owns path and body: free with
 * stripe_req_free().  A zeroed struct is empty. */
struct stripe_req {
	const char *method;	/* "GET", "POST" or "DELETE", static */
	struct buf path;	/* "/v1/..." with ids percent-encoded and, for
				   GET, "?query" in Stripe's form encoding */
	struct buf body;	/* form body of a POST; empty for GET */
};

/* Frees r's buffers; r is then empty.  NULL is a no-op. */
void stripe_req_free(struct stripe_req *r);

/* Sends r with retries and, on a 2xx answer, sets *out to the parsed JSON
 * object (caller frees with cJSON_Delete(); NULL on failure).  For calls
 * this header has no wrapper for (GET /v1/payment_intents/{id}, ...).
 * idem_key is required for a POST (1..255 bytes of printable ASCII, no
 * spaces) and must be NULL for a GET; the same key is sent on every
 * attempt.  e (may be NULL) is filled on every return.  Returns ERR_OK or
 * stripe_error_map(e); ERR_INVALID without sending when the method is not
 * GET or POST, the path does not start with '/' or idem_key is unfit;
 * ERR_INTERNAL when out of memory. */
enum err stripe_send(struct stripe *s, const struct stripe_req *r,
    const char *idem_key, cJSON **out, struct stripe_error *e);

/* ---- customers --------------------------------------------------------- */

struct stripe_customer_params {
	const char *email;	/* or NULL */
	const char *name;	/* or NULL */
	int64_t user_id;	/* metadata[user_id]; 0 leaves it out */
	const char *install_id;	/* metadata[enroll_install], or NULL */
};

/* A Customer.  Fixed arrays: nothing to free. */
struct stripe_customer {
	char id[STRIPE_ID_SIZE];	/* "cus_..." */
	char email[STRIPE_TEXT_SIZE];	/* "" when null */
	char name[STRIPE_TEXT_SIZE];	/* "" when null */
	int64_t user_id;		/* metadata.user_id, 0 when absent or
					   not a positive decimal */
	int deleted;			/* deleted in Stripe: create a new one */
};

/* POST /v1/customers: email, name, metadata[enroll_install],
 * metadata[user_id] in that order. */
enum err stripe_req_customer_create(struct stripe_req *r,
    const struct stripe_customer_params *p);
/* GET /v1/customers/{id}.  ERR_INVALID when id is empty. */
enum err stripe_req_customer_retrieve(struct stripe_req *r, const char *id);
/* DELETE /v1/customers/{id}.  ERR_INVALID when id is empty. */
enum err stripe_req_customer_delete(struct stripe_req *r, const char *id);
/* Parses a customer object.  ERR_INVALID when it is not one. */
enum err stripe_customer_parse(const cJSON *j, struct stripe_customer *out);

enum err stripe_customer_create(struct stripe *s,
    const struct stripe_customer_params *p, const char *idem_key,
    struct stripe_customer *out, struct stripe_error *e);
enum err stripe_customer_retrieve(struct stripe *s, const char *id,
    struct stripe_customer *out, struct stripe_error *e);
/* Deletes customer id (Stripe keeps its payments, without the person):
 * ERR_OK when Stripe answers {"deleted": true}; ERR_NOTFOUND when there is
 * no such customer (deleted before: a retry after an answer was lost). */
enum err stripe_customer_delete(struct stripe *s, const char *id,
    struct stripe_error *e);

/* ---- coupons ----------------------------------------------------------- */

/* A one-off coupon worth exactly the discount the store computed for one
 * order, so that Stripe's page and receipt show it: duration=once,
 * max_redemptions=1. */
struct stripe_coupon_params {
	int64_t amount_off;	/* minor units, > 0 */
	const char *currency;	/* lower-case ISO code, "eur" */
	const char *name;	/* shown to the buyer, 1..40 characters */
	struct stripe_owner owner; /* metadata */
};

/* A Coupon.  Fixed arrays: nothing to free. */
struct stripe_coupon {
	char id[STRIPE_ID_SIZE];	/* Stripe's random code */
	int64_t amount_off;		/* -1 when null (a percent coupon) */
	char currency[16];		/* "" when null */
	char duration[16];		/* once, forever, repeating */
	int64_t max_redemptions;	/* -1 when null */
	int valid;			/* can still be redeemed */
};

/* POST /v1/coupons: amount_off, currency, duration=once,
 * max_redemptions=1, name, metadata (owner).  ERR_INVALID when
 * amount_off <= 0, currency is missing or name is not 1..40 characters. */
enum err stripe_req_coupon_create(struct stripe_req *r,
    const struct stripe_coupon_params *p);
enum err stripe_coupon_parse(const cJSON *j, struct stripe_coupon *out);
enum err stripe_coupon_create(struct stripe *s,
    const struct stripe_coupon_params *p, const char *idem_key,
    struct stripe_coupon *out, struct stripe_error *e);

/* ---- checkout sessions ------------------------------------------------- */

/* One line of the order, priced by us (price_data), never by the client. */
struct stripe_line_item {
	const char *name;	/* product_data[name], shown on Stripe's page */
	int64_t unit_amount;	/* minor units, >= 0 */
	const char *currency;	/* lower-case ISO code; the same on all lines */
	int64_t quantity;	/* >= 1 */
};

struct stripe_checkout_params {
	const char *customer;	/* "cus_..." reused per user, or NULL */
	const char *client_reference_id; /* our reference (<= 200 bytes), or
				   NULL; e.g. the order id as text */
	struct stripe_owner owner; /* metadata of the session and, through
				   payment_intent_data, of its payment
				   intent; owner.order_id > 0 */
	const struct stripe_line_item *items; /* the lines, in order */
	size_t nitems;		/* 1..100 */
	const char *coupon;	/* discounts[0][coupon] (a coupon id from
				   stripe_coupon_create), or NULL */
	int64_t expires_at;	/* unix time; stripe_checkout_create refuses
				   one outside [now + 31 min, now + 24 h] */
	const char *success_url; /* required; should contain
				   {CHECKOUT_SESSION_ID}, which Stripe replaces */
	const char *cancel_url;	/* or NULL */
	const char *const *payment_method_types; /* NULL-terminated, e.g.
				   {"card", NULL}; NULL: the Dashboard's */
};

/* A Checkout Session.  Owns url: free with stripe_session_free(). */
struct stripe_session {
	char id[STRIPE_ID_SIZE];	/* "cs_..." */
	char status[16];		/* open, complete, expired; "" if null */
	char payment_status[32];	/* paid, unpaid, no_payment_required */
	int64_t amount_total;		/* minor units; -1 when null */
	int64_t amount_subtotal;	/* minor units; -1 when null */
	char currency[16];		/* lower-case; "" when null */
	char client_reference_id[STRIPE_ID_SIZE]; /* "" when null */
	int64_t order_id;		/* metadata.order_id; 0 when absent or
					   not a positive decimal */
	char install_id[64];		/* metadata.enroll_install; "" when
					   absent: not made by an enroll */
	char order_number[64];		/* metadata.order_number, or "" */
	/* From the payment intent's latest charge, when the retrieve
	 * expanded it (stripe_checkout_retrieve does): */
	int have_charge;		/* 1: the fields below are known */
	int64_t amount_refunded;	/* charge.amount_refunded */
	int disputed;			/* charge.disputed */
	char charge[STRIPE_ID_SIZE];	/* charge.id ("ch_..."), "" when not
					   expanded */
	char *receipt_url;		/* charge.receipt_url (Stripe's own
					   receipt page), or NULL */
	char payment_intent[STRIPE_ID_SIZE]; /* "pi_..." (also when expanded);
					   "" when null */
	char customer[STRIPE_ID_SIZE];	/* "cus_..."; "" when null */
	int64_t expires_at;		/* unix time */
	char *url;			/* Stripe's hosted page; NULL once the
					   session is complete or expired */
};

/* Frees what s owns and zeroes it.  NULL is a no-op. */
void stripe_session_free(struct stripe_session *s);

/* A page of sessions.  Owns v (each with its url): free with
 * stripe_session_list_free(). */
struct stripe_session_list {
	struct stripe_session *v;	/* n sessions, newest first */
	size_t n;			/* sessions in v */
	int has_more;			/* another page follows; ask again with
					   starting_after = v[n-1].id */
};

void stripe_session_list_free(struct stripe_session_list *l);

struct stripe_session_filter {
	const char *payment_intent;	/* or NULL */
	const char *customer;		/* or NULL */
	int limit;			/* 1..100; 0: Stripe's default, 10 */
	const char *starting_after;	/* a session id, or NULL */
};

/* POST /v1/checkout/sessions with, in this order: mode=payment, customer,
 * client_reference_id, metadata (owner), payment_intent_data[metadata]
 * (owner), for each line
 * line_items[i][price_data][currency], [unit_amount],
 * [product_data][name], line_items[i][quantity]; discounts[0][coupon],
 * expires_at, success_url, cancel_url, payment_method_types[i].
 * ERR_INVALID when a required field is missing or out of range, or lines
 * differ in currency.  Does not look at the clock. */
enum err stripe_req_checkout_create(struct stripe_req *r,
    const struct stripe_checkout_params *p);
/* GET /v1/checkout/sessions/{id}?expand[]=payment_intent.latest_charge:
 * the charge tells what Stripe still holds (refunds, disputes). */
enum err stripe_req_checkout_retrieve(struct stripe_req *r, const char *id);
/* POST /v1/checkout/sessions/{id}/expire (empty body) */
enum err stripe_req_checkout_expire(struct stripe_req *r, const char *id);
/* GET /v1/checkout/sessions?customer=&limit=&payment_intent=&
 * starting_after= (those set, in this order) */
enum err stripe_req_checkout_list(struct stripe_req *r,
    const struct stripe_session_filter *f);

/* Parses a checkout.session object (a response, or data.object of a
 * checkout.session.* event).  On ERR_OK out owns a url (free with
 * stripe_session_free); on failure out is zeroed.  ERR_INVALID when j is
 * not a session. */
enum err stripe_session_parse(const cJSON *j, struct stripe_session *out);
/* Parses a list object of sessions into out (free with
 * stripe_session_list_free, also after a failure). */
enum err stripe_session_list_parse(const cJSON *j,
    struct stripe_session_list *out);

/* Creates a session; out->url is where to send the buyer.  Checks
 * expires_at against time(NULL) first (ERR_INVALID). */
enum err stripe_checkout_create(struct stripe *s,
    const struct stripe_checkout_params *p, const char *idem_key,
    struct stripe_session *out, struct stripe_error *e);
enum err stripe_checkout_retrieve(struct stripe *s, const char *id,
    struct stripe_session *out, struct stripe_error *e);
/* Expires an open session (its reservations can then be released).
 * Stripe answers 400 invalid_request_error (ERR_INVALID) when the session
 * is no longer open: retrieve it to see whether it was paid meanwhile. */
enum err stripe_checkout_expire(struct stripe *s, const char *id,
    const char *idem_key, struct stripe_session *out,
    struct stripe_error *e);
enum err stripe_checkout_list(struct stripe *s,
    const struct stripe_session_filter *f, struct stripe_session_list *out,
    struct stripe_error *e);

/* ---- refunds ----------------------------------------------------------- */

struct stripe_refund_params {
	const char *payment_intent;	/* "pi_...", required */
	int64_t amount;			/* minor units; 0: the whole rest */
	const char *reason;		/* duplicate, fraudulent,
					   requested_by_customer, or NULL */
	struct stripe_owner owner;	/* metadata */
};

/* A Refund.  Fixed arrays: nothing to free. */
struct stripe_refund {
	char id[STRIPE_ID_SIZE];	/* "re_..." */
	char status[32];		/* pending, succeeded, failed,
					   requires_action, canceled */
	int64_t amount;			/* minor units */
	char currency[16];		/* lower-case */
	char payment_intent[STRIPE_ID_SIZE]; /* "" when null */
};

/* POST /v1/refunds: payment_intent, amount, reason, metadata (owner).
 * ERR_INVALID when payment_intent is missing, amount < 0 or reason is not
 * one of Stripe's three. */
enum err stripe_req_refund_create(struct stripe_req *r,
    const struct stripe_refund_params *p);
enum err stripe_refund_parse(const cJSON *j, struct stripe_refund *out);
enum err stripe_refund_create(struct stripe *s,
    const struct stripe_refund_params *p, const char *idem_key,
    struct stripe_refund *out, struct stripe_error *e);

/* ---- events ------------------------------------------------------------ */

/* An Event, from a webhook body or the events list.  Owns json: free with
 * stripe_event_free().  object points into json. */
struct stripe_event {
	char id[STRIPE_ID_SIZE];	/* "evt_...": the deduplication key */
	char type[128];			/* "checkout.session.completed", ... */
	int64_t created;		/* unix time */
	int livemode;			/* 1 for live, 0 for test data */
	char api_version[32];		/* "" when null */
	cJSON *json;			/* the whole event */
	const cJSON *object;		/* data.object: the object the event is
					   about, inside json; never NULL */
};

/* Parses the len bytes at body (a webhook delivery, already verified by
 * stripe_sig_verify) into out; out owns the JSON afterwards (free with
 * stripe_event_free, also after a failure).  ERR_INVALID unless body is an
 * event object with id, type, created and data.object. */
enum err stripe_event_parse(const char *body, size_t len,
    struct stripe_event *out);

/* As stripe_event_parse for an already parsed event; takes ownership of j
 * in every case (it is freed on failure). */
enum err stripe_event_from_json(cJSON *j, struct stripe_event *out);

/* Frees ev->json and zeroes ev.  NULL is a no-op. */
void stripe_event_free(struct stripe_event *ev);

/* A page of events, newest first.  Owns every event: free with
 * stripe_event_list_free(). */
struct stripe_event_list {
	struct stripe_event *v;		/* n events */
	size_t n;			/* events in v */
	int has_more;			/* more older events: ask again with
					   starting_after = v[n-1].id */
};

void stripe_event_list_free(struct stripe_event_list *l);

struct stripe_event_filter {
	int64_t created_gt;		/* created[gt]; 0 leaves it out */
	const char *const *types;	/* NULL-terminated list (at most 20),
					   or NULL for every type */
	int limit;			/* 1..100; 0: Stripe's default, 10 */
	const char *starting_after;	/* an event id, or NULL */
};

/* GET /v1/events?created[gt]=&limit=&starting_after=&types[0]=&... */
enum err stripe_req_event_list(struct stripe_req *r,
    const struct stripe_event_filter *f);
/* Takes ownership of j in every case (it is freed before returning). */
enum err stripe_event_list_parse(cJSON *j, struct stripe_event_list *out);
enum err stripe_event_list(struct stripe *s,
    const struct stripe_event_filter *f, struct stripe_event_list *out,
    struct stripe_error *e);

#endif
