/* Prefork FastCGI server over libfcgi.  The parent compiles the templates
 * once (workers share them copy-on-write), opens the socket, forks N
 * workers and supervises them; each worker opens its own database
 * connection, then loops accept -> handle -> finish with one arena and one
 * response buffer reused across requests, so a request allocates little. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>

#include "app.h"
#include "jsonmem.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "tmpl.h"
#include "tz.h"

#define MAX_WORKERS 64

static volatile sig_atomic_t stopping;	/* set by SIGTERM/SIGINT */

static void
on_stop(int sig)
{
	stopping = 1;
}

/* Installs on_stop without SA_RESTART, so a blocked accept() returns. */
static void
catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* Reads the body announced by CONTENT_LENGTH into the arena.  Returns
 * ERR_TOOLARGE over limit and ERR_INVALID when the stream ends early. */
static enum err
read_body(FCGX_Request *r, struct arena *a, size_t limit, char **body,
    size_t *len)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", r->envp);
	char *end;
	unsigned long long n;
	int got;

	*body = NULL;
	*len = 0;
	if (cl == NULL || *cl == '\0')
		return ERR_OK;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (*end != '\0' || errno != 0 || cl[0] == '-')
		return ERR_INVALID;
	if (n > limit)
		return ERR_TOOLARGE;
	if ((*body = arena_alloc(a, (size_t)n + 1)) == NULL)
		return ERR_INTERNAL;
	got = n > 0 ? FCGX_GetStr(*body, (int)n, r->in) : 0;
	if (got < 0 || (unsigned long long)got != n)
		return ERR_INVALID;
	(*body)[n] = '\0';
	*len = (size_t)n;
	return ERR_OK;
}

static void
serve_one(struct worker *w, FCGX_Request *r, struct arena *a,
    struct resp *rs, struct buf *out)
{
	struct timespec t0, t1;
	struct req rq;
	char *body;
	size_t len;
	enum err e;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	arena_reset(a);
	resp_reset(rs);
	buf_reset(out);
	/* The route, known from the head, sets how much body is read. */
	req_init(&rq, a, r->envp, NULL, 0);
	e = read_body(r, a, app_body_limit(w->app, &rq), &body, &len);
	if (e != ERR_OK && rq.parse_err == ERR_OK)
		rq.parse_err = e;
	req_body(&rq, body, len);
	jsonmem_use_arena(a);
	app_handle(w, &rq, rs);
	jsonmem_use_arena(NULL);	/* app_handle freed the context */
	resp_serialize(rs, rq.method == METHOD_HEAD, out);
	if (out->oom || FCGX_PutStr(out->data, (int)out->len, r->out) < 0)
		log_error(rq.request_id, "%s: response not written",
		    w->app->name);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_request(w->metrics, (enum metrics_program)w->program,
	    rs->status, (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000));
}

/* One worker process: returns its exit status. */
static int
worker_run(const struct app *app, const struct tmpl_set *tmpl, int sock)
{
	struct worker w;
	FCGX_Request r;
	struct arena *a;
	struct resp rs;
	struct buf out = { 0 };

	memset(&rs, 0, sizeof(rs));
	jsonmem_init();
	if (worker_init(&w, app, tmpl) != ERR_OK)
		return 1;
	if ((a = arena_new()) == NULL || FCGX_InitRequest(&r, sock,
	    FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		arena_free(a);
		worker_fini(&w);
		return 1;
	}
	while (!stopping) {
		if (FCGX_Accept_r(&r) < 0) {
			if (stopping || errno == EINTR)
				continue;
			log_error(NULL, "%s: accept failed", app->name);
			break;
		}
		serve_one(&w, &r, a, &rs, &out);
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 0);
	buf_free(&out);
	buf_free(&rs.body);
	arena_free(a);
	worker_fini(&w);
	return 0;
}

static int
parse_args(int argc, char **argv, const char **sockpath, int *workers)
{
	int i;
	long n = 0;

	*sockpath = NULL;
	*workers = 2;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			*sockpath = argv[++i];
		} else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
			n = strtol(argv[++i], NULL, 10);
			if (n < 1 || n > MAX_WORKERS)
				return -1;
			*workers = (int)n;
		} else
			return -1;
	}
	return 0;
}

/* The first socket systemd (or another supervisor) hands over. */
#define LISTEN_FDS_START 3

/* Returns the listening socket passed by socket activation (LISTEN_FDS,
 * for this very process by LISTEN_PID), or -1 when none was.  The
 * variables are removed so that workers do not take them for theirs. */
static int
inherited_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int ok = pid != NULL && fds != NULL &&
	    strtol(pid, NULL, 10) == (long)getpid() &&
	    strtol(fds, NULL, 10) >= 1;

	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return ok ? LISTEN_FDS_START : -1;
}

/* The listening socket: handed over, or opened at sockpath.  *owned is
 * set when this process made it (and removes it at the end). */
static int
listen_socket(const char *sockpath, int *owned)
{
	int sock = inherited_socket();
	mode_t old;

	*owned = 0;
	if (sock >= 0 || sockpath == NULL)
		return sock;
	/* nginx runs as another user: the socket's directory guards it. */
	old = umask(0);
	sock = FCGX_OpenSocket(sockpath, 1024);
	umask(old);
	*owned = sock >= 0;
	return sock;
}

