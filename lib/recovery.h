/* Forgotten passwords: a request sends a single-use link (lib/link.c) to
 * the address if an account uses it, and says nothing either way; the
 * link sets a new password once, within the hour, and ends every session
 * of the account. */
#ifndef ENROLL_RECOVERY_H
#define ENROLL_RECOVERY_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define RECOVERY_TTL (60 * 60)	/* seconds a reset link works */

/* Handles a request from client address addr for a reset link to email
 * (normalised) at now: counts it for the throttle and, when an account
 * uses email and the throttle allows it, voids the account's older links
 * and queues the mail with a new one (base_url + /account/reset-password).
 * Does the same work, and returns the same, whether or not an account
 * uses the address.  Returns ERR_OK, ERR_BUSY or ERR_INTERNAL. */
enum err recovery_request(struct db *db, const char *email, const char *addr,
    const char *base_url, int64_t now);

/* Sets *user_id to the account of the live reset link token at now.
 * ERR_NOTFOUND when the link is unknown, used, superseded or expired. */
enum err recovery_check(struct db *db, struct arena *a, const char *token,
    int64_t now, int64_t *user_id);

/* Sets password (which must pass password_policy_error) through reset
 * link token at now, in one transaction: the link and the account's other
 * reset links are voided and every session of the account ends.  Sets
 * *user_id.  ERR_NOTFOUND when the link is not live, ERR_INVALID when the
 * password breaks the policy. */
enum err recovery_reset(struct db *db, struct arena *a, const char *token,
    const char *password, int64_t now, int64_t *user_id);

#endif
