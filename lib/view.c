/* Course and lesson views for templates. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "money.h"
#include "offer.h"
#include "order.h"
#include "progress.h"
#include "receipt.h"
#include "url.h"
#include "view.h"

/* Members whose keys are literals and whose strings live in the request
 * arena are added without copies: a page of courses builds hundreds of
 * them, and the context is always freed before the arena. */
static void
add_str(cJSON *o, const char *key, const char *val)
{
	cJSON_AddItemToObjectCS(o, key, cJSON_CreateStringReference(val));
}

static void
add_num(cJSON *o, const char *key, double val)
{
	cJSON_AddItemToObjectCS(o, key, cJSON_CreateNumber(val));
}

static void
add_bool(cJSON *o, const char *key, int val)
{
	cJSON_AddItemToObjectCS(o, key, cJSON_CreateBool(val));
}

/* Returns what money_json() returns, {"amount": n, "currency": "usd"},
 * with its two members in the arena under one object reference: deleting
 * a reference frees it and not its members, so a price costs one malloc
 * instead of three.  NULL when money_json() would give NULL. */
static cJSON *
price_json(struct arena *a, int64_t amount, const char *currency)
{
	cJSON *m;
	char *code;
	int i;

	if (!money_currency_valid(currency) || amount > MONEY_JSON_MAX ||
	    amount < -MONEY_JSON_MAX ||
	    (m = arena_alloc(a, 2 * sizeof(*m))) == NULL ||
	    (code = arena_alloc(a, 4)) == NULL)
		return NULL;
	for (i = 0; i < 3; i++)
		code[i] = (char)(currency[i] | 0x20);	/* lower case */
	/* As cJSON_CreateNumber and cJSON_AddItemToObjectCS fill them. */
	m[0].type = cJSON_Number | cJSON_StringIsConst;
	m[0].valuedouble = (double)amount;
	m[0].valueint = amount >= INT_MAX ? INT_MAX : amount <= INT_MIN ?
	    INT_MIN : (int)amount;
	m[0].string = (char *)"amount";
	m[1].type = cJSON_String | cJSON_IsReference | cJSON_StringIsConst;
	m[1].valuestring = code;
	m[1].string = (char *)"currency";
	m[0].next = &m[1];
	m[0].prev = &m[1];	/* a first child's prev is the last child */
	m[1].prev = &m[0];
	return cJSON_CreateObjectReference(&m[0]);
}

cJSON *
view_course(struct arena *a, const struct course *c)
{
	cJSON *o = cJSON_CreateObject(), *price;
	const char *url = url_segment(a, "/courses/", c->slug), *cover;

	price = price_json(a, c->price_amount, c->currency);
	if (o == NULL || price == NULL || url == NULL) {
		cJSON_Delete(price);
		cJSON_Delete(o);
		return NULL;
	}
	/* Templates find a member by walking the object's list: what
	 * listings show comes first, in the order course cards show it. */
	add_str(o, "url", url);
	if (c->cover != NULL && *c->cover != '\0' &&
	    (cover = arena_printf(a, "/media/%s", c->cover)) != NULL) {
		add_str(o, "cover_url", cover);
		add_str(o, "cover_alt", c->cover_alt);
	}
	add_str(o, "title", c->title);
	add_str(o, "type_label", course_type_label(c->type));
	add_str(o, "level", c->level);
	add_num(o, "lesson_count", (double)c->lesson_count);
	add_str(o, "summary", c->summary);
	add_bool(o, "is_free", c->price_amount == 0);
	cJSON_AddItemToObjectCS(o, "price", price);
	add_num(o, "id", (double)c->id);
	add_str(o, "slug", c->slug);
	add_str(o, "description", c->description);
	add_str(o, "type", c->type);
	add_str(o, "instructor", c->instructor);
	add_bool(o, "is_active", c->is_active);
	add_num(o, "capacity", (double)c->capacity);
	add_num(o, "starts_at", (double)c->starts_at);
	add_num(o, "enroll_deadline", (double)c->enroll_deadline);
	add_num(o, "total_minutes", (double)c->total_minutes);
	return o;
}

