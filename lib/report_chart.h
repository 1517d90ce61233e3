/* Bar charts drawn on the server: the geometry of an SVG bar chart as a
 * template context (templates/admin/report_chart.html draws it), so that
 * a chart is plain markup, escaped like every other value, with no
 * script.  Coordinates are whole units of a fixed viewBox that the page
 * scales to its width; the tallest bar fills the plot, every bar above 0
 * is at least one unit tall, and a bar below 0 is drawn as 0 (its value
 * still in the table beside the chart). */
#ifndef ENROLL_REPORT_CHART_H
#define ENROLL_REPORT_CHART_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;

#define CHART_WIDTH	720	/* viewBox width */
#define CHART_HEIGHT	240	/* viewBox height */
#define CHART_LEFT	40	/* room for the value axis ("0") */
#define CHART_RIGHT	8	/* margin after the last bar */
#define CHART_TOP	30	/* room above the tallest bar for its value */
#define CHART_BOTTOM	28	/* room for the labels under the bars */
#define CHART_PLOT_H	(CHART_HEIGHT - CHART_TOP - CHART_BOTTOM)
#define CHART_PLOT_W	(CHART_WIDTH - CHART_LEFT - CHART_RIGHT)
#define CHART_BAR_MAX	60	/* widest bar, so one bar is not a slab */
#define CHART_LABELS	4	/* labels under the bars, at most */

struct chart_point {
	const char *label;	/* "2026-12-04", "2026-12" */
	int64_t value;		/* minor units (with a currency) or a count */
};

/* Returns a new chart object for the template: id (an HTML id, the
 * caller's), title, currency (NULL: values are counts), width, height,
 * top, bottom (of the plot), left, right, empty (no point above 0), max
 * (the tallest value), bars [{x, y, w, h, label, value}] (points above
 * 0 only) and labels [{x, anchor, text}] (under some bars; the first and
 * the last at the plot's edges).  With a currency, max and each
 * bar's value are money objects.  NULL when memory ran out.  The caller
 * owns it (cJSON_Delete, or adding it to a context that is freed).
 * Also, for the template (which does no arithmetic): cx, cy (the plot's
 * centre), axis_x (right end of the "0" label), max_y (baseline of the
 * tallest value's label, above the plot from its left edge), label_y
 * (baseline of the labels under the bars). */
struct cJSON *report_chart(const char *id, const char *title,
    const char *currency, const struct chart_point *pts, size_t n);

#endif
