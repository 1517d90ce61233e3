/* One line per event to stderr, which nginx-less runs and make run keep
 * visible: "<level> [<request id>] message".  Errors are logged once, by
 * the function that handles them. */
#ifndef ENROLL_LOG_H
#define ENROLL_LOG_H

/* rid may be NULL (no request in flight). */
void log_error(const char *rid, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_info(const char *rid, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
