#!/usr/bin/env perl
# Teams (issue 18, first part), through the real stack and the forms as
# they are rendered: a user creates a team and owns it; an owner invites an
# address nobody uses yet, the mail arrives, the person registers from the
# link and accepts it; the link works once and not once expired; a member
# who is not a manager cannot invite; someone outside a team gets 404 from
# every team route with its id and changes nothing; roles change, the
# owner hands the team over, members are removed or leave; every change
# writes its audit row; an owner with members cannot delete their account.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use Forms;
use Stack;

my $s = Stack->start;

sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/\s+/ /g; return $h }
sub role_of {
	my ($team, $user) = @_;
	return $s->sql_one('SELECT role FROM team_members WHERE team_id = ?1 AND user_id = ?2', $team, $user) // 'none';
}
sub audits {
	my ($team, $action) = @_;
	return $s->sql_one(q{SELECT count(*) FROM audit_log WHERE subject = 'team:' || ?1 AND action = ?2}, $team, $action);
}
# Everything a team action could change, as one string.
sub state_of {
	return join ',',
	    $s->sql_joined(' ', q{SELECT team_id || '/' || user_id || '/' || role FROM team_members ORDER BY team_id, user_id}),
	    join ':', @{($s->sql(q{SELECT (SELECT count(*) FROM team_invitations),
	    (SELECT count(*) FROM team_invitations WHERE accepted_at IS NOT NULL),
	    (SELECT count(*) FROM audit_log), (SELECT count(*) FROM outbox),
	    (SELECT count(*) FROM teams)}))[0]};
}
# Submits the form of $b's page whose action is $action and whose hidden
# member field is $member (a form per member row), as rendered, with
# %typed put in.
sub submit_for_member {
	my ($b, $action, $member, %typed) = @_;
	my ($f) = grep { ($_->{action} // '') eq $action &&
	    grep { ($_->{name} // '') eq 'member' && $_->{value} eq $member } @{$_->{controls}} }
	    Forms::parse($b->{last}{content});
	die "no $action form for member $member\n" unless $f;
	my ($i, %over) = (-1);
	for my $c (@{$f->{controls}}) {
		$i++;
		$over{$i} = $typed{$c->{name}} if defined $c->{name} && exists $typed{$c->{name}};
	}
	my @pairs = Forms::pairs($f, %over);
	return $b->request('POST', $action, join '&', map { Forms::urlencode($_->[0]) . '=' . Forms::urlencode($_->[1]) } @pairs);
}
# Invites $email with $role from the team page as $b and returns the link
# in the mail that arrives.
sub invite {
	my ($b, $team, $email, $role) = @_;
	my $before = () = $s->mails_to($email);
	$b->get("/account/teams/$team");
	my $res = Forms::submit($b, "/account/teams/$team/invite", email => $email, role => $role);
	is($res->{status}, 303, "the invitation to $email is sent") or diag text_of($res->{content});
	my $mail = $s->mail_to($email, $before + 1);
	return $s->link_in($mail, qr{/account/teams/accept});
}

my ($olga, $olga_id) = $s->student(name => 'Olga Owner', email => 'olga@example.org');
my ($team, $link, $newbie, $newbie_id);

subtest 'a user creates a team and is its owner' => sub {
	my $page = $olga->get('/account/dashboard')->{content};
	like($page, qr{<a href="/account/teams">Teams</a>}, 'the dashboard links to the teams');
	like(text_of($olga->get('/account/teams')->{content}), qr/You are not in a team yet/, 'no team yet');
	my $res = Forms::submit($olga, '/account/teams', name => '   ');
	is($res->{status}, 400, 'a blank name is refused');
	like(Forms::field_error($res->{content}, 'team-name'), qr/Give the team a name/, 'next to the field');
	is($s->sql_one('SELECT count(*) FROM teams'), 0, 'and nothing is created');
	$res = Forms::submit($olga, '/account/teams', name => 'Acme Learning');
	is($res->{status}, 303, 'the form creates the team');
	($team) = $res->{headers}{location} =~ m{^/account/teams/(\d+)$};
	ok($team, 'and goes to its page');
	is(role_of($team, $olga_id), 'owner', 'the creator is its owner');
	is(audits($team, 'team.create'), 1, 'one audit row');
	my $text = text_of($olga->get("/account/teams/$team")->{content});
	like($text, qr/Acme Learning You are the owner of this team · 1 member\b/, 'the page says who you are in it');
	like(text_of($olga->get('/account/teams')->{content}), qr/Acme Learning owner 1/, 'the team is in my list');
};

subtest 'an invitation to an unregistered address: mail, registration, acceptance, once' => sub {
	$link = invite($olga, $team, 'newbie@example.org', 'member');
	ok($link, 'the mail carries the link');
	my ($token) = ($link // '') =~ /token=([0-9a-f]{64})$/;
	ok($token, 'with a token');
	is($s->sql_one('SELECT count(*) FROM team_invitations WHERE token_hash = ?1', sha256_hex($token)), 1, 'of which only the hash is kept');
	is(audits($team, 'team.invite'), 1, 'the invitation has its audit row');
	like(text_of($olga->get("/account/teams/$team")->{content}), qr/Pending invitations Sent to Role By Expires newbie\@example\.org member Olga Owner/, 'the team page lists it as pending');

	my $guest = $s->browser;
	my $res = $guest->get($link);
	is($res->{status}, 303, 'a guest is asked to log in first');
	my $login = $res->{headers}{location};
	like($login, qr{^/account/login\?next=}, 'coming back to the link after');
	$guest->get($login);
	my ($register) = $guest->{last}{content} =~ m{href="(/account/register\?next=[^"]+)"};
	ok($register, 'the login page offers to register, keeping the link');
	$guest->get($register =~ s/&amp;/&/gr);
	$res = Forms::submit($guest, '/account/register', name => 'Nina Newbie', email => 'newbie@example.org', password => 'correct horse battery');
	is($res->{status}, 303, 'the person registers');
	is($res->{headers}{location}, $link, 'and comes back to the link');
	$newbie = $guest;
	$newbie_id = $s->sql_one('SELECT id FROM users WHERE email = ?1', 'newbie@example.org');
	my $before = state_of();
	$res = $newbie->get($link);
	is($res->{status}, 200, 'the link shows the invitation');
	like(text_of($res->{content}), qr/Olga Owner invites you to join Acme Learning as a member\. This invitation was sent to newbie\@example\.org ?\./, 'what it joins and to whom it was sent');
	is(state_of(), $before, 'opening it changes nothing');
	$res = Forms::submit($newbie, '/account/teams/accept');
	is($res->{status}, 303, 'the button accepts');
	is($res->{headers}{location}, "/account/teams/$team", 'and opens the team');
	is(role_of($team, $newbie_id), 'member', 'the person is a member');
	is(audits($team, 'team.join'), 1, 'one audit row');
	unlike($newbie->get("/account/teams/$team")->{content}, qr{/invite"}, 'a member sees no invite form');

	my ($other, $other_id) = $s->student(name => 'Oscar Other');
	$before = state_of();
	$res = $other->get($link);
	is($res->{status}, 404, 'a second use of the link is refused');
	like(text_of($res->{content}), qr/This invitation has expired, has already been used/, 'saying why');
	$res = $other->post('/account/teams/accept', { token => $token });
	is($res->{status}, 400, 'and so is posting its token');
	is(role_of($team, $other_id), 'none', 'the second person did not join');
	is(state_of(), $before, 'nothing changed');
};

subtest 'an expired link is refused' => sub {
	my $late_link = invite($olga, $team, 'late@example.org', 'member');
	my ($token) = $late_link =~ /token=(\w+)/;
	$s->sql('UPDATE team_invitations SET expires_at = ?1 WHERE token_hash = ?2', time - 1, sha256_hex($token));
	my ($late, $late_id) = $s->student(name => 'Lena Late', email => 'late@example.org');
	my $before = state_of();
	my $res = $late->get($late_link);
	is($res->{status}, 404, 'the page refuses it');
	like(text_of($res->{content}), qr/This invitation has expired/, 'saying why');
	$res = $late->post('/account/teams/accept', { token => $token });
	is($res->{status}, 400, 'and so does posting it');
	is(role_of($team, $late_id), 'none', 'nobody joined');
	is(state_of(), $before, 'nothing changed');
	my ($pending) = $olga->get("/account/teams/$team")->{content} =~ m{<h2>Pending invitations</h2>(.*)}s;
	unlike($pending, qr/late\@example\.org/, 'it is no longer pending');
};

subtest 'a member who is not a manager cannot invite' => sub {
	my $before = state_of();
	my $res = $newbie->post("/account/teams/$team/invite", { email => 'friend@example.org', role => 'member' }, from => "/account/teams/$team");
	is($res->{status}, 403, 'the invite is refused');
	like(text_of($res->{content}), qr/Only the team(?:'|&#39;)s owner and managers can invite people/, 'in plain words');
	is(state_of(), $before, 'and nothing changes');
	is(scalar $s->mails_to('friend@example.org'), 0, 'no mail goes');
	for my $action (qw(role remove transfer)) {
		$res = $newbie->post("/account/teams/$team/$action", { member => $olga_id, role => 'member' }, from => "/account/teams/$team");
		is($res->{status}, 403, "nor can they $action");
	}
	is(state_of(), $before, 'nothing changes');
};

subtest 'someone outside a team gets 404 from every route of it and changes nothing' => sub {
	my ($out, $out_id) = $s->student(name => 'Ursula Outsider');
	$out->get('/account/teams');
	my $res = Forms::submit($out, '/account/teams', name => 'Rival Ltd');
	my ($theirs) = $res->{headers}{location} =~ m{(\d+)$};
	ok($theirs && $theirs != $team, 'the outsider has a team of their own');
	# Every team route of the account program, read from its table.
	open(my $fh, '<', "$FindBin::Bin/../cgi-bin/account/main.c") or die;
	my $src = do { local $/; <$fh> };
	my @routes = $src =~ m{METHOD_(GET|POST), "(/account/teams/<id>[^"]*)"}g;
	my @pairs;
	push @pairs, [splice(@routes, 0, 2)] while @routes;
	cmp_ok(scalar @pairs, '>=', 6, 'the team routes are enumerated');
	my $before = state_of();
	for my $p (@pairs) {
		my ($method, $path) = @$p;
		(my $url = $path) =~ s/<id>/$team/;
		$res = $method eq 'GET' ? $out->get($url) : $out->post($url,
		    { member => $olga_id, role => 'member', email => 'spy@example.org' },
		    from => '/account/teams');
		is($res->{status}, 404, "$method $url: 404");
		unlike($res->{content} // '', qr/Acme Learning|olga\@example\.org/, 'showing nothing of the team');
	}
	is(state_of(), $before, 'and nothing changed');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE to_addr = 'spy@example.org'}), 0, 'no mail went');
	is($out->get("/account/teams/$theirs")->{status}, 200, 'their own team opens');
};

subtest 'roles, handing over, removing and leaving' => sub {
	$olga->get("/account/teams/$team");
	my $res = submit_for_member($olga, "/account/teams/$team/role", $newbie_id, role => 'manager');
	is($res->{status}, 303, 'the owner makes the member a manager');
	is(role_of($team, $newbie_id), 'manager', 'the role is changed');
	is(audits($team, 'team.role'), 1, 'one audit row');
	like($newbie->get("/account/teams/$team")->{content}, qr{action="/account/teams/$team/invite"}, 'the manager sees the invite form');

	my $third_link = invite($newbie, $team, 'third@example.org', 'member');
	my ($third, $third_id) = $s->student(name => 'Theo Third', email => 'third@example.org');
	$third->get($third_link);
	is(Forms::submit($third, '/account/teams/accept')->{status}, 303, 'a third person joins, invited by the manager');

	$olga->get("/account/teams/$team");
	$res = submit_for_member($olga, "/account/teams/$team/transfer", $newbie_id);
	is($res->{status}, 303, 'the owner hands the team over');
	is(role_of($team, $newbie_id), 'owner', 'to the chosen member');
	is(role_of($team, $olga_id), 'manager', 'and stays a manager');
	is($s->sql_one(q{SELECT count(*) FROM team_members WHERE team_id = ?1 AND role = 'owner'}, $team), 1, 'the team has one owner');
	is(audits($team, 'team.transfer'), 1, 'one audit row');

	$res = $olga->post("/account/teams/$team/remove", { member => $newbie_id }, from => "/account/teams/$team");
	is($res->{status}, 409, 'a manager cannot remove the owner');
	like(text_of($res->{content}), qr/The owner cannot be removed/, 'and is told why');
	is(role_of($team, $newbie_id), 'owner', 'the owner stays');

	$res = $newbie->get("/account/teams/$team");
	like(text_of($res->{content}), qr/Acme Learning You are the owner/, 'the new owner sees it');
	unlike($res->{content}, qr{/leave"}, 'the owner has no leave button');
	$res = $newbie->post("/account/teams/$team/leave", {}, from => "/account/teams/$team");
	is($res->{status}, 409, 'the owner cannot leave');
	like(text_of($res->{content}), qr/hand the team over to another member first/, 'and is told what to do');

	like(text_of($newbie->get('/account/privacy')->{content}), qr/You own a team that has other members/, 'the owner cannot delete their account while others are in the team');

	$newbie->get("/account/teams/$team");
	$res = submit_for_member($newbie, "/account/teams/$team/remove", $third_id);
	is($res->{status}, 303, 'the owner removes a member');
	is(role_of($team, $third_id), 'none', 'who is gone');
	is(audits($team, 'team.remove'), 1, 'one audit row');
	is($third->get("/account/teams/$team")->{status}, 404, 'and no longer sees the team');

	$olga->get("/account/teams/$team");
	$res = Forms::submit($olga, "/account/teams/$team/leave");
	is($res->{status}, 303, 'the former owner leaves');
	is($res->{headers}{location}, '/account/teams', 'back to the list of teams');
	is(role_of($team, $olga_id), 'none', 'and is gone');
	is(audits($team, 'team.leave'), 1, 'one audit row');
	unlike(text_of($newbie->get('/account/privacy')->{content}), qr/You own a team/, 'alone in it, the owner may delete their account');
};

subtest 'each change wrote one audit row, with the roles before and after' => sub {
	my %n = map { $_->[0] => $_->[1] } $s->sql(q{SELECT action, count(*) FROM audit_log WHERE subject = 'team:' || ?1 GROUP BY action}, $team);
	is_deeply(\%n, { 'team.create' => 1, 'team.invite' => 3, 'team.join' => 2, 'team.role' => 1,
	    'team.transfer' => 1, 'team.remove' => 1, 'team.leave' => 1 }, 'the team\'s audit rows');
	my $role = $s->sql_one(q{SELECT before_json || ' ' || after_json FROM audit_log WHERE subject = 'team:' || ?1 AND action = 'team.role'}, $team);
	like($role, qr/"role":\s*"member".*"role":\s*"manager"/, 'the role change shows both roles');
};

done_testing;
