/* enrollctl: the operator's command line.  Each command is one function
 * over the same database the programs use; errors print a plain message
 * and exit non-zero. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "arena.h"
#include "backup.h"
#include "config.h"
#include "content.h"
#include "copy_db.h"
#include "db.h"
#include "doctor.h"
#include "password.h"
#include "report.h"
#include "events.h"
#include "install.h"
#include "log.h"
#include "mail.h"
#include "order.h"
#include "seed.h"
#include "stripe.h"
#include "tz.h"
#include "user.h"
#include "waitlist.h"

struct command {
	const char *name;	/* first argument */
	const char *usage;	/* arguments after the name */
	const char *help;	/* one line */
	int (*run)(struct db *db, const struct config *cfg, int argc,
	    char **argv);
};

static int
cmd_migrate(struct db *db, const struct config *cfg, int argc, char **argv)
{
	char install[INSTALL_ID_SIZE];
	int64_t days = 0;
	int rendered, stale;

	if (db_schema_version(db) > db_schema_latest()) {
		fprintf(stderr, "enrollctl: the database has schema version %d, "
		    "newer than this enrollctl knows (%d); it was upgraded by a "
		    "newer enroll: use that version\n", db_schema_version(db),
		    db_schema_latest());
		return 1;
	}
	/* A new database holds password hashes: its owner's alone. */
	if (db_kind(db) == DB_SQLITE && db_schema_version(db) == 0 &&
	    chmod(cfg->db_path, 0600) != 0) {
		fprintf(stderr, "enrollctl: cannot make %s private\n",
		    cfg->db_path);
		return 1;
	}
	if (db_migrate(db) != ERR_OK) {
		fprintf(stderr, "enrollctl: migration failed; the database "
		    "is left at version %d\n", db_schema_version(db));
		return 1;
	}
	/* Text a migration added, or an older store never rendered. */
	if (content_render_stale(db, &rendered) != ERR_OK) {
		fprintf(stderr, "enrollctl: rendering lessons and course "
		    "descriptions failed\n");
		return 1;
	}
	/* The store's name at Stripe is made with its database. */
	if (install_id(db, install) != ERR_OK) {
		fprintf(stderr, "enrollctl: cannot make the install id\n");
		return 1;
	}
	printf("schema at version %d, install id %s\n",
	    db_schema_version(db), install);
	if (rendered > 0)
		printf("rendered %d lesson bodies and course descriptions\n",
		    rendered);
	/* The reports' days are the school's: counted again when the
	 * summary is new or ENROLL_TIMEZONE changed. */
	if (report_stale(db, &stale) != ERR_OK ||
	    (stale && report_rebuild(db, &days) != ERR_OK)) {
		fprintf(stderr, "enrollctl: summing the reports failed\n");
		return 1;
	}
	if (stale)
		printf("reports summed over %lld days in %s\n",
		    (long long)days, tz_name());
	return 0;
}

/* report-rebuild: sums every day of the reports again from the orders
 * (after orders were changed by SQL, or to check the summary). */
static int
cmd_report_rebuild(struct db *db, const struct config *cfg, int argc,
    char **argv)
{
	int64_t days = 0;

	if (report_rebuild(db, &days) != ERR_OK) {
		fprintf(stderr, "enrollctl: summing the reports failed\n");
		return 1;
	}
	printf("reports summed over %lld days in %s\n", (long long)days,
	    tz_name());
	return 0;
}

/* render-content: renders the lesson bodies and course descriptions whose
 * text was changed outside the store (by SQL), so pages send stored HTML
 * instead of rendering them for every request. */
static int
cmd_render_content(struct db *db, const struct config *cfg, int argc,
    char **argv)
{
	int n;

	if (content_render_stale(db, &n) != ERR_OK) {
		fprintf(stderr, "enrollctl: rendering failed\n");
		return 1;
	}
	printf("rendered %d lesson bodies and course descriptions\n", n);
	return 0;
}

static int
cmd_seed_demo(struct db *db, const struct config *cfg, int argc, char **argv)
{
	int seeded;

	if (db_schema_version(db) <= 0) {
		fprintf(stderr, "enrollctl: run 'enrollctl migrate' first\n");
		return 1;
	}
	if (seed_demo(db, &seeded) != ERR_OK) {
		fprintf(stderr, "enrollctl: loading the demo data failed\n");
		return 1;
	}
	printf(seeded ? "demo courses loaded\n" :
	    "the catalog already has courses; nothing loaded\n");
	return 0;
}

/* Reads one line from stdin into buf (without its newline), with echo off
 * when stdin is a terminal.  Returns 0, or -1 when the line is too long
 * or cannot be read. */
