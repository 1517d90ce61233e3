/* sqlite-tx-rate: the disk's rate of one-row SQLite transactions, opened
 * exactly as the store opens its database (WAL, synchronous=FULL), so
 * `make bench` can compare the webhook's durable rate against it.
 * Usage: sqlite-tx-rate FILE SECONDS; prints transactions per second. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "db.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct db *db;
	struct db_stmt *st;
	double start, secs;
	long n = 0;

	if (argc != 3 || (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: sqlite-tx-rate FILE SECONDS\n");
		return 2;
	}
	unlink(argv[1]);
	if ((db = db_open(argv[1])) == NULL ||
	    db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)") !=
	    ERR_OK)
		return 1;
	start = now();
	while (now() - start < secs) {
		if (db_begin(db) != ERR_OK ||
		    (st = db_prep(db, "INSERT INTO t (v) VALUES (?)")) == NULL)
			return 1;
		db_bind_text(st, 1, "evt_bench");
		if (db_run(st) != ERR_OK || db_commit(db) != ERR_OK)
			return 1;
		n++;
	}
	printf("%.0f\n", n / (now() - start));
	db_close(db);
	unlink(argv[1]);
	return 0;
}
