/* admin: coupons, courses, orders, refunds, enrollments and reports.
 * Its routes arrive with the issues that build them; until then every
 * request is answered 404 by the dispatcher. */
#include "app.h"
#include "apps.h"
#include "server.h"

const struct app admin_app = { "admin", NULL, 0, NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &admin_app);
}
#endif
