/* Template views of domain objects: the one mapping from a struct to the
 * cJSON a page renders, so every page shows a course the same way. */
#ifndef ENROLL_VIEW_H
#define ENROLL_VIEW_H

#include "catalog.h"

struct cJSON;

/* Returns a new cJSON object for c (id, slug, title, summary, type,
 * type_label, level, instructor, price {amount, currency}, is_free, url,
 * capacity, starts_at, lesson_count, total_minutes, and cover_url with
 * cover_alt when it has a cover); NULL when out of memory.  The caller
 * owns it (cJSON_Delete, or add it to a context); its
 * strings refer to c's and the arena's, so it must be freed before the
 * arena is reset (the request's context always is). */
struct cJSON *view_course(struct arena *a, const struct course *c);

/* Same for lesson l of the course named slug (id, position, title,
 * minutes, is_preview, done, url: its page under /learn/). */
struct cJSON *view_lesson(struct arena *a, const char *slug,
    const struct lesson *l);

/* Returns "/learn/<slug>" (position 0) or "/learn/<slug>/<position>", in
 * the arena; NULL when out of memory. */
char *view_learn_url(struct arena *a, const char *slug, int64_t position);

struct course_offer;

/* Adds to o, the view of course c, what it offers the visitor (offer.h):
 * "offer" {name, label}, "wishlisted", "may_wishlist" and "learn_url".
 * Returns ERR_OK or ERR_INTERNAL. */
enum err view_offer(struct arena *a, struct cJSON *o, const struct course *c,
    const struct course_offer *of);

struct progress;

/* Returns a new cJSON object for p (lesson_count, done, percent,
 * next_position, last_position, last_activity_at, completed_at); NULL on
 * OOM.  The caller owns it. */
struct cJSON *view_progress(const struct progress *p);

/* Adds "page", and "prev_url" / "next_url" when there are such pages, to
 * ctx for a listing at path.  filters is a NULL-terminated list of
 * key, value pairs kept in the links (values may be NULL), or NULL.
 * Returns ERR_OK or ERR_INTERNAL. */
enum err view_pager(struct arena *a, struct cJSON *ctx, const char *path,
    const char *const *filters, int64_t page, int has_more);

struct order;

/* Returns a new cJSON object for an order (number, status, status_label,
 * is_settled, subtotal, discount, total, refunded as money objects,
 * coupon_code, created_at, paid_at, url, pay_url while Stripe's page can
 * be paid, receipt_url when Stripe has a receipt of its charge, items
 * with price, discount and paid as lib/receipt.c reckons them); NULL on
 * OOM or a broken line.  The caller owns it. */
struct cJSON *view_order(struct arena *a, const struct order *o);

#endif
