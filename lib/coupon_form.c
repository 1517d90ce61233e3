/* Reading the coupon form (see coupon_form.h).  Every amount is parsed
 * digit by digit in the coupon's currency (money_parse), every date in
 * the school's zone (tz_parse_local); a field's error says what to type. */
#include <stdio.h>
#include <string.h>

#include "coupon_form.h"
#include "db.h"
#include "money.h"
#include "tz.h"

const char *const coupon_field_names[CF_MAX] = {
	[CF_CODE] = "code",
	[CF_DESCRIPTION] = "description",
	[CF_KIND] = "kind",
	[CF_PERCENT_OFF] = "percent_off",
	[CF_AMOUNT_OFF] = "amount_off",
	[CF_CURRENCY] = "currency",
	[CF_MAX_DISCOUNT] = "max_discount",
	[CF_MIN_PURCHASE] = "min_purchase",
	[CF_MAX_USES] = "max_uses",
	[CF_MAX_USES_PER_USER] = "max_uses_per_user",
	[CF_VALID_FROM] = "valid_from",
	[CF_VALID_UNTIL] = "valid_until",
	[CF_COURSE_TYPES] = "course_types",
	[CF_COURSES] = "courses",
};

const char *const coupon_types[] = { "self_paced", "cohort", "workshop",
    NULL };
const char *const coupon_type_labels[] = { "Self-paced", "Cohort",
    "Workshop", NULL };

/* A whole number of at most 9 digits (so no sum of them overflows). */
static int
whole_number(const char *s, int64_t *out)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 9 || s[n] != '\0')
		return 0;
	*out = 0;
	for (; *s != '\0'; s++)
		*out = *out * 10 + (*s - '0');
	return 1;
}

/* Reads an optional amount; 0 with an error when it is not one. */
static int
amount(const struct coupon_form *f, enum coupon_field k, const char *cur,
    int64_t min, int64_t *out)
{
	*out = 0;
	if (f->v[k] == NULL && !f->bad[k])
		return 1;
	return !f->bad[k] && money_parse(f->v[k], cur, out) == ERR_OK &&
	    *out >= min && *out <= MONEY_JSON_MAX;
}

/* Reads an optional whole number of at least 1 (0 when empty). */
static int
limit(const struct coupon_form *f, enum coupon_field k, int64_t *out)
{
	*out = 0;
	if (f->v[k] == NULL && !f->bad[k])
		return 1;
	return !f->bad[k] && whole_number(f->v[k], out) && *out >= 1;
}

/* Reads an optional local date and time (0 when empty). */
static int
moment(const struct coupon_form *f, enum coupon_field k, int64_t *out)
{
	*out = 0;
	if (f->v[k] == NULL && !f->bad[k])
		return 1;
	return !f->bad[k] && tz_parse_local(f->v[k], out) == ERR_OK;
}

static int
type_known(const char *t)
{
	for (size_t i = 0; coupon_types[i] != NULL; i++)
		if (strcmp(coupon_types[i], t) == 0)
			return 1;
	return 0;
}

/* Copies the ticked course types; 0 when one is not a type. */
static int
read_types(struct arena *a, const struct coupon_form *f, struct coupon *c)
{
	if (f->bad[CF_COURSE_TYPES])
		return 0;
	if ((c->types = arena_alloc(a, (f->ntypes + 1) * sizeof(char *))) ==
	    NULL)
		return 0;
	for (size_t i = 0; i < f->ntypes; i++) {
		if (!type_known(f->types[i]))
			return 0;
		c->types[c->ntypes++] = f->types[i];
	}
	return 1;
}

/* Copies the ticked courses: 1 when each is a course, 0 when one is not,
 * -1 when the database failed (*e). */
static int
read_courses(struct db *db, struct arena *a, const struct coupon_form *f,
    struct coupon *c, enum err *e)
{
	struct db_stmt *st;

	if (f->bad[CF_COURSES])
		return 0;
	if ((c->courses = arena_alloc(a, (f->ncourses + 1) *
	    sizeof(int64_t))) == NULL) {
		*e = ERR_INTERNAL;
		return -1;
	}
	for (size_t i = 0; i < f->ncourses; i++) {
		st = db_prep(db, "SELECT 1 FROM courses WHERE id = ?");
		db_bind_int64(st, 1, f->courses[i]);
		*e = db_next(st);
		db_done(st);
		if (*e == ERR_NOTFOUND)
			return 0;
		if (*e != ERR_OK)
			return -1;
		c->courses[c->ncourses++] = f->courses[i];
	}
	*e = ERR_OK;
	return 1;
}

/* The discount itself: a percentage or an amount, never both. */
static void
read_discount(const struct coupon_form *f, struct coupon *c, const char *cur,
    const char *errors[CF_MAX])
{
	const char *kind = f->v[CF_KIND];

	if (kind != NULL && strcmp(kind, "fixed") == 0)
		c->kind = COUPON_FIXED;
	else if (kind != NULL && strcmp(kind, "percentage") == 0)
		c->kind = COUPON_PERCENTAGE;
	else {
		errors[CF_KIND] = "Choose a percentage or a fixed amount.";
		return;
	}
	if (c->kind == COUPON_PERCENTAGE) {
		if (f->v[CF_PERCENT_OFF] == NULL || !limit(f, CF_PERCENT_OFF,
		    &c->percent_off) || c->percent_off > 100)
			errors[CF_PERCENT_OFF] = "Type a whole number from 1 "
			    "to 100.";
		if (f->v[CF_AMOUNT_OFF] != NULL || f->bad[CF_AMOUNT_OFF])
			errors[CF_AMOUNT_OFF] = "A percentage coupon takes no "
			    "fixed amount: leave this empty.";
		return;
	}
	if (f->v[CF_AMOUNT_OFF] == NULL || !amount(f, CF_AMOUNT_OFF, cur, 1,
	    &c->amount_off))
		errors[CF_AMOUNT_OFF] = "Type an amount greater than zero, "
		    "such as 12.50.";
	if (f->v[CF_PERCENT_OFF] != NULL || f->bad[CF_PERCENT_OFF])
		errors[CF_PERCENT_OFF] = "A fixed-amount coupon takes no "
		    "percentage: leave this empty.";
}

