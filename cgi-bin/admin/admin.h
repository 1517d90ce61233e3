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

/* reconcile.c: reconciliation with Stripe */
enum err h_reconcile(struct req *rq, struct resp *rs);
enum err h_reconcile_apply(struct req *rq, struct resp *rs);
extern const struct field reconcile_fields[];
extern const struct field reconcile_apply_fields[];

#endif
