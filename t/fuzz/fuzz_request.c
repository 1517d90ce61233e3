/* libFuzzer target for everything parsed from an untrusted request before
 * a handler runs: the request line's path, query string, urlencoded body,
 * Cookie header (req_init) and declared-field validation.  The input is
 * split on newlines into: method, URI, query, cookie, content type, body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct field specs[] = {
	{ "name", F_LINE, 50 }, { "bio", F_TEXT, 500 }, { "n", F_INT, 0 },
	{ "email", F_EMAIL, 0 }, { "code", F_CODE, 0 }, { "slug", F_SLUG, 0 },
	{ "tok", F_TOKEN, 0 }, { "ok", F_BOOL, 0 }, { "when", F_DATE, 0 },
	{ "pw", F_PASSWORD, 0 }, { "ids", F_IDS, 20 }, { "kinds", F_WORDS, 0 },
	{ NULL, 0, 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *keys[] = { "REQUEST_METHOD=", "REQUEST_URI=",
	    "QUERY_STRING=", "HTTP_COOKIE=", "CONTENT_TYPE=" };
	char *copy = malloc(size + 1), *env[6] = { 0 }, *p, *nl;
	struct arena *a = arena_new();
	struct req rq;
	size_t i;

	if (copy == NULL || a == NULL)
		goto out;
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	for (i = 0; i < 5; i++) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		env[i] = arena_alloc(a, strlen(keys[i]) + strlen(p) + 1);
		if (env[i] == NULL)
			goto out;
		strcpy(env[i], keys[i]);
		strcat(env[i], p);
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
	/* The body is whatever is left, NUL bytes included. */
	req_init(&rq, a, env, p, size - (size_t)(p - copy));
	if (rq.parse_err == ERR_OK) {
		fields_validate(&rq, specs, &rq.form);
		fields_validate(&rq, specs, &rq.query);
		field_str(&rq, "name");
		req_safe_next(field_raw(&rq, "name"), "/");
	}
out:
	arena_free(a);
	free(copy);
	return 0;
}
