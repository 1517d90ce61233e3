/* stripe_sig_verify against vectors made with stripe-node 23.1.0's
 * webhooks.generateTestHeaderString (t/stripe_sig.t signs fresh ones at
 * run time; these pin the same behaviour without node). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "stripe_sig.h"

#define BODY	"{\"id\":\"evt_1\",\"object\":\"event\"}"
#define SECRET	"whsec_test_secret"
#define T0	1700000000
#define SIG	"0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd"
#define SIG_OTHER \
	"ce486949e2e39bec553617072a9bf7c086e490c7071f3324a664d8082cf43f97"
#define HDR	"t=1700000000,v1=" SIG

static enum stripe_sig_reason
check(const char *hdr, const char *body, const char *secrets, time_t now)
{
	enum stripe_sig_reason r = STRIPE_SIG_MAX;
	enum err rc;

	rc = stripe_sig_verify(hdr, body, body != NULL ? strlen(body) : 0,
	    secrets, now, STRIPE_SIG_TOLERANCE, &r);
	/* The error value and the reason must always agree. */
	if (r == STRIPE_SIG_OK)
		assert_int_equal(rc, ERR_OK);
	else if (r == STRIPE_SIG_NO_SECRET)
		assert_int_equal(rc, ERR_INTERNAL);
	else
		assert_int_equal(rc, ERR_INVALID);
	return r;
}

static void
sig_accepts_stripe_node_vector(void **state)
{
	assert_int_equal(check(HDR, BODY, SECRET, T0), STRIPE_SIG_OK);
	assert_int_equal(check(HDR, BODY, SECRET, T0 + 10), STRIPE_SIG_OK);
}

static void
sig_accepts_empty_and_utf8_bodies(void **state)
{
	assert_int_equal(check("t=1700000000,v1=316b9ab98c15bfa039d243f3196a"
	    "cee619cf29749a91a634e6a8154e2f7b6727", "", SECRET, T0),
	    STRIPE_SIG_OK);
	assert_int_equal(check("t=1700000123,v1=e905cfda37f2fb348121e92e69f5"
	    "b0a1852346a573f48a8364cc7b3fef935178", "caf\xc3\xa9 \xe2\x98\x83",
	    SECRET, T0 + 123), STRIPE_SIG_OK);
}

static void
sig_accepts_any_matching_v1(void **state)
{
	assert_int_equal(check("t=1700000000,v1=" SIG_OTHER ",v1=" SIG, BODY,
	    SECRET, T0), STRIPE_SIG_OK);
	assert_int_equal(check("t=1700000000,v1=abc,v1=" SIG, BODY, SECRET,
	    T0), STRIPE_SIG_OK);
	assert_int_equal(check("v1=" SIG ",t=1700000000", BODY, SECRET, T0),
	    STRIPE_SIG_OK);
}

static void
sig_accepts_every_secret_of_a_rotation(void **state)
{
	assert_int_equal(check(HDR, BODY, "whsec_old," SECRET, T0),
	    STRIPE_SIG_OK);
	assert_int_equal(check(HDR, BODY, SECRET ",whsec_new", T0),
	    STRIPE_SIG_OK);
	assert_int_equal(check(HDR, BODY, " whsec_old , ," SECRET " \n", T0),
	    STRIPE_SIG_OK);
	assert_int_equal(check("t=1700000000,v1=" SIG_OTHER, BODY,
	    SECRET ",whsec_other", T0), STRIPE_SIG_OK);
}

static void
sig_ignores_v0_and_unknown_elements(void **state)
{
	assert_int_equal(check("t=1700000000,v0=" SIG_OTHER ",v1=" SIG
	    ",x=y,junk", BODY, SECRET, T0), STRIPE_SIG_OK);
}

static void
sig_accepts_future_timestamp_as_stripe_node_does(void **state)
{
	assert_int_equal(check(HDR, BODY, SECRET, T0 - 3600), STRIPE_SIG_OK);
}

