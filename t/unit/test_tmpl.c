/* Unit tests of lib/tmpl.c: escaping, control flow, inheritance, filters,
 * compile errors with file:line, limits against hostile templates, and
 * that a compiled set renders the same page every time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "tmpl.h"

/* Builds a set from NULL-terminated name/source pairs and compiles it;
 * the caller frees the set.  *rc and msg receive the compile result. */
static struct tmpl_set *
build(const char *const *files, enum err *rc, struct buf *msg)
{
	struct tmpl_set *set = tmpl_set_new();
	size_t i;

	assert_non_null(set);
	for (i = 0; files[i] != NULL; i += 2)
		assert_int_equal(tmpl_set_add(set, files[i], files[i + 1]),
		    ERR_OK);
	*rc = tmpl_set_compile(set, msg);
	return set;
}

/* Renders page of files against the JSON text ctx and compares. */
static void
check_pages(const char *const *files, const char *page, const char *ctx,
    const char *want)
{
	struct buf msg = { 0 }, out = { 0 };
	struct tmpl_set *set;
	cJSON *j = NULL;
	enum err rc;

	set = build(files, &rc, &msg);
	if (rc != ERR_OK)
		fail_msg("compile: %s", msg.data);
	if (ctx != NULL)
		assert_non_null(j = cJSON_Parse(ctx));
	rc = tmpl_render(set, page, j, &out);
	assert_int_equal(rc, ERR_OK);
	assert_string_equal(out.data ? out.data : "", want);
	cJSON_Delete(j);
	buf_free(&out);
	buf_free(&msg);
	tmpl_set_free(set);
}

static void
check(const char *src, const char *ctx, const char *want)
{
	const char *files[] = { "t.html", src, NULL };

	check_pages(files, "t.html", ctx, want);
}

/* Expects the files to fail to compile with exactly the message want. */
static void
check_error_pages(const char *const *files, const char *want)
{
	struct buf msg = { 0 }, out = { 0 };
	struct tmpl_set *set;
	enum err rc;

	set = build(files, &rc, &msg);
	assert_int_equal(rc, ERR_INVALID);
	assert_non_null(msg.data);
	assert_string_equal(msg.data, want);
	assert_int_not_equal(tmpl_render(set, files[0], NULL, &out), ERR_OK);
	buf_free(&out);
	buf_free(&msg);
	tmpl_set_free(set);
}

static void
check_error(const char *src, const char *want)
{
	const char *files[] = { "t.html", src, NULL };

	check_error_pages(files, want);
}

/* Expects rendering src against ctx to fail with rc. */
static void
check_render_fails(const char *src, const char *ctx, enum err want)
{
	const char *files[] = { "t.html", src, NULL };
	struct buf out = { 0 };
	struct tmpl_set *set;
	cJSON *j;
	enum err rc;

	set = build(files, &rc, NULL);
	assert_int_equal(rc, ERR_OK);
	assert_non_null(j = cJSON_Parse(ctx));
	assert_int_equal(tmpl_render(set, "t.html", j, &out), want);
	cJSON_Delete(j);
	buf_free(&out);
	tmpl_set_free(set);
}

/* --- Output and escaping ------------------------------------------- */

static void
escapes_script_tags_by_default(void **state)
{
	check("<p>{{ x }}</p>", "{\"x\":\"<script>alert('x')&</script>\"}",
	    "<p>&lt;script&gt;alert(&#39;x&#39;)&amp;&lt;/script&gt;</p>");
}

static void
escapes_attribute_quotes(void **state)
{
	check("<a title=\"{{ t }}\" data-x='{{ t }}'>",
	    "{\"t\":\"\\\" onmouseover='x'\"}",
	    "<a title=\"&quot; onmouseover=&#39;x&#39;\" "
	    "data-x='&quot; onmouseover=&#39;x&#39;'>");
}

static void
escapes_filter_results_and_literals(void **state)
{
	check("{{ x|upper }}{{ '<i>' }}{{ x|default('&') }}",
	    "{\"x\":\"<b>\"}", "&lt;B&gt;&lt;i&gt;&lt;b&gt;");
	check("{{ y|default('<&>') }}", "{}", "&lt;&amp;&gt;");
}

static void
raw_filter_outputs_trusted_html_unescaped(void **state)
{
	check("{{ h|raw }}|{{ h }}", "{\"h\":\"<em>hi</em>\"}",
	    "<em>hi</em>|&lt;em&gt;hi&lt;/em&gt;");
	check("{{ h|upper|raw }}", "{\"h\":\"<em>\"}", "<EM>");
}

