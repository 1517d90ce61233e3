/* Course and lesson views for templates. */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "money.h"
#include "order.h"
#include "url.h"
#include "view.h"

cJSON *
view_course(struct arena *a, const struct course *c)
{
	cJSON *o = cJSON_CreateObject(), *price;
	const char *url = url_segment(a, "/courses/", c->slug);

	price = money_json(c->price_amount, c->currency);
	if (o == NULL || price == NULL || url == NULL ||
	    !cJSON_AddItemToObject(o, "price", price)) {
		cJSON_Delete(price);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	cJSON_AddStringToObject(o, "slug", c->slug);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "title", c->title);
	cJSON_AddStringToObject(o, "summary", c->summary);
	cJSON_AddStringToObject(o, "description", c->description);
	cJSON_AddStringToObject(o, "type", c->type);
	cJSON_AddStringToObject(o, "type_label", course_type_label(c->type));
	cJSON_AddStringToObject(o, "level", c->level);
	cJSON_AddStringToObject(o, "instructor", c->instructor);
	cJSON_AddBoolToObject(o, "is_free", c->price_amount == 0);
	cJSON_AddBoolToObject(o, "is_active", c->is_active);
	cJSON_AddNumberToObject(o, "capacity", (double)c->capacity);
	cJSON_AddNumberToObject(o, "starts_at", (double)c->starts_at);
	cJSON_AddNumberToObject(o, "enroll_deadline",
	    (double)c->enroll_deadline);
	cJSON_AddNumberToObject(o, "lesson_count", (double)c->lesson_count);
	cJSON_AddNumberToObject(o, "total_minutes", (double)c->total_minutes);
	return o;
}

cJSON *
view_lesson(const struct lesson *l)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)l->id);
	cJSON_AddNumberToObject(o, "position", (double)l->position);
	cJSON_AddStringToObject(o, "title", l->title);
	cJSON_AddNumberToObject(o, "minutes", (double)l->minutes);
	cJSON_AddBoolToObject(o, "is_preview", l->is_preview);
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

cJSON *
view_order(struct arena *a, const struct order *o)
{
	cJSON *v = cJSON_CreateObject(), *items, *it;
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
	if (o->coupon_code != NULL)
		cJSON_AddStringToObject(v, "coupon_code", o->coupon_code);
	cJSON_AddNumberToObject(v, "created_at", (double)o->created_at);
	cJSON_AddNumberToObject(v, "paid_at", (double)o->paid_at);
	if (o->session_url != NULL && o->status == ORDER_PENDING)
		cJSON_AddStringToObject(v, "pay_url", o->session_url);
	for (size_t i = 0; i < o->nitems; i++) {
		if ((it = cJSON_CreateObject()) == NULL)
			goto oom;
		cJSON_AddItemToArray(items, it);
		cJSON_AddStringToObject(it, "title", o->items[i].title);
		cJSON_AddStringToObject(it, "url", url_segment(a, "/courses/",
		    o->items[i].slug ? o->items[i].slug : ""));
		cJSON_AddNumberToObject(it, "quantity",
		    (double)o->items[i].quantity);
		if (add_money(it, "price", o->items[i].unit_amount,
		    o->currency) == -1 || add_money(it, "discount",
		    o->items[i].discount, o->currency) == -1)
			goto oom;
	}
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
