#!/usr/bin/env perl
# The PostgreSQL migrations (sql/pg/) make the schema SQLite's (sql/) makes:
# every sql/NNN_x.sql has its sql/pg/NNN_x.sql, and after all of them both
# databases hold the same tables, the same columns in the same order (the
# same NOT NULL-ness, type and whether a default is given), the same
# primary keys, UNIQUE constraints, foreign keys (with ON DELETE), number
# of CHECKs, indexes and triggers.  Then the demo seed runs unchanged on
# both and leaves the same rows, and the triggers and collation behave the
# same under the same statements.  A private cluster comes from t/pg.sh.
use strict;
use warnings;
use FindBin;
use File::Temp qw(tempdir);
use Test::More;

my $root = "$FindBin::Bin/..";
plan skip_all => 'no PostgreSQL server installed (make deps installs postgresql)'
	unless glob('/usr/lib/postgresql/*/bin/initdb');

my $dir = tempdir('pg_schema.XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $started;
END { system("$root/t/pg.sh", 'stop', $dir) if $started; }
system("$root/t/pg.sh", 'start', $dir) == 0 or BAIL_OUT('t/pg.sh start failed');
$started = 1;
chomp(my $url = `$root/t/pg.sh createdb $dir schema`);
BAIL_OUT('t/pg.sh createdb failed') if $? != 0;
my $lite = "$dir/schema.db";

# Rows of a query on each engine, as arrays of strings (NULL: undef).
sub rows {
	my ($cmd) = @_;
	open(my $fh, '-|', @$cmd) or die "$cmd->[0]: $!";
	my @r;
	while (my $l = <$fh>) {
		chomp $l;
		push @r, [map { $_ eq "\x{1e}" ? undef : $_ } split /\x1f/, $l, -1];
	}
	close $fh or die "failed: @$cmd\n";
	return @r;
}
sub pg { rows(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
    '-F', "\x1f", '-P', "null=\x{1e}", '-d', $url, '-c', $_[0]]) }
sub lite { rows(['sqlite3', '-batch', '-noheader', '-separator', "\x1f",
    '-nullvalue', "\x{1e}", $lite, $_[0]]) }
sub col0 { map { $_->[0] } @_ }
sub pg_file {
	my $out = `psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d '$url' -f '$_[0]' 2>&1`;
	return $? == 0 ? '' : $out;
}
sub lite_file {
	my $out = `sqlite3 -batch '$lite' < '$_[0]' 2>&1`;
	return $? == 0 && $out !~ /error/i ? '' : $out;
}

# Every migration has its PostgreSQL form, with the same number and name.
my @lite_files = map { s{.*/}{}r } sort glob("$root/sql/[0-9][0-9][0-9]_*.sql");
my @pg_files = map { s{.*/}{}r } sort glob("$root/sql/pg/[0-9][0-9][0-9]_*.sql");
ok(@lite_files >= 20, scalar(@lite_files) . ' SQLite migrations');
is_deeply(\@pg_files, \@lite_files, 'sql/pg/ has one file per sql/ migration, same names');

for my $f (@lite_files) {
	is(lite_file("$root/sql/$f"), '', "SQLite applies $f");
}
for my $f (@pg_files) {
	is(pg_file("$root/sql/pg/$f"), '', "PostgreSQL applies pg/$f");
}

# Tables: SQLite's own (sqlite_*) and the FTS5 table courses_fts with its
# shadow tables have no counterpart (PostgreSQL searches titles through
# the index courses_title_search).
my @tables = col0(lite(q{SELECT name FROM sqlite_master WHERE type = 'table'
    AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'courses\_fts%' ESCAPE '\'
    ORDER BY name}));
is_deeply([col0(pg(q{SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    ORDER BY table_name COLLATE "C"}))], \@tables, 'the same tables');

