/* stripe-call: one Stripe call from the command line, through lib/stripe,
 * printing the parsed result as one line of JSON; for t/stripe_client.t
 * and for poking the emulator by hand.
 *   stripe-call [-c connect_ms] [-T timeout_ms] [-a attempts] [-b budget_ms]
 *               [-B backoff_ms] BASE KEY COMMAND [name=value ...]
 * Commands and their names (a name given twice is a list):
 *   create-customer idem email name user_id
 *   get-customer    id
 *   create-coupon   idem amount_off currency name order_id
 *   create-session  idem customer ref order_id item=NAME:AMOUNT:CUR:QTY...
 *                   coupon expires_in (s from now) | expires_at
 *                   success_url cancel_url pmt...
 *   get-session     id
 *   expire-session  idem id
 *   list-sessions   payment_intent customer limit starting_after
 *   create-refund   idem payment_intent amount reason order_id
 *   list-events     created_gt type... limit starting_after
 *   list-charges    created_gte created_lt payment_intent limit
 *                   starting_after all (1: every page) max_pages
 *   list-refunds    the same
 *   raw             method path body idem   (body sent as given)
 * Prints {"ok":true,"result":...,"attempts":N} and exits 0, or
 * {"ok":false,"err":"ERR_...",...Stripe's error fields} and exits 1;
 * exits 2 on a usage error. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "stripe.h"
#include "stripe_list.h"

#define MAXARGS 128

struct args {
	const char *name[MAXARGS];	/* argument names */
	const char *val[MAXARGS];	/* their values */
	size_t n;			/* pairs used */
};

static const char *const err_names[ERR_MAX] = {
	"ERR_OK", "ERR_INVALID", "ERR_NOTFOUND", "ERR_FORBIDDEN",
	"ERR_CONFLICT", "ERR_BUSY", "ERR_UPSTREAM", "ERR_INTERNAL",
	"ERR_TOOLARGE", "ERR_METHOD",
};

static const char *
arg(const struct args *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->name[i], name) == 0)
			return a->val[i];
	return NULL;
}

/* Collects every value of name into v (NULL-terminated, max n-1). */
static size_t
args_all(const struct args *a, const char *name, const char **v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < a->n && k + 1 < n; i++)
		if (strcmp(a->name[i], name) == 0)
			v[k++] = a->val[i];
	v[k] = NULL;
	return k;
}

static int64_t
arg_i64(const struct args *a, const char *name)
{
	const char *v = arg(a, name);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

static void
add_str(cJSON *o, const char *k, const char *v)
{
	if (v == NULL)
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddStringToObject(o, k, v);
}

static cJSON *
session_json(const struct stripe_session *s)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "id", s->id);
	add_str(o, "status", s->status);
	add_str(o, "payment_status", s->payment_status);
	cJSON_AddNumberToObject(o, "amount_total", (double)s->amount_total);
	cJSON_AddNumberToObject(o, "amount_subtotal",
	    (double)s->amount_subtotal);
	add_str(o, "currency", s->currency);
	add_str(o, "client_reference_id", s->client_reference_id);
	cJSON_AddNumberToObject(o, "order_id", (double)s->order_id);
	add_str(o, "payment_intent", s->payment_intent);
	add_str(o, "customer", s->customer);
	cJSON_AddNumberToObject(o, "expires_at", (double)s->expires_at);
	add_str(o, "url", s->url);
	return o;
}

/* Parses item=NAME:AMOUNT:CUR:QTY from the right, so NAME may hold ':'. */
static int
item_parse(char *spec, struct stripe_line_item *it)
{
	char *q = strrchr(spec, ':'), *c, *amt;

	if (q == NULL)
		return -1;
	*q = '\0';
	if ((c = strrchr(spec, ':')) == NULL)
		return -1;
	*c = '\0';
	if ((amt = strrchr(spec, ':')) == NULL)
		return -1;
	*amt = '\0';
	it->name = spec;
	it->unit_amount = strtoll(amt + 1, NULL, 10);
	it->currency = c + 1;
	it->quantity = strtoll(q + 1, NULL, 10);
	return 0;
}

/* metadata from install=, order_id= and order_number=. */
static struct stripe_owner
owner_of(const struct args *a)
{
	return (struct stripe_owner){ arg(a, "install"),
	    arg_i64(a, "order_id"), arg(a, "order_number") };
}

