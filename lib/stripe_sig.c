/* Stripe webhook signature verification with libsodium's HMAC-SHA256.
 * Nothing here allocates: the header is scanned in place, the secrets list
 * is walked in place and the HMAC is streamed over "<t>." and the body, so
 * a flood of forged deliveries costs one HMAC per secret and no memory. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "stripe_sig.h"

/* A real header is about 150 bytes; anything far larger is not Stripe. */
#define SIG_HEADER_MAX	4096
#define SIG_HEX_LEN	64

struct sig_header {
	long long t;		/* the t= value */
	const char *v1[16];	/* start of each v1 value with the right length */
	size_t nv1;		/* entries used in v1 */
	int seen_v1;		/* a v1= element was present (any length) */
};

static const char *const reasons[STRIPE_SIG_MAX] = {
	[STRIPE_SIG_OK] = "ok",
	[STRIPE_SIG_MISSING] = "missing",
	[STRIPE_SIG_MALFORMED] = "malformed",
	[STRIPE_SIG_NO_V1] = "no v1 signature",
	[STRIPE_SIG_MISMATCH] = "mismatch",
	[STRIPE_SIG_STALE] = "stale",
	[STRIPE_SIG_NO_SECRET] = "no secret configured",
};

const char *
stripe_sig_reason_str(enum stripe_sig_reason r)
{
	if ((unsigned)r >= STRIPE_SIG_MAX)
		return "unknown";
	return reasons[r];
}

/* Parses the n digits at s (1 to 18, so no overflow) into *t. */
static int
sig_parse_t(const char *s, size_t n, long long *t)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*t = v;
	return 0;
}

/* Handles one "key=value" element of n bytes at s. */
static enum stripe_sig_reason
sig_element(struct sig_header *h, const char *s, size_t n, int *have_t)
{
	const char *eq = memchr(s, '=', n);
	size_t klen, vlen;

	if (eq == NULL)
		return STRIPE_SIG_OK; /* stripe-node ignores such elements */
	klen = (size_t)(eq - s);
	vlen = n - klen - 1;
	if (klen == 1 && s[0] == 't') {
		if (*have_t || sig_parse_t(eq + 1, vlen, &h->t) == -1)
			return STRIPE_SIG_MALFORMED;
		*have_t = 1;
		return STRIPE_SIG_OK;
	}
	if (klen == 2 && s[0] == 'v' && s[1] == '1') {
		h->seen_v1 = 1;
		/* Only a 64-byte value can match; keep up to 16 of them. */
		if (vlen == SIG_HEX_LEN &&
		    h->nv1 < sizeof(h->v1) / sizeof(h->v1[0]))
			h->v1[h->nv1++] = eq + 1;
	}
	return STRIPE_SIG_OK;
}

static enum stripe_sig_reason
sig_parse(const char *header, struct sig_header *h)
{
	const char *p = header, *comma;
	size_t len = strlen(header), n;
	enum stripe_sig_reason r;
	int have_t = 0;

	if (len > SIG_HEADER_MAX)
		return STRIPE_SIG_MALFORMED;
	for (;;) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if ((r = sig_element(h, p, n, &have_t)) != STRIPE_SIG_OK)
			return r;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	if (!have_t)
		return STRIPE_SIG_MALFORMED;
	if (!h->seen_v1)
		return STRIPE_SIG_NO_V1;
	return STRIPE_SIG_OK;
}

static void
sig_hmac_hex(char out[SIG_HEX_LEN + 1], const char *key, size_t keylen,
    long long t, const char *body, size_t len)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24];
	int n;

	n = snprintf(ts, sizeof(ts), "%lld.", t);
	assert(n > 0 && (size_t)n < sizeof(ts));
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, SIG_HEX_LEN + 1, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

int
stripe_sig_sign(char out[65], const char *secret, long long t,
    const char *body, size_t len)
{
	if (secret == NULL || secret[0] == '\0')
		return -1;
	sig_hmac_hex(out, secret, strlen(secret), t, body, len);
	return 0;
}

static int
sig_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Steps *pp to the next secret in the list; returns its length (0 when
 * the list is done) and sets *key. */
static size_t
sig_next_secret(const char **pp, const char **key)
{
	const char *p = *pp, *end;
	size_t n;

	for (;;) {
		while (*p == ',' || sig_space(*p))
			p++;
		if (*p == '\0') {
			*pp = p;
			return 0;
		}
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		while (n > 0 && sig_space(p[n - 1]))
			n--;
		*pp = end;
		*key = p;
		return n;
	}
}

/* Returns 1 when a v1 in h matches body under any secret. */
static int
sig_match(const struct sig_header *h, const char *body, size_t len,
    const char *secrets_csv)
{
	const char *p = secrets_csv, *key = NULL;
	char want[SIG_HEX_LEN + 1];
	size_t keylen, i;
	int found = 0;

	while ((keylen = sig_next_secret(&p, &key)) > 0) {
		sig_hmac_hex(want, key, keylen, h->t, body, len);
		for (i = 0; i < h->nv1; i++)
			found |= sodium_memcmp(want, h->v1[i], SIG_HEX_LEN) == 0;
	}
	return found;
}

static int
sig_has_secret(const char *secrets_csv)
{
	const char *p = secrets_csv, *key;

	return secrets_csv != NULL && sig_next_secret(&p, &key) > 0;
}

enum err
stripe_sig_verify(const char *header, const char *body, size_t len,
    const char *secrets_csv, time_t now, int tolerance,
    enum stripe_sig_reason *reason)
{
	struct sig_header h = { 0 };
	enum stripe_sig_reason r;
	long long age;
	enum err rc = ERR_INVALID;

	assert(body != NULL || len == 0);
	assert(tolerance > 0);
	if (body == NULL)
		body = "";
	if (!sig_has_secret(secrets_csv)) {
		r = STRIPE_SIG_NO_SECRET;
		rc = ERR_INTERNAL;
		goto out;
	}
	if (sodium_init() < 0) {
		r = STRIPE_SIG_NO_SECRET;
		rc = ERR_INTERNAL;
		goto out;
	}
	if (header == NULL || header[0] == '\0') {
		r = STRIPE_SIG_MISSING;
		goto out;
	}
	if ((r = sig_parse(header, &h)) != STRIPE_SIG_OK)
		goto out;
	if (!sig_match(&h, body, len, secrets_csv)) {
		r = STRIPE_SIG_MISMATCH;
		goto out;
	}
	if (__builtin_sub_overflow((long long)now, h.t, &age) ||
	    age > tolerance) {
		r = STRIPE_SIG_STALE;
		goto out;
	}
	rc = ERR_OK;
out:
	if (reason != NULL)
		*reason = r;
	return rc;
}
