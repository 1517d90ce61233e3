/* Handler test harness (see harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "harness.h"
#include "seed.h"
#include "session.h"
#include "tmpl.h"

void
harness_open(struct harness *h, const struct app *app, int seed)
{
	struct buf msg = { 0 };
	struct db *db;
	int fd, seeded;

	memset(h, 0, sizeof(*h));
	snprintf(h->dbpath, sizeof(h->dbpath), "/tmp/enroll-unit-XXXXXX");
	assert_true((fd = mkstemp(h->dbpath)) >= 0);
	close(fd);
	setenv("ENROLL_DB", h->dbpath, 1);
	assert_non_null(db = db_open(h->dbpath));
	assert_int_equal(db_migrate(db), ERR_OK);
	if (seed)
		assert_int_equal(seed_demo(db, &seeded), ERR_OK);
	db_close(db);
	if (tmpl_set_load_embedded(&h->tmpl, &msg) != ERR_OK)
		fail_msg("templates: %s", msg.data);
	buf_free(&msg);
	assert_int_equal(worker_init(&h->w, app, h->tmpl), ERR_OK);
	assert_non_null(h->arena = arena_new());
}

void
harness_close(struct harness *h)
{
	char path[80];

	worker_fini(&h->w);
	tmpl_set_free(h->tmpl);
	arena_free(h->arena);
	buf_free(&h->rs.body);
	unlink(h->dbpath);
	snprintf(path, sizeof(path), "%s-wal", h->dbpath);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", h->dbpath);
	unlink(path);
	snprintf(path, sizeof(path), "%s-metrics", h->dbpath);
	unlink(path);
}

/* Keeps "name=value" of each Set-Cookie in h->cookies (replacing). */
static void
keep_cookies(struct harness *h)
{
	char jar[1024] = "", name[128];
	const char *v, *eq, *end;

	for (size_t i = 0; i < h->rs.nheaders; i++) {
		if (strcmp(h->rs.headers[i].name, "Set-Cookie") != 0)
			continue;
		v = h->rs.headers[i].value;
		eq = strchr(v, '=');
		end = strchr(v, ';');
		if (eq == NULL || end == NULL || (size_t)(eq - v) >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
		/* Drop the old value of this cookie from the jar. */
		char *tok, *save, copy[1024];

		snprintf(copy, sizeof(copy), "%s", h->cookies);
		jar[0] = '\0';
		for (tok = strtok_r(copy, ";", &save); tok != NULL;
		    tok = strtok_r(NULL, ";", &save)) {
			while (*tok == ' ')
				tok++;
			if (strncmp(tok, name, strlen(name)) == 0 &&
			    tok[strlen(name)] == '=')
				continue;
			snprintf(jar + strlen(jar), sizeof(jar) - strlen(jar),
			    "%s%s", jar[0] ? "; " : "", tok);
		}
		if (strstr(v, "Max-Age=0") == NULL)
			snprintf(jar + strlen(jar), sizeof(jar) - strlen(jar),
			    "%s%.*s", jar[0] ? "; " : "", (int)(end - v), v);
		snprintf(h->cookies, sizeof(h->cookies), "%s", jar);
	}
}

struct resp *
harness_request(struct harness *h, const char *method, const char *uri,
    const char *body)
{
	char m[32], u[4096], q[4096], c[1100], cl[48];
	char *env[] = { m, u, q, c, cl,
	    "CONTENT_TYPE=application/x-www-form-urlencoded",
	    "REQUEST_ID=unit-test", "REMOTE_ADDR=127.0.0.1", NULL };
	const char *qs = strchr(uri, '?');
	struct req rq;

	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	snprintf(u, sizeof(u), "REQUEST_URI=%s", uri);
	snprintf(q, sizeof(q), "QUERY_STRING=%s", qs ? qs + 1 : "");
	snprintf(c, sizeof(c), "HTTP_COOKIE=%s", h->cookies);
	snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", body ? strlen(body) : 0);
	arena_reset(h->arena);
	resp_reset(&h->rs);
	req_init(&rq, h->arena, env, body, body ? strlen(body) : 0);
	app_handle(&h->w, &rq, &h->rs);
	keep_cookies(h);
	return &h->rs;
}

void
harness_token_for(struct harness *h, const char *cookies, char *out,
    size_t size)
{
	char c[1100];
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", c, NULL };
	struct resp rs = { 0 };
	struct req rq;

	snprintf(c, sizeof(c), "HTTP_COOKIE=%s", cookies);
	arena_reset(h->arena);
	resp_reset(&rs);
	req_init(&rq, h->arena, env, NULL, 0);
	rq.w = &h->w;
	assert_int_equal(session_begin(&h->w, &rq, &rs), ERR_OK);
	snprintf(out, size, "%s", rq.csrf_token);
	buf_free(&rs.body);
}

const char *
harness_csrf(struct harness *h)
{
	static const char key[] = "name=\"csrf_token\" value=\"";
	char *token = h->csrf;
	const char *p = h->rs.body.data ? strstr(h->rs.body.data, key) : NULL;
	size_t n;

	token[0] = '\0';
	if (p == NULL)
		return token;
	p += sizeof(key) - 1;
	n = strcspn(p, "\"");
	if (n < sizeof(h->csrf))
		snprintf(token, sizeof(h->csrf), "%.*s", (int)n, p);
	return token;
}

const char *
harness_header(struct harness *h, const char *name)
{
	for (size_t i = 0; i < h->rs.nheaders; i++)
		if (strcasecmp(h->rs.headers[i].name, name) == 0)
			return h->rs.headers[i].value;
	return NULL;
}

void
harness_path_fill(const char *pattern, char *out, size_t size)
{
	size_t n = 0;

	while (*pattern != '\0' && n + 20 < size) {
		if (strncmp(pattern, "<id>", 4) == 0) {
			n += (size_t)snprintf(out + n, size - n, "1");
			pattern += 4;
		} else if (strncmp(pattern, "<slug>", 6) == 0) {
			n += (size_t)snprintf(out + n, size - n, "intro-to-git");
			pattern += 6;
		} else {
			out[n++] = *pattern++;
		}
	}
	out[n] = '\0';
}

void
harness_fields_fill(const struct field *f, char *out, size_t size)
{
	static const char *const sample[F_MAX] = {
		[F_LINE] = "probe", [F_TEXT] = "probe", [F_INT] = "1",
		[F_EMAIL] = "csrf-probe%40example.org",
		[F_PASSWORD] = "probe-password-123", [F_SLUG] = "intro-to-git",
		[F_CODE] = "PROBE", [F_TOKEN] = "probe", [F_BOOL] = "1",
		[F_DATE] = "2030-01-01",
	};
	size_t n = 0;

	out[0] = '\0';
	for (; f != NULL && f->name != NULL && n < size; f++)
		n += (size_t)snprintf(out + n, size - n, "%s%s=%s",
		    n ? "&" : "", f->name, sample[f->kind] ? sample[f->kind] :
		    "x");
}
