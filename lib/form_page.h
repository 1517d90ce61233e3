/* What every page with a form does on a refusal (the account and admin
 * programs alike): the error next to its field, in plain words, and the
 * form shown again with what was typed. */
#ifndef ENROLL_FORM_PAGE_H
#define ENROLL_FORM_PAGE_H

#include "app.h"

/* Adds errors[field] = message to the page's context. */
enum err form_error(struct resp *rs, const char *field, const char *message);

/* Puts the value sent for each of the NULL-terminated names back into
 * form[name] (never a password), so a re-shown form keeps what was typed. */
enum err form_refill(struct req *rq, struct resp *rs,
    const char *const *names);

/* Shows tmpl again with status (400 for unusable input, 429 throttled). */
enum err form_again(struct req *rq, struct resp *rs, const char *tmpl,
    int status, const char *const *refill);

#endif
