/* Counters for Prometheus (GET /metrics): requests by program and status
 * class, a latency histogram, worker restarts and SQLite busy retries.
 * They live in a small file beside the database that every process maps
 * shared and adds to atomically, so one scrape sees every worker of every
 * program, and they survive a program's restart. */
#ifndef ENROLL_METRICS_H
#define ENROLL_METRICS_H

#include <stdint.h>

#include "buf.h"

#define METRICS_BUCKETS 12	/* latency buckets before +Inf */

/* The programs, each with a slot of its own. */
enum metrics_program {
	METRICS_CART, METRICS_CHECKOUT, METRICS_WEBHOOK, METRICS_ACCOUNT,
	METRICS_ADMIN, METRICS_OTHER, METRICS_PROGRAM_MAX
};

struct metrics_slot {
	uint64_t requests[5];	/* by status class: 1xx .. 5xx */
	uint64_t latency[METRICS_BUCKETS + 1]; /* per bucket, last is +Inf */
	uint64_t latency_sum_us; /* total time answering, microseconds */
	uint64_t restarts;	/* workers replaced after they died */
};

struct metrics {
	uint32_t magic;		/* METRICS_MAGIC once laid out */
	uint32_t size;		/* sizeof(struct metrics) that laid it out */
	struct metrics_slot slot[METRICS_PROGRAM_MAX]; /* per program */
	uint64_t busy_retries;	/* busy waits, all processes of this host */
};

/* Maps this host's counters file at path (config's metrics_path, made
 * 0600 when missing).  Returns NULL (logged) when it cannot; the store
 * works without counters.  Unmap with metrics_close(). */
struct metrics *metrics_open(const char *path);
void metrics_close(struct metrics *m);

/* The slot of program name ("cart", ...; others share METRICS_OTHER). */
enum metrics_program metrics_program_of(const char *name);

/* Counts one answered request.  m may be NULL. */
void metrics_request(struct metrics *m, enum metrics_program p, int status,
    uint64_t micros);

/* Counts one replaced worker.  m may be NULL. */
void metrics_restart(struct metrics *m, enum metrics_program p);

/* Writes the counters in Prometheus' text format (version 0.0.4). */
void metrics_write(const struct metrics *m, struct buf *out);

#endif
