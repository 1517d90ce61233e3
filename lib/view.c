/* Course and lesson views for templates. */
#include <cjson/cJSON.h>

#include "money.h"
#include "url.h"
#include "view.h"

cJSON *
view_course(struct arena *a, const struct course *c)
{
	cJSON *o = cJSON_CreateObject(), *price;
	const char *url = url_segment(a, "/courses/", c->slug);

	price = money_json(c->price_amount, c->currency);
	if (o == NULL || price == NULL || url == NULL ||
	    !cJSON_AddItemToObject(o, "price", price)) {
		cJSON_Delete(price);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	cJSON_AddStringToObject(o, "slug", c->slug);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "title", c->title);
	cJSON_AddStringToObject(o, "summary", c->summary);
	cJSON_AddStringToObject(o, "description", c->description);
	cJSON_AddStringToObject(o, "type", c->type);
	cJSON_AddStringToObject(o, "type_label", course_type_label(c->type));
	cJSON_AddStringToObject(o, "level", c->level);
	cJSON_AddStringToObject(o, "instructor", c->instructor);
	cJSON_AddBoolToObject(o, "is_free", c->price_amount == 0);
	cJSON_AddBoolToObject(o, "is_active", c->is_active);
	cJSON_AddNumberToObject(o, "capacity", (double)c->capacity);
	cJSON_AddNumberToObject(o, "starts_at", (double)c->starts_at);
	cJSON_AddNumberToObject(o, "enroll_deadline",
	    (double)c->enroll_deadline);
	cJSON_AddNumberToObject(o, "lesson_count", (double)c->lesson_count);
	cJSON_AddNumberToObject(o, "total_minutes", (double)c->total_minutes);
	return o;
}

cJSON *
view_lesson(const struct lesson *l)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)l->id);
	cJSON_AddNumberToObject(o, "position", (double)l->position);
	cJSON_AddStringToObject(o, "title", l->title);
	cJSON_AddNumberToObject(o, "minutes", (double)l->minutes);
	cJSON_AddBoolToObject(o, "is_preview", l->is_preview);
	return o;
}
