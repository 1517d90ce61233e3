/* The hosted checkout page at a session's url, /c/pay/<cs_id>: the lines,
 * the discount and the total, a card number field, Pay and Cancel.  Plain
 * HTML forms, no script; every value written is HTML-escaped.  Paying
 * redirects (303) to success_url, a decline shows the error and leaves the
 * session open, 4000 0027 6000 3184 first asks to complete authentication
 * at /c/pay/<cs_id>/authenticate, Cancel redirects to cancel_url. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

static void
esc(struct buf *b, const char *s)
{
	if (s != NULL)
		buf_html_escape(b, s, strlen(s));
}

/* Writes an amount as "49.00 USD" (no decimals for zero-decimal ones). */
static void
money(struct buf *b, int64_t v, const char *cur)
{
	static const char zero[] = "bif clp djf gnf jpy kmf krw mga pyg rwf "
	    "ugx vnd vuv xaf xof xpf";
	char up[8] = "";
	size_t i;

	for (i = 0; cur != NULL && cur[i] != '\0' && i + 1 < sizeof(up); i++)
		up[i] = (char)(cur[i] >= 'a' && cur[i] <= 'z' ? cur[i] - 32 :
		    cur[i]);
	up[i] = '\0';
	if (v < 0) {
		buf_puts(b, "\xe2\x88\x92");	/* minus sign */
		v = -v;
	}
	if (cur != NULL && strlen(cur) == 3 && strstr(zero, cur) != NULL)
		buf_printf(b, "%lld ", (long long)v);
	else
		buf_printf(b, "%lld.%02lld ", (long long)(v / 100),
		    (long long)(v % 100));
	esc(b, up);
}

static void
head(struct buf *b, const char *title)
{
	buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width\"><title>");
	esc(b, title);
	buf_puts(b, " - Stripe emulator</title><style>"
	    "body{font:16px system-ui,sans-serif;max-width:36rem;"
	    "margin:2rem auto;padding:0 1rem}"
	    "table{width:100%;border-collapse:collapse}"
	    "td,th{padding:.3rem;border-bottom:1px solid #ddd;text-align:left}"
	    ".n{text-align:right}.error{color:#b00020}"
	    "form{display:inline-block;margin-right:1rem}"
	    "</style></head><body>\n<p><small>Test mode: Stripe emulator"
	    "</small></p>\n<h1>");
	esc(b, title);
	buf_puts(b, "</h1>\n");
}

/* Stripe's page names a discount by its coupon's name, else its id. */
static void
coupon_label(struct emu *e, struct buf *b, const char *id)
{
	cJSON *c = id != NULL ? emu_store_get(e, KIND_COUPON, id) : NULL;
	const char *name = emu_jstr(c, "name");

	esc(b, name != NULL && name[0] != '\0' ? name : id);
	cJSON_Delete(c);
}

/* The email the page starts with: the session's, else its customer's. */
static char *
page_email(struct emu *e, const cJSON *s)
{
	const char *id = emu_jstr(s, "customer");
	cJSON *c;
	char *email = NULL;

	if (emu_jstr(s, "customer_email") != NULL)
		return strdup(emu_jstr(s, "customer_email"));
	if (id == NULL || (c = emu_store_get(e, KIND_CUSTOMER, id)) == NULL)
		return NULL;
	if (emu_jstr(c, "email") != NULL)
		email = strdup(emu_jstr(c, "email"));
	cJSON_Delete(c);
	return email;
}

static void
lines(struct emu *e, struct buf *b, const cJSON *s)
{
	struct emu_list_q q = { .limit = 100 };
	const cJSON *it;
	const char *cur = emu_jstr(s, "currency");
	cJSON *list = NULL;
	int64_t disc = emu_jint(JGET(s, "total_details"), "amount_discount");

	q.session_id = emu_jstr(s, "id");
	buf_puts(b, "<table><thead><tr><th>Item</th><th class=\"n\">Quantity"
	    "</th><th class=\"n\">Amount</th></tr></thead><tbody>\n");
	if (emu_store_list(e, KIND_ITEM, &q, "", &list) == ERR_OK) {
		cJSON_ArrayForEach(it, JGET(list, "data")) {
			buf_puts(b, "<tr><td>");
			esc(b, emu_jstr(it, "description"));
			buf_printf(b, "</td><td class=\"n\">%lld</td>"
			    "<td class=\"n\">", (long long)emu_jint(it,
			    "quantity"));
			money(b, emu_jint(it, "amount_subtotal"), cur);
			buf_puts(b, "</td></tr>\n");
		}
	}
	cJSON_Delete(list);
	buf_puts(b, "</tbody><tfoot>\n");
	if (disc > 0) {
		buf_puts(b, "<tr><td colspan=\"2\">Subtotal</td><td class=\"n\">");
		money(b, emu_jint(s, "amount_subtotal"), cur);
		buf_puts(b, "</td></tr>\n<tr><td colspan=\"2\">Discount (");
		coupon_label(e, b, emu_jstr(cJSON_GetArrayItem(JGET(s,
		    "discounts"), 0), "coupon"));
		buf_puts(b, ")</td><td class=\"n\" id=\"discount\">");
		money(b, -disc, cur);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "<tr><th colspan=\"2\">Total</th><th class=\"n\" "
	    "id=\"total\">");
	money(b, emu_jint(s, "amount_total"), cur);
	buf_puts(b, "</th></tr>\n</tfoot></table>\n");
}

