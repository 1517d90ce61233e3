/* Checkout Sessions: create (line items from price_data, one coupon,
 * amounts computed as Stripe does, expires_at between 30 minutes and 24
 * hours ahead), list with its filters, retrieve, expire and line_items.
 * Only mode=payment is modelled, the mode the store uses. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

#define MAX_LINES 100		/* Stripe's limit in payment mode */

struct line {
	const char *name;	/* product_data[name] */
	const char *description;	/* product_data[description] or NULL */
	const cJSON *product_meta;	/* product_data[metadata] or NULL */
	int64_t unit_amount;	/* minor units */
	int64_t quantity;	/* >= 1 */
	int64_t subtotal;	/* unit_amount * quantity */
	int64_t discount;	/* this line's share of the discount */
};

struct draft {
	struct line lines[MAX_LINES];	/* in the order given */
	size_t n;		/* lines used */
	char currency[8];	/* lower case, shared by all lines */
	int64_t subtotal;	/* sum of line subtotals */
	int64_t discount;	/* coupon discount, <= subtotal */
	cJSON *coupon;		/* applied coupon (owned) or NULL */
};

static int bad(struct emu_call *, const char *, const char *, const char *,
    ...) __attribute__((format(printf, 4, 5)));

/* Replies 400 invalid_request_error; returns -1 for "return bad(...)". */
static int
bad(struct emu_call *c, const char *code, const char *param,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emu_reply_error(c->rp, 400, "invalid_request_error", code, param, "%s",
	    msg);
	return -1;
}

