/* Reads struct config from environment variables with their defaults. */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "config.h"
#include "db.h"

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : fallback;
}

void
config_load(struct config *cfg)
{
	const char *base = env_or("ENROLL_BASE_URL", "http://127.0.0.1:8080");
	size_t n;

	cfg->db_path = env_or("ENROLL_DB", "var/enroll.db");
	db_target_shown(cfg->db_path, cfg->db_shown, sizeof(cfg->db_shown));
	if (getenv("ENROLL_METRICS_FILE") != NULL &&
	    *getenv("ENROLL_METRICS_FILE") != '\0')
		snprintf(cfg->metrics_path, sizeof(cfg->metrics_path), "%s",
		    getenv("ENROLL_METRICS_FILE"));
	else if (db_target_is_postgres(cfg->db_path))
		snprintf(cfg->metrics_path, sizeof(cfg->metrics_path),
		    "var/enroll-metrics");
	else
		snprintf(cfg->metrics_path, sizeof(cfg->metrics_path),
		    "%s-metrics", cfg->db_path);
	/* The base URL is joined with paths: drop a trailing slash once. */
	n = strlen(base);
	if (n >= sizeof(cfg->base_url))
		n = sizeof(cfg->base_url) - 1;
	while (n > 0 && base[n - 1] == '/')
		n--;
	memcpy(cfg->base_url, base, n);
	cfg->base_url[n] = '\0';
	cfg->secure_cookies = strncmp(base, "https://", 8) == 0;
	cfg->stripe_key = env_or("STRIPE_SECRET_KEY", NULL);
	cfg->webhook_secrets = env_or("STRIPE_WEBHOOK_SECRET", NULL);
	cfg->stripe_api_base = env_or("STRIPE_API_BASE", "https://api.stripe.com");
	cfg->smtp_url = env_or("ENROLL_SMTP_URL", NULL);
	cfg->mail_from = env_or("ENROLL_MAIL_FROM", "enroll@localhost");
	cfg->mail_dir = env_or("ENROLL_MAIL_DIR", "var/mail");
	cfg->timezone = env_or("ENROLL_TIMEZONE", "UTC");
	cfg->media_dir = env_or("ENROLL_MEDIA_DIR", "var/media");
}
