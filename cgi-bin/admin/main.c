/* admin: the route table of the admin's pages (a route's handler is in
 * the file its area names: see admin.h) and the program's main.  Every
 * route is R_ADMIN: guests go to the login page, students get a 403
 * (t/unit/test_admin_routes.c walks this table to check it). */
#include "admin.h"
#include "apps.h"
#include "server.h"

static const struct route routes[] = {
	{ METHOD_GET, "/admin", h_home, R_ADMIN, NULL },
	{ METHOD_GET, "/admin/users", h_users, R_ADMIN, users_fields },
	/* Orders and refunds (orders.c, refunds.c). */
	{ METHOD_GET, "/admin/orders", h_admin_orders, R_ADMIN,
	    admin_orders_fields },
	{ METHOD_GET, "/admin/orders/<id>", h_admin_order, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/orders/<id>/review", h_admin_order_review,
	    R_ADMIN, admin_order_review_fields },
	{ METHOD_POST, "/admin/orders/<id>/refund", h_admin_order_refund,
	    R_ADMIN, admin_order_refund_fields },
	{ METHOD_POST, "/admin/orders/<id>/refund-retry",
	    h_admin_order_refund_retry, R_ADMIN,
	    admin_order_refund_retry_fields },
};

const struct app admin_app = { "admin", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &admin_app);
}
#endif
