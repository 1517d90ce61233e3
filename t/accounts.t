#!/usr/bin/env perl
# Accounts through nginx and FastCGI: a student registers, logs out, logs
# in, changes the password and the session elsewhere ends; an admin made
# with enrollctl reaches /admin/ and a student does not.  Around that, the
# security every page relies on: CSRF on every account form, cookie flags,
# hashed passwords and session tokens, no session fixation, throttling
# that reveals nothing, safe "next" redirects, and the guest cart kept at
# login.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use Stack;

my $s = Stack->start;
my $PW = 'correct-horse-battery';
my $PW2 = 'a-brand-new-passphrase';

sub users { $s->sql_one('SELECT count(*) FROM users') }
sub sessions_of { $s->sql_one('SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ?1', $_[0]) }
sub set_cookie_of {
	my ($res, $name) = @_;
	my $sc = $res->{headers}{'set-cookie'} // [];
	return (grep { /^\Q$name\E=/ } ref $sc ? @$sc : ($sc))[0];
}
sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/\s+/ /g; return $h }

sub register {
	my ($b, %f) = @_;
	return $b->post('/account/register', \%f, from => '/account/register');
}
sub login {
	my ($b, $email, $pw, %extra) = @_;
	return $b->post('/account/login', { email => $email, password => $pw, %extra }, from => '/account/login');
}

# Runs enrollctl create-admin with the password on stdin; returns the exit
# status and what it printed on stderr.
sub create_admin {
	my ($email, $pw, @rest) = @_;
	my $err = $s->dir . '/create-admin.err';
	local $ENV{ENROLL_DB} = $s->db;
	open(my $fh, '|-', "$Stack::BUILD/bin/enrollctl create-admin '$email' @rest 2>'$err' >/dev/null")
	    or die "enrollctl: $!";
	print $fh "$pw\n";
	close $fh;
	my $rc = $? >> 8;
	open(my $eh, '<', $err) or die $!;
	local $/;
	return ($rc, <$eh> // '');
}

subtest 'a student registers, logs out, logs in, changes the password; the other session ends' => sub {
	my $a = $s->browser;
	my $res = register($a, name => 'Ada Lovelace', email => 'Ada@Example.org', password => $PW);
	is($res->{status}, 303, 'registration answers with a redirect');
	is($res->{headers}{location}, '/account/dashboard', 'to the dashboard');
	like(text_of($a->get('/account/dashboard')->{content}), qr/Welcome, Ada Lovelace/, 'the dashboard greets the student by name');
	like($a->{last}{content}, qr{href="/account/settings"}, 'and links to the settings');
	my $hash = $s->sql_one('SELECT password_hash FROM users WHERE email = ?1', 'ada@example.org');
	like($hash, qr/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'the email is stored lower-case with an Argon2id hash');
	unlike($hash, qr/\Q$PW\E/, 'the password itself is nowhere in it');
	is($s->sql_one('SELECT role FROM users WHERE email = ?1', 'ada@example.org'), 'student', 'a new account is a student');

	my $token = $a->cookie('enroll_session');
	like($token, qr/^[0-9a-f]{64}$/, 'the session cookie is a 256-bit random token');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE token_hash = ?1', $token), 0, 'the token itself is not stored');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE token_hash = ?1', sha256_hex($token)), 1, 'only its SHA-256 is');

	$res = $a->post('/account/logout', {}, from => '/account/dashboard');
	is($res->{status}, 303, 'logout redirects');
	is(sessions_of('ada@example.org'), 0, 'logout deletes the session row');
	is($a->cookie('enroll_session'), undef, 'and clears the cookie');
	is($a->get('/account/dashboard')->{status}, 303, 'the dashboard now asks for a login');
	is($a->{last}{headers}{location}, '/account/login?next=%2Faccount%2Fdashboard', 'with next');

	$res = login($a, 'ADA@example.org', $PW);
	is($res->{status}, 303, 'login (email in another case) succeeds');
	my $b = $s->browser;
	is(login($b, 'ada@example.org', $PW)->{status}, 303, 'a second browser logs in too');
	is(sessions_of('ada@example.org'), 2, 'two sessions');
	is($b->get('/account/dashboard')->{status}, 200, 'the second browser sees the dashboard');

	$res = $a->post('/account/settings/password', { current_password => 'not my password', password => $PW2 }, from => '/account/settings');
	is($res->{status}, 400, 'a wrong current password is refused');
	like($res->{content}, qr/id="current-password-error">That is not your current password/, 'next to the field');
	$res = $a->post('/account/settings/password', { current_password => $PW, password => $PW2 }, from => '/account/settings');
	is($res->{status}, 303, 'the password change succeeds');
	like(text_of($a->get('/account/settings')->{content}), qr/logged out/, 'and says what happened elsewhere');
	is($a->{last}{status}, 200, 'this browser stays logged in');
	is($b->get('/account/dashboard')->{status}, 303, 'the other browser is logged out');
	is(sessions_of('ada@example.org'), 1, 'one session left');
	my $c = $s->browser;
	is(login($c, 'ada@example.org', $PW)->{status}, 400, 'the old password no longer works');
	is(login($c, 'ada@example.org', $PW2)->{status}, 303, 'the new one does');
	$s->sql('DELETE FROM login_attempts');
};

