/* Lesson bodies and course descriptions (lib/content.c): what an
 * instructor writes in CommonMark becomes headings, lists, code, links and
 * images; what a hostile author writes (script, event handlers,
 * javascript: links, raw HTML) comes out inert; text changed by SQL is
 * rendered again; the demo seed has real lesson text, rendered. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "content.h"
#include "db.h"
#include "fixtures.h"
#include "seed.h"

struct fx {
	struct fixture t;	/* first: database and arena, fixtures.h */
};

static int
setup(void **state)
{
	struct fx *f = fixture_new(sizeof(*f), "content");

	*state = f;
	return 0;
}

/* The elements and attributes CommonMark can produce; anything else in
 * the output would have come from the author's raw HTML. */
static const char *const tags[] = { "p", "a", "img", "code", "pre", "em",
    "strong", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "blockquote", "hr", "br", NULL };
static const char *const attrs[] = { "href", "src", "alt", "title",
    "class", "start", NULL };

static int
listed(const char *const *list, const char *s, size_t n)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && strncasecmp(*list, s, n) == 0)
			return 1;
	return 0;
}

/* Fails unless the URL value v (n bytes) is one a browser cannot run. */
static void
assert_inert_url(const char *v, size_t n)
{
	static const char *const bad[] = { "javascript:", "vbscript:",
	    "data:text", "file:", NULL };

	while (n > 0 && isspace((unsigned char)*v)) {
		v++;
		n--;
	}
	for (const char *const *b = bad; *b != NULL; b++)
		if (n >= strlen(*b) && strncasecmp(v, *b, strlen(*b)) == 0)
			fail_msg("a runnable URL survived: %.*s", (int)n, v);
}

/* Walks every tag of html: each must be one CommonMark makes, with only
 * its attributes, each quoted, and no URL a browser would run. */
static void
assert_inert(const char *html)
{
	const char *p = html, *name, *v;
	size_t n;

	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (strncmp(p, "!-- raw HTML omitted -->", 24) == 0)
			continue;
		if (*p == '/')
			p++;
		for (name = p; isalnum((unsigned char)*p); p++)
			;
		if (!listed(tags, name, (size_t)(p - name)))
			fail_msg("unexpected element in %s", html);
		for (;;) {
			while (*p == ' ' || *p == '/')
				p++;
			if (*p == '>' || *p == '\0')
				break;
			for (name = p; isalpha((unsigned char)*p); p++)
				;
			n = (size_t)(p - name);
			if (n == 0 || !listed(attrs, name, n) ||
			    strncmp(p, "=\"", 2) != 0)
				fail_msg("unexpected attribute in %s", html);
			v = p + 2;
			p = strchr(v, '"');
			assert_non_null(p);
			if (strncmp(name, "href", n) == 0 ||
			    strncmp(name, "src", n) == 0)
				assert_inert_url(v, (size_t)(p - v));
			p++;
		}
	}
}

static void
hostile_body_is_rendered_inert(void **state)
{
	static const char *const bodies[] = {
		"<script>alert(document.cookie)</script>",
		"Hello <script>alert(1)</script> world",
		"<img src=x onerror=\"alert(1)\">",
		"<a href=\"javascript:alert(1)\">click</a>",
		"[click](javascript:alert(1))",
		"[click](JaVaScRiPt:alert(1))",
		"[click]( javascript:alert(1) )",
		"[click](vbscript:msgbox(1))",
		"[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"![x](javascript:alert(1))",
		"<javascript:alert(1)>",
		"[ref]\n\n[ref]: javascript:alert(1)",
		"[t](http://a.example \"\\\" onmouseover=\\\"alert(1)\")",
		"<div onclick=\"alert(1)\">*x*</div>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"<style>body{display:none}</style>",
		"`<script>` in code is text",
		"```\n<script>alert(1)</script>\n```",
		"<svg/onload=alert(1)>",
		"<<script>script>alert(1)<</script>/script>",
		"\xff\xfe<script>broken utf-8</script>",
	};
	struct fx *f = *state;
	const char *html;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		html = content_html(f->t.a, bodies[i]);
		assert_non_null(html);
		assert_null(strcasestr(html, "<script"));
		assert_null(strcasestr(html, "<iframe"));
		assert_null(strcasestr(html, "<svg"));
		assert_inert(html);
	}
	/* Script written as code is shown, escaped. */
	html = content_html(f->t.a, "`<script>` in code is text");
	assert_non_null(strstr(html, "<code>&lt;script&gt;</code>"));
}