static void
raw_must_be_the_last_filter(void **state)
{
	check_error("a\n{{ h|raw|upper }}",
	    "t.html:2: 'raw' must be the last filter");
}

static void
prints_numbers_as_integers_when_integral(void **state)
{
	check("{{ a }} {{ b }} {{ c }} {{ d }} {{ 42 }} {{ -7 }}",
	    "{\"a\":3,\"b\":2.5,\"c\":-12,\"d\":1e15}",
	    "3 2.5 -12 1000000000000000 42 -7");
}

static void
missing_and_null_values_print_empty(void **state)
{
	check("[{{ nope }}][{{ a.b.c }}][{{ n }}][{{ n.x }}][{{ loop.index }}]"
	    "[{{ list }}][{{ s.0 }}]",
	    "{\"a\":{\"b\":1},\"n\":null,\"list\":[1],\"s\":\"str\"}",
	    "[][][][][][][]");
	check("{{ t }} {{ f }} {{ true }} {{ none }}",
	    "{\"t\":true,\"f\":false}", "true false true ");
}

static void
renders_without_context(void **state)
{
	check("a{{ x }}b{% if x %}no{% endif %}", NULL, "ab");
}

static void
dotted_paths_reach_nested_objects_and_array_items(void **state)
{
	check("{{ user.name }} {{ order.items.1.title }} {{ order.items.9 }}",
	    "{\"user\":{\"name\":\"Ann\"},\"order\":{\"items\":"
	    "[{\"title\":\"A\"},{\"title\":\"B\"}]}}", "Ann B ");
}

/* --- Control flow -------------------------------------------------- */

static void
if_elif_else_picks_the_first_true_branch(void **state)
{
	const char *src = "{% if n == 1 %}one{% elif n == 2 %}two"
	    "{% elif n == 3 %}three{% else %}many{% endif %}";

	check(src, "{\"n\":1}", "one");
	check(src, "{\"n\":2}", "two");
	check(src, "{\"n\":3}", "three");
	check(src, "{\"n\":9}", "many");
	check(src, "{}", "many");
	check("{% if x %}yes{% endif %}", "{}", "");
}

static void
truthiness_is_false_for_null_false_zero_empty(void **state)
{
	const char *src = "{% if v %}T{% else %}F{% endif %}";

	check(src, "{\"v\":null}", "F");
	check(src, "{\"v\":false}", "F");
	check(src, "{\"v\":0}", "F");
	check(src, "{\"v\":\"\"}", "F");
	check(src, "{\"v\":[]}", "F");
	check(src, "{\"v\":{}}", "F");
	check(src, "{}", "F");
	check(src, "{\"v\":\"0\"}", "T");
	check(src, "{\"v\":[0]}", "T");
	check(src, "{\"v\":{\"a\":0}}", "T");
	check(src, "{\"v\":-1}", "T");
	check(src, "{\"v\":true}", "T");
}

static void
compares_numbers_and_strings(void **state)
{
	check("{{ 1 < 2 }}{{ 2 <= 2 }}{{ 3 > 4 }}{{ 4 >= 5 }}{{ n == 5 }}"
	    "{{ n != 5 }}", "{\"n\":5}", "truetruefalsefalsetruefalse");
	check("{{ 'a' < 'b' }}{{ 'ab' > 'a' }}{{ s == 'paid' }}"
	    "{{ s != \"paid\" }}", "{\"s\":\"paid\"}", "truetruetruefalse");
	/* Mixed kinds are never equal nor ordered. */
	check("{{ '1' == 1 }}{{ '1' < 2 }}{{ none == missing }}"
	    "{{ true == true }}", "{}", "falsefalsetruetrue");
}

static void
and_or_not_with_parentheses(void **state)
{
	check("{{ a and b }}|{{ a or b }}|{{ not a }}|{{ not (a and c) }}|"
	    "{{ (a or c) and b }}|{{ not not a }}",
	    "{\"a\":true,\"b\":false,\"c\":true}",
	    "false|true|false|false|false|true");
	/* or gives an operand, so it supplies defaults. */
	check("{{ name or 'Anonymous' }} {{ other or 'x' }}",
	    "{\"other\":\"Bo\"}", "Anonymous Bo");
	check("{% if a == 1 and not b or c %}y{% endif %}",
	    "{\"a\":1,\"b\":true,\"c\":false}", "");
}

