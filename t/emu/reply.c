/* Responses: JSON bodies and Stripe's error object
 * {"error":{"code","doc_url","message","param","type"}}, the shape every
 * Stripe client library parses into its exceptions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

void
emu_reply_json(struct eresp *r, int status, const cJSON *obj)
{
	char *s = obj != NULL ? cJSON_PrintUnformatted(obj) : NULL;

	buf_reset(&r->body);
	r->ctype = "application/json";
	if (s == NULL) {
		r->status = 500;
		buf_puts(&r->body, "{\"error\":{\"type\":\"api_error\","
		    "\"message\":\"out of memory\"}}\n");
		return;
	}
	r->status = status;
	buf_puts(&r->body, s);
	buf_putc(&r->body, '\n');
	cJSON_free(s);
}

void
emu_reply_text(struct eresp *r, int status, const char *ctype,
    const char *text)
{
	buf_reset(&r->body);
	r->status = status;
	r->ctype = ctype;
	buf_puts(&r->body, text);
}

/* Adds the doc_url Stripe gives with a code: dashes for underscores. */
static void
add_doc_url(cJSON *err, const char *code)
{
	char url[160];
	size_t n, i;

	n = (size_t)snprintf(url, sizeof(url),
	    "https://stripe.com/docs/error-codes/%s", code);
	if (n >= sizeof(url))
		return;
	for (i = sizeof("https://stripe.com/docs/error-codes/") - 1; i < n; i++)
		if (url[i] == '_')
			url[i] = '-';
	cJSON_AddStringToObject(err, "doc_url", url);
}

static cJSON *error_newv(const char *, const char *, const char *,
    const char *, va_list) __attribute__((format(printf, 4, 0)));

static cJSON *
error_newv(const char *type, const char *code, const char *param,
    const char *fmt, va_list ap)
{
	char msg[1024];
	cJSON *root, *err;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	err = cJSON_AddObjectToObject(root, "error");
	if (err == NULL) {
		cJSON_Delete(root);
		return NULL;
	}
	if (code != NULL) {
		cJSON_AddStringToObject(err, "code", code);
		add_doc_url(err, code);
	}
	cJSON_AddStringToObject(err, "message", msg);
	if (param != NULL)
		cJSON_AddStringToObject(err, "param", param);
	cJSON_AddStringToObject(err, "type", type);
	return root;
}

cJSON *
emu_error_new(const char *type, const char *code, const char *param,
    const char *fmt, ...)
{
	va_list ap;
	cJSON *o;

	va_start(ap, fmt);
	o = error_newv(type, code, param, fmt, ap);
	va_end(ap);
	return o;
}

void
emu_reply_error(struct eresp *r, int status, const char *type,
    const char *code, const char *param, const char *fmt, ...)
{
	va_list ap;
	cJSON *o;

	va_start(ap, fmt);
	o = error_newv(type, code, param, fmt, ap);
	va_end(ap);
	emu_reply_json(r, status, o);
	cJSON_Delete(o);
}
