/* Shared counters (see metrics.h).  Adds are __atomic relaxed increments
 * on a MAP_SHARED file mapping; readers may see one counter a request
 * ahead of another, which Prometheus tolerates. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

#define METRICS_MAGIC 0x656e726cU	/* "enrl" */

static const char *const program_names[METRICS_PROGRAM_MAX] = {
	[METRICS_CART] = "cart", [METRICS_CHECKOUT] = "checkout",
	[METRICS_WEBHOOK] = "webhook", [METRICS_ACCOUNT] = "account",
	[METRICS_ADMIN] = "admin", [METRICS_OTHER] = "other",
};

/* Upper bounds of the latency buckets, in microseconds. */
static const uint64_t bucket_us[METRICS_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000,
};

struct metrics *
metrics_open(const char *path)
{
	struct metrics *m;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		log_error(NULL, "metrics: cannot open %s", path);
		return NULL;
	}
	/* A file laid out by another version is started afresh. */
	if (ftruncate(fd, (off_t)sizeof(*m)) != 0) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	if (__atomic_load_n(&m->magic, __ATOMIC_ACQUIRE) != METRICS_MAGIC ||
	    m->size != sizeof(*m)) {
		memset(m, 0, sizeof(*m));
		m->size = sizeof(*m);
		__atomic_store_n(&m->magic, METRICS_MAGIC, __ATOMIC_RELEASE);
	}
	return m;
}

void
metrics_close(struct metrics *m)
{
	if (m != NULL)
		munmap(m, sizeof(*m));
}

enum metrics_program
metrics_program_of(const char *name)
{
	for (int i = 0; i < METRICS_OTHER; i++)
		if (strcmp(program_names[i], name) == 0)
			return (enum metrics_program)i;
	return METRICS_OTHER;
}

static void
add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

void
metrics_request(struct metrics *m, enum metrics_program p, int status,
    uint64_t micros)
{
	struct metrics_slot *s;
	int b = 0;

	if (m == NULL || (unsigned)p >= METRICS_PROGRAM_MAX)
		return;
	s = &m->slot[p];
	if (status >= 100 && status < 600)
		add(&s->requests[status / 100 - 1], 1);
	while (b < METRICS_BUCKETS && micros > bucket_us[b])
		b++;
	add(&s->latency[b], 1);
	add(&s->latency_sum_us, micros);
}

void
metrics_restart(struct metrics *m, enum metrics_program p)
{
	if (m != NULL && (unsigned)p < METRICS_PROGRAM_MAX)
		add(&m->slot[p].restarts, 1);
}

static uint64_t
get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static void
write_histogram(const struct metrics_slot *s, const char *name,
    struct buf *out)
{
	uint64_t cum = 0;

	for (int b = 0; b <= METRICS_BUCKETS; b++) {
		cum += get(&s->latency[b]);
		if (b < METRICS_BUCKETS)
			buf_printf(out, "enroll_request_duration_seconds_bucket"
			    "{program=\"%s\",le=\"%g\"} %llu\n", name,
			    (double)bucket_us[b] / 1e6, (unsigned long long)cum);
		else
			buf_printf(out, "enroll_request_duration_seconds_bucket"
			    "{program=\"%s\",le=\"+Inf\"} %llu\n", name,
			    (unsigned long long)cum);
	}
	buf_printf(out, "enroll_request_duration_seconds_sum{program=\"%s\"} "
	    "%.6f\n", name, (double)get(&s->latency_sum_us) / 1e6);
	buf_printf(out, "enroll_request_duration_seconds_count{program=\"%s\"} "
	    "%llu\n", name, (unsigned long long)cum);
}

void
metrics_write(const struct metrics *m, struct buf *out)
{
	buf_puts(out, "# HELP enroll_requests_total Requests answered, by "
	    "program and status class.\n# TYPE enroll_requests_total "
	    "counter\n");
	for (int p = 0; m != NULL && p < METRICS_PROGRAM_MAX; p++)
		for (int c = 0; c < 5; c++)
			buf_printf(out, "enroll_requests_total{program=\"%s\","
			    "code=\"%dxx\"} %llu\n", program_names[p], c + 1,
			    (unsigned long long)get(&m->slot[p].requests[c]));
	buf_puts(out, "# HELP enroll_request_duration_seconds Time to answer "
	    "a request.\n# TYPE enroll_request_duration_seconds histogram\n");
	for (int p = 0; m != NULL && p < METRICS_PROGRAM_MAX; p++)
		write_histogram(&m->slot[p], program_names[p], out);
	buf_puts(out, "# HELP enroll_worker_restarts_total Workers replaced "
	    "after they died.\n# TYPE enroll_worker_restarts_total counter\n");
	for (int p = 0; m != NULL && p < METRICS_PROGRAM_MAX; p++)
		buf_printf(out, "enroll_worker_restarts_total{program=\"%s\"} "
		    "%llu\n", program_names[p],
		    (unsigned long long)get(&m->slot[p].restarts));
	buf_printf(out, "# HELP enroll_sqlite_busy_retries_total Waits for "
	    "SQLite's write lock.\n# TYPE enroll_sqlite_busy_retries_total "
	    "counter\nenroll_sqlite_busy_retries_total %llu\n",
	    (unsigned long long)(m != NULL ? get(&m->busy_retries) : 0));
}