static void
in_tests_arrays_strings_and_keys(void **state)
{
	check("{{ 2 in xs }}{{ 5 in xs }}{{ 'ell' in s }}{{ 'k' in o }}"
	    "{{ 'z' not in o }}{{ 'a' in missing }}",
	    "{\"xs\":[1,2,3],\"s\":\"hello\",\"o\":{\"k\":1}}",
	    "truefalsetruetruetruefalse");
}

static void
for_loop_exposes_loop_variables(void **state)
{
	check("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}"
	    "{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}"
	    "{{ loop.length }}{{ loop.revindex }}:{{ x }};{% endfor %}",
	    "{\"xs\":[\"a\",\"b\",\"c\"]}",
	    "10F33:a;2132:b;32L31:c;");
}

static void
for_else_renders_when_list_is_empty_or_missing(void **state)
{
	const char *src = "{% for c in courses %}{{ c.title }},"
	    "{% else %}No courses yet.{% endfor %}";

	check(src, "{\"courses\":[]}", "No courses yet.");
	check(src, "{}", "No courses yet.");
	check(src, "{\"courses\":\"text\"}", "No courses yet.");
	check(src, "{\"courses\":[{\"title\":\"C\"},{\"title\":\"Go\"}]}",
	    "C,Go,");
}

static void
nested_loops_shadow_loop_and_variables(void **state)
{
	check("{% for r in rows %}{% for r in r.cells %}{{ r }}"
	    "{{ loop.index }}{% endfor %}|{{ loop.index }}:{{ r.name }};"
	    "{% endfor %}{{ r }}",
	    "{\"r\":\"ctx\",\"rows\":[{\"name\":\"a\",\"cells\":[\"x\",\"y\"]},"
	    "{\"name\":\"b\",\"cells\":[\"z\"]}]}",
	    "x1y2|1:a;z1|2:b;ctx");
}

static void
set_assigns_and_loops_scope_it(void **state)
{
	check("{% set a = 'one' %}{{ a }}{% set a = n|default(2) %}{{ a }}"
	    "{% for x in xs %}{% set a = x %}{{ a }}{% endfor %}{{ a }}",
	    "{\"xs\":[7,8]}", "one2782");
	check("{% set user = 'shadow' %}{{ user }}", "{\"user\":\"ctx\"}",
	    "shadow");
}

static void
comments_are_dropped(void **state)
{
	check("a{# one #}b{# two\n lines {{ x }} {% if %} #}c", "{}", "abc");
}

static void
whitespace_control_trims_adjacent_blanks(void **state)
{
	check("<ul>\n  {%- for x in xs -%}\n    <li>{{ x }}</li>\n  "
	    "{%- endfor -%}\n</ul>", "{\"xs\":[1,2]}",
	    "<ul><li>1</li><li>2</li></ul>");
	check("a \n {{- x -}} \n b", "{\"x\":\"X\"}", "aXb");
	check("a {{ x }} b", "{\"x\":\"X\"}", "a X b");
	check("a  {#- c -#}  b", "{}", "ab");
}

/* --- Inheritance and includes -------------------------------------- */

static void
extends_three_levels_with_block_overrides(void **state)
{
	const char *files[] = {
		"base.html", "<title>{% block title %}Base{% endblock %}"
		    "</title><main>{% block content %}base{% endblock %}"
		    "</main><footer>{% block footer %}F{% endblock footer %}"
		    "</footer>",
		"mid.html", "{% extends \"base.html\" %}\n"
		    "{% block content %}<div>{% block inner %}mid{% endblock %}"
		    "</div>{% endblock %}\n",
		"leaf.html", "{# page #}\n{% extends 'mid.html' %}\n"
		    "{% block title %}{{ t }}{% endblock %}\n"
		    "{% block inner %}leaf {{ t }}{% endblock %}\n",
		NULL,
	};

	check_pages(files, "leaf.html", "{\"t\":\"Cart\"}",
	    "<title>Cart</title><main><div>leaf Cart</div></main>"
	    "<footer>F</footer>");
	check_pages(files, "mid.html", "{}",
	    "<title>Base</title><main><div>mid</div></main><footer>F</footer>");
	check_pages(files, "base.html", "{}",
	    "<title>Base</title><main>base</main><footer>F</footer>");
}

static void
child_set_outside_blocks_reaches_the_layout(void **state)
{
	const char *files[] = {
		"base.html", "<nav class=\"{{ active }}\">{% block b %}"
		    "{% endblock %}</nav>",
		"page.html", "{% extends \"base.html\" %}\n"
		    "{% set active = 'cart' %}\n{% block b %}x{% endblock %}",
		NULL,
	};

	check_pages(files, "page.html", "{}", "<nav class=\"cart\">x</nav>");
}

