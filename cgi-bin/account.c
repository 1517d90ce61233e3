/* account: login, registration, the student's dashboard, courses,
 * learning pages, wishlist, billing, orders, team seats and bookings.
 * Its routes arrive with the issues that build them; until then every
 * request is answered 404 by the dispatcher. */
#include "app.h"
#include "apps.h"
#include "server.h"

const struct app account_app = { "account", NULL, 0, NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &account_app);
}
#endif