char *
view_learn_url(struct arena *a, const char *slug, int64_t position)
{
	char *home = url_segment(a, "/learn/", slug), num[24];
	size_t n;
	char *url;

	if (home == NULL || position <= 0)
		return home;
	snprintf(num, sizeof(num), "/%lld", (long long)position);
	n = strlen(home);
	if ((url = arena_alloc(a, n + strlen(num) + 1)) == NULL)
		return NULL;
	memcpy(url, home, n);
	memcpy(url + n, num, strlen(num) + 1);
	return url;
}

cJSON *
view_lesson(struct arena *a, const char *slug, const struct lesson *l)
{
	cJSON *o = cJSON_CreateObject();
	const char *url = view_learn_url(a, slug, l->position);

	if (o == NULL || url == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	add_num(o, "id", (double)l->id);
	add_num(o, "position", (double)l->position);
	add_str(o, "title", l->title);
	add_num(o, "minutes", (double)l->minutes);
	add_bool(o, "is_preview", l->is_preview);
	add_bool(o, "done", l->done);
	add_str(o, "url", url);
	return o;
}

enum err
view_offer(struct arena *a, cJSON *o, const struct course *c,
    const struct course_offer *of)
{
	cJSON *v = cJSON_CreateObject();
	const char *learn = view_learn_url(a, c->slug, 0);

	if (v == NULL || learn == NULL) {
		cJSON_Delete(v);
		return ERR_INTERNAL;
	}
	cJSON_AddItemToObjectCS(o, "offer", v);
	add_str(v, "name", offer_name(of->offer));
	add_str(v, "label", offer_label(of->offer));
	add_bool(o, "wishlisted", of->wishlisted);
	add_bool(o, "may_wishlist", of->may_wishlist);
	add_str(o, "learn_url", learn);
	return ERR_OK;
}

cJSON *
view_progress(const struct progress *p)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	add_num(o, "lesson_count", (double)p->lesson_count);
	add_num(o, "done", (double)p->done);
	add_num(o, "percent", p->percent);
	add_num(o, "next_position", (double)p->next_position);
	add_num(o, "last_position", (double)p->last_position);
	add_num(o, "last_activity_at", (double)p->last_activity_at);
	add_num(o, "completed_at", (double)p->completed_at);
	add_bool(o, "started", p->last_activity_at > 0);
	return o;
}

static int
add_money(cJSON *o, const char *key, int64_t amount, const char *currency)
{
	cJSON *m = money_json(amount, currency);

	if (m == NULL || !cJSON_AddItemToObject(o, key, m)) {
		cJSON_Delete(m);
		return -1;
	}
	return 0;
}

/* Adds o's lines to items as the receipt shows them (lib/receipt.c):
 * price, discount and paid.  Returns -1 on OOM or a broken line. */
static int
add_order_items(struct arena *a, cJSON *items, const struct order *o)
{
	struct receipt_line l;
	cJSON *it;

	for (size_t i = 0; i < o->nitems; i++) {
		if (receipt_line(&o->items[i], &l) != ERR_OK ||
		    (it = cJSON_CreateObject()) == NULL)
			return -1;
		cJSON_AddItemToArray(items, it);
		cJSON_AddStringToObject(it, "title", o->items[i].title);
		cJSON_AddStringToObject(it, "url", url_segment(a, "/courses/",
		    o->items[i].slug ? o->items[i].slug : ""));
		cJSON_AddStringToObject(it, "learn_url", view_learn_url(a,
		    o->items[i].slug ? o->items[i].slug : "", 0));
		cJSON_AddNumberToObject(it, "course_id",
		    (double)o->items[i].course_id);
		cJSON_AddNumberToObject(it, "quantity",
		    (double)o->items[i].quantity);
		/* A cohort's line names it; once paid, the booking wizard. */
		if (o->items[i].cohort_name != NULL)
			cJSON_AddStringToObject(it, "cohort_name",
			    o->items[i].cohort_name);
		if (o->items[i].cohort_id != 0 && (o->status == ORDER_PAID ||
		    o->status == ORDER_PARTIALLY_REFUNDED))
			cJSON_AddStringToObject(it, "book_url", arena_printf(a,
			    "/account/courses/%lld/book",
			    (long long)o->items[i].course_id));
		if (add_money(it, "price", l.price, o->currency) == -1 ||
		    add_money(it, "discount", l.discount, o->currency) == -1 ||
		    add_money(it, "paid", l.paid, o->currency) == -1)
			return -1;
	}
	return 0;
}