static enum err
cmd_customer(struct stripe *s, const char *cmd, const struct args *a,
    cJSON **res, struct stripe_error *e)
{
	struct stripe_customer_params p = { arg(a, "email"), arg(a, "name"),
	    arg_i64(a, "user_id"), arg(a, "install") };
	struct stripe_customer c;
	enum err rc;

	if (strcmp(cmd, "create-customer") == 0)
		rc = stripe_customer_create(s, &p, arg(a, "idem"), &c, e);
	else
		rc = stripe_customer_retrieve(s, arg(a, "id"), &c, e);
	if (rc != ERR_OK)
		return rc;
	*res = cJSON_CreateObject();
	add_str(*res, "id", c.id);
	add_str(*res, "email", c.email);
	add_str(*res, "name", c.name);
	cJSON_AddNumberToObject(*res, "user_id", (double)c.user_id);
	cJSON_AddBoolToObject(*res, "deleted", c.deleted);
	return ERR_OK;
}

static enum err
cmd_coupon(struct stripe *s, const struct args *a, cJSON **res,
    struct stripe_error *e)
{
	struct stripe_coupon_params p = { arg_i64(a, "amount_off"),
	    arg(a, "currency"), arg(a, "name"), owner_of(a) };
	struct stripe_coupon k;
	enum err rc;

	if ((rc = stripe_coupon_create(s, &p, arg(a, "idem"), &k, e)) !=
	    ERR_OK)
		return rc;
	*res = cJSON_CreateObject();
	add_str(*res, "id", k.id);
	cJSON_AddNumberToObject(*res, "amount_off", (double)k.amount_off);
	add_str(*res, "currency", k.currency);
	add_str(*res, "duration", k.duration);
	cJSON_AddNumberToObject(*res, "max_redemptions",
	    (double)k.max_redemptions);
	cJSON_AddBoolToObject(*res, "valid", k.valid);
	return ERR_OK;
}

static enum err
cmd_create_session(struct stripe *s, const struct args *a, cJSON **res,
    struct stripe_error *e)
{
	const char *specs[101], *pmt[16];
	char *copies[100] = { 0 };
	struct stripe_line_item items[100];
	struct stripe_checkout_params p = { 0 };
	struct stripe_session ss;
	size_t i, n = args_all(a, "item", specs, 101);
	enum err rc = ERR_INVALID;

	for (i = 0; i < n && i < 100; i++)
		if ((copies[i] = strdup(specs[i])) == NULL ||
		    item_parse(copies[i], &items[i]) == -1)
			goto out;
	p.customer = arg(a, "customer");
	p.client_reference_id = arg(a, "ref");
	p.owner = owner_of(a);
	p.items = items;
	p.nitems = n;
	p.coupon = arg(a, "coupon");
	p.expires_at = arg(a, "expires_at") != NULL ?
	    arg_i64(a, "expires_at") : (int64_t)time(NULL) +
	    (arg(a, "expires_in") != NULL ? arg_i64(a, "expires_in") : 3600);
	p.success_url = arg(a, "success_url");
	p.cancel_url = arg(a, "cancel_url");
	p.payment_method_types = args_all(a, "pmt", pmt, 16) > 0 ? pmt : NULL;
	rc = stripe_checkout_create(s, &p, arg(a, "idem"), &ss, e);
	if (rc == ERR_OK)
		*res = session_json(&ss);
	stripe_session_free(&ss);
out:
	for (i = 0; i < 100; i++)
		free(copies[i]);
	return rc;
}

static enum err
cmd_session(struct stripe *s, const char *cmd, const struct args *a,
    cJSON **res, struct stripe_error *e)
{
	struct stripe_session ss;
	enum err rc;

	if (strcmp(cmd, "get-session") == 0)
		rc = stripe_checkout_retrieve(s, arg(a, "id"), &ss, e);
	else
		rc = stripe_checkout_expire(s, arg(a, "id"), arg(a, "idem"),
		    &ss, e);
	if (rc == ERR_OK)
		*res = session_json(&ss);
	stripe_session_free(&ss);
	return rc;
}

static enum err
cmd_list_sessions(struct stripe *s, const struct args *a, cJSON **res,
    struct stripe_error *e)
{
	struct stripe_session_filter f = { arg(a, "payment_intent"),
	    arg(a, "customer"), (int)arg_i64(a, "limit"),
	    arg(a, "starting_after") };
	struct stripe_session_list l;
	cJSON *data;
	enum err rc;
	size_t i;

	if ((rc = stripe_checkout_list(s, &f, &l, e)) != ERR_OK)
		return rc;
	*res = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(*res, "data");
	for (i = 0; i < l.n; i++)
		cJSON_AddItemToArray(data, session_json(&l.v[i]));
	cJSON_AddBoolToObject(*res, "has_more", l.has_more);
	stripe_session_list_free(&l);
	return ERR_OK;
}

static enum err
cmd_refund(struct stripe *s, const struct args *a, cJSON **res,
    struct stripe_error *e)
{
	struct stripe_refund_params p = { arg(a, "payment_intent"),
	    arg_i64(a, "amount"), arg(a, "reason"), owner_of(a) };
	struct stripe_refund r;
	enum err rc;

