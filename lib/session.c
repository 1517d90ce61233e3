/* Visitor identity and CSRF tokens.  Every visitor carries a random guest
 * id cookie (no database row: browsing stays cheap); the CSRF token is an
 * HMAC of the visitor's id under the server secret, so it needs no storage
 * and cannot be forged without the secret. */
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "session.h"

#define GUEST_COOKIE "enroll_guest"
#define GUEST_ID_BYTES 16
#define TOKEN_HEX (2 * crypto_auth_hmacsha256_BYTES)

struct session_state {
	const char *guest_id;	/* hex id from or for the guest cookie */
};

static int
hex_id_ok(const char *s, size_t want)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == want;
}

/* Returns the hex HMAC of "csrf:" + id in the arena, or NULL. */
static char *
csrf_token_for(struct req *rq, const char *id)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char *hex;

	if ((hex = arena_alloc(rq->arena, TOKEN_HEX + 1)) == NULL)
		return NULL;
	crypto_auth_hmacsha256_init(&st, rq->w->secret, sizeof(rq->w->secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id,
	    strlen(id));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, TOKEN_HEX + 1, mac, sizeof(mac));
	return hex;
}

enum err
session_begin(struct worker *w, struct req *rq, struct resp *rs)
{
	struct session_state *ss;
	unsigned char raw[GUEST_ID_BYTES];
	const char *cookie;
	char *id;
	enum err e;

	if ((ss = arena_alloc(rq->arena, sizeof(*ss))) == NULL)
		return ERR_INTERNAL;
	rq->session = ss;
	rq->user = NULL;
	cookie = kv_get(&rq->cookies, GUEST_COOKIE);
	if (cookie != NULL && hex_id_ok(cookie, 2 * GUEST_ID_BYTES)) {
		ss->guest_id = cookie;
	} else {
		if ((id = arena_alloc(rq->arena, 2 * GUEST_ID_BYTES + 1)) == NULL)
			return ERR_INTERNAL;
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(id, 2 * GUEST_ID_BYTES + 1, raw, sizeof(raw));
		ss->guest_id = id;
		/* A year: the guest cart should survive closing the browser. */
		if ((e = resp_cookie(rq, rs, GUEST_COOKIE, id,
		    365L * 24 * 3600)) != ERR_OK)
			return e;
	}
	if ((rq->csrf_token = csrf_token_for(rq, ss->guest_id)) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

int
session_csrf_ok(const struct req *rq)
{
	const char *sent = kv_get(&rq->form, CSRF_FIELD);

	if (sent == NULL || rq->csrf_token == NULL ||
	    strlen(sent) != TOKEN_HEX || strlen(rq->csrf_token) != TOKEN_HEX)
		return 0;
	return sodium_memcmp(sent, rq->csrf_token, TOKEN_HEX) == 0;
}

const char *
session_guest_id(const struct req *rq)
{
	const struct session_state *ss = rq->session;

	return ss != NULL ? ss->guest_id : NULL;
}
