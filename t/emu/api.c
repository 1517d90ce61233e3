/* The /v1 pipeline, in Stripe's order: injected faults, the secret key,
 * Stripe-Version, the route, the parameters against the spec, the
 * idempotency key, then the handler inside one transaction whose
 * idempotent result is saved with its effects.  Every request is recorded
 * for GET /_emu/requests. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "emu.h"
#include "log.h"

static const struct form_limits api_limits = {
	.max_fields = 4096,
	.max_key = 512,
	.max_val = 64 * 1024,
};

/* Returns the key sent as "Bearer k" or HTTP Basic "k:" (arena). */
static const char *
sent_key(struct ereq *rq)
{
	const char *h = rq->auth;
	unsigned char *bin;
	size_t cap, len;

	if (h == NULL)
		return NULL;
	if (strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	if (strncasecmp(h, "Basic ", 6) != 0)
		return "";
	cap = strlen(h);
	if ((bin = arena_alloc(rq->a, cap + 1)) == NULL ||
	    sodium_base642bin(bin, cap, h + 6, strlen(h + 6), NULL, &len,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return "";
	bin[len] = '\0';
	if (memchr(bin, ':', len) != NULL)
		*(char *)memchr(bin, ':', len) = '\0';
	return (const char *)bin;
}

/* Stripe shows a wrong key as its prefix, stars and its last four. */
static void
reply_bad_key(struct eresp *rp, const char *key)
{
	char masked[128];
	size_t n = strlen(key), pre = 0, i, o = 0;
	const char *p = strchr(key, '_');

	if (p != NULL && (p = strchr(p + 1, '_')) != NULL)
		pre = (size_t)(p - key) + 1;
	if (n < pre + 4 || n > 100)
		pre = n > 4 ? 0 : n;
	for (i = 0; i < n && o + 1 < sizeof(masked); i++)
		masked[o++] = i < pre || i + 4 >= n ? key[i] : '*';
	masked[o] = '\0';
	emu_reply_error(rp, 401, "invalid_request_error", NULL, NULL,
	    "Invalid API Key provided: %s", masked);
	rp->auth_challenge = 1;
}

/* Checks the key; returns 0, or -1 after replying 401. */
static int
check_key(struct emu *e, struct ereq *rq, struct eresp *rp)
{
	const char *k = sent_key(rq);

	if (k == NULL || *k == '\0') {
		emu_reply_error(rp, 401, "invalid_request_error", NULL, NULL,
		    "You did not provide an API key. You need to provide your "
		    "API key in the Authorization header, using Bearer auth "
		    "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
		    "https://stripe.com/docs/api#authentication for details, or "
		    "we can help at https://support.stripe.com/.");
		rp->auth_challenge = 1;
		return -1;
	}
	if (strlen(k) != strlen(e->api_key) ||
	    sodium_memcmp(k, e->api_key, strlen(k)) != 0) {
		reply_bad_key(rp, k);
		return -1;
	}
	return 0;
}

/* "YYYY-MM-DD" with an optional ".name" of lower-case letters. */
static int
version_ok(const char *v)
{
	static const char pat[] = "dddd-dd-dd";
	size_t i;

	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)v[i]) : v[i] != '-')
			return 0;
	if (v[i] == '\0')
		return 1;
	if (v[i++] != '.' || v[i] == '\0')
		return 0;
	for (; v[i] != '\0'; i++)
		if (!islower((unsigned char)v[i]))
			return 0;
	return 1;
}

/* Takes one injected API fault; returns 1 after replying with it. */
static int
take_fault(struct emu *e, struct eresp *rp)
{
	struct emu_faults *f = &e->faults;

	if (f->api_count <= 0 || f->api_status == 0)
		return 0;
	f->api_count--;
	if (f->api_status == 429)
		emu_reply_error(rp, 429, "rate_limit_error", "rate_limit", NULL,
		    "Request rate limit exceeded. You can learn more about rate "
		    "limits here https://stripe.com/docs/rate-limits.");
	else
		emu_reply_error(rp, f->api_status, "api_error", NULL, NULL,
		    "An unknown error occurred (injected by the emulator).");
	rp->should_retry = 1;
	return 1;
}

static void
reply_verr(struct eresp *rp, const struct emu_verr *v)
{
	if (v->status == 500) {
		emu_reply_error(rp, 500, "api_error", NULL, NULL, "%s",
		    v->message);
		return;
	}
	emu_reply_error(rp, v->status, "invalid_request_error", v->code,
	    v->param[0] != '\0' ? v->param : NULL, "%s", v->message);
}

