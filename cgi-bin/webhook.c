/* webhook: POST /payment/webhook, Stripe's signed event deliveries.
 * Its routes arrive with the issues that build them; until then every
 * request is answered 404 by the dispatcher. */
#include "app.h"
#include "apps.h"
#include "server.h"

const struct app webhook_app = { "webhook", NULL, 0, NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &webhook_app);
}
#endif