static pid_t
spawn(const struct app *app, const struct tmpl_set *tmpl, int sock)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(worker_run(app, tmpl, sock));
	if (pid < 0)
		log_error(NULL, "%s: fork: %s", app->name, strerror(errno));
	return pid;
}

/* Sends sig to every live worker. */
static void
signal_all(const pid_t *pids, int n, int sig)
{
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], sig);
}

/* Waits up to 10 s for the workers to finish their requests and exit. */
static void
drain(pid_t *pids, int n)
{
	int live, status;
	pid_t pid;
	time_t deadline = time(NULL) + 10;

	signal_all(pids, n, SIGTERM);
	do {
		live = 0;
		for (int i = 0; i < n; i++) {
			if (pids[i] <= 0)
				continue;
			pid = waitpid(pids[i], &status, WNOHANG);
			if (pid == pids[i] || (pid < 0 && errno == ECHILD))
				pids[i] = 0;
			else
				live++;
		}
		if (live > 0)
			usleep(20 * 1000);
	} while (live > 0 && time(NULL) < deadline);
	signal_all(pids, n, SIGKILL);
	while (waitpid(-1, &status, 0) > 0)
		;
}

/* Parent: keeps n workers alive until told to stop. */
static int
supervise(const struct app *app, const struct tmpl_set *tmpl, int sock,
    pid_t *pids, int n, struct metrics *m)
{
	int status, quick_deaths = 0;
	time_t started[MAX_WORKERS];
	pid_t pid;

	for (int i = 0; i < n; i++) {
		pids[i] = spawn(app, tmpl, sock);
		started[i] = time(NULL);
	}
	while (!stopping) {
		if ((pid = waitpid(-1, &status, 0)) < 0)
			continue;	/* EINTR: check stopping */
		for (int i = 0; i < n; i++) {
			if (pids[i] != pid)
				continue;
			log_error(NULL, "%s: worker %d ended (%s %d); replacing",
			    app->name, (int)pid, WIFSIGNALED(status) ?
			    "signal" : "status", WIFSIGNALED(status) ?
			    WTERMSIG(status) : WEXITSTATUS(status));
			/* A worker that cannot even start will not start
			 * next time either: give up instead of spinning. */
			if (time(NULL) - started[i] < 1 && ++quick_deaths > 5) {
				pids[i] = 0;
				drain(pids, n);
				return 1;
			}
			metrics_restart(m, metrics_program_of(app->name));
			pids[i] = spawn(app, tmpl, sock);
			started[i] = time(NULL);
		}
	}
	drain(pids, n);
	return 0;
}

int
server_main(int argc, char **argv, const struct app *app)
{
	const char *sockpath;
	struct tmpl_set *tmpl;
	struct buf msg = { 0 };
	pid_t pids[MAX_WORKERS] = { 0 };
	struct config cfg;
	struct metrics *m;
	int workers, sock, rc, owned;

	if (parse_args(argc, argv, &sockpath, &workers) == -1 ||
	    (sockpath == NULL && getenv("LISTEN_FDS") == NULL)) {
		fprintf(stderr, "usage: %s --socket PATH|HOST:PORT "
		    "[--workers N (1-%d)]\n       (or a socket handed over by "
		    "systemd: LISTEN_FDS)\n", argv[0], MAX_WORKERS);
		return 2;
	}
	if (tmpl_set_load_embedded(&tmpl, &msg) != ERR_OK) {
		log_error(NULL, "%s: templates: %s", app->name,
		    msg.data != NULL ? msg.data : "out of memory");
		buf_free(&msg);
		return 1;
	}
	buf_free(&msg);
	/* Once per process, before any worker makes a Stripe client. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || FCGX_Init() != 0) {
		tmpl_set_free(tmpl);
		return 1;
	}
	/* A socket handed over outlives this process: requests that arrive
	 * while it restarts wait in the socket's queue instead of failing. */
	if ((sock = listen_socket(sockpath, &owned)) < 0) {
		log_error(NULL, "%s: cannot listen on %s", app->name,
		    sockpath != NULL ? sockpath : "the socket handed over");
		tmpl_set_free(tmpl);
		return 1;
	}
	catch_stop_signals();
	config_load(&cfg);
	/* A mistyped zone would read as UTC without a word: refuse it. */
	if (tz_set(cfg.timezone) != ERR_OK) {
		log_error(NULL, "%s: ENROLL_TIMEZONE=%s is not a time zone of "
		    "this machine (an IANA name such as Europe/Paris)",
		    app->name, cfg.timezone);
		close(sock);
		tmpl_set_free(tmpl);
		return 1;
	}
	log_info(NULL, "%s: serving on %s with %d workers", app->name,
	    owned ? sockpath : "the socket handed over", workers);
	m = metrics_open(cfg.metrics_path);
	rc = supervise(app, tmpl, sock, pids, workers, m);
	metrics_close(m);
	close(sock);
	if (owned && strchr(sockpath, ':') == NULL)
		unlink(sockpath);
	tmpl_set_free(tmpl);
	log_info(NULL, "%s: stopped", app->name);
	return rc;
}