/* The code, the description and the currency. */
static void
read_names(struct arena *a, const struct coupon_form *f, struct coupon *c,
    const char *errors[CF_MAX])
{
	char *cur;

	if (!f->batch && (f->v[CF_CODE] == NULL || f->bad[CF_CODE]))
		errors[CF_CODE] = "Type a code of letters, digits, '-' and "
		    "'_' (at most 40).";
	c->code = f->v[CF_CODE] != NULL ? f->v[CF_CODE] : "";
	if (f->bad[CF_DESCRIPTION])
		errors[CF_DESCRIPTION] = "Keep the description to one line "
		    "of at most 200 characters.";
	c->description = f->v[CF_DESCRIPTION] != NULL ?
	    f->v[CF_DESCRIPTION] : "";
	c->currency = "usd";
	if (f->bad[CF_CURRENCY] || !money_currency_valid(f->v[CF_CURRENCY]) ||
	    (cur = arena_strdup(a, f->v[CF_CURRENCY])) == NULL) {
		errors[CF_CURRENCY] = "Type a three-letter currency code, such "
		    "as usd or eur.";
		return;
	}
	for (char *p = cur; *p != '\0'; p++)
		*p = (char)(*p | 0x20);	/* letters only: lower case */
	c->currency = cur;
}

int
coupon_form_read(struct db *db, struct arena *a, const struct coupon_form *f,
    struct coupon *c, const char *errors[CF_MAX], enum err *e)
{
	int n = 0, r;

	memset(c, 0, sizeof(*c));
	memset(errors, 0, CF_MAX * sizeof(errors[0]));
	*e = ERR_OK;
	c->is_active = 1;
	read_names(a, f, c, errors);
	read_discount(f, c, c->currency, errors);
	if (!amount(f, CF_MAX_DISCOUNT, c->currency, 1, &c->max_discount))
		errors[CF_MAX_DISCOUNT] = "Type an amount such as 50.00, or "
		    "leave it empty for no cap.";
	if (!amount(f, CF_MIN_PURCHASE, c->currency, 0, &c->min_purchase))
		errors[CF_MIN_PURCHASE] = "Type an amount such as 100.00, or "
		    "leave it empty for none.";
	if (f->batch)
		c->max_uses = 1;
	else if (!limit(f, CF_MAX_USES, &c->max_uses))
		errors[CF_MAX_USES] = "Type a whole number of 1 or more, or "
		    "leave it empty for no limit.";
	if (!limit(f, CF_MAX_USES_PER_USER, &c->max_uses_per_user))
		errors[CF_MAX_USES_PER_USER] = "Type a whole number of 1 or "
		    "more, or leave it empty for no limit.";
	if (!moment(f, CF_VALID_FROM, &c->valid_from))
		errors[CF_VALID_FROM] = "Pick a date and time, or leave it "
		    "empty to start at once.";
	if (!moment(f, CF_VALID_UNTIL, &c->valid_until))
		errors[CF_VALID_UNTIL] = "Pick a date and time, or leave it "
		    "empty for no end.";
	else if (c->valid_until != 0 && c->valid_from != 0 &&
	    c->valid_until <= c->valid_from)
		errors[CF_VALID_UNTIL] = "The end must come after the start.";
	if (!read_types(a, f, c))
		errors[CF_COURSE_TYPES] = "Choose course types from the list.";
	if ((r = read_courses(db, a, f, c, e)) < 0)
		return -1;
	if (r == 0)
		errors[CF_COURSES] = "Choose courses from the list.";
	for (size_t i = 0; i < CF_MAX; i++)
		n += errors[i] != NULL;
	return n;
}

const char *
coupon_form_text(struct arena *a, const struct coupon *c,
    enum coupon_field field)
{
	char buf[MONEY_INPUT_MAX > TZ_INPUT_MAX ? MONEY_INPUT_MAX :
	    TZ_INPUT_MAX];
	int64_t money = 0, n = 0, t = 0;

	switch (field) {
	case CF_CODE:
		return c->code;
	case CF_DESCRIPTION:
		return c->description;
	case CF_KIND:
		return c->kind == COUPON_FIXED ? "fixed" : "percentage";
	case CF_CURRENCY:
		return c->currency;
	case CF_PERCENT_OFF:
		n = c->kind == COUPON_PERCENTAGE ? c->percent_off : 0;
		break;
	case CF_MAX_USES:
		n = c->max_uses;
		break;
	case CF_MAX_USES_PER_USER:
		n = c->max_uses_per_user;
		break;
	case CF_AMOUNT_OFF:
		money = c->kind == COUPON_FIXED ? c->amount_off : 0;
		break;
	case CF_MAX_DISCOUNT:
		money = c->max_discount;
		break;
	case CF_MIN_PURCHASE:
		money = c->min_purchase;
		break;
	case CF_VALID_FROM:
		t = c->valid_from;
		break;
	case CF_VALID_UNTIL:
		t = c->valid_until;
		break;
	default:
		return "";
	}
	buf[0] = '\0';
	if (n > 0)
		snprintf(buf, sizeof(buf), "%lld", (long long)n);
	if (money > 0)
		money_format_input(buf, money, c->currency);
	if (t > 0)
		tz_format_input(t, buf);
	return arena_strdup(a, buf);
}
