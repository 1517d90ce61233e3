/* Password hashing with Argon2id (libsodium) and the password policy.  The
 * stored form is libsodium's self-describing string ("$argon2id$v=19$m=..."),
 * so the cost can be raised later without a schema change. */
#ifndef ENROLL_PASSWORD_H
#define ENROLL_PASSWORD_H

#include <stddef.h>

#include "err.h"

#define PASSWORD_MIN_CHARS 10	/* characters (UTF-8 code points) */
#define PASSWORD_MAX_CHARS 200	/* characters; long passphrases are fine */
#define PASSWORD_HASH_MAX 128	/* crypto_pwhash_STRBYTES, with the NUL */

/* Returns NULL when pw is an acceptable new password, else a static
 * plain-words reason to show next to the field. */
const char *password_policy_error(const char *pw);

/* Hashes pw into out (PASSWORD_HASH_MAX bytes, NUL-terminated).  Returns
 * ERR_OK, ERR_INVALID when pw breaks the policy, or ERR_INTERNAL when
 * libsodium fails (out of memory: logged). */
enum err password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);

/* Returns 1 when pw matches hash (constant-time), else 0.  A hash that is
 * not a valid Argon2id string never matches. */
int password_verify(const char *hash, const char *pw);

/* Does the work of password_verify against a hash nobody's password
 * matches, so an unknown email costs as much time as a wrong password. */
void password_verify_dummy(const char *pw);

/* The hash password_verify_dummy() checks against; public only so that a
 * test can see it was made with the current parameters. */
extern const char password_dummy_hash[128];	/* crypto_pwhash_STRBYTES */

/* Returns 1 when hash was made with other parameters than the current
 * ones (so it should be replaced at the next login), else 0. */
int password_needs_rehash(const char *hash);

#endif
