/* Who is asking: the session cookie gives the user (or a guest), and the
 * CSRF token every form must send back.  The dispatcher calls these once
 * per request, before any handler. */
#ifndef ENROLL_SESSION_H
#define ENROLL_SESSION_H

#include <stdint.h>

#include "err.h"

struct req;
struct resp;
struct worker;

struct user {
	int64_t id;		/* users.id */
	const char *email;	/* normalised, arena memory */
	const char *name;	/* display name, arena memory */
	int is_admin;		/* role admin */
};

/* Name of the form field that carries the CSRF token. */
#define CSRF_FIELD "csrf_token"

/* Identifies the visitor: sets rq->user (NULL for a guest), rq->csrf_token
 * and rq->session; gives a new visitor a guest cookie.  Returns ERR_OK, or
 * ERR_BUSY / ERR_INTERNAL from the database. */
enum err session_begin(struct worker *w, struct req *rq, struct resp *rs);

/* Returns 1 when the request's csrf_token form field matches the visitor's
 * token (constant-time), else 0. */
int session_csrf_ok(const struct req *rq);

/* Returns the guest id of the visitor (a cookie-keyed random id, also kept
 * after login so a guest cart can be merged), or NULL. */
const char *session_guest_id(const struct req *rq);

#endif