static void
include_renders_partial_with_context_and_loop_variables(void **state)
{
	const char *files[] = {
		"page.html", "<h1>{{ title }}</h1>{% for c in courses %}"
		    "{% include \"partials/card.html\" %}{% endfor %}",
		"partials/card.html", "<div>{{ loop.index }}. {{ c.title }}"
		    " ({{ title }}){% set title = 'changed' %}</div>",
		NULL,
	};

	check_pages(files, "page.html",
	    "{\"title\":\"All\",\"courses\":[{\"title\":\"C\"},{\"title\":\"Go\"}]}",
	    "<h1>All</h1><div>1. C (All)</div><div>2. Go (All)</div>");
}

static void
include_inside_a_block_of_a_child(void **state)
{
	const char *files[] = {
		"base.html", "[{% block main %}{% endblock %}]",
		"page.html", "{% extends 'base.html' %}{% block main %}"
		    "{% include 'p.html' %}{% endblock %}",
		"p.html", "{% extends 'base.html' %}{% block main %}p"
		    "{% endblock %}",
		NULL,
	};

	check_pages(files, "page.html", "{}", "[[p]]");
}

/* --- Filters ------------------------------------------------------- */

static void
money_filter_formats_objects_and_plain_integers(void **state)
{
	check("{{ p|money }} {{ e|money }} {{ y|money }} {{ 4900|money }} "
	    "{{ big|money }}[{{ missing|money }}]",
	    "{\"p\":{\"amount\":123450,\"currency\":\"usd\"},"
	    "\"e\":{\"amount\":-500,\"currency\":\"eur\"},"
	    "\"y\":{\"amount\":4900,\"currency\":\"jpy\"},"
	    "\"big\":9007199254740992}",
	    "$1,234.50 -\xe2\x82\xac" "5.00 \xc2\xa5" "4,900 $49.00 "
	    "$90,071,992,547,409.92[]");
}

static void
money_filter_refuses_fractions_and_amounts_beyond_2_53(void **state)
{
	check_render_fails("{{ x|money }}", "{\"x\":49.5}", ERR_INVALID);
	check_render_fails("{{ x|money }}", "{\"x\":9007199254740994}",
	    ERR_INVALID);
	check_render_fails("{{ x|money }}", "{\"x\":\"49\"}", ERR_INVALID);
	check_render_fails("{{ x|money }}",
	    "{\"x\":{\"amount\":1,\"currency\":\"<b>\"}}", ERR_INVALID);
	check_render_fails("{{ x|money }}", "{\"x\":{\"amount\":1}}",
	    ERR_INVALID);
}

static void
date_filters_format_unix_seconds_and_sqlite_text(void **state)
{
	check("{{ t|date }}|{{ t|datetime }}|{{ s|date }}|{{ s|datetime }}|"
	    "{{ d|date }}|{{ missing|date }}",
	    "{\"t\":1795529100,\"s\":\"2026-11-24 14:05:09\","
	    "\"d\":\"2026-01-05\"}",
	    "24 Nov 2026|24 Nov 2026 14:05 UTC|24 Nov 2026|"
	    "24 Nov 2026 14:05 UTC|5 Jan 2026|");
	check("{{ 0|datetime }}", "{}", "1 Jan 1970 00:00 UTC");
	check_render_fails("{{ x|date }}", "{\"x\":\"tomorrow\"}",
	    ERR_INVALID);
	check_render_fails("{{ x|date }}", "{\"x\":1e300}", ERR_INVALID);
}

static void
upper_lower_length_default(void **state)
{
	check("{{ s|upper }} {{ s|lower }} {{ 5|upper }} {{ s|length }} "
	    "{{ xs|length }} {{ o|length }} {{ missing|length }} "
	    "{{ missing|default('none') }} {{ s|default('x') }} "
	    "{{ z|default(1) }}",
	    "{\"s\":\"Caf\xc3\xa9 Ok\",\"xs\":[1,2,3],\"o\":{\"a\":1},"
	    "\"z\":0}",
	    "CAF\xc3\xa9 OK caf\xc3\xa9 ok 5 7 3 1 0 none Caf\xc3\xa9 Ok 0");
}

static void
urlencode_percent_encodes_query_values(void **state)
{
	check("<a href=\"/search?q={{ q|urlencode }}&amp;n={{ 3|urlencode }}\">",
	    "{\"q\":\"a&b c/\xc3\xa9\\\"\"}",
	    "<a href=\"/search?q=a%26b%20c%2F%C3%A9%22&amp;n=3\">");
}

