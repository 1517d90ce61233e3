/* Download my data (GDPR articles 15 and 20): everything the store holds
 * about one person as one JSON document, and nothing about anyone else:
 * every statement is bound to the person's own id. */
#ifndef ENROLL_EXPORT_H
#define ENROLL_EXPORT_H

#include <stdint.h>

#include "err.h"

struct db;
struct cJSON;

/* The tables the document reads, and those about a person it leaves out
 * on purpose (NULL-terminated).  Every table that refers to users is in
 * one of them (t/unit/test_personal_data.c checks). */
extern const char *const export_read[];
extern const char *const export_left_out[];

/* Sets *out to the document of user_id at now (caller frees with
 * cJSON_Delete()).  ERR_NOTFOUND when there is no such live account. */
enum err export_user(struct db *db, int64_t user_id, int64_t now,
    struct cJSON **out);

#endif
