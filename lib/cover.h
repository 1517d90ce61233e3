/* Course cover images: what an upload is (by its bytes, never its name or
 * declared type), and where it is kept.  A cover is stored once under the
 * hex SHA-256 of its bytes with the extension of its real type, in
 * <media>/covers/, which nginx serves as /media/covers/ with that type,
 * nosniff and a year's caching (a name never changes content). */
#ifndef ENROLL_COVER_H
#define ENROLL_COVER_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

#define COVER_MAX_BYTES (2 * 1024 * 1024)	/* largest cover accepted */
#define COVER_ALT_MAX 200			/* longest alt text */

/* Returns the extension (".png", ".jpg", ".webp") of the image in the n
 * bytes at data, judged by its magic bytes, or NULL for anything else. */
const char *cover_sniff(const unsigned char *data, size_t n);

/* Stores the n bytes at data (an image cover_sniff accepts, at most
 * COVER_MAX_BYTES) as <media_dir>/covers/<sha256 hex><ext>, written to a
 * temporary file and renamed, so a reader never sees half a file.
 * *path gets "covers/<hex><ext>" (arena) and *created 1 when the file is
 * new (0: the same image was there already).  ERR_INVALID for a
 * non-image or too large, ERR_INTERNAL when the folder cannot be
 * written (logged). */
enum err cover_store(struct arena *a, const char *media_dir,
    const unsigned char *data, size_t n, const char **path, int *created);

/* Removes <media_dir>/<path> (a file cover_store created for a change that
 * did not happen). */
void cover_unstore(const char *media_dir, const char *path);

#endif