subtest 'an admin made with enrollctl reaches /admin/, a student does not' => sub {
	my ($rc, $err) = create_admin('boss@example.org', 'short');
	isnt($rc, 0, 'a too-short password is refused');
	like($err, qr/at least 10 characters/, 'with a message');
	($rc, $err) = create_admin('not an email', $PW);
	isnt($rc, 0, 'a bad email is refused');
	like($err, qr/not an email address/, 'with a message');
	($rc, $err) = create_admin('boss@example.org', '');
	isnt($rc, 0, 'a new admin needs a password');
	is($s->sql_one('SELECT count(*) FROM users WHERE email = ?1', 'boss@example.org'), 0, 'no account was made');
	($rc, $err) = create_admin('Boss@Example.org', $PW);
	is($rc, 0, 'create-admin succeeds') or diag $err;
	is($s->sql_one('SELECT role FROM users WHERE email = ?1', 'boss@example.org'), 'admin', 'the account is an admin');
	like($s->sql_one('SELECT password_hash FROM users WHERE email = ?1', 'boss@example.org'), qr/^\$argon2id\$/, 'with an Argon2id hash');

	my $guest = $s->browser;
	my $res = $guest->get('/admin/');
	is($res->{status}, 303, 'a guest is sent to log in');
	is($res->{headers}{location}, '/account/login?next=%2Fadmin%2F', 'and back here afterwards');

	my $student = $s->browser;
	register($student, name => 'Stu Dent', email => 'stu@example.org', password => $PW);
	$res = $student->get('/admin/');
	is($res->{status}, 403, 'a student gets a 403');
	like($res->{content}, qr/for administrators/, 'in plain words');
	unlike($student->get('/account/dashboard')->{content}, qr{href="/admin/"}, 'and no admin link');

	my $admin = $s->browser;
	$admin->get('/admin/');
	$res = login($admin, 'boss@example.org', $PW, next => '/admin/');
	is($res->{headers}{location}, '/admin/', 'the admin logs in and goes on to /admin/');
	$res = $admin->get('/admin/');
	is($res->{status}, 200, 'the admin reaches /admin/');
	is(($res->{content} =~ /id="count-users">(\d+)</)[0], users(), 'it counts the users');
	is(($res->{content} =~ /id="count-courses">(\d+)</)[0], $s->sql_one('SELECT count(*) FROM courses'), 'and the courses');
	like($res->{headers}{'content-security-policy'} // '', qr/frame-ancestors 'none'/, 'with the security headers');

	($rc) = create_admin('stu@example.org', '');
	is($rc, 0, 'create-admin promotes an existing student (password kept)');
	my $before = $student->cookie('enroll_session');
	is($student->get('/admin/')->{status}, 303, 'a change of role ends the student\'s session');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE token_hash = ?1', sha256_hex($before)), 0, 'its id is gone');
	is(login($student, 'stu@example.org', $PW, next => '/admin/')->{status}, 303, 'the new admin logs in again');
	isnt($student->cookie('enroll_session'), $before, 'with a new session id');
	is($student->get('/admin/')->{status}, 200, 'and reaches /admin/');
	is(login($s->browser, 'stu@example.org', $PW)->{status}, 303, 'with the same password');
};

subtest 'every account form refuses a missing or wrong CSRF token and changes nothing' => sub {
	my $b = $s->browser;
	register($b, name => 'Csrf Target', email => 'csrf@example.org', password => $PW);
	my %forms = (
		'/account/login' => { email => 'csrf@example.org', password => $PW },
		'/account/register' => { name => 'X', email => 'csrf-new@example.org', password => $PW },
		'/account/logout' => {},
		'/account/settings/name' => { name => 'Changed' },
		'/account/settings/email' => { email => 'csrf-changed@example.org', current_password => $PW },
		'/account/settings/password' => { current_password => $PW, password => $PW2 },
	);
	my $state = sub { join '|', map { join ',', @$_ } $s->sql('SELECT id, email, name, password_hash FROM users ORDER BY id'), $s->sql('SELECT id, token_hash FROM sessions ORDER BY id') };
	my $before = $state->();
	my $other = $s->browser;
	my $foreign = $other->csrf('/account/login');
	for my $path (sort keys %forms) {
		for my $case (['no token', undef], ['a wrong token', '0' x 64], ["another visitor's token", $foreign]) {
			my %f = %{$forms{$path}};
			$b->get('/account/settings');
			my $res = defined $case->[1]
			    ? $b->request('POST', $path, { %f, csrf_token => $case->[1] })
			    : $b->request('POST', $path, \%f);
			is($res->{status}, 403, "POST $path with $case->[0] is a 403");
		}
	}
	like($b->{last}{content}, qr/form has expired/, 'the 403 page says why in plain words');
	is($state->(), $before, 'no user or session changed');
	is($b->get('/account/dashboard')->{status}, 200, 'the victim is still logged in');
};

subtest 'cookies are HttpOnly, SameSite=Lax, Path=/ and not Secure over http' => sub {
	my $b = $s->browser;
	my $res = $b->get('/account/login');
	my $guest = set_cookie_of($res, 'enroll_guest');
	ok($guest, 'a guest cookie is set');
	$res = login($b, 'csrf@example.org', $PW);
	my $c = set_cookie_of($res, 'enroll_session');
	ok($c, 'login sets the session cookie');
	for my $cookie ($guest, $c) {
		like($cookie, qr/;\s*HttpOnly/i, 'HttpOnly');
		like($cookie, qr/;\s*SameSite=Lax/i, 'SameSite=Lax');
		like($cookie, qr/;\s*Path=\//, 'Path=/');
		unlike($cookie, qr/Secure/i, 'no Secure flag over plain http');
	}
	like($res->{headers}{'x-content-type-options'} // '', qr/nosniff/, 'the login answer carries the security headers');
	like($res->{headers}{'content-security-policy'} // '', qr/default-src 'self'/, 'including the CSP');
};

subtest 'behind https (ENROLL_BASE_URL) the cookies are Secure' => sub {
	my $t = Stack->start(ENROLL_BASE_URL => 'https://store.example');
	my $b = Browser->new('http://127.0.0.1:' . $t->cfg('PORT'));
	my $res = $b->get('/account/login');
	like(set_cookie_of($res, 'enroll_guest') // '', qr/;\s*Secure/i, 'the guest cookie is Secure');
	$b->post('/account/register', { name => 'Tls', email => 'tls@example.org', password => $PW }, from => '/account/register');
	my $c = set_cookie_of($b->{last}, 'enroll_session');
	like($c // '', qr/;\s*Secure/i, 'the session cookie is Secure');
	like($c // '', qr/;\s*HttpOnly/i, 'and HttpOnly');
	$t->stop;
};

subtest 'a session cookie planted before login is not the session after it' => sub {
	my $b = $s->browser;
	$b->get('/account/login');
	my $planted = 'ab' x 32;
	$b->set_cookie(enroll_session => $planted);
	my $guest = $b->cookie('enroll_guest');
	is(login($b, 'csrf@example.org', $PW)->{status}, 303, 'login succeeds');
	isnt($b->cookie('enroll_session'), $planted, 'the session token is new');
	is($b->cookie('enroll_guest'), $guest, 'the guest id is kept');
	my $attacker = $s->browser;
	$attacker->set_cookie(enroll_session => $planted);
	is($attacker->get('/account/dashboard')->{status}, 303, 'the planted value does not authenticate');
};

subtest 'registration refuses bad input beside the field and creates nothing' => sub {
	my $b = $s->browser;
	my $n = users();
	my $res = register($b, name => 'Dup', email => 'ADA@EXAMPLE.ORG', password => $PW);
	is($res->{status}, 400, 'an email taken in another case is refused');
	like($res->{content}, qr/id="email-error">An account with this email already exists/, 'next to the email field');
	like($res->{content}, qr/value="Dup"/, 'the form keeps the name');
	unlike($res->{content}, qr/\Q$PW\E/, 'but never the password');
	$res = register($b, name => 'Shorty', email => 'shorty@example.org', password => 'abc123');
	is($res->{status}, 400, 'a short password is refused');
	like($res->{content}, qr/id="password-error">Use at least 10 characters/, 'next to the password field');
	like($res->{content}, qr/value="shorty\@example.org"/, 'the form keeps the email');
	$res = register($b, name => 'Bad', email => 'bad@@example', password => $PW);
	is($res->{status}, 400, 'a bad email is refused');
	like($res->{content}, qr/id="email-error">Enter an email address/, 'next to the email field');
	like($res->{content}, qr/<label for="email">/, 'the fields have labels');
	is(users(), $n, 'no account was created');
	is($b->cookie('enroll_session'), undef, 'and nobody is logged in');
};

subtest 'login throttling: the sixth attempt is refused, and says nothing about the email' => sub {
	$s->sql('DELETE FROM login_attempts');
	my $b = $s->browser;
	my (@wrong, @unknown);
	for (1 .. 5) {
		my $res = login($b, 'csrf@example.org', 'wrong password!');
		is($res->{status}, 400, "wrong password $_ is refused");
		push @wrong, ($res->{content} =~ /id="login-error"[^>]*>([^<]+)/)[0];
	}
	my $res = login($b, 'csrf@example.org', $PW);
	is($res->{status}, 429, 'the sixth attempt is refused even with the right password');
	like($res->{content}, qr/too many failed attempts/i, 'in plain words');
	is(set_cookie_of($res, 'enroll_session'), undef, 'no session');
	my $throttled = ($res->{content} =~ /id="login-error"[^>]*>([^<]+)/)[0];

	$s->sql('DELETE FROM login_attempts');
	for (1 .. 5) {
		my $r = login($b, 'nobody-here@example.org', 'wrong password!');
		push @unknown, ($r->{content} =~ /id="login-error"[^>]*>([^<]+)/)[0];
	}
	is($unknown[0], $wrong[0], 'an unknown email gets the same message as a wrong password');
	$res = login($b, 'nobody-here@example.org', $PW);
	is(($res->{content} =~ /id="login-error"[^>]*>([^<]+)/)[0], $throttled, 'and is throttled with the same words');
	is($res->{status}, 429, 'with the same status');

	$s->sql('DELETE FROM login_attempts');
	for my $i (1 .. 5) { login($b, "guess$i\@example.org", $PW) }
	is(login($b, 'csrf@example.org', $PW)->{status}, 303, 'five typos from one (school) address across emails lock no one out');
	$s->sql('DELETE FROM login_attempts');
	for my $i (1 .. 50) { login($b, "guess$i\@example.org", $PW) }
	is(login($b, 'csrf@example.org', $PW)->{status}, 429, 'fifty failures from one address across many emails block it');
	$s->sql('UPDATE login_attempts SET at = at - 900');
	is(login($b, 'csrf@example.org', $PW)->{status}, 303, 'after fifteen minutes the right password works again');
	$s->sql('DELETE FROM login_attempts');
};

subtest 'next never leads off the site' => sub {
	for my $next ('//evil.example/x', 'https://evil.example/', '/\\evil.example', '\\\\evil.example', "/\t/evil.example", 'javascript:alert(1)') {
		my $b = $s->browser;
		my $res = login($b, 'csrf@example.org', $PW, next => $next);
		is($res->{status}, 303, "login with next=$next succeeds");
		is($res->{headers}{location}, '/account/dashboard', '... and lands on the dashboard');
	}
	my $b = $s->browser;
	is(login($b, 'csrf@example.org', $PW, next => '/courses/intro-to-git')->{headers}{location}, '/courses/intro-to-git', 'a local next is followed');
	$s->sql('DELETE FROM login_attempts');
};

subtest 'settings: name and email change, errors beside the field, form re-filled' => sub {
	my $b = $s->browser;
	register($b, name => 'Grace', email => 'grace@example.org', password => $PW);
	my $res = $b->post('/account/settings/name', { name => 'Grace Hopper' }, from => '/account/settings');
	is($res->{status}, 303, 'the name changes');
	like(text_of($b->get('/account/dashboard')->{content}), qr/Welcome, Grace Hopper/, 'and shows');
	$res = $b->post('/account/settings/email', { email => 'hopper@example.org', current_password => 'not it at all' }, from => '/account/settings');
	is($res->{status}, 400, 'an email change with a wrong password is refused');
	like($res->{content}, qr/id="email-password-error">That is not your current password/, 'beside the password field');
	like($res->{content}, qr/value="hopper\@example.org"/, 'the typed email is kept');
	$res = $b->post('/account/settings/email', { email => 'ADA@example.org', current_password => $PW }, from => '/account/settings');
	like($res->{content}, qr/id="email-error">Another account uses this email/, 'a taken email is refused beside the field');
	$res = $b->post('/account/settings/email', { email => 'Hopper@Example.org', current_password => $PW }, from => '/account/settings');
	is($res->{status}, 303, 'the change is accepted with the right password');
	is($s->sql_one('SELECT count(*) FROM users WHERE email = ?1', 'hopper@example.org'), 0, 'and waits for the new address to be confirmed');
	my $link = $s->link_in($s->mail_to('hopper@example.org'), qr{/account/confirm-email});
	$b->get($link);
	$b->post('/account/confirm-email', { token => ($link =~ /token=(\w+)/)[0] });
	is($s->sql_one('SELECT count(*) FROM users WHERE email = ?1', 'hopper@example.org'), 1, 'confirmed from the mail, it is stored lower-case');
	$s->sql('DELETE FROM login_attempts');
};

subtest "a guest's cart is merged into the user's cart at login" => sub {
	my $b = $s->browser;
	$b->get('/account/login');
	my $guest = $b->cookie('enroll_guest');
	like($guest, qr/^[0-9a-f]{32}$/, 'the guest has an id cookie');
	$s->sql('INSERT INTO carts (guest_id) VALUES (?1)', $guest);
	$s->sql(q{INSERT INTO cart_items (cart_id, course_id) SELECT c.id, k.id FROM carts c, courses k WHERE c.guest_id = ?1 AND k.slug IN ('sql-for-analysts', 'payments-engineering')}, $guest);
	$s->sql(q{INSERT INTO carts (user_id) SELECT id FROM users WHERE email = 'hopper@example.org'});
	$s->sql(q{INSERT INTO cart_items (cart_id, course_id) SELECT c.id, k.id FROM carts c JOIN users u ON u.id = c.user_id, courses k WHERE u.email = 'hopper@example.org' AND k.slug IN ('sql-for-analysts', 'algorithms-live')});
	is(login($b, 'hopper@example.org', $PW)->{status}, 303, 'login succeeds');
	my @slugs = map { $_->[0] } $s->sql(q{SELECT k.slug FROM cart_items i JOIN carts c ON c.id = i.cart_id JOIN users u ON u.id = c.user_id JOIN courses k ON k.id = i.course_id WHERE u.email = 'hopper@example.org' ORDER BY k.slug});
	is_deeply(\@slugs, [qw(algorithms-live payments-engineering sql-for-analysts)], 'the cart holds both carts, each course once');
	is($s->sql_one('SELECT count(*) FROM carts WHERE guest_id = ?1', $guest), 0, 'the guest cart is gone');
};

# Stop now: File::Temp removes the stack's folder at END, before $s
# would be destroyed, and the programs would outlive the test.
$s->stop;
done_testing;