static void
sig_tolerance_is_300_seconds_of_age(void **state)
{
	assert_int_equal(check(HDR, BODY, SECRET, T0 + 300), STRIPE_SIG_OK);
	assert_int_equal(check(HDR, BODY, SECRET, T0 + 301), STRIPE_SIG_STALE);
	assert_int_equal(check(HDR, BODY, SECRET, T0 + 86400),
	    STRIPE_SIG_STALE);
}

static void
sig_refuses_missing_header(void **state)
{
	assert_int_equal(check(NULL, BODY, SECRET, T0), STRIPE_SIG_MISSING);
	assert_int_equal(check("", BODY, SECRET, T0), STRIPE_SIG_MISSING);
}

static void
sig_refuses_malformed_header(void **state)
{
	static const char *const bad[] = {
		"garbage", ",", "v1=" SIG, "t=,v1=" SIG, "t=abc,v1=" SIG,
		"t=-1700000000,v1=" SIG, "t=+1700000000,v1=" SIG,
		"t=1.7e9,v1=" SIG, "t=1700000000 ,v1=" SIG,
		"t=1700000000,t=1700000000,v1=" SIG,
		"t=1234567890123456789,v1=" SIG, " t=1700000000,v1=" SIG,
		"T=1700000000,v1=" SIG,
	};
	char big[5000];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(check(bad[i], BODY, SECRET, T0),
		    STRIPE_SIG_MALFORMED);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, HDR ",", strlen(HDR ","));
	assert_int_equal(check(big, BODY, SECRET, T0), STRIPE_SIG_MALFORMED);
}

static void
sig_refuses_header_without_v1(void **state)
{
	assert_int_equal(check("t=1700000000", BODY, SECRET, T0),
	    STRIPE_SIG_NO_V1);
	assert_int_equal(check("t=1700000000,v0=" SIG, BODY, SECRET, T0),
	    STRIPE_SIG_NO_V1);
	/* Stripe never puts spaces in the header; stripe-node does not
	 * trim them, so " v1" is not v1. */
	assert_int_equal(check("t=1700000000, v1=" SIG, BODY, SECRET, T0),
	    STRIPE_SIG_NO_V1);
	assert_int_equal(check("t=1700000000,V1=" SIG, BODY, SECRET, T0),
	    STRIPE_SIG_NO_V1);
}

static void
sig_refuses_tampering(void **state)
{
	/* One byte of the body. */
	assert_int_equal(check(HDR, "{\"id\":\"evt_2\",\"object\":\"event\"}",
	    SECRET, T0), STRIPE_SIG_MISMATCH);
	/* Body with a trailing newline. */
	assert_int_equal(check(HDR, BODY "\n", SECRET, T0),
	    STRIPE_SIG_MISMATCH);
	/* The timestamp, even by one second. */
	assert_int_equal(check("t=1700000001,v1=" SIG, BODY, SECRET, T0),
	    STRIPE_SIG_MISMATCH);
	/* The signature: truncated, upper-case, one digit changed. */
	assert_int_equal(check("t=1700000000,v1=" "0c8670ed117751cc551a20e35839"
	    "447075c42800ea3cf3e8a2fbda99cd1e6ed", BODY, SECRET, T0),
	    STRIPE_SIG_MISMATCH);
	assert_int_equal(check("t=1700000000,v1=0C8670ED117751CC551A20E35839"
	    "447075C42800EA3CF3E8A2FBDA99CD1E6EDD", BODY, SECRET, T0),
	    STRIPE_SIG_MISMATCH);
	assert_int_equal(check("t=1700000000,v1=1c8670ed117751cc551a20e35839"
	    "447075c42800ea3cf3e8a2fbda99cd1e6edd", BODY, SECRET, T0),
	    STRIPE_SIG_MISMATCH);
}

