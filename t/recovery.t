#!/usr/bin/env perl
# A forgotten password, as a student lives it: from the login page's link
# to the form, the same answer whether or not the address has an account,
# the mail (an .eml file the mail worker writes at once) with its link,
# the new password, logged in afresh and logged out everywhere else.  A
# link works once, for an hour, and not after a newer one or a password
# change; only its hash is stored; requests are throttled per address.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use Forms;
use Stack;

my $s = Stack->start;
my $PW = 'correct horse battery';
my $NEW = 'a brand new passphrase';

sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/\s+/ /g; return $h }
sub slurp { open(my $fh, '<', shift) or return ''; local $/; return <$fh> // '' }

# The reset mails written for $to, oldest first.
sub mails_to {
	my ($to) = @_;
	return grep { /^Subject: Choose a new password\r?$/m } $s->mails_to($to);
}
# Waits for the $n-th mail to $to; returns its reset link (path and query).
sub reset_link {
	my ($to, $n) = @_;
	$s->wait_for(sub { mails_to($to) >= $n }, 10);
	my @m = mails_to($to);
	my $mail = $m[$n - 1] // '';
	my ($link) = $mail =~ m{\Q${\ $s->base}\E(/account/reset-password\?token=[0-9a-f]+)};
	return $link;
}
# Asks for a link from the login page, as a person does.
sub ask_link {
	my ($b, $email) = @_;
	$b->get('/account/login');
	my ($href) = $b->{last}{content} =~ m{<a href="([^"]+)" id="forgot-link">Forgot your password\?</a>};
	$b->get($href);
	return Forms::submit($b, '/account/forgot-password', email => $email);
}

# Logs in through the form in a new browser; returns the answer's status.
sub login_status {
	my ($email, $pw) = @_;
	my $c = $s->browser;
	$c->get('/account/login');
	return Forms::submit($c, '/account/login', email => $email, password => $pw)->{status};
}

my ($old, $uid, $email) = $s->student(password => $PW);

subtest 'from the login page to a new password' => sub {
	my $b = $s->browser;
	my $res = ask_link($b, uc $email);
	is($res->{status}, 200, 'the request is answered');
	like(text_of($res->{content}), qr/If an account uses \Q$email\E ?, we have sent it a link/, 'without saying whether it does');
	my $link = reset_link($email, 1);
	ok($link, 'the mail worker delivered a mail with a link');
	my ($mail) = mails_to($email);
	like($mail, qr/^Subject: Choose a new password\r?$/m, 'its subject says what it is for');
	like($mail, qr/within the next hour/, 'and how long the link works');
	my ($token) = $link =~ /token=(\w+)/;
	is(length $token, 64, 'the token is 32 random bytes');
	is($s->sql_one('SELECT count(*) FROM mail_links WHERE token_hash = ?1', $token), 0, 'the token itself is not stored');
	is($s->sql_one(q{SELECT count(*) FROM mail_links WHERE token_hash = ?1 AND purpose = 'reset' AND user_id = ?2}, sha256_hex($token), $uid), 1, 'only its hash');

	$res = $b->get($link);
	is($res->{status}, 200, 'the link shows a form');
	like(text_of($res->{content}), qr/Choose a new password/, 'to choose a new password');
	is($s->sql_one(q{SELECT count(*) FROM mail_links WHERE user_id = ?1 AND purpose = 'reset'}, $uid), 1, 'opening it uses nothing up');

	$res = Forms::submit($b, '/account/reset-password', password => 'short');
	is($res->{status}, 400, 'a too-short password is refused');
	like($res->{content}, qr/id="password-error">[^<]*at least 10 characters/, 'next to the field, in registration\'s words');

	$res = Forms::submit($b, '/account/reset-password', password => $NEW);
	is($res->{status}, 303, 'the new password is set');
	is($res->{headers}{location}, '/account/dashboard', 'and the student goes to the dashboard');
	$res = $b->get('/account/dashboard');
	is($res->{status}, 200, 'logged in');
	like(text_of($res->{content}), qr/Your new password is set/, 'and told so');
	is($old->get('/account/dashboard')->{status}, 303, 'the session in the other browser has ended');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE user_id = ?1', $uid), 1, 'only the new session is left');

	is(login_status($email, $PW), 400, 'the old password no longer works');
	is(login_status($email, $NEW), 303, 'the new one does');

	$res = $s->browser->get($link);
	like(text_of($res->{content}), qr/This link has expired or has already been used/, 'the used link is refused');
	is($s->sql_one('SELECT count(*) FROM mail_links WHERE user_id = ?1', $uid), 0, 'and gone');
	$s->sql('DELETE FROM mail_requests');
};

