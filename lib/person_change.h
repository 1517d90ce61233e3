/* The changes an admin makes to an account: promote to admin or demote
 * (never the last admin who can log in), disable (every session ends at
 * once and the account cannot log in) and enable again.  Each runs in one
 * transaction with its audit row ("user.promote", "user.demote",
 * "user.disable", "user.enable" on subject "user:<id>", the fields before
 * and after). */
#ifndef ENROLL_PERSON_CHANGE_H
#define ENROLL_PERSON_CHANGE_H

#include <stdint.h>

#include "err.h"

struct db;

/* Makes user id an admin (admin 1) or a student (0), by actor at now.
 * ERR_OK also when it already was; ERR_NOTFOUND: no such account;
 * ERR_INVALID: a deleted account; ERR_CONFLICT: demoting the last admin
 * who can log in.  ERR_BUSY / ERR_INTERNAL change nothing. */
enum err person_set_role(struct db *db, int64_t actor, int64_t id, int admin,
    int64_t now);

/* Disables (disabled 1) or enables (0) account id, by actor at now;
 * disabling ends its sessions in the same transaction.  ERR_OK also when
 * it already was; ERR_FORBIDDEN: actor disabling themselves;
 * ERR_NOTFOUND, ERR_INVALID as above. */
enum err person_set_disabled(struct db *db, int64_t actor, int64_t id,
    int disabled, int64_t now);

/* Returns how many admins can log in (not disabled, not deleted). */
enum err person_admins_count(struct db *db, int64_t *n);

#endif
