#!/usr/bin/env perl
# Backups you can restore: `enrollctl backup` copies the live database
# during a flood of webhook events, the copy is sound and holds every event
# acknowledged before it began; old backups are pruned; `enrollctl
# restore` refuses a database the programs have open, and the restored
# store serves and sells.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP;
use POSIX ();
use Time::HiRes qw(sleep time);
use Stack;

my $s = Stack->start;
my $dir = tempdir('enroll-backups-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $json = JSON::PP->new->canonical;

sub event {
	my ($i) = @_;
	return $json->encode({ id => "evt_flood_$i", object => 'event', type => 'customer.created',
	    created => int(time), api_version => '2023-08-16', livemode => JSON::PP::false,
	    data => { object => { id => "cus_flood_$i", object => 'customer' } } });
}
sub backups { opendir(my $d, $dir) or die; return sort grep { /^enroll-.*\.db$/ } readdir $d }
sub sql_in { my ($db, $q) = @_; my $v = `sqlite3 -batch -noheader '$db' "$q"`; chomp $v; return $v }

# A store on PostgreSQL is backed up by the server's own tools; enrollctl
# says so and writes nothing.  The rest of this file is SQLite's file copy.
if ($s->pg) {
	subtest 'on PostgreSQL, enrollctl points to pg_dump and pg_restore' => sub {
		local $ENV{ENROLL_DB} = $s->db;
		my $out = `'$Stack::BUILD/bin/enrollctl' backup '$dir' 2>&1`;
		is($? >> 8, 1, 'enrollctl backup refuses');
		like($out, qr/pg_dump/, 'and names pg_dump');
		is(scalar(() = backups()), 0, 'no file is written');
		open(my $fh, '>', "$dir/enroll-x.db") or die;
		close $fh;
		my $users = $s->sql_one('SELECT count(*) FROM users');
		$out = `'$Stack::BUILD/bin/enrollctl' restore '$dir/enroll-x.db' 2>&1`;
		is($? >> 8, 1, 'enrollctl restore refuses');
		like($out, qr/pg_restore/, 'and names pg_restore');
		is($s->sql_one('SELECT count(*) FROM users'), $users, 'the store is unchanged');
		is($s->browser->get('/courses')->{status}, 200, 'and serves');
	};
	done_testing;
	exit 0;
}

subtest 'a backup during a webhook flood holds every acknowledged event' => sub {
	# The flood: a child sends events one after another and appends the
	# id of each one answered 200 to a file, as Stripe would consider it
	# delivered.
	my $acked = "$dir/acked.txt";
	my $pid = fork // die;
	if (!$pid) {
		open(my $fh, '>>', $acked) or POSIX::_exit(1);
		$fh->autoflush(1);
		for my $i (1 .. 400) {
			my $res = $s->deliver(event($i));
			print $fh "evt_flood_$i\n" if $res->{status} == 200;
		}
		POSIX::_exit(0);
	}
	my $deadline = time + 30;
	sleep 0.1 until (-s $acked && `wc -l < '$acked'` > 50) || time > $deadline;
	my @before = do { open(my $fh, '<', $acked) or die; map { chomp; $_ } <$fh> };
	local $ENV{ENROLL_DB} = $s->db;
	my $out = `'$Stack::BUILD/bin/enrollctl' backup '$dir' 2>&1`;
	is($? >> 8, 0, 'enrollctl backup succeeds while the flood goes on') or diag($out);
	waitpid($pid, 0);
	my ($file) = $out =~ m{^(\S+/enroll-\d{8}T\d{6}Z\.db)$}m;
	ok($file && -f $file, 'it prints the name of the copy');
	is((stat $file)[2] & 0777, 0600, 'readable by its owner only');
	is(sql_in($file, 'PRAGMA integrity_check'), 'ok', 'the copy is sound');
	is(sql_in($file, 'PRAGMA user_version'), $s->schema_version, 'at the current schema');
	my %in_copy = map { $_ => 1 } split /\n/, sql_in($file, q{SELECT event_id FROM stripe_events WHERE event_id LIKE 'evt_flood_%'});
	my @missing = grep { !$in_copy{$_} } @before;
	cmp_ok(scalar @before, '>', 50, scalar(@before) . ' events were acknowledged before the backup began');
	is(scalar @missing, 0, 'every one of them is in the copy');
	ok(!glob("$dir/.partial-*"), 'no partial file is left');
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE event_id LIKE 'evt_flood_%'}), 400, 'the store took the whole flood');
};

subtest 'old backups are pruned, the newest kept' => sub {
	local $ENV{ENROLL_DB} = $s->db;
	for (1 .. 3) {
		sleep 1.05;	# one name a second
		is(system("'$Stack::BUILD/bin/enrollctl' backup '$dir' 2 >/dev/null"), 0, 'another backup');
	}
	my @kept = backups();
	is(scalar @kept, 2, 'KEEP=2 keeps two');
	my $bad = system("'$Stack::BUILD/bin/enrollctl' backup '$dir/missing' 2>/dev/null") >> 8;
	is($bad, 1, 'a folder that is not there is a clear failure');
};

subtest 'restore refuses a database in use, and the restored store sells' => sub {
	my $file = "$dir/" . (backups())[-1];
	my $orders = $s->sql_one('SELECT count(*) FROM orders');
	$s->sql(q{INSERT INTO settings (key, value) VALUES ('after-backup', 'x')});
	local $ENV{ENROLL_DB} = $s->db;
	my $out = `'$Stack::BUILD/bin/enrollctl' restore '$file' 2>&1`;
	is($? >> 8, 1, 'restore refuses while the programs run');
	like($out, qr/in use: stop the store's programs first/, 'saying what to do');
	is($s->sql_one(q{SELECT value FROM settings WHERE key = 'after-backup'}), 'x', 'and changed nothing');
	open(my $junk, '>', "$dir/junk.db") or die;
	print $junk "not a database\n";
	close $junk;
	$out = `'$Stack::BUILD/bin/enrollctl' restore '$dir/junk.db' 2>&1`;
	is($? >> 8, 1, 'a file that is no database is refused');
	like($out, qr/not a sound database/, 'in plain words');

	my $db = $s->db;
	$s->stop;
	my $target = "$dir/restored.db";
	$ENV{ENROLL_DB} = $target;
	$out = `'$Stack::BUILD/bin/enrollctl' restore '$file' 2>&1`;
	is($? >> 8, 0, 'with the programs stopped it restores') or diag($out);
	is(sql_in($target, q{SELECT count(*) FROM settings WHERE key = 'after-backup'}), 0, 'the database is as it was at the backup');
	my $r = Stack->start(ENROLL_DB => $target);
	is($r->sql_one(q{SELECT count(*) FROM stripe_events WHERE event_id LIKE 'evt_flood_%'}), 400, 'with its events');
	my ($b, $uid) = $r->student;
	my $course = $r->sql_one(q{SELECT id FROM courses WHERE slug = 'payments-engineering'});
	$b->post("/payment/add-to-cart/$course", {}, from => '/payment/cart');
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
	ok($cs, 'the restored store checks out');
	is($r->emu('POST', "/_emu/pay/$cs", { card => '4242424242424242' })->{status}, 200, 'the student pays');
	ok($r->wait_for(sub { $r->sql_one(q{SELECT status FROM orders WHERE stripe_session_id = ?1}, $cs) eq 'paid' }), 'and the order is paid');
	is($r->sql_one(q{SELECT count(*) FROM enrollments WHERE user_id = ?1 AND status = 'active'}, $uid), 1, 'with access');
};

done_testing;
