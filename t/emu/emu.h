/* The local Stripe emulator: types and functions shared by its files.
 * One struct emu holds the whole process state; every change to the
 * database or the fault settings happens with emu->lock held, so the
 * connection threads of libmicrohttpd, the delivery thread and the expiry
 * ticker never race.  Functions named emu_*_locked expect the lock held. */
#ifndef ENROLL_EMU_H
#define ENROLL_EMU_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "err.h"
#include "form.h"

/* Object member by exact name (cJSON_GetObjectItem ignores case). */
#define JGET(o, k) cJSON_GetObjectItemCaseSensitive((o), (k))

#define EMU_API_VERSION "2023-08-16"	/* the version the spec describes */
#define EMU_MAX_BODY (256 * 1024)	/* larger request bodies get 413 */

enum emu_delivery {
	EMU_DELIVER_NORMAL,	/* each event once, as soon as possible */
	EMU_DELIVER_DROP,	/* never delivered */
	EMU_DELIVER_DUPLICATE,	/* each event delivered twice */
	EMU_DELIVER_REORDER,	/* held, then delivered newest first */
	EMU_DELIVER_DELAY,	/* each delivery waits delivery_delay_ms */
	EMU_DELIVER_MAX
};

struct emu_faults {
	int api_status;		/* 500 or 429 for the next api_count calls */
	int api_count;		/* API calls left that get api_status */
	long api_hang_ms;	/* the next API call sleeps this long */
	enum emu_delivery delivery;	/* how new events are delivered */
	long delivery_delay_ms;	/* delay mode wait; reorder hold window */
	int64_t last_held_ms;	/* when reorder last held an event */
};

struct emu_route;

struct emu {
	pthread_mutex_t lock;	/* guards db, faults and clock_offset */
	pthread_cond_t wake;	/* wakes the delivery thread */
	struct db *db;		/* all state; used only with lock held */
	cJSON *spec;		/* parsed spec3-subset.json, read-only */
	cJSON **schemas;	/* per route: parameter schema, read-only */
	const char *api_key;	/* the one accepted secret key */
	char public_url[256];	/* base of hosted page URLs, no '/' at end */
	struct emu_faults faults;	/* test fault settings */
	int64_t clock_offset;	/* seconds added to the wall clock */
	int silent;		/* set by the control API while it makes
				   something Stripe never tells the store
				   about: its events' deliveries are dropped */
	volatile int stopping;	/* set once at shutdown (under lock) */
};

/* One HTTP request, everything in the arena. */
struct ereq {
	struct arena *a;	/* owns the strings below */
	const char *method;	/* "GET", "POST", ... */
	const char *path;	/* percent-decoded, no query */
	const char *query;	/* raw query string, "" when none */
	const char *body;	/* raw body, NUL-terminated */
	size_t body_len;	/* bytes in body */
	const char *auth;	/* Authorization header or NULL */
	const char *idem_key;	/* Idempotency-Key header or NULL */
	const char *stripe_version;	/* Stripe-Version header or NULL */
	char request_id[32];	/* req_... made for this request */
};

/* One HTTP response, built by a handler, sent by server.c. */
struct eresp {
	int status;		/* HTTP status */
	const char *ctype;	/* static Content-Type */
	struct buf body;	/* owned; freed by server.c */
	const char *location;	/* Location header (arena) or NULL */
	const char *idem_key;	/* echoed Idempotency-Key or NULL */
	const char *original_request;	/* replayed request's id or NULL */
	const char *outcome;	/* Emu-Outcome header (static) or NULL */
	int should_retry;	/* adds Stripe-Should-Retry: true */
	int auth_challenge;	/* adds WWW-Authenticate (401) */
	int replayed;		/* adds Idempotent-Replayed: true */
	int html;		/* adds the hosted page's security headers */
};

/* Who caused a state change: the API request, or nobody (page, ticker). */
struct emu_cause {
	const char *request_id;	/* req_..., or NULL */
	const char *idem_key;	/* Idempotency-Key, or NULL */
};