static void
instructor_markdown_becomes_html(void **state)
{
	struct fx *f = *state;
	const char *html = content_html(f->t.a,
	    "## Pointers\n\n"
	    "- one\n- two\n\n"
	    "1. first\n2. second\n\n"
	    "```c\nint *p = &x;\n```\n\n"
	    "See [the manual](https://example.org/man?a=1&b=2) and "
	    "![a diagram](/static/diagram.png \"Memory\").\n\n"
	    "> quoted *emphasis* and **strong**\n");

	assert_non_null(strstr(html, "<h2>Pointers</h2>"));
	assert_non_null(strstr(html, "<ul>\n<li>one</li>\n<li>two</li>"));
	assert_non_null(strstr(html, "<ol>\n<li>first</li>"));
	assert_non_null(strstr(html, "<pre><code class=\"language-c\">"
	    "int *p = &amp;x;\n</code></pre>"));
	assert_non_null(strstr(html, "<a href=\"https://example.org/man?a=1"
	    "&amp;b=2\">the manual</a>"));
	assert_non_null(strstr(html, "<img src=\"/static/diagram.png\" "
	    "alt=\"a diagram\" title=\"Memory\" />"));
	assert_non_null(strstr(html, "<blockquote>"));
	assert_non_null(strstr(html, "<em>emphasis</em>"));
	assert_inert(html);
	assert_string_equal(content_html(f->t.a, NULL), "");
}

static int64_t
int_of(struct fx *f, const char *sql)
{
	struct db_stmt *st = db_prep(f->t.db, sql);
	int64_t v = -1;

	if (db_next(st) == ERR_OK)
		v = db_col_is_null(st, 0) ? -2 : db_col_int64(st, 0);
	db_done(st);
	return v;
}

static char *
text_of(struct fx *f, const char *sql)
{
	struct db_stmt *st = db_prep(f->t.db, sql);
	char *v = NULL;

	if (db_next(st) == ERR_OK)
		v = db_col_text_dup(f->t.a, st, 0);
	db_done(st);
	return v;
}

static void
text_changed_by_sql_is_rendered_again(void **state)
{
	struct fx *f = *state;
	int n;

	assert_int_equal(db_exec(f->t.db, "UPDATE lessons SET body = "
	    "'# New <b>text</b>' WHERE id = 1"), ERR_OK);
	assert_int_equal(int_of(f, "SELECT body_html FROM lessons WHERE "
	    "id = 1"), -2);
	assert_int_equal(db_exec(f->t.db, "UPDATE courses SET description = "
	    "'*New*' WHERE id = 1"), ERR_OK);
	assert_int_equal(content_render_stale(f->t.db, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(text_of(f, "SELECT body_html FROM lessons WHERE "
	    "id = 1"), "<h1>New <!-- raw HTML omitted -->text<!-- raw HTML "
	    "omitted --></h1>\n");
	assert_string_equal(text_of(f, "SELECT description_html FROM courses "
	    "WHERE id = 1"), "<p><em>New</em></p>\n");
	assert_int_equal(content_render_stale(f->t.db, &n), ERR_OK);
	assert_int_equal(n, 0);
}

static void
saving_a_body_stores_its_html(void **state)
{
	struct fx *f = *state;

	assert_int_equal(content_set_lesson_body(f->t.db, 2, "Some `code`"),
	    ERR_OK);
	assert_string_equal(text_of(f, "SELECT body FROM lessons WHERE id = 2"),
	    "Some `code`");
	assert_string_equal(text_of(f, "SELECT body_html FROM lessons WHERE "
	    "id = 2"), "<p>Some <code>code</code></p>\n");
	assert_int_equal(content_set_description(f->t.db, 1, "A **course**"),
	    ERR_OK);
	assert_string_equal(text_of(f, "SELECT description_html FROM courses "
	    "WHERE id = 1"), "<p>A <strong>course</strong></p>\n");
	assert_int_equal(content_set_lesson_body(f->t.db, 999999, "x"),
	    ERR_NOTFOUND);
}

static void
seed_lessons_have_real_rendered_text(void **state)
{
	struct fx *f = *state;

	assert_int_equal(int_of(f, "SELECT count(*) FROM lessons"), 45);
	assert_int_equal(int_of(f, "SELECT count(*) FROM lessons WHERE "
	    "body_html IS NULL OR length(body) < 250 OR body_html NOT LIKE "
	    "'<%'"), 0);
	assert_int_equal(int_of(f, "SELECT count(*) FROM courses WHERE "
	    "description_html IS NULL"), 0);
	/* Lessons use the Markdown an instructor would. */
	assert_true(int_of(f, "SELECT count(*) FROM lessons WHERE body_html "
	    "LIKE '%<pre><code%'") >= 10);
	assert_true(int_of(f, "SELECT count(*) FROM lessons WHERE body_html "
	    "LIKE '%<li>%'") >= 30);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fixture_teardown)
		T(hostile_body_is_rendered_inert),
		T(instructor_markdown_becomes_html),
		T(text_changed_by_sql_is_rendered_again),
		T(saving_a_body_stores_its_html),
		T(seed_lessons_have_real_rendered_text),
#undef T
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