static int
url_ok(const char *u)
{
	return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

static int
check_head(struct emu_call *c, int64_t *expires_at)
{
	const cJSON *p = c->params;
	const char *mode = emu_param_str(p, "mode"), *u;
	const char *cus = emu_param_str(p, "customer");
	int64_t now = emu_now(c->emu);
	cJSON *o;

	if (mode == NULL)
		return bad(c, "parameter_missing", "mode",
		    "Missing required param: mode.");
	if (strcmp(mode, "payment") != 0)
		return bad(c, NULL, "mode", "The emulator models mode=payment "
		    "only (got mode=%s).", mode);
	if (!url_ok(u = emu_param_str(p, "success_url")))
		return bad(c, "url_invalid", "success_url", "Not a valid URL");
	if ((u = emu_param_str(p, "cancel_url")) != NULL && !url_ok(u))
		return bad(c, "url_invalid", "cancel_url", "Not a valid URL");
	if (cus != NULL && emu_param_str(p, "customer_email") != NULL)
		return bad(c, NULL, "customer_email", "You may only specify one "
		    "of these parameters: customer, customer_email.");
	if (cus != NULL) {
		if ((o = emu_store_get(c->emu, KIND_CUSTOMER, cus)) == NULL) {
			emu_api_missing(c, "customer", "customer", cus);
			return -1;
		}
		cJSON_Delete(o);
	}
	if (JGET(p, "discounts") != NULL &&
	    JGET(p, "allow_promotion_codes") != NULL)
		return bad(c, NULL, "discounts", "You may only specify one of "
		    "these parameters: allow_promotion_codes, discounts.");
	*expires_at = now + 24 * 3600;
	if (!emu_param_int(p, "expires_at", expires_at))
		return 0;
	if (*expires_at < now + 30 * 60)
		return bad(c, NULL, "expires_at", "The `expires_at` timestamp "
		    "must be at least 30 minutes from Checkout Session "
		    "creation.");
	if (*expires_at > now + 24 * 3600)
		return bad(c, NULL, "expires_at", "The `expires_at` timestamp "
		    "must be less than 24 hours from Checkout Session "
		    "creation.");
	return 0;
}

/* Sets *v from a price_data amount: unit_amount, or an integral
 * unit_amount_decimal. */
static int
unit_amount(const cJSON *pd, int64_t *v)
{
	const char *dec = emu_param_str(pd, "unit_amount_decimal");
	char *end;
	double d;

	if (emu_param_int(pd, "unit_amount", v))
		return 1;
	if (dec == NULL)
		return 0;
	d = strtod(dec, &end);
	if (*end != '\0' || d != (double)(int64_t)d)
		return 0;
	*v = (int64_t)d;
	return 1;
}

static int
read_line(struct emu_call *c, struct draft *d, size_t i, const cJSON *li)
{
	const cJSON *pd = JGET(li, "price_data"), *prod;
	struct line *l = &d->lines[i];
	char param[96], cur[8];
	const char *s;
	size_t k;

	if ((s = emu_param_str(li, "price")) != NULL) {
		snprintf(param, sizeof(param), "line_items[%zu][price]", i);
		emu_api_missing(c, "price", param, s);
		return -1;
	}
	snprintf(param, sizeof(param), "line_items[%zu][price_data]", i);
	if (pd == NULL)
		return bad(c, "parameter_missing", param, "Missing required "
		    "param: %s.", param);
	if ((s = emu_param_str(pd, "product")) != NULL) {
		snprintf(param, sizeof(param),
		    "line_items[%zu][price_data][product]", i);
		emu_api_missing(c, "product", param, s);
		return -1;
	}
	if ((prod = JGET(pd, "product_data")) == NULL)
		return bad(c, "parameter_missing", param, "Missing required "
		    "param: %s[product_data].", param);
	if (JGET(pd, "recurring") != NULL)
		return bad(c, NULL, param, "You specified `payment` mode but "
		    "passed a recurring price. Either switch to `subscription` "
		    "mode or use only one-time prices.");
	if (!unit_amount(pd, &l->unit_amount))
		return bad(c, "parameter_missing", param, "Missing required "
		    "param: %s[unit_amount].", param);
	if (l->unit_amount < 0 || l->unit_amount > 99999999)
		return bad(c, NULL, param, "Invalid %s[unit_amount]: must be "
		    "between 0 and 99999999", param);
	s = emu_param_str(pd, "currency");
	for (k = 0; s[k] != '\0' && k < 3; k++)
		cur[k] = (char)tolower((unsigned char)s[k]);
	cur[k] = '\0';
	if (strlen(s) != 3 || !isalpha((unsigned char)cur[0]) ||
	    !isalpha((unsigned char)cur[1]) || !isalpha((unsigned char)cur[2]))
		return bad(c, NULL, param, "Invalid currency: %s", s);
	if (i == 0)
		memcpy(d->currency, cur, sizeof(cur));
	else if (strcmp(cur, d->currency) != 0)
		return bad(c, NULL, param, "All line items must use the same "
		    "currency (%s, %s).", d->currency, cur);
	snprintf(param, sizeof(param), "line_items[%zu][quantity]", i);
	if (!emu_param_int(li, "quantity", &l->quantity))
		return bad(c, "parameter_missing", param, "Missing required "
		    "param: %s.", param);
	if (l->quantity < 1 || l->quantity > 999999)
		return bad(c, NULL, param, "Invalid %s: must be between 1 and "
		    "999999", param);
	l->name = emu_param_str(prod, "name");
	l->description = emu_param_str(prod, "description");
	l->product_meta = JGET(prod, "metadata");
	l->subtotal = l->unit_amount * l->quantity;	/* < 1e14 */
	d->subtotal += l->subtotal;
	return 0;
}

static int
read_lines(struct emu_call *c, struct draft *d)
{
	const cJSON *items = JGET(c->params, "line_items"), *li;

	if (cJSON_GetArraySize(items) == 0)
		return bad(c, "parameter_missing", "line_items", "line_items "
		    "is required in payment mode.");
	if (cJSON_GetArraySize(items) > MAX_LINES)
		return bad(c, NULL, "line_items", "A Checkout Session in "
		    "payment mode takes at most %d line items.", MAX_LINES);
	cJSON_ArrayForEach(li, items) {
		if (read_line(c, d, d->n, li) != 0)
			return -1;
		d->n++;
	}
	return 0;
}

/* Checks the coupon can be redeemed now for this currency. */
static int
coupon_usable(struct emu_call *c, const cJSON *co, const char *cur)
{
	int64_t max = emu_jint(co, "max_redemptions");
	const char *id = emu_jstr(co, "id");
	const char *cc = emu_jstr(co, "currency");

	if (!cJSON_IsTrue(JGET(co, "valid")) || (JGET(co, "redeem_by") &&
	    !cJSON_IsNull(JGET(co, "redeem_by")) &&
	    emu_jint(co, "redeem_by") <= emu_now(c->emu)))
		return bad(c, "coupon_expired", "discounts[0][coupon]",
		    "Coupon expired: %s", id);
	if (max > 0 && emu_jint(co, "times_redeemed") >= max)
		return bad(c, "coupon_expired", "discounts[0][coupon]",
		    "Coupon %s has reached its max_redemptions.", id);
	if (cJSON_IsNumber(JGET(co, "amount_off")) && cc != NULL &&
	    strcmp(cc, cur) != 0)
		return bad(c, NULL, "discounts[0][coupon]", "The coupon %s is "
		    "for %s but the line items are in %s.", id, cc, cur);
	return 0;
}

/* Applies discounts[0][coupon]: the discount, and each line's share of
 * it in proportion to its subtotal (the rest on the last line). */
static int
apply_discount(struct emu_call *c, struct draft *d)
{
	const cJSON *ds = JGET(c->params, "discounts"), *d0;
	const char *id;
	int64_t left, bp;
	size_t i;

	if (cJSON_GetArraySize(ds) == 0)
		return 0;
	if (cJSON_GetArraySize(ds) > 1)
		return bad(c, NULL, "discounts", "You may only specify one "
		    "discount.");
	d0 = cJSON_GetArrayItem(ds, 0);
	if ((id = emu_param_str(d0, "promotion_code")) != NULL) {
		emu_api_missing(c, "promotion code",
		    "discounts[0][promotion_code]", id);
		return -1;
	}
	if ((id = emu_param_str(d0, "coupon")) == NULL)
		return 0;
	if ((d->coupon = emu_store_get(c->emu, KIND_COUPON, id)) == NULL) {
		emu_api_missing(c, "coupon", "discounts[0][coupon]", id);
		return -1;
	}
	if (coupon_usable(c, d->coupon, d->currency) != 0)
		return -1;
	if (cJSON_IsNumber(JGET(d->coupon, "amount_off")))
		d->discount = emu_jint(d->coupon, "amount_off");
	else {
		bp = (int64_t)(JGET(d->coupon, "percent_off")->valuedouble *
		    100 + 0.5);
		d->discount = (int64_t)(((__int128)d->subtotal * bp + 5000) /
		    10000);
	}
	if (d->discount > d->subtotal)
		d->discount = d->subtotal;
	for (left = d->discount, i = 0; i < d->n && d->subtotal > 0; i++) {
		d->lines[i].discount = i + 1 == d->n ? left : (int64_t)(
		    (__int128)d->discount * d->lines[i].subtotal / d->subtotal);
		left -= d->lines[i].discount;
	}
	return 0;
}

static cJSON *
make_item(const struct draft *d, const struct line *l, int64_t now)
{
	cJSON *it = emu_shape_new(SHAPE_ITEM), *pr;
	char id[40];

	if (it == NULL)
		return NULL;
	emu_new_id(id, sizeof(id), "li_", 24);
	emu_jset_str(it, "id", id);
	emu_jset_int(it, "amount_discount", l->discount);
	emu_jset_int(it, "amount_subtotal", l->subtotal);
	emu_jset_int(it, "amount_total", l->subtotal - l->discount);
	emu_jset_str(it, "currency", d->currency);
	emu_jset_str(it, "description", l->name);
	emu_jset_int(it, "quantity", l->quantity);
	pr = JGET(it, "price");
	emu_new_id(id, sizeof(id), "price_", 24);
	emu_jset_str(pr, "id", id);
	emu_jset_int(pr, "created", now);
	emu_jset_str(pr, "currency", d->currency);
	emu_new_id(id, sizeof(id), "prod_", 14);
	emu_jset_str(pr, "product", id);
	emu_jset_int(pr, "unit_amount", l->unit_amount);
	snprintf(id, sizeof(id), "%lld", (long long)l->unit_amount);
	emu_jset_str(pr, "unit_amount_decimal", id);
	if (d->coupon != NULL) {
		cJSON *ds = cJSON_CreateArray(), *one = cJSON_CreateObject();

		cJSON_AddNumberToObject(one, "amount", (double)l->discount);
		cJSON_AddItemToObject(one, "discount", cJSON_CreateObject());
		cJSON_AddItemToArray(ds, one);
		emu_jset(it, "discounts", ds);
	}
	return it;
}

/* Copies the parameters the session keeps as they were sent. */
static void
copy_params(cJSON *s, const cJSON *p)
{
	static const char *const keep[] = { "cancel_url", "success_url",
		"client_reference_id", "customer", "customer_email", "locale",
		"submit_type", "billing_address_collection",
		"customer_creation", "payment_method_collection", NULL };
	const cJSON *v;
	size_t i;

	for (i = 0; keep[i] != NULL; i++)
		if ((v = JGET(p, keep[i])) != NULL && v->valuestring[0] != '\0')
			emu_jset_str(s, keep[i], v->valuestring);
	if ((v = JGET(p, "allow_promotion_codes")) != NULL)
		emu_jset_bool(s, "allow_promotion_codes",
		    strcmp(v->valuestring, "true") == 0);
	if ((v = JGET(p, "payment_method_types")) != NULL)
		emu_jset(s, "payment_method_types", cJSON_Duplicate(v, 1));
	emu_metadata_merge(JGET(s, "metadata"), JGET(p, "metadata"));
}

static cJSON *
make_session(struct emu_call *c, const struct draft *d, int64_t expires_at)
{
	cJSON *s = emu_shape_new(SHAPE_SESSION), *ds, *one;
	char id[72], url[400];

	if (s == NULL)
		return NULL;
	emu_new_id(id, sizeof(id), "cs_test_a1", 56);
	emu_jset_str(s, "id", id);
	emu_jset_int(s, "amount_subtotal", d->subtotal);
	emu_jset_int(s, "amount_total", d->subtotal - d->discount);
	emu_jset_int(s, "created", emu_now(c->emu));
	emu_jset_str(s, "currency", d->currency);
	emu_jset_int(s, "expires_at", expires_at);
	copy_params(s, c->params);
	if (d->subtotal - d->discount == 0)
		emu_jset_str(s, "payment_status", "no_payment_required");
	emu_jset_int(JGET(s, "total_details"), "amount_discount", d->discount);
	if (d->coupon != NULL && (ds = JGET(s, "discounts")) != NULL &&
	    (one = cJSON_CreateObject()) != NULL) {
		cJSON_AddStringToObject(one, "coupon", emu_jstr(d->coupon, "id"));
		cJSON_AddNullToObject(one, "promotion_code");
		cJSON_AddItemToArray(ds, one);
	}
	snprintf(url, sizeof(url), "%s/c/pay/%s", c->emu->public_url, id);
	emu_jset_str(s, "url", url);
	return s;
}

/* Stripe's minimum charge, simplified: 50 minor units of any currency. */
static int
check_total(struct emu_call *c, const struct draft *d)
{
	int64_t total = d->subtotal - d->discount;

	if (total > 0 && total < 50)
		return bad(c, NULL, "line_items", "The Checkout Session's total "
		    "amount due must add up to at least 0.50 %s", d->currency);
	return 0;
}

static enum err
save(struct emu_call *c, const struct draft *d, const cJSON *s)
{
	const char *id = emu_jstr(s, "id");
	const cJSON *pid = JGET(c->params, "payment_intent_data");
	cJSON *it, *empty = NULL;
	enum err err;
	size_t i;

	if ((err = emu_store_insert(c->emu, KIND_SESSION, s, NULL)) != ERR_OK)
		return err;
	for (i = 0; i < d->n; i++) {
		if ((it = make_item(d, &d->lines[i], emu_now(c->emu))) == NULL)
			return ERR_INTERNAL;
		err = emu_store_insert(c->emu, KIND_ITEM, it, id);
		cJSON_Delete(it);
		if (err != ERR_OK)
			return err;
	}
	if (pid == NULL && (pid = empty = cJSON_CreateObject()) == NULL)
		return ERR_INTERNAL;
	err = emu_store_private_put(c->emu, id, pid);
	cJSON_Delete(empty);
	return err;
}

void
emu_session_create(struct emu_call *c)
{
	struct draft *d = calloc(1, sizeof(*d));
	int64_t expires_at;
	cJSON *s;

	if (d == NULL) {
		emu_api_fail(c);
		return;
	}
	if (check_head(c, &expires_at) != 0 || read_lines(c, d) != 0 ||
	    apply_discount(c, d) != 0 || check_total(c, d) != 0)
		goto out;
	if ((s = make_session(c, d, expires_at)) == NULL ||
	    save(c, d, s) != ERR_OK) {
		cJSON_Delete(s);
		emu_api_fail(c);
		goto out;
	}
	emu_api_reply(c, s);
out:
	cJSON_Delete(d->coupon);
	free(d);
}

void
emu_session_list(struct emu_call *c)
{
	const cJSON *cd = JGET(c->params, "customer_details");
	struct emu_list_q q;
	cJSON *list = NULL;
	enum err err;

	if (emu_api_list_params(c, &q) != 0)
		return;
	q.customer = emu_param_str(c->params, "customer");
	q.payment_intent = emu_param_str(c->params, "payment_intent");
	q.email = emu_param_str(cd, "email");
	/* The emulator makes no payment links or subscriptions. */
	q.none = JGET(c->params, "payment_link") != NULL ||
	    JGET(c->params, "subscription") != NULL;
	err = emu_store_list(c->emu, KIND_SESSION, &q, "/v1/checkout/sessions",
	    &list);
	emu_api_reply_list(c, err, list, "checkout.session");
}

void
emu_session_get(struct emu_call *c)
{
	emu_api_get(c, KIND_SESSION, "session");
}

void
emu_session_expire(struct emu_call *c)
{
	cJSON *s = emu_store_get(c->emu, KIND_SESSION, c->id);

	if (s == NULL) {
		emu_api_missing(c, "checkout.session", "session", c->id);
		return;
	}
	if (strcmp(emu_jstr(s, "status"), "open") != 0) {
		bad(c, NULL, NULL, "Only Checkout Sessions with a status in "
		    "[\"open\"] can be expired.");
		cJSON_Delete(s);
		return;
	}
	if (emu_session_expire_locked(c->emu, s, &c->cause) != ERR_OK) {
		cJSON_Delete(s);
		emu_api_fail(c);
		return;
	}
	emu_api_reply(c, s);
}

void
emu_session_items(struct emu_call *c)
{
	struct emu_list_q q;
	cJSON *s, *list = NULL;
	char url[160];
	enum err err;

	if ((s = emu_store_get(c->emu, KIND_SESSION, c->id)) == NULL) {
		emu_api_missing(c, "checkout.session", "session", c->id);
		return;
	}
	cJSON_Delete(s);
	if (emu_api_list_params(c, &q) != 0)
		return;
	q.session_id = c->id;
	snprintf(url, sizeof(url), "/v1/checkout/sessions/%s/line_items", c->id);
	err = emu_store_list(c->emu, KIND_ITEM, &q, url, &list);
	emu_api_reply_list(c, err, list, "item");
}
