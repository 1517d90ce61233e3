#!/usr/bin/env perl
# make run twice from one checkout: the second refuses in plain words,
# naming the running one, and the first keeps serving with its own
# programs; once the first stops (or was killed and left its lock), a new
# one starts.  Runs t/stack.sh run (what make run runs) with its run
# folder and database in a temporary directory, not the checkout's var/.
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

my $tmp = tempdir('enroll-run-XXXXXX', TMPDIR => 1, CLEANUP => 1);
$ENV{ENROLL_RUN_DIR} = "$tmp/run";
$ENV{ENROLL_DB} = "$tmp/enroll.db";
$ENV{ENROLL_MAIL_DIR} = "$tmp/mail";
delete $ENV{$_} for qw(ENROLL_BASE_URL STRIPE_SECRET_KEY STRIPE_WEBHOOK_SECRET STRIPE_API_BASE);
my $http = HTTP::Tiny->new(timeout => 5);

sub free_port { return IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1:0')->sockport }
sub slurp { open(my $fh, '<', shift) or return ''; local $/; return <$fh> // '' }

# Starts `t/stack.sh run BUILD PORT` in the background; returns its pid.
my $n = 0;
sub make_run {
	my ($port) = @_;
	$n++;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		POSIX::setsid();
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>', "$tmp/out.$n");
		open(STDERR, '>', "$tmp/err.$n");
		exec("$Stack::TOP/t/stack.sh", 'run', $Stack::BUILD, $port) or POSIX::_exit(127);
	}
	return ($pid, $n);
}

# Waits up to secs for pid to exit; returns its exit status or undef.
sub exited {
	my ($pid, $secs) = @_;
	my $end = time + $secs;
	while (time < $end) {
		return $? >> 8 if waitpid($pid, POSIX::WNOHANG()) == $pid;
		sleep 0.1;
	}
	return undef;
}

sub serving { my ($k, $secs) = @_; my $end = time + $secs; while (time < $end) { return 1 if slurp("$tmp/out.$k") =~ /enroll is serving/; sleep 0.1 } return 0 }
sub answers { my $res = $http->get("http://127.0.0.1:$_[0]/courses"); return $res->{status} == 200 && $res->{content} =~ /Courses/ }

my @started;
END { for (@started) { kill 'TERM', $_; waitpid($_, 0) } }

my $port1 = free_port();
my ($run1, $k1) = make_run($port1);
push @started, $run1;
ok(serving($k1, 60), "a first make run serves on $port1") or diag slurp("$tmp/err.$k1");
ok(answers($port1), 'its catalog answers');
# An admin to try the admin pages with, its password printed and kept.
my ($pw) = slurp("$tmp/out.$k1") =~ /log in as admin\@example\.org with the password (\S+)/;
ok($pw, 'make run prints the demo admin\'s password');
is(slurp("$tmp/admin-password") =~ s/\s+//r, $pw // '', 'and keeps it beside the database');
is((stat("$tmp/admin-password"))[2] & 0777, 0600, 'readable by its owner only');
{
	my $b = Browser->new("http://127.0.0.1:$port1");
	my $res = $b->post('/account/login', { email => 'admin@example.org', password => $pw // '' });
	is($b->get('/admin/')->{status}, 200, 'and that password opens the admin pages');
}
my $cart_pid = slurp("$tmp/run/cart.pid");
chomp $cart_pid;
ok($cart_pid && kill(0, $cart_pid), 'its cart program runs');

my $port2 = free_port();
$port2 = free_port() while $port2 == $port1;
my ($run2, $k2) = make_run($port2);
my $rc = exited($run2, 20);
if (!defined $rc) { kill 'TERM', $run2; waitpid($run2, 0) }
is($rc, 1, 'a second make run from the same checkout exits at once with status 1');
like(slurp("$tmp/err.$k2"), qr{already serves http://127\.0\.0\.1:$port1/ \(make run, pid $run1\)}, 'naming the running one');
ok(!answers($port2), "nothing serves on $port2");
ok(answers($port1), 'the first still serves');
is(slurp("$tmp/run/cart.pid") =~ s/\s+//r, $cart_pid, 'with its own cart program');
ok(kill(0, $cart_pid), 'which still runs');

kill 'TERM', $run1;
is(exited($run1, 30), 0, 'the first stops on SIGTERM (as on Ctrl-C)');
@started = ();
ok(!kill(0, $cart_pid), 'and its programs with it');
ok(!-e "$tmp/run/make-run.lock", 'leaving no lock behind');

# A make run killed outright leaves its lock: the next one takes it over.
my $dead = fork // die;
POSIX::_exit(0) unless $dead;
waitpid($dead, 0);
open(my $fh, '>', "$tmp/run/make-run.lock") or die $!;
print $fh "$dead $port1\n";
close $fh;
my ($run3, $k3) = make_run($port2);
push @started, $run3;
ok(serving($k3, 60), 'after a make run that died, a new one starts') or diag slurp("$tmp/err.$k3");
ok(answers($port2), "and serves on $port2");
kill 'TERM', $run3;
is(exited($run3, 30), 0, 'and stops');
@started = ();

done_testing;
