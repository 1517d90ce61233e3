/* `enrollctl doctor`: the settings an operator gets wrong, checked one by
 * one, each answered OK, WARN or FAIL with a line that says what to do. */
#ifndef ENROLL_DOCTOR_H
#define ENROLL_DOCTOR_H

#include "config.h"

struct db;
struct stripe;

enum doctor_level { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL, DOCTOR_LEVEL_MAX };

/* Called once per check with its verdict and one line of plain words. */
typedef void (*doctor_say_fn)(void *arg, enum doctor_level level,
    const char *check, const char *detail);

/* Runs every check against cfg, the open database db and Stripe through s
 * (NULL when no key is set); returns how many FAILed. */
int doctor_run(struct db *db, const struct config *cfg, struct stripe *s,
    doctor_say_fn say, void *arg);

/* "OK", "WARN", "FAIL". */
const char *doctor_level_name(enum doctor_level l);

#endif
