/* The rules of a coupon as an admin types them: one enum entry per form
 * field, the text typed into each, and the reading of that text into a
 * struct coupon with a plain-words error per field.  The coupon form and
 * the batch form (which shares every rule but the code and the limit of
 * uses) both read through here, and a unit test checks every rule without
 * a request. */
#ifndef ENROLL_COUPON_FORM_H
#define ENROLL_COUPON_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "coupon.h"
#include "err.h"

struct db;

enum coupon_field {
	CF_CODE,		/* "code": upper case, unique */
	CF_DESCRIPTION,		/* "description": shown to the buyer */
	CF_KIND,		/* "kind": "percentage" or "fixed" */
	CF_PERCENT_OFF,		/* "percent_off": 1..100 */
	CF_AMOUNT_OFF,		/* "amount_off": money, "12.50" */
	CF_CURRENCY,		/* "currency": three letters */
	CF_MAX_DISCOUNT,	/* "max_discount": money, optional */
	CF_MIN_PURCHASE,	/* "min_purchase": money, optional */
	CF_MAX_USES,		/* "max_uses": whole number, optional */
	CF_MAX_USES_PER_USER,	/* "max_uses_per_user": the same */
	CF_VALID_FROM,		/* "valid_from": local YYYY-MM-DDTHH:MM */
	CF_VALID_UNTIL,		/* "valid_until": the same, exclusive */
	CF_COURSE_TYPES,	/* "course_types": checkbox list */
	CF_COURSES,		/* "courses": checkbox list of course ids */
	CF_MAX
};

/* The form names of the fields, indexed by enum coupon_field. */
extern const char *const coupon_field_names[CF_MAX];

/* Course types a coupon can be limited to (courses.course_type), NULL
 * ended, with their names for people in coupon_type_labels. */
extern const char *const coupon_types[];
extern const char *const coupon_type_labels[];

/* What was sent: the text of each field (NULL: left empty), whether the
 * field's validator refused it, and the ticked boxes. */
struct coupon_form {
	const char *v[CF_MAX];		/* trimmed text, NULL when empty */
	int bad[CF_MAX];		/* sent but refused by its validator */
	const char *const *types;	/* ticked course types */
	size_t ntypes;			/* entries in types */
	const int64_t *courses;		/* ticked course ids */
	size_t ncourses;		/* entries in courses */
	int batch;			/* batch form: no code, max_uses 1 */
};

/* Reads f into *c (strings and arrays in a; c->is_active set to 1) and
 * puts into errors[field] the plain-words reason for each field that is
 * wrong (NULL where right).  Returns the number of errors, or -1 when the
 * database or memory failed (then *e says how). */
int coupon_form_read(struct db *db, struct arena *a,
    const struct coupon_form *f, struct coupon *c,
    const char *errors[CF_MAX], enum err *e);

/* The text that puts c's value of field back into its input ("" for an
 * empty one), in a; NULL when memory ran out. */
const char *coupon_form_text(struct arena *a, const struct coupon *c,
    enum coupon_field field);

#endif
