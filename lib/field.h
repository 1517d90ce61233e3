/* Declared form and query fields.  Each route lists the fields it accepts
 * with a validator; the dispatcher validates them before the handler runs,
 * so a handler only ever sees a field that is absent, invalid (flagged), or
 * valid and typed.  Undeclared fields are invisible to handlers.  A field
 * sent empty or blank (an untouched search box, a select's "All" option)
 * is absent, never invalid, whatever its kind. */
#ifndef ENROLL_FIELD_H
#define ENROLL_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct req;
struct kvlist;

enum field_kind {
	F_LINE,		/* one line of text, trimmed, no control characters */
	F_TEXT,		/* multi-line text, trimmed; \r\n kept as \n */
	F_INT,		/* decimal integer >= 0 fitting int64 */
	F_EMAIL,	/* address shape checked, lower-cased */
	F_PASSWORD,	/* taken as sent (no trimming), length-limited */
	F_SLUG,		/* [a-z0-9-], 1..max */
	F_CODE,		/* coupon-like code [A-Za-z0-9_-], upper-cased */
	F_TOKEN,	/* opaque token [A-Za-z0-9_-] (CSRF, session ids) */
	F_BOOL,		/* checkbox: present and "1"/"on"/"true" is 1, else 0 */
	F_DATE,		/* YYYY-MM-DD (UTC midnight), typed as unix seconds */
	F_IDS,		/* checkbox list: the key repeated, each value an id
			   > 0; max is the most values accepted */
	F_WORDS,	/* checkbox list: the key repeated, each value a word
			   [a-z0-9_] of at most 40 bytes; max as for F_IDS */
	F_MAX
};

struct field {
	const char *name;	/* form or query key; NULL ends a list */
	enum field_kind kind;	/* validator */
	size_t max;		/* longest accepted value in bytes; 0: 200 */
};

enum field_state { FV_ABSENT, FV_OK, FV_BAD };

struct fieldval {
	const struct field *spec;/* the declaration */
	enum field_state state;	/* absent, valid, or present but invalid */
	const char *s;		/* normalised text (FV_OK), arena memory */
	const char *raw;	/* value as sent, or NULL when absent */
	int64_t i;		/* typed value for F_INT, F_BOOL, F_DATE */
	const int64_t *ids;	/* F_IDS: the values, arena memory */
	const char **words;	/* F_WORDS: the values, arena memory */
	size_t n;		/* F_IDS, F_WORDS: how many */
};

/* Validates the fields of specs (NULL-terminated by name) from src into
 * rq->fields.  A duplicated key is invalid (one field, one value) except
 * for the checkbox lists F_IDS and F_WORDS.  Returns
 * ERR_OK, or ERR_INTERNAL when memory ran out. */
enum err fields_validate(struct req *rq, const struct field *specs,
    const struct kvlist *src);

/* Returns the valid value of name, or NULL when absent or invalid. */
const char *field_str(const struct req *rq, const char *name);

/* Sets *out and returns 1 when name is a valid F_INT/F_BOOL/F_DATE. */
int field_int(const struct req *rq, const char *name, int64_t *out);

/* Points *out at the valid values of the F_IDS field name and returns
 * how many (0 when none was ticked or the list is invalid). */
size_t field_ids(const struct req *rq, const char *name,
    const int64_t **out);

/* The same for an F_WORDS field. */
size_t field_words(const struct req *rq, const char *name,
    const char *const **out);

/* Returns 1 when name was sent but failed its validator. */
int field_bad(const struct req *rq, const char *name);

/* Reads the declared F_INT field "page" of a listing into *page: 1 when
 * absent or 0; ERR_INVALID when it was sent but is not a number. */
enum err field_page(const struct req *rq, int64_t *page);

/* Returns the value as sent (for re-filling a form after an error), or
 * NULL.  Never use it for anything but echoing into an escaped page. */
const char *field_raw(const struct req *rq, const char *name);

#endif
