/* The geometry of a bar chart (see report_chart.h). */
#include <cjson/cJSON.h>

#include "money.h"
#include "report_chart.h"

static int
add_int(cJSON *o, const char *k, int64_t v)
{
	return cJSON_AddNumberToObject(o, k, (double)v) != NULL;
}

/* Adds v under k: a money object with a currency, else a number. */
static int
add_value(cJSON *o, const char *k, int64_t v, const char *currency)
{
	cJSON *m;

	if (currency == NULL)
		return add_int(o, k, v);
	if ((m = money_json(v, currency)) == NULL)
		return 0;
	if (!cJSON_AddItemToObject(o, k, m)) {
		cJSON_Delete(m);
		return 0;
	}
	return 1;
}

/* Height of v in a plot where max fills it: rounded, at least 1 above
 * 0, 0 at or below 0. */
static int64_t
bar_height(int64_t v, int64_t max)
{
	__int128 h;

	if (v <= 0 || max <= 0)
		return 0;
	h = ((__int128)v * CHART_PLOT_H * 2 + max) / (2 * (__int128)max);
	return h < 1 ? 1 : (int64_t)h;
}

static int
add_bar(cJSON *bars, const struct chart_point *p, size_t i, size_t n,
    int64_t max, const char *currency)
{
	int64_t x0 = CHART_LEFT + (int64_t)i * CHART_PLOT_W / (int64_t)n;
	int64_t x1 = CHART_LEFT + (int64_t)(i + 1) * CHART_PLOT_W / (int64_t)n;
	int64_t slot = x1 - x0, gap = slot >= 3 ? (slot + 4) / 5 : 0;
	int64_t w = slot - gap, h = bar_height(p->value, max);
	cJSON *b;

	if (w > CHART_BAR_MAX)
		w = CHART_BAR_MAX;
	if ((b = cJSON_CreateObject()) == NULL)
		return 0;
	if (!cJSON_AddItemToArray(bars, b)) {
		cJSON_Delete(b);
		return 0;
	}
	return add_int(b, "x", x0 + (slot - w) / 2) &&
	    add_int(b, "y", CHART_TOP + CHART_PLOT_H - h) &&
	    add_int(b, "w", w) && add_int(b, "h", h) &&
	    cJSON_AddStringToObject(b, "label", p->label) != NULL &&
	    add_value(b, "value", p->value, currency);
}

/* Labels under CHART_LABELS bars spread evenly (fewer when there are
 * fewer bars): the first and the last, which end at the plot's edges so
 * that no label runs out of the picture. */
static int
add_labels(cJSON *labels, const struct chart_point *pts, size_t n)
{
	size_t k, nl = n < CHART_LABELS ? n : CHART_LABELS, i;
	const char *anchor;
	int64_t x;
	cJSON *l;

	for (k = 0; k < nl; k++) {
		i = nl == 1 ? 0 : k * (n - 1) / (nl - 1);
		x = CHART_LEFT + ((int64_t)(2 * i + 1) * CHART_PLOT_W) /
		    (2 * (int64_t)n);
		anchor = "middle";
		if (nl > 1 && k == 0) {
			x = CHART_LEFT;
			anchor = "start";
		} else if (nl > 1 && k == nl - 1) {
			x = CHART_LEFT + CHART_PLOT_W;
			anchor = "end";
		}
		if ((l = cJSON_CreateObject()) == NULL)
			return 0;
		if (!cJSON_AddItemToArray(labels, l)) {
			cJSON_Delete(l);
			return 0;
		}
		if (!add_int(l, "x", x) ||
		    cJSON_AddStringToObject(l, "anchor", anchor) == NULL ||
		    cJSON_AddStringToObject(l, "text", pts[i].label) == NULL)
			return 0;
	}
	return 1;
}

static int
fill(cJSON *c, const char *id, const char *title, const char *currency,
    const struct chart_point *pts, size_t n)
{
	cJSON *bars, *labels;
	int64_t max = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (pts[i].value > max)
			max = pts[i].value;
	if (cJSON_AddStringToObject(c, "id", id) == NULL ||
	    cJSON_AddStringToObject(c, "title", title) == NULL ||
	    (currency != NULL &&
	    cJSON_AddStringToObject(c, "currency", currency) == NULL) ||
	    !add_int(c, "width", CHART_WIDTH) ||
	    !add_int(c, "height", CHART_HEIGHT) ||
	    !add_int(c, "top", CHART_TOP) ||
	    !add_int(c, "bottom", CHART_TOP + CHART_PLOT_H) ||
	    !add_int(c, "left", CHART_LEFT) ||
	    !add_int(c, "right", CHART_LEFT + CHART_PLOT_W) ||
	    !add_int(c, "cx", CHART_LEFT + CHART_PLOT_W / 2) ||
	    !add_int(c, "cy", CHART_TOP + CHART_PLOT_H / 2) ||
	    !add_int(c, "axis_x", CHART_LEFT - 6) ||
	    !add_int(c, "max_y", CHART_TOP - 10) ||
	    !add_int(c, "label_y", CHART_TOP + CHART_PLOT_H + 20) ||
	    cJSON_AddBoolToObject(c, "empty", max == 0) == NULL ||
	    !add_value(c, "max", max, currency) ||
	    (bars = cJSON_AddArrayToObject(c, "bars")) == NULL ||
	    (labels = cJSON_AddArrayToObject(c, "labels")) == NULL)
		return 0;
	if (max == 0)
		return 1;
	/* A bar of 0 is no bar: the table beside says 0. */
	for (i = 0; i < n; i++)
		if (pts[i].value > 0 &&
		    !add_bar(bars, &pts[i], i, n, max, currency))
			return 0;
	return add_labels(labels, pts, n);
}

struct cJSON *
report_chart(const char *id, const char *title, const char *currency,
    const struct chart_point *pts, size_t n)
{
	cJSON *c = cJSON_CreateObject();

	if (c != NULL && !fill(c, id, title, currency, pts, n)) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}
