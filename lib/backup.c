/* Backups (see backup.h).  The copy itself is SQLite's online backup in
 * db.c; this file names, checks, publishes and prunes. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "db.h"
#include "log.h"

#define BACKUP_PREFIX "enroll-"
#define BACKUP_SUFFIX ".db"

/* fsync()s the file or folder at path, so a rename survives a crash. */
static enum err
sync_path(const char *path)
{
	int fd = open(path, O_RDONLY);
	int rc;

	if (fd < 0)
		return ERR_INTERNAL;
	rc = fsync(fd);
	close(fd);
	return rc == 0 ? ERR_OK : ERR_INTERNAL;
}

/* The copy at path must be sound and of the schema this program made. */
static enum err
check_copy(const char *path)
{
	int version;
	enum err e = db_check_file(path, &version);

	if (e == ERR_OK && version != db_schema_latest()) {
		log_error(NULL, "backup: %s has schema %d, expected %d", path,
		    version, db_schema_latest());
		e = ERR_INVALID;
	}
	return e;
}

static int
is_backup_name(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, BACKUP_PREFIX, strlen(BACKUP_PREFIX)) == 0 &&
	    n > strlen(BACKUP_SUFFIX) &&
	    strcmp(name + n - strlen(BACKUP_SUFFIX), BACKUP_SUFFIX) == 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes all but the newest keep backups in dir (names sort by time). */
static enum err
prune(const char *dir, int keep)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, **grown, path[4096];
	size_t n = 0;
	enum err e = ERR_OK;

	if (d == NULL)
		return ERR_NOTFOUND;
	while ((de = readdir(d)) != NULL) {
		if (!is_backup_name(de->d_name))
			continue;
		if ((grown = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (grown[n] = strdup(de->d_name)) == NULL) {
			names = grown != NULL ? grown : names;
			e = ERR_INTERNAL;
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (e == ERR_OK && n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; e == ERR_OK && i + (size_t)keep < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (unlink(path) != 0)
			e = ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

enum err
backup_create(struct db *db, const char *dir, int keep, int64_t now,
    char *path, size_t n)
{
	char stamp[32], partial[4096];
	time_t t = (time_t)now;
	struct tm tm;
	enum err e;

	if (access(dir, W_OK) != 0)
		return ERR_NOTFOUND;
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&t, &tm));
	snprintf(path, n, "%s/" BACKUP_PREFIX "%s" BACKUP_SUFFIX, dir, stamp);
	snprintf(partial, sizeof(partial), "%s/.partial-%s-%ld", dir, stamp,
	    (long)getpid());
	unlink(partial);
	/* It holds password hashes and addresses: its owner's alone. */
	if ((e = db_backup_to(db, partial)) != ERR_OK ||
	    (e = chmod(partial, 0600) == 0 ? ERR_OK : ERR_INTERNAL) != ERR_OK ||
	    (e = check_copy(partial)) != ERR_OK ||
	    (e = sync_path(partial)) != ERR_OK)
		goto fail;
	if (rename(partial, path) != 0) {
		e = ERR_INTERNAL;
		goto fail;
	}
	if ((e = sync_path(dir)) != ERR_OK)
		return e;
	return prune(dir, keep > 0 ? keep : 1);
fail:
	unlink(partial);
	return e;
}

enum err
backup_restore(const char *file, const char *db_path)
{
	int version;
	enum err e;

	if ((e = db_check_file(file, &version)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_NOTFOUND : ERR_INVALID;
	if (version <= 0 || version > db_schema_latest()) {
		log_error(NULL, "restore: %s has schema %d; this program knows "
		    "1 to %d", file, version, db_schema_latest());
		return ERR_INVALID;
	}
	return db_restore(file, db_path);
}