static void
form_open(struct buf *b, const cJSON *s, const char *what)
{
	buf_puts(b, "<form method=\"post\" action=\"/c/pay/");
	esc(b, emu_jstr(s, "id"));
	esc(b, what);
	buf_puts(b, "\">");
}

static void
pay_forms(struct buf *b, const cJSON *s, const char *email)
{
	form_open(b, s, "");
	buf_puts(b, "<p><label for=\"email\">Email</label><br>"
	    "<input id=\"email\" name=\"email\" type=\"email\" "
	    "autocomplete=\"email\" value=\"");
	esc(b, email);
	buf_puts(b, "\"></p><p><label for=\"card\">Card number</label><br>"
	    "<input id=\"card\" name=\"card\" inputmode=\"numeric\" "
	    "autocomplete=\"cc-number\" placeholder=\"4242 4242 4242 4242\" "
	    "required></p><p><button type=\"submit\" id=\"pay\">Pay ");
	money(b, emu_jint(s, "amount_total"), emu_jstr(s, "currency"));
	buf_puts(b, "</button></p></form>\n");
	if (emu_jstr(s, "cancel_url") == NULL)
		return;
	form_open(b, s, "/cancel");
	buf_puts(b, "<p><button type=\"submit\" id=\"cancel\">Cancel</button>"
	    "</p></form>\n");
}

/* The session page; error (may be NULL) is shown above the form. */
static void
render(struct emu *e, struct eresp *rp, const cJSON *s, const char *error,
    const char *email)
{
	const char *st = emu_jstr(s, "status");
	struct buf *b = &rp->body;

	head(b, "Checkout");
	lines(e, b, s);
	if (strcmp(st, "complete") == 0)
		buf_puts(b, "<p id=\"status\">This checkout session is complete: "
		    "the payment has been received.</p>\n");
	else if (strcmp(st, "expired") == 0)
		buf_puts(b, "<p id=\"status\">This checkout session has expired. "
		    "It can no longer be paid.</p>\n");
	else {
		if (error != NULL) {
			buf_puts(b, "<p class=\"error\" role=\"alert\">");
			esc(b, error);
			buf_puts(b, "</p>\n");
		}
		char *known = email == NULL ? page_email(e, s) : NULL;

		pay_forms(b, s, email != NULL ? email : known);
		free(known);
	}
	buf_puts(b, "</body></html>\n");
}

static void
render_auth(struct eresp *rp, const cJSON *s)
{
	struct buf *b = &rp->body;

	head(b, "Complete authentication");
	buf_puts(b, "<p>Your bank asks you to confirm the payment of ");
	money(b, emu_jint(s, "amount_total"), emu_jstr(s, "currency"));
	buf_puts(b, " (3-D Secure test page).</p>\n");
	form_open(b, s, "/authenticate");
	buf_puts(b, "<input type=\"hidden\" name=\"result\" value=\"complete\">"
	    "<button type=\"submit\" id=\"complete\">Complete</button></form>\n");
	form_open(b, s, "/authenticate");
	buf_puts(b, "<input type=\"hidden\" name=\"result\" value=\"fail\">"
	    "<button type=\"submit\" id=\"fail\">Fail</button></form>\n");
	buf_puts(b, "</body></html>\n");
}

/* Redirects to url with {CHECKOUT_SESSION_ID} replaced. */
static void
redirect(struct ereq *rq, struct eresp *rp, const char *url, const char *id)
{
	static const char tag[] = "{CHECKOUT_SESSION_ID}";
	struct buf b = { 0 };
	const char *p;
	size_t i;

	while ((p = strstr(url, tag)) != NULL) {
		buf_append(&b, url, (size_t)(p - url));
		buf_puts(&b, id);
		url = p + sizeof(tag) - 1;
	}
	buf_puts(&b, url);
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20)
			b.data[i] = '_';
	rp->location = arena_strdup(rq->a, b.data != NULL ? b.data : "/");
	buf_free(&b);
	rp->status = 303;
	buf_reset(&rp->body);
	buf_puts(&rp->body, "See Other\n");
	rp->ctype = "text/plain; charset=utf-8";
}