static void
truncate_is_utf8_safe_and_adds_an_ellipsis(void **state)
{
	check("{{ s|truncate(4) }}|{{ s|truncate(10) }}|{{ s|truncate(7) }}|"
	    "{{ t|truncate(3) }}|{{ s|truncate(0) }}",
	    "{\"s\":\"\xc3\xa9t\xc3\xa9 <b>\",\"t\":\"ab cd\"}",
	    "\xc3\xa9t\xc3\xa9\xe2\x80\xa6|\xc3\xa9t\xc3\xa9 &lt;b&gt;|"
	    "\xc3\xa9t\xc3\xa9 &lt;b&gt;|ab\xe2\x80\xa6|\xe2\x80\xa6");
	check_render_fails("{{ s|truncate(n) }}", "{\"s\":\"x\",\"n\":-1}",
	    ERR_INVALID);
}

static void
pluralize_picks_suffixes_by_count(void **state)
{
	check("{{ n }} course{{ n|pluralize }}, {{ one }} course"
	    "{{ one|pluralize }}, {{ xs|length }} box{{ xs|pluralize('es') }},"
	    " {{ one }} pon{{ one|pluralize('y,ies') }} "
	    "pon{{ n|pluralize('y,ies') }}",
	    "{\"n\":0,\"one\":1,\"xs\":[1,2]}",
	    "0 courses, 1 course, 2 boxes, 1 pony ponies");
}

/* --- Compile errors ------------------------------------------------ */

static void
unknown_tag_is_reported_with_file_and_line(void **state)
{
	check_error("a\nb\n{% iff x %}", "t.html:3: unknown tag 'iff'");
}

static void
unclosed_blocks_are_reported_at_their_opening_line(void **state)
{
	check_error("\n{% if x %}\n", "t.html:2: unclosed {% if %}");
	check_error("{% for x in y %}{% if x %}{% endif %}",
	    "t.html:1: unclosed {% for %}");
	check_error("\n\n{% block a %}", "t.html:3: unclosed {% block %}");
	check_error("{% if a %}\n{% endfor %}", "t.html:2: unexpected "
	    "{% endfor %} inside {% if %} opened at line 1");
	check_error("x\n{% endif %}", "t.html:2: unexpected {% endif %}");
	check_error("{% for x in y %}{% else %}{% else %}{% endfor %}",
	    "t.html:1: unexpected {% else %} inside {% for %} opened at "
	    "line 1");
	check_error("{% block a %}{% endblock b %}",
	    "t.html:1: {% endblock b %} closes {% block a %}");
}

static void
unclosed_delimiters_are_reported(void **state)
{
	check_error("ok\n{{ x ", "t.html:2: unclosed {{");
	check_error("{% if x", "t.html:1: unclosed {%");
	check_error("\n{# note", "t.html:2: unclosed comment");
	check_error("{{ 'abc }}", "t.html:1: unclosed {{");
}

static void
bad_expressions_are_reported(void **state)
{
	check_error("\n{{ }}", "t.html:2: empty {{ }}");
	check_error("{{ a b }}", "t.html:1: end of tag expected, not 'b'");
	check_error("{{ a == }}",
	    "t.html:1: a value expected at end of tag");
	check_error("{{ (a }}", "t.html:1: ')' expected at end of tag");
	check_error("{{ a.}}", "t.html:1: a name after '.' expected at end "
	    "of tag");
	check_error("{{ a + 1 }}", "t.html:1: end of tag expected, not '+'");
	check_error("{{ and }}", "t.html:1: a value expected, not 'and'");
	check_error("{% if %}", "t.html:1: a value expected at end of tag");
	check_error("{% for in xs %}{% endfor %}",
	    "t.html:1: 'in' cannot be a variable name");
	check_error("{% for loop in xs %}{% endfor %}",
	    "t.html:1: 'loop' cannot be a variable name");
	check_error("{% set x 1 %}", "t.html:1: '=' expected, not '1'");
	check_error("{% else %}", "t.html:1: unexpected {% else %}");
	check_error("{{ 1234567890123456 }}", "t.html:1: number too large");
	check_error("{{\n\n x\n y }}", "t.html:4: end of tag expected, not 'y'");
}