	if ((rc = stripe_refund_create(s, &p, arg(a, "idem"), &r, e)) !=
	    ERR_OK)
		return rc;
	*res = cJSON_CreateObject();
	add_str(*res, "id", r.id);
	add_str(*res, "status", r.status);
	cJSON_AddNumberToObject(*res, "amount", (double)r.amount);
	add_str(*res, "currency", r.currency);
	add_str(*res, "payment_intent", r.payment_intent);
	return ERR_OK;
}

static enum err
cmd_list_events(struct stripe *s, const struct args *a, cJSON **res,
    struct stripe_error *e)
{
	const char *types[21];
	struct stripe_event_filter f = { arg_i64(a, "created_gt"), types,
	    (int)arg_i64(a, "limit"), arg(a, "starting_after") };
	struct stripe_event_list l;
	cJSON *data, *o;
	enum err rc;
	size_t i;

	if (args_all(a, "type", types, 21) == 0)
		f.types = NULL;
	if ((rc = stripe_event_list(s, &f, &l, e)) != ERR_OK)
		return rc;
	*res = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(*res, "data");
	for (i = 0; i < l.n; i++) {
		o = cJSON_CreateObject();
		add_str(o, "id", l.v[i].id);
		add_str(o, "type", l.v[i].type);
		cJSON_AddNumberToObject(o, "created", (double)l.v[i].created);
		cJSON_AddItemToObject(o, "object",
		    cJSON_Duplicate(l.v[i].object, 1));
		cJSON_AddItemToArray(data, o);
	}
	cJSON_AddBoolToObject(*res, "has_more", l.has_more);
	stripe_event_list_free(&l);
	return ERR_OK;
}

static cJSON *
charge_json(const struct stripe_charge *c)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "id", c->id);
	add_str(o, "payment_intent", c->payment_intent);
	add_str(o, "status", c->status);
	cJSON_AddBoolToObject(o, "paid", c->paid);
	cJSON_AddNumberToObject(o, "amount", (double)c->amount);
	cJSON_AddNumberToObject(o, "amount_refunded",
	    (double)c->amount_refunded);
	add_str(o, "currency", c->currency);
	cJSON_AddNumberToObject(o, "created", (double)c->created);
	cJSON_AddBoolToObject(o, "disputed", c->disputed);
	add_str(o, "install_id", c->install_id);
	cJSON_AddNumberToObject(o, "order_id", (double)c->order_id);
	add_str(o, "order_number", c->order_number);
	return o;
}

static cJSON *
refund_json(const struct stripe_refund_entry *r)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "id", r->id);
	add_str(o, "charge", r->charge);
	add_str(o, "payment_intent", r->payment_intent);
	add_str(o, "status", r->status);
	cJSON_AddNumberToObject(o, "amount", (double)r->amount);
	add_str(o, "currency", r->currency);
	cJSON_AddNumberToObject(o, "created", (double)r->created);
	return o;
}

/* list-charges and list-refunds: one page, or every page (all=1). */
static enum err
cmd_list_money(struct stripe *s, const char *cmd, const struct args *a,
    cJSON **res, struct stripe_error *e)
{
	struct stripe_list_filter f = { arg_i64(a, "created_gte"),
	    arg_i64(a, "created_lt"), arg(a, "payment_intent"),
	    (int)arg_i64(a, "limit"), arg(a, "starting_after") };
	int all = arg_i64(a, "all") == 1, max = (int)arg_i64(a, "max_pages");
	struct stripe_charge_list cl = { 0 };
	struct stripe_refund_list rl = { 0 };
	cJSON *data;
	enum err rc;
	size_t i;

	if (strcmp(cmd, "list-charges") == 0)
		rc = all ? stripe_charges_all(s, &f, max, &cl, e) :
		    stripe_charge_list(s, &f, &cl, e);
	else
		rc = all ? stripe_refunds_all(s, &f, max, &rl, e) :
		    stripe_refund_list(s, &f, &rl, e);
	if (rc == ERR_OK) {
		*res = cJSON_CreateObject();
		data = cJSON_AddArrayToObject(*res, "data");
		for (i = 0; i < cl.n; i++)
			cJSON_AddItemToArray(data, charge_json(&cl.v[i]));
		for (i = 0; i < rl.n; i++)
			cJSON_AddItemToArray(data, refund_json(&rl.v[i]));
		cJSON_AddBoolToObject(*res, "has_more", cl.has_more ||
		    rl.has_more);
	}
	stripe_charge_list_free(&cl);
	stripe_refund_list_free(&rl);
	return rc;
}

static enum err
cmd_raw(struct stripe *s, const struct args *a, cJSON **res,
    struct stripe_error *e)
{
	struct stripe_req r = { 0 };
	const char *body = arg(a, "body");
	enum err rc = ERR_INTERNAL;