/* POST /c/pay/<id>[/authenticate]: pays and answers. */
static void
act(struct emu *e, struct ereq *rq, struct eresp *rp, const char *id,
    int auth, const struct kvlist *form)
{
	struct emu_pay_result res = { 0 };
	const char *r = kv_get(form, "result");
	cJSON *s;

	if (auth)
		emu_pay_authenticate(e, id, r != NULL &&
		    strcmp(r, "complete") == 0, &res);
	else
		emu_pay_card(e, id, kv_get(form, "card"), kv_get(form, "email"),
		    &res);
	if ((s = emu_store_get(e, KIND_SESSION, id)) == NULL) {
		emu_reply_text(rp, 404, "text/plain; charset=utf-8",
		    "No such checkout session.\n");
		return;
	}
	if (res.outcome == PAY_SUCCEEDED)
		redirect(rq, rp, emu_jstr(s, "success_url"), id);
	else if (res.outcome == PAY_REQUIRES_ACTION)
		render_auth(rp, s);
	else
		render(e, rp, s, res.outcome == PAY_NOT_OPEN ? NULL :
		    res.message, kv_get(form, "email"));
	cJSON_Delete(s);
}

static void
page(struct emu *e, struct ereq *rq, struct eresp *rp)
{
	const char *rest = rq->path + strlen("/c/pay/"), *slash;
	char *id;
	int post = strcmp(rq->method, "POST") == 0;
	struct kvlist form = { 0 };
	cJSON *s;

	slash = strchr(rest, '/');
	id = arena_strndup(rq->a, rest, slash != NULL ? (size_t)(slash - rest) :
	    strlen(rest));
	if (id == NULL || (s = emu_store_get(e, KIND_SESSION, id)) == NULL) {
		emu_reply_text(rp, 404, "text/plain; charset=utf-8",
		    "No such checkout session.\n");
		return;
	}
	if (post && form_parse(rq->a, rq->body, rq->body_len,
	    &form_limits_default, &form) != ERR_OK)
		form.n = 0;
	if (slash == NULL && post)
		act(e, rq, rp, id, 0, &form);
	else if (slash == NULL)
		render(e, rp, s, NULL, NULL);
	else if (strcmp(slash, "/authenticate") == 0 && post)
		act(e, rq, rp, id, 1, &form);
	else if (strcmp(slash, "/authenticate") == 0 &&
	    strcmp(emu_jstr(s, "status"), "open") == 0)
		render_auth(rp, s);
	else if (strcmp(slash, "/cancel") == 0 && post &&
	    emu_jstr(s, "cancel_url") != NULL)
		redirect(rq, rp, emu_jstr(s, "cancel_url"), id);
	else
		render(e, rp, s, NULL, NULL);
	cJSON_Delete(s);
}

void
emu_page_handle(struct emu *e, struct ereq *rq, struct eresp *rp)
{
	rp->status = 200;
	rp->ctype = "text/html; charset=utf-8";
	rp->html = 1;
	pthread_mutex_lock(&e->lock);
	page(e, rq, rp);
	pthread_cond_broadcast(&e->wake);
	pthread_mutex_unlock(&e->lock);
}

/* GET /receipts/<ch_id>: the charge's receipt_url, as Stripe's hosted
 * receipt: what was paid, when, with which card, and what was refunded. */
static void
receipt(struct emu *e, struct ereq *rq, struct eresp *rp)
{
	const char *id = rq->path + strlen("/receipts/");
	const cJSON *card;
	cJSON *ch;

	if ((ch = emu_store_get(e, KIND_CHARGE, id)) == NULL) {
		emu_reply_text(rp, 404, "text/plain; charset=utf-8",
		    "No such receipt.\n");
		return;
	}
	card = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    ch, "payment_method_details"), "card");
	head(&rp->body, "Receipt");
	buf_puts(&rp->body, "<table>\n<tr><th>Amount paid</th><td class=\"n\" "
	    "id=\"paid\">");
	money(&rp->body, emu_jint(ch, "amount_captured"),
	    emu_jstr(ch, "currency"));
	buf_puts(&rp->body, "</td></tr>\n<tr><th>Refunded</th><td class=\"n\" "
	    "id=\"refunded\">");
	money(&rp->body, emu_jint(ch, "amount_refunded"),
	    emu_jstr(ch, "currency"));
	buf_puts(&rp->body, "</td></tr>\n<tr><th>Card</th><td class=\"n\">");
	esc(&rp->body, emu_jstr(card, "brand"));
	buf_puts(&rp->body, " \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 ");
	esc(&rp->body, emu_jstr(card, "last4"));
	buf_puts(&rp->body, "</td></tr>\n<tr><th>Charge</th><td class=\"n\">");
	esc(&rp->body, id);
	buf_puts(&rp->body, "</td></tr>\n</table>\n</body></html>\n");
	cJSON_Delete(ch);
}

void
emu_receipt_handle(struct emu *e, struct ereq *rq, struct eresp *rp)
{
	rp->status = 200;
	rp->ctype = "text/html; charset=utf-8";
	rp->html = 1;
	pthread_mutex_lock(&e->lock);
	receipt(e, rq, rp);
	pthread_mutex_unlock(&e->lock);
}