static void
unknown_filters_and_wrong_arguments_are_reported(void **state)
{
	check_error("\n{{ x|safe }}", "t.html:2: unknown filter 'safe'");
	check_error("{{ x|truncate }}",
	    "t.html:1: filter 'truncate' needs an argument");
	check_error("{{ x|upper(2) }}",
	    "t.html:1: filter 'upper' takes no argument");
	check_error("{{ x|default(1, 2) }}",
	    "t.html:1: ')' after the filter argument expected, not ','");
	check_error("{{ x| }}",
	    "t.html:1: a filter name after '|' expected at end of tag");
}

static void
missing_extends_and_include_targets_are_reported(void **state)
{
	check_error("\n{% extends \"nope.html\" %}",
	    "t.html:2: extends target 'nope.html' not found");
	check_error("a\n\n{% include 'partials/nope.html' %}",
	    "t.html:3: include target 'partials/nope.html' not found");
	check_error("{% include nope %}",
	    "t.html:1: a quoted template name expected, not 'nope'");
}

static void
extends_must_be_the_first_tag(void **state)
{
	const char *files[] = { "t.html", "x\n{% extends 'b.html' %}",
		"b.html", "", NULL };
	const char *files2[] = { "t.html", "{% if 1 %}\n{% extends 'b.html' %}"
		"{% endif %}", "b.html", "", NULL };

	check_error_pages(files,
	    "t.html:2: {% extends %} must be the first tag");
	check_error_pages(files2,
	    "t.html:2: {% extends %} must be the first tag");
}

static void
content_outside_blocks_of_a_child_is_rejected(void **state)
{
	const char *files[] = { "t.html", "{% extends 'b.html' %}\n\n"
		"<p>lost</p>", "b.html", "", NULL };

	check_error_pages(files, "t.html:1: only {% block %} and {% set %} "
	    "may stand outside blocks in a template that extends another");
}

static void
duplicate_blocks_are_rejected(void **state)
{
	check_error("{% block a %}{% endblock %}\n{% block a %}{% endblock %}",
	    "t.html:2: block 'a' defined twice");
	check_error("{% block a %}\n{% block a %}{% endblock %}{% endblock %}",
	    "t.html:1: block 'a' defined twice");
}

static void
include_cycle_is_rejected(void **state)
{
	const char *self[] = { "t.html", "\n{% include 't.html' %}", NULL };
	const char *loop[] = {
		"t.html", "{% include 'a.html' %}",
		"a.html", "{% if false %}\n{% include 'b.html' %}{% endif %}",
		"b.html", "\n\n{% include 'a.html' %}",
		NULL,
	};
	const char *ext[] = {
		"t.html", "{% extends 'b.html' %}",
		"b.html", "{% include 't.html' %}",
		NULL,
	};

	check_error_pages(self,
	    "t.html:2: include cycle: t.html -> t.html");
	check_error_pages(loop,
	    "b.html:3: include cycle: t.html -> a.html -> b.html -> a.html");
	check_error_pages(ext,
	    "b.html:1: include cycle: t.html -> b.html -> t.html");
}

static void
long_include_chains_are_rejected(void **state)
{
	const char *files[2 * 20 + 1];
	char names[20][24], srcs[20][48];
	int i;

	for (i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "p%d.html", i);
		snprintf(srcs[i], sizeof(srcs[i]), "{%% include 'p%d.html' %%}",
		    i + 1);
		files[2 * i] = names[i];
		files[2 * i + 1] = i == 19 ? "end" : srcs[i];
	}
	files[40] = NULL;
	check_error_pages(files, "p15.html:1: extends/include chain too long: "
	    "p0.html -> p1.html -> p2.html -> p3.html -> p4.html -> p5.html"
	    " -> p6.html -> p7.html -> p8.html -> p9.html -> p10.html -> "
	    "p11.html -> p12.html -> p13.html -> p14.html -> p15.html -> "
	    "p16.html");
}

static void
deep_nesting_is_rejected(void **state)
{
	struct buf src = { 0 };
	int i;

	for (i = 0; i < TMPL_MAX_NEST + 1; i++)
		buf_puts(&src, "{% if x %}\n");
	check_error(src.data, "t.html:33: tags nested deeper than 32");
	buf_reset(&src);
	for (i = 0; i < TMPL_MAX_NEST; i++)
		buf_puts(&src, "{% for x in y %}");
	buf_puts(&src, "ok");
	for (i = 0; i < TMPL_MAX_NEST; i++)
		buf_puts(&src, "{% endfor %}");
	check(src.data, "{}", "");
	buf_free(&src);
}

