/* admin: the route table of the admin's pages (a route's handler is in
 * the file its area names: see admin.h) and the program's main.  Every
 * route is R_ADMIN: guests go to the login page, students get a 403
 * (t/unit/test_admin_routes.c walks this table to check it). */
#include "admin.h"
#include "apps.h"
#include "server.h"

static const struct route routes[] = {
	{ METHOD_GET, "/admin", h_home, R_ADMIN, NULL },
	/* People, enrollments and the audit log (users.c, enrollments.c,
	 * audit.c). */
	{ METHOD_GET, "/admin/users", h_users, R_ADMIN, users_fields },
	{ METHOD_GET, "/admin/users/<id>", h_user, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/users/<id>/role", h_user_role, R_ADMIN,
	    user_role_fields },
	{ METHOD_POST, "/admin/users/<id>/disable", h_user_disable, R_ADMIN,
	    NULL },
	{ METHOD_POST, "/admin/users/<id>/enable", h_user_enable, R_ADMIN,
	    NULL },
	{ METHOD_POST, "/admin/users/<id>/grant", h_user_grant, R_ADMIN,
	    user_grant_fields },
	{ METHOD_POST, "/admin/enrollments/<id>/revoke", h_enrollment_revoke,
	    R_ADMIN, NULL },
	{ METHOD_POST, "/admin/enrollments/<id>/extend", h_enrollment_extend,
	    R_ADMIN, enrollment_extend_fields },
	{ METHOD_GET, "/admin/audit", h_audit, R_ADMIN, audit_fields },
};

const struct app admin_app = { "admin", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &admin_app);
}
#endif
