/* account: the person's data.  One page offers a download of everything
 * the store holds about them (lib/export.c) and the deletion of the
 * account; deleting
 * needs the current password, says first what stands in the way (a
 * checkout that may still be paid), deletes the Stripe customer through
 * the API, then the person (lib/erasure.c), keeping the books. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "erasure.h"
#include "export.h"
#include "log.h"
#include "session.h"
#include "stripe.h"

#define PRIVACY_PAGE "/account/privacy"

/* Adds block (what must happen first) to the page's context. */
static enum err
block_add(struct req *rq, struct resp *rs, enum erasure_block why,
    int64_t order_id)
{
	static const char *const kinds[ERASURE_BLOCK_MAX] = {
		[ERASURE_PENDING_PAYMENT] = "pending_payment",
		[ERASURE_LAST_ADMIN] = "last_admin",
		[ERASURE_TEAM_OWNER] = "team_owner",
	};
	cJSON *b;

	if (why == ERASURE_OK)
		return ERR_OK;
	if ((b = cJSON_AddObjectToObject(resp_ctx(rs), "block")) == NULL ||
	    cJSON_AddStringToObject(b, "kind", kinds[why]) == NULL ||
	    (order_id != 0 && cJSON_AddNumberToObject(b, "order_id",
	    (double)order_id) == NULL))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* Shows the page with status, saying what stands in the way of a
 * deletion, if anything. */
static enum err
privacy_page(struct req *rq, struct resp *rs, int status)
{
	enum erasure_block why;
	int64_t order_id;
	enum err e;

	if ((e = erasure_check(rq->w->db, rq->user->id, &why, &order_id)) !=
	    ERR_OK || (e = block_add(rq, rs, why, order_id)) != ERR_OK)
		return e;
	rs->status = status;
	rs->tmpl = "account/privacy.html";
	return ERR_OK;
}

/* GET /account/privacy. */
enum err
h_privacy(struct req *rq, struct resp *rs)
{
	return privacy_page(rq, rs, 200);
}

/* GET /account/export: the download.  Reading only: no row changes. */
enum err
h_export(struct req *rq, struct resp *rs)
{
	char *text, *disposition;
	cJSON *doc;
	enum err e;

	if ((e = export_user(rq->w->db, rq->user->id, time(NULL), &doc)) !=
	    ERR_OK)
		return e;
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (text == NULL)
		return ERR_INTERNAL;
	buf_reset(&rs->body);
	buf_puts(&rs->body, text);
	buf_putc(&rs->body, '\n');
	cJSON_free(text);
	if (rs->body.oom || (disposition = arena_printf(rq->arena,
	    "attachment; filename=\"enroll-my-data-%lld.json\"",
	    (long long)rq->user->id)) == NULL)
		return ERR_INTERNAL;
	rs->content_type = "application/json; charset=utf-8";
	/* Every answer is "Cache-Control: private, no-store" already. */
	return resp_header(rs, "Content-Disposition", disposition);
}

/* Deletes the user's Stripe customer, if any.  A customer already gone
 * (a retry) is fine; a Stripe that cannot be reached stops the deletion
 * before anything of ours is gone. */
static enum err
customer_delete(struct req *rq, struct resp *rs, char **customer)
{
	struct stripe_error se;
	struct stripe *s;
	char msg[1400];
	enum err e;

	if ((e = erasure_customer(rq->w->db, rq->arena, rq->user->id,
	    customer)) != ERR_OK || *customer == NULL)
		return e;
	rs->message = "We could not reach the payment service to delete "
	    "your customer record there, so nothing was deleted yet. Please "
	    "try again in a minute.";
	if ((s = worker_stripe(rq->w)) == NULL)
		return ERR_UPSTREAM;
	e = stripe_customer_delete(s, *customer, &se);
	if (e == ERR_OK || e == ERR_NOTFOUND) {
		rs->message = NULL;
		return ERR_OK;
	}
	log_error(rq->request_id, "user %lld: Stripe customer %s not deleted: "
	    "%s", (long long)rq->user->id, *customer,
	    stripe_error_format(&se, msg, sizeof(msg)));
	return ERR_UPSTREAM;
}

/* POST /account/delete: current_password. */
enum err
h_delete(struct req *rq, struct resp *rs)
{
	enum erasure_block why;
	char *customer;
	int64_t order_id;
	enum err e;

	if (!current_password_ok(rq, rs, "delete_password", &e))
		return e != ERR_OK ? e : privacy_page(rq, rs, 400);
	if ((e = erasure_check(rq->w->db, rq->user->id, &why, &order_id)) !=
	    ERR_OK)
		return e;
	if (why != ERASURE_OK)
		return privacy_page(rq, rs, 409);
	if ((e = customer_delete(rq, rs, &customer)) != ERR_OK)
		return e;
	e = erasure_run(rq->w->db, rq->user->id, customer, time(NULL), &why);
	if (e == ERR_CONFLICT)
		return privacy_page(rq, rs, 409);
	if (e != ERR_OK)
		return e;
	/* The session row went with the account; the cookie goes too. */
	rq->user = NULL;
	if ((e = resp_cookie(rq, rs, SESSION_COOKIE, "", 0)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/", "Your account is deleted. We "
	    "kept only the records of your orders that the law asks a school "
	    "to keep, without your name or address.");
}

const struct field delete_fields[] = {
	{ "current_password", F_PASSWORD, 1024 },
	{ NULL, 0, 0 },
};