cJSON *
view_order(struct arena *a, const struct order *o)
{
	cJSON *v = cJSON_CreateObject(), *items;
	char url[64];

	snprintf(url, sizeof(url), "/payment/order/%lld", (long long)o->id);
	if (v == NULL || (items = cJSON_AddArrayToObject(v, "items")) == NULL ||
	    add_money(v, "subtotal", o->subtotal, o->currency) == -1 ||
	    add_money(v, "discount", o->discount, o->currency) == -1 ||
	    add_money(v, "total", o->total, o->currency) == -1 ||
	    add_money(v, "refunded", o->refunded, o->currency) == -1)
		goto oom;
	cJSON_AddNumberToObject(v, "id", (double)o->id);
	cJSON_AddStringToObject(v, "url", url);
	cJSON_AddStringToObject(v, "number", o->number);
	cJSON_AddStringToObject(v, "status", order_status_name(o->status));
	cJSON_AddStringToObject(v, "status_label",
	    order_status_label(o->status));
	cJSON_AddBoolToObject(v, "is_paid", o->status == ORDER_PAID);
	cJSON_AddBoolToObject(v, "is_pending", o->status == ORDER_PENDING);
	cJSON_AddBoolToObject(v, "is_settled", order_status_settled(o->status));
	if (o->coupon_code != NULL)
		cJSON_AddStringToObject(v, "coupon_code", o->coupon_code);
	cJSON_AddNumberToObject(v, "created_at", (double)o->created_at);
	cJSON_AddNumberToObject(v, "paid_at", (double)o->paid_at);
	if (o->team_id > 0) {
		snprintf(url, sizeof(url), "/account/teams/%lld/seats",
		    (long long)o->team_id);
		cJSON_AddStringToObject(v, "seats_url", url);
	}
	if (order_payable(o, (int64_t)time(NULL)))
		cJSON_AddStringToObject(v, "pay_url", o->session_url);
	if (o->receipt_url != NULL)
		cJSON_AddStringToObject(v, "receipt_url", o->receipt_url);
	if (add_order_items(a, items, o) == -1)
		goto oom;
	return v;
oom:
	cJSON_Delete(v);
	return NULL;
}

enum err
view_pager(struct arena *a, cJSON *ctx, const char *path,
    const char *const *filters, int64_t page, int has_more)
{
	const char *pairs[16];
	char num[24];
	size_t n = 0;
	char *url;

	for (; filters != NULL && filters[0] != NULL && n < 12; filters += 2) {
		pairs[n++] = filters[0];
		pairs[n++] = filters[1];
	}
	pairs[n++] = "page";
	pairs[n++] = num;
	pairs[n] = NULL;
	cJSON_AddNumberToObject(ctx, "page", (double)page);
	if (page > 1) {
		snprintf(num, sizeof(num), "%lld", (long long)(page - 1));
		if ((url = url_query(a, path, pairs)) == NULL)
			return ERR_INTERNAL;
		cJSON_AddStringToObject(ctx, "prev_url", url);
	}
	if (has_more) {
		snprintf(num, sizeof(num), "%lld", (long long)(page + 1));
		if ((url = url_query(a, path, pairs)) == NULL)
			return ERR_INTERNAL;
		cJSON_AddStringToObject(ctx, "next_url", url);
	}
	return ERR_OK;
}