# A column default as both engines would write it: '' for '::text', no
# parentheses around unixepoch().
sub default_of { my $d = shift; $d =~ s/::\w+//g; $d =~ s/^\((.*)\)\z/$1/; return $d }

my %pg_type = (INTEGER => 'bigint', TEXT => 'text');
my %on_delete = (a => 'NO ACTION', c => 'CASCADE', n => 'SET NULL',
    r => 'RESTRICT', d => 'SET DEFAULT');
for my $t (@tables) {
	# Columns in order.  A primary key column counts as NOT NULL on both
	# (SQLite leaves a TEXT PRIMARY KEY of a rowid table nullable, a quirk
	# PostgreSQL does not have); DEFAULTs are compared without
	# PostgreSQL's casts and SQLite's parentheses (an identity is none).
	my @lc = map { join ' ', $_->[0], $pg_type{uc $_->[1]} // "?$_->[1]",
	    ($_->[2] || $_->[4] ? 'NOT NULL' : 'NULL'),
	    (defined $_->[3] ? 'DEFAULT ' . default_of($_->[3]) : '') }
	    lite("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('$t') ORDER BY cid");
	my @pc = map { join ' ', $_->[0], $_->[1],
	    ($_->[2] eq 'NO' ? 'NOT NULL' : 'NULL'),
	    (defined $_->[3] ? 'DEFAULT ' . default_of($_->[3]) : '') }
	    pg("SELECT column_name, data_type, is_nullable, column_default
	    FROM information_schema.columns WHERE table_schema = 'public'
	    AND table_name = '$t' ORDER BY ordinal_position");
	is_deeply(\@pc, \@lc, "$t: the same columns in the same order");

	# Primary key and UNIQUE constraints, by their columns.
	my @lk = (join(',', col0(lite("SELECT name FROM pragma_table_info('$t')
	    WHERE pk > 0 ORDER BY pk"))));
	for my $ix (col0(lite("SELECT name FROM pragma_index_list('$t') WHERE origin = 'u'"))) {
		push @lk, 'UNIQUE ' . join(',', col0(lite("SELECT name FROM
		    pragma_index_info('$ix') ORDER BY seqno")));
	}
	my @pk = map { ($_->[0] eq 'u' ? 'UNIQUE ' : '') . $_->[1] }
	    pg("SELECT c.contype, (SELECT string_agg(a.attname, ',' ORDER BY k.i)
	    FROM unnest(c.conkey) WITH ORDINALITY k (n, i) JOIN pg_attribute a
	    ON a.attrelid = c.conrelid AND a.attnum = k.n) FROM pg_constraint c
	    WHERE c.conrelid = 'public.$t'::regclass AND c.contype IN ('p', 'u')");
	is_deeply([sort @pk], [sort @lk], "$t: the same primary key and UNIQUEs");

	# Foreign keys: columns, referenced table and columns, ON DELETE.
	my %lf;
	for (lite("SELECT id, \"table\", \"from\", \"to\", on_delete FROM
	    pragma_foreign_key_list('$t') ORDER BY id, seq")) {
		my $f = $lf{$_->[0]} //= { table => $_->[1], from => [], to => [],
		    del => $_->[4] };
		push @{$f->{from}}, $_->[2];
		push @{$f->{to}}, $_->[3];
	}
	my @lf = map { join(',', @{$_->{from}}) . " -> $_->{table}(" .
	    join(',', @{$_->{to}}) . ") ON DELETE $_->{del}" } values %lf;
	my @pf = map { "$_->[0] -> $_->[1]($_->[2]) ON DELETE " . $on_delete{$_->[3]} }
	    pg("SELECT (SELECT string_agg(a.attname, ',' ORDER BY k.i)
	    FROM unnest(c.conkey) WITH ORDINALITY k (n, i) JOIN pg_attribute a
	    ON a.attrelid = c.conrelid AND a.attnum = k.n),
	    c.confrelid::regclass::text,
	    (SELECT string_agg(a.attname, ',' ORDER BY k.i)
	    FROM unnest(c.confkey) WITH ORDINALITY k (n, i) JOIN pg_attribute a
	    ON a.attrelid = c.confrelid AND a.attnum = k.n), c.confdeltype
	    FROM pg_constraint c WHERE c.conrelid = 'public.$t'::regclass
	    AND c.contype = 'f'");
	is_deeply([sort @pf], [sort @lf], "$t: the same foreign keys");

	# CHECKs: SQLite keeps them only in the table's text (ALTER TABLE ADD
	# COLUMN appends there too), so they are counted, comments aside.
	my ($sql) = col0(lite("SELECT replace(sql, char(10), char(29))
	    FROM sqlite_master WHERE type = 'table' AND name = '$t'"));
	$sql =~ s/--[^\x1d]*//g;
	my $checks = () = $sql =~ /\bCHECK\s*\(/gi;
	is((pg("SELECT count(*) FROM pg_constraint WHERE
	    conrelid = 'public.$t'::regclass AND contype = 'c'"))[0][0], $checks,
	    "$t: $checks CHECK constraints");

	# Indexes made by CREATE INDEX, by name, with their key columns, their
	# uniqueness and whether they are partial.  Not compared: SQLite's
	# sqlite_autoindex_* and PostgreSQL's indexes of constraints (primary
	# keys, UNIQUEs: compared above as constraints), and the title search
	# index courses_title_search that stands for courses_fts.
	my @li = map { my ($n, $u, $p) = @$_; "$n (" . join(',',
	    col0(lite("SELECT coalesce(name, 'expr') FROM pragma_index_xinfo('$n')
	    WHERE key = 1 ORDER BY seqno"))) . ")" . ($u ? ' UNIQUE' : '') .
	    ($p ? ' WHERE' : '') }
	    lite("SELECT name, \"unique\", partial FROM pragma_index_list('$t')
	    WHERE origin = 'c'");
	my @pi = map { my ($n, $cols, $u, $p) = @$_; $cols =~ s/ COLLATE \w+| DESC//g;
	    "$n ($cols)" . ($u eq 't' ? ' UNIQUE' : '') . ($p eq 't' ? ' WHERE' : '') }
	    pg("SELECT c.relname, (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ','
	    ORDER BY k) FROM generate_series(1, i.indnkeyatts) k), i.indisunique,
	    i.indpred IS NOT NULL FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	    WHERE i.indrelid = 'public.$t'::regclass AND c.relname <> 'courses_title_search'
	    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)");
	is_deeply([sort @pi], [sort @li], "$t: the same indexes");

	# Triggers by name (SQLite's courses_fts_* keep the FTS5 table).
	is_deeply([col0(pg("SELECT DISTINCT trigger_name::text FROM
	    information_schema.triggers WHERE event_object_table = '$t'
	    ORDER BY 1"))],
	    [col0(lite("SELECT name FROM sqlite_master WHERE type = 'trigger'
	    AND tbl_name = '$t' AND name NOT LIKE 'courses\\_fts\\_%' ESCAPE '\\'
	    ORDER BY name"))], "$t: the same triggers");
}
ok((pg(q{SELECT count(*) FROM pg_indexes WHERE indexname = 'courses_title_search'
    AND indexdef LIKE '%gin%to_tsvector(''simple''::regconfig, title)%'}))[0][0],
    'courses_title_search: a GIN index on to_tsvector(simple, title)');
like((pg(q{SELECT value FROM settings WHERE key = 'secret'}))[0][0],
    qr/^[0-9a-f]{64}\z/, 'the secret is 64 hex characters, as in SQLite');

# The demo seed, unchanged, on both: the same rows in every table.
is(lite_file("$root/sql/seed_demo.sql"), '', 'SQLite runs seed_demo.sql');
is(pg_file("$root/sql/seed_demo.sql"), '', 'PostgreSQL runs seed_demo.sql unchanged');
for my $t (@tables) {
	is((pg("SELECT count(*) FROM $t"))[0][0], (lite("SELECT count(*) FROM $t"))[0][0],
	    "$t: the same row count after the seed");
}

# The same statements have the same effect on both engines.
sub same {
	my ($what, $query) = @_;
	is_deeply([pg($query)], [lite($query)], $what);
}
my $stats = q{SELECT slug, lesson_count, total_minutes FROM courses ORDER BY slug};
same('lesson counts and minutes from the seed', $stats);
my $git = "(SELECT id FROM courses WHERE slug = 'intro-to-git')";
my $sql = "(SELECT id FROM courses WHERE slug = 'sql-for-analysts')";
for my $step (
    ['a lesson added', "INSERT INTO lessons (course_id, position, title,
	duration_minutes) VALUES ($git, 99, 'Extra', 17)"],
    ['its minutes changed', "UPDATE lessons SET duration_minutes = 23
	WHERE title = 'Extra'"],
    ['it moved to another course', "UPDATE lessons SET course_id = $sql
	WHERE title = 'Extra'"],
    ['its title changed (no stats change)', "UPDATE lessons SET title = 'Extra 2'
	WHERE title = 'Extra'"],
    ['it is deleted', "DELETE FROM lessons WHERE title = 'Extra 2'"]) {
	pg($step->[1]);
	lite($step->[1]);
	same("course stats after $step->[0]", $stats);
}
same('the seed numbers courses and lessons alike',
    'SELECT c.id, c.slug, l.id, l.position FROM lessons l JOIN courses c ON c.id = l.course_id ORDER BY l.id');
my $first = "(SELECT min(id) FROM lessons)";
for my $step (
    ['HTML set', "UPDATE lessons SET body_html = '<p>x</p>' WHERE id = $first"],
    ['body changed alone: HTML stale', "UPDATE lessons SET body = 'new' WHERE id = $first"],
    ['HTML set again', "UPDATE lessons SET body_html = '<p>new</p>' WHERE id = $first"],
    ['body and HTML changed together: kept', "UPDATE lessons SET body = 'newer',
	body_html = '<p>newer</p>' WHERE id = $first"],
    ['body set to the same: kept', "UPDATE lessons SET body = 'newer' WHERE id = $first"]) {
	pg($step->[1]);
	lite($step->[1]);
	same("lesson body_html after $step->[0]",
	    "SELECT length(body), body_html FROM lessons WHERE id = $first");
}
for my $step (
    ['description changed alone: HTML stale', "UPDATE courses SET
	description_html = '<p>d</p>' WHERE slug = 'intro-to-git';
	UPDATE courses SET description = 'd2' WHERE slug = 'intro-to-git'"]) {
	pg($step->[1]);
	lite($step->[1]);
	same("course description_html after $step->[0]",
	    "SELECT description, description_html FROM courses WHERE slug = 'intro-to-git'");
}

# NOCASE: the same comparisons, and users.email equal and unique whatever
# the case (a second address differing only in case is refused).
same('NOCASE compares without case', q{SELECT
    CASE WHEN 'Ada' = 'ada' COLLATE NOCASE THEN 1 ELSE 0 END,
    CASE WHEN 'Ada' < 'ADAM' COLLATE NOCASE THEN 1 ELSE 0 END,
    CASE WHEN 'b' > 'A' COLLATE NOCASE THEN 1 ELSE 0 END,
    CASE WHEN ('Ada' COLLATE NOCASE, 2) > ('ada', 1) THEN 1 ELSE 0 END});
my $user = q{INSERT INTO users (email, name, password_hash) VALUES
    ('ada@example.com', 'Ada', '$argon2id$v=19$x')};
pg($user);
lite($user);
same('users.email is found whatever the case',
    q{SELECT name FROM users WHERE email = 'ADA@Example.com'});
my $dup = $user =~ s/ada\@/ADA\@/r;
{
	open(my $err, '>&', \*STDERR) or die;
	open(STDERR, '>', '/dev/null') or die;
	my $pg_took = eval { pg($dup); 1 };
	my $lite_took = eval { lite($dup); 1 };
	open(STDERR, '>&', $err) or die;
	ok(!$pg_took, 'PostgreSQL refuses the same address in capitals');
	ok(!$lite_took, 'SQLite refuses it too');
}
# lib/people.c's search: a range and a row value under NOCASE, along
# users_name_search; U+10FFFF ends the range above any name.
like(join("\n", col0(pg(q{SET enable_seqscan = off; EXPLAIN SELECT id FROM users
    WHERE name >= 'ad' COLLATE NOCASE AND name < 'ad' || chr(1114111) COLLATE NOCASE
    AND (name COLLATE NOCASE, id) > ('', 0) ORDER BY name COLLATE NOCASE, id LIMIT 5}))),
    qr/Index Only Scan using users_name_search/, 'a name search walks users_name_search');
is_deeply([col0(pg(q{SELECT name FROM users WHERE name >= 'ad' COLLATE NOCASE
    AND name < 'ad' || chr(1114111) COLLATE NOCASE}))], ['Ada'],
    'a name is found by its beginning in another case');

# Title search by the prefix of a word, through the GIN index.
is_deeply([col0(pg(q{SELECT slug FROM courses WHERE id IN (SELECT id FROM courses
    WHERE to_tsvector('simple', title) @@ to_tsquery('simple', '''progr'':* & ''c'':*'))}))],
    ['c-programming-fundamentals'], 'to_tsquery finds a course by the prefix of a word');
like(join("\n", col0(pg(q{SET enable_seqscan = off; EXPLAIN SELECT id FROM courses
    WHERE to_tsvector('simple', title) @@ to_tsquery('simple', '''progr'':*')}))),
    qr/courses_title_search/, 'the title search uses courses_title_search');

# Identities go on from the rows already there, orders' too (rebuilt by 005).
is((pg(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('T10', 'percentage', 10)
    RETURNING id > 0}))[0][0], 't', 'an identity gives a new id');
is((pg(q{SELECT pg_get_serial_sequence('orders', 'id')}))[0][0], 'public.orders_id_seq',
    'orders.id keeps its sequence orders_id_seq');
is((pg(q{SELECT count(*) FROM pg_constraint WHERE conname LIKE 'orders\_new%'}))[0][0], 0,
    "orders' constraints keep the names orders had before the rebuild");

done_testing;