/* Answers from the idempotency store; returns 1 when it answered. */
static int
idempotent_answer(struct emu *e, struct ereq *rq, struct eresp *rp)
{
	struct emu_idem id;

	if (strlen(rq->idem_key) > 255) {
		emu_reply_error(rp, 400, "invalid_request_error", NULL, NULL,
		    "Invalid idempotency key: it must be at most 255 "
		    "characters long.");
		return 1;
	}
	if (emu_idem_lookup(e, rq, &id) != ERR_OK) {
		emu_reply_error(rp, 500, "api_error", NULL, NULL,
		    "The emulator could not read its idempotency keys.");
		return 1;
	}
	if (!id.found)
		return 0;
	if (id.mismatch == 2) {
		emu_reply_error(rp, 400, "idempotency_error", NULL, NULL,
		    "Keys for idempotent requests can only be used for the same "
		    "endpoint they were first used for ('%s' vs '%s %s'). Try "
		    "using a key other than '%s' if you meant to execute a "
		    "different request.", id.first, rq->method, rq->path,
		    rq->idem_key);
		return 1;
	}
	if (id.mismatch == 1) {
		emu_reply_error(rp, 400, "idempotency_error", NULL, NULL,
		    "Keys for idempotent requests can only be used with the same "
		    "parameters they were first used with. Try using a key other "
		    "than '%s' if you meant to execute a different request.",
		    rq->idem_key);
		return 1;
	}
	emu_reply_text(rp, id.status, "application/json", id.body);
	rp->replayed = 1;
	rp->original_request = id.request_id;
	return 1;
}

/* Runs the handler in a transaction that also saves the idempotent
 * result; a 5xx rolls everything back and saves nothing. */
static void
run_handler(struct emu *e, struct emu_call *c, int route)
{
	int save = c->rq->idem_key != NULL && strcmp(c->rq->method, "POST") == 0;

	if (db_begin(e->db) != ERR_OK) {
		emu_reply_error(c->rp, 500, "api_error", NULL, NULL,
		    "The emulator's database is busy.");
		return;
	}
	emu_routes[route].fn(c);
	if (c->rp->status >= 500) {
		db_rollback(e->db);
		return;
	}
	if ((save && emu_idem_save(e, c->rq, c->rp->status,
	    c->rp->body.data != NULL ? c->rp->body.data : "") != ERR_OK) ||
	    db_commit(e->db) != ERR_OK) {
		db_rollback(e->db);
		emu_reply_error(c->rp, 500, "api_error", NULL, NULL,
		    "The emulator could not save the result.");
	}
}

/* Parses the parameters: a POST's body, a GET's query, and a DELETE's
 * body or, when it has none, its query (clients send either). */
static enum err
params_parse(struct ereq *rq, struct kvlist *kv)
{
	int body = strcmp(rq->method, "POST") == 0 ||
	    (strcmp(rq->method, "DELETE") == 0 && rq->body_len > 0);

	if (body)
		return form_parse(rq->a, rq->body, rq->body_len, &api_limits,
		    kv);
	return form_parse(rq->a, rq->query, strlen(rq->query), &api_limits,
	    kv);
}

static void
api_run(struct emu *e, struct ereq *rq, struct eresp *rp)
{
	struct emu_call c = { .emu = e, .rq = rq, .rp = rp };
	struct emu_verr verr;
	struct kvlist kv;
	int route;
	enum err err;

	if (take_fault(e, rp) || check_key(e, rq, rp) != 0)
		return;
	if (rq->stripe_version != NULL && !version_ok(rq->stripe_version)) {
		emu_reply_error(rp, 400, "invalid_request_error", NULL, NULL,
		    "Invalid Stripe API version: %s", rq->stripe_version);
		return;
	}
	if ((route = emu_route_find(rq->a, rq->method, rq->path, &c.id)) < 0) {
		emu_reply_error(rp, 404, "invalid_request_error", NULL, NULL,
		    "Unrecognized request URL (%s: %s). Please see "
		    "https://stripe.com/docs or we can help at "
		    "https://support.stripe.com/.", rq->method, rq->path);
		return;
	}
	err = params_parse(rq, &kv);
	if (err != ERR_OK) {
		emu_reply_error(rp, err == ERR_TOOLARGE ? 413 : 400,
		    "invalid_request_error", NULL, NULL, err == ERR_TOOLARGE ?
		    "Too many or too long parameters." :
		    "Invalid request: the parameters are not valid "
		    "application/x-www-form-urlencoded.");
		return;
	}
	if (emu_validate(e->spec, e->schemas[route], &kv, &c.params,
	    &verr) != 0) {
		reply_verr(rp, &verr);
		return;
	}
	c.cause.request_id = rq->request_id;
	c.cause.idem_key = rq->idem_key;
	if (rq->idem_key == NULL || strcmp(rq->method, "POST") != 0 ||
	    !idempotent_answer(e, rq, rp))
		run_handler(e, &c, route);
	cJSON_Delete(c.params);
}