static int
read_password(char *buf, size_t size)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	size_t n;
	int rc = 0;

	if (tty) {
		fprintf(stderr, "Password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)size, stdin) == NULL) {
		buf[0] = '\0';
		rc = ferror(stdin) ? -1 : 0;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	n = strlen(buf);
	if (rc == 0 && n == size - 1 && buf[n - 1] != '\n')
		rc = -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return rc;
}

/* create-admin EMAIL [NAME]: the password comes on stdin.  An existing
 * account is promoted; its password changes only when one is given. */
static int
cmd_create_admin(struct db *db, const struct config *cfg, int argc, char **argv)
{
	char pw[1100];
	const char *why, *name = argc > 1 ? argv[1] : "Administrator";
	struct arena *a;
	char *email;
	int created, rc = 1;
	enum err e;

	if (argc < 1 || argc > 2) {
		fprintf(stderr, "usage: enrollctl create-admin EMAIL [NAME] "
		    "< password\n");
		return 2;
	}
	if (db_schema_version(db) < 2) {
		fprintf(stderr, "enrollctl: run 'enrollctl migrate' first\n");
		return 1;
	}
	if ((a = arena_new()) == NULL)
		return 1;
	if ((email = user_email_normalise(a, argv[0])) == NULL) {
		fprintf(stderr, "enrollctl: '%s' is not an email address\n",
		    argv[0]);
		goto out;
	}
	if (read_password(pw, sizeof(pw)) != 0) {
		fprintf(stderr, "enrollctl: could not read the password from "
		    "stdin (at most 200 characters, one line)\n");
		goto out;
	}
	/* Empty keeps an existing account's password; a new one needs one. */
	if (pw[0] != '\0' && (why = password_policy_error(pw)) != NULL) {
		fprintf(stderr, "enrollctl: %s\n", why);
		goto out;
	}
	e = user_make_admin(db, email, name, pw[0] != '\0' ? pw : NULL,
	    &created);
	if (e == ERR_INVALID)
		fprintf(stderr, "enrollctl: %s\n", pw[0] == '\0' ?
		    "a new account needs a password on stdin" :
		    "the name must be one line of at most 100 characters");
	else if (e != ERR_OK)
		fprintf(stderr, "enrollctl: could not save the admin: %s\n",
		    err_str(e));
	else {
		printf("%s %s is an admin\n", created ? "created" : "promoted",
		    email);
		rc = 0;
	}
out:
	sodium_memzero(pw, sizeof(pw));
	arena_free(a);
	return rc;
}

static int
cmd_send_mail(struct db *db, const struct config *cfg, int argc, char **argv)
{
	int sent, failed;

	if (mail_deliver_due(db, cfg, time(NULL), 500, &sent, &failed) !=
	    ERR_OK) {
		fprintf(stderr, "enrollctl: the outbox could not be read\n");
		return 1;
	}
	printf("%d sent, %d failed (retried later)\n", sent, failed);
	return failed > 0 ? 3 : 0;
}

/* How often the mail worker looks at the outbox, and how many messages it
 * sends before looking again (a long queue must not delay a stop). */
#define MAIL_WORKER_POLL_MS 250
#define MAIL_WORKER_BATCH 50

/* Set by SIGTERM or SIGINT: the mail worker finishes the message in hand
 * and exits. */
static volatile sig_atomic_t mail_worker_stop;

static void
mail_worker_on_signal(int sig)
{
	mail_worker_stop = 1;
}

/* One look at the outbox: sends what is due; logs what happened. */
static enum err
mail_worker_round(struct db *db, const struct config *cfg, int *more)
{
	int due, sent, failed;
	enum err e;

	*more = 0;
	if ((e = mail_any_due(db, time(NULL), &due)) != ERR_OK || !due) {
		if (e != ERR_OK)
			log_error(NULL, "mail-worker: outbox not read: %s",
			    err_str(e));
		return e;
	}
	e = mail_deliver_due(db, cfg, time(NULL), MAIL_WORKER_BATCH, &sent,
	    &failed);
	if (e != ERR_OK)
		log_error(NULL, "mail-worker: %s (tried again shortly)",
		    err_str(e));
	if (sent > 0 || failed > 0)
		log_info(NULL, "mail-worker: %d sent, %d failed (retried "
		    "later)", sent, failed);
	*more = e == ERR_OK && sent + failed == MAIL_WORKER_BATCH;
	return e;
}

/* mail-worker: runs until SIGTERM or SIGINT, sending each message within
 * a fraction of a second of its queuing.  Delivery is send-mail's:
 * a message is claimed before it is sent, so any number of workers and
 * send-mail runs can share one outbox and none sends a message twice. */
static int
cmd_mail_worker(struct db *db, const struct config *cfg, int argc,
    char **argv)
{
	struct timespec pause;
	struct sigaction sa;
	long pause_ms = MAIL_WORKER_POLL_MS;
	int more;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mail_worker_on_signal;
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0) {
		fprintf(stderr, "enrollctl: cannot handle signals\n");
		return 1;
	}
	log_info(NULL, "mail-worker: delivering the outbox of %s to %s",
	    cfg->db_shown, cfg->smtp_url != NULL ? "the SMTP server" :
	    cfg->mail_dir);
	while (!mail_worker_stop) {
		/* A database that cannot be read (a PostgreSQL server down)
		 * is asked again less and less often, up to every 8 s. */
		if (mail_worker_round(db, cfg, &more) != ERR_OK)
			pause_ms = pause_ms * 2 < 8000 ? pause_ms * 2 : 8000;
		else
			pause_ms = MAIL_WORKER_POLL_MS;
		pause.tv_sec = pause_ms / 1000;
		pause.tv_nsec = pause_ms % 1000 * 1000000L;
		/* A signal cuts the pause short; the loop then ends. */
		if (!more)
			nanosleep(&pause, NULL);
	}
	log_info(NULL, "mail-worker: stopped");
	return 0;
}

