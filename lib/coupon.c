/* Coupon rules and their database look-ups (see coupon.h).  Percentages
 * round half up to the minor unit; a discount never exceeds what the
 * qualifying items cost, so no total goes below zero. */
#include <string.h>

#include "coupon.h"
#include "db.h"

static const char *const verdicts[COUPON_VERDICT_MAX] = {
	[COUPON_OK] = "The coupon is applied.",
	[COUPON_UNKNOWN] = "There is no coupon with that code.",
	[COUPON_INACTIVE] = "This coupon is no longer active.",
	[COUPON_NOT_YET] = "This coupon cannot be used yet.",
	[COUPON_EXPIRED] = "This coupon has expired.",
	[COUPON_USED_UP] = "This coupon has been used as many times as it "
	    "allows.",
	[COUPON_USER_LIMIT] = "You have already used this coupon as many "
	    "times as it allows.",
	[COUPON_MIN_PURCHASE] = "Your cart does not reach this coupon's "
	    "minimum purchase amount.",
	[COUPON_NO_MATCH] = "None of the courses in your cart qualify for "
	    "this coupon.",
	[COUPON_CURRENCY] = "This coupon is for another currency.",
};

const char *
coupon_verdict_message(enum coupon_verdict v)
{
	return (unsigned)v < COUPON_VERDICT_MAX ? verdicts[v] :
	    "This coupon cannot be used.";
}

static int
line_qualifies(const struct coupon *c, const struct price_line *l)
{
	size_t i;

	if (c->ntypes == 0 && c->ncourses == 0)
		return 1;
	for (i = 0; i < c->ntypes; i++)
		if (strcmp(c->types[i], l->course_type) == 0)
			return 1;
	for (i = 0; i < c->ncourses; i++)
		if (c->courses[i] == l->course_id)
			return 1;
	return 0;
}

/* Shares discount among the qualifying lines in proportion to their
 * amounts; what rounding leaves goes to the lines in order of amount. */
static void
share_discount(const struct coupon *c, struct price_line *lines, size_t n,
    int64_t eligible, int64_t discount)
{
	int64_t given = 0;
	size_t i, best;

	for (i = 0; i < n; i++) {
		lines[i].discount = 0;
		if (!line_qualifies(c, &lines[i]) || eligible == 0)
			continue;
		/* The product can pass 2^63 for absurd prices: widen. */
		lines[i].discount = (int64_t)((__int128)lines[i].amount *
		    discount / eligible);
		given += lines[i].discount;
	}
	while (given < discount) {
		best = n;
		for (i = 0; i < n; i++)
			if (line_qualifies(c, &lines[i]) &&
			    lines[i].discount < lines[i].amount &&
			    (best == n || lines[i].amount > lines[best].amount))
				best = i;
		if (best == n)
			break;
		lines[best].discount++;
		given++;
	}
}

enum coupon_verdict
coupon_apply(const struct coupon *c, int64_t now, int64_t uses_total,
    int64_t uses_user, const char *currency, struct price_line *lines,
    size_t n, int64_t *discount)
{
	int64_t subtotal = 0, eligible = 0, d;
	size_t i;

	*discount = 0;
	if (!c->is_active)
		return COUPON_INACTIVE;
	if (c->valid_from != 0 && now < c->valid_from)
		return COUPON_NOT_YET;
	if (c->valid_until != 0 && now >= c->valid_until)
		return COUPON_EXPIRED;
	if (c->max_uses != 0 && uses_total >= c->max_uses)
		return COUPON_USED_UP;
	if (c->max_uses_per_user != 0 && uses_user >= c->max_uses_per_user)
		return COUPON_USER_LIMIT;
	if ((c->kind == COUPON_FIXED || c->min_purchase > 0 ||
	    c->max_discount > 0) && strcmp(c->currency, currency) != 0)
		return COUPON_CURRENCY;
	for (i = 0; i < n; i++) {
		subtotal += lines[i].amount;
		if (line_qualifies(c, &lines[i]))
			eligible += lines[i].amount;
	}
	if (subtotal < c->min_purchase)
		return COUPON_MIN_PURCHASE;
	if (eligible == 0)
		return COUPON_NO_MATCH;
	if (c->kind == COUPON_PERCENTAGE)
		d = (eligible * c->percent_off + 50) / 100;
	else
		d = c->amount_off;
	if (c->max_discount > 0 && d > c->max_discount)
		d = c->max_discount;
	if (d > eligible)
		d = eligible;
	share_discount(c, lines, n, eligible, d);
	*discount = d;
	return COUPON_OK;
}

