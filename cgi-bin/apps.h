/* The programs' route tables, visible to the in-process handler tests
 * (t/unit/test_handlers_*.c), which link each program compiled with
 * ENROLL_TEST_APP defined, i.e. without its main(). */
#ifndef ENROLL_APPS_H
#define ENROLL_APPS_H

#include "app.h"

extern const struct app cart_app;
extern const struct app checkout_app;
extern const struct app webhook_app;
extern const struct app account_app;
extern const struct app admin_app;

#endif
