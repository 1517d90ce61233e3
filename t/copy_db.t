#!/usr/bin/env perl
# Moving a school (issue 20): a SQLite store with the demo catalog and a
# student who bought a course through the pages and Stripe is copied to
# PostgreSQL with `enrollctl copy-db`, compared table by table and row by
# row, served from PostgreSQL (the student logs in with the same password,
# has the course, reads a lesson, and a session cookie from before the
# move still works), then copied back to a new SQLite file and compared
# again.  A target that holds data, and a source at an older schema or
# missing, are refused with a plain message and change nothing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use Stack;
use Forms;

my $tmp = tempdir('enroll-copydb-XXXXXX', TMPDIR => 1, CLEANUP => 1);

# PostgreSQL: make test's cluster, else a private one for this file.
my $pgdir = $ENV{ENROLL_TEST_PG};
my $own_pg = !$pgdir;
if ($own_pg) {
	$pgdir = "$tmp/pg";
	system("$Stack::TOP/t/pg.sh", 'start', $pgdir) == 0
	    or plan skip_all => 'no PostgreSQL server (make deps installs it)';
}
my (@stacks, @dbs);
END {
	$_->stop for @stacks;
	if ($own_pg) {
		system("$Stack::TOP/t/pg.sh", 'stop', $pgdir) if $pgdir;
	} elsif (!$ENV{ENROLL_KEEP_STACK}) {	# the shared cluster goes on
		for my $url (@dbs) {
			my ($name) = $url =~ m{^postgresql:///([^?]+)};
			system('psql', '-X', '-q', '-d', $url =~ s{///[^?]+}{///postgres}r,
			    '-c', qq{DROP DATABASE IF EXISTS "$name" WITH (FORCE)});
		}
	}
}

sub createdb {
	local $ENV{ENROLL_TEST_PG} = $pgdir;
	push @dbs, Stack->pg_createdb;
	return $dbs[-1];
}

# A store by its ENROLL_DB, for SQL only (Stack's sql works on both).
sub store { return bless { cfg => { ENROLL_DB => $_[0] }, stopped => 1, pid => $$ }, 'Stack' }

# enrollctl copy-db FROM TO: its exit code and what it printed.
sub copy_db {
	my @args = @_;
	my $out = `'$Stack::BUILD/bin/enrollctl' copy-db @{[ map { "'$_'" } @args ]} 2>&1`;
	return ($? >> 8, $out);
}

# The store's tables, as the SQLite catalog names them (without FTS5).
sub tables {
	return map { $_->[0] } store($_[0])->sql(q{SELECT name FROM sqlite_master
	    WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'courses_fts%' ORDER BY name});
}

# Every row of every table of a (SQLite) and b, in primary key order,
# column by column as text.
sub same_rows {
	my ($a, $b, $what) = @_;
	my ($sa, $sb) = (store($a), store($b));
	my @bad;
	my $n = 0;
	for my $t (tables($a)) {
		my @cols = map { $_->[0] } $sa->sql(qq{SELECT name FROM pragma_table_info('$t') ORDER BY cid});
		my @pk = map { $_->[0] } $sa->sql(qq{SELECT name FROM pragma_table_info('$t') WHERE pk > 0 ORDER BY pk});
		my $q = 'SELECT ' . join(', ', map { qq{"$_"} } @cols) . qq{ FROM "$t" ORDER BY } .
		    join(', ', map { qq{"$_"} } @pk);
		my @ra = map { join("\x1f", @$_) } $sa->sql($q);
		my @rb = map { join("\x1f", @$_) } $sb->sql($q);
		push @bad, $t unless join("\n", @ra) eq join("\n", @rb);
		$n += @ra;
	}
	is_deeply(\@bad, [], "$what: every table holds the same rows, value for value ($n lines)");
}

# Rows of every table, for "nothing changed".
sub counts {
	my ($db, @tables) = @_;
	my $s = store($db);
	return { map { ($_ => $s->sql_one(qq{SELECT count(*) FROM "$_"})) } @tables };
}

my $src = "$tmp/school.db";
my $s = Stack->start(ENROLL_DB => $src);
push @stacks, $s;
my $c_prog = $s->course_id('c-programming-fundamentals');	# $49.00
$s->sql(q{INSERT INTO coupons (code, kind, percent_off, max_uses) VALUES ('MOVE10', 'percentage', 10, 100)});

# A student buys the course with a coupon through the pages and Stripe,
# and reads (and completes) a lesson.
my ($b, $uid, $email) = $s->student(name => 'Mo Mover', password => 'moving day 2026');
$s->add_to_cart($b, $c_prog);
is($b->post('/payment/apply-coupon', { code => 'move10' }, from => '/payment/cart')->{status}, 303, 'the coupon applies');
my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
my $cs = $s->checkout_session($res);
ok($cs, 'checkout sends the student to Stripe');
is($s->emu('POST', "/_emu/pay/$cs", { card => '4242 4242 4242 4242' })->{status}, 200, 'paid with 4242');
is($b->get("/payment/checkout/success?session_id=$cs")->{status}, 303, 'back from Stripe');
my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
is($s->sql_one('SELECT status || total_amount FROM orders WHERE id = ?1', $oid), 'paid4410', 'the order is paid: $44.10');
ok($s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM stripe_events WHERE order_id = ?1}, $oid) }), 'the webhook arrived too');
ok($s->wait_for(sub { !$s->sql_one(q{SELECT count(*) FROM outbox WHERE status = 'pending'}) }), 'the mail is sent');
my $page = $b->get("/learn/c-programming-fundamentals/1");
is($page->{status}, 200, 'the student opens a lesson');
like($page->{content}, qr/Every C program starts in/, 'and reads it');
my ($done) = grep { ($_->{action} // '') =~ m{/complete$} } Forms::parse($page->{content});
ok($done, 'the lesson has its Mark complete form');
$b->request('POST', $done->{action}, [ map { @$_ } Forms::pairs($done) ]);
is($s->sql_one('SELECT count(*) FROM lesson_progress WHERE user_id = ?1', $uid), 1, 'the lesson is complete');
my $cookie = $b->cookie('enroll_session');
ok($cookie, 'the student has a session cookie');
$s->stop;

# ---- SQLite to PostgreSQL ----------------------------------------------
my $url = createdb();
my ($rc, $out) = copy_db($src, $url);
is($rc, 0, 'copy-db FILE URL succeeds') or diag $out;
like($out, qr/^orders: 1 row, amounts equal$/m, 'a line per table with its amounts checked');
like($out, qr/^lessons: \d+ rows$/m, 'and the others with their rows');
like($out, qr/^copied \d+ tables, \d+ rows, into /m, 'and a summary');
unlike($out, qr/error/i, 'no error on the way');
same_rows($src, $url, 'SQLite -> PostgreSQL');
is(store($url)->sql_one('SELECT value FROM settings WHERE key = ?1', 'secret'),
    store($src)->sql_one('SELECT value FROM settings WHERE key = ?1', 'secret'), 'the store\'s secret moved');

# ---- the school on PostgreSQL ------------------------------------------
my $p = Stack->start(ENROLL_DB => $url);
push @stacks, $p;
ok($p->pg, 'the new stack runs on PostgreSQL');
my ($nb, $login) = $p->login($email, 'moving day 2026');
is($login->{status}, 303, 'the student logs in with the same password');
like($nb->get('/account/my-courses')->{content}, qr/C Programming Fundamentals/, 'the course is in their library');
$page = $nb->get('/learn/c-programming-fundamentals/2');
is($page->{status}, 200, 'a lesson opens') or diag join '', grep { /db: / } map { $p->log_text($_) } qw(account cart admin);
like($page->{content}, qr/a character or a small number/, 'with its text');
my $old = $p->browser;
$old->set_cookie(enroll_session => $cookie);
$page = $old->get('/learn/c-programming-fundamentals/1');
is($page->{status}, 200, 'the session cookie from before the move still works');
like($page->{content}, qr/Every C program starts in/, 'and reads the lesson');
my ($form) = grep { ($_->{action} // '') =~ m{/complete$} } Forms::parse($old->get('/learn/c-programming-fundamentals/3')->{content});
ok($form, 'a form of the new store');
is($old->request('POST', $form->{action}, [ map { @$_ } Forms::pairs($form) ])->{status}, 303,
    'its CSRF token, made with the moved secret, is accepted');
is($p->sql_one('SELECT count(*) FROM lesson_progress WHERE user_id = ?1', $uid), 2, 'and the progress saved');
my (undef, $uid2) = $p->student(name => 'New After Move');
ok($uid2 > $uid, 'a new registration gets the next id (the sequence went on)');
$p->stop;

# ---- and back to SQLite ------------------------------------------------
my $back = "$tmp/back.db";
($rc, $out) = copy_db($url, $back);
is($rc, 0, 'copy-db URL FILE succeeds') or diag $out;
same_rows($back, $url, 'PostgreSQL -> SQLite');
is(store($back)->sql_one(q{SELECT count(*) FROM courses_fts WHERE courses_fts MATCH 'programming'}),
    store($src)->sql_one(q{SELECT count(*) FROM courses_fts WHERE courses_fts MATCH 'programming'}),
    'the title search index is rebuilt');
is(store($back)->sql_one(q{SELECT count(*) FROM sqlite_master WHERE type = 'trigger'}),
    store($src)->sql_one(q{SELECT count(*) FROM sqlite_master WHERE type = 'trigger'}), 'with every trigger');

# ---- refusals ----------------------------------------------------------
my @tables = tables($src);
for my $case ([ $url, 'a PostgreSQL store' ], [ $back, 'a SQLite store' ]) {
	my ($to, $what) = @$case;
	my $before = counts($to, @tables);
	($rc, $out) = copy_db($src, $to);
	isnt($rc, 0, "copying into $what that holds data is refused");
	like($out, qr/the target already holds data \(\w+: \d+ rows\).*nothing was copied/, 'in plain words');
	is_deeply(counts($to, @tables), $before, 'and it is unchanged');
}
# A value SQLite kept that PostgreSQL's column refuses: the copy fails
# half-way and nothing of it stays.
my $odd = "$tmp/odd.db";
system('cp', $src, $odd) == 0 or die;
store($odd)->sql(q{UPDATE courses SET capacity = 'lots' WHERE id = ?1}, $c_prog);
my $half = createdb();
($rc, $out) = copy_db($odd, $half);
isnt($rc, 0, 'a copy that fails half-way exits non-zero');
like($out, qr/a row of table courses could not be written.*nothing was copied/, 'naming the table');
is_deeply(counts($half, grep { $_ ne 'settings' } @tables), { map { ($_ => 0) } grep { $_ ne 'settings' } @tables },
    'the target holds no row of it');
($rc, $out) = copy_db($src, $half);
is($rc, 0, 'and a copy into it afterwards succeeds') or diag $out;

my $old_schema = "$tmp/old.db";
store($old_schema)->sql('CREATE TABLE courses (id INTEGER PRIMARY KEY); PRAGMA user_version = 5');
($rc, $out) = copy_db($old_schema, "$tmp/never.db");
isnt($rc, 0, 'a source at an older schema is refused');
like($out, qr/schema version 5 .*run 'enrollctl migrate' on it first/, 'saying to migrate it');
ok(!-e "$tmp/never.db", 'the new target file is not left behind');
my $empty = createdb();
($rc, $out) = copy_db("$tmp/missing.db", $empty);
isnt($rc, 0, 'a missing source is refused');
like($out, qr/cannot read \S*missing\.db/, 'naming it');
ok(!-e "$tmp/missing.db", 'and it is not made');
is(store($empty)->sql_one(q{SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()}), 0,
    'the target is untouched');

done_testing;
