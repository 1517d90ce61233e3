/* The install id (see install.h).  Made lazily with ON CONFLICT DO NOTHING
 * so that `enrollctl migrate`, a worker and a test may all ask first. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "install.h"

static enum err
install_id_read(struct db *db, char out[INSTALL_ID_SIZE])
{
	struct db_stmt *st = db_prep(db, "SELECT value FROM settings "
	    "WHERE key = 'install_id'");
	enum err e;

	if ((e = db_next(st)) == ERR_OK) {
		snprintf(out, INSTALL_ID_SIZE, "%s", db_col_text(st, 0));
		if (strlen(out) != INSTALL_ID_SIZE - 1)
			e = ERR_INTERNAL;	/* edited by hand: refuse */
	}
	db_done(st);
	return e;
}

enum err
install_id(struct db *db, char out[INSTALL_ID_SIZE])
{
	unsigned char raw[(INSTALL_ID_SIZE - 1) / 2];
	char hex[INSTALL_ID_SIZE];
	struct db_stmt *st;
	enum err e;

	out[0] = '\0';
	if ((e = install_id_read(db, out)) != ERR_NOTFOUND)
		return e;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	st = db_prep(db, "INSERT INTO settings (key, value) VALUES "
	    "('install_id', ?) ON CONFLICT (key) DO NOTHING");
	db_bind_text(st, 1, hex);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return install_id_read(db, out);
}
