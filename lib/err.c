/* Names and HTTP statuses of enum err, indexed by the enum. */
#include "err.h"

static const struct {
	const char *name;	/* short text shown on error pages */
	int status;		/* HTTP status answered */
} errs[ERR_MAX] = {
	[ERR_OK] = { "OK", 200 },
	[ERR_INVALID] = { "Bad request", 400 },
	[ERR_NOTFOUND] = { "Not found", 404 },
	[ERR_FORBIDDEN] = { "Forbidden", 403 },
	[ERR_CONFLICT] = { "Conflict", 409 },
	[ERR_BUSY] = { "Service busy", 503 },
	[ERR_UPSTREAM] = { "Payment service unavailable", 502 },
	[ERR_INTERNAL] = { "Internal error", 500 },
	[ERR_TOOLARGE] = { "Request too large", 413 },
	[ERR_METHOD] = { "Method not allowed", 405 },
};

const char *
err_str(enum err e)
{
	if ((unsigned)e >= ERR_MAX)
		return "Unknown error";
	return errs[e].name;
}

int
err_status(enum err e)
{
	if ((unsigned)e >= ERR_MAX)
		return 500;
	return errs[e].status;
}
