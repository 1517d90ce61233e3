/* Stripe's test cards (cards.c). */
#ifndef ENROLL_EMU_CARDS_H
#define ENROLL_EMU_CARDS_H

enum card_kind {
	CARD_PAYS,		/* payment succeeds */
	CARD_DECLINES,		/* payment fails with code/decline_code */
	CARD_AUTHENTICATES,	/* 3-D Secure step first */
	CARD_DISPUTES		/* payment succeeds, then a fraud dispute */
};

struct emu_card {
	const char *number;	/* digits only; NULL for "any live card" */
	enum card_kind kind;	/* what paying with it does */
	const char *brand;	/* "visa", "mastercard" */
	const char *code;	/* error code when it declines */
	const char *decline_code;	/* decline_code, or NULL */
	const char *message;	/* customer-facing message */
};

/* Returns the card for number (spaces and dashes ignored; digits gets
 * the bare digits), or NULL when it is not a card number at all.  The
 * result is static. */
const struct emu_card *emu_card_find(const char *number, char digits[20]);

#endif