void
emu_api_record(struct emu *e, const struct ereq *rq, const struct eresp *rp)
{
	struct db_stmt *st;

	st = db_prep(e->db, "INSERT INTO requests (at, method, path, query,"
	    " body, idempotency_key, stripe_version, status, request_id,"
	    " replayed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL)
		return;
	db_bind_int64(st, 1, emu_now(e));
	db_bind_text(st, 2, rq->method);
	db_bind_text(st, 3, rq->path);
	db_bind_text(st, 4, rq->query);
	db_bind_textn(st, 5, rq->body, rq->body_len);
	db_bind_text_or_null(st, 6, rq->idem_key);
	db_bind_text_or_null(st, 7, rq->stripe_version);
	db_bind_int64(st, 8, rp->status);
	db_bind_text(st, 9, rq->request_id);
	db_bind_int64(st, 10, rp->replayed);
	if (db_run(st) != ERR_OK)
		log_error(rq->request_id, "emu: cannot record the request");
}

void
emu_api_handle(struct emu *e, struct ereq *rq, struct eresp *rp)
{
	long hang;

	pthread_mutex_lock(&e->lock);
	hang = e->faults.api_hang_ms;
	e->faults.api_hang_ms = 0;
	api_run(e, rq, rp);
	emu_api_record(e, rq, rp);
	pthread_cond_broadcast(&e->wake);
	pthread_mutex_unlock(&e->lock);
	if (strcmp(rq->method, "POST") == 0 && rq->idem_key != NULL)
		rp->idem_key = rq->idem_key;
	/* The work is done and saved; only the answer is late, as when a
	 * response is lost: the client's retry must be answered by the
	 * idempotency key. */
	if (hang > 0)
		emu_sleep_ms(e, hang);
}

void
emu_api_reply(struct emu_call *c, cJSON *obj)
{
	const cJSON *expand = JGET(c->params, "expand");
	const char *bad = NULL;

	if (obj == NULL) {
		emu_reply_error(c->rp, 500, "api_error", NULL, NULL,
		    "The emulator ran out of memory.");
		return;
	}
	if (expand != NULL && emu_expand(c->emu, obj, expand, &bad) != 0) {
		emu_reply_error(c->rp, 400, "invalid_request_error", NULL,
		    "expand", "This property cannot be expanded (%s).", bad);
		cJSON_Delete(obj);
		return;
	}
	emu_reply_json(c->rp, 200, obj);
	cJSON_Delete(obj);
}

void
emu_api_missing(struct emu_call *c, const char *what, const char *param,
    const char *id)
{
	emu_reply_error(c->rp, 404, "invalid_request_error", "resource_missing",
	    param, "No such %s: '%s'", what, id != NULL ? id : "");
}

int
emu_api_list_params(struct emu_call *c, struct emu_list_q *q)
{
	memset(q, 0, sizeof(*q));
	q->limit = 10;
	q->created_max = INT64_MAX;
	if (JGET(c->params, "limit") != NULL &&
	    (!emu_param_int(c->params, "limit", &q->limit) || q->limit < 1 ||
	    q->limit > 100)) {
		emu_reply_error(c->rp, 400, "invalid_request_error", NULL,
		    "limit", "Invalid limit: must be between 1 and 100");
		return -1;
	}
	q->starting_after = emu_param_str(c->params, "starting_after");
	q->ending_before = emu_param_str(c->params, "ending_before");
	if (q->starting_after != NULL && q->ending_before != NULL) {
		emu_reply_error(c->rp, 400, "invalid_request_error", NULL,
		    "ending_before", "You may only specify one of these "
		    "parameters: ending_before, starting_after.");
		return -1;
	}
	return 0;
}

void
emu_list_created(const cJSON *p, struct emu_list_q *q)
{
	const cJSON *cr = JGET(p, "created");
	int64_t v;

	if (cJSON_IsString(cr)) {
		v = strtoll(cr->valuestring, NULL, 10);
		q->created_min = q->created_max = v;
		return;
	}
	if (emu_param_int(cr, "gt", &v) && v + 1 > q->created_min)
		q->created_min = v + 1;
	if (emu_param_int(cr, "gte", &v) && v > q->created_min)
		q->created_min = v;
	if (emu_param_int(cr, "lt", &v) && v - 1 < q->created_max)
		q->created_max = v - 1;
	if (emu_param_int(cr, "lte", &v) && v < q->created_max)
		q->created_max = v;
}

void
emu_api_reply_list(struct emu_call *c, enum err err, cJSON *list,
    const char *what)
{
	const char *cursor = emu_param_str(c->params, "starting_after");

	if (err == ERR_NOTFOUND) {
		if (cursor == NULL)
			cursor = emu_param_str(c->params, "ending_before");
		emu_api_missing(c, what, JGET(c->params, "starting_after") ?
		    "starting_after" : "ending_before", cursor);
		return;
	}
	if (err != ERR_OK) {
		emu_reply_error(c->rp, 500, "api_error", NULL, NULL,
		    "The emulator could not read its database.");
		cJSON_Delete(list);
		return;
	}
	emu_api_reply(c, list);
}

void
emu_api_get(struct emu_call *c, enum emu_kind k, const char *param)
{
	cJSON *o = emu_store_get(c->emu, k, c->id);

	if (o == NULL) {
		emu_api_missing(c, emu_kind_name(k), param, c->id);
		return;
	}
	emu_api_reply(c, o);
}

void
emu_api_fail(struct emu_call *c)
{
	emu_reply_error(c->rp, 500, "api_error", NULL, NULL,
	    "The emulator could not update its database.");
}