static void
sig_refuses_wrong_secret(void **state)
{
	assert_int_equal(check(HDR, BODY, "whsec_other", T0),
	    STRIPE_SIG_MISMATCH);
	/* The key is the whole "whsec_..." string, not what follows. */
	assert_int_equal(check(HDR, BODY, "test_secret", T0),
	    STRIPE_SIG_MISMATCH);
	assert_int_equal(check(HDR, BODY, "whsec_test_secre", T0),
	    STRIPE_SIG_MISMATCH);
}

static void
sig_checks_signature_before_age(void **state)
{
	/* A forged, old header is a mismatch, not merely stale. */
	assert_int_equal(check("t=1700000000,v1=" SIG_OTHER, BODY, SECRET,
	    T0 + 1000), STRIPE_SIG_MISMATCH);
}

static void
sig_without_secret_is_our_error(void **state)
{
	assert_int_equal(check(HDR, BODY, NULL, T0), STRIPE_SIG_NO_SECRET);
	assert_int_equal(check(HDR, BODY, "", T0), STRIPE_SIG_NO_SECRET);
	assert_int_equal(check(HDR, BODY, " , ,", T0), STRIPE_SIG_NO_SECRET);
	assert_int_equal(check(NULL, BODY, "", T0), STRIPE_SIG_NO_SECRET);
}

static void
sig_sign_matches_stripe_node(void **state)
{
	char hex[65];

	assert_int_equal(stripe_sig_sign(hex, SECRET, T0, BODY, strlen(BODY)),
	    0);
	assert_string_equal(hex, SIG);
	assert_int_equal(stripe_sig_sign(hex, "", T0, BODY, 1), -1);
}

static void
sig_covers_bodies_with_nul_bytes(void **state)
{
	static const char body[] = "a\0b";
	char hex[65], hdr[128];
	enum stripe_sig_reason r;

	assert_int_equal(stripe_sig_sign(hex, SECRET, T0, body, 3), 0);
	snprintf(hdr, sizeof(hdr), "t=%d,v1=%s", T0, hex);
	assert_int_equal(stripe_sig_verify(hdr, body, 3, SECRET, T0, 300, &r),
	    ERR_OK);
	assert_int_equal(stripe_sig_verify(hdr, body, 1, SECRET, T0, 300, &r),
	    ERR_INVALID);
	assert_int_equal(r, STRIPE_SIG_MISMATCH);
}

static void
sig_reason_names_every_reason(void **state)
{
	int r;

	for (r = 0; r < STRIPE_SIG_MAX; r++)
		assert_non_null(stripe_sig_reason_str(r));
	assert_string_equal(stripe_sig_reason_str(STRIPE_SIG_STALE), "stale");
	assert_string_equal(stripe_sig_reason_str(STRIPE_SIG_MAX), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sig_accepts_stripe_node_vector),
		cmocka_unit_test(sig_accepts_empty_and_utf8_bodies),
		cmocka_unit_test(sig_accepts_any_matching_v1),
		cmocka_unit_test(sig_accepts_every_secret_of_a_rotation),
		cmocka_unit_test(sig_ignores_v0_and_unknown_elements),
		cmocka_unit_test(sig_accepts_future_timestamp_as_stripe_node_does),
		cmocka_unit_test(sig_tolerance_is_300_seconds_of_age),
		cmocka_unit_test(sig_refuses_missing_header),
		cmocka_unit_test(sig_refuses_malformed_header),
		cmocka_unit_test(sig_refuses_header_without_v1),
		cmocka_unit_test(sig_refuses_tampering),
		cmocka_unit_test(sig_refuses_wrong_secret),
		cmocka_unit_test(sig_checks_signature_before_age),
		cmocka_unit_test(sig_without_secret_is_our_error),
		cmocka_unit_test(sig_sign_matches_stripe_node),
		cmocka_unit_test(sig_covers_bodies_with_nul_bytes),
		cmocka_unit_test(sig_reason_names_every_reason),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
