/* admin: the program of the admin's pages, one file per area (as cgit has
 * one ui-*.c per page): home.c (/admin/), users.c (people), and main.c
 * with the route table that joins them.  This header is what the files
 * share. */
#ifndef ENROLL_ADMIN_H
#define ENROLL_ADMIN_H

#include "app.h"
#include "field.h"

/* home.c */
enum err h_home(struct req *rq, struct resp *rs);

/* users.c */
enum err h_users(struct req *rq, struct resp *rs);
extern const struct field users_fields[];

/* orders.c and refunds.c (orders and refunds) */
enum err h_admin_orders(struct req *rq, struct resp *rs);
enum err h_admin_order(struct req *rq, struct resp *rs);
enum err h_admin_order_review(struct req *rq, struct resp *rs);
enum err h_admin_order_refund(struct req *rq, struct resp *rs);
enum err h_admin_order_refund_retry(struct req *rq, struct resp *rs);
/* Shows order rq->id's page with status, the forms refilled from the
 * names in refill (errors added before stay next to their fields). */
enum err admin_order_page(struct req *rq, struct resp *rs, int status,
    const char *const *refill);
extern const struct field admin_orders_fields[];
extern const struct field admin_order_review_fields[];
extern const struct field admin_order_refund_fields[];
extern const struct field admin_order_refund_retry_fields[];

#endif
