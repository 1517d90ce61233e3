/* Backups you can restore: `enrollctl backup DIR` copies the live database
 * while the store keeps serving, checks the copy, and keeps the newest
 * few; `enrollctl restore FILE` puts one back, only while no program has
 * the database open.  A backup appears under its final name only once it
 * is complete and checked. */
#ifndef ENROLL_BACKUP_H
#define ENROLL_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct db;

#define BACKUP_KEEP_DEFAULT 7	/* backups kept when not told */

/* Writes dir/enroll-YYYYMMDDTHHMMSSZ.db (time now, UTC) from db: copied
 * into a hidden partial file, checked (integrity, schema version), synced
 * and renamed; then removes all but the newest keep backups in dir.  The
 * final path goes into path (size n).  ERR_INVALID when the copy fails its
 * check (nothing is left behind), ERR_NOTFOUND when dir is not a writable
 * folder. */
enum err backup_create(struct db *db, const char *dir, int keep, int64_t now,
    char *path, size_t n);

/* Replaces the database at db_path with the backup at file after checking
 * it.  ERR_CONFLICT when a program has the database open, ERR_INVALID when
 * file is not a sound database of this store (too new, or damaged). */
enum err backup_restore(const char *file, const char *db_path);

#endif
