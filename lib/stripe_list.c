/* Stripe's list calls for reconciliation (see stripe_list.h).  One
 * generic pager serves both kinds: a kind is its path, its element size
 * and the parser of one element. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stripe_form.h"
#include "stripe_json.h"
#include "stripe_list.h"

struct kind {
	const char *path;	/* "/v1/charges" */
	const char *what;	/* for messages: "charge list" */
	size_t size;		/* bytes of one parsed element */
	int (*parse)(const cJSON *j, void *out); /* 0, or -1: malformed */
};

static int
charge_parse(const cJSON *j, void *dst)
{
	struct stripe_charge *c = dst;

	if (!j_is(j, "charge"))
		return -1;
	j_meta_str(j, STRIPE_META_INSTALL, c->install_id,
	    sizeof(c->install_id));
	j_meta_str(j, STRIPE_META_ORDER_NUMBER, c->order_number,
	    sizeof(c->order_number));
	c->order_id = j_meta_id(j, STRIPE_META_ORDER_ID);
	if (j_str(j, "id", c->id, sizeof(c->id)) != 0 || c->id[0] == '\0')
		return -1;
	return j_str(j, "payment_intent", c->payment_intent,
	    sizeof(c->payment_intent)) | j_str(j, "status", c->status,
	    sizeof(c->status)) | j_bool(j, "paid", &c->paid) |
	    j_int(j, "amount", &c->amount, 0) | j_int(j, "amount_refunded",
	    &c->amount_refunded, 0) | j_str(j, "currency", c->currency,
	    sizeof(c->currency)) | j_int(j, "created", &c->created, 0) |
	    j_bool(j, "disputed", &c->disputed);
}

static int
refund_parse(const cJSON *j, void *dst)
{
	struct stripe_refund_entry *r = dst;

	if (!j_is(j, "refund"))
		return -1;
	if (j_str(j, "id", r->id, sizeof(r->id)) != 0 || r->id[0] == '\0')
		return -1;
	return j_str(j, "charge", r->charge, sizeof(r->charge)) |
	    j_str(j, "payment_intent", r->payment_intent,
	    sizeof(r->payment_intent)) | j_str(j, "status", r->status,
	    sizeof(r->status)) | j_int(j, "amount", &r->amount, 0) |
	    j_str(j, "currency", r->currency, sizeof(r->currency)) |
	    j_int(j, "created", &r->created, 0);
}

static const struct kind charges = { "/v1/charges", "charge list",
    sizeof(struct stripe_charge), charge_parse };
static const struct kind refunds = { "/v1/refunds", "refund list",
    sizeof(struct stripe_refund_entry), refund_parse };

/* A list being read, whatever its element type; handed to the caller's
 * list struct at the end (TAKE). */
struct arr {
	void *v;		/* n elements of the kind's size */
	size_t n;
	int has_more;
};

static enum err
req_list(const struct kind *k, struct stripe_req *r,
    const struct stripe_list_filter *f)
{
	struct buf q = { 0 };

	memset(r, 0, sizeof(*r));
	r->method = "GET";
	if (f->limit < 0 || f->limit > 100 || f->created_gte < 0 ||
	    f->created_lt < 0 || (f->payment_intent != NULL &&
	    f->payment_intent[0] == '\0') || (f->starting_after != NULL &&
	    f->starting_after[0] == '\0'))
		return ERR_INVALID;
	if (f->created_gte > 0)
		sform_add_int64(&q, "created[gte]", f->created_gte);
	if (f->created_lt > 0)
		sform_add_int64(&q, "created[lt]", f->created_lt);
	if (f->limit > 0)
		sform_add_int64(&q, "limit", f->limit);
	sform_add(&q, "payment_intent", f->payment_intent);
	sform_add(&q, "starting_after", f->starting_after);
	buf_puts(&r->path, k->path);
	if (q.len > 0) {
		buf_putc(&r->path, '?');
		buf_append(&r->path, q.data, q.len);
	}
	buf_free(&q);
	return q.oom || r->path.oom ? ERR_INTERNAL : ERR_OK;
}

/* Appends the elements of list object j to a. */
static enum err
parse_into(const struct kind *k, const cJSON *j, struct arr *a)
{
	const cJSON *data, *it;
	size_t n;
	char *grown;
	enum err rc;

	if ((rc = list_open(j, &data, &n, &a->has_more)) != ERR_OK)
		return rc;
	if (n == 0)
		return ERR_OK;
	if ((grown = realloc(a->v, (a->n + n) * k->size)) == NULL)
		return ERR_INTERNAL;
	a->v = grown;
	cJSON_ArrayForEach(it, data) {
		void *dst = grown + a->n * k->size;

		memset(dst, 0, k->size);
		if (k->parse(it, dst) != 0)
			return ERR_INVALID;
		a->n++;
	}
	return ERR_OK;
}