static int
cmd_expire_orders(struct db *db, const struct config *cfg, int argc,
    char **argv)
{
	int n;

	if (order_expire_stale(db, time(NULL), &n) != ERR_OK) {
		fprintf(stderr, "enrollctl: expiring orders failed\n");
		return 1;
	}
	printf("%d stale orders expired, their reservations released\n", n);
	/* Waitlist offers not taken run out on the same timer (issue 19). */
	if (waitlist_expire_offers(db, time(NULL), &n) != ERR_OK) {
		fprintf(stderr, "enrollctl: expiring waitlist offers failed\n");
		return 1;
	}
	printf("%d waitlist offers expired, their places offered on\n", n);
	return 0;
}

static int
cmd_reconcile(struct db *db, const struct config *cfg, int argc, char **argv)
{
	struct events_ctx ctx;
	struct stripe *s;
	int seen, applied;
	enum err e;

	if (cfg->stripe_key == NULL) {
		fprintf(stderr, "enrollctl: STRIPE_SECRET_KEY is not set\n");
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (s = stripe_new(cfg->stripe_api_base, cfg->stripe_key)) == NULL) {
		fprintf(stderr, "enrollctl: cannot start the Stripe client\n");
		return 1;
	}
	ctx = (struct events_ctx){ db, s, cfg->base_url,
	    events_key_is_live(cfg->stripe_key), NULL };
	e = events_reconcile(&ctx, &seen, &applied);
	stripe_free(s);
	curl_global_cleanup();
	if (e != ERR_OK) {
		fprintf(stderr, "enrollctl: reconcile failed: %s\n", err_str(e));
		return 1;
	}
	printf("%d events listed by Stripe, %d applied that the webhook "
	    "missed\n", seen, applied);
	return 0;
}

/* backup DIR [KEEP]: a checked copy of the live database in DIR. */
static int
cmd_backup(struct db *db, const struct config *cfg, int argc, char **argv)
{
	char path[4096], *end;
	long keep = BACKUP_KEEP_DEFAULT;
	enum err e;

	if (argc < 1 || argc > 2 || (argc == 2 && ((keep = strtol(argv[1],
	    &end, 10)) < 1 || *end != '\0' || keep > 10000))) {
		fprintf(stderr, "usage: enrollctl backup DIR [KEEP]  (KEEP: "
		    "how many backups to keep, 1 or more; default %d)\n",
		    BACKUP_KEEP_DEFAULT);
		return 2;
	}
	if (db_kind(db) == DB_POSTGRES) {
		fprintf(stderr, "enrollctl: this store is on PostgreSQL: back it "
		    "up with the server's pg_dump (README, PostgreSQL); nothing "
		    "was written\n");
		return 1;
	}
	e = backup_create(db, argv[0], (int)keep, time(NULL), path,
	    sizeof(path));
	if (e == ERR_NOTFOUND)
		fprintf(stderr, "enrollctl: %s is not a folder this user can "
		    "write to\n", argv[0]);
	else if (e != ERR_OK)
		fprintf(stderr, "enrollctl: the backup failed (%s); nothing was "
		    "kept\n", err_str(e));
	if (e != ERR_OK)
		return 1;
	printf("%s\n", path);
	return 0;
}

