/* The doctor's checks (see doctor.h).  Each check is a small function
 * that calls say() once; doctor_run counts the failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "doctor.h"
#include "stripe.h"

struct doctor {
	doctor_say_fn say;	/* the caller's reporter */
	void *arg;		/* its argument */
	int fails;		/* FAILs so far */
};

static const char *const level_names[DOCTOR_LEVEL_MAX] = {
	[DOCTOR_OK] = "OK", [DOCTOR_WARN] = "WARN", [DOCTOR_FAIL] = "FAIL",
};

const char *
doctor_level_name(enum doctor_level l)
{
	return (unsigned)l < DOCTOR_LEVEL_MAX ? level_names[l] : "?";
}

static void
verdict(struct doctor *d, enum doctor_level l, const char *check,
    const char *detail)
{
	d->fails += l == DOCTOR_FAIL;
	d->say(d->arg, l, check, detail);
}

static int
key_is(const char *key, const char *mode)
{
	char sk[16], rk[16];

	snprintf(sk, sizeof(sk), "sk_%s_", mode);
	snprintf(rk, sizeof(rk), "rk_%s_", mode);
	return key != NULL && (strncmp(key, sk, strlen(sk)) == 0 ||
	    strncmp(key, rk, strlen(rk)) == 0);
}

static void
check_key(struct doctor *d, const struct config *cfg)
{
	const char *k = cfg->stripe_key;

	if (k == NULL)
		verdict(d, DOCTOR_FAIL, "Stripe key", "STRIPE_SECRET_KEY is not "
		    "set: no checkout can start");
	else if (!key_is(k, "live") && !key_is(k, "test"))
		verdict(d, DOCTOR_FAIL, "Stripe key", "STRIPE_SECRET_KEY is not "
		    "a secret key (sk_live_..., sk_test_... or rk_...)");
	else
		verdict(d, DOCTOR_OK, "Stripe key", key_is(k, "live") ?
		    "live mode" : "test mode: no real money moves");
}

static void
check_webhook_secret(struct doctor *d, const struct config *cfg)
{
	const char *w = cfg->webhook_secrets, *p;

	if (w == NULL || *w == '\0') {
		verdict(d, DOCTOR_FAIL, "webhook secret", "STRIPE_WEBHOOK_SECRET "
		    "is not set: every Stripe event would be refused");
		return;
	}
	for (p = w; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, "whsec_", 6) != 0) {
			verdict(d, DOCTOR_FAIL, "webhook secret", "each "
			    "STRIPE_WEBHOOK_SECRET must be the endpoint's "
			    "whsec_... signing secret (not a key)");
			return;
		}
	verdict(d, DOCTOR_OK, "webhook secret", strchr(w, ',') ?
	    "several (a rotation is under way)" : "set");
}

static int
is_local(const char *url)
{
	static const char *const local[] = { "http://localhost",
	    "http://127.", "http://[::1]" };

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (strncmp(url, local[i], strlen(local[i])) == 0)
			return 1;
	return 0;
}

static void
check_base_url(struct doctor *d, const struct config *cfg)
{
	const char *u = cfg->base_url;

	if (strncmp(u, "https://", 8) == 0)
		verdict(d, DOCTOR_OK, "ENROLL_BASE_URL", "https");
	else if (is_local(u))
		verdict(d, key_is(cfg->stripe_key, "live") ? DOCTOR_FAIL :
		    DOCTOR_OK, "ENROLL_BASE_URL", "this machine only (fine for "
		    "trying it, not for a live store)");
	else
		verdict(d, DOCTOR_FAIL, "ENROLL_BASE_URL", "not https: logins "
		    "and payment links would cross the network in clear");
}

/* Network file systems break SQLite's locking. */
static int
is_network_fs(long type)
{
	static const long nfs[] = { 0x6969, 0x517B, (long)0xFF534D42,
	    (long)0xFE534D42, 0x65735546, 0x01021997, 0x5346414F };

	for (size_t i = 0; i < sizeof(nfs) / sizeof(nfs[0]); i++)
		if (type == nfs[i])
			return 1;
	return 0;
}