subtest 'the answer is the same, word for word, for an address without an account' => sub {
	my $b = $s->browser;
	my $known = ask_link($b, $email)->{content};
	my $unknown = ask_link($b, 'nobody-here@example.org')->{content};
	(my $e = $email) =~ s/\@/%40/;
	for ($known, $unknown) {
		s/name="csrf_token" value="[^"]*"//g;
		s/\Q$email\E|\Q$e\E|nobody-here(\@|%40)example\.org/ADDRESS/g;
	}
	is($unknown, $known, 'the two pages are identical');
	is($s->sql_one('SELECT count(*) FROM outbox WHERE to_addr = ?1', 'nobody-here@example.org'), 0, 'and no mail goes to an address without an account');
	is($s->sql_one('SELECT count(*) FROM mail_requests WHERE email = ?1', 'nobody-here@example.org'), 1, 'though the request is counted like any other');
	$s->sql('DELETE FROM mail_requests');
};

subtest 'a link is void once a newer one is sent, once expired, once the password changes' => sub {
	my $b = $s->browser;
	# Counted in the outbox: a mail queued just before may not be written
	# yet, and would be taken for the first link below.
	my $n = $s->sql_one(q{SELECT count(*) FROM outbox WHERE to_addr = ?1 AND subject = 'Choose a new password'}, $email);
	ask_link($b, $email);
	my $first = reset_link($email, $n + 1);
	ask_link($b, $email);
	my $second = reset_link($email, $n + 2);
	isnt($second, $first, 'a second request sends a new link')
	    or diag(explain([$n, $first, $second, $s->sql('SELECT id, to_addr, status, dedupe_key FROM outbox'), $s->sql('SELECT * FROM mail_requests')]));
	like(text_of($b->get($first)->{content}), qr/has expired or has already been used/, 'the older one no longer works');
	like(text_of($b->get($second)->{content}), qr/Choose a new password/, 'the newer one does');

	$s->sql('UPDATE mail_links SET expires_at = ?1 WHERE user_id = ?2', time - 1, $uid);
	my $res = $b->get($second);
	like(text_of($res->{content}), qr/has expired or has already been used/, 'an hour later it has expired');
	like($res->{content}, qr{<form method="post" action="/account/forgot-password">}, 'and the page offers to send a new one');
	my $forged = $s->browser;
	$forged->get('/account/forgot-password');
	$res = $forged->post('/account/reset-password', { token => ($second =~ /token=(\w+)/)[0], password => 'whatever-you-like' });
	is($res->{status}, 400, 'posting a new password through it is refused too');
	is(login_status($email, $NEW), 303, 'and the password is unchanged');

	$s->sql('DELETE FROM mail_requests');
	ask_link($b, $email);
	my $third = reset_link($email, $n + 3);
	my $a = $s->browser;
	$a->get('/account/login');
	Forms::submit($a, '/account/login', email => $email, password => $NEW);
	$a->get('/account/settings');
	is(Forms::submit($a, '/account/settings/password', current_password => $NEW, password => $PW)->{status}, 303,
	    'the student changes the password in the settings');
	like(text_of($b->get($third)->{content}), qr/has expired or has already been used/, 'which voids the link sent before');
	$NEW = $PW;
	$s->sql('DELETE FROM mail_requests');
};

subtest 'requests are throttled per address; the page does not tell' => sub {
	my $b = $s->browser;
	my $count = sub { $s->sql_one(q{SELECT count(*) FROM outbox WHERE to_addr = ?1 AND subject = 'Choose a new password'}, $email) };
	my $before = $count->();
	my @pages = map { text_of(ask_link($b, $email)->{content}) } 1 .. 5;
	is($count->() - $before, 3, 'three mails in an hour, not five');
	is($pages[4], $pages[0], 'the fifth answer reads like the first');
	is($s->sql_one('SELECT count(*) FROM mail_requests WHERE email = ?1', $email), 5, 'every request was counted');
	$s->sql('DELETE FROM mail_requests');
};

done_testing;
