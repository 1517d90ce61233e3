/* In-process harness for handler tests: a worker over a fresh migrated and
 * seeded database file, and requests built from CGI parameters exactly as
 * FastCGI would deliver them, answered by the real dispatcher. */
#ifndef ENROLL_HARNESS_H
#define ENROLL_HARNESS_H

#include "app.h"

struct harness {
	struct worker w;	/* the worker under test */
	struct tmpl_set *tmpl;	/* compiled templates */
	struct arena *arena;	/* request arena, reset per request */
	struct resp rs;		/* last response */
	char dbpath[64];	/* temporary database file */
	char cookies[1024];	/* Cookie header carried between requests */
	char csrf[128];		/* last token found by harness_csrf() */
};

/* Sets h up for app over a new database (seeded when seed is 1).  Aborts
 * the test on failure.  Undo with harness_close(). */
void harness_open(struct harness *h, const struct app *app, int seed);
void harness_close(struct harness *h);

/* Answers one request; body may be NULL.  Set-Cookie headers of the answer
 * are kept for the next request.  Returns &h->rs. */
struct resp *harness_request(struct harness *h, const char *method,
    const char *uri, const char *body);

/* Returns the CSRF token in the last page (kept in h->csrf), or "". */
const char *harness_csrf(struct harness *h);

/* Writes to out (size bytes) the CSRF token the session layer gives a
 * browser sending cookies, as a page would render it: for requests whose
 * answer (a 403, a redirect) carries no form to read it from. */
void harness_token_for(struct harness *h, const char *cookies, char *out,
    size_t size);

/* Returns the value of header name in the last response, or NULL. */
const char *harness_header(struct harness *h, const char *name);

/* Writes pattern with <id> as 1 and <slug> as intro-to-git to out. */
void harness_path_fill(const char *pattern, char *out, size_t size);

/* Writes to out a urlencoded body or query with a plausible value for each
 * declared field of f (NULL: none), so that a handler would change
 * something if it ran. */
void harness_fields_fill(const struct field *f, char *out, size_t size);

#endif
