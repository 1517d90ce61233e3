/* cart: the public store front (catalog, course pages, pricing), the cart
 * and its coupon.  Guests have a cart too, kept by their guest cookie and
 * merged into their own at login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "access.h"
#include "app.h"
#include "apps.h"
#include "cart_items.h"
#include "cart_team.h"
#include "catalog.h"
#include "cohort_offer.h"
#include "cohort_place.h"
#include "content.h"
#include "events.h"
#include "health.h"
#include "metrics.h"
#include "money.h"
#include "offer.h"
#include "server.h"
#include "session.h"
#include "tz.h"
#include "url.h"
#include "view.h"
#include "waitlist.h"

#include <time.h>

#define CATALOG_PER_PAGE 12
#define PRICING_PER_PAGE 50

static int64_t
visitor_id(const struct req *rq)
{
	return rq->user != NULL ? rq->user->id : 0;
}

/* Adds to o, the view of course c, the button it shows the visitor v. */
static enum err
add_offer(struct req *rq, const struct offer_viewer *v, cJSON *o,
    const struct course *c)
{
	struct course_offer of;
	enum err e;

	if ((e = offer_of(rq->w->db, v, c, (int64_t)time(NULL), &of)) !=
	    ERR_OK)
		return e;
	return view_offer(rq->arena, o, c, &of);
}

/* Adds the courses as a "courses" array of ctx, each with the button it
 * shows the visitor when v is not NULL. */