static enum err
load_restrictions(struct db *db, struct arena *a, struct coupon *c)
{
	struct db_stmt *st;
	enum err e;
	size_t cap = 8;

	st = db_prep(db, "SELECT course_type FROM coupon_course_types "
	    "WHERE coupon_id = ? ORDER BY course_type LIMIT 8");
	if (st == NULL || (c->types = arena_alloc(a, cap * sizeof(char *)))
	    == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, c->id);
	while ((e = db_next(st)) == ERR_OK)
		if ((c->types[c->ntypes++] = db_col_text_dup(a, st, 0)) == NULL)
			e = ERR_INTERNAL;
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	st = db_prep(db, "SELECT count(*) FROM coupon_courses "
	    "WHERE coupon_id = ?");
	db_bind_int64(st, 1, c->id);
	if ((e = db_next(st)) == ERR_OK)
		cap = (size_t)db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e;
	st = db_prep(db, "SELECT course_id FROM coupon_courses "
	    "WHERE coupon_id = ? ORDER BY course_id");
	if (st == NULL || (c->courses = arena_alloc(a, (cap + 1) *
	    sizeof(int64_t))) == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, c->id);
	while ((e = db_next(st)) == ERR_OK && c->ncourses < cap)
		c->courses[c->ncourses++] = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND || e == ERR_OK ? ERR_OK : e;
}

enum err
coupon_load(struct db *db, struct arena *a, const char *code,
    struct coupon *c)
{
	struct db_stmt *st;
	enum err e;

	memset(c, 0, sizeof(*c));
	st = db_prep(db, "SELECT id, code, description, kind, "
	    "coalesce(percent_off, 0), coalesce(amount_off, 0), currency, "
	    "coalesce(max_discount_amount, 0), min_purchase_amount, "
	    "coalesce(max_uses, 0), coalesce(max_uses_per_user, 0), "
	    "coalesce(valid_from, 0), coalesce(valid_until, 0), is_active "
	    "FROM coupons WHERE code = upper(?)");
	db_bind_text(st, 1, code);
	if ((e = db_next(st)) == ERR_OK) {
		c->id = db_col_int64(st, 0);
		c->code = db_col_text_dup(a, st, 1);
		c->description = db_col_text_dup(a, st, 2);
		c->kind = strcmp(db_col_text(st, 3), "fixed") == 0 ?
		    COUPON_FIXED : COUPON_PERCENTAGE;
		c->percent_off = db_col_int64(st, 4);
		c->amount_off = db_col_int64(st, 5);
		c->currency = db_col_text_dup(a, st, 6);
		c->max_discount = db_col_int64(st, 7);
		c->min_purchase = db_col_int64(st, 8);
		c->max_uses = db_col_int64(st, 9);
		c->max_uses_per_user = db_col_int64(st, 10);
		c->valid_from = db_col_int64(st, 11);
		c->valid_until = db_col_int64(st, 12);
		c->is_active = (int)db_col_int64(st, 13);
		if (c->code == NULL || c->description == NULL ||
		    c->currency == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	if (e != ERR_OK)
		return e;
	return load_restrictions(db, a, c);
}

enum err
coupon_usage(struct db *db, int64_t coupon_id, int64_t user_id,
    int64_t exclude_order_id, int64_t *total, int64_t *by_user)
{
	struct db_stmt *st;
	enum err e;

	*total = *by_user = 0;
	st = db_prep(db, "SELECT count(*), coalesce(sum(CASE WHEN "
	    "user_id = ?2 THEN 1 ELSE 0 END), 0) FROM coupon_redemptions "
	    "WHERE coupon_id = ?1 AND status IN ('reserved', 'redeemed') "
	    "AND order_id <> ?3");
	db_bind_int64(st, 1, coupon_id);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, exclude_order_id);
	if ((e = db_next(st)) == ERR_OK) {
		*total = db_col_int64(st, 0);
		*by_user = db_col_int64(st, 1);
	}
	db_done(st);
	return e;
}
