/* Argon2id password hashes through libsodium.  The cost is chosen for a
 * small shared box: a 2-core machine runs many prefork workers, and each
 * hash holds its memory while it runs, so memory is what bounds us, not
 * time.  opslimit 2 with 19 MiB is OWASP's baseline for Argon2id; it takes
 * about 15-50 ms here, and ten logins at once use about 190 MiB. */
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "password.h"

#define PW_OPSLIMIT 2
#define PW_MEMLIMIT ((size_t)19 * 1024 * 1024)

/* A hash made with the parameters above for a random password that was
 * then thrown away: verifying against it costs what a real check costs.
 * password_needs_rehash() of it must be 0 (test_accounts checks). */
/* Sized as libsodium declares its argument: crypto_pwhash_STRBYTES. */
const char password_dummy_hash[128] =
    "$argon2id$v=19$m=19456,t=2,p=1$S6x1A04e9SRn4T9cLygCeQ$"
    "VkACUUJQLIaITf/eAj1zeoNSax2bk80wSLCSOOtYtds";
_Static_assert(sizeof(password_dummy_hash) == crypto_pwhash_STRBYTES,
    "the dummy hash is sized as libsodium reads it");

/* Counts UTF-8 code points: every byte that is not a continuation byte. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

const char *
password_policy_error(const char *pw)
{
	size_t n;

	if (pw == NULL || *pw == '\0')
		return "Choose a password.";
	n = utf8_chars(pw);
	if (n < PASSWORD_MIN_CHARS)
		return "Use at least 10 characters for your password.";
	if (n > PASSWORD_MAX_CHARS || strlen(pw) > 4 * PASSWORD_MAX_CHARS)
		return "Use at most 200 characters for your password.";
	return NULL;
}

enum err
password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
	_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES,
	    "PASSWORD_HASH_MAX must match libsodium");

	if (password_policy_error(pw) != NULL)
		return ERR_INVALID;
	if (sodium_init() < 0 || crypto_pwhash_str_alg(out, pw, strlen(pw),
	    PW_OPSLIMIT, PW_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		log_error(NULL, "password: hashing failed (out of memory?)");
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

int
password_verify(const char *hash, const char *pw)
{
	if (hash == NULL || pw == NULL || sodium_init() < 0 ||
	    strncmp(hash, "$argon2id$", 10) != 0)
		return 0;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void
password_verify_dummy(const char *pw)
{
	/* The result is always "no match": the point is the work done. */
	if (password_verify(password_dummy_hash, pw != NULL ? pw : ""))
		log_error(NULL, "password: the dummy hash matched a password");
}

int
password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, PW_OPSLIMIT,
	    PW_MEMLIMIT) != 0;
}
