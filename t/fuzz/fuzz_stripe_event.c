/* libFuzzer target for everything that reads Stripe's JSON: the webhook
 * event parser, and each response parser and the error parser fed the
 * input as a response body.  Nothing may crash or leak; whatever a parser
 * accepts must have the fields it promises. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stripe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_parsers(const cJSON *j)
{
	struct stripe_customer c;
	struct stripe_coupon k;
	struct stripe_session s;
	struct stripe_refund r;
	struct stripe_session_list sl;
	struct stripe_event_list el;

	if (stripe_customer_parse(j, &c) == ERR_OK && c.id[0] == '\0')
		abort();
	if (stripe_coupon_parse(j, &k) == ERR_OK && k.id[0] == '\0')
		abort();
	if (stripe_session_parse(j, &s) == ERR_OK && s.id[0] == '\0')
		abort();
	stripe_session_free(&s);
	if (stripe_refund_parse(j, &r) == ERR_OK && r.id[0] == '\0')
		abort();
	stripe_session_list_parse(j, &sl);
	stripe_session_list_free(&sl);
	if (stripe_event_list_parse(cJSON_Duplicate(j, 1), &el) == ERR_OK &&
	    el.n > 0 && el.v[0].object == NULL)
		abort();
	stripe_event_list_free(&el);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct stripe_event ev;
	struct stripe_error e = { 0 };
	cJSON *j;

	if (stripe_event_parse(text, size, &ev) == ERR_OK &&
	    (ev.id[0] == '\0' || ev.type[0] == '\0' || ev.object == NULL))
		abort();
	stripe_event_free(&ev);
	stripe_error_parse(400, text, size, &e);
	if (memchr(e.message, '\0', sizeof(e.message)) == NULL)
		abort();
	if ((j = cJSON_ParseWithLength(text, size)) == NULL)
		return 0;
	fuzz_parsers(j);
	cJSON_Delete(j);
	return 0;
}
