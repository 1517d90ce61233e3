/* A migrated database on a temporary file, for the unit tests of domain
 * code that need SQLite's real behaviour (transactions, constraints). */
#ifndef ENROLL_T_TMPDB_H
#define ENROLL_T_TMPDB_H

struct db;

/* Opens a new database file /tmp/enroll-<prefix>-XXXXXX, migrated and,
 * when seed, loaded with the demo catalog; its name goes into path (64
 * bytes).  Fails the test on any error.  Close with tmpdb_close(). */
struct db *tmpdb_open(char path[64], const char *prefix, int seed);

/* Closes db and removes the file with its -wal, -shm and -metrics. */
void tmpdb_close(struct db *db, const char *path);

#endif
