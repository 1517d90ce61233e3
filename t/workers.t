#!/usr/bin/env perl
# The process model: a worker killed under load is replaced and the store
# keeps answering; SIGTERM lets the program finish and exit cleanly.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use POSIX ();
use Stack;

my $s = Stack->start(ENROLL_WORKERS => 3);
my $b = $s->browser;

my @before = $s->worker_pids('cart');
is(scalar @before, 3, 'cart runs three workers');

# Kill one worker while a client keeps asking; count what it sees.
my $pid = fork // die;
if ($pid == 0) {
	my $c = $s->browser;
	my ($ok, $bad) = (0, 0);
	for (1 .. 300) { $c->get('/courses')->{status} == 200 ? $ok++ : $bad++ }
	open my $fh, '>', $s->dir . '/load.out' or die; print $fh "$ok $bad\n"; close $fh;
	POSIX::_exit(0);	# not exit: that would stop the stack in the child
}
sleep 0.2;
kill 'KILL', $before[0];
waitpid($pid, 0);
open my $fh, '<', $s->dir . '/load.out' or die;
my ($ok, $bad) = split ' ', <$fh>;
ok($ok >= 299, "requests kept being answered while a worker died ($ok ok, $bad failed)");

my @after;
for (1 .. 50) { @after = $s->worker_pids('cart'); last if @after == 3; sleep 0.1 }
is(scalar @after, 3, 'the dead worker was replaced');
ok(!grep({ $_ == $before[0] } @after), 'by a new process');
like($s->log_text('cart'), qr/worker $before[0] ended \(signal 9\); replacing/, 'the death is logged');
for (1 .. 20) { is($b->get('/courses')->{status}, 200, 'a request after the replacement') }

# Graceful stop: the parent exits, its workers exit, the socket is removed.
my $parent = $s->parent_pid('cart');
kill 'TERM', $parent;
my $gone = 0;
for (1 .. 100) { if (!kill(0, $parent) || `ps -o stat= -p $parent` =~ /Z/) { $gone = 1; last } sleep 0.1 }
ok($gone, 'cart exits on SIGTERM');
ok(!grep({ kill 0, $_ } @after), 'and so do its workers');
ok(!-e $s->dir . '/cart.sock', 'and its socket is removed');
like($s->log_text('cart'), qr/cart: stopped/, 'it says it stopped');
unlike($s->log_text('cart'), qr/AddressSanitizer|runtime error/, 'no sanitizer report');

done_testing;
