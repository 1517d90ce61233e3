/* webhook: POST /payment/webhook, Stripe's signed event deliveries.  The
 * signature is checked against the raw body; the event is traced to a
 * session of ours (others are recorded as not-ours and answered 200: a 4xx
 * would make Stripe disable the endpoint), the session read from Stripe
 * and the order brought to its state in the transaction that records the
 * event; a duplicate is answered 200 and changes nothing; a busy database
 * or an unreachable Stripe is answered 5xx so that Stripe retries. */
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

static enum err
h_webhook(struct req *rq, struct resp *rs)
{
	const char *sig = req_param(rq, "HTTP_STRIPE_SIGNATURE");
	enum stripe_sig_reason why;
	struct stripe_event ev;
	struct event_result res;
	struct events_ctx ctx;
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
	ctx = (struct events_ctx){ rq->w->db, worker_stripe(rq->w),
	    rq->w->cfg.base_url, events_key_is_live(rq->w->cfg.stripe_key),
	    rq->request_id };
	e = events_handle(&ctx, &ev, &res);
	if (e == ERR_OK) {
		log_info(rq->request_id, "webhook: %s %s: %s", ev.id, ev.type,
		    res.outcome);
		buf_puts(&rs->body, "{\"received\":true}\n");
	}
	if (e == ERR_UPSTREAM)	/* Stripe could not be asked: retry later */
		rs->message = "Stripe could not be asked about this event; "
		    "it will be retried.";
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