	r.method = arg(a, "method") != NULL ? arg(a, "method") : "GET";
	if (buf_puts(&r.path, arg(a, "path") != NULL ? arg(a, "path") : "/")
	    == 0 && (body == NULL || buf_puts(&r.body, body) == 0))
		rc = stripe_send(s, &r, arg(a, "idem"), res, e);
	stripe_req_free(&r);
	return rc;
}

static enum err
run(struct stripe *s, const char *cmd, const struct args *a, cJSON **res,
    struct stripe_error *e, int *known)
{
	*known = 1;
	if (strcmp(cmd, "create-customer") == 0 ||
	    strcmp(cmd, "get-customer") == 0)
		return cmd_customer(s, cmd, a, res, e);
	if (strcmp(cmd, "create-coupon") == 0)
		return cmd_coupon(s, a, res, e);
	if (strcmp(cmd, "create-session") == 0)
		return cmd_create_session(s, a, res, e);
	if (strcmp(cmd, "get-session") == 0 ||
	    strcmp(cmd, "expire-session") == 0)
		return cmd_session(s, cmd, a, res, e);
	if (strcmp(cmd, "list-sessions") == 0)
		return cmd_list_sessions(s, a, res, e);
	if (strcmp(cmd, "create-refund") == 0)
		return cmd_refund(s, a, res, e);
	if (strcmp(cmd, "list-events") == 0)
		return cmd_list_events(s, a, res, e);
	if (strcmp(cmd, "list-charges") == 0 ||
	    strcmp(cmd, "list-refunds") == 0)
		return cmd_list_money(s, cmd, a, res, e);
	if (strcmp(cmd, "raw") == 0)
		return cmd_raw(s, a, res, e);
	*known = 0;
	return ERR_INVALID;
}

static void
print_outcome(enum err rc, cJSON *res, const struct stripe_error *e)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	cJSON_AddBoolToObject(o, "ok", rc == ERR_OK);
	add_str(o, "err", (unsigned)rc < ERR_MAX ? err_names[rc] : "?");
	if (res != NULL)
		cJSON_AddItemToObject(o, "result", res);
	cJSON_AddNumberToObject(o, "attempts", e->attempts);
	cJSON_AddNumberToObject(o, "status", e->status);
	cJSON_AddNumberToObject(o, "curl_code", e->curl_code);
	add_str(o, "type", e->type);
	add_str(o, "code", e->code);
	add_str(o, "param", e->param);
	add_str(o, "message", e->message);
	add_str(o, "request_id", e->request_id);
	if ((text = cJSON_PrintUnformatted(o)) != NULL)
		puts(text);
	free(text);
	cJSON_Delete(o);
}

static int
usage(void)
{
	fprintf(stderr, "usage: stripe-call [-c connect_ms] [-T timeout_ms] "
	    "[-a attempts] [-b budget_ms] [-B backoff_ms] BASE KEY COMMAND "
	    "[name=value ...]\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	long connect_ms = 0, timeout_ms = 0, budget_ms = 0, backoff = -1;
	int attempts = 0, c, known, i;
	struct stripe_error e = { 0 };
	struct args a = { 0 };
	struct stripe *s;
	cJSON *res = NULL;
	enum err rc;
	char *eq;

	while ((c = getopt(argc, argv, "c:T:a:b:B:")) != -1) {
		switch (c) {
		case 'c': connect_ms = atol(optarg); break;
		case 'T': timeout_ms = atol(optarg); break;
		case 'a': attempts = atoi(optarg); break;
		case 'b': budget_ms = atol(optarg); break;
		case 'B': backoff = atol(optarg); break;
		default: return usage();
		}
	}
	if (argc - optind < 3)
		return usage();
	for (i = optind + 3; i < argc && a.n < MAXARGS; i++, a.n++) {
		if ((eq = strchr(argv[i], '=')) == NULL)
			return usage();
		*eq = '\0';
		a.name[a.n] = argv[i];
		a.val[a.n] = eq + 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 2;
	if ((s = stripe_new(argv[optind], argv[optind + 1])) == NULL) {
		fprintf(stderr, "stripe-call: bad base URL or key\n");
		curl_global_cleanup();
		return 2;
	}
	stripe_set_timeouts(s, connect_ms, timeout_ms);
	stripe_set_retries(s, attempts, budget_ms);
	if (backoff >= 0)
		stripe_set_backoff(s, backoff, backoff * 8);
	rc = run(s, argv[optind + 2], &a, &res, &e, &known);
	stripe_free(s);
	curl_global_cleanup();
	if (!known) {
		fprintf(stderr, "stripe-call: unknown command %s\n",
		    argv[optind + 2]);
		return 2;
	}
	print_outcome(rc, res, &e);
	return rc == ERR_OK ? 0 : 1;
}
