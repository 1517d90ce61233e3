/* libFuzzer target for lib/tmpl.c: the input is a template that may
 * extend or include two fixed ones; it is compiled and, when it compiles,
 * rendered against a small fixed context.  Neither step may crash, hang or
 * leak, whatever the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base_src[] =
    "<title>{% block title %}T{% endblock %}</title>"
    "{% for c in courses %}{% block row %}{{ loop.index }}"
    "{{ c.title }}{% endblock %}{% endfor %}"
    "{% block main %}{{ user.name|default('x')|upper }}{% endblock %}";

static const char part_src[] =
    "<p>{{ c.title|truncate(5) }} {{ c.price|money }} "
    "{{ when|datetime }}</p>";

static const char ctx_src[] =
    "{\"user\":{\"name\":\"Ann <b>\",\"admin\":true},"
    "\"courses\":[{\"title\":\"C & systems\",\"price\":{\"amount\":4900,"
    "\"currency\":\"usd\"}},{\"title\":\"Go\",\"price\":0},"
    "{\"title\":\"\xc3\xa9t\xc3\xa9\",\"price\":{\"amount\":100,"
    "\"currency\":\"jpy\"}}],"
    "\"n\":3,\"f\":2.5,\"big\":1e300,\"s\":\"a'b\\\"c\",\"e\":\"\","
    "\"none\":null,\"t\":true,\"when\":1795529100,\"date\":\"2026-11-24\","
    "\"list\":[1,2,[3,[4]],{\"k\":\"v\"}],\"obj\":{\"a\":{\"b\":{}}}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *ctx;	/* parsed once, kept for the whole run */
	struct tmpl_set *set;
	struct buf out = { 0 }, msg = { 0 };
	char *src;

	if (size > 64 * 1024)
		return 0;
	if (ctx == NULL && (ctx = cJSON_Parse(ctx_src)) == NULL)
		abort();
	if ((src = malloc(size + 1)) == NULL)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	set = tmpl_set_new();
	if (set != NULL && tmpl_set_add(set, "base.html", base_src) == ERR_OK &&
	    tmpl_set_add(set, "part.html", part_src) == ERR_OK &&
	    tmpl_set_add(set, "fuzz.html", src) == ERR_OK &&
	    tmpl_set_compile(set, &msg) == ERR_OK) {
		/* Render twice: the compiled set must not change. */
		if (tmpl_render(set, "fuzz.html", ctx, &out) == ERR_OK) {
			size_t len = out.len;
			char *first = buf_steal(&out);

			if (first != NULL &&
			    tmpl_render(set, "fuzz.html", ctx, &out) == ERR_OK &&
			    (out.len != len || memcmp(first, out.data ?
			    out.data : "", len) != 0))
				abort();
			free(first);
		}
	} else if (set != NULL && msg.len == 0 && !msg.oom)
		abort();	/* a compile error must say why */
	buf_free(&out);
	buf_free(&msg);
	tmpl_set_free(set);
	free(src);
	return 0;
}