/* restore FILE: only with every program stopped. */
static int
cmd_restore(struct db *db, const struct config *cfg, int argc, char **argv)
{
	enum err e;

	if (argc != 1) {
		fprintf(stderr, "usage: enrollctl restore FILE\n");
		return 2;
	}
	if (db_target_is_postgres(cfg->db_path)) {
		fprintf(stderr, "enrollctl: this store is on PostgreSQL: restore "
		    "a pg_dump with pg_restore (README, PostgreSQL); nothing was "
		    "changed\n");
		return 1;
	}
	e = backup_restore(argv[0], cfg->db_path);
	if (e == ERR_CONFLICT)
		fprintf(stderr, "enrollctl: %s is in use: stop the store's "
		    "programs first; nothing was changed\n", cfg->db_path);
	else if (e == ERR_NOTFOUND)
		fprintf(stderr, "enrollctl: cannot read %s\n", argv[0]);
	else if (e == ERR_INVALID)
		fprintf(stderr, "enrollctl: %s is not a sound database of this "
		    "store (damaged, or from a newer enroll); nothing was "
		    "changed\n", argv[0]);
	else if (e != ERR_OK)
		fprintf(stderr, "enrollctl: the restore failed: %s\n",
		    err_str(e));
	if (e != ERR_OK)
		return 1;
	printf("%s restored from %s; run 'enrollctl migrate' before the "
	    "programs\n", cfg->db_path, argv[0]);
	return 0;
}

/* ---- copy-db: moving a school between SQLite and PostgreSQL ---------- */

/* target as it may be shown: a PostgreSQL URL's password masked. */
static const char *
target_shown(struct arena *a, const char *target)
{
	char shown[1024];

	db_target_shown(target, shown, sizeof(shown));
	return arena_strdup(a, shown);
}

static void
copy_db_print(void *arg, const char *table, int64_t rows, int money)
{
	printf("%s: %lld row%s%s\n", table, (long long)rows,
	    rows == 1 ? "" : "s", money > 0 ? ", amounts equal" : "");
}

/* Removes a SQLite file this command made, with its journal files. */
static void
remove_new_file(struct arena *a, const char *path)
{
	unlink(path);
	unlink(arena_printf(a, "%s-wal", path));
	unlink(arena_printf(a, "%s-shm", path));
}

/* copy-db FROM TO: the whole store FROM into the new or empty store TO
 * (each a SQLite file or a postgresql:// URL, as ENROLL_DB), checked
 * before it commits.  Run with the programs stopped: what they write to
 * FROM meanwhile is not copied. */
static int
cmd_copy_db(struct db *db, const struct config *cfg, int argc, char **argv)
{
	struct copy_db_total total;
	struct db *from = NULL, *to = NULL;
	struct arena *a;
	struct stat sb;
	char why[600];
	int made = 0, rc = 1;
	enum err e;

	if (argc != 2) {
		fprintf(stderr, "usage: enrollctl copy-db FROM TO  (each a "
		    "SQLite file or a postgresql:// URL; TO new or empty)\n");
		return 2;
	}
	if ((a = arena_new()) == NULL)
		return 1;
	if (strcmp(argv[0], argv[1]) == 0) {
		fprintf(stderr, "enrollctl: FROM and TO are the same store\n");
		goto out;
	}
	/* db_open would make a missing file: FROM must be there. */
	if (!db_target_is_postgres(argv[0]) && access(argv[0], R_OK) != 0) {
		fprintf(stderr, "enrollctl: cannot read %s; nothing was "
		    "copied\n", argv[0]);
		goto out;
	}
	made = !db_target_is_postgres(argv[1]) && stat(argv[1], &sb) != 0;
	if ((from = db_open(argv[0])) == NULL ||
	    (to = db_open(argv[1])) == NULL) {
		fprintf(stderr, "enrollctl: cannot open %s; nothing was "
		    "copied\n", target_shown(a, from == NULL ? argv[0] :
		    argv[1]));
		goto out;
	}
	/* A new database holds password hashes: its owner's alone. */
	if (made && chmod(argv[1], 0600) != 0) {
		fprintf(stderr, "enrollctl: cannot make %s private\n", argv[1]);
		goto out;
	}
	e = copy_db(from, to, a, copy_db_print, NULL, &total, why,
	    sizeof(why));
	if (e != ERR_OK) {
		fprintf(stderr, "enrollctl: %s; nothing was copied\n", why);
		goto out;
	}
	printf("copied %zu tables, %lld rows, into %s; counts and amounts "
	    "checked\n", total.tables, (long long)total.rows,
	    target_shown(a, argv[1]));
	made = 0;
	rc = 0;
out:
	db_close(from);
	db_close(to);
	if (made)
		remove_new_file(a, argv[1]);
	arena_free(a);
	return rc;
}

