#!/usr/bin/env perl
# Email addresses that are shown to be the person's: registration mails a
# welcome with a confirmation link and the dashboard reminds until it is
# followed; a change of address mails a link to the new address and a
# notice without any link to the old one, and the login address changes
# only when the link is followed (once, within 24 hours); the admin's
# list of people shows who is confirmed.
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

sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/\s+/ /g; return $h }
sub login_status {
	my ($email, $pw) = @_;
	my $c = $s->browser;
	$c->get('/account/login');
	return Forms::submit($c, '/account/login', email => $email, password => $pw)->{status};
}
sub register {
	my ($name, $email) = @_;
	my $b = $s->browser;
	$b->get('/account/register');
	my $res = Forms::submit($b, '/account/register', name => $name, email => $email, password => $PW);
	die "registration failed: $res->{status}\n" unless $res->{status} == 303;
	return $b;
}

my $admin = do {
	local $ENV{ENROLL_DB} = $s->db;
	open(my $fh, '|-', "$Stack::BUILD/bin/enrollctl create-admin head\@school.example >/dev/null") or die;
	print $fh "$PW\n";
	close $fh;
	my $b = $s->browser;
	$b->get('/account/login');
	Forms::submit($b, '/account/login', email => 'head@school.example', password => $PW);
	$b;
};
sub people_row {
	my ($id) = @_;
	my ($row) = $admin->get('/admin/users')->{content} =~ m{<tr id="user-$id">(.*?)</tr>}s;
	return text_of($row);
}

subtest 'registration sends a welcome with a link; the dashboard reminds until it is followed' => sub {
	my $b = register('Mary Somerville', 'mary@example.org');
	my $uid = $s->sql_one('SELECT id FROM users WHERE email = ?1', 'mary@example.org');
	my $mail = $s->mail_to('mary@example.org');
	like($mail, qr/^Subject: Welcome: please confirm your email address\r?$/m, 'a welcome mail arrives');
	like($mail, qr/buy and learn right away/, 'saying the account can be used at once');
	my $link = $s->link_in($mail, qr{/account/confirm-email});
	ok($link, 'with a confirmation link');
	my ($token) = $link =~ /token=(\w+)/;
	is($s->sql_one(q{SELECT count(*) FROM mail_links WHERE token_hash = ?1 AND purpose = 'verify'}, sha256_hex($token)), 1, 'of which only the hash is stored');
	my $dash = $b->get('/account/dashboard')->{content};
	like(text_of($dash), qr/Please confirm your email address, mary\@example\.org/, 'the dashboard reminds');
	like(people_row($uid), qr/Mary Somerville mary\@example\.org not yet/, 'the admin sees the address unconfirmed');

	my $res = $b->get($link);
	like(text_of($res->{content}), qr/Use mary\@example\.org as the email address of your account/, 'the link shows what it confirms');
	is($s->sql_one('SELECT email_verified_at IS NULL FROM users WHERE id = ?1', $uid), 1, 'opening it confirms nothing by itself');
	$res = Forms::submit($b, '/account/confirm-email');
	is($res->{status}, 303, 'the button confirms');
	like(text_of($b->get($res->{headers}{location})->{content}), qr/Your email address is confirmed: it is mary\@example\.org/, 'and says so');
	ok($s->sql_one('SELECT email_verified_at FROM users WHERE id = ?1', $uid) > 0, 'the address is confirmed');
	unlike($b->get('/account/dashboard')->{content}, qr/verify-reminder/, 'the reminder is gone');
	like(people_row($uid), qr/mary\@example\.org yes, \d+ \w+ \d{4}/, 'and the admin sees it confirmed');
	like(text_of($s->browser->get($link)->{content}), qr/This link has expired or has already been used/, 'the link works only once');
};

