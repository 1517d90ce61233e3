#!/usr/bin/env perl
# Where a student is logged in: the settings page lists each session
# (browser, address, when it started and was last used), a button logs
# one out, another logs out everywhere else; and session ids change at
# login and at a password change, so an id known before is worthless after.
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
my %UA = (
	firefox => 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
	iphone => 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
	chrome => 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
);

sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/\s+/ /g; return $h }

# A browser with User-Agent $ua, logged in through the login form.
sub logged_in {
	my ($email, $ua) = @_;
	my $b = $s->browser;
	$b->{http}->agent($ua);
	$b->get('/account/login');
	my $res = Forms::submit($b, '/account/login', email => $email, password => $PW);
	die "login failed: $res->{status}\n" unless $res->{status} == 303;
	return $b;
}

my (undef, $uid, $email) = $s->student(password => $PW);
$s->sql('DELETE FROM sessions WHERE user_id = ?1', $uid);

subtest 'the settings page lists every session, this browser first' => sub {
	my $fx = logged_in($email, $UA{firefox});
	my $ip = logged_in($email, $UA{iphone});
	my $cr = logged_in($email, $UA{chrome});
	my $page = $fx->get('/account/settings')->{content};
	like($page, qr{<title>Account settings · Enroll</title>}, 'the page\'s title is its name alone');
	is(scalar(() = $page =~ /<section id="sessions">/g), 1, 'the list is on the page once');
	my ($table) = $page =~ m{<section id="sessions">(.*?)</section>}s;
	my @rows = $table =~ m{<tr[^>]*>(.*?)</tr>}sg;
	shift @rows;	# the head
	is(scalar @rows, 3, 'three sessions');
	like(text_of($rows[0]), qr/Firefox on Linux \(this browser\) 127\.0\.0\.1 \d+ \w+ \d{4} \d\d:\d\d UTC/, 'this one first: browser, address, when');
	unlike($rows[0], qr/<form/, 'with no button to log itself out');
	like(text_of($table), qr/Safari on iPhone/, 'the phone');
	like(text_of($table), qr/Chrome on Windows/, 'and the other computer');
	like($page, qr/Log out everywhere else/, 'and a button for all the others');
};

subtest 'one session logged out with its button, then everywhere else' => sub {
	$s->sql('DELETE FROM sessions WHERE user_id = ?1', $uid);
	my $fx = logged_in($email, $UA{firefox});
	my $ip = logged_in($email, $UA{iphone});
	my $cr = logged_in($email, $UA{chrome});
	my $page = $fx->get('/account/settings')->{content};
	my ($iphone_row) = grep { /Safari on iPhone/ } $page =~ m{<tr[^>]*>(.*?)</tr>}sg;
	my ($action) = $iphone_row =~ m{action="(/account/sessions/\d+/end)"};
	ok($action, 'the phone\'s row has its own Log out button');
	my $res = Forms::submit($fx, $action);
	is($res->{status}, 303, 'pressing it');
	like(text_of($fx->get('/account/settings')->{content}), qr/That session is logged out/, 'says so');
	is($ip->get('/account/dashboard')->{status}, 303, 'the phone is logged out');
	is($cr->get('/account/dashboard')->{status}, 200, 'the other computer is not');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE user_id = ?1', $uid), 2, 'two sessions left');

	# Another student cannot end this student's sessions by number.
	my ($other) = $s->student;
	my $cr_id = $s->sql_one(q{SELECT id FROM sessions WHERE user_id = ?1 AND user_agent LIKE '%Chrome%'}, $uid);
	$other->get('/account/settings');
	$other->post("/account/sessions/$cr_id/end", {});
	is($cr->get('/account/dashboard')->{status}, 200, 'a session of someone else cannot be ended');

	$fx->get('/account/settings');
	$res = Forms::submit($fx, '/account/sessions/end-others');
	is($res->{status}, 303, 'log out everywhere else');
	is($cr->get('/account/dashboard')->{status}, 303, 'the other computer is logged out');
	is($fx->get('/account/dashboard')->{status}, 200, 'this browser is not');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE user_id = ?1', $uid), 1, 'one session left');
	unlike($fx->get('/account/settings')->{content}, qr/Log out everywhere else/, 'and no button for others when there are none');
};

subtest 'the session id changes at login and at a password change' => sub {
	my $b = $s->browser;
	$b->get('/account/login');
	$b->set_cookie(enroll_session => 'a' x 64);	# planted before login
	Forms::submit($b, '/account/login', email => $email, password => $PW);
	my $at_login = $b->cookie('enroll_session');
	isnt($at_login, 'a' x 64, 'login gives a new id');
	$b->get('/account/settings');
	my $res = Forms::submit($b, '/account/settings/password', current_password => $PW, password => 'another long passphrase');
	is($res->{status}, 303, 'the password is changed');
	my $after = $b->cookie('enroll_session');
	isnt($after, $at_login, 'and the session id with it');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE token_hash = ?1', sha256_hex($at_login)), 0, 'the old id is gone');
	is($b->get('/account/dashboard')->{status}, 200, 'the browser stays logged in');
	my $thief = $s->browser;
	$thief->set_cookie(enroll_session => $at_login);
	is($thief->get('/account/dashboard')->{status}, 303, 'the old id logs nobody in');
};

done_testing;
