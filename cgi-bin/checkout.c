/* checkout: Stripe Checkout sessions, the success and cancel pages, and
 * direct enrollment in free courses.
 * Its routes arrive with the issues that build them; until then every
 * request is answered 404 by the dispatcher. */
#include "app.h"
#include "apps.h"
#include "server.h"

const struct app checkout_app = { "checkout", NULL, 0, NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &checkout_app);
}
#endif
