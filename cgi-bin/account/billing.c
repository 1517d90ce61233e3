/* account: billing: the student's payments (paid, partly or wholly
 * refunded, disputed orders) with amounts, discounts and refunds, each
 * linked to its order page and to Stripe's own receipt of the charge. */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "order.h"
#include "session.h"
#include "user.h"
#include "view.h"

#define PAYMENTS_PER_PAGE 20

/* GET /account/billing */
enum err
h_billing(struct req *rq, struct resp *rs)
{
	struct order *os;
	int64_t page;
	size_t n;
	int more;
	cJSON *ctx, *arr, *o;
	enum err e;

	if (field_page(rq, &page) != ERR_OK || page > 100000) {
		rs->message = "There is no such page.";
		return ERR_INVALID;
	}
	if ((e = order_list(rq->w->db, rq->arena, rq->user->id,
	    ORDERS_SETTLED, page, PAYMENTS_PER_PAGE, &os, &n, &more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (arr = cJSON_AddArrayToObject(ctx, "payments")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = view_order(rq->arena, &os[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
	}
	if ((e = view_pager(rq->arena, ctx, "/account/billing", NULL, page,
	    more)) != ERR_OK)
		return e;
	rs->tmpl = "account/billing.html";
	return ERR_OK;
}

const struct field billing_fields[] = {
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};