/* Fills e for a failure that happened here, not at Stripe. */
static enum err
fail(struct stripe_error *e, enum err rc, const char *what)
{
	if (e != NULL)
		snprintf(e->message, sizeof(e->message), "%s: %s", what,
		    rc == ERR_INVALID ? "the answer is not the expected list" :
		    "out of memory");
	return rc == ERR_INVALID ? ERR_UPSTREAM : rc;
}

/* One page of k appended to a. */
static enum err
page(struct stripe *s, const struct kind *k,
    const struct stripe_list_filter *f, struct arr *a,
    struct stripe_error *e)
{
	struct stripe_req r;
	cJSON *j = NULL;
	enum err rc;

	if (e != NULL)
		memset(e, 0, sizeof(*e));
	if ((rc = req_list(k, &r, f)) != ERR_OK) {
		stripe_req_free(&r);
		if (e != NULL)
			snprintf(e->message, sizeof(e->message), "%s: %s",
			    k->what, rc == ERR_INVALID ? "bad parameters" :
			    "out of memory");
		return rc;
	}
	rc = stripe_send(s, &r, NULL, &j, e);
	stripe_req_free(&r);
	if (rc == ERR_OK && (rc = parse_into(k, j, a)) != ERR_OK)
		rc = fail(e, rc, k->what);
	cJSON_Delete(j);
	return rc;
}

/* Every page of f into a, newest first, at most max_pages. */
static enum err
all(struct stripe *s, const struct kind *k, const struct stripe_list_filter *f,
    int max_pages, struct arr *a, struct stripe_error *e)
{
	struct stripe_list_filter pf = *f;
	char after[STRIPE_ID_SIZE];
	enum err rc;
	int i;

	pf.limit = f->limit > 0 ? f->limit : 100;
	pf.starting_after = NULL;
	if (max_pages <= 0)
		max_pages = STRIPE_LIST_MAX_PAGES;
	for (i = 0; i < max_pages; i++) {
		size_t before = a->n;

		if ((rc = page(s, k, &pf, a, e)) != ERR_OK)
			return rc;
		if (!a->has_more || a->n == before)
			return ERR_OK;
		/* Every element begins with its id (both structs). */
		memcpy(after, (char *)a->v + (a->n - 1) * k->size,
		    sizeof(after));
		pf.starting_after = after;
	}
	return ERR_OK;	/* has_more stays 1: cut short */
}

_Static_assert(offsetof(struct stripe_charge, id) == 0 &&
    offsetof(struct stripe_refund_entry, id) == 0, "ids come first");

/* Hands what a read into list out (a stripe_charge_list or
 * stripe_refund_list), also after a failure, and returns rc. */
#define TAKE(out, a, rc) ((out)->v = (a).v, (out)->n = (a).n, \
	(out)->has_more = (a).has_more, (rc))

void
stripe_charge_list_free(struct stripe_charge_list *l)
{
	if (l != NULL) {
		free(l->v);
		memset(l, 0, sizeof(*l));
	}
}

void
stripe_refund_list_free(struct stripe_refund_list *l)
{
	if (l != NULL) {
		free(l->v);
		memset(l, 0, sizeof(*l));
	}
}

enum err
stripe_req_charge_list(struct stripe_req *r,
    const struct stripe_list_filter *f)
{
	return req_list(&charges, r, f);
}

enum err
stripe_req_refund_list(struct stripe_req *r,
    const struct stripe_list_filter *f)
{
	return req_list(&refunds, r, f);
}

enum err
stripe_charge_list_parse(const cJSON *j, struct stripe_charge_list *out)
{
	struct arr a = { 0 };
	enum err rc = parse_into(&charges, j, &a);

	return TAKE(out, a, rc);
}

enum err
stripe_refund_list_parse(const cJSON *j, struct stripe_refund_list *out)
{
	struct arr a = { 0 };
	enum err rc = parse_into(&refunds, j, &a);

	return TAKE(out, a, rc);
}

enum err
stripe_charge_list(struct stripe *s, const struct stripe_list_filter *f,
    struct stripe_charge_list *out, struct stripe_error *e)
{
	struct arr a = { 0 };
	enum err rc = page(s, &charges, f, &a, e);

	return TAKE(out, a, rc);
}

enum err
stripe_refund_list(struct stripe *s, const struct stripe_list_filter *f,
    struct stripe_refund_list *out, struct stripe_error *e)
{
	struct arr a = { 0 };
	enum err rc = page(s, &refunds, f, &a, e);

	return TAKE(out, a, rc);
}

enum err
stripe_charges_all(struct stripe *s, const struct stripe_list_filter *f,
    int max_pages, struct stripe_charge_list *out, struct stripe_error *e)
{
	struct arr a = { 0 };
	enum err rc = all(s, &charges, f, max_pages, &a, e);

	return TAKE(out, a, rc);
}

enum err
stripe_refunds_all(struct stripe *s, const struct stripe_list_filter *f,
    int max_pages, struct stripe_refund_list *out, struct stripe_error *e)
{
	struct arr a = { 0 };
	enum err rc = all(s, &refunds, f, max_pages, &a, e);

	return TAKE(out, a, rc);
}
