/* The audit log: one row per change an admin makes (or the store makes on
 * an admin's behalf), written by the caller inside the transaction of the
 * change, so the log and the data never disagree. */
#ifndef ENROLL_AUDIT_H
#define ENROLL_AUDIT_H

#include <stdint.h>

#include "err.h"

struct db;
struct cJSON;

/* Subjects are "<kind>:<id>", e.g. "course:12"; at most this long. */
#define AUDIT_SUBJECT_MAX 64

/* Writes one row: actor (users.id, 0 for the store itself), action
 * ("course.update"), subject ("course:12"), detail (a line of words, or
 * NULL).  before and after are JSON objects of the record's fields (either
 * may be NULL: a creation has no before, a deletion no after); of two
 * given, only the fields whose values differ are kept, so the row shows
 * what changed.  Call inside the transaction of the change.  Neither
 * object is freed here. */
enum err audit_write(struct db *db, int64_t actor, const char *action,
    const char *subject, const struct cJSON *before,
    const struct cJSON *after, const char *detail, int64_t now);

/* Writes "<kind>:<id>" into out (AUDIT_SUBJECT_MAX bytes). */
void audit_subject(char *out, const char *kind, int64_t id);

/* Reads the audit fields of record id: a new object the caller frees with
 * cJSON_Delete, or NULL with *e set (ERR_NOTFOUND, ERR_INTERNAL). */
typedef struct cJSON *audit_snapshot_fn(struct db *db, int64_t id,
    enum err *e);

/* Writes the row of a change of record "<kind>:<id>" from before (NULL
 * for a creation) to its state now as snapshot reads it (snapshot NULL
 * after a deletion: no after), so each area that snapshots its records
 * writes its rows one way.  Call inside the transaction of the change;
 * before is not freed here. */
enum err audit_write_record(struct db *db, int64_t actor, const char *action,
    const char *kind, int64_t id, const struct cJSON *before,
    audit_snapshot_fn *snapshot, int64_t now);

/* audit_write_record, then commits the caller's transaction (an admin
 * area's change ends with its audit row).  On an error nothing is
 * committed: the caller rolls back. */
enum err audit_record_commit(struct db *db, int64_t actor, const char *action,
    const char *kind, int64_t id, const struct cJSON *before,
    audit_snapshot_fn *snapshot, int64_t now);

#endif
