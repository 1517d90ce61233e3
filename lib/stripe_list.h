/* Stripe's list calls for reconciliation: GET /v1/charges and GET
 * /v1/refunds by creation time (created[gte], created[lt]) or by payment
 * intent, one page at a time or every page (has_more / starting_after)
 * up to a limit.  Built, sent and parsed as the calls of stripe.h are,
 * with the same errors; the objects keep only what reconciliation reads.
 * (Checkout Sessions cannot be listed by time in API 2023-08-16: the
 * charges carry the same metadata, from payment_intent_data.) */
#ifndef ENROLL_STRIPE_LIST_H
#define ENROLL_STRIPE_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "stripe.h"

/* Every-page calls stop after this many pages of 100 and say so. */
#define STRIPE_LIST_MAX_PAGES	100

/* A Charge.  Fixed arrays: nothing to free. */
struct stripe_charge {
	char id[STRIPE_ID_SIZE];	/* "ch_..." */
	char payment_intent[STRIPE_ID_SIZE]; /* "" when null */
	char status[32];		/* succeeded, pending, failed */
	int paid;			/* the money was taken */
	int64_t amount;			/* minor units */
	int64_t amount_refunded;	/* minor units, cumulative */
	char currency[16];		/* lower-case */
	int64_t created;		/* unix time */
	int disputed;			/* charged back */
	char install_id[64];		/* metadata.enroll_install, or "" */
	int64_t order_id;		/* metadata.order_id; 0 when absent */
	char order_number[64];		/* metadata.order_number, or "" */
};

/* A Refund as listed.  Fixed arrays: nothing to free. */
struct stripe_refund_entry {
	char id[STRIPE_ID_SIZE];	/* "re_..." */
	char charge[STRIPE_ID_SIZE];	/* "" when null */
	char payment_intent[STRIPE_ID_SIZE]; /* "" when null */
	char status[32];		/* pending, succeeded, failed, ... */
	int64_t amount;			/* minor units */
	char currency[16];		/* lower-case */
	int64_t created;		/* unix time */
};

/* Lists own their arrays: free with the matching *_free (NULL and a
 * zeroed list are fine). */
struct stripe_charge_list {
	struct stripe_charge *v;	/* n charges, newest first */
	size_t n;
	int has_more;			/* one page: another follows; every
					   page: stopped at the limit */
};
struct stripe_refund_list {
	struct stripe_refund_entry *v;	/* n refunds, newest first */
	size_t n;
	int has_more;			/* as above */
};
void stripe_charge_list_free(struct stripe_charge_list *l);
void stripe_refund_list_free(struct stripe_refund_list *l);

struct stripe_list_filter {
	int64_t created_gte;		/* created[gte]; 0 leaves it out */
	int64_t created_lt;		/* created[lt]; 0 leaves it out */
	const char *payment_intent;	/* or NULL */
	int limit;			/* 1..100; 0: Stripe's default, 10 */
	const char *starting_after;	/* an id, or NULL */
};

/* GET /v1/charges (or /v1/refunds)?created[gte]=&created[lt]=&limit=&
 * payment_intent=&starting_after= (those set, in this order).
 * ERR_INVALID when limit is out of range or a string is empty. */
enum err stripe_req_charge_list(struct stripe_req *r,
    const struct stripe_list_filter *f);
enum err stripe_req_refund_list(struct stripe_req *r,
    const struct stripe_list_filter *f);

/* Parse a list object into out (free it also after a failure).
 * ERR_INVALID when j is not a list of such objects. */
enum err stripe_charge_list_parse(const cJSON *j,
    struct stripe_charge_list *out);
enum err stripe_refund_list_parse(const cJSON *j,
    struct stripe_refund_list *out);

/* One page. */
enum err stripe_charge_list(struct stripe *s,
    const struct stripe_list_filter *f, struct stripe_charge_list *out,
    struct stripe_error *e);
enum err stripe_refund_list(struct stripe *s,
    const struct stripe_list_filter *f, struct stripe_refund_list *out,
    struct stripe_error *e);

/* Every page of f from the newest (its starting_after is ignored; its
 * limit is the page size, 0: 100), at most max_pages (<= 0:
 * STRIPE_LIST_MAX_PAGES); out->has_more says the limit cut it short. */
enum err stripe_charges_all(struct stripe *s,
    const struct stripe_list_filter *f, int max_pages,
    struct stripe_charge_list *out, struct stripe_error *e);
enum err stripe_refunds_all(struct stripe *s,
    const struct stripe_list_filter *f, int max_pages,
    struct stripe_refund_list *out, struct stripe_error *e);

#endif