/* clock.c */
int64_t emu_now(struct emu *e);	/* emulated unix time, lock held */
int64_t emu_wall_ms(void);	/* real unix time in ms, for deliveries */
void emu_sleep_ms(struct emu *e, long ms);
/* Writes prefix + n random [A-Za-z0-9] into out (size cap). */
void emu_new_id(char *out, size_t cap, const char *prefix, size_t n);

/* json.c: members of objects; setters take ownership of v, keep order,
 * and ignore v == NULL (out of memory). */
void emu_jset(cJSON *o, const char *k, cJSON *v);
void emu_jset_str(cJSON *o, const char *k, const char *s); /* NULL: null */
void emu_jset_int(cJSON *o, const char *k, int64_t v);
void emu_jset_bool(cJSON *o, const char *k, int b);
const char *emu_jstr(const cJSON *o, const char *k);	/* NULL if absent */
int64_t emu_jint(const cJSON *o, const char *k);	/* 0 if absent */

/* reply.c: responses and Stripe's error objects. */
void emu_reply_json(struct eresp *r, int status, const cJSON *obj);
void emu_reply_text(struct eresp *r, int status, const char *ctype,
    const char *text);
/* Builds {"error":{...}}; code, param may be NULL.  Caller frees with
 * cJSON_Delete(). */
