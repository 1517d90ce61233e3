/* Logging to stderr, one line per call, written with a single write(2) so
 * that lines from concurrent workers do not interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static void log_line(const char *, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_line(const char *level, const char *rid, const char *fmt, va_list ap)
{
	char line[2048];
	const size_t room = sizeof(line) - 1;	/* one byte kept for '\n' */
	size_t n;
	int k;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	n = strftime(line, room, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	k = snprintf(line + n, room - n, "%s [%s] pid=%d ", level,
	    rid != NULL ? rid : "-", (int)getpid());
	n = k < 0 ? n : (size_t)k >= room - n ? room - 1 : n + (size_t)k;
	k = vsnprintf(line + n, room - n, fmt, ap);
	n = k < 0 ? n : (size_t)k >= room - n ? room - 1 : n + (size_t)k;
	/* Keep a log line a line: control characters from input become '?'. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20)
			line[i] = '?';
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return; /* nowhere left to report a failed log write */
}

void
log_error(const char *rid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("error", rid, fmt, ap);
	va_end(ap);
}

void
log_info(const char *rid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("info", rid, fmt, ap);
	va_end(ap);
}