static void
deep_expressions_are_rejected(void **state)
{
	struct buf src = { 0 };
	int i;

	buf_puts(&src, "{{ ");
	for (i = 0; i < 100; i++)
		buf_puts(&src, "(");
	buf_puts(&src, "1");
	for (i = 0; i < 100; i++)
		buf_puts(&src, ")");
	buf_puts(&src, " }}");
	check_error(src.data, "t.html:1: expression nested deeper than 32");
	buf_reset(&src);
	buf_puts(&src, "{{ x");
	for (i = 0; i < 40; i++)
		buf_puts(&src, "|upper");
	buf_puts(&src, " }}");
	check_error(src.data, "t.html:1: expression nested deeper than 32");
	buf_reset(&src);
	buf_puts(&src, "{{ ");
	for (i = 0; i < 100; i++)
		buf_puts(&src, "not ");
	buf_puts(&src, "x }}");
	check_error(src.data, "t.html:1: expression nested deeper than 32");
	buf_free(&src);
}

/* --- The set ------------------------------------------------------- */

static void
render_of_a_compiled_set_is_repeatable(void **state)
{
	const char *files[] = {
		"base.html", "<h1>{% block h %}{% endblock %}</h1>",
		"p.html", "{% extends 'base.html' %}{% block h %}"
		    "{% for c in cs %}{{ c.t|upper }} {{ c.p|money }};"
		    "{% endfor %}{% endblock %}",
		NULL,
	};
	struct buf a = { 0 }, b = { 0 };
	struct tmpl_set *set;
	cJSON *ctx;
	enum err rc;

	set = build(files, &rc, NULL);
	assert_int_equal(rc, ERR_OK);
	ctx = cJSON_Parse("{\"cs\":[{\"t\":\"c\",\"p\":4900},"
	    "{\"t\":\"go\",\"p\":{\"amount\":100,\"currency\":\"eur\"}}]}");
	assert_int_equal(tmpl_render(set, "p.html", ctx, &a), ERR_OK);
	assert_int_equal(tmpl_render(set, "p.html", ctx, &b), ERR_OK);
	assert_string_equal(a.data, "<h1>C $49.00;GO \xe2\x82\xac" "1.00;</h1>");
	assert_string_equal(a.data, b.data);
	cJSON_Delete(ctx);
	buf_free(&a);
	buf_free(&b);
	tmpl_set_free(set);
}

static void
unknown_template_is_notfound_and_exists_says_so(void **state)
{
	const char *files[] = { "a.html", "x", NULL };
	struct buf out = { 0 };
	struct tmpl_set *set;
	enum err rc;

	set = build(files, &rc, NULL);
	assert_int_equal(rc, ERR_OK);
	assert_int_equal(tmpl_render(set, "b.html", NULL, &out), ERR_NOTFOUND);
	assert_true(tmpl_exists(set, "a.html"));
	assert_false(tmpl_exists(set, "b.html"));
	assert_false(tmpl_exists(set, "a.htm"));
	assert_int_equal(tmpl_set_add(set, "a.html", "y"), ERR_CONFLICT);
	/* Adding makes the set need compiling again. */
	assert_int_equal(tmpl_set_add(set, "b.html", "{{ 1 }}"), ERR_OK);
	assert_int_equal(tmpl_render(set, "b.html", NULL, &out), ERR_INVALID);
	assert_int_equal(tmpl_set_compile(set, NULL), ERR_OK);
	assert_int_equal(tmpl_render(set, "b.html", NULL, &out), ERR_OK);
	assert_string_equal(out.data, "1");
	buf_free(&out);
	tmpl_set_free(set);
	tmpl_set_free(NULL);
}

static void
large_filter_output_spills_to_the_heap_without_leaks(void **state)
{
	struct buf src = { 0 }, want = { 0 }, out = { 0 };
	const char *files[] = { "t.html", NULL, NULL };
	struct tmpl_set *set;
	cJSON *ctx;
	char *big;
	enum err rc;
	int i;

	big = malloc(6001);
	assert_non_null(big);
	memset(big, 'a', 6000);
	big[6000] = '\0';
	ctx = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx, "s", big);
	buf_puts(&src, "{% set u = s|upper %}{% for i in xs %}"
	    "{% set v = s|lower %}{{ u|length }}{% endfor %}{{ u|truncate(2) }}");
	cJSON_AddItemToObject(ctx, "xs", cJSON_CreateIntArray(
	    (const int[]){ 1, 2, 3 }, 3));
	files[1] = src.data;
	set = build(files, &rc, NULL);
	assert_int_equal(rc, ERR_OK);
	assert_int_equal(tmpl_render(set, "t.html", ctx, &out), ERR_OK);
	for (i = 0; i < 3; i++)
		buf_puts(&want, "6000");
	buf_puts(&want, "AA\xe2\x80\xa6");
	assert_string_equal(out.data, want.data);
	free(big);
	cJSON_Delete(ctx);
	buf_free(&src);
	buf_free(&want);
	buf_free(&out);
	tmpl_set_free(set);
}

