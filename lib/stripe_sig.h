/* Verification of Stripe webhook signatures.  Stripe signs each delivery
 * with "Stripe-Signature: t=<unix time>,v1=<hex>[,v1=<hex>...]" where v1 is
 * HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret, the whole
 * "whsec_..." string as the key.  Rules follow stripe-node 23.x
 * (Webhooks.js), which is the reference the tests sign with. */
#ifndef ENROLL_STRIPE_SIG_H
#define ENROLL_STRIPE_SIG_H

#include <stddef.h>
#include <time.h>

#include "err.h"

/* Stripe's default tolerance, in seconds. */
#define STRIPE_SIG_TOLERANCE 300

/* Why a header was refused, for the log line (never shown to the peer). */
enum stripe_sig_reason {
	STRIPE_SIG_OK = 0,	/* a v1 matched and t is fresh */
	STRIPE_SIG_MISSING,	/* no header, or an empty one */
	STRIPE_SIG_MALFORMED,	/* no t=, t not a decimal, two t=, too long */
	STRIPE_SIG_NO_V1,	/* no v1= element (v0 alone is not enough) */
	STRIPE_SIG_MISMATCH,	/* no v1 matches any secret */
	STRIPE_SIG_STALE,	/* signature valid, but t older than tolerance */
	STRIPE_SIG_NO_SECRET,	/* secrets_csv names no secret: our config */
	STRIPE_SIG_MAX
};

/* Verifies header against the len bytes of the raw request body.
 * secrets_csv is one or more whsec_ secrets separated by commas (spaces
 * around each are ignored), so a rotated secret and its successor are both
 * accepted; any v1 matching any secret is enough, compared in constant time.
 * The signature is checked before the age, as stripe-node does, so STALE
 * means "authentic but old": an event is stale when now - t > tolerance.
 * A t in the future is accepted, as Stripe's libraries accept it.
 * Elements other than t and v1 (v0, unknown schemes) are ignored; elements
 * are split on ',' and '=' exactly, with no whitespace trimming.
 * Returns ERR_OK; ERR_INVALID for any refusal by the peer's fault; or
 * ERR_INTERNAL when no secret is configured or memory ran out.  *reason
 * (may be NULL) says which. */
enum err stripe_sig_verify(const char *header, const char *body, size_t len,
    const char *secrets_csv, time_t now, int tolerance,
    enum stripe_sig_reason *reason);

/* Writes into out (at least 65 bytes) the lower-case hex v1 signature of
 * body at timestamp t with secret (NUL-terminated), as Stripe computes it.
 * Used by tests and by the emulator to sign deliveries.  Returns 0, or -1
 * when the secret is empty. */
int stripe_sig_sign(char out[65], const char *secret, long long t,
    const char *body, size_t len);

/* Returns a static name of the reason ("missing", "stale", ...). */
const char *stripe_sig_reason_str(enum stripe_sig_reason r);

#endif
