/* This store's install id: a random name made once with its database and
 * kept in it (settings row 'install_id').  Every object the store creates
 * at Stripe carries it in metadata and every idempotency key starts with
 * it, so that on a Stripe account shared with other systems (staging,
 * another shop, a second `make run`) the store acts only on what it made.
 * A copied database keeps it; a new database gets a new one. */
#ifndef ENROLL_INSTALL_H
#define ENROLL_INSTALL_H

#include "err.h"

struct db;

/* 128 random bits as 32 lower-case hex digits, plus the NUL. */
#define INSTALL_ID_SIZE 33

/* Copies the install id into out, making it first when the database has
 * none yet (libsodium random; a concurrent maker wins and both read its
 * value).  ERR_BUSY when the database is locked. */
enum err install_id(struct db *db, char out[INSTALL_ID_SIZE]);

#endif
