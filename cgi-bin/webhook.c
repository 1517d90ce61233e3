/* webhook: POST /payment/webhook, Stripe's signed event deliveries.  The
 * signature is checked against the raw body; the event is recorded and
 * applied in one transaction; a duplicate is answered 200 and changes
 * nothing; a busy database is answered 503 so that Stripe retries. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "apps.h"
#include "events.h"
#include "log.h"
#include "server.h"
#include "stripe.h"
#include "stripe_sig.h"

/* A session the order no longer uses was paid: give the money back. */
static void
refund_superseded(struct req *rq, const struct event_result *res)
{
	struct stripe *s = worker_stripe(rq->w);
	struct stripe_refund_params p = { .payment_intent =
	    res->refund_payment_intent, .reason = "duplicate",
	    .order_id = res->order_id };
	struct stripe_refund out;
	struct stripe_error se;
	char key[320], msg[1400];

	snprintf(key, sizeof(key), "enroll-refund-superseded-%s",
	    res->refund_payment_intent);
	if (s == NULL || stripe_refund_create(s, &p, key, &out, &se) != ERR_OK) {
		log_error(rq->request_id, "order %lld: refund of superseded "
		    "payment %s failed: %s; the order stays flagged",
		    (long long)res->order_id, res->refund_payment_intent,
		    s ? stripe_error_format(&se, msg, sizeof(msg)) : "no key");
		return;
	}
	log_info(rq->request_id, "order %lld: refunded superseded payment %s "
	    "(%s)", (long long)res->order_id, res->refund_payment_intent,
	    out.id);
}

static enum err
h_webhook(struct req *rq, struct resp *rs)
{
	const char *sig = req_param(rq, "HTTP_STRIPE_SIGNATURE");
	enum stripe_sig_reason why;
	struct stripe_event ev;
	struct event_result res;
	enum err e;

	rs->content_type = "application/json";
	e = stripe_sig_verify(sig, rq->body, rq->body_len,
	    rq->w->cfg.webhook_secrets, time(NULL), STRIPE_SIG_TOLERANCE, &why);
	if (e != ERR_OK) {
		log_error(rq->request_id, "webhook: signature refused: %s",
		    stripe_sig_reason_str(why));
		rs->message = "The Stripe-Signature header is missing or wrong.";
		return e == ERR_INVALID ? ERR_INVALID : ERR_INTERNAL;
	}
	if (stripe_event_parse(rq->body, rq->body_len, &ev) != ERR_OK) {
		stripe_event_free(&ev);
		rs->message = "The body is not a Stripe event.";
		return ERR_INVALID;
	}
	e = events_apply(rq->w->db, &ev, rq->w->cfg.base_url, &res);
	if (e == ERR_OK) {
		log_info(rq->request_id, "webhook: %s %s: %s", ev.id, ev.type,
		    res.outcome);
		if (res.refund_payment_intent[0] != '\0')
			refund_superseded(rq, &res);
		buf_puts(&rs->body, "{\"received\":true}\n");
	}
	stripe_event_free(&ev);
	return e;
}

static const struct route routes[] = {
	{ METHOD_POST, "/payment/webhook", h_webhook, R_NOCSRF | R_NOSESSION,
	    NULL },
};

const struct app webhook_app = { "webhook", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &webhook_app);
}
#endif
