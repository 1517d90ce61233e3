/* Error values shared by every module.  A function either handles an error
 * (and logs it, once) or returns it; resp_error() maps each to a status. */
#ifndef ENROLL_ERR_H
#define ENROLL_ERR_H

enum err {
	ERR_OK = 0,
	ERR_INVALID,	/* bad input from a person or a peer: 400 */
	ERR_NOTFOUND,	/* no such thing, or not yours to see: 404 */
	ERR_FORBIDDEN,	/* authenticated but not allowed, bad CSRF: 403 */
	ERR_CONFLICT,	/* state does not allow it (duplicate, sold out): 409 */
	ERR_BUSY,	/* database locked: 503 so that clients retry */
	ERR_UPSTREAM,	/* Stripe or SMTP failed: 502 */
	ERR_INTERNAL,	/* a bug or out of memory: 500 */
	ERR_TOOLARGE,	/* request over a size limit: 413 */
	ERR_METHOD,	/* method not allowed on this route: 405 */
	ERR_MAX
};

/* Returns a static, human-readable name of e; never NULL. */
const char *err_str(enum err e);

/* Returns the HTTP status code that e is answered with. */
int err_status(enum err e);

#endif
