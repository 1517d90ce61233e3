#!/usr/bin/env perl
# PG=1 make run: the store served from PostgreSQL, with the demo courses
# and the Stripe emulator, from a private cluster that stops with it and
# keeps its data for the next run.  Runs t/stack.sh run (what make run
# runs) with its run folder and cluster in a temporary directory, not the
# checkout's var/.  In make test's PostgreSQL pass.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(sleep time);
use Stack;

plan skip_all => 'needs the PostgreSQL pass of make test (ENROLL_TEST_PG)'
    unless $ENV{ENROLL_TEST_PG};

my $tmp = tempdir('enroll-runpg-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $tmp;	# the cluster's owner (postgres, when root) enters it
$ENV{ENROLL_RUN_DIR} = "$tmp/run";
$ENV{ENROLL_PG_DIR} = "$tmp/pg";
$ENV{ENROLL_MAIL_DIR} = "$tmp/mail";
$ENV{ENROLL_MEDIA_DIR} = "$tmp/media";
$ENV{PG} = 1;
delete $ENV{$_} for qw(ENROLL_DB ENROLL_BASE_URL STRIPE_SECRET_KEY STRIPE_WEBHOOK_SECRET STRIPE_API_BASE);
my $http = HTTP::Tiny->new(timeout => 10);

sub slurp { open(my $fh, '<', shift) or return ''; local $/; return <$fh> // '' }

my $n = 0;
my @started;
END { for (@started) { kill 'TERM', $_; waitpid($_, 0) } }

# Starts `PG=1 t/stack.sh run BUILD PORT`; returns its pid and output file.
sub make_run {
	my $port = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1:0')->sockport;
	my $out = "$tmp/out." . ++$n;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		POSIX::setsid();
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>', $out);
		open(STDERR, '>', "$out.err");
		exec("$Stack::TOP/t/stack.sh", 'run', $Stack::BUILD, $port) or POSIX::_exit(127);
	}
	push @started, $pid;
	my $end = time + 90;
	sleep 0.2 until slurp($out) =~ /enroll is serving/ || time > $end;
	return ($pid, $port, $out);
}

sub stop_run {
	my ($pid) = @_;
	kill 'TERM', $pid;
	my $end = time + 30;
	sleep 0.1 until waitpid($pid, POSIX::WNOHANG()) == $pid || time > $end;
	@started = grep { $_ != $pid } @started;
}

my $url;
subtest 'PG=1 make run serves the store from PostgreSQL' => sub {
	my ($pid, $port, $out) = make_run();
	my $said = slurp($out);
	like($said, qr/enroll is serving http:\/\/127\.0\.0\.1:$port\//, 'it says where') or diag(slurp("$out.err"));
	($url) = $said =~ /\(database (postgresql:\S+),/;
	ok($url, 'and that the database is PostgreSQL');
	like($said, qr/local Stripe emulator/, 'with the Stripe emulator');
	my $res = $http->get("http://127.0.0.1:$port/courses");
	is($res->{status}, 200, 'the catalog answers');
	like($res->{content}, qr/C Programming Fundamentals/, 'with the demo courses');
	my $courses = `psql -X -A -t -d '$url' -c 'SELECT count(*) FROM courses'`;
	chomp $courses;
	cmp_ok($courses, '>', 5, "the courses are rows in PostgreSQL ($courses)");
	my $admins = `psql -X -A -t -d '$url' -c "SELECT count(*) FROM users WHERE role = 'admin'"`;
	chomp $admins;
	is($admins, 1, 'a demo admin to try the admin pages with');
	ok(-s "$tmp/admin-password", 'whose password is kept beside the cluster');
	stop_run($pid);
	ok(!-e "$tmp/pg/data/postmaster.pid", 'Ctrl-C stops the cluster too');
	isnt($http->get("http://127.0.0.1:$port/courses")->{status}, 200, 'and the store');
};

subtest 'the next run finds the same store' => sub {
	my ($pid, $port, $out) = make_run();
	like(slurp($out), qr/enroll is serving/, 'serving again') or diag(slurp("$out.err"));
	my ($again) = slurp($out) =~ /\(database (postgresql:\S+),/;
	my $courses = `psql -X -A -t -d '$again' -c "SELECT count(*) FROM courses WHERE slug = 'c-programming-fundamentals'"`;
	chomp $courses;
	is($courses, 1, 'the demo courses are not loaded twice');
	like($http->get("http://127.0.0.1:$port/courses/c-programming-fundamentals")->{content},
	    qr/C Programming Fundamentals/, 'a course page answers');
	stop_run($pid);
};

done_testing;
