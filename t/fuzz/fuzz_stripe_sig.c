/* libFuzzer target for the Stripe-Signature header parser and verifier:
 * the input's first line is the header, the rest is the body.  Any input
 * must end in a verdict without a crash, a leak or a read out of bounds;
 * a header that does carry the right signature must be accepted. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stripe_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t hlen = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	const char *body = nl != NULL ? nl + 1 : "";
	size_t blen = nl != NULL ? size - hlen - 1 : 0;
	enum stripe_sig_reason r;
	char *hdr, sig[65], good[128];

	if ((hdr = malloc(hlen + 1)) == NULL)
		return 0;
	memcpy(hdr, data, hlen);
	hdr[hlen] = '\0';
	stripe_sig_verify(hdr, body, blen, "whsec_a, whsec_b", 1700000000,
	    STRIPE_SIG_TOLERANCE, &r);
	if ((unsigned)r >= STRIPE_SIG_MAX)
		abort();
	free(hdr);
	/* The same body, properly signed, always verifies. */
	if (stripe_sig_sign(sig, "whsec_b", 1700000000, body, blen) != 0)
		abort();
	snprintf(good, sizeof(good), "t=1700000000,v1=%s", sig);
	if (stripe_sig_verify(good, body, blen, "whsec_a,whsec_b", 1700000000,
	    STRIPE_SIG_TOLERANCE, &r) != ERR_OK)
		abort();
	return 0;
}
