#!/usr/bin/env perl
# Mail leaves as it is queued: the stack's `enrollctl mail-worker` (what
# make run starts, and what the README's systemd unit runs) delivers a
# queued message within seconds, shares the outbox with other workers and
# with send-mail without sending anything twice, and stops cleanly on
# SIGTERM.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Stack;

my $s = Stack->start;
my $dir = $s->cfg('ENROLL_MAIL_DIR');

sub queue {
	my ($key, $to, $subject) = @_;
	$s->sql(q{INSERT INTO outbox (dedupe_key, to_addr, subject, body) VALUES (?1, ?2, ?3, 'Hello from the worker test.')},
	    $key, $to, $subject);
	return $s->sql_one('SELECT id FROM outbox WHERE dedupe_key = ?1', $key);
}
sub eml_of { my $id = shift; return sprintf('%s/%06d.eml', $dir, $id) }
sub slurp { open(my $fh, '<', shift) or return ''; local $/; return <$fh> // '' }

subtest 'a queued message leaves at once, without send-mail' => sub {
	my $id = queue('worker-1', 'reader@example.org', 'Straight out');
	ok($s->wait_for(sub { -s eml_of($id) }, 10), 'the .eml file appears within seconds');
	like(slurp(eml_of($id)), qr/^To: reader\@example\.org\r?$/m, 'addressed to the reader');
	like(slurp(eml_of($id)), qr/^Subject: Straight out\r?$/m, 'with its subject');
	ok($s->wait_for(sub { $s->sql_one('SELECT status FROM outbox WHERE id = ?1', $id) eq 'sent' }, 5), 'and is marked sent');
	is($s->sql_one('SELECT attempts FROM outbox WHERE id = ?1', $id), 1, 'after one attempt');
	like($s->log_text('mail-worker'), qr/mail-worker: 1 sent, 0 failed/, 'the worker logs what it sent');
};

subtest 'two workers and send-mail share the outbox; nothing is sent twice' => sub {
	# A second worker on the same database, as on a second host.
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		$ENV{ENROLL_DB} = $s->db;
		$ENV{ENROLL_MAIL_DIR} = $dir;
		open(STDERR, '>', $s->dir . '/second-worker.log');
		exec("$Stack::BUILD/bin/enrollctl", 'mail-worker') or POSIX::_exit(127);
	}
	my @ids = map { queue("worker-many-$_", "many$_\@example.org", "Message $_") } 1 .. 60;
	$s->enrollctl('send-mail') for 1 .. 3;
	ok($s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'worker-many-%' AND status = 'sent'}) == 60 }, 20),
	    'all 60 messages are sent');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'worker-many-%' AND attempts = 1}), 60,
	    'each by exactly one sender, in one attempt');
	is(scalar(grep { -s eml_of($_) } @ids), 60, 'each has its file');
	kill 'TERM', $pid;
	my $gone = $s->wait_for(sub { waitpid($pid, POSIX::WNOHANG()) == $pid }, 10);
	ok($gone, 'a worker stops on SIGTERM');
	is($? >> 8, 0, 'and exits 0');
	like(slurp($s->dir . '/second-worker.log'), qr/mail-worker: stopped/, 'saying so');
};

subtest 'a failed delivery is retried later by the worker, not lost' => sub {
	# A mail folder that cannot be written: a file where the folder should be.
	my $blocked = $s->dir . '/not-a-dir';
	open(my $fh, '>', $blocked) or die; close $fh;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		$ENV{ENROLL_DB} = $s->db;
		$ENV{ENROLL_MAIL_DIR} = $blocked;
		open(STDERR, '>', $s->dir . '/blocked-worker.log');
		exec("$Stack::BUILD/bin/enrollctl", 'mail-worker') or POSIX::_exit(127);
	}
	# Stop the stack's own worker so that only the blocked one runs.
	kill 'TERM', $s->parent_pid('mail-worker');
	sleep 1;
	my $id = queue('worker-retry', 'later@example.org', 'Try again');
	ok($s->wait_for(sub { $s->sql_one(q{SELECT last_error FROM outbox WHERE id = ?1}, $id) ne '' }, 10), 'the failure is recorded');
	is($s->sql_one('SELECT status FROM outbox WHERE id = ?1', $id), 'pending', 'and the message waits for a retry');
	kill 'TERM', $pid;
	waitpid($pid, 0);
	$s->sql(q{UPDATE outbox SET next_attempt_at = 0 WHERE id = ?1}, $id);
	is($s->enrollctl('send-mail'), 0, 'the next delivery');
	is($s->sql_one('SELECT status FROM outbox WHERE id = ?1', $id), 'sent', 'sends it');
	is($s->sql_one('SELECT attempts FROM outbox WHERE id = ?1', $id), 2, 'on its second attempt');
};

done_testing;
