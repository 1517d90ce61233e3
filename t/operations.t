#!/usr/bin/env perl
# The operator's side of purchases: enrollctl reconcile applies what the
# webhook missed, expire-orders releases stale reservations, send-mail
# speaks real SMTP (and retries without sending twice), and a student
# never sees another student's order.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use POSIX ();
use Stack;

# No mail worker: send-mail alone delivers here, as from cron.
my $s = Stack->start(ENROLL_MAIL_WORKER => 0);
my $course = $s->sql_one(q{SELECT id FROM courses WHERE slug = 'testing-in-practice'});

sub buy {
	my ($b) = @_;
	$b->post("/payment/add-to-cart/$course", {}, from => '/payment/cart');
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_\w+)};
	return ($cs, $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs));
}

subtest 'reconcile applies a payment whose webhook never came' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'drop' });
	my ($b, $uid) = $s->student;
	my ($cs, $oid) = buy($b);
	is($s->emu('POST', "/_emu/pay/$cs", { card => '4242424242424242' })->{status}, 200, 'paid at Stripe');
	sleep 1;
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid), 'pending', 'the dropped webhook left the order pending');
	is($s->enrollctl('reconcile'), 0, 'enrollctl reconcile succeeds');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid), 'paid', 'the order is paid');
	is($s->sql_one(q{SELECT count(*) FROM enrollments WHERE user_id = ?1 AND status = 'active'}, $uid), 1, 'the student has access');
	my $events = $s->sql_one('SELECT count(*) FROM stripe_events');
	is($s->enrollctl('reconcile'), 0, 'a second run');
	is($s->sql_one('SELECT count(*) FROM stripe_events'), $events, 'applies nothing twice');
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'expire-orders releases reservations of checkouts that lapsed' => sub {
	$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('STALE', 'percentage', 5)});
	my ($b) = $s->student;
	$b->post("/payment/add-to-cart/$course", {}, from => '/payment/cart');
	$b->post('/payment/apply-coupon', { code => 'STALE' }, from => '/payment/cart');
	my ($cs, $oid) = buy($b);
	is($s->sql_one('SELECT status FROM coupon_redemptions WHERE order_id = ?1', $oid), 'reserved', 'a reservation is held');
	is($s->enrollctl('expire-orders'), 0, 'expire-orders while the session is open');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid), 'pending', 'leaves it alone');
	$s->sql('UPDATE orders SET expires_at = unixepoch() - 3600 WHERE id = ?1', $oid);
	is($s->enrollctl('expire-orders'), 0, 'after it lapsed');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid), 'expired', 'the order is expired');
	is($s->sql_one('SELECT status FROM coupon_redemptions WHERE order_id = ?1', $oid), 'released', 'and the coupon released');
};

subtest 'another student\'s order is a 404' => sub {
	my ($alice) = $s->student;
	my ($cs, $oid) = buy($alice);
	is($alice->get("/payment/order/$oid")->{status}, 200, 'the buyer sees it');
	my ($mallory) = $s->student;
	is($mallory->get("/payment/order/$oid")->{status}, 404, 'another student gets a 404');
	is($s->browser->get("/payment/order/$oid")->{status}, 303, 'a guest is sent to log in');
	unlike($mallory->get('/payment/orders')->{content}, qr/ORD-/, 'and it is not in their history');
};

# A minimal SMTP server: accepts one message per connection and writes the
# transcript to a file.
sub smtp_sink {
	my ($file) = @_;
	my $srv = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1:0', ReuseAddr => 1) or die $!;
	my $pid = fork // die;
	if (!$pid) {
		open my $out, '>>', $file or die;
		$out->autoflush(1);
		while (my $c = $srv->accept) {
			$c->autoflush(1);
			print $c "220 sink ESMTP\r\n";
			my $data = 0;
			while (my $line = <$c>) {
				print $out $line;
				if ($data) { if ($line eq ".\r\n") { $data = 0; print $c "250 queued\r\n" } next }
				if ($line =~ /^(EHLO|HELO)/i) { print $c "250 sink\r\n" }
				elsif ($line =~ /^DATA/i) { $data = 1; print $c "354 go on\r\n" }
				elsif ($line =~ /^QUIT/i) { print $c "221 bye\r\n"; last }
				else { print $c "250 ok\r\n" }
			}
			close $c;
		}
		POSIX::_exit(0);
	}
	return ($srv->sockport, $pid);
}

subtest 'send-mail speaks SMTP, retries failures, never sends twice' => sub {
	my $pending = $s->sql_one(q{SELECT count(*) FROM outbox WHERE status = 'pending'});
	ok($pending >= 1, "mail is waiting ($pending)");
	# No server: every message fails and waits for a retry.
	my $dead = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1:0')->sockport;
	{
		local $ENV{ENROLL_SMTP_URL} = "smtp://127.0.0.1:$dead";
		isnt($s->enrollctl('send-mail'), 0, 'with the server down send-mail says so');
	}
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 1 AND next_attempt_at > unixepoch() AND last_error <> ''}), $pending, 'each message is kept for a later try, with the error');
	$s->sql(q{UPDATE outbox SET next_attempt_at = unixepoch() WHERE status = 'pending'});
	my $file = $s->dir . '/smtp.log';
	my ($port, $pid) = smtp_sink($file);
	{
		local $ENV{ENROLL_SMTP_URL} = "smtp://127.0.0.1:$port";
		is($s->enrollctl('send-mail'), 0, 'with the server up it sends');
		is($s->sql_one(q{SELECT count(*) FROM outbox WHERE status = 'sent'}), $pending, 'every message is marked sent');
		is($s->enrollctl('send-mail'), 0, 'a second run');
	}
	kill 'TERM', $pid;
	waitpid($pid, 0);
	my $log = do { local $/; open my $fh, '<', $file or die; <$fh> };
	my $rcpts = () = $log =~ /^RCPT TO:/mg;
	is($rcpts, $pending, 'the server received each message once');
	like($log, qr/^Subject: Your order ORD-\d{8}-\w{6} is confirmed/m, 'a confirmation among them');
	like($log, qr/^MAIL FROM:<enroll\@localhost>/m, 'from the configured sender');
};

done_testing;
