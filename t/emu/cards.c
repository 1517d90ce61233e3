/* Stripe's test card numbers and what each does.  Numbers are compared
 * with spaces and dashes removed; a number that is not one of these but
 * passes the Luhn check is refused the way test mode refuses a live card. */
#include <ctype.h>
#include <string.h>

#include "cards.h"

static const struct emu_card cards[] = {
	{ "4242424242424242", CARD_PAYS, "visa", NULL, NULL, NULL },
	{ "4000056655665556", CARD_PAYS, "visa", NULL, NULL, NULL },
	{ "5555555555554444", CARD_PAYS, "mastercard", NULL, NULL, NULL },
	{ "4000000000000002", CARD_DECLINES, "visa", "card_declined",
	    "generic_decline", "Your card was declined." },
	{ "4000000000009995", CARD_DECLINES, "visa", "card_declined",
	    "insufficient_funds", "Your card has insufficient funds." },
	{ "4000000000009987", CARD_DECLINES, "visa", "card_declined",
	    "lost_card", "Your card was declined." },
	{ "4000000000000069", CARD_DECLINES, "visa", "expired_card", NULL,
	    "Your card has expired." },
	{ "4000000000000127", CARD_DECLINES, "visa", "incorrect_cvc", NULL,
	    "Your card's security code is incorrect." },
	{ "4000002760003184", CARD_AUTHENTICATES, "visa", NULL, NULL, NULL },
	{ "4000002500003155", CARD_AUTHENTICATES, "visa", NULL, NULL, NULL },
	{ "4000000000000259", CARD_DISPUTES, "visa", NULL, NULL, NULL },
};

static const struct emu_card live_card = { NULL, CARD_DECLINES, "visa",
	"card_declined", "test_mode_live_card", "Your card was declined. Your "
	"request was in test mode, but used a non test (live) card. For a "
	"list of valid test cards, visit: https://stripe.com/docs/testing." };

static int
luhn_ok(const char *d)
{
	size_t n = strlen(d), i;
	int sum = 0, x;

	for (i = 0; i < n; i++) {
		x = d[n - 1 - i] - '0';
		if (i % 2 == 1 && (x *= 2) > 9)
			x -= 9;
		sum += x;
	}
	return sum % 10 == 0;
}

const struct emu_card *
emu_card_find(const char *number, char digits[20])
{
	size_t i, n = 0;

	digits[0] = '\0';
	for (; number != NULL && *number != '\0'; number++) {
		if (*number == ' ' || *number == '-')
			continue;
		if (!isdigit((unsigned char)*number) || n == 19)
			return NULL;
		digits[n++] = *number;
	}
	digits[n] = '\0';
	if (n < 12 || !luhn_ok(digits))
		return NULL;
	for (i = 0; i < sizeof(cards) / sizeof(cards[0]); i++)
		if (strcmp(cards[i].number, digits) == 0)
			return &cards[i];
	return &live_card;
}
