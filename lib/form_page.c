/* What every page with a form does on a refusal: an error next to its
 * field, the typed values put back, the form shown again. */
#include <cjson/cJSON.h>

#include "form_page.h"

/* Adds errors[field] = message to the page's context. */
enum err
form_error(struct resp *rs, const char *field, const char *message)
{
	cJSON *ctx = resp_ctx(rs), *errors;

	if (ctx == NULL)
		return ERR_INTERNAL;
	if ((errors = cJSON_GetObjectItemCaseSensitive(ctx, "errors")) == NULL &&
	    (errors = cJSON_AddObjectToObject(ctx, "errors")) == NULL)
		return ERR_INTERNAL;
	return cJSON_AddStringToObject(errors, field, message) != NULL ?
	    ERR_OK : ERR_INTERNAL;
}

/* Puts the value sent for each of the NULL-terminated names back into
 * form[name] (never a password), so a re-shown form keeps what was typed. */
enum err
form_refill(struct req *rq, struct resp *rs, const char *const *names)
{
	cJSON *ctx = resp_ctx(rs), *form;
	const char *v;

	if (ctx == NULL || (form = cJSON_AddObjectToObject(ctx, "form")) == NULL)
		return ERR_INTERNAL;
	for (; *names != NULL; names++) {
		v = field_str(rq, *names);
		if (v == NULL)
			v = field_raw(rq, *names);
		if (v != NULL && cJSON_AddStringToObject(form, *names, v) == NULL)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Shows tmpl again with status (400 for unusable input, 429 throttled). */
enum err
form_again(struct req *rq, struct resp *rs, const char *tmpl, int status,
    const char *const *refill)
{
	enum err e;

	if ((e = form_refill(rq, rs, refill)) != ERR_OK)
		return e;
	rs->status = status;
	rs->tmpl = tmpl;
	return ERR_OK;
}
