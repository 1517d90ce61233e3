#!/usr/bin/env perl
# A team's seats (issue 18), through the real stack and the forms as they
# are rendered.  Seats are put in by SQL (buying them is another part of
# the issue).  The seats page is for owners and managers (a member gets
# 403, an outsider 404); a seat given to a member opens the course at once
# and mails them; to another address it mails a single-use link, and the
# person registers, accepts and opens a lesson; a second use and an
# expired link are refused; seats are given up to what was bought and
# never one more, even to ten managers racing for the last one; a list is
# previewed (invalid, repeated, already served, beyond the free seats) and
# confirmed exactly as previewed, typed or as a CSV file; giving a seat
# back closes the course with its own sentence; a member removed from the
# team loses the seat but keeps a course they bought.  Every change writes
# one audit row, and none names an invited address.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use POSIX ();
use Forms;
use Stack;

my $s = Stack->start;

sub text_of { return Forms::text(shift) }
sub course { return $s->course_id($_[0]) }
sub lesson_url {
	my $slug = shift;
	my $id = $s->sql_one('SELECT l.position FROM lessons l JOIN courses c ON c.id = l.course_id WHERE c.slug = ?1 AND l.is_preview = 0 ORDER BY l.position LIMIT 1', $slug);
	return "/learn/$slug/$id";
}
sub seats_row {
	my ($team, $slug) = @_;
	return join '/', map { @$_ } $s->sql('SELECT seats, held FROM team_seats WHERE team_id = ?1 AND course_id = ?2', $team, course($slug));
}
# Everything a seat action could change, as one string.
sub state_of {
	return join ',',
	    $s->sql_joined(' ', q{SELECT course_id || '/' || seats || '/' || held FROM team_seats ORDER BY team_id, course_id}),
	    $s->sql_joined(' ', q{SELECT id || '/' || status || '/' || coalesce(user_id, 0) FROM seat_assignments ORDER BY id}),
	    $s->sql_joined(' ', q{SELECT user_id || '/' || course_id || '/' || status || '/' || source FROM enrollments ORDER BY id}),
	    $s->sql_joined(' ', q{SELECT team_id || '/' || user_id FROM team_members ORDER BY team_id, user_id}),
	    $s->sql_one('SELECT count(*) FROM audit_log') . ':' . $s->sql_one('SELECT count(*) FROM outbox');
}
sub audits {
	my ($team, $action) = @_;
	return $s->sql_one(q{SELECT count(*) FROM audit_log WHERE subject = 'team:' || ?1 AND action = ?2}, $team, $action);
}
# Submits the form of $b's last page whose action is $action and whose
# hidden field $key is $value (one form per course or per holder), as
# rendered, with %typed put in.
sub submit_where {
	my ($b, $action, $key, $value, %typed) = @_;
	my ($f) = grep { ($_->{action} // '') eq $action &&
	    grep { ($_->{name} // '') eq $key && $_->{value} eq $value } @{$_->{controls}} }
	    Forms::parse($b->{last}{content});
	die "no $action form with $key=$value\n" . Forms::text($b->{last}{content}) unless $f;
	my %names = map { defined $_->{name} ? ($_->{name} => 1) : () } @{$f->{controls}};
	for my $k (keys %typed) { die "the form for $action has no field $k\n" unless $names{$k} }
	my ($i, %over) = (-1);
	for my $c (@{$f->{controls}}) {
		$i++;
		$over{$i} = $typed{$c->{name}} if defined $c->{name} && exists $typed{$c->{name}};
	}
	return join '&', map { Forms::urlencode($_->[0]) . '=' . Forms::urlencode($_->[1]) } Forms::pairs($f, %over);
}
sub assign {
	my ($b, $team, $slug, %typed) = @_;
	$b->get("/account/teams/$team/seats");
	my $body = submit_where($b, "/account/teams/$team/seats/assign", course => course($slug), %typed);
	return $b->request('POST', "/account/teams/$team/seats/assign", $body);
}
# The value of the option of select $name in $b's form for $slug whose
# text starts with $label.
sub member_option {
	my ($b, $team, $slug, $label) = @_;
	my ($f) = grep { ($_->{action} // '') eq "/account/teams/$team/seats/assign" &&
	    grep { ($_->{name} // '') eq 'course' && $_->{value} eq course($slug) } @{$_->{controls}} }
	    Forms::parse($b->{last}{content});
	my ($sel) = grep { ($_->{name} // '') eq 'member' } @{$f->{controls}};
	return undef unless $sel;
	my ($o) = grep { $_->{value} ne '' && $b->{last}{content} =~ /<option value="\Q$_->{value}\E"[^>]*>\Q$label\E/ } @{$sel->{options}};
	return $o ? $o->{value} : undef;
}
# The rows of a bulk preview: [address, outcome] in order.
sub preview_rows {
	my $html = shift;
	my @rows;
	while ($html =~ m{<tr data-outcome="([a-z_]+)"><td>\d+</td><td class="address">([^<]*)</td>}g) {
		push @rows, [Forms::unescape($2), $1];
	}
	return @rows;
}
# A multipart/form-data body of the text pairs and one file.
sub multipart {
	my ($pairs, $file) = @_;
	my $bd = '----enrollSeatsBoundary9QX';
	my $body = '';
	$body .= "--$bd\r\nContent-Disposition: form-data; name=\"$_->[0]\"\r\n\r\n$_->[1]\r\n" for @$pairs;
	$body .= "--$bd\r\nContent-Disposition: form-data; name=\"file\"; filename=\"$file->{filename}\"\r\nContent-Type: text/csv\r\n\r\n$file->{data}\r\n";
	$body .= "--$bd--\r\n";
	return ($body, "multipart/form-data; boundary=$bd");
}

my ($olga, $olga_id) = $s->student(name => 'Olga Owner', email => 'olga@example.org');
my ($max, $max_id) = $s->student(name => 'Max Member', email => 'max@example.org');
my ($bea, $bea_id) = $s->student(name => 'Bea Buyer', email => 'bea@example.org');
$olga->get('/account/teams');
my ($team) = Forms::submit($olga, '/account/teams', name => 'Acme Learning')->{headers}{location} =~ m{(\d+)$};
my $now = time;
$s->sql(q{INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?1, ?2, 'member', ?3), (?1, ?4, 'member', ?3)}, $team, $max_id, $now, $bea_id);
# Bea bought C Programming herself.
$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, granted_at) VALUES (?1, ?2, 'purchase', ?3)}, $bea_id, course('c-programming-fundamentals'), $now);
$s->sql(q{INSERT INTO team_seats (team_id, course_id, seats, held, updated_at) VALUES (?1, ?2, 3, 0, ?3)}, $team, course('c-programming-fundamentals'), $now);
my $cid = course('c-programming-fundamentals');

subtest 'the seats page: owners and managers; a member gets 403, an outsider 404' => sub {
	like($olga->get("/account/teams/$team")->{content}, qr{href="/account/teams/$team/seats"}, 'the team page links to it');
	my $res = $olga->get("/account/teams/$team/seats");
	is($res->{status}, 200, 'the owner opens it');
	like(text_of($res->{content}), qr/C Programming Fundamentals Bought 3 Assigned 0 Invited 0 Free 3/, 'bought, assigned, invited, free');
	$res = $max->get("/account/teams/$team/seats");
	is($res->{status}, 403, 'a member gets 403');
	like(text_of($res->{content}), qr/Only the team's owner and managers can see and give its seats/, 'in a plain sentence');
	my ($out) = $s->student(name => 'Ursula Outsider');
	$res = $out->get("/account/teams/$team/seats");
	is($res->{status}, 404, 'an outsider gets 404');
	unlike($res->{content}, qr/Acme Learning/, 'showing nothing of the team');
};

subtest 'a seat to a member: the course opens at once, and a mail says so' => sub {
	is($max->get(lesson_url('c-programming-fundamentals'))->{status}, 403, 'the lesson is closed to Max before');
	$olga->get("/account/teams/$team/seats");
	my $opt = member_option($olga, $team, 'c-programming-fundamentals', 'Max Member');
	ok($opt, 'Max is a choice of the form');
	ok(!member_option($olga, $team, 'c-programming-fundamentals', 'Bea Buyer'), 'Bea, who has the course, is not');
	my $res = assign($olga, $team, 'c-programming-fundamentals', member => $opt);
	is($res->{status}, 303, 'the seat is given') or diag text_of($res->{content});
	is($s->sql_one(q{SELECT status FROM seat_assignments WHERE user_id = ?1 AND course_id = ?2}, $max_id, $cid), 'active', 'the assignment is active');
	is($s->sql_one(q{SELECT source || '/' || status || '/' || CASE WHEN seat_id IS NOT NULL THEN 1 ELSE 0 END FROM enrollments WHERE user_id = ?1 AND course_id = ?2}, $max_id, $cid), 'seat/active/1', 'with an enrollment of source seat');
	is(seats_row($team, 'c-programming-fundamentals'), '3/1', 'one seat held');
	my $mail = $s->mail_to('max@example.org', 2);
	like($mail, qr/Subject: Olga Owner gave you a seat in C Programming Fundamentals/, 'Max gets a mail');
	ok($s->link_in($mail, qr{/learn/c-programming-fundamentals}), 'with a link to the course');
	is($max->get(lesson_url('c-programming-fundamentals'))->{status}, 200, 'and opens a lesson');
	is(audits($team, 'seat.assign'), 1, 'one audit row');
	like(text_of($olga->get("/account/teams/$team/seats")->{content}), qr/Bought 3 Assigned 1 Invited 0 Free 2 .*Max Member max\@example\.org active/, 'the page lists Max');
};

subtest 'someone who already has the course gets no seat: the error is beside the field' => sub {
	my $before = state_of();
	my $res = assign($olga, $team, 'c-programming-fundamentals', email => 'BEA@example.org');
	is($res->{status}, 409, 'refused');
	like(Forms::field_error($res->{content}, "email-$cid") // '', qr/already has the course/, 'beside the address');
	like($res->{content}, qr/value="BEA\@example\.org"|value="bea\@example\.org"/, 'what was typed is kept');
	is(state_of(), $before, 'nothing changed');
	$res = assign($olga, $team, 'c-programming-fundamentals', email => 'max@example.org');
	is($res->{status}, 409, 'a holder is refused too');
	like(Forms::field_error($res->{content}, "email-$cid") // '', qr/already holds or is invited/, 'saying so');
	is(state_of(), $before, 'nothing changed');
};

my ($nina, $nina_link);
subtest 'an invitation to an unregistered address: register, accept, open a lesson; the link works once' => sub {
	my $res = assign($olga, $team, 'c-programming-fundamentals', email => 'nina@example.org');
	is($res->{status}, 303, 'the invitation is sent') or diag text_of($res->{content});
	my $mail = $s->mail_to('nina@example.org');
	like($mail, qr/Subject: Olga Owner gave you a seat in C Programming Fundamentals/, 'a mail arrives');
	$nina_link = $s->link_in($mail, qr{/account/seats/accept});
	my ($token) = ($nina_link // '') =~ /token=([0-9a-f]{64})$/;
	ok($token, 'with its link');
	is($s->sql_one('SELECT status FROM seat_assignments WHERE token_hash = ?1', sha256_hex($token)), 'invited', 'of which only the hash is kept');
	is(seats_row($team, 'c-programming-fundamentals'), '3/2', 'the seat is held');
	like(text_of($olga->get("/account/teams/$team/seats")->{content}), qr/nina\@example\.org invited, link expires/, 'the page shows the invitation and its expiry');

	my $guest = $s->browser;
	$res = $guest->get($nina_link);
	is($res->{status}, 303, 'a guest is asked to log in');
	like($res->{headers}{location}, qr{^/account/login\?next=%2Faccount%2Fseats%2Faccept%3Ftoken%3D$token$}, 'keeping the link in next');
	$guest->get($res->{headers}{location});
	my ($register) = $guest->{last}{content} =~ m{href="(/account/register\?next=[^"]+)"};
	ok($register, 'the login page offers to register');
	$guest->get($register =~ s/&amp;/&/gr);
	$res = Forms::submit($guest, '/account/register', name => 'Nina New', email => 'nina@example.org', password => 'correct horse battery');
	is($res->{status}, 303, 'Nina registers');
	is($res->{headers}{location}, $nina_link, 'and comes back to the link');
	$nina = $guest;
	my $before = state_of();
	$res = $nina->get($nina_link);
	is($res->{status}, 200, 'the link shows the seat');
	like(text_of($res->{content}), qr/Olga Owner of the team Acme Learning gave you a seat in the course C Programming Fundamentals ?\. This invitation was sent to nina\@example\.org/, 'team, course, inviter');
	is(state_of(), $before, 'opening it changes nothing');
	$res = Forms::submit($nina, '/account/seats/accept');
	is($res->{status}, 303, 'Accept the seat');
	is($res->{headers}{location}, '/learn/c-programming-fundamentals', 'opens the course');
	my $nina_id = $s->sql_one('SELECT id FROM users WHERE email = ?1', 'nina@example.org');
	is($s->sql_one('SELECT role FROM team_members WHERE team_id = ?1 AND user_id = ?2', $team, $nina_id), 'member', 'Nina is a member of the team');
	is($s->sql_one(q{SELECT status || '/' || CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END || '/' || user_id FROM seat_assignments WHERE course_id = ?1 AND email = ?2}, $cid, 'nina@example.org'), "active/1/$nina_id", 'the seat is hers');
	is($nina->get(lesson_url('c-programming-fundamentals'))->{status}, 200, 'she opens a lesson');
	is(audits($team, 'seat.accept'), 1, 'one audit row');

	my ($other) = $s->student(name => 'Oscar Other');
	$before = state_of();
	$res = $other->get($nina_link);
	is($res->{status}, 410, 'a second use of the link is refused');
	like(text_of($res->{content}), qr/This link was already used or has expired/, 'saying so');
	$res = $other->post('/account/seats/accept', { token => $token });
	is($res->{status}, 410, 'and so is posting its token');
	is(state_of(), $before, 'nothing changed');
};

subtest 'an expired link is refused' => sub {
	$s->sql('UPDATE team_seats SET seats = seats + 1 WHERE team_id = ?1 AND course_id = ?2', $team, $cid);
	my $res = assign($olga, $team, 'c-programming-fundamentals', email => 'late@example.org');
	is($res->{status}, 303, 'an invitation is sent');
	my $link = $s->link_in($s->mail_to('late@example.org'), qr{/account/seats/accept});
	my ($token) = $link =~ /token=(\w+)/;
	$s->sql('UPDATE seat_assignments SET expires_at = ?1 WHERE token_hash = ?2', time - 1, sha256_hex($token));
	my ($late) = $s->student(name => 'Lena Late', email => 'late@example.org');
	my $before = state_of();
	$res = $late->get($link);
	is($res->{status}, 410, 'the page refuses it');
	like(text_of($res->{content}), qr/This link was already used or has expired/, 'saying why');
	$res = $late->post('/account/seats/accept', { token => $token });
	is($res->{status}, 410, 'and so does posting it');
	is(state_of(), $before, 'nothing changed');
	like(text_of($olga->get("/account/teams/$team/seats")->{content}), qr/late\@example\.org invitation expired/, 'the seats page says it expired');
};

subtest 'seats are given up to what was bought, and one more is refused' => sub {
	is(seats_row($team, 'c-programming-fundamentals'), '4/3', 'one seat is free');
	my $res = assign($olga, $team, 'c-programming-fundamentals', email => 'fourth@example.org');
	is($res->{status}, 303, 'the last one is given');
	is(seats_row($team, 'c-programming-fundamentals'), '4/4', 'all held');
	like(text_of($olga->get("/account/teams/$team/seats")->{content}), qr/Every seat is taken/, 'the page says every seat is taken');
	# The form as it was when a seat was free.
	$s->sql('UPDATE team_seats SET seats = seats + 1 WHERE team_id = ?1 AND course_id = ?2', $team, $cid);
	$olga->get("/account/teams/$team/seats");
	my $body = submit_where($olga, "/account/teams/$team/seats/assign", course => $cid, email => 'fifth@example.org');
	$s->sql('UPDATE team_seats SET seats = seats - 1 WHERE team_id = ?1 AND course_id = ?2', $team, $cid);
	my $before = state_of();
	$res = $olga->request('POST', "/account/teams/$team/seats/assign", $body);
	is($res->{status}, 409, 'one over is refused with 409');
	like(text_of($res->{content}), qr/No seat of C Programming Fundamentals is left/, 'saying no seat is left');
	is(state_of(), $before, 'nothing changed');
	is(scalar $s->mails_to('fifth@example.org'), 0, 'no mail went');
};

subtest 'ten managers racing for the last free seat: exactly one wins' => sub {
	my $sql_id = course('sql-for-analysts');
	$s->sql(q{INSERT INTO team_seats (team_id, course_id, seats, held, updated_at) VALUES (?1, ?2, 1, 0, ?3)}, $team, $sql_id, time);
	$olga->get("/account/teams/$team/seats");
	my @bodies = map { submit_where($olga, "/account/teams/$team/seats/assign", course => $sql_id, email => "racer$_\@example.org") } 1 .. 10;
	my @pids;
	for my $i (0 .. 9) {
		my $pid = fork // die "fork: $!";
		if ($pid == 0) {
			my $res = $olga->request('POST', "/account/teams/$team/seats/assign", $bodies[$i]);
			my $code = $res->{status} == 303 ? 0 :
			    $res->{status} == 409 && text_of($res->{content}) =~ /No seat of SQL for Analysts is left/ ? 1 : 2;
			POSIX::_exit($code);
		}
		push @pids, $pid;
	}
	my %got;
	for my $pid (@pids) { waitpid($pid, 0); $got{$? >> 8}++ }
	is($got{0} // 0, 1, 'one assignment wins');
	is($got{1} // 0, 9, 'nine get the 409 page saying no seat is left');
	is($got{2} // 0, 0, 'and nothing else happened');
	is(seats_row($team, 'sql-for-analysts'), '1/1', 'held = seats');
	is($s->sql_one(q{SELECT count(*) FROM seat_assignments WHERE course_id = ?1 AND status <> 'revoked'}, $sql_id), 1, 'one assignment');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE to_addr LIKE 'racer%'}), 1, 'one mail');
};

subtest 'seats for a typed list: a preview, then exactly that' => sub {
	my $wid = course('web-security-essentials');
	$s->sql(q{INSERT INTO team_seats (team_id, course_id, seats, held, updated_at) VALUES (?1, ?2, 4, 0, ?3)}, $team, $wid, time);
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, granted_at) VALUES (?1, ?2, 'purchase', ?3)}, $bea_id, $wid, time);
	$olga->get("/account/teams/$team/seats");
	my $before = state_of();
	my $res = Forms::submit($olga, "/account/teams/$team/seats/bulk", course => $wid,
	    addresses => "max\@example.org, new1\@example.org; not-an-address\nNEW1\@example.org\nbea\@example.org\n\nnew2\@example.org;new3\@example.org, new4\@example.org\nnew5\@example.org");
	is($res->{status}, 200, 'the preview opens') or diag text_of($res->{content});
	is(state_of(), $before, 'and changes nothing');
	my @rows = preview_rows($res->{content});
	is_deeply(\@rows, [['max@example.org', 'given'], ['new1@example.org', 'invited'], ['not-an-address', 'bad_address'],
	    ['new1@example.org', 'duplicate'], ['bea@example.org', 'has_course'], ['new2@example.org', 'invited'],
	    ['new3@example.org', 'invited'], ['new4@example.org', 'none_left'], ['new5@example.org', 'none_left']], 'each address and what it gets');
	my $text = text_of($res->{content});
	like($text, qr/9 addresses, 4 free seats: 4 get a seat \(1 member with access now, 3 invitations mailed\)/, 'the summary');
	like($text, qr/1 already has the course .*1 not an email address .*1 repeated in the list .*2 beyond the free seats: no seat left/, 'and what the others get');
	like($text, qr/1 max\@example\.org gets a seat: a member, access now/, 'in words per row');
	$res = Forms::submit($olga, "/account/teams/$team/seats/bulk/confirm");
	is($res->{status}, 303, 'Confirm gives the seats') or diag text_of($res->{content});
	my @got = map { "$_->[0] $_->[1]" } $s->sql(q{SELECT email, status FROM seat_assignments WHERE course_id = ?1 AND status <> 'revoked' ORDER BY id}, $wid);
	is_deeply(\@got, ['max@example.org active', 'new1@example.org invited', 'new2@example.org invited', 'new3@example.org invited'], 'the rows are exactly as previewed');
	is(seats_row($team, 'web-security-essentials'), '4/4', 'every seat held');
	is($s->sql_one(q{SELECT source FROM enrollments WHERE user_id = ?1 AND course_id = ?2}, $max_id, $wid), 'seat', 'Max has the course now');
	ok($s->mail_to('new3@example.org') =~ m{/account/seats/accept\?token=}, 'the invitations are mailed');
	is(scalar $s->mails_to('new4@example.org'), 0, 'beyond the seats nobody is mailed');
	is(audits($team, 'seat.bulk'), 1, 'one audit row for the list');
	$res = $olga->get("/account/teams/$team/seats");
	like(text_of($res->{content}), qr/4 seats of Web Security Essentials given: 1 open now, 3 invitations mailed; 3 addresses got none\./, 'the page says what was done');
};

subtest 'a list as a CSV file, beyond the free seats; and too long a list' => sub {
	my $did = course('data-science-bootcamp');
	$s->sql(q{INSERT INTO team_seats (team_id, course_id, seats, held, updated_at) VALUES (?1, ?2, 2, 0, ?3)}, $team, $did, time);
	$olga->get("/account/teams/$team/seats");
	my ($f) = grep { ($_->{action} // '') eq "/account/teams/$team/seats/bulk" } Forms::parse($olga->{last}{content});
	is($f->{attrs}{enctype}, 'multipart/form-data', 'the form uploads files');
	my ($i, %over) = (-1);
	for my $c (@{$f->{controls}}) { $i++; $over{$i} = $did if ($c->{name} // '') eq 'course' }
	my @pairs = Forms::pairs($f, %over);
	my ($body, $type) = multipart(\@pairs, { filename => 'people.csv',
	    data => "name,Email,team\r\n\"Carla, C.\",carla\@example.org,x\r\nDan,dan\@example.org,y\r\nEve,eve\@example.org,z\r\n" });
	my $res = $olga->request('POST', "/account/teams/$team/seats/bulk", $body, { 'content-type' => $type });
	is($res->{status}, 200, 'the preview opens') or diag text_of($res->{content});
	is_deeply([preview_rows($res->{content})], [['carla@example.org', 'invited'], ['dan@example.org', 'invited'], ['eve@example.org', 'none_left']],
	    'the email column is read, the header skipped');
	$res = Forms::submit($olga, "/account/teams/$team/seats/bulk/confirm");
	is($res->{status}, 303, 'confirmed');
	is_deeply([map { $_->[0] } $s->sql(q{SELECT email FROM seat_assignments WHERE course_id = ?1 ORDER BY id}, $did)],
	    ['carla@example.org', 'dan@example.org'], 'as previewed');

	$olga->get("/account/teams/$team/seats");
	my $before = state_of();
	# The form is multipart (it takes a file): the browser sends the text
	# so too.
	($body, $type) = multipart([map { $_->[0] eq 'addresses' ? ['addresses', join("\n", map { "p$_\@example.org" } 1 .. 5001)] : $_ } @pairs],
	    { filename => '', data => '' });
	$res = $olga->request('POST', "/account/teams/$team/seats/bulk", $body, { 'content-type' => $type });
	is($res->{status}, 413, 'more than 5,000 addresses are refused');
	like(Forms::field_error($res->{content}, 'bulk-addresses') // '', qr/At most 5,000 addresses at a time: this list has 5001/, 'in plain words beside the field');
	is(state_of(), $before, 'nothing changed');
};

subtest 'a member who is not a manager cannot give or take seats' => sub {
	my $before = state_of();
	my $from = '/account/my-courses';
	my $res = $max->post("/account/teams/$team/seats/assign", { course => $cid, email => 'friend@example.org' }, from => $from);
	is($res->{status}, 403, 'assigning is refused');
	like(text_of($res->{content}), qr/Only the team's owner and managers/, 'in plain words');
	$res = $max->post("/account/teams/$team/seats/bulk", { course => $cid, addresses => 'friend@example.org' }, from => $from);
	is($res->{status}, 403, 'so is a list');
	my $any = $s->sql_one(q{SELECT id FROM seat_assignments WHERE status = 'active' LIMIT 1});
	$res = $max->post("/account/teams/$team/seats/revoke", { assignment => $any }, from => $from);
	is($res->{status}, 403, 'and giving a seat back');
	is(state_of(), $before, 'nothing changed');
	is(scalar $s->mails_to('friend@example.org'), 0, 'no mail went');
};

subtest 'giving a seat back closes the course with its own sentence; cancelling an invitation frees its seat' => sub {
	my $url = lesson_url('c-programming-fundamentals');
	is($max->get($url)->{status}, 200, 'Max reads a lesson');
	my $aid = $s->sql_one(q{SELECT id FROM seat_assignments WHERE user_id = ?1 AND course_id = ?2 AND status = 'active'}, $max_id, $cid);
	$olga->get("/account/teams/$team/seats");
	my $res = $olga->request('POST', "/account/teams/$team/seats/revoke", submit_where($olga, "/account/teams/$team/seats/revoke", assignment => $aid));
	is($res->{status}, 303, 'Revoke');
	$res = $max->get($url);
	is($res->{status}, 403, 'Max gets 403 on the lesson at once');
	like(text_of($res->{content}), qr/Your team seat for this course was withdrawn: you left the team, or a manager gave the seat back\./, 'with the seat\'s sentence');
	is(seats_row($team, 'c-programming-fundamentals'), '4/3', 'the seat is free');
	is(audits($team, 'seat.revoke'), 1, 'one audit row');

	my $inv = $s->sql_one(q{SELECT id FROM seat_assignments WHERE email = 'late@example.org'});
	$olga->get("/account/teams/$team/seats");
	like($olga->{last}{content}, qr{value="$inv">\s*<button type="submit" class="link">Cancel invitation}, 'an invitation has a Cancel button');
	my $cancel = submit_where($olga, "/account/teams/$team/seats/revoke", assignment => $inv);
	$res = $olga->request('POST', "/account/teams/$team/seats/revoke", $cancel);
	is($res->{status}, 303, 'Cancel invitation');
	is($s->sql_one('SELECT status FROM seat_assignments WHERE id = ?1', $inv), 'revoked', 'the invitation is over');
	is(seats_row($team, 'c-programming-fundamentals'), '4/2', 'its seat is free');
	is(audits($team, 'seat.cancel'), 1, 'one audit row');
	my $held = seats_row($team, 'c-programming-fundamentals');
	$res = $olga->request('POST', "/account/teams/$team/seats/revoke", $cancel);
	is(seats_row($team, 'c-programming-fundamentals'), $held, 'and frees nothing more');
	is($res->{status}, 409, 'giving it back twice is refused');
};

subtest 'a member removed from the team loses the seat but keeps the course they bought' => sub {
	my $sql_id = course('sql-for-analysts');
	$s->sql('UPDATE team_seats SET seats = seats + 1 WHERE team_id = ?1 AND course_id = ?2', $team, $sql_id);
	$olga->get("/account/teams/$team/seats");
	my $res = assign($olga, $team, 'sql-for-analysts', member => member_option($olga, $team, 'sql-for-analysts', 'Bea Buyer'));
	is($res->{status}, 303, 'Bea gets a seat of SQL');
	is($bea->get(lesson_url('sql-for-analysts'))->{status}, 200, 'and reads it');
	$res = $olga->post("/account/teams/$team/remove", { member => $bea_id }, from => "/account/teams/$team");
	is($res->{status}, 303, 'the owner removes Bea from the team');
	$res = $bea->get(lesson_url('sql-for-analysts'));
	is($res->{status}, 403, 'the seat\'s course is closed');
	like(text_of($res->{content}), qr/Your team seat for this course was withdrawn/, 'saying why');
	is($bea->get(lesson_url('c-programming-fundamentals'))->{status}, 200, 'her own course stays open');
	is(seats_row($team, 'sql-for-analysts'), '2/1', 'the seat went back');
};

subtest 'someone who has the course by the time they accept gives the seat back' => sub {
	my $res = assign($olga, $team, 'c-programming-fundamentals', email => 'zed@example.org');
	is($res->{status}, 303, 'an invitation');
	my $link = $s->link_in($s->mail_to('zed@example.org'), qr{/account/seats/accept});
	my ($zed, $zed_id) = $s->student(name => 'Zed', email => 'zed@example.org');
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, granted_at) VALUES (?1, ?2, 'purchase', ?3)}, $zed_id, $cid, time);
	my $held = seats_row($team, 'c-programming-fundamentals');
	$zed->get($link);
	$res = Forms::submit($zed, '/account/seats/accept');
	is($res->{status}, 409, 'told');
	like(text_of($res->{content}), qr/You already have C Programming Fundamentals, so you need no seat: it went back to the team Acme Learning/, 'why');
	is($s->sql_one(q{SELECT status FROM seat_assignments WHERE email = 'zed@example.org'}), 'revoked', 'the seat is given back');
	my ($seats, $h) = split m{/}, $held;
	is(seats_row($team, 'c-programming-fundamentals'), "$seats/" . ($h - 1), 'and is free');
	is($s->sql_one('SELECT count(*) FROM team_members WHERE team_id = ?1 AND user_id = ?2', $team, $zed_id), 0, 'Zed did not join');
	is(audits($team, 'seat.decline'), 1, 'one audit row');
};

subtest 'a manager renames the team; a blank name or a plain member changes nothing' => sub {
	$olga->get("/account/teams/$team");
	my $res = Forms::submit($olga, "/account/teams/$team/name", name => '   ');
	is($res->{status}, 400, 'a blank name is refused');
	like(Forms::field_error($res->{content}, 'team-name') // '', qr/Give the team a name/, 'beside the field');
	my $before = state_of();
	$res = $max->post("/account/teams/$team/name", { name => 'Max Corp' }, from => "/account/teams/$team");
	is($res->{status}, 403, 'a plain member cannot rename it');
	is(state_of(), $before, 'nothing changed');
	$olga->get("/account/teams/$team");
	$res = Forms::submit($olga, "/account/teams/$team/name", name => 'Acme Academy');
	is($res->{status}, 303, 'the owner renames it');
	is($s->sql_one('SELECT name FROM teams WHERE id = ?1', $team), 'Acme Academy', 'the name is changed');
	like($s->sql_one(q{SELECT before_json || ' ' || after_json FROM audit_log WHERE action = 'team.rename'}), qr/Acme Learning.*Acme Academy/, 'one audit row with both names');
	like(text_of($olga->get("/account/teams/$team/seats")->{content}), qr/Seats of Acme Academy/, 'the seats page shows it');
};

subtest 'the audit rows name no invited address' => sub {
	is($s->sql_one(q{SELECT count(*) FROM audit_log WHERE action LIKE 'seat.%' AND (coalesce(detail, '') || coalesce(before_json, '') || coalesce(after_json, '')) LIKE '%@%'}), 0, 'no address in any seat row');
	cmp_ok($s->sql_one(q{SELECT count(*) FROM audit_log WHERE action LIKE 'seat.%'}), '>=', 10, 'and there are rows');
};

done_testing;
