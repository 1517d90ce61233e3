/* libFuzzer target for the Cookie header and what reads it before any
 * handler: cookie_parse, then session_begin (guest id and session token
 * checks, the session lookup against a real database) and the CSRF
 * comparison.  An input starting with "S:" has a live session cookie put
 * in front of it, so the logged-in path is fuzzed too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "session.h"
#include "user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One worker over an in-memory database with one user and session,
 * made on the first input and kept for the process. */
static struct worker w;
static char live[SESSION_TOKEN_HEX + 1];

static int
worker_once(void)
{
	int64_t id;

	if (w.db != NULL)
		return 0;
	w.db = db_open(":memory:");
	if (w.db == NULL || db_migrate(w.db) != ERR_OK ||
	    user_create(w.db, "fuzz@example.org", "Fuzz", "fuzz-password-1",
	    ROLE_STUDENT, &id) != ERR_OK ||
	    session_create(w.db, id, (int64_t)time(NULL), live, NULL) != ERR_OK)
		abort();
	memset(w.secret, 7, sizeof(w.secret));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct resp rs = { 0 };
	struct kvlist kv;
	struct req rq;
	char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x", NULL, NULL };
	char *cookie;
	size_t pre = 0;
	const char *body = "csrf_token=00";

	worker_once();
	if (a == NULL || (cookie = arena_alloc(a, size + 100)) == NULL)
		goto out;
	strcpy(cookie, "HTTP_COOKIE=");
	if (size >= 2 && memcmp(data, "S:", 2) == 0)
		pre = (size_t)snprintf(cookie + 12, 90, "%s=%s; ",
		    SESSION_COOKIE, live);
	memcpy(cookie + 12 + pre, data, size);
	cookie[12 + pre + size] = '\0';	/* a NUL inside ends the header */
	cookie_parse(a, cookie + 12, &form_limits_default, &kv);
	kv_get(&kv, SESSION_COOKIE);
	env[2] = cookie;
	resp_reset(&rs);
	req_init(&rq, a, env, body, strlen(body));
	rq.w = &w;
	if (rq.parse_err == ERR_OK && session_begin(&w, &rq, &rs) == ERR_OK) {
		if (session_csrf_ok(&rq))
			abort();	/* "00" is never anyone's token */
		session_guest_id(&rq);
		session_current_id(&rq);
	}
out:
	buf_free(&rs.body);
	arena_free(a);
	return 0;
}