subtest 'a change of address: a link to the new one, a notice to the old, the change only when followed' => sub {
	my $b = register('Emmy Noether', 'emmy@example.org');
	my $uid = $s->sql_one('SELECT id FROM users WHERE email = ?1', 'emmy@example.org');
	$b->get('/account/settings');
	my $res = Forms::submit($b, '/account/settings/email', email => 'Noether@Example.org', current_password => 'not my password');
	is($res->{status}, 400, 'a wrong current password is refused');
	like($res->{content}, qr/id="email-password-error">That is not your current password/, 'beside the field');
	like($res->{content}, qr/value="noether\@example\.org"/, 'the typed address is kept');
	$res = Forms::submit($b, '/account/settings/email', email => 'mary@example.org', current_password => $PW);
	like($res->{content}, qr/id="email-error">Another account uses this email/, 'an address in use is refused beside the field');
	$res = Forms::submit($b, '/account/settings/email', email => 'Noether@Example.org', current_password => $PW);
	is($res->{status}, 303, 'the change is asked for');
	like(text_of($b->get('/account/settings')->{content}), qr/We sent a link to noether\@example\.org\. Your address changes when you follow it/, 'the page says what happens next');
	like(text_of($b->{last}{content}), qr/A change to noether\@example\.org waits for you/, 'and shows the change waiting');
	is($s->sql_one('SELECT email FROM users WHERE id = ?1', $uid), 'emmy@example.org', 'the login address is unchanged so far');
	is(login_status('noether@example.org', $PW), 400, 'the new address does not log in yet');

	my $notice = $s->mail_to('emmy@example.org', 2);
	like($notice, qr/^Subject: Your email address is about to change\r?$/m, 'the old address gets a notice');
	like($notice, qr/from emmy\@example\.org to noether\@example\.org/, 'naming both addresses');
	unlike($notice, qr{https?://\S*(token|confirm)}, 'without any link to follow');
	my $mail = $s->mail_to('noether@example.org');
	like($mail, qr/^Subject: Confirm your new email address\r?$/m, 'the new address gets the link');
	my $link = $s->link_in($mail, qr{/account/confirm-email});
	is(() = $s->mails_to('noether@example.org'), 1, 'one mail to the new address');

	# Followed in another browser (a phone's mail app), not logged in.
	my $phone = $s->browser;
	$phone->get($link);
	$res = Forms::submit($phone, '/account/confirm-email');
	is($res->{status}, 303, 'following the link confirms');
	is($res->{headers}{location}, '/account/login', 'and sends a guest to log in');
	is($s->sql_one('SELECT email FROM users WHERE id = ?1', $uid), 'noether@example.org', 'the login address has changed');
	is(login_status('noether@example.org', $PW), 303, 'the new address logs in');
	is(login_status('emmy@example.org', $PW), 400, 'the old one no longer does');
	$phone->get($link);
	like(text_of($phone->{last}{content}), qr/has expired or has already been used/, 'the link is used up');
	$s->sql('DELETE FROM login_attempts');
};

subtest 'a link expires after a day; a new one can be sent; another account taking the address wins' => sub {
	my $b = register('Ada Byron', 'byron@example.org');
	my $uid = $s->sql_one('SELECT id FROM users WHERE email = ?1', 'byron@example.org');
	$b->get('/account/settings');
	Forms::submit($b, '/account/settings/email', email => 'lovelace@example.org', current_password => $PW);
	my $link = $s->link_in($s->mail_to('lovelace@example.org'), qr{/account/confirm-email});
	$s->sql(q{UPDATE mail_links SET expires_at = ?1 WHERE user_id = ?2}, time - 1, $uid);
	like(text_of($b->get($link)->{content}), qr/This link has expired or has already been used\. Your account settings can send a new link/, 'an expired link is refused, saying what to do');

	# The pending change is gone with its link: the settings offer to send
	# a link for the current, unconfirmed address.
	$b->get('/account/settings');
	Forms::submit($b, '/account/settings/email', email => 'lovelace@example.org', current_password => $PW);
	$b->get('/account/settings');
	my $res = Forms::submit($b, '/account/verify-email/resend');
	is($res->{status}, 303, 'send the link again');
	like(text_of($b->get('/account/settings')->{content}), qr/We sent a new link/, 'says so');
	my $again = $s->link_in($s->mail_to('lovelace@example.org', 3), qr{/account/confirm-email});
	ok($again, 'the new link arrives at the new address');
	isnt($again, $link, 'and is a new one');

	register('Someone Else', 'lovelace@example.org');
	$b->get($again);
	$res = Forms::submit($b, '/account/confirm-email');
	is($res->{status}, 409, 'an address taken meanwhile by another account');
	like(text_of($res->{content}), qr/Another account uses this address now/, 'is not taken over');
	is($s->sql_one('SELECT email FROM users WHERE id = ?1', $uid), 'byron@example.org', 'the address is unchanged');
	$s->sql('DELETE FROM login_attempts');
};

subtest 'a password change cancels a pending change of address' => sub {
	my $b = register('Sophie Germain', 'sophie@example.org');
	$b->get('/account/settings');
	Forms::submit($b, '/account/settings/email', email => 'germain@example.org', current_password => $PW);
	my $link = $s->link_in($s->mail_to('germain@example.org'), qr{/account/confirm-email});
	$b->get('/account/settings');
	Forms::submit($b, '/account/settings/password', current_password => $PW, password => 'another long passphrase');
	like(text_of($s->browser->get($link)->{content}), qr/has expired or has already been used/, 'the link no longer works');
	is($s->sql_one('SELECT email FROM users WHERE email = ?1', 'sophie@example.org'), 'sophie@example.org', 'the address stays');
};

done_testing;
