/* Cover images (see cover.h): sniffing and content-addressed storage. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cover.h"
#include "log.h"

const char *
cover_sniff(const unsigned char *d, size_t n)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r',
	    '\n', 0x1a, '\n' };

	if (d == NULL)
		return NULL;
	if (n >= 8 && memcmp(d, png, 8) == 0)
		return ".png";
	if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
		return ".jpg";
	if (n >= 12 && memcmp(d, "RIFF", 4) == 0 &&
	    memcmp(d + 8, "WEBP", 4) == 0)
		return ".webp";
	return NULL;
}

/* Makes dir (one level) unless it exists.  Covers are public: nginx,
 * another user, reads them, whatever the program's umask (0077 under
 * systemd), so modes are set, not masked. */
static int
dir_ensure(const char *dir)
{
	if (mkdir(dir, 0755) == 0)
		return chmod(dir, 0755);
	return errno == EEXIST ? 0 : -1;
}

/* Writes the n bytes at data to a new temporary file beside final and
 * renames it over final. */
static enum err
write_atomically(const char *tmp, const char *final,
    const unsigned char *data, size_t n)
{
	ssize_t w;
	size_t done = 0;
	int fd;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0)
		return ERR_INTERNAL;
	if (fchmod(fd, 0644) != 0) {
		close(fd);
		unlink(tmp);
		return ERR_INTERNAL;
	}
	while (done < n) {
		if ((w = write(fd, data + done, n - done)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		done += (size_t)w;
	}
	if (done < n || fsync(fd) != 0 || close(fd) != 0 ||
	    rename(tmp, final) != 0) {
		if (done < n)
			close(fd);
		unlink(tmp);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err
cover_store(struct arena *a, const char *media_dir,
    const unsigned char *data, size_t n, const char **path, int *created)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(hash) + 1], *dir, *final, *tmp;
	const char *ext = cover_sniff(data, n);
	struct stat sb;

	*path = NULL;
	*created = 0;
	if (ext == NULL || n > COVER_MAX_BYTES)
		return ERR_INVALID;
	crypto_hash_sha256(hash, data, n);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	if ((*path = arena_printf(a, "covers/%s%s", hex, ext)) == NULL ||
	    (dir = arena_printf(a, "%s/covers", media_dir)) == NULL ||
	    (final = arena_printf(a, "%s/%s", media_dir, *path)) == NULL ||
	    (tmp = arena_printf(a, "%s/.%s.%ld", dir, hex, (long)getpid())) ==
	    NULL)
		return ERR_INTERNAL;
	if (stat(final, &sb) == 0)
		return ERR_OK;
	if (dir_ensure(media_dir) != 0 || dir_ensure(dir) != 0 ||
	    write_atomically(tmp, final, data, n) != ERR_OK) {
		log_error(NULL, "cover: cannot write %s: %s", final,
		    strerror(errno));
		return ERR_INTERNAL;
	}
	*created = 1;
	return ERR_OK;
}

void
cover_unstore(const char *media_dir, const char *path)
{
	char full[4096];

	if (path == NULL || strstr(path, "..") != NULL ||
	    (size_t)snprintf(full, sizeof(full), "%s/%s", media_dir, path) >=
	    sizeof(full))
		return;
	if (unlink(full) != 0 && errno != ENOENT)
		log_error(NULL, "cover: cannot remove %s: %s", full,
		    strerror(errno));
}
