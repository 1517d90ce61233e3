/* Receipt lines (see receipt.h): one computation of price, discount and
 * paid per line, used by the order page's view and by the confirmation
 * mail, so the two can never show an order differently. */
#include "arena.h"
#include "money.h"
#include "order.h"
#include "receipt.h"

/* The minus sign the order page shows before a discount, as UTF-8. */
#define MINUS "\xe2\x88\x92"

enum err
receipt_line(const struct order_item *it, struct receipt_line *out)
{
	if (it->quantity < 1 || it->discount < 0 ||
	    __builtin_mul_overflow(it->unit_amount, it->quantity, &out->price) ||
	    it->discount > out->price)
		return ERR_INVALID;
	out->discount = it->discount;
	out->paid = out->price - it->discount;
	return ERR_OK;
}

/* Appends "label amount" with a minus sign when negative is set. */
static void
amount(struct buf *b, const char *label, int64_t v, const char *currency,
    int negative)
{
	buf_printf(b, "%s%s", label, negative ? MINUS : "");
	money_format(b, v, currency);
}

enum err
receipt_text(const struct order *o, const char *base_url, struct buf *out)
{
	struct receipt_line l;
	enum err e;

	for (size_t i = 0; i < o->nitems; i++) {
		if ((e = receipt_line(&o->items[i], &l)) != ERR_OK)
			return e;
		buf_printf(out, "  %s\n", o->items[i].title);
		amount(out, "    Price ", l.price, o->currency, 0);
		if (o->discount > 0)
			amount(out, "   Discount ", l.discount, o->currency, 1);
		amount(out, "   Paid ", l.paid, o->currency, 0);
		buf_printf(out, "\n    %s/learn/%s\n", base_url,
		    o->items[i].slug != NULL ? o->items[i].slug : "");
	}
	amount(out, "\nSubtotal: ", o->subtotal, o->currency, 0);
	if (o->discount > 0) {
		buf_printf(out, "\nDiscount (%s): ", o->coupon_code != NULL ?
		    o->coupon_code : "coupon");
		amount(out, "", o->discount, o->currency, 1);
	}
	amount(out, "\nTotal paid: ", o->total, o->currency, 0);
	buf_puts(out, "\n");
	return out->oom ? ERR_INTERNAL : ERR_OK;
}

enum err
receipt_mail_text(struct db *db, int64_t order_id, const char *base_url,
    struct buf *out)
{
	struct arena *a;
	struct order o;
	enum err e;

	if ((a = arena_new()) == NULL)
		return ERR_INTERNAL;
	if ((e = order_load(db, a, order_id, 0, &o)) == ERR_OK)
		e = receipt_text(&o, base_url, out);
	arena_free(a);
	return e;
}
