/* The FastCGI process model, written once for every program: a parent
 * that opens the listening socket, preforks workers, replaces a worker
 * that dies, and on SIGTERM lets in-flight requests finish. */
#ifndef ENROLL_SERVER_H
#define ENROLL_SERVER_H

struct app;

/* Parses --socket PATH|HOST:PORT and --workers N from argv, then serves
 * app until SIGTERM or SIGINT.  Returns the process exit status. */
int server_main(int argc, char **argv, const struct app *app);

#endif
