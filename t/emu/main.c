/* stripe-emu: a local Stripe for tests and `make run`.
 *   stripe-emu --listen 127.0.0.1:PORT --port-file FILE --db FILE
 *       --spec PATH/spec3-subset.json --api-key sk_test_...
 *       [--webhook-url URL --webhook-secret whsec_...] [--public-url URL]
 * PORT 0 picks a free port, written to FILE once listening.  The webhook
 * options make (or bring back) an endpoint for every event; more come
 * through the API.  SIGTERM or SIGINT stop it cleanly.  See
 * t/emu/README.md. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <sodium.h>

#include "emu.h"
#include "log.h"

struct opts {
	const char *listen;	/* 127.0.0.1:PORT */
	const char *port_file;	/* where the port goes, or NULL */
	const char *db;		/* state file */
	const char *spec;	/* spec3-subset.json */
	const char *api_key;	/* accepted secret key */
	const char *webhook_url;	/* endpoint for every event, or NULL */
	const char *webhook_secret;	/* its whsec_..., or NULL */
	const char *public_url;	/* base of session urls, or NULL */
};

static int
usage(void)
{
	fprintf(stderr, "usage: stripe-emu --listen 127.0.0.1:PORT "
	    "--port-file FILE --db FILE --spec spec3-subset.json "
	    "--api-key sk_test_... [--webhook-url URL --webhook-secret "
	    "whsec_...] [--public-url URL]\n");
	return 2;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct {
		const char *name;
		size_t off;
	} flags[] = {
		{ "--listen", offsetof(struct opts, listen) },
		{ "--port-file", offsetof(struct opts, port_file) },
		{ "--db", offsetof(struct opts, db) },
		{ "--spec", offsetof(struct opts, spec) },
		{ "--api-key", offsetof(struct opts, api_key) },
		{ "--webhook-url", offsetof(struct opts, webhook_url) },
		{ "--webhook-secret", offsetof(struct opts, webhook_secret) },
		{ "--public-url", offsetof(struct opts, public_url) },
	};
	size_t f, n;
	int i;

	for (i = 1; i < argc; i++) {
		for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			n = strlen(flags[f].name);
			if (strncmp(argv[i], flags[f].name, n) != 0)
				continue;
			if (argv[i][n] == '=')
				*(const char **)((char *)o + flags[f].off) =
				    argv[i] + n + 1;
			else if (argv[i][n] == '\0' && i + 1 < argc)
				*(const char **)((char *)o + flags[f].off) =
				    argv[++i];
			else
				continue;
			break;
		}
		if (f == sizeof(flags) / sizeof(flags[0]))
			return -1;
	}
	if (o->listen == NULL || o->db == NULL || o->spec == NULL ||
	    o->api_key == NULL || *o->api_key == '\0')
		return -1;
	if ((o->webhook_url == NULL) != (o->webhook_secret == NULL))
		return -1;
	return 0;
}

static int
write_port(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    (f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

/* Expires sessions whose expires_at has passed, once a second. */
static void *
ticker(void *arg)
{
	struct emu *e = arg;

	while (!e->stopping) {
		emu_sleep_ms(e, 1000);
		pthread_mutex_lock(&e->lock);
		if (!e->stopping)
			emu_pay_sweep(e);
		pthread_mutex_unlock(&e->lock);
	}
	return NULL;
}

static int
run(struct emu *e, const struct opts *o, const sigset_t *sigs)
{
	struct MHD_Daemon *d;
	pthread_t tick, del;
	unsigned port;
	int sig, have_del = 0, rc = 1;

	if ((d = emu_server_start(e, o->listen, &port)) == NULL)
		return 1;
	if (o->public_url != NULL)
		snprintf(e->public_url, sizeof(e->public_url), "%s",
		    o->public_url);
	else
		snprintf(e->public_url, sizeof(e->public_url),
		    "http://127.0.0.1:%u", port);
	while (strlen(e->public_url) > 0 &&
	    e->public_url[strlen(e->public_url) - 1] == '/')
		e->public_url[strlen(e->public_url) - 1] = '\0';
	if (pthread_create(&tick, NULL, ticker, e) != 0)
		goto out;
	/* Always: endpoints may be added through the API at any time. */
	if (emu_deliver_start(e, &del) == 0)
		have_del = 1;
	if (!have_del)
		log_error(NULL, "emu: cannot start the delivery thread");
	else if (o->port_file != NULL && write_port(o->port_file, port) != 0)
		log_error(NULL, "emu: cannot write %s", o->port_file);
	else {
		log_info(NULL, "emu: listening on 127.0.0.1:%u", port);
		rc = 0;
		while (sigwait(sigs, &sig) != 0)
			;
		log_info(NULL, "emu: signal %d, stopping", sig);
	}
	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	pthread_cond_broadcast(&e->wake);
	pthread_mutex_unlock(&e->lock);
	MHD_stop_daemon(d);
	d = NULL;
	pthread_join(tick, NULL);
	if (have_del)
		emu_deliver_stop(e, del);
out:
	if (d != NULL)
		MHD_stop_daemon(d);
	return rc;
}

/* The endpoint of --webhook-url, made or brought up to date; the state
 * file may come from an earlier run, so this runs at every start. */
static int
cli_endpoint(struct emu *e, const struct opts *o)
{
	int rc;

	if (o->webhook_url == NULL)
		return 0;
	pthread_mutex_lock(&e->lock);
	rc = emu_endpoint_ensure(e, o->webhook_url, o->webhook_secret);
	pthread_mutex_unlock(&e->lock);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct emu e = { 0 };
	sigset_t sigs;
	int rc = 1;

	if (parse_args(argc, argv, &o) != 0)
		return usage();
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0 || sodium_init() < 0 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	pthread_mutex_init(&e.lock, NULL);
	pthread_cond_init(&e.wake, NULL);
	e.api_key = o.api_key;
	if (emu_spec_load(&e, o.spec) == 0 && emu_store_open(&e, o.db) == 0 &&
	    cli_endpoint(&e, &o) == 0)
		rc = run(&e, &o, &sigs);
	emu_spec_free(&e);
	db_close(e.db);
	curl_global_cleanup();
	pthread_cond_destroy(&e.wake);
	pthread_mutex_destroy(&e.lock);
	return rc;
}
