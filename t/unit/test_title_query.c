/* Unit tests of catalog_fts_query (lib/catalog.c): the title search's
 * query text for each engine, FTS5's "word"* and to_tsquery's 'word':*,
 * where nothing a person types becomes query syntax. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "arena.h"
#include "catalog.h"

static void
check(enum db_kind kind, const char *typed, const char *want)
{
	struct arena *a = arena_new();
	char *q;

	assert_non_null(a);
	q = catalog_fts_query(a, typed, kind);
	if (want == NULL)
		assert_null(q);
	else
		assert_string_equal(q, want);
	arena_free(a);
}

static void
sqlite_form_is_prefix_phrases(void **state)
{
	(void)state;
	check(DB_SQLITE, "sec ess", "\"sec\"* \"ess\"*");
	check(DB_SQLITE, "  C99!", "\"C99\"*");
}

static void
postgres_form_is_prefixes_joined_by_and(void **state)
{
	(void)state;
	check(DB_POSTGRES, "sec ess", "'sec':* & 'ess':*");
	check(DB_POSTGRES, "Données  SQL", "'Données':* & 'SQL':*");
}

static void
syntax_typed_is_dropped(void **state)
{
	(void)state;
	/* Quotes, operators and to_tsquery's own syntax separate words. */
	check(DB_POSTGRES, "a'b | !c & d:* <-> (e)", "'a':* & 'b':* & 'c':* & "
	    "'d':* & 'e':*");
	check(DB_SQLITE, "a\"b OR c*", "\"a\"* \"b\"* \"OR\"* \"c\"*");
	check(DB_POSTGRES, "':*|!&()<->", NULL);
	check(DB_SQLITE, "", NULL);
	check(DB_POSTGRES, NULL, NULL);
}

static void
at_most_eight_words(void **state)
{
	(void)state;
	check(DB_POSTGRES, "a b c d e f g h i j", "'a':* & 'b':* & 'c':* & "
	    "'d':* & 'e':* & 'f':* & 'g':* & 'h':*");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sqlite_form_is_prefix_phrases),
		cmocka_unit_test(postgres_form_is_prefixes_joined_by_and),
		cmocka_unit_test(syntax_typed_is_dropped),
		cmocka_unit_test(at_most_eight_words),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
