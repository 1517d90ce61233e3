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
	/* reconciliation with Stripe (reconcile.c) */
	{ METHOD_GET, "/admin/reconcile", h_reconcile, R_ADMIN,
	    reconcile_fields },
	{ METHOD_POST, "/admin/reconcile/apply", h_reconcile_apply, R_ADMIN,
	    reconcile_apply_fields },
};

const struct app admin_app = { "admin", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &admin_app);
}
#endif
