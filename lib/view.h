/* Template views of domain objects: the one mapping from a struct to the
 * cJSON a page renders, so every page shows a course the same way. */
#ifndef ENROLL_VIEW_H
#define ENROLL_VIEW_H

#include "catalog.h"

struct cJSON;

/* Returns a new cJSON object for c (id, slug, title, summary, type,
 * type_label, level, instructor, price {amount, currency}, is_free, url,
 * capacity, starts_at, lesson_count, total_minutes); NULL when out of
 * memory.  The caller owns it (cJSON_Delete, or add it to a context). */
struct cJSON *view_course(struct arena *a, const struct course *c);

/* Same for a lesson. */
struct cJSON *view_lesson(const struct lesson *l);

#endif
