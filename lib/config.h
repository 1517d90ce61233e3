/* Configuration from the environment, read once at start-up.  README.md
 * lists every variable; nothing else configures the store. */
#ifndef ENROLL_CONFIG_H
#define ENROLL_CONFIG_H

struct config {
	const char *db_path;	/* ENROLL_DB, default var/enroll.db */
	char db_shown[1024];	/* db_path as messages show it (no password) */
	/* ENROLL_METRICS_FILE: this host's shared counters; by default
	 * beside a SQLite file, var/enroll-metrics with PostgreSQL. */
	char metrics_path[4096];
	char base_url[512];	/* ENROLL_BASE_URL, no trailing slash */
	int secure_cookies;	/* base_url is https: cookies get Secure */
	const char *stripe_key;	/* STRIPE_SECRET_KEY, or NULL */
	const char *webhook_secrets; /* STRIPE_WEBHOOK_SECRET: comma-separated
				   whsec_ secrets (rotation), or NULL */
	const char *stripe_api_base; /* STRIPE_API_BASE, default
				   https://api.stripe.com */
	const char *smtp_url;	/* ENROLL_SMTP_URL (smtp://host:port), or NULL */
	const char *mail_from;	/* ENROLL_MAIL_FROM */
	const char *mail_dir;	/* ENROLL_MAIL_DIR: .eml files when no SMTP */
	const char *timezone;	/* ENROLL_TIMEZONE, IANA name, default UTC */
	const char *media_dir;	/* ENROLL_MEDIA_DIR: uploaded covers (below
				   covers/), served by nginx as /media/ */
};

/* Fills cfg from the environment.  Strings point into the environment or
 * into cfg: nothing to free. */
void config_load(struct config *cfg);

#endif