static void
check_database(struct doctor *d, struct db *db, const struct config *cfg)
{
	struct db_stmt *st;
	struct statfs fs;
	struct stat sb;
	char dir[4096], *slash;
	int wal;

	/* Journal, disk and file mode are a SQLite file's; the server keeps
	 * its own (README, PostgreSQL). */
	if (db_kind(db) == DB_POSTGRES) {
		verdict(d, DOCTOR_OK, "database", "PostgreSQL, connected");
		return;
	}
	st = db_prep(db, "PRAGMA journal_mode");
	wal = db_next(st) == ERR_OK && strcmp(db_col_text(st, 0), "wal") == 0;
	db_done(st);
	verdict(d, wal ? DOCTOR_OK : DOCTOR_FAIL, "database journal", wal ?
	    "WAL" : "not in WAL mode: readers would wait for every write");
	if (statfs(cfg->db_path, &fs) == 0 && is_network_fs((long)fs.f_type))
		verdict(d, DOCTOR_FAIL, "database disk", "on a network file "
		    "system, where SQLite's locks do not hold: use a local disk");
	else
		verdict(d, DOCTOR_OK, "database disk", "local");
	snprintf(dir, sizeof(dir), "%s", cfg->db_path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (stat(cfg->db_path, &sb) == 0 && (sb.st_mode & S_IROTH))
		verdict(d, DOCTOR_FAIL, "database permissions", "anyone on this "
		    "machine can read it (password hashes, emails): chmod o-rwx");
	else if (access(dir, W_OK) != 0)
		verdict(d, DOCTOR_FAIL, "database permissions", "its folder is "
		    "not writable by this user, and SQLite writes -wal and -shm "
		    "files beside it");
	else
		verdict(d, DOCTOR_OK, "database permissions", "private");
}

static void
check_mail(struct doctor *d, const struct config *cfg)
{
	if (cfg->smtp_url == NULL)
		verdict(d, DOCTOR_WARN, "mail", "ENROLL_SMTP_URL is not set: "
		    "mail is written as files into ENROLL_MAIL_DIR, not sent");
	else if (strncmp(cfg->smtp_url, "smtps://", 8) != 0 &&
	    strncmp(cfg->smtp_url, "smtp://localhost", 16) != 0 &&
	    strncmp(cfg->smtp_url, "smtp://127.", 11) != 0)
		verdict(d, DOCTOR_WARN, "mail", "SMTP to another machine "
		    "without smtps://: mail leaves unencrypted");
	else
		verdict(d, DOCTOR_OK, "mail", "SMTP");
}

/* Stripe signs events with its clock and we accept 300 s of skew. */
static void
check_clock(struct doctor *d, struct stripe *s)
{
	struct stripe_event_filter f = { .limit = 1 };
	struct stripe_event_list l;
	struct stripe_error se;
	char line[160];
	long skew;

	if (s == NULL)
		return;
	if (stripe_event_list(s, &f, &l, &se) != ERR_OK || se.date == 0) {
		stripe_event_list_free(&l);
		verdict(d, DOCTOR_FAIL, "Stripe", se.status == 401 ? "Stripe "
		    "refuses the key" : "Stripe could not be reached");
		return;
	}
	stripe_event_list_free(&l);
	skew = labs((long)(se.date - (int64_t)time(NULL)));
	snprintf(line, sizeof(line), "reached; this clock is %ld s from "
	    "Stripe's%s", skew, skew > 60 ? ": fix NTP, webhook signatures "
	    "allow 300 s" : "");
	verdict(d, skew > 120 ? DOCTOR_FAIL : skew > 10 ? DOCTOR_WARN :
	    DOCTOR_OK, "Stripe", line);
}

int
doctor_run(struct db *db, const struct config *cfg, struct stripe *s,
    doctor_say_fn say, void *arg)
{
	struct doctor d = { say, arg, 0 };

	check_key(&d, cfg);
	check_webhook_secret(&d, cfg);
	check_base_url(&d, cfg);
	check_database(&d, db, cfg);
	check_mail(&d, cfg);
	check_clock(&d, s);
	return d.fails;
}