static void
string_literals_take_escapes_and_hold_delimiters(void **state)
{
	check("{{ 'it\\'s' }}|{{ \"a }} %} b\" }}|{% if s == 'x\"y' %}eq"
	    "{% endif %}", "{\"s\":\"x\\\"y\"}",
	    "it&#39;s|a }} %} b|eq");
}

static void
embedded_templates_compile(void **state)
{
	struct buf msg = { 0 };
	struct tmpl_set *set = NULL;
	enum err rc;

	rc = tmpl_set_load_embedded(&set, &msg);
	if (rc != ERR_OK)
		fail_msg("templates/: %s", msg.data);
	assert_non_null(set);
	tmpl_set_free(set);
	buf_free(&msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_script_tags_by_default),
		cmocka_unit_test(escapes_attribute_quotes),
		cmocka_unit_test(escapes_filter_results_and_literals),
		cmocka_unit_test(raw_filter_outputs_trusted_html_unescaped),
		cmocka_unit_test(raw_must_be_the_last_filter),
		cmocka_unit_test(prints_numbers_as_integers_when_integral),
		cmocka_unit_test(missing_and_null_values_print_empty),
		cmocka_unit_test(renders_without_context),
		cmocka_unit_test(dotted_paths_reach_nested_objects_and_array_items),
		cmocka_unit_test(if_elif_else_picks_the_first_true_branch),
		cmocka_unit_test(truthiness_is_false_for_null_false_zero_empty),
		cmocka_unit_test(compares_numbers_and_strings),
		cmocka_unit_test(and_or_not_with_parentheses),
		cmocka_unit_test(in_tests_arrays_strings_and_keys),
		cmocka_unit_test(for_loop_exposes_loop_variables),
		cmocka_unit_test(for_else_renders_when_list_is_empty_or_missing),
		cmocka_unit_test(nested_loops_shadow_loop_and_variables),
		cmocka_unit_test(set_assigns_and_loops_scope_it),
		cmocka_unit_test(comments_are_dropped),
		cmocka_unit_test(whitespace_control_trims_adjacent_blanks),
		cmocka_unit_test(extends_three_levels_with_block_overrides),
		cmocka_unit_test(child_set_outside_blocks_reaches_the_layout),
		cmocka_unit_test(include_renders_partial_with_context_and_loop_variables),
		cmocka_unit_test(include_inside_a_block_of_a_child),
		cmocka_unit_test(money_filter_formats_objects_and_plain_integers),
		cmocka_unit_test(money_filter_refuses_fractions_and_amounts_beyond_2_53),
		cmocka_unit_test(date_filters_format_unix_seconds_and_sqlite_text),
		cmocka_unit_test(upper_lower_length_default),
		cmocka_unit_test(urlencode_percent_encodes_query_values),
		cmocka_unit_test(truncate_is_utf8_safe_and_adds_an_ellipsis),
		cmocka_unit_test(pluralize_picks_suffixes_by_count),
		cmocka_unit_test(unknown_tag_is_reported_with_file_and_line),
		cmocka_unit_test(unclosed_blocks_are_reported_at_their_opening_line),
		cmocka_unit_test(unclosed_delimiters_are_reported),
		cmocka_unit_test(bad_expressions_are_reported),
		cmocka_unit_test(unknown_filters_and_wrong_arguments_are_reported),
		cmocka_unit_test(missing_extends_and_include_targets_are_reported),
		cmocka_unit_test(extends_must_be_the_first_tag),
		cmocka_unit_test(content_outside_blocks_of_a_child_is_rejected),
		cmocka_unit_test(duplicate_blocks_are_rejected),
		cmocka_unit_test(include_cycle_is_rejected),
		cmocka_unit_test(long_include_chains_are_rejected),
		cmocka_unit_test(deep_nesting_is_rejected),
		cmocka_unit_test(deep_expressions_are_rejected),
		cmocka_unit_test(render_of_a_compiled_set_is_repeatable),
		cmocka_unit_test(unknown_template_is_notfound_and_exists_says_so),
		cmocka_unit_test(large_filter_output_spills_to_the_heap_without_leaks),
		cmocka_unit_test(string_literals_take_escapes_and_hold_delimiters),
		cmocka_unit_test(embedded_templates_compile),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
