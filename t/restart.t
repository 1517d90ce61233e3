#!/usr/bin/env perl
# Restarts that drop nothing: a program takes the listening socket that a
# supervisor hands it (systemd's LISTEN_FDS), so while it restarts,
# requests wait in the socket's queue instead of failing.  Here
# systemd-socket-activate holds the cart program's socket and a small loop
# restarts the program three times while a client reads the catalog and a
# student buys a course.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Time::HiRes qw(sleep time);
use Stack;

plan skip_all => 'systemd-socket-activate is not installed (make deps installs systemd)'
    unless -x '/usr/bin/systemd-socket-activate';

my $s = Stack->start;
my $dir = $s->dir;
my $sock = "$dir/cart.sock";
my $bin = "$Stack::BUILD/bin/cart";

# The stack's own cart program goes; the supervisor takes its place.
my $old = do { open(my $fh, '<', "$dir/cart.pid") or die; <$fh> };
chomp $old;
kill 'TERM', $old;
sleep 0.1 while kill 0, $old;
unlink $sock;
my $stop = "$dir/supervisor.stop";
my $sup = fork // die;
if (!$sup) {
	# Each run of the program gets LISTEN_PID = its own pid (exec keeps
	# the inner shell's), as systemd sets it; the rest of its
	# environment is the stack's (systemd-socket-activate passes only
	# what -E names).
	my %env = (ENROLL_DB => $s->db, ENROLL_BASE_URL => $s->base,
	    ENROLL_MAIL_DIR => $s->cfg('ENROLL_MAIL_DIR'), PATH => $ENV{PATH},
	    map { $_ => $s->cfg($_) } qw(STRIPE_API_BASE STRIPE_SECRET_KEY STRIPE_WEBHOOK_SECRET));
	open(STDERR, '>>', "$dir/activate.log") or POSIX::_exit(1);
	exec('/usr/bin/systemd-socket-activate', '-l', $sock,
	    (map { ('-E', "$_=$env{$_}") } sort keys %env), '/bin/sh', '-c',
	    "while [ ! -e '$stop' ]; do sh -c 'LISTEN_PID=\$\$ exec \"\$0\" --workers 2' '$bin' 2>>'$dir/cart.log'; done")
	    or POSIX::_exit(1);
}
sleep 0.05 until -S $sock;
sub cart_parent { my $p = `pgrep -o -f '^$bin --workers 2'`; chomp $p; return $p }

my $b = $s->browser;
is($b->get('/courses')->{status}, 200, 'the catalog answers from the handed-over socket');
my $first = cart_parent();
like($first, qr/^\d+$/, "the program runs (pid $first)");
like($s->log_text('cart'), qr/serving on the socket handed over/, 'on the socket it was handed');

# A client reads the catalog as fast as it can while the program restarts.
my $results = "$dir/client.txt";
my $client = fork // die;
if (!$client) {
	my $c = $s->browser;
	open(my $fh, '>', $results) or POSIX::_exit(1);
	my $end = time + 4;
	while (time < $end) { print $fh $c->get('/courses')->{status}, "\n" }
	close $fh;
	POSIX::_exit(0);
}
# A student buys a course meanwhile.
my ($st, $uid) = $s->student;
my $course = $s->sql_one(q{SELECT id FROM courses WHERE slug = 'payments-engineering'});
my @pids = ($first);
for my $round (1 .. 3) {
	sleep 0.7;
	kill 'TERM', cart_parent();
	if ($round == 2) {
		is($st->post("/payment/add-to-cart/$course", {}, from => "/courses/payments-engineering")->{status}, 303,
		    'adding to the cart during a restart works');
	}
	my $t0 = time;
	sleep 0.05 until (cart_parent() || 0) != $pids[-1] && cart_parent() || time - $t0 > 10;
	push @pids, cart_parent();
}
waitpid($client, 0);
my @status = do { open(my $fh, '<', $results) or die; map { chomp; $_ } <$fh> };
is(scalar(keys %{{ map { $_ => 1 } @pids }}), 4, 'the program ran four times: three restarts');
cmp_ok(scalar @status, '>', 100, scalar(@status) . ' catalog requests during the restarts');
is(scalar(grep { $_ != 200 } @status), 0, 'not one failed');
my $res = $st->post('/payment/checkout', {}, from => '/payment/cart');
my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
ok($cs, 'the student checks out');
is($s->emu('POST', "/_emu/pay/$cs", { card => '4242424242424242' })->{status}, 200, 'and pays');
ok($s->wait_for(sub { $s->sql_one(q{SELECT status FROM orders WHERE stripe_session_id = ?1}, $cs) eq 'paid' }), 'the order is paid');

open(my $fh, '>', $stop) or die;
close $fh;
kill 'TERM', cart_parent();
sleep 0.1 while cart_parent() && kill 0, $sup and waitpid($sup, POSIX::WNOHANG()) == 0;
kill 'TERM', $sup;
waitpid($sup, 0);
done_testing;