static enum err
add_courses(struct req *rq, cJSON *ctx, const struct course *cs, size_t n,
    const struct offer_viewer *v)
{
	cJSON *arr = cJSON_AddArrayToObject(ctx, "courses"), *o;
	enum err e;

	if (arr == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = view_course(rq->arena, &cs[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		if (v != NULL && (e = add_offer(rq, v, o, &cs[i])) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Finds who is looking, for the buttons of a page. */
static enum err
viewer_of(struct req *rq, struct offer_viewer *v)
{
	return offer_viewer(rq->w->db, visitor_id(rq), session_guest_id(rq), v);
}

static enum err
add_type_filter(cJSON *ctx, const char *selected)
{
	cJSON *arr = cJSON_AddArrayToObject(ctx, "types"), *o;

	if (arr == NULL)
		return ERR_INTERNAL;
	for (int t = 0; t < COURSE_TYPE_MAX; t++) {
		const char *name = course_type_name((enum course_type)t);

		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddStringToObject(o, "label", course_type_label(name));
		cJSON_AddBoolToObject(o, "selected", selected != NULL &&
		    strcmp(selected, name) == 0);
	}
	return ERR_OK;
}

/* GET / and /courses: the catalog with type filter, search and pages. */
static enum err
h_catalog(struct req *rq, struct resp *rs)
{
	struct catalog_query q = { .per_page = CATALOG_PER_PAGE, .page = 1 };
	const char *filters[] = { "type", NULL, "q", NULL, NULL };
	struct offer_viewer v;
	struct course *cs;
	size_t n;
	int has_more;
	cJSON *ctx;
	enum err e;

	if (field_bad(rq, "type") || field_bad(rq, "q") ||
	    field_page(rq, &q.page) != ERR_OK) {
		rs->message = "That filter is not valid. Choose a course type "
		    "from the list and search with words.";
		return ERR_INVALID;
	}
	q.type = field_str(rq, "type");
	q.search = field_str(rq, "q");
	if (q.type != NULL && !course_type_valid(q.type)) {
		rs->message = "There is no such course type.";
		return ERR_INVALID;
	}
	if ((e = catalog_list(rq->w->db, rq->arena, &q, &cs, &n,
	    &has_more)) != ERR_OK || (e = viewer_of(rq, &v)) != ERR_OK)
		return e;
	filters[1] = q.type;
	filters[3] = q.search;
	if ((ctx = resp_ctx(rs)) == NULL)
		return ERR_INTERNAL;
	if ((e = add_courses(rq, ctx, cs, n, &v)) != ERR_OK)
		return e;
	if (add_type_filter(ctx, q.type) != ERR_OK ||
	    view_pager(rq->arena, ctx, "/courses", filters, q.page,
	    has_more) != ERR_OK)
		return ERR_INTERNAL;
	if (q.search != NULL)
		cJSON_AddStringToObject(ctx, "q", q.search);
	rs->tmpl = "cart/catalog.html";
	return ERR_OK;
}

/* Adds the course's outline to co: each lesson links to its page when
 * the visitor may open it (a preview, or the whole course with access). */
static enum err
add_outline(struct req *rq, cJSON *co, const struct course *c,
    const struct access *acc)
{
	struct lesson *ls;
	size_t n;
	cJSON *arr, *o;
	enum err e;

	if ((e = catalog_lessons(rq->w->db, rq->arena, c->id, &ls, &n)) !=
	    ERR_OK)
		return e;
	if ((arr = cJSON_AddArrayToObject(co, "lessons")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = view_lesson(rq->arena, c->slug, &ls[i])) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddBoolToObject(o, "open", acc->allowed ||
		    ls[i].is_preview);
	}
	return ERR_OK;
}

/* A cohort course's open cohorts as ctx.cohorts (start, deadline in the
 * school's zone, places left, whether it is the one in the cart), and
 * ctx.zone. */
/* Whether the logged-in viewer waits for a place in cohort_id, and
 * whether one was offered to them (a guest does neither). */
static enum err
viewer_waits(struct req *rq, int64_t cohort_id, int *waiting, int *offered)
{
	enum err e;

	*waiting = *offered = 0;
	if (rq->user == NULL)
		return ERR_OK;
	if ((e = waitlist_is_waiting(rq->w->db, cohort_id, rq->user->id,
	    waiting)) != ERR_OK)
		return e;
	return cohort_place_offered(rq->w->db, cohort_id, rq->user->id,
	    offered);
}

static enum err
add_cohorts(struct req *rq, cJSON *ctx, const struct course *c,
    const struct offer_viewer *v)
{
	struct cohort_open *cs;
	char when[64];
	int64_t in_cart = 0;
	int waiting, offered;
	size_t n;
	cJSON *arr, *o;
	enum err e;

	if (strcmp(c->type, "cohort") != 0)
		return ERR_OK;
	if ((e = cohort_offer_list(rq->w->db, rq->arena, c->id, time(NULL),
	    &cs, &n)) != ERR_OK || (e = cohort_offer_in_cart(rq->w->db,
	    v->cart_id, c->id, &in_cart)) != ERR_OK)
		return e;
	if (cJSON_AddBoolToObject(ctx, "is_cohort", 1) == NULL ||
	    (arr = cJSON_AddArrayToObject(ctx, "cohorts")) == NULL ||
	    cJSON_AddStringToObject(ctx, "zone", tz_name()) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddNumberToObject(o, "id", (double)cs[i].id);
		cJSON_AddStringToObject(o, "name", cs[i].name);
		cJSON_AddStringToObject(o, "starts_on", cs[i].starts_on);
		if (tz_format_in(NULL, cs[i].enroll_deadline, TZ_DAY_TIME, when,
		    sizeof(when)) != 0)
			when[0] = '\0';
		cJSON_AddStringToObject(o, "deadline", when);
		cJSON_AddNumberToObject(o, "places_left",
		    (double)cs[i].places_left);
		if ((e = viewer_waits(rq, cs[i].id, &waiting, &offered)) !=
		    ERR_OK)
			return e;
		/* A place offered to the viewer is theirs to take. */
		cJSON_AddBoolToObject(o, "full", cs[i].places_left <= 0 &&
		    !offered);
		cJSON_AddBoolToObject(o, "is_full", cs[i].places_left <= 0);
		cJSON_AddBoolToObject(o, "offered", offered);
		cJSON_AddBoolToObject(o, "waiting", waiting && !offered);
		cJSON_AddBoolToObject(o, "in_cart", cs[i].id == in_cart);
	}
	return ERR_OK;
}

/* GET /courses/<slug>: description, outline and how to buy. */
static enum err
h_course(struct req *rq, struct resp *rs)
{
	const char *description;
	struct offer_viewer v;
	struct access acc;
	struct course c;
	cJSON *ctx, *co;
	enum err e;

	if ((e = catalog_get(rq->w->db, rq->arena, rq->slug, &c)) != ERR_OK)
		return e;
	if (!c.is_active && (rq->user == NULL || !rq->user->is_admin))
		return ERR_NOTFOUND;
	if ((e = access_check(rq->w->db, visitor_id(rq), c.id, time(NULL),
	    &acc)) != ERR_OK || (e = content_description_html(rq->w->db,
	    rq->arena, c.id, &description)) != ERR_OK ||
	    (e = viewer_of(rq, &v)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (co = view_course(rq->arena, &c)) == NULL)
		return ERR_INTERNAL;
	cJSON_AddItemToObject(ctx, "course", co);
	/* Raw in the page: libcmark's safe rendering (lib/content.c). */
	cJSON_AddStringToObject(co, "description_html", description);
	cJSON_AddBoolToObject(ctx, "can_open", acc.allowed);
	if ((e = add_offer(rq, &v, co, &c)) != ERR_OK ||
	    (e = add_outline(rq, co, &c, &acc)) != ERR_OK ||
	    (e = add_cohorts(rq, ctx, &c, &v)) != ERR_OK)
		return e;
	rs->tmpl = "cart/course.html";
	return ERR_OK;
}

/* GET /payment/pricing: every course's price on one table. */
static enum err
h_pricing(struct req *rq, struct resp *rs)
{
	struct catalog_query q = { .per_page = PRICING_PER_PAGE, .page = 1 };
	struct course *cs;
	size_t n;
	int has_more;
	cJSON *ctx;
	enum err e;

	if ((e = field_page(rq, &q.page)) != ERR_OK)
		return e;
	if ((e = catalog_list(rq->w->db, rq->arena, &q, &cs, &n,
	    &has_more)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    add_courses(rq, ctx, cs, n, NULL) != ERR_OK ||
	    view_pager(rq->arena, ctx, "/payment/pricing", NULL,
	    q.page, has_more) != ERR_OK)
		return ERR_INTERNAL;
	rs->tmpl = "cart/pricing.html";
	return ERR_OK;
}

static int
add_money(cJSON *o, const char *key, int64_t amount, const char *currency)
{
	cJSON *m = money_json(amount, currency);

	return m != NULL && cJSON_AddItemToObject(o, key, m) ? 0 : -1;
}

/* Adds the "Buy for" choice of a logged-in buyer who owns or manages a
 * team (ctx.buy_for: "me" and each team, the cart's selected), and
 * ctx.for_team, the name of the team the cart is for. */
static enum err
add_buy_for(struct req *rq, cJSON *ctx, const struct cart *c)
{
	struct cart_team *teams;
	size_t n;
	cJSON *arr, *o;
	enum err e;

	if (rq->user == NULL)
		return ERR_OK;
	if ((e = cart_team_choices(rq->w->db, rq->arena, rq->user->id, &teams,
	    &n)) != ERR_OK)
		return e;
	if (c->team_id != 0)
		cJSON_AddStringToObject(ctx, "for_team", "a team you no longer "
		    "manage");
	if (n == 0)
		return ERR_OK;
	if ((arr = cJSON_AddArrayToObject(ctx, "buy_for")) == NULL ||
	    (o = cJSON_CreateObject()) == NULL)
		return ERR_INTERNAL;
	cJSON_AddItemToArray(arr, o);
	cJSON_AddStringToObject(o, "value", "me");
	cJSON_AddStringToObject(o, "label", "Me");
	cJSON_AddBoolToObject(o, "selected", c->team_id == 0);
	for (size_t i = 0; i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "value", arena_printf(rq->arena,
		    "%lld", (long long)teams[i].id));
		cJSON_AddStringToObject(o, "label", teams[i].name);
		cJSON_AddBoolToObject(o, "selected", teams[i].id == c->team_id);
		if (teams[i].id == c->team_id)
			cJSON_ReplaceItemInObject(ctx, "for_team",
			    cJSON_CreateString(teams[i].name));
	}
	return ERR_OK;
}

/* A team line's seats: how many, the line's amount, and the seats field
 * as typed with its error when seats_error names this course. */
static enum err
add_seats(struct req *rq, cJSON *o, const struct cart *c,
    const struct cart_line *l, int64_t error_course, const char *error)
{
	const char *typed = field_raw(rq, "seats");

	cJSON_AddNumberToObject(o, "seats", (double)l->seats);
	if (add_money(o, "amount", l->amount, c->currency) == -1)
		return ERR_INTERNAL;
	if (error_course != l->course.id)
		return ERR_OK;
	cJSON_AddStringToObject(o, "seats_error", error);
	cJSON_AddStringToObject(o, "seats_typed", typed != NULL ? typed : "");
	return ERR_OK;
}

/* The cart page as cart_page, with error beside the seats field of the
 * line of course error_course (0: none). */
static enum err
cart_page_seats(struct req *rq, struct resp *rs, int status,
    const char *code_error, int64_t error_course, const char *error);

/* The cart page: the lines, subtotal, discount and total, priced now.
 * code_error (or NULL) is shown beside the coupon field, which keeps the
 * code as typed; status is 200, or 400 with an error. */
static enum err
cart_page(struct req *rq, struct resp *rs, int status, const char *code_error)
{
	return cart_page_seats(rq, rs, status, code_error, 0, NULL);
}

static enum err
cart_page_seats(struct req *rq, struct resp *rs, int status,
    const char *code_error, int64_t error_course, const char *error)
{
	const char *typed = field_raw(rq, "code");
	struct offer_viewer v;
	struct cart c;
	cJSON *ctx, *arr, *o, *form;
	enum err e;

	if ((e = cart_load(rq->w->db, rq->arena, visitor_id(rq),
	    session_guest_id(rq), NULL, time(NULL), &c)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (arr = cJSON_AddArrayToObject(ctx, "items")) == NULL ||
	    (form = cJSON_AddObjectToObject(ctx, "form")) == NULL)
		return ERR_INTERNAL;
	if (code_error != NULL &&
	    (cJSON_AddStringToObject(ctx, "coupon_error", code_error) == NULL ||
	    (typed != NULL &&
	    cJSON_AddStringToObject(form, "code", typed) == NULL)))
		return ERR_INTERNAL;
	if ((e = viewer_of(rq, &v)) != ERR_OK)
		return e;
	for (size_t i = 0; i < c.n; i++) {
		if ((o = view_course(rq->arena, &c.lines[i].course)) == NULL)
			return ERR_INTERNAL;
		cJSON_AddItemToArray(arr, o);
		if (c.lines[i].discount > 0 && add_money(o, "discount",
		    c.lines[i].discount, c.currency) == -1)
			return ERR_INTERNAL;
		/* An admin changed the price since it went into the cart. */
		if (c.lines[i].added_amount >= 0 && c.lines[i].added_amount !=
		    c.lines[i].course.price_amount && add_money(o, "was",
		    c.lines[i].added_amount, c.currency) == -1)
			return ERR_INTERNAL;
		if ((e = add_offer(rq, &v, o, &c.lines[i].course)) != ERR_OK)
			return e;
		if (c.lines[i].cohort_name != NULL)
			cJSON_AddStringToObject(o, "cohort_name",
			    c.lines[i].cohort_name);
		if (c.team_id != 0 && (e = add_seats(rq, o, &c, &c.lines[i],
		    error_course, error)) != ERR_OK)
			return e;
	}
	if ((e = add_buy_for(rq, ctx, &c)) != ERR_OK)
		return e;
	if (add_money(ctx, "subtotal", c.subtotal, c.currency) == -1 ||
	    add_money(ctx, "discount", c.discount, c.currency) == -1 ||
	    add_money(ctx, "total", c.total, c.currency) == -1)
		return ERR_INTERNAL;
	cJSON_AddNumberToObject(ctx, "count", (double)c.n);
	if (c.coupon_code != NULL) {
		cJSON_AddStringToObject(ctx, "coupon_code", c.coupon_code);
		if (c.coupon_verdict != COUPON_OK)
			cJSON_AddStringToObject(ctx, "coupon_problem",
			    coupon_verdict_message(c.coupon_verdict));
	}
	rs->status = status;
	rs->tmpl = "cart/cart.html";
	return ERR_OK;
}

/* GET /payment/cart */
static enum err
h_cart(struct req *rq, struct resp *rs)
{
	return cart_page(rq, rs, 200, NULL);
}

/* POST /payment/add-to-cart/<id> */
static enum err
h_add(struct req *rq, struct resp *rs)
{
	enum cart_add_result r;
	enum err e;

	e = cart_add(rq->w->db, visitor_id(rq), session_guest_id(rq), rq->id,
	    &r);
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/cart",
	    cart_add_message(r));
}

/* POST /payment/enroll-cohort/<cohort id>: the course into the cart for
 * that cohort (cohort_offer.h); a refusal says why on the course page,
 * with nothing changed. */
static enum err
h_enroll_cohort(struct req *rq, struct resp *rs)
{
	const char *message = NULL;
	int64_t course_id = 0;
	struct course c;
	enum err e;

	e = cohort_offer_choose(rq->w->db, visitor_id(rq), session_guest_id(rq),
	    rq->id, time(NULL), &course_id, &message);
	if (e == ERR_OK)
		return resp_flash_redirect(rq, rs, "/payment/cart", message);
	if (e != ERR_CONFLICT)
		return e;
	if ((e = catalog_get_by_id(rq->w->db, rq->arena, course_id, &c)) !=
	    ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, arena_printf(rq->arena,
	    "/courses/%s#cohorts", c.slug), message);
}

/* POST /payment/remove-from-cart/<id> */
static enum err
h_remove(struct req *rq, struct resp *rs)
{
	int removed;
	enum err e;

	e = cart_remove(rq->w->db, visitor_id(rq), session_guest_id(rq),
	    rq->id, &removed);
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/cart", removed ?
	    "Removed from your cart." : "That course was not in your cart.");
}

/* POST /payment/apply-coupon: checked against the cart before it is kept;
 * a code that does not apply leaves the cart as it was, and the cart page
 * is shown again with the reason beside the field and the code kept. */
static enum err
h_apply_coupon(struct req *rq, struct resp *rs)
{
	const char *code = field_str(rq, "code");
	struct cart c;
	enum err e;

	if (code == NULL)
		return cart_page(rq, rs, 400, field_bad(rq, "code") ?
		    "Coupon codes are letters, digits, dashes and underscores." :
		    "Enter a coupon code.");
	if ((e = cart_load(rq->w->db, rq->arena, visitor_id(rq),
	    session_guest_id(rq), code, time(NULL), &c)) != ERR_OK)
		return e;
	if (c.n == 0)
		return cart_page(rq, rs, 400,
		    "Add a course to your cart before applying a coupon.");
	if (c.coupon_verdict != COUPON_OK)
		return cart_page(rq, rs, 400,
		    coupon_verdict_message(c.coupon_verdict));
	if ((e = cart_set_coupon(rq->w->db, visitor_id(rq),
	    session_guest_id(rq), code)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/cart",
	    coupon_verdict_message(COUPON_OK));
}

/* POST /payment/remove-coupon */
static enum err
h_remove_coupon(struct req *rq, struct resp *rs)
{
	enum err e;

	if ((e = cart_set_coupon(rq->w->db, visitor_id(rq),
	    session_guest_id(rq), NULL)) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/cart",
	    "The coupon is removed.");
}

/* POST /payment/buy-for: for (me, or a team's id) — whom the cart is
 * bought for.  A team the buyer does not manage is refused (403). */
static enum err
h_buy_for(struct req *rq, struct resp *rs)
{
	const char *to = field_str(rq, "for");
	int64_t team_id = 0;
	char *end = NULL;
	enum err e;

	if (to != NULL && strcmp(to, "me") != 0)
		team_id = strtoll(to, &end, 10);
	if (to == NULL || (strcmp(to, "me") != 0 && (end == NULL ||
	    *end != '\0' || team_id <= 0))) {
		rs->message = "Choose yourself or one of your teams.";
		return ERR_INVALID;
	}
	e = cart_buy_for(rq->w->db, rq->user->id, team_id, time(NULL));
	if (e == ERR_FORBIDDEN)
		rs->message = "You can buy for a team only when you own or "
		    "manage it. Nothing changed.";
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/cart", team_id != 0 ?
	    "This cart is now for your team: choose how many seats of each "
	    "course." : "This cart is now for you.");
}

/* POST /payment/cart-seats/<course id>: seats (1..1000) of a team
 * cart's line. */
static enum err
h_seats(struct req *rq, struct resp *rs)
{
	int64_t n = 0;
	enum err e;

	if (!field_int(rq, "seats", &n) || n < 1 || n > CART_SEATS_MAX)
		return cart_page_seats(rq, rs, 400, NULL, rq->id, "Type a "
		    "number of seats from 1 to 1000.");
	e = cart_set_seats(rq->w->db, rq->user->id, rq->id, n, time(NULL));
	if (e == ERR_CONFLICT) {
		rs->message = "Seats are for a cart bought for a team: choose "
		    "the team first.";
		return e;
	}
	if (e != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, "/payment/cart", "Seats updated.");
}

static const struct field buy_for_fields[] = {
	{ "for", F_TOKEN, 20 },
	{ NULL, 0, 0 },
};

static const struct field seats_fields[] = {
	{ "seats", F_INT, 12 },
	{ NULL, 0, 0 },
};

static const struct field catalog_fields[] = {
	{ "type", F_TOKEN, 20 },
	{ "q", F_LINE, 100 },
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};

static const struct field coupon_fields[] = {
	{ "code", F_CODE, 40 },
	{ NULL, 0, 0 },
};

static const struct field page_fields[] = {
	{ "page", F_INT, 6 },
	{ NULL, 0, 0 },
};

/* GET /healthz: JSON for an operator's monitoring; 503 when the store
 * cannot take orders (database not writable, or on another schema).
 * nginx lets only the operator's addresses reach it. */
static enum err
h_healthz(struct req *rq, struct resp *rs)
{
	const char *key = rq->w->cfg.stripe_key;
	struct health h;
	cJSON *j, *o;
	char *text;
	enum err e;

	if ((e = health_check(rq->w->db, (int64_t)time(NULL), &h)) != ERR_OK)
		h.writable = 0;
	if ((j = cJSON_CreateObject()) == NULL)
		return ERR_INTERNAL;
	cJSON_AddStringToObject(j, "status", health_ok(&h) ? "ok" : "fail");
	o = cJSON_AddObjectToObject(j, "database");
	cJSON_AddBoolToObject(o, "writable", h.writable);
	cJSON_AddNumberToObject(o, "schema", h.schema);
	cJSON_AddNumberToObject(o, "schema_expected", h.schema_expected);
	o = cJSON_AddObjectToObject(j, "outbox");
	cJSON_AddNumberToObject(o, "pending", (double)h.outbox_pending);
	cJSON_AddNumberToObject(o, "oldest_age_seconds",
	    (double)h.outbox_oldest_age);
	o = cJSON_AddObjectToObject(j, "webhook");
	cJSON_AddNumberToObject(o, "last_event_at", (double)h.last_event_at);
	o = cJSON_AddObjectToObject(j, "stripe");
	cJSON_AddStringToObject(o, "mode", key == NULL ? "unset" :
	    events_key_is_live(key) ? "live" : "test");
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (text == NULL || buf_puts(&rs->body, text) == -1 ||
	    buf_putc(&rs->body, '\n') == -1) {
		cJSON_free(text);
		return ERR_INTERNAL;
	}
	cJSON_free(text);	/* cJSON's memory is the request arena's */
	rs->content_type = "application/json";
	rs->status = health_ok(&h) ? 200 : 503;
	return ERR_OK;
}

/* GET /metrics: Prometheus' text format; the shared counters of every
 * program, and what the database knows.  nginx lets only the operator's
 * addresses reach it. */
static enum err
h_metrics(struct req *rq, struct resp *rs)
{
	enum err e;

	metrics_write(rq->w->metrics, &rs->body);
	if ((e = health_write_metrics(rq->w->db, &rs->body)) != ERR_OK)
		return e;
	if (rs->body.oom)
		return ERR_INTERNAL;
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return ERR_OK;
}

static const struct route routes[] = {
	{ METHOD_GET, "/healthz", h_healthz, R_NOSESSION, NULL },
	{ METHOD_GET, "/metrics", h_metrics, R_NOSESSION, NULL },
	{ METHOD_GET, "/", h_catalog, 0, catalog_fields },
	{ METHOD_GET, "/courses", h_catalog, 0, catalog_fields },
	{ METHOD_GET, "/courses/<slug>", h_course, 0, NULL },
	{ METHOD_GET, "/payment/pricing", h_pricing, 0, page_fields },
	{ METHOD_GET, "/payment/cart", h_cart, 0, NULL },
	{ METHOD_POST, "/payment/add-to-cart/<id>", h_add, 0, NULL },
	{ METHOD_POST, "/payment/remove-from-cart/<id>", h_remove, 0, NULL },
	/* Enrolling in a cohort (issue 19). */
	{ METHOD_POST, "/payment/enroll-cohort/<id>", h_enroll_cohort, 0,
	    NULL },
	{ METHOD_POST, "/payment/apply-coupon", h_apply_coupon, 0,
	    coupon_fields },
	{ METHOD_POST, "/payment/remove-coupon", h_remove_coupon, 0, NULL },
	/* Buying for a team (issue 18). */
	{ METHOD_POST, "/payment/buy-for", h_buy_for, R_LOGIN,
	    buy_for_fields },
	{ METHOD_POST, "/payment/cart-seats/<id>", h_seats, R_LOGIN,
	    seats_fields },
};

const struct app cart_app = { "cart", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &cart_app);
}
#endif