static void
doctor_print(void *arg, enum doctor_level level, const char *check,
    const char *detail)
{
	printf("%-4s  %-22s %s\n", doctor_level_name(level), check, detail);
}

/* doctor: one line per check; exit 1 on any FAIL. */
static int
cmd_doctor(struct db *db, const struct config *cfg, int argc, char **argv)
{
	struct stripe *s = NULL;
	int fails;

	if (cfg->stripe_key != NULL &&
	    (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (s = stripe_new(cfg->stripe_api_base, cfg->stripe_key)) == NULL)) {
		fprintf(stderr, "enrollctl: cannot start the Stripe client\n");
		return 1;
	}
	if (s != NULL)	/* a doctor should answer quickly */
		stripe_set_retries(s, 1, 10000);
	fails = doctor_run(db, cfg, s, doctor_print, NULL);
	stripe_free(s);
	if (cfg->stripe_key != NULL)
		curl_global_cleanup();
	return fails > 0 ? 1 : 0;
}

static const struct command commands[] = {
	{ "migrate", "", "create or upgrade the schema", cmd_migrate },
	{ "seed-demo", "", "load demo courses into an empty catalog",
	    cmd_seed_demo },
	{ "render-content", "", "render lesson bodies and course "
	    "descriptions changed by SQL", cmd_render_content },
	{ "create-admin", "EMAIL [NAME]", "create or promote an admin; "
	    "password on stdin", cmd_create_admin },
	{ "send-mail", "", "deliver due mail from the outbox", cmd_send_mail },
	{ "mail-worker", "", "deliver mail as it is queued, until stopped",
	    cmd_mail_worker },
	{ "expire-orders", "", "expire stale checkouts, release reservations",
	    cmd_expire_orders },
	{ "reconcile", "", "apply Stripe events the webhook missed",
	    cmd_reconcile },
	{ "backup", "DIR [KEEP]", "a checked copy of the live database; keeps "
	    "the newest KEEP", cmd_backup },
	{ "restore", "FILE", "put a backup back (programs stopped)",
	    cmd_restore },
	{ "doctor", "", "check the settings operators get wrong", cmd_doctor },
	{ "report-rebuild", "", "sum the reports' days again from the orders",
	    cmd_report_rebuild },
	{ "copy-db", "FROM TO", "copy the whole store into a new one (SQLite "
	    "<-> PostgreSQL)", cmd_copy_db },
};

static int
usage(void)
{
	fprintf(stderr, "usage: enrollctl COMMAND [ARGS]   (database: "
	    "$ENROLL_DB, default var/enroll.db)\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %-14s %-12s %s\n", commands[i].name,
		    commands[i].usage, commands[i].help);
	return 2;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct db *db;
	int rc;

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		config_load(&cfg);
		if (tz_set(cfg.timezone) != ERR_OK) {
			fprintf(stderr, "enrollctl: ENROLL_TIMEZONE=%s is not a "
			    "time zone of this machine (an IANA name such as "
			    "Europe/Paris)\n", cfg.timezone);
			return 1;
		}
		/* restore must be the only one with the database open. */
		if (commands[i].run == cmd_restore)
			return cmd_restore(NULL, &cfg, argc - 2, argv + 2);
		/* copy-db opens the two stores it is given, not ENROLL_DB. */
		if (commands[i].run == cmd_copy_db)
			return cmd_copy_db(NULL, &cfg, argc - 2, argv + 2);
		if ((db = db_open(cfg.db_path)) == NULL) {
			fprintf(stderr, "enrollctl: cannot open %s\n",
			    cfg.db_shown);
			return 1;
		}
		if (commands[i].run != cmd_migrate &&
		    db_schema_version(db) != db_schema_latest()) {
			fprintf(stderr, "enrollctl: %s has schema version %d and "
			    "this enrollctl needs %d: %s\n", cfg.db_shown,
			    db_schema_version(db), db_schema_latest(),
			    db_schema_version(db) > db_schema_latest() ?
			    "it was upgraded by a newer enroll; use that "
			    "version" : "run 'enrollctl migrate' first");
			db_close(db);
			return 1;
		}
		rc = commands[i].run(db, &cfg, argc - 2, argv + 2);
		db_close(db);
		return rc;
	}
	fprintf(stderr, "enrollctl: unknown command '%s'\n", argv[1]);
	return usage();
}