cJSON *emu_error_new(const char *type, const char *code, const char *param,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Replies status with emu_error_new(...). */
void emu_reply_error(struct eresp *r, int status, const char *type,
    const char *code, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* shapes.c: Stripe's objects as fixtures3.json shows them, values reset.
 * Each returns a new object the caller frees with cJSON_Delete(), or NULL
 * when out of memory. */
enum emu_shape {
	SHAPE_SESSION, SHAPE_PAYMENT_INTENT, SHAPE_CHARGE, SHAPE_REFUND,
	SHAPE_EVENT, SHAPE_CUSTOMER, SHAPE_COUPON, SHAPE_ITEM, SHAPE_ENDPOINT,
	SHAPE_DISPUTE, SHAPE_MAX
};
cJSON *emu_shape_new(enum emu_shape s);

/* spec.c: the routes and the spec's parameter schemas. */
struct emu_call;
typedef void (*emu_api_fn)(struct emu_call *c);
struct emu_route {
	const char *method;	/* "GET", "POST" or "DELETE" */
	const char *pattern;	/* spec path, "/v1/customers/{customer}" */
	emu_api_fn fn;		/* handler */
};
extern const struct emu_route emu_routes[];
extern const size_t emu_nroutes;
/* Loads the spec and builds one parameter schema per route; returns 0 or
 * -1 after logging.  Frees with emu_spec_free(). */
int emu_spec_load(struct emu *e, const char *path);
void emu_spec_free(struct emu *e);
/* Finds the route for method and path; *id gets the {param} segment
 * (arena copy).  Returns the route index, or -1. */
int emu_route_find(struct arena *a, const char *method, const char *path,
    const char **id);

/* validate.c: parameters against a schema, decoded into nested cJSON. */
struct emu_verr {
	int status;		/* 400 or 413 */
	const char *code;	/* Stripe error code or NULL (static) */
	char param[256];	/* offending parameter as sent */
	char message[512];	/* Stripe-like message */
};
/* Validates the pairs of kv against schema (an object schema of the
 * spec; $refs resolved in spec) and builds their nested form in *out,
 * which the caller frees with cJSON_Delete().  Returns 0, or -1 with *err
 * filled and *out NULL. */
int emu_validate(const cJSON *spec, const cJSON *schema,
    const struct kvlist *kv, cJSON **out, struct emu_verr *err);

/* params.c: reading decoded parameters (all values are strings). */
const char *emu_param_str(const cJSON *p, const char *name);
/* Returns 1 and sets *v when name is present and an integer, else 0. */
int emu_param_int(const cJSON *p, const char *name, int64_t *v);
/* Copies string entries of object src into metadata dst: "" deletes. */
void emu_metadata_merge(cJSON *dst, const cJSON *src);

/* store.c: objects as JSON rows.  All need the lock. */
enum emu_kind {
	KIND_CUSTOMER, KIND_COUPON, KIND_SESSION, KIND_PAYMENT_INTENT,
	KIND_CHARGE, KIND_REFUND, KIND_EVENT, KIND_ITEM, KIND_ENDPOINT,
	KIND_DISPUTE, KIND_MAX
};
int emu_store_open(struct emu *e, const char *path);
/* Returns the stored object (caller frees with cJSON_Delete) or NULL. */
cJSON *emu_store_get(struct emu *e, enum emu_kind k, const char *id);
/* Inserts obj (its "id" is the key).  third fills the kind's extra
 * column: the session_id of a KIND_ITEM, the secret of a KIND_ENDPOINT;
 * NULL for the other kinds. */
enum err emu_store_insert(struct emu *e, enum emu_kind k, const cJSON *obj,
    const char *third);
enum err emu_store_update(struct emu *e, enum emu_kind k, const cJSON *obj);
/* Deletes object id of kind k (only KIND_ENDPOINT can be deleted);
 * ERR_NOTFOUND when there is none. */
enum err emu_store_delete(struct emu *e, enum emu_kind k, const char *id);
/* Returns the kind an id's prefix names, or KIND_MAX. */
enum emu_kind emu_kind_of_id(const char *id);
const char *emu_kind_name(enum emu_kind k);	/* "checkout.session" */

struct emu_list_q {
	int64_t limit;		/* 1..100 */
	const char *starting_after;	/* id or NULL */
	const char *ending_before;	/* id or NULL */
	const char *customer;	/* sessions, charges, payment intents:
				   filter or NULL */
	const char *payment_intent;	/* sessions, charges, refunds:
					   filter or NULL */
	const char *charge;	/* refunds: filter or NULL */
	const char *email;	/* sessions: customer_details email or NULL */
	const char *session_id;	/* items: whose */
	const char *type_like;	/* events: LIKE pattern or NULL */
	const char *types_json;	/* events: JSON array of types or NULL */
	int64_t created_min;	/* events, charges, refunds, payment
				   intents: created >= this */
	int64_t created_max;	/* the same: created <= this */
	int none;		/* a filter matches nothing: empty list */
};
/* Builds a Stripe list object of kind k into *out (caller frees).
 * Returns ERR_OK, ERR_NOTFOUND when a cursor id is unknown, or a db
 * error. */
enum err emu_store_list(struct emu *e, enum emu_kind k,
    const struct emu_list_q *q, const char *url, cJSON **out);

/* A session's payment_intent_data parameters, kept for the payment
 * intent made when the customer pays.  get: caller frees, NULL if none. */
enum err emu_store_private_put(struct emu *e, const char *cs_id,
    const cJSON *pi_data);
cJSON *emu_store_private_get(struct emu *e, const char *cs_id);

/* events.c: creating events and queueing their deliveries. */
/* Records an event of type whose data.object is a copy of obj, with
 * previous_attributes prev (may be NULL), and queues its deliveries. */
enum err emu_event_emit(struct emu *e, const char *type, const cJSON *obj,
    const cJSON *prev, const struct emu_cause *cause);
/* Patches pending_webhooks of a stored event from its deliveries. */
void emu_event_fix_pending(struct emu *e, cJSON *ev);

/* idem.c: Stripe's idempotency keys. */
struct emu_idem {
	int found;		/* a stored response exists */
	int status;		/* its status */
	char *body;		/* its body (arena) */
	char *request_id;	/* its request id (arena) */
	int mismatch;		/* 1 other parameters, 2 other endpoint */
	char *first;		/* "POST /v1/x" of the first use (arena) */
};
enum err emu_idem_lookup(struct emu *e, struct ereq *rq, struct emu_idem *out);
enum err emu_idem_save(struct emu *e, struct ereq *rq, int status,
    const char *body);

/* api.c: the /v1 pipeline. */
/* Records one received API request for /_emu/requests; lock held. */
void emu_api_record(struct emu *e, const struct ereq *rq,
    const struct eresp *rp);
struct emu_call {
	struct emu *emu;	/* the process state, lock held */
	struct ereq *rq;	/* the request */
	struct eresp *rp;	/* the response to fill */
	cJSON *params;		/* validated parameters (owned by api.c) */
	const char *id;		/* the path's {param}, or NULL */
	struct emu_cause cause;	/* for events this call creates */
};
void emu_api_handle(struct emu *e, struct ereq *rq, struct eresp *rp);
/* Replies 200 with obj after applying the call's expand[] parameters;
 * takes ownership of obj. */
void emu_api_reply(struct emu_call *c, cJSON *obj);
/* Replies with the stored object of kind k named by the path, or 404. */
void emu_api_get(struct emu_call *c, enum emu_kind k, const char *param);
/* Replies 500 "database" error. */
void emu_api_fail(struct emu_call *c);
/* Replies Stripe's 404 resource_missing for an id of kind k. */
void emu_api_missing(struct emu_call *c, const char *what, const char *param,
    const char *id);
/* Fills q's paging fields from the call's limit/starting_after/...;
 * returns 0, or -1 after replying 400. */
int emu_api_list_params(struct emu_call *c, struct emu_list_q *q);
/* Narrows q's created range by created or created[gt|gte|lt|lte]. */
void emu_list_created(const cJSON *p, struct emu_list_q *q);
/* Replies with a list, or the right error for e. */
void emu_api_reply_list(struct emu_call *c, enum err err, cJSON *list,
    const char *what);

/* expand.c */
/* Expands each dotted path of expand (array of strings) in obj; returns 0
 * or -1 with *bad set to the path that cannot be expanded. */
int emu_expand(struct emu *e, cJSON *obj, const cJSON *expand,
    const char **bad);

/* api_*.c handlers */
void emu_customer_create(struct emu_call *c);
void emu_customer_get(struct emu_call *c);
void emu_customer_update(struct emu_call *c);
void emu_customer_delete(struct emu_call *c);
void emu_coupon_create(struct emu_call *c);
void emu_coupon_get(struct emu_call *c);
void emu_session_create(struct emu_call *c);
void emu_session_list(struct emu_call *c);
void emu_session_get(struct emu_call *c);
void emu_session_expire(struct emu_call *c);
void emu_session_items(struct emu_call *c);
void emu_pi_get(struct emu_call *c);
void emu_pi_list(struct emu_call *c);
void emu_charge_list(struct emu_call *c);
void emu_refund_list(struct emu_call *c);
void emu_refund_create(struct emu_call *c);
void emu_refund_get(struct emu_call *c);
void emu_event_list(struct emu_call *c);
void emu_event_get(struct emu_call *c);
void emu_endpoint_create(struct emu_call *c);
void emu_endpoint_list(struct emu_call *c);
void emu_endpoint_get(struct emu_call *c);
void emu_endpoint_update(struct emu_call *c);
void emu_endpoint_delete(struct emu_call *c);

/* api_endpoints.c, at start-up: makes sure an enabled endpoint for url
 * signs with secret and takes every event ("*"), updating the oldest
 * endpoint with that url or creating one.  Runs its own transaction;
 * lock held.  Returns 0, or -1 after logging. */
int emu_endpoint_ensure(struct emu *e, const char *url, const char *secret);

/* dispute.c: a dispute opened on a succeeded charge. */
/* Opens a fraudulent dispute on the charge named by id (ch_..., or the
 * latest charge of a pi_...): the charge becomes disputed and
 * charge.dispute.created is emitted, in the caller's transaction.  *out
 * gets the dispute, which the caller frees with cJSON_Delete(), or NULL.
 * Returns ERR_OK, ERR_NOTFOUND (no such charge or intent), ERR_CONFLICT
 * (already disputed, or nothing paid to dispute) or a db error. */
enum err emu_dispute_open(struct emu *e, const char *id, cJSON **out);

/* api_payments.c: refunds amount of charge ch (updated in place and
 * stored) with reason (may be NULL) and metadata (may be NULL), emitting
 * charge.refunded and refund.created, in the caller's transaction.  The
 * caller has checked the amount.  *out gets the refund, which the caller
 * frees with cJSON_Delete(), or NULL on failure. */
enum err emu_refund_apply(struct emu *e, cJSON *ch, int64_t amount,
    const char *reason, const cJSON *metadata, const struct emu_cause *cause,
    cJSON **out);

/* plant.c: the control API's discrepancies, each in its own transaction
 * and never delivered to any endpoint (see README.md). */
void emu_plant_refund(struct emu *e, const char *id,
    const struct kvlist *form, struct eresp *rp);
void emu_plant_amount(struct emu *e, const char *cs_id,
    const struct kvlist *form, struct eresp *rp);

/* pay.c: what the hosted page and /_emu/pay do to a session. */
enum emu_pay {
	PAY_SUCCEEDED,		/* paid: session complete */
	PAY_DECLINED,		/* card declined; session stays open */
	PAY_REQUIRES_ACTION,	/* 3-D Secure step needed */
	PAY_AUTH_FAILED,	/* 3-D Secure failed; session stays open */
	PAY_INCORRECT_NUMBER,	/* not a card number; nothing recorded */
	PAY_NOT_OPEN,		/* expired or complete: nothing done */
	PAY_NOT_FOUND,		/* no such session */
	PAY_NO_AUTH_PENDING,	/* auth step without a pending 3-D Secure */
	PAY_ERROR,		/* database failure */
	PAY_MAX
};
struct emu_pay_result {
	enum emu_pay outcome;	/* what happened */
	const char *code;	/* static Stripe code, e.g. "card_declined" */
	const char *decline_code;	/* static, or NULL */
	const char *message;	/* static customer-facing message */
};
/* Pays session cs_id with card (spaces ignored) as the customer with
 * email (NULL: the session's or customer's).  Lock held; runs its own
 * transaction. */
void emu_pay_card(struct emu *e, const char *cs_id, const char *card,
    const char *email, struct emu_pay_result *res);
/* Finishes a pending 3-D Secure step: complete != 0 pays, else fails. */
void emu_pay_authenticate(struct emu *e, const char *cs_id, int complete,
    struct emu_pay_result *res);
/* Expires one open session (in the caller's transaction). */
enum err emu_session_expire_locked(struct emu *e, cJSON *session,
    const struct emu_cause *cause);
/* Expires every open session past expires_at; lock held. */
void emu_pay_sweep(struct emu *e);
const char *emu_pay_outcome_str(enum emu_pay p);

/* page.c: the hosted checkout page under /c/pay/. */
void emu_page_handle(struct emu *e, struct ereq *rq, struct eresp *rp);
/* page.c: GET /receipts/<ch_id>, the charge's receipt_url. */
void emu_receipt_handle(struct emu *e, struct ereq *rq, struct eresp *rp);

/* control.c: the test control API under /_emu/. */
void emu_control_handle(struct emu *e, struct ereq *rq, struct eresp *rp);

/* deliver.c: webhook delivery, one delivery per (event, endpoint). */
/* Returns how many enabled endpoints take events of type ("*" or the
 * type among their enabled_events), or -1; lock held. */
int64_t emu_deliver_count(struct emu *e, const char *type);
/* Queues deliveries of event_id (of type) to each endpoint that takes
 * it, per the fault mode; lock held. */
enum err emu_deliver_enqueue(struct emu *e, const char *event_id,
    const char *type);
/* Cancels the pending and held deliveries of a disabled or deleted
 * endpoint; lock held. */
enum err emu_deliver_cancel(struct emu *e, const char *endpoint_id);
/* Makes held and delayed deliveries due now; lock held. */
void emu_deliver_release(struct emu *e);
/* Returns how many deliveries are due now or held; lock held. */
int64_t emu_deliver_due(struct emu *e);
/* Starts/stops the delivery thread.  Start returns 0 or -1. */
int emu_deliver_start(struct emu *e, pthread_t *t);
void emu_deliver_stop(struct emu *e, pthread_t t);
/* Writes the v1 signature hex of "t.body" keyed with secret into out. */
void emu_sign(char out[65], const char *secret, long long t,
    const char *body, size_t len);

/* server.c: libmicrohttpd glue.  Starts listening on listen
 * ("127.x.x.x:PORT"); *port gets the bound port.  Returns the daemon, which
 * the caller stops with MHD_stop_daemon(), or NULL after logging. */
struct MHD_Daemon;
struct MHD_Daemon *emu_server_start(struct emu *e, const char *listen,
    unsigned *port);

#endif
