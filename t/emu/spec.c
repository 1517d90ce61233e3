/* The route table of the API subset and, for each route, the parameter
 * schema taken from Stripe's OpenAPI description: the form body schema of
 * a POST, or an object schema assembled from the query parameters of a
 * GET.  Nothing about parameters is written by hand here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "log.h"

const struct emu_route emu_routes[] = {
	{ "POST", "/v1/customers", emu_customer_create },
	{ "GET", "/v1/customers/{customer}", emu_customer_get },
	{ "POST", "/v1/customers/{customer}", emu_customer_update },
	{ "DELETE", "/v1/customers/{customer}", emu_customer_delete },
	{ "POST", "/v1/coupons", emu_coupon_create },
	{ "GET", "/v1/coupons/{coupon}", emu_coupon_get },
	{ "POST", "/v1/checkout/sessions", emu_session_create },
	{ "GET", "/v1/checkout/sessions", emu_session_list },
	{ "GET", "/v1/checkout/sessions/{session}", emu_session_get },
	{ "POST", "/v1/checkout/sessions/{session}/expire",
	    emu_session_expire },
	{ "GET", "/v1/checkout/sessions/{session}/line_items",
	    emu_session_items },
	{ "GET", "/v1/payment_intents", emu_pi_list },
	{ "GET", "/v1/payment_intents/{intent}", emu_pi_get },
	{ "GET", "/v1/charges", emu_charge_list },
	{ "GET", "/v1/refunds", emu_refund_list },
	{ "POST", "/v1/refunds", emu_refund_create },
	{ "GET", "/v1/refunds/{refund}", emu_refund_get },
	{ "GET", "/v1/events", emu_event_list },
	{ "GET", "/v1/events/{id}", emu_event_get },
	{ "POST", "/v1/webhook_endpoints", emu_endpoint_create },
	{ "GET", "/v1/webhook_endpoints", emu_endpoint_list },
	{ "GET", "/v1/webhook_endpoints/{webhook_endpoint}", emu_endpoint_get },
	{ "POST", "/v1/webhook_endpoints/{webhook_endpoint}",
	    emu_endpoint_update },
	{ "DELETE", "/v1/webhook_endpoints/{webhook_endpoint}",
	    emu_endpoint_delete },
};
const size_t emu_nroutes = sizeof(emu_routes) / sizeof(emu_routes[0]);

/* Reads the whole file at path; caller frees.  NULL after logging. */
static char *
slurp(const char *path)
{
	FILE *f;
	char *s = NULL;
	long n;

	if ((f = fopen(path, "rb")) == NULL) {
		log_error(NULL, "emu: cannot open spec %s", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else
			s[n] = '\0';
	}
	fclose(f);
	if (s == NULL)
		log_error(NULL, "emu: cannot read spec %s", path);
	return s;
}

/* Returns the lower-case method key the spec uses. */
static const char *
spec_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return "get";
	return strcmp(m, "DELETE") == 0 ? "delete" : "post";
}

/* GET: {"type":"object","properties":{q: schema},"required":[...]} from
 * the operation's query parameters.  Caller frees. */
static cJSON *
query_schema(const cJSON *op)
{
	const cJSON *p, *params = cJSON_GetObjectItem(op, "parameters");
	cJSON *s, *props, *req;

	if ((s = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(s, "type", "object");
	props = cJSON_AddObjectToObject(s, "properties");
	req = cJSON_AddArrayToObject(s, "required");
	cJSON_AddFalseToObject(s, "additionalProperties");
	if (props == NULL || req == NULL) {
		cJSON_Delete(s);
		return NULL;
	}
	cJSON_ArrayForEach(p, params) {
		const char *in = cJSON_GetStringValue(cJSON_GetObjectItem(p, "in"));
		const char *name = cJSON_GetStringValue(
		    cJSON_GetObjectItem(p, "name"));

		if (in == NULL || name == NULL || strcmp(in, "query") != 0)
			continue;
		cJSON_AddItemToObject(props, name, cJSON_Duplicate(
		    cJSON_GetObjectItem(p, "schema"), 1));
		if (cJSON_IsTrue(cJSON_GetObjectItem(p, "required")))
			cJSON_AddItemToArray(req, cJSON_CreateString(name));
	}
	return s;
}

/* POST and DELETE: the form body schema.  Caller frees. */
static cJSON *
body_schema(const cJSON *op)
{
	const cJSON *s;

	s = cJSON_GetObjectItem(op, "requestBody");
	s = cJSON_GetObjectItem(s, "content");
	s = cJSON_GetObjectItem(s, "application/x-www-form-urlencoded");
	s = cJSON_GetObjectItem(s, "schema");
	return s != NULL ? cJSON_Duplicate(s, 1) : NULL;
}

int
emu_spec_load(struct emu *e, const char *path)
{
	const cJSON *paths, *op;
	char *text;
	size_t i;

	if ((text = slurp(path)) == NULL)
		return -1;
	e->spec = cJSON_Parse(text);
	free(text);
	if (e->spec == NULL) {
		log_error(NULL, "emu: spec %s is not JSON", path);
		return -1;
	}
	if ((e->schemas = calloc(emu_nroutes, sizeof(*e->schemas))) == NULL)
		return -1;
	paths = cJSON_GetObjectItem(e->spec, "paths");
	for (i = 0; i < emu_nroutes; i++) {
		op = cJSON_GetObjectItem(cJSON_GetObjectItem(paths,
		    emu_routes[i].pattern), spec_method(emu_routes[i].method));
		if (op == NULL) {
			log_error(NULL, "emu: spec has no %s %s",
			    emu_routes[i].method, emu_routes[i].pattern);
			return -1;
		}
		e->schemas[i] = strcmp(emu_routes[i].method, "GET") == 0 ?
		    query_schema(op) : body_schema(op);
		if (e->schemas[i] == NULL) {
			log_error(NULL, "emu: no parameter schema for %s %s",
			    emu_routes[i].method, emu_routes[i].pattern);
			return -1;
		}
	}
	return 0;
}

void
emu_spec_free(struct emu *e)
{
	size_t i;

	for (i = 0; e->schemas != NULL && i < emu_nroutes; i++)
		cJSON_Delete(e->schemas[i]);
	free(e->schemas);
	e->schemas = NULL;
	cJSON_Delete(e->spec);
	e->spec = NULL;
}

/* Matches path against pattern segment by segment; a {name} segment
 * matches any non-empty segment, which goes to *id. */
static int
route_match(struct arena *a, const char *pattern, const char *path,
    const char **id)
{
	const char *p = pattern, *q = path, *pe, *qe;

	*id = NULL;
	while (*p != '\0' && *q != '\0') {
		if (*p != '/' || *q != '/')
			return 0;
		p++, q++;
		pe = strchr(p, '/');
		qe = strchr(q, '/');
		pe = pe != NULL ? pe : p + strlen(p);
		qe = qe != NULL ? qe : q + strlen(q);
		if (*p == '{') {
			if (qe == q)
				return 0;
			*id = arena_strndup(a, q, (size_t)(qe - q));
		} else if (pe - p != qe - q || memcmp(p, q, (size_t)(pe - p)))
			return 0;
		p = pe;
		q = qe;
	}
	return *p == '\0' && *q == '\0';
}

int
emu_route_find(struct arena *a, const char *method, const char *path,
    const char **id)
{
	size_t i;

	for (i = 0; i < emu_nroutes; i++)
		if (strcmp(emu_routes[i].method, method) == 0 &&
		    route_match(a, emu_routes[i].pattern, path, id))
			return (int)i;
	*id = NULL;
	return -1;
}
